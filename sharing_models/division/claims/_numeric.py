"""Numeric kernels of the claims rules, exact (``Fraction``/``int64``) or float.

Constrained equal awards/losses by one sorted threshold pass, and random arrival by
enumerating coalitions or by the counting tables of :mod:`sharing_models.power`.
``_cea``/``_cel`` hand a symbolic estate on to :mod:`._piecewise`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ..._kernels.game import popcounts
from ..power import window_counts
from ._input import _sum
from ._piecewise import _cea_piecewise, _cel_piecewise


def _cea(e: Any, c: Any, mode: str) -> Any:
    """Constrained equal awards for numeric claims; ``e`` may be symbolic."""
    if mode == "symbolic":
        return _cea_piecewise(e, c)
    order, paid, share = _threshold(e, c, mode)
    if mode == "float":
        return np.asarray(c, dtype=float) if paid == len(c) else np.minimum(c, share)
    out = list(c)
    for i in order[paid:]:
        out[i] = share
    return out


def _threshold(e: Any, c: Any, mode: str) -> tuple[np.ndarray, int, Any]:
    """CEA in one pass: claims sorted by ``order``; the first ``paid`` are met in full, the
    rest get ``share``. The ``k``-th smallest claim is met iff it is at most
    ``(e - sum of smaller claims) / (n - k)``, tested for all ``k`` at once."""
    n = len(c)
    if mode == "float":
        arr = np.asarray(c, dtype=float)
        order = np.argsort(arr, kind="stable")
        sorted_c = arr[order]
        before = np.concatenate([[0.0], np.cumsum(sorted_c)[:-1]])
        shares = (e - before) / (n - np.arange(n))
        over = np.flatnonzero(sorted_c > shares)
        paid = int(over[0]) if over.size else n
        return order, paid, float(shares[paid]) if paid < n else None
    scale = math.lcm(*(x.denominator for x in [e, *c]))
    ints = [int(x * scale) for x in c]
    if max(ints) * (n + 1) < 2**62:  # exact int64 sort and comparisons
        ints_arr = np.asarray(ints, dtype=np.int64)
        order = np.argsort(ints_arr, kind="stable")
        sorted_c = ints_arr[order]
        before = np.concatenate([[0], np.cumsum(sorted_c)[:-1]])
        counts = n - np.arange(n)
        over = np.flatnonzero(sorted_c * counts > int(e * scale) - before)
        paid = int(over[0]) if over.size else n
        rest = int(e * scale) - int(before[paid]) if paid < n else 0
        return order, paid, Fraction(rest, (n - paid) * scale) if paid < n else None
    order = np.asarray(sorted(range(n), key=lambda i: c[i]), dtype=np.int64)
    remaining = e
    for pos, i in enumerate(order):
        share = remaining / (n - pos)
        if c[i] > share:
            return order, pos, share
        remaining -= c[i]
    return order, n, None


def _cel(e: Any, c: list[Any], mode: str) -> Any:
    """Constrained equal losses by duality with constrained equal awards."""
    total = _sum(c, mode)
    if mode == "symbolic":
        return _cel_piecewise(e, c, total)
    order, paid, share = _threshold(total - e, c, mode)
    if mode == "float":
        arr = np.asarray(c, dtype=float)
        return np.zeros_like(arr) if paid == len(c) else np.maximum(arr - share, 0.0)
    out: list[Any] = [Fraction(0)] * len(c)
    for i in order[paid:]:
        out[i] = c[i] - share
    return out


def _random_arrival(e: Any, c: list[Any], mode: str) -> list[Any]:
    n = len(c)
    if mode == "exact":
        scale = math.lcm(*(x.denominator for x in [e, *c]))
        ints = [int(x * scale) for x in c]
        dtype: Any = np.int64 if sum(ints) < 2**62 else object
        claims_arr = np.array(ints, dtype=dtype)
        e_arr: Any = int(e * scale)
    else:
        claims_arr, e_arr = np.asarray(c, dtype=float), float(e)
    sums = np.zeros(1 << n, dtype=claims_arr.dtype)
    for i in range(n):
        sums[1 << i: 1 << (i + 1)] = sums[: 1 << i] + claims_arr[i]
    size = popcounts(n)
    order = np.argsort(size, kind="stable")
    fact = [math.factorial(k) * math.factorial(n - 1 - k) for k in range(n)]
    out: list[Any] = []
    for i in range(n):
        sel = order[(order >> i) & 1 == 0]  # outsiders T not containing i, grouped by |T|
        starts = np.searchsorted(size[sel], np.arange(n))
        gain = np.minimum(np.maximum(e_arr - sums[sel], 0), claims_arr[i])
        group = _group_sums(gain, starts)
        if mode == "exact":
            num = sum(int(g) * f for g, f in zip(group, fact, strict=True))
            out.append(Fraction(num, math.factorial(n) * scale))
        else:
            out.append(float(np.dot(group, np.asarray(fact, float) / math.factorial(n))))
    return out


def _as_integers(e: Fraction, c: list[Fraction]) -> tuple[list[int], int, Fraction]:
    """Claims and estate as integers in the largest common unit (``value = int * unit``)."""
    scale = math.lcm(*(x.denominator for x in [e, *c]))
    ints = [int(x * scale) for x in c]
    estate_int = int(e * scale)
    g = math.gcd(estate_int, *ints) or 1
    return [x // g for x in ints], estate_int // g, Fraction(g, scale)


def _random_arrival_tables(ints: list[int], estate_int: int, unit: Fraction) -> list[Fraction]:
    """Random arrival by generating functions: ``sum_T min(c_i, E - c(T))^+`` per size.

    The doubly cumulative counting table of :mod:`sharing_models.power` gives, for each
    claimant and each number ``k`` of later arrivals, the total payment over those sets
    exactly; :math:`O(r\\, n^2 E)` in units of the claims' gcd.
    """
    n = len(ints)
    bits = n + estate_int.bit_length() + 1
    sums = window_counts(ints, estate_int, by_size=True, order=2, bits=bits)
    fact = [math.factorial(k) * math.factorial(n - 1 - k) for k in range(n)]
    total = math.factorial(n)
    return [Fraction(sum(s * f for s, f in zip(row, fact, strict=True)), total) * unit
            for row in sums]


def _group_sums(gain: np.ndarray, starts: np.ndarray) -> list[Any]:
    """Exact per-size sums; int64 values are split in 31-bit halves so sums cannot overflow."""
    if gain.dtype != np.int64:
        return list(np.add.reduceat(gain, starts))
    lo = np.add.reduceat(gain & ((1 << 31) - 1), starts)
    hi = np.add.reduceat(gain >> 31, starts)
    return [(int(h) << 31) + int(lo_) for h, lo_ in zip(hi, lo, strict=True)]
