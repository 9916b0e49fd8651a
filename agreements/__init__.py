"""What was agreed: the scenario data model, loading and validation, the contribution
graph, the agreement's game, the one sharing path, formation-rule profiles, clause
tables, reports and the ``consortium`` CLI.

The sub-packages follow the data flow, each importing only those below it:
``scenario`` (the model, loading, validation) -> ``valuation`` (recipes, the project's
risk and timing, the game, the contribution graph) -> ``membership`` (tiers and fees)
-> ``sharing`` (agreement + rule -> shares; the one rounding) -> ``outcomes``
(waterfall, risk simulation, tiers against contribution) -> ``profiles`` -> ``clauses``
-> ``lifecycle`` (settlement, admission, withdrawal, term review) -> ``reports``
-> ``cli``. ``agreements`` calls :mod:`sharing_models`, never the reverse.
"""

from .api import Agreement, agreement_from_mapping, load, loads
from .errors import AgreementError, Problem, ScenarioError
from .lifecycle import admit, review, settle, withdraw
from .reports.plotting import draw_graph
from .scenario.schema import json_schema
from .sharing.compare import compare_shares
from .valuation.game import agreement_game, coalition_worth, expected_value, product_recipes
from .valuation.graph import (
    contribution_graph,
    dependency_layers,
    essential_members,
    substitutable_contributions,
)

__all__ = [
    "Agreement",
    "AgreementError",
    "Problem",
    "ScenarioError",
    "admit",
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
    "review",
    "settle",
    "substitutable_contributions",
    "withdraw",
]
