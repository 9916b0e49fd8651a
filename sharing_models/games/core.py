"""The core, the least core and the cost of stability of a TU game.

The *core* of a game :math:`v` is the set of efficient allocations no coalition can
improve on,

.. math::

    C(v) = \\{x \\in \\mathbb{R}^N : x(N) = v(N),\\; x(S) \\ge v(S)\\ \\forall S \\subseteq N\\},

with :math:`x(S) = \\sum_{i \\in S} x_i`. For a cost game :math:`c` the inequalities turn
round, :math:`x(S) \\le c(S)`: no group pays more than its stand-alone cost. Every LP
here works in the savings orientation (``-c`` for cost games) and hands back cost
shares. Large games use *constraint generation*: an LP over a working set of
coalitions, a vectorised scan of all :math:`2^n` coalition sums for violated
constraints, and a re-solve with the worst ones added.

References: [Gillies1959]_, [Bachrach2009]_, [PelegSudholter2007]_.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import highspy
import numpy as np
import pandas as pd

from .._kernels.game import GameBase, _subset_sums, require_game
from .._kernels.highs import new_highs
from .._kernels.lp import (
    _independent_rows,
    _solve_exact,
    _to_fractions,
    allocation_array,
    coalition_rows,
    indicator_matrix,
    oriented_float,
    top_violations,
    value_scale,
    zero_normalise,
)
from .._kernels.warn import warn_caller
from ..exceptions import EmptyCoreWarning, GameError, TooLargeError
from .kohlberg import EXACT_MAX_PLAYERS
from .nucleolus import _solve

__all__ = ["LeastCore", "core_is_empty", "cost_of_stability", "in_core", "least_core"]

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class LeastCore:
    """Result of :func:`least_core`.

    Parameters
    ----------
    epsilon : float or Fraction
        The least :math:`\\varepsilon` with :math:`x(S) \\ge v(S) - \\varepsilon` for all
        proper coalitions; :math:`\\varepsilon \\le 0` exactly when the core is non-empty.
    allocation : pandas.Series
        A point of the least core: its canonical point, the prenucleolus (cost shares for
        a cost game), indexed by player, ``name="least_core"``.

    Examples
    --------
    >>> from sharing_models import Game, least_core
    >>> lc = least_core(Game.airport({"s": 4, "l": 10}))
    >>> lc.epsilon, lc.allocation.tolist()
    (Fraction(-2, 1), [Fraction(2, 1), Fraction(8, 1)])
    """

    epsilon: Any
    allocation: pd.Series


def in_core(game: GameBase, allocation: Any, tol: float = 1e-9) -> bool:
    """Whether an allocation lies in the core of ``game``.

    .. math:: x(N) = v(N), \\qquad x(S) \\ge v(S) \\;\\; (x(S) \\le c(S) \\text{ for costs}).

    Parameters
    ----------
    game : Game
        A worth or cost game.
    allocation : pandas.Series, mapping or sequence
        One share per player (a Series/mapping keyed by player id, or in player order).
    tol : float, default 1e-9
        Relative tolerance, scaled by ``max |v|`` (or ``max |x(S)|`` if larger).
        Ignored when both the game and the allocation are exact: then the test is exact.

    Returns
    -------
    bool

    Raises
    ------
    InvalidInputError
        If the allocation does not have one finite number per player.

    Examples
    --------
    >>> from sharing_models import Game
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 0, 1])  # glove game
    >>> in_core(g, {"a": 1, "b": 0, "c": 0}), in_core(g, [0.5, 0.5, 0])
    (True, False)

    Notes
    -----
    One vectorised pass over all :math:`2^n` coalition sums: :math:`O(2^n)` time and
    memory. [Gillies1959]_
    """
    require_game(game, "in_core")
    x = allocation_array(game, allocation)
    if game.exact and x.dtype == object:
        sign = -1 if game.cost else 1
        v = _to_fractions(game.values) * sign
        xs = _subset_sums(x * sign)
        return bool(xs[-1] == v[-1] and all(a >= b for a, b in zip(xs, v, strict=True)))
    v = oriented_float(game)
    xf = np.asarray(x, dtype=float) * (-1.0 if game.cost else 1.0)
    xs = _subset_sums(xf)
    eps = tol * value_scale(v, xs)
    return bool(abs(xs[-1] - v[-1]) <= eps and np.all(xs >= v - eps))


def core_is_empty(game: GameBase, *, exact: bool | None = None) -> bool:
    """Whether the core of ``game`` is empty (Bondareva-Shapley, by one LP).

    .. math:: C(v) = \\emptyset \\iff \\min\\{x(N) : x(S) \\ge v(S)\\ \\forall S\\} > v(N).

    Parameters
    ----------
    game : Game
        A worth or cost game (for costs: no sharing of :math:`c(N)` with
        :math:`x(S) \\le c(S)` for all :math:`S`).
    exact : bool, optional
        As in :func:`cost_of_stability` (default: exact test for exact worths).

    Returns
    -------
    bool
        Exact for exact games; otherwise with a relative tolerance of 1e-9.

    Raises
    ------
    GameError
        For symbolic worths.
    TooLargeError
        As :func:`cost_of_stability`.

    Examples
    --------
    >>> from sharing_models import Game
    >>> core_is_empty(Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1]))
    True
    >>> core_is_empty(Game.airport({"s": 4, "m": 6, "l": 10}))
    False

    Notes
    -----
    Same cost as :func:`cost_of_stability`; exact (Fraction) for exact games. The core
    is due to [Gillies1959]_; the LP test is the Bondareva-Shapley theorem
    [PelegSudholter2007]_.
    """
    return bool(cost_of_stability(game, exact=exact) > 0)  # float CoS is snapped to 0


def cost_of_stability(game: GameBase, *, exact: bool | None = None) -> Any:
    """Cost of stability: the least external payment that makes the core non-empty.

    .. math::

        \\mathrm{CoS}(v) = \\min_x \\; x(N) - v(N) \\quad \\text{s.t.}\\quad
        x(S) \\ge v(S)\\ \\ \\forall S \\subseteq N.

    For a cost game it is the least subsidy: how much of :math:`c(N)` an outside funder
    must cover so that some sharing of the rest is in the core [Bachrach2009]_.

    Parameters
    ----------
    game : Game
        A worth or cost game.
    exact : bool, optional
        Default (None): a certified ``Fraction`` for exact worths, a float for float
        worths. True/False force either.

    Returns
    -------
    float or Fraction
        ``0`` exactly when the core is non-empty. A certified ``Fraction`` in exact
        mode (primal and dual vertices re-solved and checked in rational arithmetic).

    Raises
    ------
    GameError
        For symbolic worths, or when the exact re-solve cannot be certified (then
        ``exact=False`` gives the float value).
    TooLargeError
        In exact mode with more than ``EXACT_MAX_PLAYERS`` (16) players.

    Examples
    --------
    >>> from sharing_models import Game
    >>> cost_of_stability(Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1]))
    Fraction(1, 2)
    >>> cost_of_stability(Game.airport({"s": 4, "m": 6, "l": 10}))
    Fraction(0, 1)

    Notes
    -----
    Constraint generation over the :math:`2^n` coalitions: each round is an LP
    (HiGHS) on a working set plus an :math:`O(2^n)` vectorised scan.
    """
    require_game(game, "the core (cost_of_stability, core_is_empty)")
    n = game.n
    exact = game.exact if exact is None else bool(exact)
    if exact and n > EXACT_MAX_PLAYERS:
        raise TooLargeError(
            f"cost_of_stability: exact (Fraction) arithmetic supports at most "
            f"{EXACT_MAX_PLAYERS} players and the game's worths are exact (or exact=True); "
            f"it has {n}. Pass exact=False for the float value."
        )
    v = oriented_float(game)
    x, rows, duals, value = _cos_lp(v, n)
    if exact:
        certified = _exact_cos(game, x, rows, duals)
        if certified is None:
            raise GameError(
                "cost_of_stability: could not certify the LP optimum in rational "
                "arithmetic; pass exact=False for the float value"
            )
        return certified
    return value


def least_core(game: GameBase, *, exact: bool | None = None) -> LeastCore:
    """The least core: shrink every coalition's claim by the least uniform amount.

    .. math::

        \\varepsilon^* = \\min\\{\\varepsilon : \\exists x,\\ x(N) = v(N),\\;
        x(S) \\ge v(S) - \\varepsilon\\ \\ \\forall S \\ne \\emptyset, N\\}.

    Returns the level :math:`\\varepsilon^*` and the least core's canonical point, the
    prenucleolus [MaschlerPelegShapley1979]_. Warns :class:`EmptyCoreWarning` when
    :math:`\\varepsilon^* > 0`.

    Parameters
    ----------
    game : Game
        For a cost game (savings orientation ``-c``) :math:`\\varepsilon^*` is the least
        uniform amount by which every coalition may be charged more than its cost.
    exact : bool, optional
        Default (None): Fractions for exact worths, floats for float worths; as in
        :func:`~sharing_models.nucleolus`.

    Returns
    -------
    LeastCore
        ``epsilon`` and ``allocation`` (the prenucleolus, cost shares for a cost game),
        both Fractions in exact mode and floats otherwise; the allocation's ``attrs``
        hold ``method``, ``exact``, ``certificate`` and ``core_empty``.

    Raises
    ------
    GameError
        If :math:`v(\\emptyset) \\ne 0`.
    TooLargeError
        In exact mode with more than ``EXACT_MAX_PLAYERS`` (16) players.

    Warns
    -----
    EmptyCoreWarning
        When :math:`\\varepsilon^* > 0`, attributed to the caller's line (once per call
        site under the default filters).

    Examples
    --------
    >>> from sharing_models import Game
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     lc = least_core(Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1]))
    >>> lc.epsilon, lc.allocation.tolist()
    (Fraction(1, 3), [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)])

    Notes
    -----
    Costs one prenucleolus computation (its first LP is the least core LP): a sequence
    of LPs with constraint generation, :math:`O(2^n)` per separation pass.
    """
    res = _solve(game, imputation=False, exact=exact, concept="least_core")
    eps = res.levels[0] if res.levels else 0
    if isinstance(eps, Fraction):
        positive = eps > 0
    else:
        positive = eps > 1e-9 * zero_normalise(oriented_float(game), game.n)[2]
    allocation = res.allocation.rename("least_core")
    allocation.attrs.update(method="least_core", core_empty=bool(positive))
    if positive:
        warn_caller(f"the core is empty: the least core needs epsilon = {eps} > 0",
                    EmptyCoreWarning)
    return LeastCore(epsilon=eps, allocation=allocation)


# ---------------------------------------------------------------------- helpers
def _cos_lp(v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Solve ``min x(N)`` s.t. ``x(S) >= v(S)`` by constraint generation.

    Solved on the zero-normalised game at unit scale (the CoS is covariant) so that
    HiGHS' absolute tolerances act as relative ones. Returns the optimal ``x``, the
    masks of the LP rows, their duals and the cost of stability.
    """
    v0, a, scale = zero_normalise(v, n)
    x0, rows, duals = _cos_lp_unit(v0 / scale, n)
    cos = (float(x0.sum()) - v0[-1] / scale) * scale
    return x0 * scale + a, rows, duals, (0.0 if cos < 1e-9 * scale else cos)


