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
