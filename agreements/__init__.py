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

# Names are imported on first use (PEP 562), so ``import agreements`` stays cheap: a
# command line that needs one exception class does not pay for numpy, scipy or Dask.
from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Each public name and the module (relative to this package) that defines it; a name
#: that is a submodule of that module is imported as one.
_LAZY: dict[str, str] = {
    "Agreement": ".api",
    "agreement_from_mapping": ".api",
    "load": ".api",
    "loads": ".api",
    "AgreementError": ".errors",
    "Problem": ".errors",
    "ScenarioError": ".errors",
    "admit": ".lifecycle",
    "review": ".lifecycle",
    "settle": ".lifecycle",
    "withdraw": ".lifecycle",
    "draw_graph": ".reports.plotting",
    "json_schema": ".scenario.schema",
    "compare_shares": ".sharing.compare",
    "agreement_game": ".valuation.game",
    "coalition_worth": ".valuation.game",
    "expected_value": ".valuation.game",
    "product_recipes": ".valuation.game",
    "contribution_graph": ".valuation.graph",
    "dependency_layers": ".valuation.graph",
    "essential_members": ".valuation.graph",
    "substitutable_contributions": ".valuation.graph",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name on first access and cache it in the package namespace."""
    module_name = _LAZY.get(name)
    if module_name is None:  # a subpackage, e.g. `import PKG; PKG.games` as before
        if name.startswith("_") or importlib.util.find_spec(f"{__name__}.{name}") is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        module_name = "."
    if module_name == ".":  # a submodule of this package
        value = importlib.import_module(f".{name}", __name__)
        globals()[name] = value
        return value
    module = importlib.import_module(module_name, __name__)
    try:
        value = getattr(module, name)
    except AttributeError:  # a submodule not imported by its package's __init__
        value = importlib.import_module(f"{module.__name__}.{name}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
