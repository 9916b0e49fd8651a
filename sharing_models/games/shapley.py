r"""The Shapley value, computed from the worth array without enumerating permutations.

With :math:`w(s) = s!\,(n-s-1)!/n!` the Shapley value is

.. math::

    \phi_i(v) = \sum_{S \subseteq N \setminus \{i\}} w(|S|)\,\bigl(v(S \cup \{i\}) - v(S)\bigr)
              = \sum_{S \ni i} v(S)\,\bigl(w(|S|-1) + w(|S|)\bigr) - \sum_{S} v(S)\,w(|S|),

(with :math:`w(-1) = w(n) = 0`), so every player's value is one *size-weighted sum over the
coalitions that contain it*, minus one constant. The kernel
(:mod:`sharing_models._kernels.shapley`, shared with Banzhaf, weighted Shapley, Owen and
Myerson) computes those ``n`` sums for all players at once in one streaming pass: it views
the worth array as a :math:`2^{h} \times 2^{l}` matrix (high bits by low bits,
:math:`h + l = n`), weights cache-sized blocks of rows from a small table, and
accumulates column sums and row totals; no :math:`2^n`-sized temporary is made.

References: [Shapley1953]_, [PelegSudholter2007]_.
"""

from __future__ import annotations

import pandas as pd

from .._kernels.game import GameBase
from .._kernels.shapley import (
    EXACT_MAX_PLAYERS,
    _check_game,
    exact_values,
    float_values,
    resolve_exact,
    shapley_array,
    to_series,
)

__all__ = ["EXACT_MAX_PLAYERS", "shapley"]


def shapley(game: GameBase, exact: bool | None = None) -> pd.Series:
    r"""Shapley value: each player's average marginal contribution over all orders.

    .. math::

        \phi_i(v) = \sum_{S \subseteq N \setminus \{i\}}
            \frac{|S|!\,(n-|S|-1)!}{n!}\,\bigl(v(S \cup \{i\}) - v(S)\bigr)

    Parameters
    ----------
    game : Game
        Worth or cost game; for a cost game the result is each player's cost share.
    exact : bool, optional
        Default (None): as the input, exact (:class:`fractions.Fraction`) results for
        exact worths (``int``, ``Fraction``, sympy) and float64 for float worths. True:
        Fractions (float worths are converted exactly: every float is a binary fraction).
        False: float64. Games with sympy worths are always computed symbolically and each
        share is simplified.

    Returns
    -------
    pandas.Series
        Indexed by ``game.players``, ``name="shapley"``; ``attrs`` holds ``method`` and
        ``exact``.

    Raises
    ------
    InvalidInputError
        If ``game`` is not a :class:`Game`.
    TooLargeError
        If exact arithmetic is needed (asked for, or exact worths by default) for more
        than :data:`EXACT_MAX_PLAYERS` players; the message names ``exact=False``.

    Examples
    --------
    Glove game: ``a`` owns a left glove, ``b`` and ``c`` right gloves; a pair is worth 1.

    >>> from sharing_models import Game, shapley
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 0, 1])
    >>> shapley(g).tolist()
    [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
    >>> shapley(g, exact=False).round(4).tolist()
    [0.6667, 0.1667, 0.1667]

    Notes
    -----
    Float mode costs :math:`O(2^n)`: one streaming pass of a few flops per worth, then
    :math:`O(2^{n-10})` more (not the :math:`O(n\,2^n)` of the textbook loop), with
    :math:`O(n\,2^{10} + 2^{n-10})` extra memory. Measured on a shared 2-core machine:
    1.5 ms for 20 players, 24 ms for 24, 0.12 s for 26 (``benchmarks/bench_shapley.py``).
    Exact mode uses integer arithmetic on a common denominator (about 0.3 s for 20
    players with integer worths); symbolic worths are much slower.

    References
    ----------
    [Shapley1953]_; the two-pass summation is this toolkit's.
    """
    _check_game(game)
    if resolve_exact(game, exact, "shapley"):
        vals = shapley_array(exact_values(game, "shapley"), game.n, exact=True)
        return to_series(game, vals, "shapley", exact=True)
    return to_series(game, shapley_array(float_values(game), game.n), "shapley")
