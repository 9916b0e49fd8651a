r"""The weighted Shapley value of Kalai and Samet, via Harsanyi dividends.

Every game is a sum of unanimity games, :math:`v = \sum_{T \ne \emptyset} d_v(T)\,u_T`,
with the Harsanyi dividends :math:`d_v` (the Möbius transform of :math:`v`). The weighted
Shapley value with positive weights :math:`\lambda` splits each dividend among the members
of :math:`T` in proportion to their weights:

.. math::

    \phi^{\lambda}_i(v) = \sum_{T \ni i} \frac{\lambda_i}{\lambda(T)}\, d_v(T), \qquad
    d_v(T) = \sum_{S \subseteq T} (-1)^{|T|-|S|}\, v(S).

Equal weights give the Shapley value. The dividends come from the standard butterfly
(one vectorised subtraction per player) and the per-player sums from the one-pass kernel
shared with :func:`~sharing_models.shapley`.

References: [KalaiSamet1987]_, [Harsanyi1963]_.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.game import GameBase
from .._kernels.inputs import PerPlayer, per_player
from .._kernels.shapley import (
    _check_game,
    _exact_bit_sums,
    _weighted_bit_sums,
    exact_values,
    float_values,
    resolve_exact,
    to_series,
)
from ..exceptions import InvalidInputError

__all__ = ["harsanyi_dividends", "weighted_shapley"]


def weighted_shapley(
    game: GameBase, weights: PerPlayer, exact: bool | None = None
) -> pd.Series:
    r"""Kalai-Samet weighted Shapley value for positive player weights.

    .. math::

        \phi^{\lambda}_i(v) = \sum_{T \ni i} \frac{\lambda_i}{\sum_{j \in T} \lambda_j}\,
            d_v(T)

    Parameters
    ----------
    game : Game
        Worth or cost game.
    weights : mapping player -> number, pandas.Series, or sequence in ``game.players`` order
        Strictly positive weights :math:`\lambda_i` (e.g. each member's investment): in
        every unanimity game a member's share is proportional to its weight.
    exact : bool, optional
        Default (None): exact results when the worths and the weights are exact
        (``int``/``Fraction``), floats otherwise. True: :class:`fractions.Fraction`
        results (float weights converted exactly); False: float64.

    Returns
    -------
    pandas.Series
        Indexed by ``game.players``, ``name="weighted_shapley"``.

    Raises
    ------
    InvalidInputError
        If ``game`` is not a :class:`Game`, or a weight is missing, unknown, not a number
        or not positive.
    TooLargeError
        If exact arithmetic is needed for more than ``EXACT_MAX_PLAYERS`` players.

    Examples
    --------
    The surplus of a joint venture (``v(ab) = 10``, nothing alone) split 1 : 4:

    >>> from sharing_models import Game, weighted_shapley
    >>> g = Game.from_array(["a", "b"], [0, 0, 0, 10])
    >>> weighted_shapley(g, {"a": 1, "b": 4}).tolist()
    [Fraction(2, 1), Fraction(8, 1)]

    Notes
    -----
    :math:`O(n\,2^n)` for the dividends plus one pass over them; memory three worth
    arrays. Unlike the Shapley value, it is not symmetric: weights express asymmetry
    that the worths do not show (size, risk borne, bargaining power). Definition from
    [KalaiSamet1987]_; the dividends :math:`d_v(T)` are Harsanyi's [Harsanyi1963]_.
    """
    n = _check_game(game, "weighted_shapley")
    lam = _check_weights(game, weights)
    if exact is None and not all(isinstance(x, (int, Fraction)) for x in lam):
        exact = False  # float weights: float results (unless the worths are symbolic)
    if resolve_exact(game, exact, "weighted_shapley"):
        v = exact_values(game, "weighted_shapley")
        lam_x = [Fraction(x) for x in lam]
        d = harsanyi_dividends(v, n)
        tot = _subset_sums_exact(lam_x)
        d[1:] = d[1:] / tot[1:]
        d[0] = Fraction(0)
        units = [1] * (n + 1)
        sq, _ = _exact_bit_sums(d, n, units, units)
        return to_series(game, [li * si for li, si in zip(lam_x, sq, strict=True)],
                         "weighted_shapley", exact=True)
    lam_f = np.asarray([float(x) for x in lam])
    d = harsanyi_dividends(float_values(game), n)
    d[0] = 0.0
    tot = _subset_sums(lam_f)
    tot[0] = 1.0
    d /= tot
    s, _ = _weighted_bit_sums(d, n, np.ones(n + 1), np.ones(n + 1))
    return to_series(game, lam_f * s, "weighted_shapley")


def harsanyi_dividends(values: np.ndarray, n: int) -> np.ndarray:
    r"""Harsanyi dividends (Möbius transform) of a worth array; returns a new array.

    .. math:: d(T) = \sum_{S \subseteq T} (-1)^{|T|-|S|}\, v(S)

    Parameters
    ----------
    values : numpy.ndarray
        Worths indexed by coalition bitmask (float64 or an object array of exact
        numbers), length ``2**n``.
    n : int
        Number of players.

    Returns
    -------
    numpy.ndarray
        Dividends indexed like ``values``, same dtype.

    Notes
    -----
    :math:`O(n\,2^n)`: one vectorised butterfly step per player [Harsanyi1963]_.

    Examples
    --------
    >>> harsanyi_dividends(np.array([0.0, 1.0, 2.0, 6.0]), 2).tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    d = np.array(values, copy=True)
    for i in range(n):
        view = d.reshape(-1, 2, 1 << i)
        view[:, 1, :] -= view[:, 0, :]
    return d


def _subset_sums(lam: np.ndarray) -> np.ndarray:
    out = np.zeros(1 << len(lam))
    for i, x in enumerate(lam):
        out[1 << i: 2 << i] = out[: 1 << i] + x
    return out


def _subset_sums_exact(lam: list[Fraction]) -> np.ndarray:
    out = np.empty(1 << len(lam), dtype=object)
    out[0] = Fraction(0)
    for i, x in enumerate(lam):
        out[1 << i: 2 << i] = out[: 1 << i] + x
    return out


def _check_weights(game: GameBase, weights: Any) -> list[Any]:
    if isinstance(weights, (Mapping, pd.Series)):
        _, lam = per_player(weights, players=game.players, what="weights")
    else:
        _, lam = per_player(weights, what="weights")
        if len(lam) != game.n:
            raise InvalidInputError(
                f"weights must have one entry per player ({game.n}); got {len(lam)}"
            )
    for p, x in zip(game.players, lam, strict=True):
        ok = isinstance(x, numbers.Real) and not isinstance(x, bool)
        if not ok or not np.isfinite(float(x)) or x <= 0:
            raise InvalidInputError(f"weight of {p!r} must be a positive number; got {x!r}")
    return lam
