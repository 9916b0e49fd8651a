"""What was agreed: the scenario data model, loading and validation, the contribution
graph, formation-rule profiles, clause tables and the ``consortium`` CLI.

``agreements`` turns an agreement into games and calls :mod:`sharing_models`.
"""

from .errors import AgreementError, Problem, ScenarioError
from .game import agreement_game, coalition_worth, expected_value, product_recipes
from .graph import (
    contribution_graph,
    dependency_layers,
    draw_graph,
    essential_members,
    substitutable_contributions,
)
from .loader import agreement_from_mapping, load, loads
from .model import Agreement
from .schema import json_schema
from .shares import compare_shares

__all__ = [
    "Agreement",
    "AgreementError",
    "Problem",
    "ScenarioError",
    "agreement_from_mapping",
    "agreement_game",
    "coalition_worth",
    "compare_shares",
    "contribution_graph",
    "dependency_layers",
    "draw_graph",
    "essential_members",
    "expected_value",
    "json_schema",
    "load",
    "loads",
    "product_recipes",
    "substitutable_contributions",
]
