"""Pareto-optimal risk sharing with exponential utilities (Borch 1962).

With utilities :math:`u_i(y) = -\\rho_i e^{-y/\\rho_i}` the Pareto-optimal ways to share a
random outcome :math:`X` are exactly the linear rules

.. math:: Y_i = \\frac{\\rho_i}{R} X + b_i, \\qquad R = \\sum_j \\rho_j, \\qquad \\sum_i b_i = 0,

[Borch1962]_ [Wilson1968]_. Member ``i``'s certainty equivalent is then
:math:`\\mathrm{CE}_i = \\frac{\\rho_i}{R}\\mathrm{CE}_R(X) + b_i`, where
:math:`\\mathrm{CE}_R(X) = -R\\log \\mathbb{E} e^{-X/R}` is the certainty equivalent of
the whole consortium acting as one agent of tolerance ``R``. Every member accepts
(:math:`\\mathrm{CE}_i \\ge d_i`, its stand-alone certainty equivalent) exactly when

.. math:: b_i \\ge L_i = d_i - \\frac{\\rho_i}{R}\\mathrm{CE}_R(X),

so side payments with :math:`\\sum b = 0` exist iff :math:`\\mathrm{CE}_R(X) \\ge \\sum d`,
and :math:`b_i` ranges over :math:`[L_i, -\\sum_{j \\ne i} L_j]`. Any other sharing of
``X`` gives a smaller total certainty equivalent; the gap measures how far a proposed
rule is from optimal. To simulate the Borch rule itself, pass its shares both as revenue
shares and as ``cost_shares`` (a linear rule on the *net* outcome) and the side payments
as ``transfers``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError, SuspiciousResultWarning
from .formation import nash_bargaining
from .metrics import certainty_equivalent
from .simulate import Simulation

__all__ = ["BorchRule", "borch_rule", "borch_shares", "distance_from_borch"]


def borch_shares(risk_tolerance: Any) -> pd.Series:
    """Shares of the outcome proportional to risk tolerance (risk-neutral members,
    ``inf``, take all the risk in equal parts).

    >>> borch_shares(pd.Series({"a": 1.0, "b": 3.0})).tolist()
    [0.25, 0.75]
    >>> borch_shares(pd.Series({"a": 1.0, "b": np.inf})).tolist()
    [0.0, 1.0]
    """
    rho = pd.Series(risk_tolerance, dtype=float)
    if rho.empty or not (rho > 0).all():
        raise InvalidInputError("risk tolerances must be positive (inf for risk-neutral)")
    inf = np.isinf(rho)
    share = inf / inf.sum() if inf.any() else rho / rho.sum()
    return share.astype(float).rename("borch_share")


@dataclass(frozen=True)
class BorchRule:
    """The Borch rule for one simulated outcome.

    ``shares`` (proportional to risk tolerance), ``side_payments`` (Nash bargaining
    over certainty equivalents, inside the acceptance range when it exists),
    ``acceptance`` (members x ``lower``/``upper`` bounds on side payments),
    ``syndicate_ce`` (:math:`\\mathrm{CE}_R(X)`) and ``feasible`` (every member can be
    made to accept).
    """

    shares: pd.Series
    side_payments: pd.Series
    acceptance: pd.DataFrame
    syndicate_ce: float
    feasible: bool

    def to_frame(self) -> pd.DataFrame:
        """Members x (share, side payment, bounds, certainty equivalent)."""
        ce = self.shares * self.syndicate_ce + self.side_payments
        return pd.concat([self.shares.rename("share"), self.side_payments.rename("side_payment"),
                          self.acceptance, ce.rename("certainty_equivalent")], axis=1)


def borch_rule(sim: Simulation, weights: Any = None) -> BorchRule:
    """Borch-optimal linear rule for the consortium outcome of a simulation.

    Parameters
    ----------
    sim : Simulation
        Gives the per-draw consortium outcome ``X``, the members' risk tolerances and
        their stand-alone certainty equivalents (outside options).
    weights : Series, optional
        Bargaining weights for choosing the side payments (equal by default).

    Returns
    -------
    BorchRule

    Warns
    -----
    SuspiciousResultWarning
        When no side payments make every member accept (``CE_R(X) < sum d``); side
        payments are then those of the Nash split, which leaves someone below ``d``.

    Examples
    --------
    >>> from sharing_models.risk import Normal, Product, Project, RiskMember, Stage, simulate
    >>> p = Project((Stage("s", 1.0, 0.0),), (Product("x", Normal(10.0, 4.0)),),
    ...             (RiskMember("a", 10.0, 1.0), RiskMember("b", 30.0, 2.0)))
    >>> rule = borch_rule(simulate(p, pd.Series({"a": .5, "b": .5}, name="eq"),
    ...                            draws=20000, seed=0))
    >>> rule.shares.tolist(), rule.feasible
    ([0.25, 0.75], True)

    Notes
    -----
    :math:`O(D)` for ``D`` draws.
    """
    if not isinstance(sim, Simulation):
        raise InvalidInputError("borch_rule needs a Simulation from simulate()")
    names = list(sim.members)
    rho = pd.Series(sim.risk_tolerance, index=names)
    share = borch_shares(rho)
    total_rho = float(rho.sum())
    ce_r = float(certainty_equivalent(sim.outcome, total_rho))
    d = pd.Series(sim.outside_option, index=names)
    lower = d - share * ce_r
    upper = -(lower.sum() - lower)
    feasible = bool(lower.sum() <= 1e-9 * max(1.0, abs(ce_r)))
    if feasible:
        target = nash_bargaining(ce_r, d, weights)
    else:
        warnings.warn(f"no side payments make every member accept: the consortium's "
                      f"certainty equivalent {ce_r:.6g} is below the sum of outside options "
                      f"{float(d.sum()):.6g}", SuspiciousResultWarning, stacklevel=2)
        w = pd.Series(1.0, index=names) if weights is None else pd.Series(weights, dtype=float)
        target = d + w / w.sum() * (ce_r - float(d.sum()))
    side = (target - share * ce_r).rename("side_payment")
    acceptance = pd.DataFrame({"lower": lower, "upper": upper})
    return BorchRule(share, side, acceptance, ce_r, feasible)


def distance_from_borch(sim: Simulation) -> pd.DataFrame:
    """How far each simulated rule is from the Borch rule.

    Columns: ``share_distance`` (total variation :math:`\\tfrac12\\sum_i |\\beta_i - a_i|`
    between each member's effective share of risk, the regression slope
    :math:`\\beta_i = \\mathrm{Cov}(Y_i, X)/\\mathrm{Var}(X)`, and its Borch share
    :math:`a_i`) and ``ce_loss`` (:math:`\\mathrm{CE}_R(X) - \\sum_i \\mathrm{CE}_i`, the
    certainty equivalent the rule wastes; 0 for a Borch rule, > 0 otherwise).

    >>> from sharing_models.risk import Normal, Product, Project, RiskMember, Stage, simulate
    >>> p = Project((Stage("s", 1.0, 0.0),), (Product("x", Normal(10.0, 4.0)),),
    ...             (RiskMember("a", 10.0), RiskMember("b", 30.0)))
    >>> rules = pd.DataFrame({"borch": [.25, .75], "equal": [.5, .5]}, index=["a", "b"])
    >>> dist = distance_from_borch(simulate(p, rules, draws=20000, seed=0))
    >>> dist["share_distance"].round(6).tolist()
    [0.0, 0.25]
    """
    x = sim.outcome - sim.outcome.mean()
    var = float(x @ x)
    share = borch_shares(pd.Series(sim.risk_tolerance, index=list(sim.members))).to_numpy()
    ce_r = float(certainty_equivalent(sim.outcome, float(np.sum(sim.risk_tolerance))))
    rows = []
    for r, rule in enumerate(sim.rules):
        y = sim.payoff[:, :, r]
        beta = (x @ (y - y.mean(axis=0))) / var if var > 0 else np.full(len(share), np.nan)
        ce = certainty_equivalent(y, sim.risk_tolerance)
        rows.append({"rule": rule, "share_distance": 0.5 * float(np.abs(beta - share).sum()),
                     "ce_loss": ce_r - float(np.sum(ce))})
    return pd.DataFrame(rows).set_index("rule")
