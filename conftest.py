"""Doctest namespace: ``np``, ``pd``, ``nx`` are available in every example."""

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace.update(np=np, pd=pd, nx=nx)
