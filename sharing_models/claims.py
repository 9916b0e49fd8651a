"""Claims (bankruptcy) rules: dividing an estate ``E`` among claims ``c`` with ``E <= sum c``.

A claims problem [ONeill1982]_ arises when a consortium winds up, a shared budget falls
short of what partners requested, or a licence income must repay several funders. Every
rule here is *efficient* (awards sum to ``E``), *bounded* (``0 <= x_i <= c_i``) and
*order preserving* (larger claims get at least as much and lose at least as much); see
[Thomson2003]_ for the axioms and [AumannMaschler1985]_ for the Talmud rule.

Exact input (``int``, ``Fraction``, sympy rationals) gives ``Fraction`` awards; any float
makes the result float. A sympy *estate* (e.g. ``sympy.Symbol("E", nonnegative=True)``)
gives symbolic awards: :func:`proportional` accepts symbolic claims too; the
piecewise-linear rules (:func:`constrained_equal_awards`, :func:`constrained_equal_losses`,
:func:`talmud`, :func:`random_arrival`) return :class:`sympy.Piecewise` awards in the
estate and need numeric claims, since they compare claims.
With a symbolic estate the bounds ``0 <= E <= sum c`` are checked only when sympy can
decide them, and the formulas assume them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import InvalidInputError, TooLargeError
from .game import popcounts
from .power import MAX_TABLE_CELLS, window_counts

__all__ = [
    "MAX_RANDOM_ARRIVAL",
    "MAX_RANDOM_ARRIVAL_SYMBOLIC",
    "RULES",
    "compare_rules",
    "constrained_equal_awards",
    "constrained_equal_losses",
    "proportional",
    "random_arrival",
    "talmud",
]

#: Most claimants for which :func:`random_arrival` enumerates all ``2**n`` coalitions (the
#: only method for float claims; exact claims beyond this use counting tables).
MAX_RANDOM_ARRIVAL = 22

#: Most claimants for a symbolic estate in :func:`random_arrival` (pieces grow as ``2**n``).
MAX_RANDOM_ARRIVAL_SYMBOLIC = 12


def proportional(estate: Any, claims: Any) -> pd.Series:
    """Proportional rule: awards in proportion to claims [Thomson2003]_.

    .. math:: x_i = \\frac{c_i}{\\sum_j c_j} E

    Parameters
    ----------
    estate : number or sympy expression
        Amount to divide, ``0 <= estate <= sum(claims)``.
    claims : mapping claimant -> number (or sympy expression), or pandas.Series
        Non-negative claims.

    Returns
    -------
    pandas.Series
        Awards indexed by claimant, ``name="proportional"``.

    Raises
    ------
    InvalidInputError
        Empty or negative claims, negative estate, estate above the total claims.

    Examples
    --------
    >>> proportional(200, {"a": 100, "b": 200, "c": 300}).tolist()
    [Fraction(100, 3), Fraction(200, 3), Fraction(100, 1)]

    Notes
    -----
    :math:`O(n)`. Works symbolically for any sympy estate and claims.
    """
    e, c, labels, mode = _prepare(estate, claims)
    total = _sum(c, mode)
    if _is_zero(total):
        awards: Any = [_zero(mode)] * len(c)
    elif mode == "float":
        awards = np.asarray(c, dtype=float) * (e / total)
    else:
        awards = [e * ci / total for ci in c]
    return _series(awards, labels, "proportional", mode)


def constrained_equal_awards(estate: Any, claims: Any) -> pd.Series:
    """Constrained equal awards: equal shares, capped by each claim (Maimonides).

    .. math:: x_i = \\min(c_i, \\lambda), \\qquad \\sum_i \\min(c_i, \\lambda) = E

    Parameters and errors as :func:`proportional`; claims must be numeric.

    Returns
    -------
    pandas.Series
        ``name="constrained_equal_awards"``.

    Examples
    --------
    >>> constrained_equal_awards(200, {"a": 100, "b": 200, "c": 300}).tolist()
    [Fraction(200, 3), Fraction(200, 3), Fraction(200, 3)]
    >>> import sympy
    >>> x = sympy.Symbol("x", nonnegative=True)
    >>> constrained_equal_awards(x, {"a": 100, "b": 200})["b"]
    Piecewise((x/2, x <= 200), (x - 100, x <= 300), (200, True))

    Notes
    -----
    :math:`O(n \\log n)` (sort the claims) [Thomson2003]_. With a symbolic estate each
    award is a ``Piecewise`` with a breakpoint where ``lambda`` reaches a smaller claim.
    """
    e, c, labels, mode = _prepare(estate, claims)
    _require_numeric_claims(c, mode, "constrained_equal_awards")
    return _series(_cea(e, c, mode), labels, "constrained_equal_awards", mode)


def constrained_equal_losses(estate: Any, claims: Any) -> pd.Series:
    """Constrained equal losses: equal losses, awards floored at zero.

    .. math:: x_i = \\max(0, c_i - \\mu), \\qquad \\sum_i \\max(0, c_i - \\mu) = E

    It is the dual of constrained equal awards:
    ``CEL(E, c) = c - CEA(sum(c) - E, c)`` [Thomson2003]_.

    Returns
    -------
    pandas.Series
        ``name="constrained_equal_losses"``.

    Examples
    --------
    >>> constrained_equal_losses(200, {"a": 100, "b": 200, "c": 300}).tolist()
    [Fraction(0, 1), Fraction(50, 1), Fraction(150, 1)]

    Notes
    -----
    :math:`O(n \\log n)`. Parameters, errors and symbolic support as
    :func:`constrained_equal_awards`.
    """
    e, c, labels, mode = _prepare(estate, claims)
    _require_numeric_claims(c, mode, "constrained_equal_losses")
    return _series(_cel(e, c, mode), labels, "constrained_equal_losses", mode)


def talmud(estate: Any, claims: Any) -> pd.Series:
    """Talmud rule of Aumann and Maschler [AumannMaschler1985]_.

    .. math::

        x = \\begin{cases}
        \\mathrm{CEA}(E, c/2) & E \\le \\sum c / 2 \\\\
        c/2 + \\mathrm{CEL}(E - \\sum c / 2,\\ c/2) & \\text{otherwise}
        \\end{cases}

    It extends the contested-garment principle consistently to any number of claimants
    and is the nucleolus of the bankruptcy game.

    Returns
    -------
    pandas.Series
        ``name="talmud"``.

    Examples
    --------
    The three estates of the Mishnah, Ketubot 93a:

    >>> [talmud(e, {"a": 100, "b": 200, "c": 300}).tolist() for e in (100, 200, 300)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [[Fraction(100, 3), Fraction(100, 3), Fraction(100, 3)],
     [Fraction(50, 1), Fraction(75, 1), Fraction(75, 1)],
     [Fraction(50, 1), Fraction(100, 1), Fraction(150, 1)]]

    Notes
    -----
    :math:`O(n \\log n)`. Parameters, errors and symbolic support as
    :func:`constrained_equal_awards`.
    """
    e, c, labels, mode = _prepare(estate, claims)
    _require_numeric_claims(c, mode, "talmud")
    total = _sum(c, mode)
    half: Any = np.asarray(c, dtype=float) / 2 if mode == "float" else [ci / 2 for ci in c]
    if mode == "symbolic":
        awards = _talmud_piecewise(e, c, total)
    elif e <= total / 2:
        awards = _cea(e, half, mode)
    elif mode == "float":
        awards = half + _cel(e - total / 2, half, mode)
    else:
        awards = [h + x for h, x in zip(half, _cel(e - total / 2, half, mode), strict=True)]
    return _series(awards, labels, "talmud", mode)


def random_arrival(estate: Any, claims: Any) -> pd.Series:
    """Random arrival rule [ONeill1982]_: claimants arrive in a uniformly random order and
    each is paid in full until the estate runs out; awards are the expected payments.

    It equals the Shapley value of the bankruptcy game
    :math:`v(S) = \\max(0, E - \\sum_{j \\notin S} c_j)`:

    .. math::

        x_i = \\sum_{T \\subseteq N \\setminus \\{i\\}} \\frac{|T|!\\,(n-|T|-1)!}{n!}
        \\min\\bigl(c_i, \\max(0, E - c(T))\\bigr)

    where ``T`` is the set of claimants arriving *after* ``i`` (their claims are what the
    estate must leave aside for ``i`` to be the marginal claimant).

    Returns
    -------
    pandas.Series
        ``name="random_arrival"``.

    Raises
    ------
    InvalidInputError
        As :func:`proportional`; symbolic claims (a symbolic estate is fine).
    TooLargeError
        More than :data:`MAX_RANDOM_ARRIVAL` float claims, or exact claims whose
        counting table (claimants x estate in units of the gcd) is too large, or more
        than :data:`MAX_RANDOM_ARRIVAL_SYMBOLIC` claimants with a symbolic estate.

    Examples
    --------
    >>> random_arrival(200, {"a": 100, "b": 200, "c": 300}).tolist()
    [Fraction(100, 3), Fraction(250, 3), Fraction(250, 3)]

    With a symbolic estate each award is a continuous piecewise-linear ``Piecewise``:

    >>> import sympy
    >>> E = sympy.Symbol("E", nonnegative=True)
    >>> random_arrival(E, {"a": 100, "b": 200})["a"]
    Piecewise((E/2, E <= 100), (50, E <= 200), (E/2 - 50, True))

    Notes
    -----
    Two exact methods, whichever is cheaper. Enumeration: :math:`O(n\\, 2^n)` in ``int64``
    on claims scaled to integers (also floats; 22 claimants take about a second). Counting
    tables (``int``/``Fraction`` input): with claims and estate in units of their gcd,
    :math:`O(r\\, n^2 E)` by the generating functions of :mod:`sharing_models.power`
    (``sum_T min(c_i, E - c(T))^+`` by coalition size, from a doubly cumulative table),
    so 200 claimants with estate 3,000 units take well under a second. Symbolic estate:
    the award of ``i`` is :math:`\\sum_P w_P \\min(c_i, (E - P)^+)` over the distinct
    sums ``P`` of later arrivals' claims, so its slope steps up by ``w_P`` at ``E = P``
    and down at ``E = P + c_i``; one sweep over those breakpoints gives the pieces,
    :math:`O(n\\, 2^n)` at worst.
    """
    e, c, labels, mode = _prepare(estate, claims)
    if mode == "symbolic":
        _require_numeric_claims(c, mode, "random_arrival")
        if len(c) > MAX_RANDOM_ARRIVAL_SYMBOLIC:
            raise TooLargeError(
                f"random_arrival with a symbolic estate on {len(c)} claimants: at most "
                f"{MAX_RANDOM_ARRIVAL_SYMBOLIC} (the formula has up to 2**n pieces); "
                "substitute a number for the estate, or use talmud (O(n) pieces)"
            )
        return _series(_random_arrival_piecewise(e, c), labels, "random_arrival", mode)
    if mode == "exact":
        ints, estate_int, unit = _as_integers(e, c)
        if _prefer_tables(len(c), estate_int):
            return _series(_random_arrival_tables(ints, estate_int, unit), labels,
                           "random_arrival", mode)
    if len(c) > MAX_RANDOM_ARRIVAL:
        raise TooLargeError(
            f"random_arrival on {len(c)} claimants: enumerating 2**n coalitions allows at "
            f"most {MAX_RANDOM_ARRIVAL}, and the exact counting tables need int/Fraction "
            f"input with (claimants x estate in units of the claims' gcd) at most "
            f"{MAX_TABLE_CELLS:,}. Round the claims to a coarser unit, or use talmud "
            "(the nucleolus of the same game), which is O(n log n)."
        )
    return _series(_random_arrival(e, c, mode), labels, "random_arrival", mode)


# ---------------------------------------------------------------------- rule kernels
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


def _cea_pieces(e: Any, c: list[Any]) -> list[list[tuple[Any, Any]]]:
    """Per claimant, the ``(lambda(e), e <= end)`` pieces of CEA before its claim is met."""
    import sympy

    n = len(c)
    order = sorted(range(n), key=lambda i: c[i])
    segments: list[tuple[Any, Any]] = []  # (lambda on the segment, estate at its end)
    below = sympy.Integer(0)
    for pos, i in enumerate(order):
        lam = sympy.expand((e - below) / (n - pos))
        segments.append((lam, sympy.Le(e, below + (n - pos) * c[i])))
        below += c[i]
    out: list[list[tuple[Any, Any]]] = [[] for _ in range(n)]
    for pos, i in enumerate(order):
        out[i] = segments[: pos + 1]
    return out


def _cea_piecewise(e: Any, c: list[Any]) -> list[Any]:
    """CEA awards as ``Piecewise`` functions of a symbolic estate."""
    import sympy

    return [sympy.Piecewise(*pieces, (ci, True))
            for pieces, ci in zip(_cea_pieces(e, c), c, strict=True)]


def _cel_piecewise(e: Any, c: list[Any], total: Any) -> list[Any]:
    """CEL as ``c - CEA(sum c - e, c)``, built piece by piece (no nested Piecewise)."""
    import sympy

    return [sympy.Piecewise(*[(sympy.expand(ci - lam), cond) for lam, cond in pieces],
                            (0, True))
            for pieces, ci in zip(_cea_pieces(total - e, c), c, strict=True)]


def _talmud_piecewise(e: Any, c: list[Any], total: Any) -> list[Any]:
    """CEA on half-claims up to ``sum c / 2``, then the dual pieces, in one Piecewise."""
    import sympy

    half = [ci / 2 for ci in c]
    low = _cea_pieces(e, half)
    high = _cea_pieces(total - e, half)
    out = []
    for i, ci in enumerate(c):
        dual = [(sympy.expand(ci - lam), cond) for lam, cond in high[i]]
        out.append(sympy.Piecewise(*low[i], (half[i], sympy.Le(e, total / 2)), *dual,
                                   (half[i], True)))
    return out


def _cel(e: Any, c: list[Any], mode: str) -> list[Any]:
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


def _random_arrival_piecewise(e: Any, c: list[Any]) -> list[Any]:
    """Random arrival awards as continuous piecewise-linear ``Piecewise`` in the estate."""
    import sympy

    def rat(x: Fraction) -> Any:
        return sympy.Rational(x.numerator, x.denominator)

    n = len(c)
    exact = [Fraction(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in c]
    total = sum(exact, Fraction(0))
    out = []
    for i in range(n):
        states: dict[tuple[int, Fraction], int] = {(0, Fraction(0)): 1}  # (|T|, c(T)) -> count
        for j in range(n):
            if j != i:
                for (k, p), cnt in list(states.items()):
                    states[k + 1, p + exact[j]] = states.get((k + 1, p + exact[j]), 0) + cnt
        step: dict[Fraction, Fraction] = {}  # slope change at each breakpoint
        for (k, p), cnt in states.items():
            w = Fraction(cnt * math.factorial(k) * math.factorial(n - 1 - k), math.factorial(n))
            step[p] = step.get(p, Fraction(0)) + w
            step[p + exact[i]] = step.get(p + exact[i], Fraction(0)) - w
        pieces: list[list[Fraction]] = []  # [start, value at start, slope, end]
        x0, y0, slope = Fraction(0), Fraction(0), step.get(Fraction(0), Fraction(0))
        for b in [*sorted(x for x in step if 0 < x < total), total]:
            if pieces and pieces[-1][2] == slope:
                pieces[-1][3] = b  # same line: extend the last piece
            else:
                pieces.append([x0, y0, slope, b])
            x0, y0 = b, y0 + slope * (b - x0)
            slope += step.get(b, Fraction(0))
        if not pieces:  # total == 0: every claim is zero
            pieces = [[Fraction(0), Fraction(0), Fraction(0), Fraction(0)]]
        lines = [sympy.expand(rat(y) + rat(sl) * (e - rat(x))) for x, y, sl, _ in pieces]
        args = [(line, sympy.Le(e, rat(p[3]))) for line, p in zip(lines[:-1], pieces,
                                                                   strict=False)]
        out.append(sympy.Piecewise(*args, (lines[-1], True)))
    return out


def _as_integers(e: Fraction, c: list[Fraction]) -> tuple[list[int], int, Fraction]:
    """Claims and estate as integers in the largest common unit (``value = int * unit``)."""
    scale = math.lcm(*(x.denominator for x in [e, *c]))
    ints = [int(x * scale) for x in c]
    estate_int = int(e * scale)
    g = math.gcd(estate_int, *ints) or 1
    return [x // g for x in ints], estate_int // g, Fraction(g, scale)


def _prefer_tables(n: int, estate_int: int) -> bool:
    """Counting tables when they fit and cost less than enumerating ``2**n`` coalitions."""
    cells = n * estate_int
    if cells > MAX_TABLE_CELLS:
        return False
    return n > MAX_RANDOM_ARRIVAL or cells * n * (1 + n // 50) < n * 2**n


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


# ---------------------------------------------------------------------- input handling
def _prepare(estate: Any, claims: Any) -> tuple[Any, list[Any], list[Any], str]:
    """Validate; return estate, claims, labels and the mode exact/float/symbolic."""
    labels, raw = _labelled(claims)
    e = _number(estate, "estate")
    values = None
    if {type(x) for x in raw} <= {float, int, np.float64, np.int64}:  # fast common case
        values = _plain_numbers(raw, labels)
    if values is None:
        values = [_number(x, f"claim of {lab!r}") for x, lab in zip(raw, labels, strict=True)]
    kinds = {type(x) for x in values} | {type(e)}
    if any(_is_symbolic_type(t) for t in kinds):
        import sympy

        mode = "symbolic"
        e, *values = (x if _is_symbolic(x) else sympy.nsimplify(x) for x in [e, *values])
    elif float in kinds:
        mode = "float"
        e, values = float(e), [float(x) for x in values]
    else:
        mode = "exact"
        e, values = Fraction(e), [Fraction(x) for x in values]
    _check_bounds(e, values, labels, mode)
    if mode == "float":
        e = min(e, math.fsum(values))  # absorb rounding in a total computed elsewhere
    return e, values, labels, mode


def _labelled(claims: Any) -> tuple[list[Any], list[Any]]:
    if isinstance(claims, pd.Series):
        labels, raw = list(claims.index), list(claims.to_numpy())
    elif isinstance(claims, Mapping):
        labels, raw = list(claims.keys()), list(claims.values())
    elif isinstance(claims, Iterable) and not isinstance(claims, (str, bytes)):
        raw = list(claims)
        labels = list(range(len(raw)))
    else:
        raise InvalidInputError(f"claims must be a mapping claimant -> claim; got {claims!r}")
    if not raw:
        raise InvalidInputError("claims must name at least one claimant")
    if len(set(labels)) != len(labels):
        raise InvalidInputError("claimant labels must be unique")
    return labels, raw


def _plain_numbers(raw: list[Any], labels: list[Any]) -> list[Any] | None:
    """Python/numpy ints and floats, checked finite in one vectorised pass (None when an
    int is too large for a float: the caller checks one by one)."""
    try:
        arr = np.asarray(raw, dtype=float)
    except OverflowError:
        return None
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        raise InvalidInputError(f"claim of {labels[i]!r} must be finite; got {raw[i]}")
    return [float(x) if isinstance(x, float) else int(x) for x in raw]


def _number(x: Any, what: str) -> Any:
    """Plain ``int``/``Fraction``/``float`` or a sympy expression; anything else is an error."""
    if _is_symbolic(x):
        if getattr(x, "is_Rational", False):
            return Fraction(int(x.p), int(x.q))
        if getattr(x, "is_Float", False):
            return float(x)
        return x
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise InvalidInputError(f"{what} must be a number; got {x!r}")
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, Fraction):
        return x
    x = float(x)
    if not math.isfinite(x):
        raise InvalidInputError(f"{what} must be finite; got {x}")
    return x


def _check_bounds(e: Any, c: list[Any], labels: list[Any], mode: str) -> None:
    if mode == "float":
        negative = np.flatnonzero(np.asarray(c, dtype=float) < 0)
        first = int(negative[0]) if negative.size else None
    else:
        first = next((i for i, x in enumerate(c) if _known(x < 0)), None)
    if first is not None:
        raise InvalidInputError(
            f"claim of {labels[first]!r} is negative ({c[first]}); claims must be >= 0"
        )
    if _known(e < 0):
        raise InvalidInputError(f"estate must be non-negative; got {e}")
    total = _sum(c, mode)
    slack = 1e-12 * max(1.0, abs(total)) if mode == "float" else 0
    if _known(e > total + slack):
        raise InvalidInputError(
            f"estate {e} exceeds the total claims {total}; a claims problem needs "
            "0 <= estate <= sum of claims (pay every claim in full instead)"
        )


def _known(relation: Any) -> bool:
    """True only when a (possibly sympy) comparison is decidably true."""
    try:
        return bool(relation)
    except TypeError:
        return False


def _require_numeric_claims(c: list[Any], mode: str, rule: str) -> None:
    if mode == "symbolic" and not all(x.is_number for x in c):
        raise InvalidInputError(
            f"{rule} compares claims, so claims must be numbers; only the estate may be "
            "symbolic (proportional accepts symbolic claims)"
        )


def _is_symbolic(x: Any) -> bool:
    return _is_symbolic_type(type(x))


def _is_symbolic_type(t: type) -> bool:
    return t.__module__.startswith("sympy")


def _sum(c: list[Any], mode: str) -> Any:
    if mode == "float":
        return math.fsum(c)
    return sum(c, Fraction(0)) if mode == "exact" else sum(c)


def _zero(mode: str) -> Any:
    return 0.0 if mode == "float" else Fraction(0)


def _is_zero(x: Any) -> bool:
    return _known(x == 0)


def _series(awards: list[Any], labels: list[Any], name: str, mode: str) -> pd.Series:
    if mode == "float":
        return pd.Series(awards, index=labels, name=name, dtype=float)
    return pd.Series(awards, index=labels, name=name, dtype=object)


#: Every rule by name, e.g. for comparing them side by side in one DataFrame.
RULES: dict[str, Callable[[Any, Any], pd.Series]] = {
    "proportional": proportional,
    "constrained_equal_awards": constrained_equal_awards,
    "constrained_equal_losses": constrained_equal_losses,
    "talmud": talmud,
    "random_arrival": random_arrival,
}


def compare_rules(estate: Any, claims: Any, rules: Iterable[str] | None = None) -> pd.DataFrame:
    """Awards of several claims rules side by side, one column per rule.

    Parameters
    ----------
    estate, claims
        As :func:`proportional`.
    rules : iterable of str, optional
        Names from :data:`RULES` (default: all of them, in that order).

    Returns
    -------
    pandas.DataFrame
        Indexed by claimant, one column per rule.

    Raises
    ------
    InvalidInputError
        Unknown rule name, or any error of the rules themselves.

    Examples
    --------
    >>> compare_rules(200, {"a": 100, "b": 200, "c": 300}, ["talmud", "proportional"])
      talmud proportional
    a     50        100/3
    b     75        200/3
    c     75          100

    Notes
    -----
    The cost of the slowest rule requested (random arrival: :math:`O(n\\, 2^n)`).
    """
    names = list(RULES) if rules is None else list(rules)
    unknown = [r for r in names if r not in RULES]
    if unknown or not names:
        raise InvalidInputError(f"unknown claims rule(s) {unknown}; choose from {list(RULES)}")
    return pd.concat([RULES[r](estate, claims) for r in names], axis=1)
