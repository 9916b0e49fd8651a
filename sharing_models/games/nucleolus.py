"""The nucleolus and the prenucleolus by sequential LPs with constraint generation.

The *excess* of coalition :math:`S` at allocation :math:`x` is
:math:`e(S, x) = v(S) - x(S)`; :math:`\\theta(x)` lists the excesses of all proper
coalitions in non-increasing order. The prenucleolus minimises :math:`\\theta`
lexicographically over efficient allocations, the nucleolus over imputations
(:math:`x_i \\ge v(i)`) [Schmeidler1969]_:

.. math::

    \\nu(v) = \\{x \\in I(v) : \\theta(x) \\preceq_{lex} \\theta(y)\\ \\ \\forall y \\in I(v)\\}.

It is computed by the Maschler-Peleg-Shapley sequence of LPs
[MaschlerPelegShapley1979]_: stage :math:`k` minimises the largest excess :math:`t` of
the coalitions not fixed yet; coalitions with a positive dual weight at the optimum
have excess :math:`t_k` in every optimal solution and are fixed (as equalities), and
coalitions whose indicator lies in the span of the fixed ones are dropped. Each
stage's LP holds only a working set of coalitions; a vectorised scan of all
:math:`2^n` excesses adds the most violated ones until none is left.

Exact mode rebuilds the answer in rationals from the excess levels of the float
solution and certifies it with Kohlberg's criterion (:mod:`.kohlberg`).
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
from .._kernels.inputs import OBJECT, player_index
from .._kernels.lp import (
    _independent_rows,
    _solve_exact,
    _to_fractions,
    coalition_rows,
    indicator_matrix,
    oriented_float,
    top_violations,
    value_scale,
    zero_normalise,
)
from .._kernels.warn import warn_caller
from ..exceptions import EmptyCoreWarning, GameError, TooLargeError
from .kohlberg import EXACT_MAX_PLAYERS, KohlbergCertificate, _check

__all__ = ["nucleolus", "prenucleolus"]

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class _Result:
    allocation: pd.Series
    levels: list[Any]


def nucleolus(game: GameBase, *, exact: bool | None = None) -> pd.Series:
    """The nucleolus: the imputation that lexicographically minimises sorted excesses.

    .. math::

        \\nu(v) = \\arg\\operatorname{lexmin}_{x \\in I(v)} \\theta(x), \\qquad
        I(v) = \\{x : x(N) = v(N),\\ x_i \\ge v(\\{i\\})\\}.

    For a cost game the nucleolus of the savings game ``-c`` is returned as cost shares
    (so :math:`x_i \\le c(\\{i\\})`).

    Parameters
    ----------
    game : Game
        A worth or cost game with :math:`v(\\emptyset) = 0`.
    exact : bool, optional
        Default (None): as the input, certified :class:`~fractions.Fraction` shares for
        exact worths (``int``, ``Fraction``, numeric sympy) and floats for float worths.
        True: Fractions for any game; False: floats.

    Returns
    -------
    pandas.Series
        Shares indexed by player, ``name="nucleolus"``. ``attrs``: ``method``,
        ``exact`` and ``certificate`` (the :class:`KohlbergCertificate` of an exact
        result, None for floats).

    Raises
    ------
    GameError
        If :math:`v(\\emptyset) \\ne 0`, or the imputation set is empty
        (:math:`v(N) < \\sum_i v(\\{i\\})`); use :func:`prenucleolus`, which exists for
        every game.
    TooLargeError
        If exact arithmetic is needed (exact worths, or ``exact=True``) with more than
        ``EXACT_MAX_PLAYERS`` (16) players; pass ``exact=False`` for floats.

    Warns
    -----
    EmptyCoreWarning
        When the core is empty (the largest excess at the nucleolus is positive). A
        :class:`UserWarning`, attributed to the caller's line: shown once per call site
        by the default filters, silenced with ``warnings.simplefilter("ignore",
        EmptyCoreWarning)``. ``attrs["core_empty"]`` records it too.

    Examples
    --------
    >>> from sharing_models import Game
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 0, 1])  # glove game
    >>> nucleolus(g).tolist()
    [Fraction(1, 1), Fraction(0, 1), Fraction(0, 1)]

    Notes
    -----
    At most :math:`n` stages of LPs over a working set of coalitions, plus an
    :math:`O(2^n)` vectorised excess scan per LP: exponential in the number of players
    in memory and scan time. On random 20-player games it takes about 0.1 s; 22
    players took about 1 s and 350 MB (``benchmarks/bench_nucleolus.py``). Exact mode
    adds a rational solve of at most :math:`2n` equations and an exact Kohlberg check.
    References: [Schmeidler1969]_, [MaschlerPelegShapley1979]_, [Kohlberg1971]_.
    """
    res = _solve(game, imputation=True, exact=exact)
    top = res.levels[0] if res.levels else 0
    if isinstance(top, Fraction):
        empty = top > 0
    elif float(top) <= 0:
        empty = False
    else:
        vals = game.values if game.values.dtype != object else game.values.astype(float)
        big = max(1.0, abs(float(vals.max())), abs(float(vals.min())))
        empty = float(top) > 1e-9 * big
    res.allocation.attrs["core_empty"] = bool(empty)
    if empty:
        warn_caller(
            f"the core is empty (some coalition gains {top} more than it gets at the "
            "nucleolus); the nucleolus is still defined but it is not a core allocation",
            EmptyCoreWarning,
        )
    return res.allocation


def prenucleolus(game: GameBase, *, exact: bool | None = None) -> pd.Series:
    """The prenucleolus: lexicographic minimum of sorted excesses over efficient vectors.

    .. math:: \\nu^*(v) = \\arg\\operatorname{lexmin}_{x(N) = v(N)} \\theta(x).

    Exists for every game, in the least core, and equals the nucleolus whenever the
    latter lies in the interior of the imputation set (e.g. zero-monotonic games with
    a non-empty core) [PelegSudholter2007]_.

    Parameters
    ----------
    game : Game
        A worth or cost game with :math:`v(\\emptyset) = 0`.
    exact : bool, optional
        As in :func:`nucleolus`.

    Returns
    -------
    pandas.Series
        Shares indexed by player, ``name="prenucleolus"``; ``attrs`` as in
        :func:`nucleolus`.

    Examples
    --------
    >>> from sharing_models import Game
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])  # majority game
    >>> prenucleolus(g).tolist()
    [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]

    Notes
    -----
    Same cost as :func:`nucleolus`.
    """
    return _solve(game, imputation=False, exact=exact).allocation


def _solve(game: GameBase, *, imputation: bool, exact: bool | None,
           concept: str | None = None) -> _Result:
    """Shared driver: orientation, checks, float LPs, optional exact certification."""
    method = concept or ("nucleolus" if imputation else "prenucleolus")
    n = require_game(game, method).n
    exact = game.exact if exact is None else bool(exact)
    if exact and n > EXACT_MAX_PLAYERS:
        raise TooLargeError(
            f"{method}: exact (Fraction) arithmetic supports at most {EXACT_MAX_PLAYERS} "
            f"players and the game's worths are exact (or exact=True); it has {n}. Pass "
            "exact=False for the float version (certify it with kohlberg_certify)."
        )
    v0, a, scale = zero_normalise(oriented_float(game), n)
    if imputation and v0[-1] < -1e-9 * scale * n:
        raise GameError(
            f"the imputation set is empty: v(N) = {game.grand_value} is less than the sum "
            f"of the players' stand-alone worths; the nucleolus needs v(N) >= sum v(i). "
            "Use prenucleolus(), defined for every game."
        )
    # covariance: solve the zero-normalised game at unit scale (HiGHS' tolerances)
    x0, levels = _sequential(v0 / scale, n, imputation)
    x, levels = x0 * scale + a, [t * scale for t in levels]
    sign = -1 if game.cost else 1
    name = "nucleolus" if imputation else "prenucleolus"
    if exact:
        vq = _to_fractions(game.values) * sign
        found = _rationalise(vq, x, n, imputation, scale)
        if found is not None:
            xq, cert = found
            lv = list(cert.levels)  # the top excess levels, exact, largest first
            res = pd.Series(list(xq * sign), index=player_index(game.players), name=name,
                            dtype=OBJECT)
            res.attrs.update(method=name, exact=True, certificate=cert)
            return _Result(res, lv)
        raise GameError(
            f"{method}: could not certify the {name} in rational arithmetic (the float "
            "LP solution did not round to a point that passes Kohlberg's test). Pass "
            "exact=False for the float result and check it with kohlberg_certify."
        )
    res = pd.Series(x * sign, index=player_index(game.players), name=name)
    res.attrs.update(method=name, exact=False, certificate=None)
    return _Result(res, levels)


def _sequential(v: np.ndarray, n: int, imputation: bool) -> tuple[np.ndarray, list[float]]:
    """Maschler-Peleg-Shapley stages; returns the allocation and the stage levels."""
    full = (1 << n) - 1
    if n == 1:
        return np.array([v[-1]]), []
    lp = _StageLP(v, n, imputation)
    levels: list[float] = []
    bounds: list[int] = []
    while lp.rank < n:
        t = lp.solve_stage()
        levels.append(t)
        lp.fix_tight(t)
        bounds = lp.pinned_bounds() if imputation else []
        if bounds:
            break
    masks = np.asarray([full, *lp.fixed], dtype=np.int64)
    a = np.vstack([indicator_matrix(masks, n).astype(float), np.eye(n)[bounds]])
    rhs = np.concatenate([v[masks] - np.asarray([0.0, *lp.fixed_level]),
                          lp.lower[bounds]])
    x = np.linalg.lstsq(a, rhs, rcond=None)[0]
    return x, levels


class _StageLP:
    """The stage LP ``min t`` s.t. ``x(S) + t >= v(S)`` (working set), fixed equalities."""

    def __init__(self, v: np.ndarray, n: int, imputation: bool) -> None:
        self.v, self.n = v, n
        full = (1 << n) - 1
        self.scale = value_scale(v)
        self.h = h = new_highs()
        singles_v = v[1 << np.arange(n)]
        # an imputation set empty only within tolerance is widened to stay feasible
        slack = max(0.0, float(singles_v.sum() - v[-1])) / n
        self.lower = singles_v - slack if imputation else np.full(n, -_INF)
        low = np.append(self.lower, -_INF)
        cost = np.append(np.zeros(n), 1.0)
        h.addCols(n + 1, cost, low, np.full(n + 1, _INF), 0,
                  np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        _, idx, val = coalition_rows(np.array([full]), n)
        h.addRow(v[-1], v[-1], len(idx), idx, val)
        self.rows: list[int] = [full]          # mask of each LP row
        self.state: list[int] = [1]            # 0 working, 1 fixed/equality, 2 dropped
        self.settled = np.zeros(1 << n, dtype=bool)
        self.settled[[0, full]] = True
        self.in_lp = self.settled.copy()
        self.q = np.ones((1, n)) / np.sqrt(n)  # orthonormal basis of fixed indicators
        self.fixed: list[int] = []
        self.fixed_level: list[float] = []
        self.batch = max(2 * n, 24)
        singles = 1 << np.arange(n, dtype=np.int64)
        start = np.unique(np.concatenate([singles, full ^ singles]))
        self.x = np.full(n, v[-1] / n)
        e = v - _subset_sums(self.x)
        e[start] = -_INF
        np.putmask(e, self.settled, -_INF)
        extra = top_violations(e, -_INF, 2 * n)
        self._add(np.unique(np.concatenate([start[(start > 0) & (start < full)], extra])))

    @property
    def rank(self) -> int:
        return int(self.q.shape[0])

    def _add(self, masks: np.ndarray) -> None:
        masks = masks[~self.in_lp[masks]]
        if masks.size == 0:
            return
        st, idx, val = coalition_rows(masks, self.n, extra_col=self.n)
        self.h.addRows(len(masks), self.v[masks], np.full(len(masks), _INF), len(idx),
                       st, idx, val)
        self.rows.extend(int(m) for m in masks)
        self.state.extend([0] * len(masks))
        self.in_lp[masks] = True

    def _in_span(self, masks: np.ndarray) -> np.ndarray:
        ind = indicator_matrix(masks, self.n).astype(float)
        resid = ind - (ind @ self.q.T) @ self.q
        return np.asarray(np.linalg.norm(resid, axis=1) <= 1e-8)

    def solve_stage(self) -> float:
        """Solve one stage to optimality over all unsettled coalitions; return ``t``."""
        tol = 1e-9 * self.scale
        while True:
            if 0 not in self.state:
                self._add(self._top(-_INF))
            self.h.run()
            status = self.h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise GameError(f"nucleolus stage LP failed: {self.h.modelStatusToString(status)}")
            sol = self.h.getSolution()
            self.x = np.asarray(sol.col_value)[: self.n]
            t = float(sol.col_value[self.n])
            self.duals = np.abs(np.asarray(sol.row_dual))
            self.col_duals = np.abs(np.asarray(sol.col_dual)[: self.n])
            cand = self._top(t + tol)
            if cand.size == 0:
                return t
            self._add(cand)

    def _top(self, thr: float) -> np.ndarray:
        """Unsettled coalitions not in the LP with excess above ``thr`` (worst first).

        Coalitions found to lie in the span of the fixed ones are settled on the way.
        """
        e = self.v - _subset_sums(self.x)
        np.putmask(e, self.in_lp, -_INF)
        idx = np.flatnonzero(e > thr)
        idx = idx[np.argsort(-e[idx], kind="stable")]
        out: list[np.ndarray] = []
        found = 0
        for start in range(0, idx.size, 4096):
            chunk = idx[start:start + 4096]
            span = self._in_span(chunk)
            self.settled[chunk[span]] = True
            self.in_lp[chunk[span]] = True  # never needed in the LP again
            out.append(chunk[~span])
            found += int((~span).sum())
            if found >= self.batch:
                break
        return np.concatenate(out)[: self.batch] if out else idx

    def fix_tight(self, t: float) -> None:
        """Fix working coalitions with positive duals; drop those now in the fixed span.

        A positive dual means the coalition's excess is ``t`` in every optimal solution.
        Each call fixes or drops at least one row, so the stages terminate.
        """
        xs_tol = 1e-7 * self.scale
        work = [r for r, s in enumerate(self.state) if s == 0]
        pos = sorted((r for r in work if self.duals[r] > 1e-9), key=lambda r: -self.duals[r])
        tight = [r for r in pos
                 if abs(self.v[self.rows[r]] - self.x @ _bits(self.rows[r], self.n) - t)
                 <= xs_tol]
        if not tight and work:  # numerical fallback: the largest dual is tight in theory
            tight = [max(work, key=lambda r: self.duals[r])]
        for r in tight:
            if self._in_span(np.array([self.rows[r]]))[0]:
                self._drop(r)
            else:
                self._fix(r, t)
        work = [r for r, s in enumerate(self.state) if s == 0]
        if work and self.rank < self.n:
            span = self._in_span(np.asarray([self.rows[r] for r in work], dtype=np.int64))
            for r, sp in zip(work, span, strict=True):
                if sp:
                    self._drop(r)

    def pinned_bounds(self) -> list[int]:
        """Players held at ``x_i = v(i)`` in every optimal solution (positive reduced
        cost), if those bounds and the fixed coalitions determine ``x``; else ``[]``.

        Later stages only shrink the optimal set, so ``x`` is then final.
        """
        pinned = [i for i in range(self.n) if self.col_duals[i] > 1e-9]
        if not pinned:
            return []
        a = np.vstack([self.q, np.eye(self.n)[pinned]])
        return pinned if int(np.linalg.matrix_rank(a)) == self.n else []

    def _fix(self, r: int, t: float) -> None:
        """Turn working row ``r`` into the equality ``x(S) = v(S) - t``."""
        m = self.rows[r]
        ind = _bits(m, self.n)
        res = ind - self.q.T @ (self.q @ ind)
        self.q = np.vstack([self.q, res / np.linalg.norm(res)])
        self.h.changeCoeff(r, self.n, 0.0)
        self.h.changeRowBounds(r, self.v[m] - t, self.v[m] - t)
        self.state[r] = 1
        self.settled[m] = True
        self.fixed.append(m)
        self.fixed_level.append(t)

    def _drop(self, r: int) -> None:
        self.h.changeRowBounds(r, -_INF, _INF)
        self.state[r] = 2
        self.settled[self.rows[r]] = True


def _bits(m: int, n: int) -> np.ndarray:
    return ((m >> np.arange(n)) & 1).astype(float)


def _rationalise(vq: np.ndarray, x: np.ndarray, n: int, imputation: bool, scale: float
                 ) -> tuple[np.ndarray, KohlbergCertificate] | None:
    """Rebuild ``x`` in rationals from its excess levels and certify it (Kohlberg)."""
    kind = "nucleolus" if imputation else "prenucleolus"
    vf = np.asarray([float(a) for a in vq])
    for rel in (1e-9, 1e-7, 1e-5, 1e-11):
        tol = rel * scale
        a, b = _level_system(vf, vq, x, n, imputation, tol)
        pick = _independent_rows(np.asarray(a, dtype=float))
        sol = _solve_exact([a[i] for i in pick], [b[i] for i in pick])
        if sol is None:
            continue
        xq = np.empty(n, dtype=object)
        xq[:] = sol[:n]
        cert = _check(vq, xq, n, kind, 0, True)
        if cert:
            return xq, cert
    return None


def _level_system(vf: np.ndarray, vq: np.ndarray, x: np.ndarray, n: int, imputation: bool,
                  tol: float) -> tuple[list[list[int]], list[Fraction]]:
    """Equations ``x(N) = v(N)``, ``x(S) + t_k = v(S)`` per excess level, ``x_i = v(i)``."""
    full = (1 << n) - 1
    e = vf - _subset_sums(x)
    e[[0, full]] = -np.inf
    groups: list[np.ndarray] = []
    p0 = [i for i in range(n) if imputation and x[i] - vf[1 << i] <= tol]
    rows_so_far = [1 << i for i in p0]
    while True:
        top = float(np.max(e))
        if not np.isfinite(top):
            break
        layer = np.flatnonzero(e >= top - tol)
        e[layer] = -np.inf
        groups.append(layer)
        rows_so_far.extend(int(m) for m in layer)
        if np.linalg.matrix_rank(indicator_matrix(np.asarray(rows_so_far), n)) == n:
            break
    k = len(groups)
    a: list[list[int]] = [[1] * n + [0] * k]
    b: list[Any] = [vq[full]]
    for i in p0:
        a.append([int(j == i) for j in range(n)] + [0] * k)
        b.append(vq[1 << i])
    for g, layer in enumerate(groups):
        ind = indicator_matrix(layer, n).tolist()
        for m, row in zip(layer, ind, strict=True):
            a.append(row + [int(j == g) for j in range(k)])
            b.append(vq[m])
    return a, b
