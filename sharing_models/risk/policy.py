"""Compare policy levers and find the least subsidy that gets a consortium to form.

Each lever is simulated on the *same* draws (common random numbers: levers consume no
randomness), so differences between rows are the levers' effects, not noise. A cost
subsidy at rate :math:`t` changes payoffs affinely,

.. math:: Y(t) = (1 - t)\\, Y(0) + t\\, Y(1),

so the least rate at which every member accepts (certainty equivalent at least its
outside option) is found by bisection on two simulations. This is the risk-averse
counterpart of the cost of stability [Bachrach2009]_.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from .levers import CostSubsidy, Lever
from .metrics import ce_influence, certainty_equivalent, member_metrics
from .simulate import Simulation, simulate

__all__ = ["compare_levers", "least_subsidy_rate"]


def _lever_list(value: Lever | Sequence[Lever]) -> list[Lever]:
    return [value] if isinstance(value, Lever) else list(value)


def compare_levers(
    project: Any,
    shares: Any,
    levers: Mapping[str, Lever | Sequence[Lever]],
    cost_shares: Any = None,
    *,
    draws: int = 10_000,
    seed: Any = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Effect of each lever (and of none) on formation, payoffs, risk and public cost.

    Parameters
    ----------
    project, shares, cost_shares :
        As for :func:`~sharing_models.risk.simulate`.
    levers : mapping
        Name -> lever (or list of levers applied together). A ``"none"`` baseline row
        is added first.
    draws, seed :
        Monte Carlo size and seed (the same draws for every lever).
    level : float
        Level of the worst member's CVaR.

    Returns
    -------
    DataFrame
        Indexed by (``lever``, ``rule``): ``members`` (count), ``members_accepting``,
        ``refusing``, ``expected_outcome``, ``expected_outcome_se``, ``total_ce``,
        ``total_ce_se``, ``max_prob_loss``, ``worst_cvar``, ``government_cost``
        (expected), ``government_cost_se``, ``least_transfer``. ``_se``: Monte Carlo
        standard error of the column before it (the CE's by the delta method).

    Examples
    --------
    >>> from sharing_models.risk import (CostSubsidy, Fixed, Product, Project,
    ...                                  RiskMember, Stage)
    >>> p = Project((Stage("s", 0.5, 10.0),), (Product("x", Fixed(30.0)),),
    ...             (RiskMember("a", 5.0), RiskMember("b", 50.0)))
    >>> t = compare_levers(p, pd.Series({"a": .5, "b": .5}, name="eq"),
    ...                    {"half": CostSubsidy(0.5)}, draws=2000, seed=0)
    >>> t["members_accepting"].tolist(), t["government_cost"].round(1).tolist()
    ([1, 2], [0.0, 5.0])

    Notes
    -----
    One simulation per lever: :math:`O(L\\,D\\,M R)`.
    """
    if not isinstance(levers, Mapping):
        raise InvalidInputError("levers must be a mapping of name -> lever(s)")
    rows = []
    for name, lever in {"none": [], **levers}.items():
        sim = simulate(project, shares, cost_shares, draws=draws, seed=seed,
                       levers=_lever_list(lever))
        assert sim is not None  # no out= path: the arrays are returned
        rows.append(lever_rows(name, sim, level))
    return pd.concat(rows)


def lever_rows(name: str, sim: Simulation, level: float) -> pd.DataFrame:
    """One row per rule of :func:`compare_levers` for one simulation (array code)."""
    members = np.asarray(sim.members)
    tol = 1e-9 * max(1.0, float(np.abs(sim.outcome).max()))
    root = np.sqrt(sim.draws)
    rows = []
    for r, rule in enumerate(sim.rules):
        y = sim.payoff[:, :, r]
        m = member_metrics(y, sim.risk_tolerance, (level,), tol)
        ce = m["certainty_equivalent"]
        accepts = ce >= sim.outside_option - 1e-9 * max(1.0, float(np.abs(ce).max()))
        total_infl = ce_influence(y, sim.risk_tolerance).sum(axis=1)
        rows.append({
            "lever": name, "rule": rule,
            "members": len(members),
            "members_accepting": int(accepts.sum()),
            "refusing": ", ".join(members[~accepts]),
            "expected_outcome": float(sim.outcome.mean()),
            "expected_outcome_se": _mean_se(sim.outcome, root),
            "total_ce": float(ce.sum()),
            "total_ce_se": _mean_se(total_infl, root),
            "max_prob_loss": float(m["prob_loss"].max()),
            "worst_cvar": float(m[f"CVaR_{level:g}"].max()),
            "government_cost": float(sim.government.mean()),
            "government_cost_se": _mean_se(sim.government, root),
            "least_transfer": float(np.clip(sim.outside_option - ce, 0.0, None)[~accepts].sum()),
        })
    return pd.DataFrame(rows).set_index(["lever", "rule"])


def _mean_se(x: np.ndarray, root: float) -> float:
    """Monte Carlo standard error of the mean of ``x`` (``root`` = sqrt of draws)."""
    return float(x.std(ddof=1) / root) if len(x) > 1 else float("nan")


def least_subsidy_rate(
    project: Any,
    shares: Any,
    cost_shares: Any = None,
    *,
    levers: Sequence[Lever] = (),
    draws: int = 10_000,
    seed: Any = 0,
    tol: float = 1e-6,
) -> pd.DataFrame:
    """Least cost-subsidy rate at which every member accepts each rule (in CE).

    Returns a frame indexed by rule with ``rate`` (NaN when even a full subsidy is not
    enough) and ``government_cost`` (expected public money at that rate).

    >>> from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage
    >>> p = Project((Stage("s", 0.5, 10.0),), (Product("x", Fixed(30.0)),),
    ...             (RiskMember("a", 5.0), RiskMember("b", 50.0)))
    >>> least_subsidy_rate(p, pd.Series({"a": .5, "b": .5}, name="eq"),
    ...                    draws=2000, seed=0)["rate"].round(3).tolist()
    [0.338]
    """
    base = list(levers)
    if any(isinstance(lv, CostSubsidy) for lv in base):
        raise InvalidInputError("least_subsidy_rate adds the cost subsidy itself; "
                                "do not pass a CostSubsidy in levers")
    s0 = simulate(project, shares, cost_shares, draws=draws, seed=seed, levers=base)
    s1 = simulate(project, shares, cost_shares, draws=draws, seed=seed,
                  levers=[*base, CostSubsidy(1.0)])
    assert s0 is not None and s1 is not None  # no out= path: the arrays are returned
    rows = []
    for r, rule in enumerate(s0.rules):
        y0, y1 = s0.payoff[:, :, r], s1.payoff[:, :, r]
        rate = _bisect(lambda t, y0=y0, y1=y1: _all_accept((1 - t) * y0 + t * y1, s0), tol)
        gov0, gov1 = s0.government.mean(), s1.government.mean()
        cost = np.nan if np.isnan(rate) else float((1 - rate) * gov0 + rate * gov1)
        rows.append({"rule": rule, "rate": rate, "government_cost": cost})
    return pd.DataFrame(rows).set_index("rule")


def _all_accept(y: np.ndarray, sim: Simulation) -> bool:
    ce = certainty_equivalent(y, sim.risk_tolerance)
    return bool(np.all(ce >= sim.outside_option - 1e-9 * max(1.0, float(np.abs(ce).max()))))


def _bisect(ok: Any, tol: float) -> float:
    if ok(0.0):
        return 0.0
    if not ok(1.0):
        return float("nan")
    lo, hi = 0.0, 1.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi
