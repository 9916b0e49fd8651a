"""Certifying a (pre)nucleolus by Kohlberg's balancedness criterion.

For an allocation :math:`x` write :math:`e(S, x) = v(S) - x(S)` for the excess of a
coalition and :math:`D(\\alpha, x) = \\{S \\ne \\emptyset, N : e(S, x) \\ge \\alpha\\}`.
A collection :math:`\\mathcal{B}` is *balanced* when there are weights
:math:`\\lambda_S > 0` with :math:`\\sum_{S \\in \\mathcal{B}} \\lambda_S 1_S = 1_N`.
Kohlberg's theorem [Kohlberg1971]_:

* an efficient :math:`x` is the prenucleolus iff every non-empty :math:`D(\\alpha, x)`
  is balanced;
* an imputation :math:`x` is the nucleolus iff every non-empty :math:`D(\\alpha, x)` is
  balanced together with :math:`P_0(x) = \\{\\{i\\} : x_i = v(i)\\}`, where the weights of
  :math:`P_0(x)` need only be non-negative ([PelegSudholter2007]_, Chapters 5-6).

Once a collection is balanced and its indicators span :math:`\\mathbb{R}^N`, every
larger one is balanced too, so only the first few levels are checked. Balancedness is
an LP (HiGHS); in exact mode the LP weights are re-solved and checked in rationals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import highspy
import numpy as np

from .._kernels.game import GameBase, _subset_sums
from .._kernels.highs import new_highs
from .._kernels.lp import (
    _independent_rows,
    _solve_exact,
    _to_fractions,
    allocation_array,
    indicator_matrix,
    oriented_float,
    zero_normalise,
)
from ..exceptions import InvalidInputError

__all__ = ["KohlbergCertificate", "kohlberg_certify"]

#: Largest game for which the LP concepts (nucleolus, prenucleolus, least core, cost of
#: stability, Kohlberg certification) run in rational arithmetic: the exact re-solve and
#: Kohlberg check take about 0.5 s at 16 players and grow about 4x per 2 players.
EXACT_MAX_PLAYERS = 16


@dataclass(frozen=True)
class KohlbergCertificate:
    """Outcome of :func:`kohlberg_certify`; truthy exactly when certified.

    Parameters
    ----------
    certified : bool
        Whether the allocation passed Kohlberg's criterion.
    exact : bool
        True when excesses and weights were checked in rational arithmetic.
    kind : str
        ``"prenucleolus"`` or ``"nucleolus"``.
    levels : tuple
        Excess values :math:`\\alpha` of the collections checked, largest first.
    reason : str
        Why certification failed (empty when certified).
    failed_coalitions : tuple of frozenset
        The coalitions at the first level that broke balancedness.

    Examples
    --------
    >>> from sharing_models import Game, kohlberg_certify
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 0, 1])  # glove game
    >>> cert = kohlberg_certify(g, [1, 0, 0], kind="nucleolus")
    >>> bool(cert), cert.exact, cert.kind
    (True, True, 'nucleolus')
    """

    certified: bool
    exact: bool
    kind: str
    levels: tuple[Any, ...] = ()
    reason: str = ""
    failed_coalitions: tuple[Any, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.certified


def kohlberg_certify(
    game: GameBase,
    allocation: Any,
    *,
    kind: Literal["prenucleolus", "nucleolus"] = "prenucleolus",
    tol: float = 1e-7,
    exact: bool | None = None,
) -> KohlbergCertificate:
    """Check whether ``allocation`` is the (pre)nucleolus of ``game`` [Kohlberg1971]_.

    .. math::

        x = \\nu^*(v) \\iff D(\\alpha, x) \\text{ balanced for all } \\alpha
        \\text{ with } D(\\alpha, x) \\ne \\emptyset.

    Parameters
    ----------
    game : Game
        For a cost game the allocation is read as cost shares.
    allocation : pandas.Series, mapping or sequence
        One share per player.
    kind : {"prenucleolus", "nucleolus"}
        Which concept to certify (the nucleolus adds :math:`P_0(x)`).
    tol : float, default 1e-7
        Relative tolerance (times ``max |v|``) for efficiency, individual
        rationality and grouping equal excesses; unused in exact mode.
    exact : bool, optional
        Rational arithmetic. Default: when the game and allocation are exact and
        ``n <= EXACT_MAX_PLAYERS`` (16).

    Returns
    -------
    KohlbergCertificate
        Truthy iff certified; carries the levels checked and any failure reason.

    Raises
    ------
    InvalidInputError
        For a malformed allocation or an unknown ``kind``.

    Examples
    --------
    >>> from sharing_models import Game
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 0, 1])  # glove game
    >>> bool(kohlberg_certify(g, [1, 0, 0])), bool(kohlberg_certify(g, [0.5, 0.5, 0]))
    (True, False)

    Notes
    -----
    :math:`O(2^n)` to form the excesses, then at most :math:`n` balancedness LPs
    (generically one or two) over the coalitions at the top excess levels.
    """
    if kind not in ("prenucleolus", "nucleolus"):
        raise InvalidInputError(f"kind must be 'prenucleolus' or 'nucleolus'; got {kind!r}")
    x = allocation_array(game, allocation)
    n = game.n
    if exact is None:
        exact = game.exact and x.dtype == object and n <= EXACT_MAX_PLAYERS
    sign = -1 if game.cost else 1
    if exact:
        v = _to_fractions(game.values) * sign
        xo = _to_fractions(x) * sign
        eps: float = 0
    else:
        v, a, scale = zero_normalise(oriented_float(game), n)  # excesses are unchanged
        xo = np.asarray(x, dtype=float) * sign - a
        eps = tol * scale
    cert = _check(v, xo, n, kind, eps, exact)
    if cert.failed_coalitions:
        names = tuple(game.coalition(m) for m in cert.failed_coalitions)
        cert = KohlbergCertificate(False, exact, kind, cert.levels, cert.reason, names)
    return cert


def _check(v: np.ndarray, x: np.ndarray, n: int, kind: str, eps: Any, exact: bool
           ) -> KohlbergCertificate:
    full = (1 << n) - 1
    den = 1
    if exact:  # integers on a common denominator: exact and far faster than Fractions
        den = math.lcm(*(Fraction(a).denominator for a in (*v, *x)))
        v, x = _scaled(v, den), _scaled(x, den)
    xs = _subset_sums(x)
    if abs(xs[-1] - v[-1]) > eps:
        return KohlbergCertificate(False, exact, kind, reason="not efficient: x(N) != v(N)")
    p0: list[int] = []
    if kind == "nucleolus":
        gap = [x[i] - v[1 << i] for i in range(n)]
        if any(g < -eps for g in gap):
            return KohlbergCertificate(False, exact, kind, reason="not individually rational")
        p0 = [1 << i for i in range(n) if gap[i] <= eps]
    e = v - xs
    remaining = np.ones(1 << n, dtype=bool)
    remaining[0] = remaining[full] = False
    collection = np.zeros(0, dtype=np.int64)
    levels: list[Any] = []
    while remaining.any():
        idx = np.flatnonzero(remaining)
        top = max(e[idx]) if exact else float(np.max(e[idx]))
        layer = idx[np.asarray(e[idx] >= top - eps, dtype=bool)]
        remaining[layer] = False
        levels.append(Fraction(int(top), den) if exact else top)
        collection = np.concatenate([collection, layer])
        ok, rank = _balanced(collection, np.asarray(p0, dtype=np.int64), n, exact)
        if not ok:
            return KohlbergCertificate(False, exact, kind, tuple(levels),
                                       f"collection at excess level {levels[-1]} is not "
                                       "balanced",
                                       tuple(int(m) for m in layer))
        if rank == n:
            break
    return KohlbergCertificate(True, exact, kind, tuple(levels))


def _scaled(a: np.ndarray, den: int) -> np.ndarray:
    """Exact numbers times ``den`` as Python ints (an object array)."""
    out = np.empty(len(a), dtype=object)
    out[:] = [int(Fraction(q) * den) for q in a]
    return out


def _balanced(coll: np.ndarray, p0: np.ndarray, n: int, exact: bool) -> tuple[bool, int]:
    """Whether ``coll`` is balanced (weights > 0) with ``p0`` (weights >= 0); and its rank."""
    if _spanning_partitions(coll, n):
        return True, n
    cols = np.concatenate([coll, p0])
    ind = indicator_matrix(cols, n).astype(float)
    rank = int(np.linalg.matrix_rank(ind.T @ ind)) if len(cols) else 0  # n x n Gram
    k, kp = len(coll), len(p0)
    h = new_highs()
    cnt = ind[:k].sum(axis=0)
    # columns: mu_S (S in coll), lambda_i (P0), s;  lambda_S = s + mu_S
    mat = np.vstack([ind, cnt[None, :]])
    nz = mat != 0
    starts = np.concatenate([[0], np.cumsum(nz.sum(axis=1))[:-1]]).astype(np.int32)
    rows_i = np.nonzero(nz)[1].astype(np.int32)
    ncol = k + kp + 1
    cost = np.zeros(ncol)
    cost[-1] = -1.0
    upper = np.full(ncol, highspy.kHighsInf)
    upper[-1] = 1.0
    h.addRows(n, np.ones(n), np.ones(n), 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
              np.zeros(0))
    h.addCols(ncol, cost, np.zeros(ncol), upper, int(nz.sum()), starts, rows_i, mat[nz])
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return False, rank
    sol = np.asarray(h.getSolution().col_value)
    s = sol[-1]
    if k and s <= 1e-9:
        return False, rank
    if not exact:
        return True, rank
    lam = np.concatenate([sol[:k] + s, sol[k:k + kp]])
    return _exact_weights(ind, lam, k), rank


def _spanning_partitions(coll: np.ndarray, n: int) -> bool:
    """Sufficient test: ``coll`` holds balanced partitions whose union spans R^N.

    Complementary pairs ``{S, N \\ S}`` and the singletons are partitions (weights 1); a
    union of balanced collections is balanced, and a collection containing a balanced
    spanning sub-collection is balanced. Settles highly degenerate levels (e.g. every
    coalition tied) without an LP, exactly.
    """
    full = (1 << n) - 1
    present = np.zeros(1 << n, dtype=bool)
    present[coll] = True
    singles = 1 << np.arange(n, dtype=np.int64)
    parts = coll[present[full ^ coll]]
    if present[singles].all():
        parts = np.concatenate([parts, singles])
    if parts.size < n:
        return False
    ind = indicator_matrix(parts, n).astype(float)
    return int(np.linalg.matrix_rank(ind.T @ ind)) == n


def _exact_weights(ind: np.ndarray, lam: np.ndarray, k: int) -> bool:
    """Turn float balancing weights into rational ones and check them exactly."""
    lq = [Fraction(float(w)).limit_denominator(10**6) for w in lam]
    a = ind.astype(int)
    resid = [1 - sum((lq[j] for j in range(len(lq)) if a[j, i]), Fraction(0))
             for i in range(a.shape[1])]
    if any(resid):
        order = np.argsort(-lam, kind="stable")
        basis = _independent_rows(a[order])
        cols = order[basis]
        delta = _solve_exact(a[cols].T.tolist(), resid)
        if delta is None:
            return False
        for j, d in zip(cols, delta, strict=True):
            lq[j] += d
    return all(w > 0 for w in lq[:k]) and all(w >= 0 for w in lq[k:])
