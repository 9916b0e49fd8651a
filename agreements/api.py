"""The public :class:`Agreement`: the scenario's validated data with its derived views,
and the loaders that build it.

:class:`agreements.scenario.model.Agreement` is the data alone, which every layer of
the package reads; this subclass adds :meth:`~Agreement.game`, :meth:`~Agreement.graph`,
:meth:`~Agreement.shares` and :meth:`~Agreement.check`, which call the layers above the
data. :func:`load`, :func:`loads` and :func:`agreement_from_mapping` return it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from sharing_models import Game

from .profiles import check as check_profile
from .scenario import loader
from .scenario.model import Agreement as AgreementData
from .sharing.compare import compare_shares
from .valuation.game import agreement_game
from .valuation.graph import contribution_graph

__all__ = ["Agreement", "agreement_from_mapping", "load", "loads"]


class Agreement(AgreementData):
    """A consortium formation agreement: validated data and its derived views.

    Load one with :func:`agreements.load`; build one in code from a mapping with
    :meth:`Agreement.from_mapping` (which runs the same checks).

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> a.game().n, list(a.shares(methods=["fixed"]).columns)[:1]
    (4, ['fixed'])
    """

    @classmethod
    def from_mapping(cls, data: Any, *, source: str = "<mapping>") -> Agreement:
        """Validate a mapping (as parsed from YAML/JSON) into an :class:`Agreement`."""
        return loader.agreement_from_mapping(data, source=source, model=cls)

    def graph(self) -> nx.DiGraph:
        """The contribution graph; see
        :func:`agreements.valuation.graph.contribution_graph`."""
        return contribution_graph(self)

    def game(self, exact: bool = False) -> Game:
        """The consortium's TU game; see :func:`agreements.valuation.game.agreement_game`."""
        return agreement_game(self, exact=exact)

    def shares(self, methods: Any = None, **kwargs: Any) -> pd.DataFrame:
        """Shares under several rules; see :func:`agreements.sharing.compare.compare_shares`."""
        return compare_shares(self, methods=methods, **kwargs)

    def check(self, profile: Any) -> pd.DataFrame:
        """Findings of a formation-rule profile; see :func:`agreements.profiles.check`."""
        return check_profile(self, profile)


def load(path: str | Path) -> Agreement:
    """Load and validate a scenario file; see :func:`agreements.scenario.loader.load`.

    >>> load("scenarios/baoshan_medical_devices.yaml").member_ids
    ['fosun_dx', 'shu', 'wusong_hospital', 'zecheng']
    """
    return loader.load(path, model=Agreement)


def loads(text: str, format: str = "yaml", source: str = "<string>") -> Agreement:
    """Parse and validate a scenario given as text; see
    :func:`agreements.scenario.loader.loads`."""
    return loader.loads(text, format=format, source=source, model=Agreement)


def agreement_from_mapping(data: Any, source: str = "<mapping>") -> Agreement:
    """Validate a parsed mapping; see
    :func:`agreements.scenario.loader.agreement_from_mapping`."""
    return loader.agreement_from_mapping(data, source=source, model=Agreement)
