r"""The Shapley-value kernel: the size-weighted per-player sums over a worth array.

With :math:`w(s) = s!\,(n-s-1)!/n!` the Shapley value is

.. math::

    \phi_i(v) = \sum_{S \subseteq N \setminus \{i\}} w(|S|)\,\bigl(v(S \cup \{i\}) - v(S)\bigr)
              = \sum_{S \ni i} v(S)\,\bigl(w(|S|-1) + w(|S|)\bigr) - \sum_{S} v(S)\,w(|S|),

(with :math:`w(-1) = w(n) = 0`), so every player's value is one *size-weighted sum over the
coalitions that contain it*, minus one constant. :func:`_weighted_bit_sums` computes those
``n`` sums for all players at once in one streaming pass: it views the worth array as a
:math:`2^{h} \times 2^{l}` matrix (high bits by low bits, :math:`h + l = n`), weights
cache-sized blocks of rows from a small table, and accumulates column sums and row
totals; no :math:`2^n`-sized temporary is made. :func:`sharing_models.shapley`, Banzhaf,
weighted Shapley, Owen and Myerson share it, with the input checks and result helpers
below (``use_exact``, ``float_values``, ``exact_values``, ``to_series``).

References: [Shapley1953]_, [PelegSudholter2007]_.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import TooLargeError
from .game import GameBase, require_game
from .inputs import OBJECT, player_index

__all__ = ["EXACT_MAX_PLAYERS", "exact_values", "float_values", "resolve_exact", "shapley_array",
           "to_series", "use_exact"]

#: Largest number of players for ``exact=True`` (rational or symbolic arithmetic).
EXACT_MAX_PLAYERS = 20


def shapley_array(values: np.ndarray, n: int, exact: bool = False) -> Any:
    """Shapley value of a raw worth array (bit ``i`` = player ``i``); ``v(∅)`` may be nonzero.

    Float mode takes a float64 array and returns an ndarray; exact mode takes an object
    array and returns a list. Used by the Owen and Myerson values.

    >>> shapley_array(np.array([0.0, 1.0, 1.0, 4.0]), 2).tolist()
    [2.0, 2.0]
    """
    if exact:
        cq, wq = _size_weights_exact(n)
        sq, bq = _exact_bit_sums(values, n, cq, wq)
        return [x - bq for x in sq]
    c, w = _size_weights(n)
    s, b = _weighted_bit_sums(values, n, c, w)
    return s - b


# ---------------------------------------------------------------------- size weights
@functools.lru_cache(maxsize=64)
def _size_weights(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``c[s] = w(s-1) + w(s)`` and ``w[s]`` for ``s = 0..n`` (``w(-1) = w(n) = 0``); read-only."""
    w = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)] + [0.0])
    c = w.copy()
    c[1:] += w[:-1]
    c.flags.writeable = w.flags.writeable = False
    return c, w


def _size_weights_exact(n: int) -> tuple[list[Fraction], list[Fraction]]:
    w = [Fraction(1, n * math.comb(n - 1, s)) for s in range(n)] + [Fraction(0)]
    c = [w[0]] + [w[s - 1] + w[s] for s in range(1, n + 1)]
    return c, w


# ---------------------------------------------------------------------- float kernel
#: Elements per chunk of the worth matrix (512 KiB of float64: stays in cache).
_CHUNK = 1 << 16
#: Low bits per row of the worth matrix.
_LOW_BITS = 10


@functools.lru_cache(maxsize=16)
def _popcount(k: int) -> np.ndarray:
    """Sizes of the coalitions ``0 .. 2**k - 1`` (read-only, cached)."""
    out = np.bitwise_count(np.arange(1 << k, dtype=np.uint32)).astype(np.intp)
    out.flags.writeable = False
    return out


def _weighted_bit_sums(
    v: np.ndarray, n: int, c: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, float]:
    """``s[i] = sum_{S ∋ i} v[S] c[|S|]`` for every ``i`` and ``B = sum_S v[S] w[|S|]``.

    ``v`` (float64, length ``2**n``) is viewed as a ``2**hi x 2**lo`` matrix ``V`` (row =
    high bits, column = low bits, ``lo <= 10``). Row ``r`` needs the weights
    ``c[popcount(r) + popcount(col)]``: one row of a small ``(hi + 1) x 2**lo`` table.
    Cache-sized blocks of rows are weighted with it, and their column sums (coalitions
    by low bits) and row totals (by high bits) accumulated; the per-bit sums of those two
    short vectors come from halving. One streaming pass over ``v``, plain numpy (no
    BLAS threads, so timings do not degrade on a busy machine).

    >>> v = np.arange(8.0)
    >>> s, b = _weighted_bit_sums(v, 3, np.ones(4), np.ones(4))
    >>> s.tolist(), b  # sums over masks with bit i set; total
    ([16.0, 18.0, 22.0], 28.0)
    """
    lo = min(n, _LOW_BITS)
    hi = n - lo
    V = np.ascontiguousarray(v, dtype=float).reshape(1 << hi, 1 << lo)
    pc_hi = _popcount(hi)
    sizes = np.arange(hi + 1)[:, None] + _popcount(lo)[None, :]  # (hi + 1, 2**lo)
    c_rows, w_rows = c[sizes], w[sizes]
    step = max(1, _CHUNK >> lo)
    cols = np.zeros(1 << lo)
    rows = np.empty(1 << hi)
    total = 0.0
    for r0 in range(0, 1 << hi, step):
        block, k = V[r0:r0 + step], pc_hi[r0:r0 + step]
        weighted = block * c_rows[k]
        cols += weighted.sum(axis=0)
        rows[r0:r0 + step] = weighted.sum(axis=1)
        total += float(np.sum(block * w_rows[k]))
    out = np.empty(n)
    out[:lo] = _halving_sums(cols, lo)
    out[lo:] = _halving_sums(rows, hi)
    return out, total


