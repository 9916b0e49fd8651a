"""How value is divided: TU games, solution concepts, claims rules, voting power,
tiers and fees, and risk-sharing simulation.

``sharing_models`` never imports ``agreements``.
"""

from .exceptions import (
    ConsortiumError,
    EmptyCoreWarning,
    GameError,
    InvalidInputError,
    SuspiciousResultWarning,
    TooLargeError,
)
from .game import Game

__all__ = [
    "ConsortiumError",
    "EmptyCoreWarning",
    "Game",
    "GameError",
    "InvalidInputError",
    "SuspiciousResultWarning",
    "TooLargeError",
]

# --- solution concepts: Shapley family (shapley.py, banzhaf.py, sampling.py, owen.py,
# myerson.py, weighted_shapley.py) -- section owned by the Shapley-family work.
from .banzhaf import banzhaf
from .myerson import graph_restricted, myerson
from .owen import owen
from .sampling import shapley_sample
from .shapley import EXACT_MAX_PLAYERS, shapley
from .weighted_shapley import harsanyi_dividends, weighted_shapley

__all__ += [
    "EXACT_MAX_PLAYERS",
    "banzhaf",
    "graph_restricted",
    "harsanyi_dividends",
    "myerson",
    "owen",
    "shapley",
    "shapley_sample",
    "weighted_shapley",
]

# --- core family (core.py, nucleolus.py) -- section owned by the core/nucleolus work.
from .core import LeastCore, core_is_empty, cost_of_stability, in_core, least_core
from .kohlberg import KohlbergCertificate, kohlberg_certify
from .nucleolus import nucleolus, prenucleolus

__all__ += [
    "KohlbergCertificate",
    "LeastCore",
    "core_is_empty",
    "cost_of_stability",
    "in_core",
    "kohlberg_certify",
    "least_core",
    "nucleolus",
    "prenucleolus",
]

# --- claims, power, cost (claims.py, power.py, cost.py) are submodules:
#     sharing_models.claims, sharing_models.power, sharing_models.cost.
from . import claims, cost, power  # noqa: E402

__all__ += ["claims", "cost", "power"]

# --- tiers, fees, waterfall (tiers.py, fees.py, waterfall.py).
#     Submodules keep their names (sharing_models.waterfall is the module; the function
#     is sharing_models.waterfall.waterfall).
from . import fee_rights, fees, tier_vs_contribution, tiers, waterfall  # noqa: E402
from .fee_rights import RightsValue, check_band_edges, check_monotone  # noqa: E402
from .tiers import Rights, Tier, TierSchedule, assign, tier_accounts  # noqa: E402
from .waterfall import InventorReward  # noqa: E402

__all__ += [
    "InventorReward",
    "Rights",
    "RightsValue",
    "Tier",
    "TierSchedule",
    "assign",
    "check_band_edges",
    "check_monotone",
    "fee_rights",
    "fees",
    "tier_accounts",
    "tier_vs_contribution",
    "tiers",
    "waterfall",
]

# --- risk simulation (sharing_models.risk subpackage).
from . import risk  # noqa: E402

__all__ += ["risk"]
