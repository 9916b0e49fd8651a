"""Helpers shared by the LP-based concepts (core, least core, nucleolus, Kohlberg).

Allocations as arrays, coalition indicator rows for HiGHS, the zero-normalised game and
its scale (tolerances are relative to it), and exact rational re-solves. They live here,
below :mod:`sharing_models.games.core`, :mod:`~sharing_models.games.nucleolus` and
:mod:`~sharing_models.games.kohlberg`, so that those three import them at module top
without importing each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import GameError, InvalidInputError
from .game import GameBase, _subset_sums

__all__ = ["allocation_array", "coalition_rows", "indicator_matrix", "oriented_float",
           "top_violations", "value_scale", "zero_normalise"]


def allocation_array(game: GameBase, allocation: Any) -> np.ndarray:
    """One share per player, in ``game.players`` order (object array if all exact)."""
    if isinstance(allocation, pd.Series | Mapping):
        keys = list(allocation.keys())
        if set(keys) != set(game.players) or len(keys) != game.n:
            raise InvalidInputError(
                f"allocation must have one entry per player {list(game.players)}; "
                f"got keys {keys}"
            )
        vals = [allocation[p] for p in game.players]  # type: ignore[call-overload]
    else:
        vals = list(np.asarray(allocation, dtype=object).ravel())
        if len(vals) != game.n:
            raise InvalidInputError(
                f"allocation must have {game.n} entries (one per player); got {len(vals)}"
            )
    if vals and all(isinstance(a, int | Fraction | np.integer) for a in vals):
        out = np.empty(game.n, dtype=object)
        out[:] = [Fraction(int(a)) if isinstance(a, np.integer) else Fraction(a) for a in vals]
        return out
    try:
        arr = np.asarray([float(a) for a in vals])
    except (TypeError, ValueError):
        raise InvalidInputError(f"allocation entries must be numbers; got {vals}") from None
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError("allocation entries must be finite numbers")
    return arr


def coalition_rows(
    masks: np.ndarray, n: int, extra_col: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR pieces ``(starts, index, value)`` for rows ``x(S) (+ t)`` of ``masks``."""
    bits = indicator_matrix(masks, n)
    if extra_col is not None:
        bits = np.hstack([bits, np.ones((len(masks), 1), dtype=bits.dtype)])
    counts = bits.sum(axis=1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
    index = np.nonzero(bits)[1].astype(np.int32)
    return starts, index, np.ones(index.shape[0])


def top_violations(score: np.ndarray, thr: float, k: int) -> np.ndarray:
    """Indices of the (at most ``k``) largest entries of ``score`` above ``thr``."""
    idx = np.flatnonzero(score > thr)
    if idx.size > k:
        idx = idx[np.argpartition(score[idx], -k)[-k:]]
    return idx


def indicator_matrix(masks: np.ndarray, n: int) -> np.ndarray:
    """``out[r, i] = 1`` when player ``i`` is in coalition ``masks[r]`` (``int8``).

    >>> indicator_matrix(np.array([1, 6]), 3).tolist()
    [[1, 0, 0], [0, 1, 1]]
    """
    m = np.asarray(masks, dtype=np.int64).reshape(-1, 1)
    return ((m >> np.arange(n, dtype=np.int64)) & 1).astype(np.int8)


def _independent_rows(a: np.ndarray) -> list[int]:
    """Greedy indices of a maximal linearly independent set of rows of ``a``."""
    chosen: list[int] = []
    q = np.zeros((0, a.shape[1]))
    for r, row in enumerate(np.asarray(a, dtype=float)):
        res = row - q.T @ (q @ row) if q.size else row
        norm = np.linalg.norm(res)
        if norm > 1e-8:
            q = np.vstack([q, res / norm])
            chosen.append(r)
            if len(chosen) == a.shape[1]:
                break
    return chosen


def _solve_exact(a: Sequence[Sequence[Any]], b: Sequence[Any]) -> list[Fraction] | None:
    """Unique rational solution of ``a @ y = b`` (``m x k``), or None if none/not unique.

    >>> _solve_exact([[1, 1], [1, -1], [2, 0]], [3, 1, 4])
    [Fraction(2, 1), Fraction(1, 1)]
    >>> _solve_exact([[1, 1], [1, 1]], [1, 2]) is None
    True
    """
    rows = [[Fraction(c) for c in r] + [Fraction(bb)] for r, bb in zip(a, b, strict=True)]
    k = len(a[0]) if len(a) else 0
    piv_row = 0
    for col in range(k):
        p = next((r for r in range(piv_row, len(rows)) if rows[r][col] != 0), None)
        if p is None:
            return None
        rows[piv_row], rows[p] = rows[p], rows[piv_row]
        pr = rows[piv_row]
        inv = 1 / pr[col]
        pr[:] = [c * inv for c in pr]
        for r in range(len(rows)):
            if r != piv_row and rows[r][col] != 0:
                f = rows[r][col]
                rows[r] = [c - f * d for c, d in zip(rows[r], pr, strict=True)]
        piv_row += 1
    if any(r[-1] != 0 for r in rows[piv_row:]):
        return None
    return [rows[i][-1] for i in range(k)]


def _to_fractions(values: np.ndarray) -> np.ndarray:
    """Exact copy of ``values`` as Fractions (floats exactly; sympy rationals via str)."""
    out = np.empty(len(values), dtype=object)
    try:
        out[:] = [x if isinstance(x, Fraction) else
                  Fraction(x) if isinstance(x, int | float) else
                  Fraction(x.item()) if isinstance(x, np.integer | np.floating) else
                  Fraction(str(x))
                  for x in values]
    except (TypeError, ValueError):
        raise GameError("exact mode needs numeric worths (int, Fraction, float or a "
                        "numeric sympy rational); substitute symbols first") from None
    return out


def zero_normalise(v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    """``(v0, a, scale)``: ``v0(S) = v(S) - sum_{i in S} v(i)``, ``a_i = v(i)``, and
    ``max |v0|``. Excesses, the (pre)nucleolus (shifted by ``a``) and the cost of
    stability are covariant, so solving on ``v0 / scale`` keeps tolerances relative to
    the game's structure rather than to large stand-alone worths.

    >>> zero_normalise(np.array([0.0, 5.0, 7.0, 13.0]), 2)[0].tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    a = v[1 << np.arange(n)]
    v0 = v - _subset_sums(a)
    return v0, a, value_scale(v0)


def value_scale(*arrays: np.ndarray) -> float:
    """Largest absolute worth (1 for an all-zero game): tolerances are relative to it.

    >>> value_scale(np.array([0.0, -3e-6, 2e-6])), value_scale(np.zeros(4))
    (3e-06, 1.0)
    """
    m = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)
    return m if m > 0 else 1.0


def oriented_float(game: GameBase) -> np.ndarray:
    """Worths in the profit orientation as float64, or a clear error for symbolic ones."""
    try:
        return game._oriented()
    except (TypeError, ValueError):
        raise GameError("this concept needs numeric worths; the game has symbolic worths "
                        "(substitute values for the symbols first)") from None
