r"""The Owen value for a coalition structure, and the Winter value for nested ones.

Players are grouped in a priori unions :math:`\mathcal{B} = \{B_1, \dots, B_m\}` (e.g.
the lead unit, the close-cooperation layer and the general-cooperation layer of a
consortium). Orders are drawn so that each union's members arrive together: a uniform
order of the unions, then a uniform order inside each union. For :math:`i \in B_k`,

.. math::

    \phi_i(v, \mathcal{B}) = \sum_{R \subseteq M \setminus \{k\}}
        \frac{r!\,(m-r-1)!}{m!}\,
        \mathrm{Sh}_i\Bigl(T \mapsto v\bigl(\textstyle\bigcup_{j \in R} B_j \cup T\bigr),
        \; T \subseteq B_k\Bigr),

the Shapley value inside :math:`B_k` of the game averaged over which other unions came
first (:math:`r = |R|`). Nested structures (unions of unions, any depth) apply the same
step level by level: the Winter value. Each level costs one gather and one
matrix-vector product per union, so the work is :math:`\sum_k 2^{m-1+|B_k|}` rather than
:math:`2^n` per player.

References: [Owen1977]_, [Winter1989]_.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
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

__all__ = ["owen"]

Tree = int | list["Tree"]


def owen(game: GameBase, unions: Iterable[Any], exact: bool | None = None) -> pd.Series:
    r"""Owen value for a partition into unions; Winter value for nested partitions.

    .. math::

        \phi_i(v, \mathcal{B}) = \sum_{R \subseteq M \setminus \{k\}}
            \sum_{T \subseteq B_k \setminus \{i\}}
            \frac{r!\,(m-r-1)!}{m!}\,\frac{t!\,(b_k-t-1)!}{b_k!}\,
            \bigl(v(Q_R \cup T \cup \{i\}) - v(Q_R \cup T)\bigr)

    with :math:`Q_R = \bigcup_{j \in R} B_j`, :math:`i \in B_k`, :math:`b_k = |B_k|`.

    Parameters
    ----------
    game : Game
        Worth or cost game.
    unions : list of lists of player labels, nested to any depth
        ``[["a", "b"], ["c"]]`` is the partition :math:`\{\{a, b\}, \{c\}\}`; a bare name
        is a union of one (``[["a", "b"], "c"]`` is the same). Lists of lists of lists
        are nested structures (levels): ``[[["a", "b"], "c"], ["d"]]``. Every player must
        appear exactly once.
    exact : bool, optional
        Default (None): exact results for exact worths, floats for float worths
        (see :func:`~sharing_models.shapley`). True: :class:`fractions.Fraction`
        results; False: float64. Sympy worths are always symbolic.

    Returns
    -------
    pandas.Series
        Indexed by ``game.players``, ``name="owen"``.

    Raises
    ------
    InvalidInputError
        If ``unions`` is not a partition of the players (unknown, repeated or missing
        names, empty unions) or ``game`` is not a :class:`Game`.
    TooLargeError
        If exact arithmetic is needed for more than ``EXACT_MAX_PLAYERS`` players.

    Examples
    --------
    Three-player majority game: when ``a`` and ``b`` bargain as a union they share the
    whole surplus [Owen1977]_; ``c``'s Shapley value 1/3 drops to 0.

    >>> from sharing_models import Game, owen
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])
    >>> owen(g, [["a", "b"], ["c"]]).tolist()
    [Fraction(1, 2), Fraction(1, 2), Fraction(0, 1)]

    Notes
    -----
    Efficient, and each union as a whole receives the Shapley value of the quotient game
    between unions. All-singleton unions or one grand union give the Shapley value.
    Cost :math:`O(\sum_k 2^{m-1+|B_k|})` at the top level plus the same inside unions.
    """
    n = _check_game(game, "owen")
    tree = _parse(unions, game)
    exact_mode = resolve_exact(game, exact, "owen")
    vals = exact_values(game, "owen") if exact_mode else float_values(game)
    out: dict[int, Any] = {}
    _winter(vals, tree, list(range(n)), exact_mode, out)
    return to_series(game, [out[i] for i in range(n)], "owen", exact=exact_mode)


def _winter(u: np.ndarray, tree: Tree, local: list[int], exact: bool, out: dict[int, Any]) -> None:
    """Values of the players ``local`` (bit ``j`` of ``u`` = player ``local[j]``) under ``tree``."""
    if isinstance(tree, int):
        out[tree] = u[1] - u[0]
        return
    if all(isinstance(ch, int) for ch in tree):
        # Flat node: the Shapley value of u on its players.
        pos = {p: j for j, p in enumerate(local)}
        res = shapley_array(u, len(local), exact=exact)
        for p in tree:
            assert isinstance(p, int)  # a flat node's children are leaves
            out[p] = res[pos[p]]
        return
    bit = {p: 1 << j for j, p in enumerate(local)}
    blocks = [_leaves(ch) for ch in tree]
    block_masks = [sum(bit[p] for p in blk) for blk in blocks]
    m = len(tree)
    for k, child in enumerate(tree):
        others = block_masks[:k] + block_masks[k + 1:]
        q, r = _subset_masks(others)
        t, _ = _subset_masks([bit[p] for p in blocks[k]])
        weights = _order_weights(m, r, exact)
        sub = weights @ u[q[:, None] | t[None, :]]
        _winter(sub, child, blocks[k], exact, out)


def _order_weights(m: int, r: np.ndarray, exact: bool) -> np.ndarray:
    """``r!(m-r-1)!/m!``: chance that exactly the unions in a given ``R`` come first."""
    if exact:
        table = [Fraction(1, m * math.comb(m - 1, k)) for k in range(m)]
        out = np.empty(r.shape[0], dtype=object)
        out[:] = [table[k] for k in r]
        return out
    table_f = np.array([1.0 / (m * math.comb(m - 1, k)) for k in range(m)])
    return np.asarray(table_f[r])


def _subset_masks(parts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """All unions of sub-families of ``parts`` (as masks) and how many parts each uses."""
    masks = np.zeros(1 << len(parts), dtype=np.int64)
    counts = np.zeros(1 << len(parts), dtype=np.intp)
    for j, pm in enumerate(parts):
        masks[1 << j: 2 << j] = masks[: 1 << j] | pm
        counts[1 << j: 2 << j] = counts[: 1 << j] + 1
    return masks, counts


def _leaves(tree: Tree) -> list[int]:
    if isinstance(tree, int):
        return [tree]
    return sorted(p for ch in tree for p in _leaves(ch))


def _parse(unions: Any, game: GameBase) -> Tree:
    """Nested lists of labels -> nested lists of player indices; check it is a partition.

    A node that is a player label (any hashable: ``"a"``, ``3``, ``("lab", 1)``) is a
    leaf; any other iterable is a union of its children.
    """
    seen: list[Any] = []
    unknown: list[Any] = []

    def walk(node: Any, depth: int) -> Tree:
        if _is_player(node, game):
            seen.append(node)
            return game.index(node)
        if isinstance(node, str) or not isinstance(node, Iterable) or isinstance(
            node, (bytes, dict)
        ):
            if isinstance(node, (bytes, dict)) or not _hashable(node):
                raise InvalidInputError(
                    f"unions must be nested lists of player labels; found {node!r} "
                    f"({type(node).__name__})"
                )
            unknown.append(node)
            return -1
        children = [walk(ch, depth + 1) for ch in node]
        if not children:
            raise InvalidInputError("unions must not contain an empty union")
        return children[0] if len(children) == 1 and depth > 0 else children

    tree = walk(unions, 0)
    if isinstance(tree, int):
        tree = [tree]
    repeated = sorted({p for p in seen if seen.count(p) > 1}, key=repr)
    missing = [p for p in game.players if p not in seen]
    if unknown or repeated or missing:
        raise InvalidInputError(
            "unions must partition the players (each player in exactly one union); "
            f"unknown: {unknown}, repeated: {repeated}, missing: {missing}"
        )
    return tree


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _is_player(x: Any, game: GameBase) -> bool:
    return _hashable(x) and not isinstance(x, bool) and x in game._index
