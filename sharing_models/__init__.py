"""How value is divided: TU games, solution concepts, claims rules, voting power,
tiers and fees, and risk-sharing simulation.

``sharing_models`` never imports ``agreements``. Its concepts are sub-packages, in layers
that ``lint-imports`` checks (top to bottom; a layer imports only layers below it):

* :mod:`sharing_models.risk`: risk-sharing simulation, formation, levers, risk sweeps;
* :mod:`sharing_models.sweep`: the generic parameter sweep on Dask;
* :mod:`sharing_models.membership`: tiers, fees, fee rights, waterfall;
* :mod:`sharing_models.division`: claims rules, airport cost, voting power;
* :mod:`sharing_models.games`: TU games and their solution concepts;
* ``sharing_models._kernels`` (private helpers shared by the above) and
  :mod:`sharing_models.exceptions`.

Submodules keep their names where a function shares it: ``sharing_models.waterfall``
is the module (the function is ``sharing_models.waterfall.waterfall``), and likewise
``sharing_models.sweep`` (``sharing_models.sweep.sweep`` runs a parameter sweep on
Dask); ``claims``, ``cost``, ``power``, ``fees``, ``tiers``, ``fee_rights``,
``tier_vs_contribution`` and the ``risk`` subpackage are reached as
``sharing_models.<name>``.
"""

# Names are imported on first use (PEP 562), so ``import sharing_models`` stays cheap: a
# command line that needs one exception class does not pay for numpy, scipy or Dask.
from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Sub-modules reached as attributes: sharing_models.risk, .sweep, .claims, .cost, .power.
    from . import risk, sweep
    from .division import claims, cost, power
    from .exceptions import (
        ConsortiumError,
        EmptyCoreWarning,
        GameError,
        InvalidInputError,
        SuspiciousResultWarning,
        TooLargeError,
    )

    # TU games and their solution concepts.
    from .games.banzhaf import banzhaf
    from .games.core import LeastCore, core_is_empty, cost_of_stability, in_core, least_core
    from .games.game import Game
    from .games.kohlberg import KohlbergCertificate, kohlberg_certify
    from .games.myerson import graph_restricted, myerson
    from .games.nucleolus import nucleolus, prenucleolus
    from .games.owen import owen
    from .games.sampling import banzhaf_estimate, shapley_estimate, shapley_sample
    from .games.shapley import EXACT_MAX_PLAYERS, shapley
    from .games.weighted_shapley import harsanyi_dividends, weighted_shapley

    # Tiers, fees, fee-based rights, waterfall (modules, then names).
    from .membership import fee_rights, fees, tier_vs_contribution, tiers, waterfall
    from .membership.fee_rights import RightsValue, check_band_edges, check_monotone
    from .membership.tiers import Rights, Tier, TierSchedule, assign, tier_accounts
    from .membership.waterfall import InventorReward

#: Each public name and the module (relative to this package) that defines it; a name
#: that is a submodule of that module is imported as one.
_LAZY: dict[str, str] = {
    "risk": ".",
    "sweep": ".",
    "claims": ".division",
    "cost": ".division",
    "power": ".division",
    "ConsortiumError": ".exceptions",
    "EmptyCoreWarning": ".exceptions",
    "GameError": ".exceptions",
    "InvalidInputError": ".exceptions",
    "SuspiciousResultWarning": ".exceptions",
    "TooLargeError": ".exceptions",
    "banzhaf": ".games.banzhaf",
    "LeastCore": ".games.core",
    "core_is_empty": ".games.core",
    "cost_of_stability": ".games.core",
    "in_core": ".games.core",
    "least_core": ".games.core",
    "Game": ".games.game",
    "KohlbergCertificate": ".games.kohlberg",
    "kohlberg_certify": ".games.kohlberg",
    "graph_restricted": ".games.myerson",
    "myerson": ".games.myerson",
    "nucleolus": ".games.nucleolus",
    "prenucleolus": ".games.nucleolus",
    "owen": ".games.owen",
    "shapley_sample": ".games.sampling",
    "shapley_estimate": ".games.sampling",
    "banzhaf_estimate": ".games.sampling",
    "EXACT_MAX_PLAYERS": ".games.shapley",
    "shapley": ".games.shapley",
    "harsanyi_dividends": ".games.weighted_shapley",
    "weighted_shapley": ".games.weighted_shapley",
    "fee_rights": ".membership",
    "fees": ".membership",
    "tier_vs_contribution": ".membership",
    "tiers": ".membership",
    "waterfall": ".membership",
    "RightsValue": ".membership.fee_rights",
    "check_band_edges": ".membership.fee_rights",
    "check_monotone": ".membership.fee_rights",
    "Rights": ".membership.tiers",
    "Tier": ".membership.tiers",
    "TierSchedule": ".membership.tiers",
    "assign": ".membership.tiers",
    "tier_accounts": ".membership.tiers",
    "InventorReward": ".membership.waterfall",
}

__all__ = [
    "EXACT_MAX_PLAYERS",
    "ConsortiumError",
    "EmptyCoreWarning",
    "Game",
    "GameError",
    "InvalidInputError",
    "InventorReward",
    "KohlbergCertificate",
    "LeastCore",
    "Rights",
    "RightsValue",
    "SuspiciousResultWarning",
    "Tier",
    "TierSchedule",
    "TooLargeError",
    "assign",
    "banzhaf",
    "banzhaf_estimate",
    "check_band_edges",
    "check_monotone",
    "claims",
    "core_is_empty",
    "cost",
    "cost_of_stability",
    "fee_rights",
    "fees",
    "graph_restricted",
    "harsanyi_dividends",
    "in_core",
    "kohlberg_certify",
    "least_core",
    "myerson",
    "nucleolus",
    "owen",
    "power",
    "prenucleolus",
    "risk",
    "shapley",
    "shapley_estimate",
    "shapley_sample",
    "sweep",
    "tier_accounts",
    "tier_vs_contribution",
    "tiers",
    "waterfall",
    "weighted_shapley",
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
