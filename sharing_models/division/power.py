"""Voting power in weighted voting games: Shapley-Shubik and Banzhaf indices, exactly.

A weighted voting game ``[q; w_1, ..., w_n]`` lets a coalition win when its total weight
reaches the quota ``q``. Voter ``i`` is a *swing* (pivotal) for a losing coalition
``S ∌ i`` when ``S ∪ {i}`` wins:

.. math::

    q - w_i \\le w(S) \\le q - 1 .

Both indices count swings; Shapley-Shubik weights them by coalition size
[ShapleyShubik1954]_, Banzhaf counts them plainly [Banzhaf1965]_.

Method
------
Generating functions [PelegSudholter2007]_: ``F[k, t]``, the number of coalitions of ``k``
voters with weight at most ``t``, is the coefficient table of
:math:`\\frac{1}{1-x}\\prod_j (1 + z x^{w_j})` and is built by one vectorised update per
voter. The table *without* voter ``i`` is obtained by deconvolution (dividing by
:math:`1 + z x^{w_i}`), evaluated only at the two weights needed,
``P_i[k, t] = sum_j (-1)^j F[k - j, t - j w_i]``, so each distinct weight costs
:math:`O(n^2)` look-ups instead of a new :math:`O(n^2 q)` table. Counts reach
:math:`2^{n-1}`, so the tables are built in ``uint64`` modulo :math:`2^{64}` (free
wrap-around) and, beyond 64 voters, modulo primes below :math:`2^{50}`; the exact integers
are recovered by the Chinese remainder theorem. Voters are added heaviest first, so the rows
of large coalitions stay empty (and are skipped) until light voters arrive. Total cost
:math:`O(r\\, n^2 q')` with :math:`q' = \\min(q, W - q + 1)` and
:math:`r \\approx 1 + (n - 64)/49` moduli.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.inputs import FLOAT, OBJECT, PerPlayer, per_player, player_index
from ..exceptions import InvalidInputError, TooLargeError

__all__ = ["MAX_TABLE_CELLS", "banzhaf_index", "shapley_shubik", "swing_counts"]

#: Largest ``n * q'`` table (cells of 8 bytes) built before :class:`TooLargeError`.
MAX_TABLE_CELLS = 60_000_000

_PRIME_BITS = 50  # sums of up to 2**13 residues stay below 2**63
_CHUNK = 1 << 12
_WRAP = 1 << 64  # the uint64 modulus: no reduction step at all
_LAZY_STEPS = 13  # prime residues < 2**50 may double 13 times before uint64 overflows


def shapley_shubik(
    weights: PerPlayer, quota: Any, *, exact: bool = True, players: Iterable[Any] | None = None
) -> pd.Series:
    """Shapley-Shubik power index of a weighted voting game [ShapleyShubik1954]_.

    .. math::

        \\phi_i = \\sum_{S \\subseteq N \\setminus \\{i\\},\\ i \\text{ swing for } S}
        \\frac{|S|!\\,(n - |S| - 1)!}{n!}

    the share of the :math:`n!` voting orders in which voter ``i`` turns the coalition
    from losing to winning.

    Parameters
    ----------
    weights : mapping voter -> int, pandas.Series, or sequence of int
        Non-negative integer weights. Voter labels may be any hashable and are kept in
        the result's index; a sequence is labelled by ``players`` or ``0..n-1``.
    quota : int, Fraction or float
        Winning threshold, ``0 < quota <= sum(weights)``.
    exact : bool, default True
        ``Fraction`` results when True, floats otherwise (same algorithm). Weights are
        integers, so exact input gives exact output by default (the engine's rule).
    players : sequence of hashable, optional
        Labels for a sequence of weights (or the order for a mapping/Series).

    Returns
    -------
    pandas.Series
        Index summing to 1, indexed by voter, ``name="shapley_shubik"``.

    Raises
    ------
    InvalidInputError
        Negative or non-integer weights, quota out of range.
    TooLargeError
        The ``n x min(q, W - q + 1)`` table exceeds :data:`MAX_TABLE_CELLS`.

    Examples
    --------
    The 1958 EEC Council of Ministers: Luxembourg never swings.

    >>> eec = {"FR": 4, "DE": 4, "IT": 4, "BE": 2, "NL": 2, "LU": 1}
    >>> shapley_shubik(eec, 12).tolist()
    [Fraction(7, 30), Fraction(7, 30), Fraction(7, 30), Fraction(3, 20), Fraction(3, 20),
     Fraction(0, 1)]

    Notes
    -----
    Time :math:`O(r\\, n^2 q')`, memory :math:`O(n q')`; :math:`q' = \\min(q, W-q+1)` after
    dividing weights and quota by their gcd, :math:`r \\approx 1 + (n - 64)/49` moduli.
    200 voters with weights 1..100 take well under a second, 400 a few seconds (see
    ``benchmarks/RESULTS.md``).
    """
    labels, w, q = _check_game(weights, quota, players)
    n = len(w)
    counts = _swing_counts(w, q, by_size=True)
    fact = [math.factorial(k) * math.factorial(n - 1 - k) for k in range(n)]
    total = math.factorial(n)
    by_weight: dict[int, Fraction] = {}  # equal weights have equal counts
    for x, row in zip(w, counts, strict=True):
        if x not in by_weight:
            by_weight[x] = Fraction(sum(c * f for c, f in zip(row, fact, strict=True)), total)
    return _series([by_weight[x] for x in w], labels, "shapley_shubik", exact)


def banzhaf_index(
    weights: PerPlayer, quota: Any, normalized: bool = True, *, exact: bool = True,
    players: Iterable[Any] | None = None,
) -> pd.Series:
    """Banzhaf power index of a weighted voting game [Banzhaf1965]_.

    .. math::

        \\eta_i = \\#\\{S \\subseteq N \\setminus \\{i\\} : i \\text{ swing for } S\\},
        \\qquad \\beta_i = \\frac{\\eta_i}{\\sum_j \\eta_j}
        \\quad\\text{or}\\quad \\beta'_i = \\frac{\\eta_i}{2^{n-1}}

    Parameters
    ----------
    weights : mapping voter -> int, pandas.Series, or sequence of int
        Non-negative integer weights.
    quota : int, Fraction or float
        Winning threshold, ``0 < quota <= sum(weights)``.
    normalized : bool, default True
        True: shares of all swings (sum to 1), the normalised index that voting-power
        studies report [Banzhaf1965]_ (and powerindex's ``banzhaf``). False: the absolute
        (Penrose-Banzhaf) index, the probability that ``i`` swings when every other
        voter flips a coin; it equals :func:`sharing_models.banzhaf` of the voting game,
        whose default is this raw value.
    exact : bool, default True
        ``Fraction`` results when True, floats otherwise.
    players : sequence of hashable, optional
        As :func:`shapley_shubik`.

    Returns
    -------
    pandas.Series
        Indexed by voter, ``name="banzhaf"``.

    Raises
    ------
    InvalidInputError, TooLargeError
        As :func:`shapley_shubik` (the table here is ``q'`` long, not ``n x q'``).

    Examples
    --------
    >>> banzhaf_index({"a": 2, "b": 1, "c": 1}, 3).tolist()
    [Fraction(3, 5), Fraction(1, 5), Fraction(1, 5)]
    >>> banzhaf_index({"a": 2, "b": 1, "c": 1}, 3, normalized=False).tolist()
    [Fraction(3, 4), Fraction(1, 4), Fraction(1, 4)]

    Notes
    -----
    Time :math:`O(r\\, n q')` plus :math:`O(r\\, q')` per distinct weight.
    """
    labels, w, q = _check_game(weights, quota, players)
    n = len(w)
    swings = [row[0] for row in _swing_counts(w, q, by_size=False)]
    denom = sum(swings) if normalized else 1 << (n - 1)
    return _series([Fraction(s, denom) for s in swings], labels, "banzhaf", exact)


def swing_counts(
    weights: PerPlayer, quota: Any, by_size: bool = True, *, players: Iterable[Any] | None = None
) -> pd.DataFrame:
    """Exact swing counts: coalitions of other voters that each voter turns into winners.

    .. math::

        \\eta_i(k) = \\#\\{S \\subseteq N \\setminus \\{i\\} : |S| = k,\\
        q - w_i \\le w(S) \\le q - 1\\}

    Both power indices are weighted sums of these counts; they are useful on their own
    to explain an index ("Luxembourg is never decisive").

    Parameters
    ----------
    weights, quota
        As :func:`shapley_shubik`.
    by_size : bool, default True
        One column per coalition size ``k = 0..n-1``; else one column ``"swings"``.
    players : sequence of hashable, optional
        As :func:`shapley_shubik`.

    Returns
    -------
    pandas.DataFrame
        Python ``int`` counts (they exceed ``int64`` beyond 63 voters), indexed by voter.

    Examples
    --------
    >>> swing_counts({"a": 2, "b": 1, "c": 1}, 3)  # doctest: +NORMALIZE_WHITESPACE
    size  0  1  2
    a     0  2  1
    b     0  1  0
    c     0  1  0
    >>> swing_counts({"a": 2, "b": 1, "c": 1}, 3, by_size=False)["swings"].tolist()
    [3, 1, 1]

    Notes
    -----
    Same algorithm and cost as :func:`shapley_shubik` (``by_size=True``) or
    :func:`banzhaf_index` (``by_size=False``).
    """
    labels, w, q = _check_game(weights, quota, players)
    counts = _swing_counts(w, q, by_size=by_size)
    columns = pd.Index(range(len(w)), name="size") if by_size else ["swings"]
    return pd.DataFrame(counts, index=player_index(labels), columns=columns, dtype=object)


# ---------------------------------------------------------------------- internals
def _swing_counts(weights: list[int], quota: int, *, by_size: bool) -> list[list[int]]:
    """``out[i][k]``: swings of voter ``i`` with ``k`` others (one total if not by size)."""
    n = len(weights)
    g = math.gcd(*weights)
    w = [x // g for x in weights]
    q = -(-quota // g)
    big_w = sum(w)
    flip = big_w - q + 1 < q  # count the complements instead: a shorter table
    qq = big_w - q + 1 if flip else q
    cells = n * qq if by_size else qq
    if cells > MAX_TABLE_CELLS:
        raise TooLargeError(
            f"exact voting power needs a table of {cells:,} cells for {n} voters and "
            f"quota {qq} (after dividing by gcd {g}); the limit is {MAX_TABLE_CELLS:,}. "
            "Round the weights to fewer significant digits (scale them down) first."
        )
    exact_counts = window_counts(w, qq, by_size=by_size, order=1, bits=n)
    return [row[::-1] if flip and by_size else row for row in exact_counts]


def window_counts(
    w: list[int], qq: int, *, by_size: bool, order: int, bits: int
) -> list[list[int]]:
    """Exact ``sum_{qq - w_i <= t <= qq - 1} N_i^{(order)}[k, t]`` for every ``i`` and ``k``.

    ``N_i^{(1)}[k, t]`` counts coalitions of ``k`` others with weight exactly ``t``
    (swing counts); with ``order=2`` the window holds cumulative counts, which gives
    ``sum_T min(w_i, qq - w(T))^+`` (the random-arrival rule of
    :mod:`sharing_models.claims`). ``bits`` bounds the results' size (``< 2**bits``).
    Weights must be non-negative ints; zero weights get zero rows.

    >>> window_counts([2, 1, 1], 3, by_size=True, order=1, bits=3)
    [[0, 2, 1], [0, 1, 0], [0, 1, 0]]
    """
    n = len(w)
    width = n if by_size else 1
    if qq <= 0:
        return [[0] * width for _ in w]
    distinct = sorted({x for x in w if x > 0})
    moduli = _moduli(bits)
    residues = [_residue_counts(w, qq, distinct, m, by_size, order) for m in moduli]
    exact_counts = _crt(residues, moduli)  # shape (len(distinct), width) of Python ints
    row_of = {x: r for r, x in enumerate(distinct)}
    return [[int(c) for c in exact_counts[row_of[x]]] if x else [0] * width for x in w]


def _moduli(bits: int) -> list[int]:
    """``2**64`` (free ``uint64`` wrap-around) and enough primes for results ``< 2**bits``."""
    extra = 0 if bits <= 64 else (bits - 64) // (_PRIME_BITS - 1) + 1
    return [_WRAP, *_primes(extra)]


def _residue_counts(
    w: list[int], qq: int, distinct: list[int], m: int, by_size: bool, order: int = 1
) -> np.ndarray:
    """Window counts modulo ``m`` for each distinct weight, quota ``qq`` (columns: sizes)."""
    n = len(w)
    rows = _rows_needed(w, qq) if by_size else 1
    table = _table(sorted(w, reverse=True), qq, m, rows, order)
    by_weight = np.ascontiguousarray(table.T)  # counts for one weight bound are contiguous
    out = np.zeros((len(distinct), n if by_size else 1), dtype=np.uint64)
    for r, x in enumerate(distinct):
        upper = _without(by_weight, qq - 1, x, m)
        lower = _without(by_weight, qq - 1 - x, x, m)
        out[r, :rows] = _sub_mod(upper, lower, m)
    return out


def _rows_needed(w: list[int], qq: int) -> int:
    """Coalition sizes ``0..k`` that can weigh less than ``qq`` (the lightest ``k`` fit)."""
    light = np.cumsum(sorted(min(x, qq) for x in w))  # weights >= qq never fit anyway
    return min(len(w), 1 + int(np.searchsorted(light, qq - 1, side="right")))


def _table(w_desc: list[int], qq: int, m: int, rows: int, order: int = 1) -> np.ndarray:
    """``table[k, t] = #{S : |S| = k, w(S) <= t} mod m`` (one row of all sizes if rows=1).

    ``order=2`` accumulates once more: ``sum_{u <= t} #{S : |S| = k, w(S) <= u}``.

    Voters are added heaviest first, so row ``k`` stays all zero until the ``k`` lightest
    voters added so far fit under ``qq``; those rows are skipped.
    """
    table = np.zeros((rows, qq), dtype=np.uint64)
    if order == 1:
        table[0] = 1
    else:
        table[0] = np.arange(1, qq + 1, dtype=np.uint64)
        if m != _WRAP:
            table[0] %= np.uint64(m)
    scratch = np.empty((max(rows - 1, 1), qq), dtype=np.uint64)  # no temporaries per step
    prefix = np.concatenate([[0], np.cumsum([min(x, qq) for x in w_desc])])
    first = np.searchsorted(prefix, prefix[1:] - (qq - 1), side="left")
    reach = np.arange(1, len(w_desc) + 1) - first  # most voters fitting after step j
    mu = None if m == _WRAP else np.uint64(m)
    pending = 0  # steps since the last reduction: entries stay below 2**(50 + pending)
    for j, x in enumerate(w_desc):
        top = min(int(reach[j]), rows - 1)
        if x >= qq or (rows > 1 and top == 0):
            continue
        if rows == 1:
            block, source = table[0:1, x:], table[0:1, : qq - x]
        else:
            block, source = table[1: top + 1, x:], table[0:top, : qq - x]
        shifted = scratch[: source.shape[0], : qq - x]
        np.copyto(shifted, source)  # source and block overlap: copy first
        np.add(block, shifted, out=block)
        pending += 1
        if mu is not None and pending == _LAZY_STEPS:
            np.remainder(table[: top + 1], mu, out=table[: top + 1])
            pending = 0
    if mu is not None and pending:
        np.remainder(table, mu, out=table)
    return table


def _without(by_weight: np.ndarray, t: int, x: int, m: int) -> np.ndarray:
    """``#{S ∌ i : |S| = k, w(S) <= t}`` mod ``m`` for a voter of weight ``x``, every ``k``.

    Deconvolution by ``1 + z x^w``: ``sum_j (-1)^j F[k - j, t - j x]`` where
    ``by_weight[t, k] = F[k, t]``. The rows ``t - j x`` are gathered whole, then shifted
    right by ``j`` (a skewed view of a zero-padded buffer) and summed down the columns.
    """
    rows = by_weight.shape[1]
    if t < 0:
        return np.zeros(rows, dtype=np.uint64)
    jmax = t // x if rows == 1 else min(t // x, rows - 1)
    picked = by_weight[t - np.arange(jmax + 1) * min(x, t + 1)]  # (J, rows); x > t: J = 1
    if rows == 1:
        vals = picked.T
    else:
        count, width = jmax + 1, rows + jmax + 1
        flat = np.zeros(count * (width + 1), dtype=np.uint64)
        flat.reshape(count, width + 1)[:, :rows] = picked
        vals = flat[: count * width].reshape(count, width)[:, :rows].T  # vals[k, j]
    return _sub_mod(_sum_mod(vals[:, 0::2], m), _sum_mod(vals[:, 1::2], m), m)


def _sum_mod(vals: np.ndarray, m: int) -> np.ndarray:
    """Row sums modulo ``m``; prime residues ``< 2**50`` are summed in safe chunks."""
    if m == _WRAP:
        return np.asarray(vals.sum(axis=1, dtype=np.uint64))  # wraps modulo 2**64
    mu = np.uint64(m)
    acc = np.zeros(vals.shape[0], dtype=np.uint64)
    for start in range(0, vals.shape[1], _CHUNK):
        acc = (acc + vals[:, start: start + _CHUNK].sum(axis=1, dtype=np.uint64) % mu) % mu
    return acc


def _sub_mod(a: np.ndarray, b: np.ndarray, m: int) -> np.ndarray:
    if m == _WRAP:
        return np.asarray(a - b)
    mu = np.uint64(m)
    return (a + (mu - b)) % mu


def _crt(residues: list[np.ndarray], primes: list[int]) -> np.ndarray:
    """Exact non-negative integers ``< prod(primes)`` from their residues (object array)."""
    modulus = math.prod(primes)
    acc = np.zeros(residues[0].shape, dtype=object)
    for res, p in zip(residues, primes, strict=True):
        rest = modulus // p
        acc = acc + res.astype(object) * (rest * pow(rest, -1, p))
    return acc % modulus


@lru_cache(maxsize=8)
def _primes_cached(count: int) -> tuple[int, ...]:
    found: list[int] = []
    cand = (1 << _PRIME_BITS) - 1
    while len(found) < count:
        if _is_prime(cand):
            found.append(cand)
        cand -= 2
    return tuple(found)


def _primes(count: int) -> list[int]:
    """The ``count`` largest primes below ``2**50`` (each above ``2**49``)."""
    return list(_primes_cached(count))


def _is_prime(m: int) -> bool:
    """Deterministic Miller-Rabin for ``m < 3.3e24``."""
    if m < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
    for s in small:
        if m % s == 0:
            return m == s
    d, r = m - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for a in small:
        x = pow(a, d, m)
        if x in (1, m - 1):
            continue
        for _ in range(r - 1):
            x = x * x % m
            if x == m - 1:
                break
        else:
            return False
    return True


def _check_game(
    weights: Any, quota: Any, players: Iterable[Any] | None = None
) -> tuple[list[Any], list[int], int]:
    """Validate; return voter labels, integer weights and the integer quota ``ceil(q)``."""
    labels_t, raw = per_player(weights, players=players, what="weights", who="voter")
    labels = list(labels_t)
    w = [_as_weight(x, lab) for x, lab in zip(raw, labels, strict=True)]
    total = sum(w)
    if isinstance(quota, bool) or not isinstance(quota, numbers.Real):
        raise InvalidInputError(f"quota must be a number; got {quota!r}")
    q: Any = quota  # a numbers.Real: int, Fraction, float or numpy scalar
    finite = not isinstance(q, float | np.floating) or math.isfinite(q)
    if not finite or q <= 0 or q > total:
        raise InvalidInputError(
            f"quota must be in (0, total weight {total}]; got {q}"
        )
    return labels, w, math.ceil(Fraction(q))


def _as_weight(x: Any, label: Any) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real | np.number):
        raise InvalidInputError(f"weight of voter {label!r} must be an integer; got {x!r}")
    if isinstance(x, float | np.floating) and not math.isfinite(x):
        raise InvalidInputError(f"weight of voter {label!r} must be finite; got {x}")
    x = _any(x)
    if x != int(x):
        raise InvalidInputError(
            f"weight of voter {label!r} is {x}, not an integer; exact voting power needs "
            "integer weights: scale all weights and the quota by a power of ten "
            "(e.g. 12.5% -> 125 with quota x10)"
        )
    if x < 0:
        raise InvalidInputError(f"weight of voter {label!r} must be non-negative; got {x}")
    return int(x)


def _any(x: Any) -> Any:
    """``x`` as ``Any``: a validated ``numbers.Real`` or numpy scalar (for the type checker)."""
    return x


def _series(values: list[Fraction], labels: list[Any], name: str, exact: bool) -> pd.Series:
    index = player_index(labels)
    if exact:
        out = pd.Series(values, index=index, name=name, dtype=OBJECT)
    else:
        out = pd.Series([float(v) for v in values], index=index, name=name, dtype=FLOAT)
    out.attrs.update(method=name, exact=bool(exact))
    return out
