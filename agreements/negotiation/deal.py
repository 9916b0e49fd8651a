"""The deal every view accepts: payoffs under own views, the best fixed split, contingent
contracts and the zone of agreement.

Member :math:`j` holds view :math:`V_j` (the agreement with its own figures). Under it
the plan's outcome :math:`X` has state masses :math:`m_j(s) = E_j[X 1\\{S=s\\}]`
(:func:`agreements.negotiation.states.state_table`) and :math:`E_j[X] = \\sum_s m_j(s)`;
its outside option is :math:`o_j`. A contract pays member :math:`j` the share
:math:`w_{js}` of the outcome in state :math:`s` (budget balance:
:math:`\\sum_j w_{js} = 1` in every state; limited liability: :math:`w_{js} \\ge 0`, so no
member gains from a loss or bears more than its share of it, and, where a member has a
cap :math:`c_j`, :math:`w_{js} L_s \\le c_j` with :math:`L_s` the state's expected loss
under the agreement's own figures), so by its own beliefs it expects
:math:`u_j(w) = \\sum_s w_{js} m_j(s)`. The *best contract* maximises
the smallest surplus,

.. math::

    \\max_{w, t} \\; t \\quad \\text{s.t.} \\quad \\sum_s w_{js} m_j(s) - o_j \\ge t
    \\;\\; \\forall j, \\qquad \\sum_j w_{js} = 1 \\;\\; \\forall s, \\qquad w \\ge 0,

a linear programme (HiGHS), solved leximin: once the smallest surplus is as large as it
can be, the next smallest is raised, and so on (the surpluses as even as the beliefs allow). A
*fixed split* is the special case :math:`w_{js} = w_j`
for every state, so the contingent optimum is never worse for the worst-off member;
the difference is what betting on the future is worth when beliefs differ
[BazermanGillespie1999]_ [Raiffa1982]_.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from sharing_models import InvalidInputError
from sharing_models.risk import simulate

from ..errors import AgreementError
from ..scenario.model import Agreement
from ..sharing import agreed_rule, allocate
from ..valuation.game import grand_plan
from ..valuation.project import project_from_agreement
from .states import StateTable, state_table
from .views import with_view

__all__ = ["ContingentContract", "FixedSplit", "Negotiation", "Zone", "negotiate",
           "simulated_payoffs", "state_label"]

View = Mapping[str, Any] | str | Path


@dataclass(frozen=True)
class FixedSplit:
    """Shares of the outcome in every state (exact, summing to 1), each member's
    surplus under its own view, the smallest, and whether every member accepts."""

    shares: pd.Series
    surplus: pd.Series
    min_surplus: float
    acceptable: bool


@dataclass(frozen=True)
class ContingentContract:
    """Shares by state (rows: states, labelled by the products launched; columns:
    members; exact, each row summing to 1), surpluses, the smallest, its gain over the
    best fixed split, and whether every member accepts."""

    events: tuple[str, ...]
    shares: pd.DataFrame
    surplus: pd.Series
    min_surplus: float
    gain_over_fixed: float
    acceptable: bool


@dataclass(frozen=True)
class Zone:
    """Two-sided zone of agreement: the share ``x`` of the outcome member ``a`` may
    take from the pool it shares with ``b`` (the others keep their best fixed shares):
    ``a`` accepts ``x >= low``, ``b`` accepts ``x <= high``. ``gap`` is ``low - high``
    when there is no zone (the belief gap to close), else 0. When a member expects the
    outcome to be a loss no share makes it accept: it is named in ``expects_loss`` and
    ``low``, ``high`` and ``gap`` are ``None``."""

    members: tuple[str, str]
    pool: float
    low: float | None
    high: float | None
    exists: bool
    gap: float | None
    expects_loss: tuple[str, ...] = ()


@dataclass(frozen=True)
class Negotiation:
    """Everything :func:`negotiate` finds."""

    views: pd.DataFrame  # (member, rule) -> payoff, outside_option, surplus
    beliefs: pd.DataFrame  # member x event: P(launch) under the member's own view
    fixed: FixedSplit
    contingent: ContingentContract
    zone: Zone | None = None
    tables: dict[str, StateTable] = field(default_factory=dict, repr=False)

    @property
    def acceptable(self) -> bool:
        """A deal every member accepts exists (the contingent contract's surplus >= 0)."""
        return self.contingent.acceptable


def state_label(events: Sequence[str], state: Sequence[int]) -> str:
    """``"p_a+p_b"`` (the products launched), or ``"none"``.

    >>> state_label(["p_a", "p_b"], (1, 0)), state_label(["p_a"], (0,))
    ('p_a', 'none')
    """
    launched = [e for e, on in zip(events, state, strict=True) if on]
    return "+".join(launched) or "none"


def _exact_rows(w: np.ndarray) -> list[list[Fraction]]:
    """LP shares as exact fractions, each row >= 0 and summing to exactly 1."""
    rows = []
    for row in np.clip(w, 0.0, None):
        total = row.sum()
        row = row / total if total > 0 else np.full(len(row), 1 / len(row))
        for bound in (10**2, 10**4, 10**6, 10**9):  # the simplest fractions within 1e-8
            q = [Fraction(float(x)).limit_denominator(bound) for x in row]
            if max(abs(float(a) - b) for a, b in zip(q, row, strict=True)) <= 1e-8:
                break
        q[int(np.argmax(row))] += 1 - sum(q)  # the largest absorbs the rounding
        rows.append(q)
    return rows


def _lp(masses: np.ndarray, outside: np.ndarray, floor: np.ndarray,
        free: np.ndarray, target: int | None = None,
        upper: np.ndarray | None = None) -> tuple[np.ndarray, float] | None:
    """One LP over shares ``w`` (members x states, rows of each state summing to 1,
    ``w >= 0``): maximise ``t`` with every ``free`` member's surplus ``>= t`` (or, with
    ``target``, that member's surplus with the free ones ``>= floor``), every other member's
    surplus ``>= floor``. Figures are in units of the largest mass."""
    n, k = masses.shape
    nv = n * k + 1  # w[j, s] row-major, then t
    c = np.zeros(nv)
    rows, rhs = [], []
    for j in range(n):
        row = np.zeros(nv)
        row[j * k:(j + 1) * k] = -masses[j]
        if (target is None and free[j]) or (target is not None and j == target):
            row[-1] = 1.0
            rhs.append(-outside[j])
        else:
            rhs.append(-outside[j] - floor[j])
        rows.append(row)
    c[-1] = -1.0
    a_eq = np.zeros((k, nv))
    for s in range(k):
        a_eq[s, [j * k + s for j in range(n)]] = 1.0
    ub = upper.ravel() if upper is not None else np.full(n * k, np.inf)
    bounds = [(0.0, None if not np.isfinite(u) else float(u)) for u in ub]
    res = linprog(c, A_ub=np.array(rows), b_ub=np.array(rhs), A_eq=a_eq, b_eq=np.ones(k),
                  bounds=[*bounds, (None, None)], method="highs")
    if res.status != 0:
        return None
    return res.x[:-1].reshape(n, k), float(res.x[-1])


def _solve(masses: np.ndarray, outside: np.ndarray,
           upper: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Leximin shares: the smallest surplus as large as possible, then the next smallest,
    and so on (each round fixes the members that cannot get more). ``masses[j, s]`` is
    member j's :math:`m_j(s)`; returns ``w`` (members x states) and the smallest
    surplus."""
    scale = max(1.0, float(np.abs(masses).max()), float(np.abs(outside).max()))
    m, o = masses / scale, outside / scale
    n = m.shape[0]
    floor = np.full(n, -np.inf)
    free = np.ones(n, dtype=bool)
    first, w = None, None
    tol = 1e-9
    while free.any():
        found = _lp(m, o, floor, free, upper=upper)
        if found is None:
            raise AgreementError("no contract meets the liability caps: in some state the "
                                 "members' caps together do not cover the consortium's loss "
                                 "(raise the caps, e.g. consortium negotiate --cap M=AMOUNT)")
        w, t = found
        first = t if first is None else first
        saturated = []
        for j in np.flatnonzero(free):
            best = _lp(m, o, np.where(free, t - tol, floor), np.zeros(n, dtype=bool),
                       target=int(j), upper=upper)
            if best is None or best[1] <= t + tol:
                saturated.append(j)
        if not saturated:  # numerically every member can gain: stop at this round
            break
        floor[saturated] = t - tol
        free[saturated] = False
    assert w is not None and first is not None
    return w, first * scale


def negotiate(agreement: Agreement, views: Mapping[str, View] | None = None, *,
              rules: Sequence[str] | None = None,
              zone: tuple[str, str] | None = None,
              caps: Mapping[str, float] | None = None,
              max_events: int = 3) -> Negotiation:
    """Payoffs under own views, the best fixed split and the best contingent contract.

    Parameters
    ----------
    agreement : Agreement
        The agreement as written: its plan is what the consortium carries out, and
        each rule's shares are those the one sharing path computes from it (what the
        contract would state).
    views : mapping member id -> overlay (mapping or file), optional
        Members without a view hold the agreement's own figures.
    rules : list of str, optional
        Rules whose payoffs are shown (default: the agreed rule, ``shapley``,
        ``proportional``, ``equal``); a rule without shares (v(N) = 0) is skipped.
    zone : (member, member), optional
        Two members whose zone of agreement to compute.
    caps : mapping member id -> amount, optional
        Limited liability beyond the floors: the most a member bears of the consortium's
        loss in any state (its share times the state's expected loss under the
        agreement's own figures). Members not named have no cap beyond the floor
        ``w >= 0`` (no member gains from a loss; none bears more than its share of it).
    max_events : int, default 3
        The contract depends on at most this many events (a product launching or not),
        so at most ``2 ** max_events`` states and a clause that stays writable: the
        products whose launch the members' views disagree on most (then file order).

    Returns
    -------
    Negotiation

    Raises
    ------
    AgreementError
        A view for an unknown member, an invalid overlay (:class:`ScenarioError`), or a
        rule the agreement cannot compute.

    Notes
    -----
    Cost: two exact state tables per view (:math:`O(2^u)` each), then the leximin
    rounds of the fixed split and of the contingent contract: at most :math:`n` rounds
    of up to :math:`n + 1` LPs with :math:`n + 1` and :math:`n \\cdot 2^E + 1`
    variables (:math:`E \\le` ``max_events``).

    Examples
    --------
    The lead thinks the smart-lab product fails 4 times in 5, the hospital that it
    nearly surely succeeds:

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> views = {"fosun_dx": {"products": [{"id": "p_smart_lab", "success_probability": 0.2}]},
    ...          "wusong_hospital": {"products": [{"id": "p_smart_lab",
    ...                                            "success_probability": 0.95}]}}
    >>> deal = negotiate(a, views)
    >>> deal.contingent.min_surplus > deal.fixed.min_surplus
    True
    >>> all(sum(row) == 1 for row in deal.contingent.shares.itertuples(index=False))
    True
    """
    views = dict(views or {})
    ids = agreement.member_ids
    unknown = [m for m in views if m not in ids]
    if unknown:
        raise AgreementError(f"views for unknown member(s) {unknown}; members are {ids}")
    if max_events < 0:
        raise InvalidInputError(f"max_events must be >= 0; got {max_events}")
    plan = grand_plan(agreement)
    own = {m: with_view(agreement, views[m]) if m in views else agreement for m in ids}
    shared = state_table(agreement, plan, events=())
    probe = {m: state_table(own[m], plan, events=()) if m in views else shared for m in ids}
    launch = pd.DataFrame([probe[m].launch for m in ids], index=pd.Index(ids, name="member"))
    chosen = _events(launch, max_events)
    base = state_table(agreement, plan, events=chosen)
    tables = {m: state_table(own[m], plan, events=chosen) if m in views else base
              for m in ids}
    events, states = base.events, base.states
    masses = np.array([tables[m].mass for m in ids])  # members x states
    outside = np.array([own[m].member(m).outside_option for m in ids], dtype=float)
    expected = masses.sum(axis=1)
    table = _rule_payoffs(agreement, ids, rules, expected, outside)
    beliefs = launch
    cap = _caps(agreement, caps)
    loss = np.maximum(0.0, -base.conditional())  # each state's expected loss, as written
    with np.errstate(invalid="ignore"):
        upper = np.divide(cap[:, None], loss[None, :],
                          out=np.full((len(ids), len(states)), np.inf),
                          where=loss[None, :] > 0)
    fixed = _fixed(ids, expected, outside, upper.min(axis=1, keepdims=True))
    contingent = _contingent(ids, events, states, masses, outside, fixed, upper)
    zone_result = _zone(zone, ids, fixed, expected, outside) if zone else None
    return Negotiation(table, beliefs, fixed, contingent, zone_result, tables)


def _events(launch: pd.DataFrame, max_events: int) -> tuple[str, ...]:
    """The products the contract is contingent on: those whose launch probability the
    views disagree on most (ties: file order), at most ``max_events``."""
    if launch.shape[1] <= max_events:
        return tuple(launch.columns)
    spread = (launch.max() - launch.min()).to_numpy()
    order = sorted(range(len(spread)), key=lambda k: (-round(float(spread[k]), 12), k))
    keep = sorted(order[:max_events])
    return tuple(launch.columns[k] for k in keep)


def _rule_payoffs(agreement: Agreement, ids: list[str], rules: Sequence[str] | None,
                  expected: np.ndarray, outside: np.ndarray) -> pd.DataFrame:
    chosen = list(rules) if rules else list(dict.fromkeys(
        [r for r in (agreed_rule(agreement), "shapley", "proportional", "equal") if r]))
    rows = []
    for rule in chosen:
        share = allocate(agreement, rule)["share"]
        if share.isna().any():
            continue  # v(N) = 0: the rule gives no shares
        for j, m in enumerate(ids):
            pay = float(share[m]) * expected[j]
            rows.append((m, rule, pay, outside[j], pay - outside[j]))
    df = pd.DataFrame(rows, columns=["member", "rule", "payoff", "outside_option", "surplus"])
    return df.set_index(["member", "rule"])


def _caps(agreement: Agreement, caps: Mapping[str, float] | None) -> np.ndarray:
    """Each member's liability cap (``inf``: none beyond the floor)."""
    ids = agreement.member_ids
    unknown = [m for m in caps or {} if m not in ids]
    if unknown:
        raise AgreementError(f"caps for unknown member(s) {unknown}; members are {ids}")
    given = [float(v) for v in (caps or {}).values()]
    if any(not (math.isfinite(v) and v >= 0) for v in given):
        raise InvalidInputError("liability caps must be finite amounts >= 0")
    return np.array([float((caps or {}).get(m, math.inf)) for m in ids])


def _fixed(ids: list[str], expected: np.ndarray, outside: np.ndarray,
           upper: np.ndarray) -> FixedSplit:
    w, _ = _solve(expected[:, None], outside, upper)
    shares = _exact_rows(w.T)[0]
    shares_s = pd.Series(shares, index=pd.Index(ids, name="member"), dtype=object,
                         name="share")
    surplus = pd.Series([float(x) * e - o for x, e, o in zip(shares, expected, outside,
                                                              strict=True)],
                        index=shares_s.index, name="surplus")
    low = float(surplus.min())
    return FixedSplit(shares_s, surplus, low,
                      bool(low >= -1e-9 * max(1.0, float(np.abs(expected).max()))))


def _contingent(ids: list[str], events: tuple[str, ...], states: tuple[tuple[int, ...], ...],
                masses: np.ndarray, outside: np.ndarray, fixed: FixedSplit,
                upper: np.ndarray) -> ContingentContract:
    w, _ = _solve(masses, outside, upper)
    never = np.abs(masses).max(axis=0) == 0  # states no view thinks possible: fixed shares
    w[:, never] = np.array([float(x) for x in fixed.shares])[:, None]
    rows = _exact_rows(w.T)
    labels = [state_label(events, s) for s in states]
    shares = pd.DataFrame(rows, index=pd.Index(labels, name="state"),
                          columns=pd.Index(ids, name="member"), dtype=object)
    surplus = pd.Series([sum(float(rows[s][j]) * masses[j, s] for s in range(len(states)))
                         - outside[j] for j in range(len(ids))],
                        index=pd.Index(ids, name="member"), name="surplus")
    low = float(surplus.min())
    if low < fixed.min_surplus:  # rounding can only cost a hair: keep the fixed split
        shares = pd.DataFrame([list(fixed.shares)] * len(states), index=shares.index,
                              columns=shares.columns, dtype=object)
        surplus, low = fixed.surplus, fixed.min_surplus
    tol = 1e-9 * max(1.0, float(np.abs(masses).max()))
    return ContingentContract(events, shares, surplus, low, low - fixed.min_surplus,
                              bool(low >= -tol))


def _zone(members: tuple[str, str], ids: list[str], fixed: FixedSplit,
          expected: np.ndarray, outside: np.ndarray) -> Zone:
    a, b = members
    for m in members:
        if m not in ids:
            raise AgreementError(f"zone: unknown member {m!r}; members are {ids}")
    if a == b:
        raise InvalidInputError("zone needs two different members")
    ia, ib = ids.index(a), ids.index(b)
    pool = float(fixed.shares[a] + fixed.shares[b])
    losers = [m for m, i in ((a, ia), (b, ib)) if expected[i] <= 0]
    if losers:  # no share of an outcome it expects to be a loss makes it accept
        return Zone((a, b), pool, None, None, False, None, tuple(losers))
    low = max(0.0, float(outside[ia] / expected[ia]))
    high = min(pool, pool - float(outside[ib] / expected[ib]))
    exists = bool(low <= high)
    return Zone((a, b), pool, low, high, exists, 0.0 if exists else low - high)


def simulated_payoffs(agreement: Agreement, views: Mapping[str, View] | None, rules:
                      Sequence[str], draws: int, seed: int | None = None) -> pd.DataFrame:
    """Each member's mean simulated payoff (and its standard error) under each rule, by its
    own view: the Monte Carlo counterpart of :attr:`Negotiation.views`, from the same
    project and the same shares (risk-neutral, no defaults).

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> sim = simulated_payoffs(a, {}, ["fixed"], draws=20_000, seed=1)
    >>> list(sim.columns)
    ['simulated', 'simulated_se']
    """
    views = dict(views or {})
    plan = grand_plan(agreement)
    shares = pd.DataFrame({r: allocate(agreement, r)["share"].map(float) for r in rules})
    rows = []
    for m in agreement.member_ids:
        own = with_view(agreement, views[m]) if m in views else agreement
        project = project_from_agreement(own, plan=plan, default_probability=0.0)
        sim = simulate(project, shares, shares, draws=draws, seed=seed, progress=False)
        i = sim.members.index(m)
        for r in rules:
            pay = sim.payoff[:, i, sim.rules.index(r)]
            rows.append((m, r, float(pay.mean()), float(pay.std(ddof=1) / np.sqrt(draws))))
    df = pd.DataFrame(rows, columns=["member", "rule", "simulated", "simulated_se"])
    return df.set_index(["member", "rule"])