# ---------------------------------------------------------------------- exact kernel
def _exact_bit_sums(v: np.ndarray, n: int, c: list[Any], w: list[Any]) -> tuple[list[Any], Any]:
    """Exact version of :func:`_weighted_bit_sums` on an object array.

    Fraction worths are scaled to integers on a common denominator first (integer
    arithmetic is far faster than Fraction arithmetic); symbolic worths are summed as is.
    Per-bit sums come from repeated halving: the upper half of the array holds the
    coalitions with the top bit set.

    >>> v = np.array([Fraction(k, 2) for k in range(8)], dtype=object)
    >>> s, b = _exact_bit_sums(v, 3, [1] * 4, [1] * 4)
    >>> [str(x) for x in s], str(b)
    (['8', '9', '11'], '14')
    """
    pc = _popcount(n)
    if all(type(x) is Fraction for x in v):
        den = math.lcm(*(x.denominator for x in v))
        wden = math.lcm(*(Fraction(x).denominator for x in [*c, *w]))
        nums = np.empty(v.shape[0], dtype=object)
        nums[:] = [x.numerator * (den // x.denominator) for x in v]
        ci = np.empty(n + 1, dtype=object)
        ci[:] = [int(Fraction(x) * wden) for x in c]
        wi = np.empty(n + 1, dtype=object)
        wi[:] = [int(Fraction(x) * wden) for x in w]
        s, b = _halving_sums(nums * ci[pc], n), (nums * wi[pc]).sum()
        scale = den * wden
        return [Fraction(x, scale) for x in s], Fraction(b, scale)
    co = np.empty(n + 1, dtype=object)
    co[:] = list(c)
    wo = np.empty(n + 1, dtype=object)
    wo[:] = list(w)
    return _halving_sums(v * co[pc], n), (v * wo[pc]).sum()


def _halving_sums(a: np.ndarray, n: int) -> list[Any]:
    out: list[Any] = [0] * n
    for bit in range(n - 1, -1, -1):
        halves = a.reshape(2, -1)
        out[bit] = halves[1].sum()
        a = halves[0] + halves[1]
    return out


# ---------------------------------------------------------------------- shared helpers
def _check_game(game: Any, concept: str = "shapley") -> int:
    n: int = require_game(game, concept).n
    return n


def is_symbolic(values: np.ndarray) -> bool:
    """True when some worth is a sympy expression."""
    return values.dtype == object and any(
        type(x).__module__.startswith("sympy") for x in values
    )


def resolve_exact(
    game: GameBase, exact: bool | None, method: str, limit: int = EXACT_MAX_PLAYERS
) -> bool:
    """The engine's one exactness rule: exact in, exact out; ``exact=`` overrides.

    ``exact=None`` means "as the input": exact (``int``, ``Fraction``, sympy) worths give
    exact results, float worths float results. Symbolic worths are always exact. Where
    exact arithmetic is needed beyond ``limit`` players, :class:`TooLargeError` names the
    limit and the float alternative: the result type never changes silently with size.
    """
    want = game.exact if exact is None else bool(exact)
    want = want or is_symbolic(game.values)
    if want and game.n > limit:
        why = "exact=True was asked for" if exact else "the game's worths are exact"
        raise TooLargeError(
            f"{method}: exact (Fraction) arithmetic supports at most {limit} players and "
            f"{why}; the game has {game.n}. Pass exact=False for float64 results (or "
            "build the game with float worths, game.to_float())."
        )
    return want


def use_exact(game: GameBase, exact: bool | None) -> bool:
    """Exact arithmetic when asked for, and always for symbolic worths (no size check)."""
    return bool(exact) or is_symbolic(game.values)


def float_values(game: GameBase) -> np.ndarray:
    """The worths as a float64 array (exact worths are rounded)."""
    if game.values.dtype == object:
        return np.array([float(x) for x in game.values])
    return game.values


def exact_values(game: GameBase, method: str) -> np.ndarray:
    """The worths as an object array of Fractions (floats converted exactly) or sympy."""
    if game.n > EXACT_MAX_PLAYERS:
        raise TooLargeError(
            f"{method}(..., exact=True) supports at most {EXACT_MAX_PLAYERS} players; "
            f"the game has {game.n}. Use {method}(game) (float64, exact=False) instead."
        )
    if game.values.dtype == object:
        return game.values
    out = np.empty(game.values.shape[0], dtype=object)
    out[:] = [Fraction(float(x)) for x in game.values]
    return out


def simplify(x: Any) -> Any:
    """Simplify a sympy result; rational numbers come back as Fractions."""
    if type(x).__module__.startswith("sympy"):
        import sympy

        x = sympy.simplify(x)
        if x.is_Rational:
            return Fraction(int(x.p), int(x.q))
        return x
    if isinstance(x, int):
        return Fraction(x)
    return x


def to_series(game: GameBase, values: Any, name: str, exact: bool = False) -> pd.Series:
    """Result Series indexed by the players; exact values stay Python objects.

    ``attrs`` records ``method`` (the concept) and ``exact`` (whether the values are
    exact), so a result carries how it was computed.
    """
    index = player_index(game.players)
    if exact:
        out = pd.Series([simplify(x) for x in values], index=index, name=name, dtype=OBJECT)
    else:
        out = pd.Series(np.asarray(values, dtype=float), index=index, name=name)
    out.attrs.update(method=name, exact=bool(exact))
    return out
