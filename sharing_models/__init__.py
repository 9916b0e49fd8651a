"""How value is divided: TU games, solution concepts, claims rules, voting power,
tiers and fees, and risk-sharing simulation.

``sharing_models`` never imports ``agreements``.

Submodules keep their names where a function shares it: ``sharing_models.waterfall``
is the module (the function is ``sharing_models.waterfall.waterfall``), and likewise
``sharing_models.sweep`` (``sharing_models.sweep.sweep`` runs a parameter sweep on
Dask); ``claims``, ``cost``, ``power``, ``fees``, ``tiers``, ``fee_rights``,
``tier_vs_contribution`` and the ``risk`` subpackage are reached as
``sharing_models.<name>``.
"""

from . import (
    claims,
    cost,
    fee_rights,
    fees,
    power,
    risk,
    sweep,
    tier_vs_contribution,
    tiers,
    waterfall,
)

# Solution concepts: Shapley family.
from .banzhaf import banzhaf

# Core family.
from .core import LeastCore, core_is_empty, cost_of_stability, in_core, least_core
from .exceptions import (
    ConsortiumError,
    EmptyCoreWarning,
    GameError,
    InvalidInputError,
    SuspiciousResultWarning,
    TooLargeError,
)

# Tiers, fees, fee-based rights, waterfall.
from .fee_rights import RightsValue, check_band_edges, check_monotone
from .game import Game
from .kohlberg import KohlbergCertificate, kohlberg_certify
from .myerson import graph_restricted, myerson
from .nucleolus import nucleolus, prenucleolus
from .owen import owen
from .sampling import shapley_sample
from .shapley import EXACT_MAX_PLAYERS, shapley
from .tiers import Rights, Tier, TierSchedule, assign, tier_accounts
from .waterfall import InventorReward
from .weighted_shapley import harsanyi_dividends, weighted_shapley

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
    "shapley_sample",
    "sweep",
    "tier_accounts",
    "tier_vs_contribution",
    "tiers",
    "waterfall",
    "weighted_shapley",
]
