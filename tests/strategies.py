"""Shared hypothesis strategies: random games and agreements for property tests.

Append new strategies; do not rewrite existing ones.
"""

from __future__ import annotations

import numpy as _np
from hypothesis import strategies as _st

from sharing_models import Game as _Game

# ---------------------------------------------------------------- core family (core.py,
# nucleolus.py): random TU games as worth arrays indexed by coalition bitmask.


def _names(n: int) -> list[str]:
    return [f"p{i}" for i in range(n)]


@_st.composite
def integer_games(draw, min_n: int = 2, max_n: int = 5, lo: int = -3, hi: int = 12):
    """Exact games with independent integer worths in ``[lo, hi]`` (any sign, any shape)."""
    n = draw(_st.integers(min_n, max_n))
    vals = draw(_st.lists(_st.integers(lo, hi), min_size=(1 << n) - 1, max_size=(1 << n) - 1))
    return _Game.from_array(_names(n), [0, *vals])


@_st.composite
def convex_games(draw, min_n: int = 2, max_n: int = 5):
    """Exact convex games: non-negative integer combinations of unanimity games.

    Convex, hence superadditive and zero-monotonic, with a non-empty core.
    """
    n = draw(_st.integers(min_n, max_n))
    coef = draw(_st.lists(_st.integers(0, 6), min_size=(1 << n) - 1, max_size=(1 << n) - 1))
    masks = _np.arange(1 << n)
    v = [0] * (1 << n)
    for t, c in zip(range(1, 1 << n), coef, strict=True):
        if c:
            for s in masks[(masks & t) == t]:
                v[int(s)] += c
    return _Game.from_array(_names(n), v)


@_st.composite
def games_with_core_point(draw, min_n: int = 2, max_n: int = 5):
    """Exact games whose core contains a drawn integer vector ``x``: ``v(S) = x(S) - d_S``."""
    n = draw(_st.integers(min_n, max_n))
    x = draw(_st.lists(_st.integers(-5, 10), min_size=n, max_size=n))
    dips = draw(_st.lists(_st.integers(0, 4), min_size=(1 << n) - 2, max_size=(1 << n) - 2))
    v = [0] * (1 << n)
    for m in range(1, 1 << n):
        xs = sum(x[i] for i in range(n) if m >> i & 1)
        v[m] = xs if m == (1 << n) - 1 else xs - dips[m - 1]
    return _Game.from_array(_names(n), v)


@_st.composite
def symmetric_games(draw, min_n: int = 2, max_n: int = 6):
    """Exact games whose worth depends only on the coalition size."""
    n = draw(_st.integers(min_n, max_n))
    by_size = draw(_st.lists(_st.integers(-3, 12), min_size=n, max_size=n))
    sizes = _np.bitwise_count(_np.arange(1 << n, dtype=_np.uint64)).astype(int)
    return _Game.from_array(_names(n), [0 if k == 0 else by_size[k - 1] for k in sizes])
