"""Rights bought with fees: income and votes pro rata to fees paid, and the two checks a
fee schedule must pass to be incentive-compatible.

* **Monotonicity**: paying more never gives less. Along a grid of the member metric the
  fee must not fall as the metric rises, and a member paying a strictly higher fee must
  never receive rights worth less than one paying a lower fee:

  .. math::

      f(x) < f(y) \\implies V(x) \\le V(y).

* **Band edges**: no member is better off reporting a slightly lower metric. At a band
  edge :math:`e` the net benefit (value of rights minus fee) jumps by

  .. math::

      J(e) = \\bigl(V_{k-1} - f_{k-1}(e)\\bigr) - \\bigl(V_k - f_k(e)\\bigr),

  and :math:`J(e) > 0` means a member just above the edge gains by under-reporting; the
  notch extends as far above the edge as the gain lasts [Slemrod2013]_.

Rights are valued in money by a :class:`RightsValue` (value of a vote, of a board seat,
of access to results, loss per month of delayed access, value of licence terms, and the
income the tier's share brings). Both checks return a findings DataFrame, empty when the
schedule passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from .fees import FeeRule, PiecewiseLinear, exact_number
from .tiers import Tier, TierSchedule, assign
from .waterfall import apportion

__all__ = [
    "RightsValue",
    "check_band_edges",
    "check_monotone",
    "income_pro_rata",
    "votes_pro_rata",
]


def income_pro_rata(fees: pd.Series, income: Any, unit: Any = None) -> pd.Series:
    """Income split in proportion to fees paid: :math:`y_i = I f_i / \\sum_j f_j`.

    Exact Fractions, or whole ``unit``\\ s by largest remainders when ``unit`` is given.

    >>> income_pro_rata(pd.Series({"a": 3, "b": 1}), 1000).tolist()
    [Fraction(750, 1), Fraction(250, 1)]
    >>> income_pro_rata(pd.Series({"a": 1, "b": 1, "c": 1}), 100, unit=1).tolist()
    [Fraction(34, 1), Fraction(33, 1), Fraction(33, 1)]
    """
    f = _fees(fees)
    total = exact_number(income, "income")
    if total < 0:
        raise InvalidInputError(f"income must be >= 0; got {income}")
    if unit is None:
        vals = [total * x / sum(f) for x in f]
    else:
        u = exact_number(unit, "unit")
        whole = total / u
        if whole.denominator != 1:
            raise InvalidInputError(f"income {income} is not a whole number of units {u}")
        vals = [Fraction(p) * u for p in apportion(int(whole), f)]
    return pd.Series(vals, index=fees.index, name="income", dtype=object)


def votes_pro_rata(fees: pd.Series, votes: int) -> pd.Series:
    """``votes`` whole votes split in proportion to fees paid (largest remainders).

    >>> votes_pro_rata(pd.Series({"a": 100_000, "b": 60_000, "c": 20_000}), 9).tolist()
    [5, 3, 1]
    """
    if isinstance(votes, bool) or not isinstance(votes, int | np.integer) or votes < 0:
        raise InvalidInputError(f"votes must be a non-negative integer; got {votes!r}")
    return pd.Series(apportion(int(votes), _fees(fees)), index=fees.index, name="votes")


def _fees(fees: Any) -> list[Fraction]:
    if not isinstance(fees, pd.Series) or fees.empty:
        raise InvalidInputError("fees must be a non-empty Series indexed by member id")
    f = [exact_number(x, f"fee of {k!r}") for k, x in fees.items()]
    if any(x < 0 for x in f) or sum(f) == 0:
        raise InvalidInputError(f"fees must be >= 0 with a positive total; got {fees.to_dict()}")
    return f


@dataclass(frozen=True)
class RightsValue:
    """Money value of a member's rights in a tier.

    .. math::

        V = v_{\\text{vote}} \\cdot \\text{votes} + v_{\\text{seat}} \\cdot \\text{seats}
            + v_{\\text{access}} - \\delta \\cdot \\text{delay} + v_{\\text{licence}}
            + I \\cdot s_{\\text{tier}} / m_{\\text{tier}}

    A member's seats are its own plus ``1/seats_per`` of an elected director and
    ``tier_seats / m`` of the tier's jointly elected ones; ``tier_size`` gives ``m``
    (default 1).

    >>> from sharing_models.membership.tiers import Rights
    >>> RightsValue(vote=10, seat=1000)(Tier("gold", rights=Rights(votes=2, seats_per=3)))
    Fraction(1060, 3)
    """

    vote: Any = 0
    seat: Any = 0
    access: Mapping[str, Any] = field(default_factory=dict)
    delay_per_month: Any = 0
    licence: Mapping[str, Any] = field(default_factory=dict)
    income: Any = 0
    tier_size: Mapping[str, int] = field(default_factory=dict)

    def __call__(self, tier: Tier) -> Fraction:
        """Value of one member's rights in ``tier``."""
        r = tier.rights
        m = int(self.tier_size.get(tier.name, 1))
        if m < 1:
            raise InvalidInputError(f"tier_size of {tier.name!r} must be >= 1")
        seats = Fraction(r.seats) + (Fraction(1, r.seats_per) if r.seats_per else 0)
        seats += Fraction(r.tier_seats, m)
        value = _x(self.vote) * r.votes + _x(self.seat) * seats
        value += _x(self.access.get(r.access, 0)) - _x(self.delay_per_month) * r.access_delay_months
        value += _x(self.licence.get(r.licence, 0))
        if r.income_share is not None:
            value += _x(self.income) * r.income_share / m
        return value


