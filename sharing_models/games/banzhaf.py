r"""The Banzhaf value: average marginal contribution over coalitions, not orders.

Because :math:`\sum_{S \not\ni i} v(S) = \sum_S v(S) - \sum_{S \ni i} v(S)`, the raw value

.. math::

    \beta_i(v) = \frac{1}{2^{n-1}} \sum_{S \subseteq N \setminus \{i\}}
        \bigl(v(S \cup \{i\}) - v(S)\bigr)
      = \frac{1}{2^{n-1}} \Bigl(2 \sum_{S \ni i} v(S) - \sum_{S} v(S)\Bigr)

needs only the per-player sums over coalitions containing the player, computed with the
same one-pass kernel as :func:`~sharing_models.shapley`.

References: [Banzhaf1965]_, [Owen1975]_.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._kernels.game import GameBase
from .._kernels.shapley import (
    _check_game,
    _exact_bit_sums,
    _weighted_bit_sums,
    exact_values,
    float_values,
    resolve_exact,
    to_series,
)
from ..exceptions import GameError

__all__ = ["banzhaf"]


def banzhaf(
    game: GameBase, normalized: bool = False, exact: bool | None = None
) -> pd.Series:
    r"""Banzhaf value, raw or normalised to divide :math:`v(N)`.

    .. math::

        \beta_i(v) = \frac{1}{2^{n-1}} \sum_{S \subseteq N \setminus \{i\}}
            \bigl(v(S \cup \{i\}) - v(S)\bigr), \qquad
        \bar\beta_i(v) = \frac{v(N)}{\sum_j \beta_j(v)}\,\beta_i(v)

    Parameters
    ----------
    game : Game
        Worth or cost game.
    normalized : bool, default False
        False: the raw Banzhaf value :math:`\beta_i`, the average marginal contribution
        over coalitions, as defined by [Owen1975]_ and computed by the peers users
        compare with (R CoopGame ``banzhafValue``, coopgame-py ``banzhaf``). True:
        rescaled so the values sum to :math:`v(N)` (for a simple game with
        :math:`v(N) = 1` this is the normalised Banzhaf power index); the default up to
        0.1.0, see ``CHANGELOG.md``.
    exact : bool, optional
        Default (None): exact results for exact worths, floats for float worths
        (see :func:`~sharing_models.shapley`). True: :class:`fractions.Fraction`
        results; False: float64. Sympy worths are always symbolic.

    Returns
    -------
    pandas.Series
        Indexed by ``game.players``, ``name="banzhaf"``.

    Raises
    ------
    InvalidInputError
        If ``game`` is not a :class:`Game`.
    GameError
        If ``normalized`` and the raw values sum to zero (no rescaling exists).
    TooLargeError
        If exact arithmetic is needed for more than ``EXACT_MAX_PLAYERS`` players.

    Examples
    --------
    Weighted voting ``[3; 2, 1, 1]``: ``a`` swings in 3 of its 4 coalitions, ``b`` and
    ``c`` in 1 each.

    >>> from sharing_models import Game, banzhaf
    >>> g = Game.weighted_voting({"a": 2, "b": 1, "c": 1}, 3)
    >>> banzhaf(g).tolist()
    [Fraction(3, 4), Fraction(1, 4), Fraction(1, 4)]
    >>> banzhaf(g, normalized=True, exact=False).tolist()
    [0.6, 0.2, 0.2]

    Notes
    -----
    :math:`O(2^n)`: one streaming pass over the worths (1.7 ms for 20 players, 23 ms for 24).
    Definition from [Banzhaf1965]_; as a value of any game, [Owen1975]_.
    The Banzhaf value is not efficient; the normalised version is, but it is not
    additive.
    """
    n = _check_game(game, "banzhaf")
    if resolve_exact(game, exact, "banzhaf"):
        v = exact_values(game, "banzhaf")
        units = [1] * (n + 1)
        sq, total_q = _exact_bit_sums(v, n, units, units)
        raw_q = [(2 * x - total_q) / 2 ** (n - 1) for x in sq]
        if normalized:
            raw_q = _normalize(raw_q, v[-1], sum(raw_q))
        return to_series(game, raw_q, "banzhaf", exact=True)
    v = float_values(game)
    ones = np.ones(n + 1)
    s, total = _weighted_bit_sums(v, n, ones, ones)
    raw = (2.0 * s - total) / 2.0 ** (n - 1)
    if normalized:
        scale = raw.sum()
        raw = _normalize(raw, v[-1], 0.0 if abs(scale) <= 1e-12 * np.abs(raw).max() else scale)
    return to_series(game, raw, "banzhaf")


def _normalize(raw: Any, grand: Any, total: Any) -> Any:
    """Rescale ``raw`` (array or list of exact values) to sum to ``grand``."""
    if total == 0:
        raise GameError(
            "the normalised Banzhaf value is undefined: the raw Banzhaf values sum to 0. "
            "Use banzhaf(game, normalized=False)."
        )
    return [x * grand / total for x in raw] if isinstance(raw, list) else raw * (grand / total)
