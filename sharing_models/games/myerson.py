r"""The Myerson value: the Shapley value when only connected members can cooperate.

A communication graph :math:`G` on the players (who can actually work with whom: joint
labs, existing contracts) restricts the game: a coalition earns only what its connected
pieces earn on their own,

.. math::

    v^G(S) = \sum_{C \in S/G} v(C),

where :math:`S/G` are the connected components of the subgraph induced by :math:`S`.
The Myerson value is :math:`\mathrm{Sh}(v^G)`. The restricted game is built with array code
over all masks: each coalition's component holding its highest member is grown by
repeated neighbourhood unions (one vectorised gather per step over the coalitions
still growing); then :math:`v^G(S) = v(C) + v^G(S \setminus C)` fills the masks in
blocks of equal highest member, one gather per block.

References: [Myerson1977]_.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.game import GameBase
from .._kernels.shapley import (
    _check_game,
    exact_values,
    float_values,
    resolve_exact,
    shapley_array,
    to_series,
)
from ..exceptions import InvalidInputError

__all__ = ["graph_restricted", "myerson"]


def myerson(game: GameBase, graph: Any, exact: bool | None = None) -> pd.Series:
    r"""Myerson value: the Shapley value of the graph-restricted game.

    .. math::

        \mu_i(v, G) = \mathrm{Sh}_i(v^G), \qquad v^G(S) = \sum_{C \in S/G} v(C)

    Parameters
    ----------
    game : Game
        Worth or cost game.
    graph : networkx.Graph or iterable of (player, player) edges
        Undirected communication graph whose nodes are player names. A player that is
        not a node of the graph is isolated (it cooperates with nobody); a node that is
        not a player is an error. Self-loops are ignored.
    exact : bool, optional
        Default (None): exact results for exact worths, floats for float worths
        (see :func:`~sharing_models.shapley`). True: :class:`fractions.Fraction`
        results; False: float64. Sympy worths are always symbolic.

    Returns
    -------
    pandas.Series
        Indexed by ``game.players``, ``name="myerson"``.

    Raises
    ------
    InvalidInputError
        If the graph is directed, has nodes that are not players, or is not a graph or
        edge list; or if ``game`` is not a :class:`Game`.
    TooLargeError
        If exact arithmetic is needed for more than ``EXACT_MAX_PLAYERS`` players.

    Examples
    --------
    Three players, any two of whom earn 1, on the line ``a - b - c`` [Myerson1977]_: the
    middle player, needed to connect the ends, gets 2/3.

    >>> import networkx as nx
    >>> from sharing_models import Game, myerson
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])
    >>> myerson(g, nx.path_graph(["a", "b", "c"])).tolist()
    [Fraction(1, 6), Fraction(2, 3), Fraction(1, 6)]

    Notes
    -----
    Component-efficient (each connected component of :math:`G` shares its own worth) and
    fair (removing a link changes both ends' values by the same amount). On the complete
    graph it is the Shapley value. Building :math:`v^G` costs :math:`O(2^n)` per step
    for at most :math:`2n` steps; the Shapley value then costs one pass.
    """
    n = _check_game(game, "myerson")
    exact_mode = resolve_exact(game, exact, "myerson")
    vals = exact_values(game, "myerson") if exact_mode else float_values(game)
    restricted = _restrict(vals, _adjacency(game, graph))
    return to_series(game, shapley_array(restricted, n, exact=exact_mode), "myerson",
                     exact=exact_mode)


def graph_restricted(game: GameBase, graph: Any) -> GameBase:
    r"""The graph-restricted game :math:`v^G(S) = \sum_{C \in S/G} v(C)`.

    Parameters
    ----------
    game : Game
        Worth or cost game.
    graph : networkx.Graph or iterable of (player, player) edges
        As :func:`myerson`.

    Returns
    -------
    Game
        The restricted game; exact games stay exact.

    Raises
    ------
    InvalidInputError
        As :func:`myerson`.

    Examples
    --------
    >>> import networkx as nx
    >>> from sharing_models import Game, graph_restricted
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])
    >>> graph_restricted(g, [("a", "b"), ("b", "c")]).value(("a", "c"))
    Fraction(0, 1)
    """
    _check_game(game, "graph_restricted")
    return type(game)(game.players, _restrict(game.values, _adjacency(game, graph)),
                      cost=game.cost)


def components_of_masks(adj: list[int]) -> np.ndarray:
    """``comp[S]`` = mask of the connected component of ``S`` holding its highest member.

    ``adj[i]`` is the neighbour mask of player ``i``. Starting from the highest member,
    each step adds the neighbours inside ``S``; only coalitions whose component grew in
    the last step are processed again.

    >>> components_of_masks([0b010, 0b101, 0b010]).tolist()  # path 0 - 1 - 2
    [0, 1, 2, 3, 4, 4, 6, 7]
    """
    n = len(adj)
    size = 1 << n
    nbr = np.zeros(size, dtype=np.int64)
    comp = np.zeros(size, dtype=np.int64)
    for i, a in enumerate(adj):
        nbr[1 << i: 2 << i] = nbr[: 1 << i] | (a | (1 << i))
        comp[1 << i: 2 << i] = 1 << i
    active = np.arange(1, size, dtype=np.int64)
    while active.size:
        grown = nbr[comp[active]] & active
        changed = grown != comp[active]
        comp[active] = grown
        active = active[changed]
    return comp


def _restrict(vals: np.ndarray, adj: list[int]) -> np.ndarray:
    """Worths of the graph-restricted game: ``v(C) + v^G(S - C)``, ``C`` = top component.

    ``S - C`` has no member at or above ``S``'s highest bit, so the blocks of masks with
    highest bit ``0, 1, ..., n-1`` are filled in turn, one gather each.
    """
    comp = components_of_masks(adj)
    out = np.empty_like(vals)
    out[0] = 0
    for i in range(len(adj)):
        block = np.arange(1 << i, 2 << i, dtype=np.int64)
        top = comp[block]
        out[block] = vals[top] + out[block ^ top]
    out[0] = vals[0]
    return out


def _adjacency(game: GameBase, graph: Any) -> list[int]:
    """Neighbour masks per player; checks the graph's nodes and direction."""
    if hasattr(graph, "is_directed") and hasattr(graph, "edges"):
        if graph.is_directed():
            raise InvalidInputError(
                "the communication graph must be undirected; use graph.to_undirected()"
            )
        nodes = list(graph.nodes)
        edges = list(graph.edges())
    elif isinstance(graph, Iterable) and not isinstance(graph, (str, bytes)):
        edges = [tuple(e) for e in graph]
        if any(len(e) != 2 for e in edges):
            raise InvalidInputError("every edge must be a pair (player, player)")
        nodes = [p for e in edges for p in e]
    else:
        raise InvalidInputError(
            f"graph must be a networkx.Graph or an iterable of edges; got {type(graph).__name__}"
        )
    unknown = sorted({repr(p) for p in nodes if p not in game.players})
    if unknown:
        raise InvalidInputError(
            f"graph nodes {', '.join(unknown)} are not players; players are {list(game.players)}"
        )
    adj = [0] * game.n
    for a, b in edges:
        i, j = game.index(a), game.index(b)
        if i != j:
            adj[i] |= 1 << j
            adj[j] |= 1 << i
    return adj
