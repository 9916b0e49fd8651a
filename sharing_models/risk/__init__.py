"""Risk-sharing simulation, formation analysis, policy levers and sweeps.

Build a :class:`Project` (stages, products, members), :func:`simulate` it under
candidate sharing rules, summarise each member's risk with :func:`risk_summary`, compare
with the Borch-optimal rule (:func:`borch_rule`), test formation
(:func:`individual_rationality`, :func:`dispute_summary`, :func:`blocking_coalitions`,
:func:`nash_bargaining`), try policy levers (:func:`compare_levers`,
:func:`least_subsidy_rate`) and run parameter sweeps on Dask
(:mod:`sharing_models.sweep`; the risk points of :mod:`sharing_models.risk.sweep` are
imported on demand).
"""

from .borch import BorchRule, borch_rule, borch_shares, distance_from_borch
from .distributions import Distribution, Empirical, Fixed, LogNormal, Normal, Triangular
from .formation import (
    blocking_coalitions,
    cost_of_stability,
    dispute_summary,
    excesses,
    in_core,
    individual_rationality,
    least_transfer_to_accept,
    nash_bargaining,
    nash_bargaining_game,
)
from .frames import as_rules
from .levers import (
    CostSubsidy,
    Draws,
    Lever,
    LeverEffect,
    MilestoneAward,
    ProcurementGuarantee,
    TechnologyInsurance,
)
from .metrics import certainty_equivalent, cvar, risk_summary, value_at_risk
from .model import DEFAULT_CLAUSES, Product, Project, RiskMember, Stage
from .policy import compare_levers, least_subsidy_rate
from .simulate import Simulation, simulate

__all__ = [
    "DEFAULT_CLAUSES",
    "BorchRule",
    "CostSubsidy",
    "Distribution",
    "Draws",
    "Empirical",
    "Fixed",
    "Lever",
    "LeverEffect",
    "LogNormal",
    "MilestoneAward",
    "Normal",
    "ProcurementGuarantee",
    "Product",
    "Project",
    "RiskMember",
    "Simulation",
    "Stage",
    "TechnologyInsurance",
    "Triangular",
    "as_rules",
    "blocking_coalitions",
    "borch_rule",
    "borch_shares",
    "certainty_equivalent",
    "compare_levers",
    "cost_of_stability",
    "cvar",
    "dispute_summary",
    "distance_from_borch",
    "excesses",
    "in_core",
    "individual_rationality",
    "least_subsidy_rate",
    "least_transfer_to_accept",
    "nash_bargaining",
    "nash_bargaining_game",
    "risk_summary",
    "simulate",
    "value_at_risk",
]