def _x(v: Any) -> Fraction:
    return exact_number(v, "rights value parameter")


def _grid(grid: Any) -> list[Fraction]:
    raw = np.atleast_1d(np.asarray(grid, dtype=object))
    g = sorted({exact_number(x, "grid point") for x in raw})
    if not g or g[0] < 0:
        raise InvalidInputError("the grid must hold at least one metric value >= 0")
    return g


def _points(obj: FeeRule | TierSchedule, grid: list[Fraction],
            value: RightsValue) -> pd.DataFrame:
    """Tier, fee, value and net benefit at each grid point."""
    if isinstance(obj, FeeRule):
        metric = obj.metrics()[0] if obj.metrics() else "revenue"
        fee = list(obj.evaluate({metric: np.array(grid, dtype=object)}))
        return pd.DataFrame({"metric": grid, "tier": "", "fee": fee, "value": Fraction(0)})
    if obj.metric is None:
        raise InvalidInputError("the schedule has no metric bands to check")
    tiers = assign(obj, pd.Series(grid, index=range(len(grid)), dtype=object))
    fee = [obj.tier(t).fee.evaluate({obj.metric: np.array([x], dtype=object)})[0]
           for x, t in zip(grid, tiers, strict=True)]
    vals = {t.name: value(t) for t in obj.tiers}
    return pd.DataFrame({"metric": grid, "tier": list(tiers), "fee": fee,
                         "value": [vals[t] for t in tiers]})


def check_monotone(rule_or_schedule: FeeRule | TierSchedule, grid: Any,
                   value: RightsValue | None = None) -> pd.DataFrame:
    """Where paying more gives less, or the fee falls as the metric rises.

    Parameters
    ----------
    rule_or_schedule : FeeRule or TierSchedule
    grid : array-like
        Metric values to test; band edges (and the points just below them) are added.
    value : RightsValue, optional
        Money value of rights (default: counts votes and seats at 1 each).

    Returns
    -------
    pandas.DataFrame
        One row per violation: ``problem``, ``metric_low``, ``metric_high``, tiers, fees
        and values. Empty when the rule passes.

    Examples
    --------
    A band rule whose second band starts below where the first ends:

    >>> bad = PiecewiseLinear([(0, 0.01, 0), (10**6, 0, 5_000)])
    >>> check_monotone(bad, [0, 5 * 10**5, 2 * 10**6])["problem"].tolist()
    ['fee falls as the metric rises']
    >>> check_monotone(PiecewiseLinear([(0, 0.01, 0), (10**6, 0, 10**4)]), [10**7]).empty
    True

    Notes
    -----
    :math:`O(g \\log g)` for ``g`` grid points (one sort by fee and a running maximum).
    """
    value = value or RightsValue(vote=1, seat=1)
    pts = _points(rule_or_schedule, _with_edges(rule_or_schedule, _grid(grid)), value)
    rows = []
    lo: Any
    hi: Any
    for lo, hi in zip(pts.itertuples(), pts.iloc[1:].itertuples(), strict=False):
        if hi.fee < lo.fee:
            rows.append(_finding("fee falls as the metric rises", lo, hi))
    best = None  # the most valuable point among those paying strictly less
    for _, group in pts.groupby(pts["fee"].map(Fraction), sort=True):
        for p in group.itertuples():
            if best is not None and best.value > p.value:
                rows.append(_finding("paying more gives less", best, p))
        top = group.loc[group["value"].map(Fraction).idxmax()]  # type: ignore[call-overload]
        if best is None or top.value > best.value:
            best = top
    cols = ["problem", "metric_low", "metric_high", "tier_low", "tier_high", "fee_low",
            "fee_high", "value_low", "value_high"]
    out = pd.DataFrame(rows, columns=cols)
    if isinstance(rule_or_schedule, TierSchedule):  # one row per pair of tiers
        out = out.drop_duplicates(["problem", "tier_low", "tier_high"])
    return out.reset_index(drop=True)


def _finding(problem: str, lo: Any, hi: Any) -> dict[str, Any]:
    return {"problem": problem, "metric_low": lo.metric, "metric_high": hi.metric,
            "tier_low": lo.tier, "tier_high": hi.tier, "fee_low": lo.fee, "fee_high": hi.fee,
            "value_low": lo.value, "value_high": hi.value}