def _cos_lp_unit(v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    full = (1 << n) - 1
    h = new_highs()
    h.addCols(n, np.ones(n), np.full(n, -_INF), np.full(n, _INF), 0,
              np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    singles = 1 << np.arange(n, dtype=np.int64)
    start = np.unique(np.concatenate([singles, full ^ singles, [full]]))
    start = start[start > 0]
    rows = np.zeros(0, dtype=np.int64)
    in_lp = np.zeros(1 << n, dtype=bool)
    batch = max(2 * n, 16)
    new = start
    while True:
        st, idx, val = coalition_rows(new, n)
        h.addRows(len(new), v[new], np.full(len(new), _INF), len(idx), st, idx, val)
        rows = np.concatenate([rows, new])
        in_lp[new] = True
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise GameError(f"core LP failed: {h.modelStatusToString(h.getModelStatus())}")
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        slack = v - _subset_sums(x)
        slack[0] = -_INF
        slack[in_lp] = -_INF
        new = top_violations(slack, 1e-9, batch)
        if new.size == 0:
            return x, rows, np.asarray(sol.row_dual)


def _exact_cos(game: GameBase, x: np.ndarray, rows: np.ndarray, duals: np.ndarray
               ) -> Fraction | None:
    """Certify the cost of stability in rationals from the float LP's vertex and duals."""
    n = game.n
    v = _to_fractions(game.values) * (-1 if game.cost else 1)
    vf = oriented_float(game)
    scale = value_scale(vf)
    slack = _subset_sums(x)[rows] - vf[rows]
    tight = rows[np.abs(slack) <= 1e-7 * scale]
    order = np.argsort(-np.abs(duals[np.isin(rows, tight)]), kind="stable")
    tight = tight[order]
    basis = [int(m) for m in tight[_independent_rows(indicator_matrix(tight, n))]]
    if len(basis) < n:
        return None
    a = indicator_matrix(np.asarray(basis), n).tolist()
    xq = _solve_exact(a, [v[m] for m in basis])
    pos = rows[duals > 1e-12]
    pbasis = [int(m) for m in pos[_independent_rows(indicator_matrix(pos, n))]]
    yq = _solve_exact(indicator_matrix(np.asarray(pbasis), n).T.tolist(), [Fraction(1)] * n)
    if xq is None or yq is None or any(y < 0 for y in yq):
        return None
    xs = _subset_sums(np.asarray(xq, dtype=object))
    if any(a < b for a, b in zip(xs, v, strict=True)):
        return None
    primal = sum(xq, Fraction(0))
    dual = sum((y * v[m] for y, m in zip(yq, pbasis, strict=True)), Fraction(0))
    if primal != dual:
        return None
    gap: Fraction = primal - v[-1]
    return gap
