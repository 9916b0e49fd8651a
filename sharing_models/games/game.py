"""The TU game :class:`Game`: worths indexed by coalition bitmask, plus its solution concepts.

Storage, construction and algebra live in :class:`sharing_models._kernels.game.GameBase`;
this class adds one method per solution concept (``Game.shapley()`` calls
:func:`sharing_models.shapley`, ...). The concept modules check their input with
``require_game`` from the kernel, so this module imports them and they never import it:
``games.game`` is the top of the ``games`` layers.

References: [vonNeumannMorgenstern1944]_, [PelegSudholter2007]_.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from .._kernels.game import MAX_PLAYERS, PROGRESS_PLAYERS, GameBase
from .._kernels.inputs import PerPlayer
from .banzhaf import banzhaf as _banzhaf
from .myerson import myerson as _myerson
from .nucleolus import nucleolus as _nucleolus
from .owen import owen as _owen
from .shapley import shapley as _shapley
from .weighted_shapley import weighted_shapley as _weighted_shapley

__all__ = ["MAX_PLAYERS", "PROGRESS_PLAYERS", "Game"]


class Game(GameBase):
    """A TU game over named players, worths indexed by coalition bitmask.

    Parameters
    ----------
    players : sequence of hashable
        Player labels (``str``, ``int``, tuples, ...), kept as given in every result's
        index; ``players[i]`` is bit ``i`` of a coalition mask.
    values : array-like of length ``2**n``
        Worth (or cost) of every coalition; ``values[0]`` is the empty coalition.
    cost : bool, default False
        True when ``values`` are costs to share rather than worths to divide.

    Examples
    --------
    >>> g = Game.from_dict(["a", "b"], {(): 0, ("a",): 1, ("b",): 2, ("a", "b"): 6})
    >>> g.value({"a", "b"})
    Fraction(6, 1)
    >>> g.n, g.players
    (2, ('a', 'b'))
    """

    __slots__ = ()

    def shapley(self, exact: bool | None = None) -> pd.Series:
        r"""Shapley value; see :func:`sharing_models.shapley`.

        Parameters
        ----------
        exact : bool, optional
            Default (None): exact results for exact worths, floats for float worths.

        Returns
        -------
        pandas.Series

        Examples
        --------
        >>> from sharing_models import Game
        >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])  # majority game
        >>> g.shapley().tolist()
        [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]
        """
        return _shapley(self, exact=exact)

    def banzhaf(self, normalized: bool = False, exact: bool | None = None) -> pd.Series:
        r"""Banzhaf value (raw by default); see :func:`sharing_models.banzhaf`.

        Parameters
        ----------
        normalized : bool, default False
            True: rescaled to divide v(N).
        exact : bool, optional
            Default (None): exact results for exact worths, floats for float worths.

        Returns
        -------
        pandas.Series

        Examples
        --------
        >>> from sharing_models import Game
        >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])  # majority game
        >>> g.banzhaf().tolist()
        [Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)]
        """
        return _banzhaf(self, normalized=normalized, exact=exact)

    def owen(self, unions: Iterable[Any], exact: bool | None = None) -> pd.Series:
        r"""Owen value (Winter value for nested unions); see :func:`sharing_models.owen`.

        Parameters
        ----------
        unions : nested lists of player labels
            The a priori unions.
        exact : bool, optional
            Default (None): exact results for exact worths, floats for float worths.

        Returns
        -------
        pandas.Series

        Examples
        --------
        >>> from sharing_models import Game
        >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])  # majority game
        >>> g.owen([["a", "b"], ["c"]]).tolist()
        [Fraction(1, 2), Fraction(1, 2), Fraction(0, 1)]
        """
        return _owen(self, unions, exact=exact)

    def myerson(self, graph: Any, exact: bool | None = None) -> pd.Series:
        r"""Myerson value for a communication graph; see :func:`sharing_models.myerson`.

        Parameters
        ----------
        graph : networkx.Graph or iterable of edges
            Who can cooperate with whom.
        exact : bool, optional
            Default (None): exact results for exact worths, floats for float worths.

        Returns
        -------
        pandas.Series

        Examples
        --------
        >>> from sharing_models import Game
        >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])  # majority game
        >>> g.myerson([("a", "b"), ("b", "c")]).tolist()
        [Fraction(1, 6), Fraction(2, 3), Fraction(1, 6)]
        """
        return _myerson(self, graph, exact=exact)

    def weighted_shapley(self, weights: PerPlayer, exact: bool | None = None) -> pd.Series:
        r"""Kalai-Samet weighted Shapley value; see :func:`sharing_models.weighted_shapley`.

        Parameters
        ----------
        weights : mapping, pandas.Series or sequence
            Positive player weights.
        exact : bool, optional
            Default (None): exact results for exact worths, floats for float worths.

        Returns
        -------
        pandas.Series

        Examples
        --------
        >>> from sharing_models import Game
        >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])  # majority game
        >>> g.weighted_shapley([1, 1, 2]).tolist()
        [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]
        """
        return _weighted_shapley(self, weights, exact=exact)

    def nucleolus(self, exact: bool | None = None) -> pd.Series:
        r"""Nucleolus; see :func:`sharing_models.nucleolus`.

        Parameters
        ----------
        exact : bool, optional
            Default (None): exact results for exact worths, floats for float worths.

        Returns
        -------
        pandas.Series

        Examples
        --------
        >>> from sharing_models import Game
        >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])  # majority game
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     x = g.nucleolus()
        >>> x.tolist()
        [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]
        """
        return _nucleolus(self, exact=exact)
