"""Sharing the cost of a facility whose users need different capacity levels.

A shared pilot line, test bench or runway is built to the largest level any user needs;
a user needing level ``k`` would alone pay ``c_k``. The *airport game*
``c(S) = max_{i in S} c_i`` [LittlechildOwen1973]_ has a Shapley value with a closed
form, the *serial* (sequential equal contributions) rule: the cost of each increment
``c_k - c_{k-1}`` is split equally among every user who needs at least level ``k``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.inputs import FLOAT, OBJECT, PerPlayer, per_player, player_index
from ..exceptions import InvalidInputError

__all__ = ["airport"]


def airport(
    costs: PerPlayer, counts: PerPlayer | None = None, *, players: Iterable[Any] | None = None
) -> pd.Series:
    """Littlechild-Owen serial charge per user of each type [LittlechildOwen1973]_.

    With types sorted by cost :math:`c_1 \\le \\dots \\le c_m`, :math:`n_k` users of
    type ``k`` and :math:`c_0 = 0`:

    .. math::

        x_k = \\sum_{j=1}^{k} \\frac{c_j - c_{j-1}}{\\sum_{l \\ge j} n_l}

    the Shapley value of the airport game on all :math:`\\sum_k n_k` users.

    Parameters
    ----------
    costs : mapping type -> number, pandas.Series, or sequence
        Stand-alone cost of the level each type needs (any order; ties allowed). Type
        labels may be any hashable and are kept in the result's index; a sequence is
        labelled by ``players`` or ``0..m-1``.
    counts : mapping type -> int, pandas.Series, or sequence, optional
        Users of each type (positive integers); default one user per type. A sequence
        is in the order of ``costs``.
    players : sequence of hashable, optional
        Labels for a sequence of costs (or the order for a mapping/Series).

    Returns
    -------
    pandas.Series
        Charge per *user* of each type, indexed like ``costs``, ``name="airport"``.
        ``(charge * counts).sum()`` equals the largest cost. ``Fraction`` for ``int``/
        ``Fraction`` input, float when any cost is a float.

    Raises
    ------
    InvalidInputError
        Empty, negative or non-numeric costs; counts that are not positive integers or
        do not name exactly the cost types.

    Examples
    --------
    Three airlines whose planes need runways costing 6, 10 and 16:

    >>> airport({"small": 6, "medium": 10, "large": 16}).tolist()
    [Fraction(2, 1), Fraction(4, 1), Fraction(10, 1)]
    >>> airport({"small": 6, "large": 16}, counts={"small": 2, "large": 1}).tolist()
    [Fraction(2, 1), Fraction(12, 1)]

    Notes
    -----
    :math:`O(m \\log m)` in the number of types, independent of the number of users, so
    thousands of users cost nothing; the equivalent Shapley computation on the game is
    exponential in users.
    """
    types, c, exact = _costs(costs, players)
    n = _counts(counts, types)
    order = sorted(range(len(c)), key=c.__getitem__)  # exact comparison, stable
    zero: Any = Fraction(0) if exact else 0.0
    users_left = sum(n)
    previous, running = zero, zero
    charge: list[Any] = [zero] * len(c)
    for k in order:
        step = c[k] - previous
        if step:
            running += (Fraction(step) if exact else step) / users_left
        charge[k] = running
        previous = c[k]
        users_left -= n[k]
    dtype = OBJECT if exact else FLOAT
    out = pd.Series(charge, index=player_index(types), name="airport", dtype=dtype)
    out.attrs.update(method="airport", exact=exact)
    return out


def _costs(costs: Any, players: Iterable[Any] | None) -> tuple[list[Any], list[Any], bool]:
    labels, raw = per_player(costs, players=players, what="costs", who="user type")
    types = list(labels)
    values: list[Any] = []
    for t, x in zip(types, raw, strict=True):
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise InvalidInputError(f"cost of {t!r} must be a number; got {x!r}")
        if (isinstance(x, float | np.floating) and not np.isfinite(x)) or x < 0:
            raise InvalidInputError(f"cost of {t!r} must be finite and >= 0; got {x}")
        values.append(int(x) if isinstance(x, numbers.Integral) else x)
    exact = all(isinstance(x, (int, Fraction)) for x in values)
    if exact:
        return types, [Fraction(x) for x in values], True
    return types, [float(x) for x in values], False


def _counts(counts: Any, types: list[Any]) -> list[int]:
    if counts is None:
        return [1] * len(types)
    if isinstance(counts, pd.Series):
        counts = dict(zip(counts.index, counts.tolist(), strict=True))
    elif not isinstance(counts, Mapping):
        _, seq = per_player(counts, players=types, what="counts", who="user type")
        counts = dict(zip(types, seq, strict=True))
    unknown = [t for t in counts if t not in set(types)]
    missing = [t for t in types if t not in counts]
    if unknown or missing:
        raise InvalidInputError(
            f"counts must name exactly the cost types; unknown {unknown}, missing {missing}"
        )
    out = []
    for t in types:
        x = counts[t]
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral) or x < 1:
            raise InvalidInputError(f"count of {t!r} must be a positive integer; got {x!r}")
        out.append(int(x))
    return out
