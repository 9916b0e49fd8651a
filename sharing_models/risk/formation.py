"""Will the consortium form? Individual rationality, core stability, bargaining.

A member accepts a rule when what it expects from it beats its outside option
:math:`d_i`, in expectation or, for a risk-averse member, in certainty equivalent.
A coalition :math:`S` *blocks* an allocation :math:`x` of a game :math:`v` when its
excess is positive:

.. math:: e(S, x) = v(S) - x(S) > 0

(for a cost game: :math:`x(S) - c(S) > 0`). The Nash bargaining solution with
disagreement point :math:`d` and bargaining weights :math:`w` [Nash1950]_
[Kalai1977]_ maximises :math:`\\prod_i (x_i - d_i)^{w_i}` and for TU is

.. math:: x_i = d_i + \\frac{w_i}{\\sum_j w_j}\\Big(v(N) - \\sum_j d_j\\Big).

The cost of stability [Bachrach2009]_ is the least external payment that makes the
core non-empty; :func:`cost_of_stability` and :func:`in_core` are those of
:mod:`sharing_models.core`, re-exported here.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import GameError, InvalidInputError
from ..games.core import cost_of_stability, in_core
from ..games.game import Game
from .metrics import risk_summary
from .simulate import Simulation

__all__ = [
    "blocking_coalitions",
    "cost_of_stability",
    "dispute_summary",
    "excesses",
    "in_core",
    "individual_rationality",
    "least_transfer_to_accept",
    "nash_bargaining",
    "nash_bargaining_game",
]


def individual_rationality(sim: Simulation | pd.DataFrame) -> pd.DataFrame:
    """Does each member accept each rule, in expectation and in certainty equivalent?

    ``sim`` is a :class:`Simulation` or its :func:`risk_summary`. Returns a frame
    indexed by (``rule``, ``member``) with ``expected``, ``certainty_equivalent``,
    ``outside_option``, ``accepts_expected``, ``accepts_ce``, ``shortfall`` (what it
    would take, paid for sure, to make the member accept in CE).

    >>> from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage, simulate
    >>> p = Project((Stage("s", 0.5, 10.0),), (Product("x", Fixed(30.0)),),
    ...             (RiskMember("a", 5.0, outside_option=4.0), RiskMember("b", 50.0)))
    >>> ir = individual_rationality(simulate(p, pd.Series({"a": .5, "b": .5}, name="eq"),
    ...                                      draws=4000, seed=0))
    >>> ir["accepts_expected"].tolist(), ir["accepts_ce"].tolist()
    ([False, True], [False, True])
    """
    summary = risk_summary(sim) if isinstance(sim, Simulation) else sim
    out = summary[["expected", "certainty_equivalent", "outside_option"]].copy()
    tol = 1e-9 * max(1.0, float(out.abs().to_numpy().max()))
    out["accepts_expected"] = out["expected"] >= out["outside_option"] - tol
    out["accepts_ce"] = out["certainty_equivalent"] >= out["outside_option"] - tol
    out["shortfall"] = (out["outside_option"] - out["certainty_equivalent"]).clip(lower=0.0)
    return out


def least_transfer_to_accept(sim: Simulation | pd.DataFrame) -> pd.Series:
    """Least sure payment, per rule, that makes every member accept in CE.

    With exponential utility :math:`\\mathrm{CE}(Y + t) = \\mathrm{CE}(Y) + t`, so topping
    up each member by its shortfall is exactly enough and nothing less is.
    """
    ir = individual_rationality(sim)
    return ir["shortfall"].groupby(level="rule", sort=False).sum().rename("least_transfer")


def _oriented(game: Game, allocation: Any) -> tuple[np.ndarray, np.ndarray]:
    """Worths and allocation in the profit orientation (negated for cost games)."""
    if not isinstance(game, Game):
        raise InvalidInputError(f"expected a Game; got {type(game).__name__}")
    if isinstance(allocation, pd.Series):
        missing = [p for p in game.players if p not in allocation.index]
        if missing or len(allocation) != game.n:
            raise InvalidInputError(f"allocation needs one value per player {list(game.players)}")
        allocation = allocation.loc[list(game.players)]  # type: ignore[index]
    x = np.asarray([float(a) for a in np.asarray(allocation, dtype=object).ravel()])
    if x.shape != (game.n,):
        raise InvalidInputError(f"allocation needs {game.n} values; got shape {x.shape}")
    v = np.asarray([float(a) for a in game.values]) if game.exact else game.values.astype(float)
    return (-v, -x) if game.cost else (v, x)


def excesses(game: Game, allocation: Any) -> np.ndarray:
    """Excess :math:`v(S) - x(S)` of every coalition mask (vectorised subset sums).

    >>> g = Game.from_array(["a", "b"], [0, 1, 1, 4])
    >>> excesses(g, [3, 1]).tolist()
    [0.0, -2.0, 0.0, 0.0]
    """
    v, x = _oriented(game, allocation)
    sums = np.zeros(1 << game.n)
    for i, xi in enumerate(x):
        sums[1 << i: 1 << (i + 1)] = sums[: 1 << i] + xi
    return v - sums


def _tol(v: np.ndarray) -> float:
    return 1e-9 * max(1.0, float(np.abs(v).max()))


def blocking_coalitions(game: Game, allocation: Any, limit: int | None = None) -> pd.DataFrame:
    """Coalitions that would do better on their own, worst first (at most ``limit``).

    Columns ``coalition`` (tuple of names), ``size``, ``worth`` and ``allocated``
    (profit orientation), ``excess`` (> 0). The grand coalition appears when the
    allocation hands out less than ``v(N)``.

    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 4, 0, 4, 4, 6])
    >>> blocking_coalitions(g, [4, 1, 1])[["coalition", "excess"]].values.tolist()
    [[('b', 'c'), 2.0]]

    Notes
    -----
    :math:`O(2^n)` time and memory.
    """
    v, _ = _oriented(game, allocation)
    e = excesses(game, allocation)
    masks = np.flatnonzero(e > _tol(v))
    masks = masks[masks > 0]
    order = masks[np.argsort(-e[masks], kind="stable")][:limit]
    return pd.DataFrame({
        "coalition": [tuple(p for i, p in enumerate(game.players) if m >> i & 1) for m in order],
        "size": np.bitwise_count(order.astype(np.uint64)).astype(int),
        "worth": v[order],
        "allocated": v[order] - e[order],
        "excess": e[order],
    })


def nash_bargaining(total: float, disagreement: Any, weights: Any = None) -> pd.Series:
    """(Generalised) Nash bargaining split of ``total`` with disagreement point ``d``.

    Parameters
    ----------
    total : float
        What the members divide (``v(N)``, or the syndicate's certainty equivalent).
    disagreement : Series
        Each member's outside option ``d_i``.
    weights : Series, optional
        Bargaining weights (positive); equal weights give the symmetric solution.

    Raises
    ------
    GameError
        When ``total < sum(d)``: no split leaves every member at least its ``d_i``.

    >>> nash_bargaining(10.0, pd.Series({"a": 1.0, "b": 3.0})).tolist()
    [4.0, 6.0]
    >>> nash_bargaining(10.0, pd.Series({"a": 1.0, "b": 3.0}), pd.Series({"a": 2, "b": 1})).tolist()
    [5.0, 5.0]
    """
    d = pd.Series(disagreement, dtype=float)
    w = pd.Series(1.0, index=d.index) if weights is None else pd.Series(weights, dtype=float)
    if set(w.index) != set(d.index):
        raise InvalidInputError("bargaining weights need one value per member of disagreement")
    w = w.loc[d.index]
    if (w <= 0).any() or not np.isfinite(w).all():
        raise InvalidInputError("bargaining weights must be positive finite numbers")
    surplus = float(total) - float(d.sum())
    if surplus < -1e-9 * max(1.0, abs(float(total))):
        raise GameError(f"no agreement: total {total:g} is below the sum of outside "
                        f"options {float(d.sum()):g}")
    return (d + w / w.sum() * surplus).rename("nash_bargaining")


def nash_bargaining_game(game: Game, weights: Any = None, exact: bool = False) -> pd.Series:
    """Nash bargaining in a TU game: disagreement ``v({i})``, total ``v(N)``.

    For a cost game the same split is made of savings, returned as costs. With
    ``exact=True`` on an exact game (and rational or no weights) the split is in
    :class:`fractions.Fraction`.

    >>> g = Game.from_array(["a", "b"], [0, 1, 2, 6])
    >>> nash_bargaining_game(g).tolist()
    [2.5, 3.5]
    >>> nash_bargaining_game(g, exact=True).tolist()
    [Fraction(5, 2), Fraction(7, 2)]
    """
    if exact and game.exact:
        return _nash_exact(game, weights)
    v, _ = _oriented(game, np.zeros(game.n))
    d = pd.Series([v[1 << i] for i in range(game.n)], index=list(game.players))
    x = nash_bargaining(v[-1], d, weights)
    return -x if game.cost else x


def _nash_exact(game: Game, weights: Any) -> pd.Series:
    sign = -1 if game.cost else 1
    v = [sign * Fraction(x) for x in game.values]
    players = list(game.players)
    w = {p: Fraction(1) for p in players} if weights is None else {
        p: Fraction(str(x)) if isinstance(x, float) else Fraction(x)
        for p, x in dict(weights).items()}
    if set(w) != set(players) or any(x <= 0 for x in w.values()):
        raise InvalidInputError("bargaining weights need one positive value per player")
    d = [v[1 << i] for i in range(game.n)]
    surplus = v[-1] - sum(d)
    if surplus < 0:
        raise GameError(f"no agreement: v(N) = {v[-1]} is below the sum of v({{i}}) = {sum(d)}")
    total_w = sum(w.values())
    x = [sign * (d[i] + w[p] / total_w * surplus) for i, p in enumerate(players)]
    return pd.Series(x, index=players, name="nash_bargaining", dtype=object)


def dispute_summary(sim: Simulation, game: Game | None = None,
                    allocations: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per rule: who refuses, by how much, and which coalitions could block.

    Columns ``members_accepting``, ``refusing`` (comma-separated ids, CE test),
    ``least_transfer``, ``prob_someone_loses`` (share of draws where a member loses),
    ``worst_member`` (lowest CE surplus). With a ``game``, each rule's allocation
    (``allocations`` members x rules, default the rule's expected payoffs) is also
    tested: ``in_core``, ``blocking_coalitions`` (count) and ``max_excess``.
    """
    ir = individual_rationality(sim)
    rows = []
    for r, rule in enumerate(sim.rules):
        part = ir.xs(rule, level="rule")
        surplus = part["certainty_equivalent"] - part["outside_option"]
        row: dict[str, Any] = {
            "rule": rule,
            "members_accepting": int(part["accepts_ce"].sum()),
            "refusing": ", ".join(part.index[~part["accepts_ce"]]),
            "least_transfer": float(part["shortfall"].sum()),
            "prob_someone_loses": float((sim.payoff[:, :, r] < 0).any(axis=1).mean()),
            "worst_member": str(surplus.idxmin()),
        }
        if game is not None:
            if allocations is not None and rule not in allocations:
                raise InvalidInputError(f"allocations have no column for rule {rule!r}")
            x = (allocations[rule] if allocations is not None else part["expected"])
            block = blocking_coalitions(game, x)
            row.update(in_core=in_core(game, x), blocking_coalitions=len(block),
                       max_excess=float(excesses(game, x)[1:].max()))
        rows.append(row)
    return pd.DataFrame(rows).set_index("rule")