def _edges(obj: FeeRule | TierSchedule) -> list[Fraction]:
    edges: set[Fraction] = set()
    rules = [obj] if isinstance(obj, FeeRule) else [t.fee for t in obj.tiers]
    if isinstance(obj, TierSchedule):
        edges.update(obj.edges)
    for r in rules:
        if isinstance(r, PiecewiseLinear):
            edges.update(a for a, _, _ in r.bands if a > 0)
    return sorted(edges)


def _with_edges(obj: FeeRule | TierSchedule, grid: list[Fraction]) -> list[Fraction]:
    eps = [min(Fraction(1), e / 10**6) for e in _edges(obj)]
    extra = [*_edges(obj), *(e - d for e, d in zip(_edges(obj), eps, strict=True))]
    return sorted(set(grid) | set(extra))


def _left_fee(rule: FeeRule, metric: str, e: Fraction) -> Fraction:
    """Limit of the fee as the metric rises to ``e`` from below."""
    if isinstance(rule, PiecewiseLinear) and e in rule._a and e > 0:
        a, b, c = rule.bands[rule._a.index(e) - 1]
        fee = (e - a) * b + c
        limit: Fraction = min(fee, rule.cap) if rule.cap is not None else fee
        return limit
    return Fraction(rule.evaluate({metric: np.array([e], dtype=object)})[0])


def check_band_edges(rule_or_schedule: FeeRule | TierSchedule, grid: Any = None,
                     value: RightsValue | None = None, eps: Any = 1) -> pd.DataFrame:
    """Band edges where a member gains by reporting a slightly lower metric.

    Parameters
    ----------
    rule_or_schedule : FeeRule or TierSchedule
        Edges are the schedule's band starts and the starts of piecewise fee bands.
    grid : array-like, optional
        Metric values above the edges, to measure how far up the notch reaches.
    value : RightsValue, optional
        Money value of rights (default: votes and seats at 1 each).
    eps : number
        The under-report tested: the metric ``edge - eps``.

    Returns
    -------
    pandas.DataFrame
        One row per bad edge: ``edge``, ``tier_below``, ``tier_above``, fees and values
        on both sides, the ``jump`` :math:`J(e) > 0` in net benefit, the ``gain`` from
        reporting ``edge - eps`` when the truth is ``edge``, and ``notch_up_to``, the
        largest grid value whose owner still gains by reporting ``edge - eps``.

    Examples
    --------
    SEMATECH's floor and cap are continuous; a flat fee that doubles at a band edge is
    not:

    >>> from sharing_models.membership.fees import sematech
    >>> check_band_edges(sematech()).empty
    True
    >>> cliff = PiecewiseLinear([(0, 0, 1_000), (10**6, 0, 2_000)])
    >>> check_band_edges(cliff, grid=[10**6, 1_500_000])[["edge", "jump", "notch_up_to"]]
          edge  jump notch_up_to
    0  1000000  1000     1500000

    Notes
    -----
    One evaluation per edge and grid point: :math:`O(E g)`.
    """
    value = value or RightsValue(vote=1, seat=1)
    eps = exact_number(eps, "eps")
    if eps <= 0:
        raise InvalidInputError(f"eps must be > 0; got {eps}")
    grid_pts = _grid(grid) if grid is not None else []
    rows = [row for e in _edges(rule_or_schedule)
            if (row := _edge_row(rule_or_schedule, e, eps, grid_pts, value)) is not None]
    cols = ["edge", "tier_below", "tier_above", "fee_below", "fee_above", "value_below",
            "value_above", "jump", "gain", "notch_up_to"]
    return pd.DataFrame(rows, columns=cols)


def _net_at(obj: FeeRule | TierSchedule, x: Fraction, value: RightsValue) -> tuple[Any, ...]:
    pts = _points(obj, [x], value)
    return pts["tier"].iloc[0], Fraction(pts["fee"].iloc[0]), pts["value"].iloc[0]


def _edge_row(obj: FeeRule | TierSchedule, e: Fraction, eps: Fraction, grid: list[Fraction],
              value: RightsValue) -> dict[str, Any] | None:
    low = max(e - eps, Fraction(0))
    t_lo, _, v_lo = _net_at(obj, low, value)
    t_hi, f_hi, v_hi = _net_at(obj, e, value)
    if isinstance(obj, FeeRule):
        rule, metric = obj, (obj.metrics() or ("revenue",))[0]
    else:
        rule, metric = obj.tier(t_lo).fee, obj.metric or "revenue"
    f_left = _left_fee(rule, metric, e)
    jump = (v_lo - f_left) - (v_hi - f_hi)
    if jump <= 0:
        return None
    misreport = v_lo - Fraction(rule.evaluate({metric: np.array([low], dtype=object)})[0])
    notch = e
    for x in (g for g in grid if g > e):
        _, f_x, v_x = _net_at(obj, x, value)
        if v_x - f_x < misreport:
            notch = x
    return {"edge": e, "tier_below": t_lo, "tier_above": t_hi, "fee_below": f_left,
            "fee_above": f_hi, "value_below": v_lo, "value_above": v_hi, "jump": jump,
            "gain": misreport - (v_hi - f_hi), "notch_up_to": notch}
