"""Transferable-utility (TU) games over named players: the worth-array kernel.

:class:`GameBase` holds everything about a game except its solution concepts; the
public class :class:`sharing_models.Game` (in :mod:`sharing_models.games.game`) adds
those as methods. The concepts in :mod:`sharing_models.games` check their input with
:func:`require_game` from here, so ``games.game`` imports them and not the other way round.

A game on players :math:`N = \\{0, \\dots, n-1\\}` is a characteristic function
:math:`v: 2^N \\to \\mathbb{R}` with :math:`v(\\emptyset) = 0`. Here it is stored as one
array ``values`` of length :math:`2^n` indexed by *coalition bitmask*: bit ``i`` of the
index is set when ``players[i]`` is in the coalition. Float games use a ``float64``
array; exact games (``int``, :class:`fractions.Fraction` or sympy worths) use an
``object`` array and every concept computed on them stays exact.

A game may be a *cost game* (``cost=True``): ``values`` are costs to be shared, not
worths to be divided. Linear concepts (Shapley, Banzhaf, Owen, ...) are the same
formula either way; concepts that depend on the sign convention (core, least core,
nucleolus) read :attr:`Game.cost` and use the savings orientation ``-c``.

References: [vonNeumannMorgenstern1944]_, [PelegSudholter2007]_.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable, Iterable, Mapping
from fractions import Fraction
from typing import Any, Self

import numpy as np

from ..exceptions import GameError, InvalidInputError, TooLargeError
from .inputs import Coalition, PerPlayer, check_labels, coalition_mask, per_player

__all__ = ["MAX_PLAYERS", "PROGRESS_PLAYERS", "GameBase", "popcounts", "require_game"]

#: Largest number of players a game stored as a full worth array may have.
MAX_PLAYERS = 30

#: From this many players on, :meth:`Game.from_function` shows a progress bar.
PROGRESS_PLAYERS = 18

def popcounts(n: int) -> np.ndarray:
    """Coalition sizes ``|S|`` for every bitmask ``S`` in ``range(2**n)`` (``uint8``).

    >>> popcounts(3).tolist()
    [0, 1, 1, 2, 1, 2, 2, 3]
    """
    masks = np.arange(1 << n, dtype=np.uint64)
    return np.bitwise_count(masks).astype(np.uint8)


def require_game(game: Any, concept: str) -> Any:
    """Check, at a solution concept's boundary, that ``game`` is a TU game.

    A TU game has :math:`v(\\emptyset) = 0`; the concepts that divide :math:`v(N)`
    (Shapley and its variants, core, nucleolus) rely on it, e.g. the Shapley shares add
    up to :math:`v(N) - v(\\emptyset)`. Returns ``game``.

    >>> from sharing_models import Game
    >>> require_game(Game.from_array(["a"], [1, 2]), "shapley")
    Traceback (most recent call last):
    ...
    sharing_models.exceptions.GameError: shapley needs v(empty coalition) = 0, got 1; ...
    """
    if not isinstance(game, GameBase):
        raise InvalidInputError(
            f"{concept}: expected a sharing_models.Game; got {type(game).__name__}. "
            "Build one with Game.from_dict, Game.from_array or Game.from_function."
        )
    v0 = game.values[0]
    if _is_symbolic(v0):
        import sympy

        nonzero = sympy.simplify(v0) != 0
    elif isinstance(v0, (float, np.floating)):
        big = max(1.0, abs(float(game.values.max())), abs(float(game.values.min())))
        nonzero = bool(v0 != 0) and abs(float(v0)) > 1e-12 * big
    else:
        nonzero = v0 != 0
    if nonzero:
        raise GameError(
            f"{concept} needs v(empty coalition) = 0, got {v0}; values[0] is the worth of "
            "the empty coalition. Subtract it from every worth (or set it to 0) first."
        )
    return game


def _is_exact_number(x: Any) -> bool:
    return isinstance(x, (int, Fraction, np.integer)) and not isinstance(x, bool)


def _is_symbolic(x: Any) -> bool:
    return type(x).__module__.startswith("sympy")


def _as_values(values: Any, n: int) -> np.ndarray:
    """Turn ``values`` into a float64 array or, for exact/symbolic worths, an object array."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        arr = values
    else:
        seq = list(values)
        if seq and all(_is_exact_number(x) or _is_symbolic(x) for x in seq):
            arr = np.empty(len(seq), dtype=object)
            arr[:] = [Fraction(int(x)) if isinstance(x, np.integer) else x for x in seq]
            arr = _normalise_exact(arr)
        else:
            try:
                arr = np.asarray(seq, dtype=float)
            except (TypeError, ValueError) as exc:
                raise GameError(f"worths must be numbers; got {exc}") from None
    if arr.ndim != 1 or arr.shape[0] != 1 << n:
        raise GameError(
            f"a game on {n} players needs {1 << n} worths (one per coalition bitmask), "
            f"got an array of shape {arr.shape}"
        )
    if arr.dtype.kind in "iub":
        arr = arr.astype(float)
    if arr.dtype != object:
        arr = np.asarray(arr, dtype=float)
        if not np.all(np.isfinite(arr)):
            raise GameError("worths must be finite numbers (found NaN or infinity)")
    return arr


def _normalise_exact(arr: np.ndarray) -> np.ndarray:
    """Store plain ints as Fractions so division stays exact."""
    out = np.empty(arr.shape[0], dtype=object)
    out[:] = [Fraction(x) if isinstance(x, int) else x for x in arr]
    return out


class GameBase:
    """Storage, construction, access and algebra of a TU game (no solution concepts).

    The public class is :class:`sharing_models.Game`, which adds the solution-concept
    methods (``Game.shapley()``, ...); the concepts themselves take any ``GameBase`` so
    that they need not import the class that calls them.
    """

    __slots__ = ("_index", "cost", "players", "values")

    def __init__(self, players: Iterable[Any], values: Any, *, cost: bool = False) -> None:
        self.players: tuple[Hashable, ...] = _check_players(players)
        self._index = {p: i for i, p in enumerate(self.players)}
        self.values: np.ndarray = _as_values(values, len(self.players))
        self.cost: bool = bool(cost)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_array(cls, players: Iterable[Any], values: Any, *, cost: bool = False) -> Self:
        r"""Game from a worth array indexed by coalition bitmask (bit ``i`` = ``players[i]``).

        Parameters
        ----------
        players : sequence of hashable
            Player labels (``str``, ``int``, tuples, ...), kept as given.
        values : array-like of length ``2**n``
            Worth of every coalition; ``values[0]`` is the empty coalition. ``int``,
            ``Fraction`` or sympy worths make an exact game, floats a float game.
        cost : bool, default False
            True when the values are costs to share.

        Returns
        -------
        Game

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b"], [0, 1, 1, 3]).value(("a", "b"))
        Fraction(3, 1)
        """
        return cls(players, values, cost=cost)

    @classmethod
    def from_dict(
        cls, players: Iterable[Any], worths: Mapping[Any, Any], *, cost: bool = False
    ) -> Self:
        r"""Game from ``{coalition: worth}``; coalitions as iterables of labels or bitmasks.

        The empty coalition may be omitted (worth 0); any other missing coalition is an
        error naming it.

        Parameters
        ----------
        players : sequence of hashable
            Player labels, kept as given.
        worths : mapping
            Coalition (tuple/frozenset of labels, or an ``int`` bitmask) to worth.
        cost : bool, default False
            True when the worths are costs to share.

        Returns
        -------
        Game

        Raises
        ------
        GameError
            For a missing or repeated coalition or an unknown player.

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_dict(["x"], {("x",): 5}).values.tolist()
        [Fraction(0, 1), Fraction(5, 1)]
        """
        labels = _check_players(players)
        index = {p: i for i, p in enumerate(labels)}
        n = len(labels)
        filled: dict[int, Any] = {}
        for key, worth in worths.items():
            mask = _mask_of(key, index)
            if mask in filled:
                shown = sorted(_names(mask, labels), key=repr)
                raise GameError(f"coalition {shown} is given twice")
            filled[mask] = worth
        filled.setdefault(0, 0)
        missing = [m for m in range(1 << n) if m not in filled]
        if missing:
            listed = ", ".join(str(sorted(_names(m, labels), key=repr)) for m in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise GameError(f"missing worth for coalition(s) {listed}{more}")
        return cls(labels, [filled[m] for m in range(1 << n)], cost=cost)

    @classmethod
    def from_function(
        cls, players: Iterable[Any], fn: Callable[[frozenset[Any]], Any], *, cost: bool = False,
        progress: bool | None = None,
    ) -> Self:
        r"""Game whose worth of ``S`` is ``fn(frozenset_of_labels)``; ``fn`` is called 2^n times.

        Parameters
        ----------
        players : sequence of hashable
            Player labels, kept as given.
        fn : callable
            Worth of a coalition, given as a frozenset of labels.
        cost : bool, default False
            True when ``fn`` returns costs.
        progress : bool, optional
            Show a tqdm bar (default: from :data:`PROGRESS_PLAYERS` players on, when stderr is
            a terminal).

        Returns
        -------
        Game

        Notes
        -----
        Calling a Python function 2^n times is the cost (about 300,000 calls a second for
        ``fn=len`` on the 2-core benchmark machine); Ctrl-C stops it cleanly. Where the
        worths can be computed with array operations, build them with numpy and use
        :meth:`from_array` instead.

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_function(["a", "b", "c"], lambda s: len(s) ** 2).value("abc")
        Fraction(9, 1)
        """
        players = _check_players(players)
        n = len(players)
        _check_size(n, "Game.from_function")
        masks: Iterable[int] = range(1 << n)
        if n >= PROGRESS_PLAYERS and progress is not False:
            import sys

            from tqdm.auto import tqdm

            masks = tqdm(masks, total=1 << n, unit="coalition", unit_scale=True, leave=False,
                         desc="Game.from_function", file=sys.stderr,
                         disable=not (progress or sys.stderr.isatty()))
        return cls(players, [fn(_names(m, players)) for m in masks], cost=cost)

    @classmethod
    def weighted_voting(
        cls, weights: PerPlayer, quota: Any, *, players: Iterable[Any] | None = None
    ) -> Self:
        r"""Simple game: ``v(S) = 1`` when the weights in ``S`` reach ``quota``, else 0.

        .. math:: v(S) = 1 \text{ if } \sum_{i \in S} w_i \ge q, \text{ else } 0

        The game behind the Shapley-Shubik index [ShapleyShubik1954]_; for its power
        indices at scale use :mod:`sharing_models.power`, which never builds the game.

        Parameters
        ----------
        weights : mapping player -> number, pandas.Series, or sequence
            Non-negative weights; a sequence is labelled by ``players`` or ``0..n-1``.
        quota : number
            Winning threshold in ``(0, total weight]``.
        players : sequence of hashable, optional
            Labels for a sequence of weights (or the order for a mapping/Series).

        Returns
        -------
        Game
            Exact (0/1 worths).

        Raises
        ------
        GameError
            If ``quota`` is not in ``(0, total weight]``.

        Notes
        -----
        :math:`O(2^n)` time and memory (one subset-sum pass).

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.weighted_voting({"a": 2, "b": 1, "c": 1}, 3).value(("a", "b"))
        Fraction(1, 1)
        >>> Game.weighted_voting([2, 1, 1], 3, players=[1, 2, 3]).value([1, 3])
        Fraction(1, 1)
        """
        labels, w = _named_numbers(weights, "weights", players)
        total = sum(w)
        if quota <= 0 or quota > total:
            raise GameError(f"quota must be in (0, total weight {total}]; got {quota}")
        if _all_exact([*w, quota]):  # integer/Fraction weights: compare exactly
            fr = [Fraction(x) for x in (*w, quota)]
            den = math.lcm(*(x.denominator for x in fr))
            iw = [int(x * den) for x in fr[:-1]]
            big = sum(iw) >= 1 << 62  # beyond int64: Python ints in an object array
            sums = _subset_sums(np.asarray(iw, dtype=object if big else np.int64))
            win = sums >= fr[-1] * den
        else:
            win = _subset_sums(np.asarray(w, dtype=float)) >= quota - 1e-12
        return cls(labels, np.asarray(win, dtype=bool).astype(int).tolist())

    @classmethod
    def bankruptcy(
        cls, estate: Any, claims: PerPlayer, *, players: Iterable[Any] | None = None
    ) -> Self:
        r"""O'Neill's bankruptcy game ``v(S) = max(0, E - sum of claims outside S)``.

        .. math:: v(S) = \max\Bigl(0,\ E - \sum_{i \notin S} c_i\Bigr)

        Its nucleolus is the Talmud rule [AumannMaschler1985]_; the game is from
        [ONeill1982]_.

        Parameters
        ----------
        estate : number
            Amount to divide, ``0 <= estate <= sum(claims)``.
        claims : mapping player -> number, pandas.Series, or sequence
            Non-negative claims; a sequence is labelled by ``players`` or ``0..n-1``.
        players : sequence of hashable, optional
            Labels for a sequence of claims (or the order for a mapping/Series).

        Returns
        -------
        Game
            Exact when the estate and the claims are exact.

        Raises
        ------
        InvalidInputError
            If the estate is negative or exceeds the total claims, or a claim is bad.

        Notes
        -----
        :math:`O(2^n)` time and memory for float input (one subset-sum pass); exact
        input builds Fraction worths in :math:`O(n\,2^n)`.

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.bankruptcy(200, {"a": 100, "b": 200, "c": 300}).value(("b", "c"))
        Fraction(100, 1)
        """
        labels, c = _named_numbers(claims, "claims", players)
        exact = _all_exact([*c, estate])
        total = sum(c, Fraction(0)) if exact else sum(c)
        if estate < 0:
            raise InvalidInputError(f"estate must be non-negative; got {estate}")
        if estate > total:
            raise InvalidInputError(f"estate {estate} exceeds the total claims {total}")
        n = len(labels)
        _check_size(n, "Game.bankruptcy")
        if exact:  # scale to integers; int64 subset sums when they fit, else Python ints
            fr = [Fraction(x) for x in (*c, estate)]
            den = math.lcm(*(x.denominator for x in fr))
            ic = [int(x * den) for x in fr[:-1]]
            big = sum(ic) >= 1 << 62
            sums = _subset_sums(np.asarray(ic, dtype=object if big else np.int64))
            scaled = np.maximum(sums - (sum(ic) - int(fr[-1] * den)), 0)
            vals = [Fraction(int(x), den) for x in scaled]
            return cls(labels, vals)
        sums = _subset_sums(np.asarray(c, dtype=float))
        return cls(labels, np.maximum(0.0, float(estate) - (float(total) - sums)))

    @classmethod
    def airport(cls, costs: PerPlayer, *, players: Iterable[Any] | None = None) -> Self:
        r"""Airport cost game ``c(S) = max_{i in S} c_i`` [LittlechildOwen1973]_.

        .. math:: c(S) = \max_{i \in S} c_i, \qquad c(\emptyset) = 0

        For many users of few types use :func:`sharing_models.cost.airport`, which gives
        the Shapley value (the serial rule) without the game.

        Parameters
        ----------
        costs : mapping player -> number, pandas.Series, or sequence
            Non-negative stand-alone costs; a sequence is labelled by ``players`` or
            ``0..n-1``.
        players : sequence of hashable, optional
            Labels for a sequence of costs (or the order for a mapping/Series).

        Returns
        -------
        Game
            A cost game (``cost=True``), exact for exact costs.

        Raises
        ------
        InvalidInputError
            For negative or non-numeric costs.

        Notes
        -----
        :math:`O(2^n)` time and memory: coalitions are filled in order of increasing cost.

        Examples
        --------
        >>> from sharing_models import Game
        >>> g = Game.airport({"small": 4, "big": 10})
        >>> g.cost, g.value(("small", "big"))
        (True, Fraction(10, 1))
        """
        labels, c = _named_numbers(costs, "costs", players)
        if any(x < 0 for x in c):
            raise InvalidInputError("airport costs must be non-negative")
        n = len(labels)
        _check_size(n, "Game.airport")
        if _all_exact(c):
            order = np.argsort(np.asarray(c, dtype=float), kind="stable")
            vals = np.empty(1 << n, dtype=object)
            vals[:] = [Fraction(0)] * (1 << n)
            _fill_max(vals, [Fraction(x) for x in c], order)
            return cls(labels, vals, cost=True)
        vals = np.zeros(1 << n)
        order = np.argsort(np.asarray(c, dtype=float), kind="stable")
        _fill_max(vals, [float(x) for x in c], order)
        return cls(labels, vals, cost=True)

    @classmethod
    def unanimity(cls, players: Iterable[Any], coalition: Coalition) -> Self:
        r"""Unanimity game ``u_T(S) = 1`` if ``T ⊆ S`` else 0.

        Parameters
        ----------
        players : sequence of hashable
            Player labels.
        coalition : iterable of labels or int bitmask
            The carrier ``T`` (non-empty).

        Returns
        -------
        Game

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.unanimity(["a", "b", "c"], ["a", "b"]).values.tolist()[3]
        Fraction(1, 1)
        """
        players = _check_players(players)
        _check_size(len(players), "Game.unanimity")
        t = _mask_of(coalition, {p: i for i, p in enumerate(players)})
        if t == 0:
            raise GameError("a unanimity game needs a non-empty carrier coalition")
        masks = np.arange(1 << len(players), dtype=np.int64)
        return cls(players, ((masks & t) == t).astype(int).tolist())

    # ------------------------------------------------------------------ access
    @property
    def n(self) -> int:
        r"""Number of players.

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array([1, 2], [0, 1, 1, 3]).n
        2
        """
        return len(self.players)

    @property
    def exact(self) -> bool:
        r"""True when worths are exact (``int``/``Fraction``) or symbolic.

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array([1, 2], [0, 1, 1, 3]).exact, Game.from_array([1, 2], [0.0] * 4).exact
        (True, False)
        """
        return self.values.dtype == object

    @property
    def grand_value(self) -> Any:
        r"""Worth of the grand coalition ``v(N)``.

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array([1, 2], [0, 1, 1, 3]).grand_value
        Fraction(3, 1)
        """
        return self.values[-1]

    def index(self, player: Hashable) -> int:
        r"""Bit position of ``player``.

        Parameters
        ----------
        player : hashable
            A player label.

        Returns
        -------
        int

        Raises
        ------
        GameError
            For an unknown player.

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b"], [0, 1, 1, 3]).index("b")
        1
        """
        try:
            return self._index[player]
        except (KeyError, TypeError):
            raise GameError(
                f"unknown player {player!r}; players are {list(self.players)}"
            ) from None

    def mask(self, coalition: Coalition) -> int:
        r"""Bitmask of a coalition: an iterable of labels, one label, or an ``int`` bitmask.

        An ``int`` is always a bitmask, also when players are labelled by ints.

        Parameters
        ----------
        coalition : iterable of labels, label, or int
            The coalition.

        Returns
        -------
        int

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b", "c"], [0] * 8).mask(("a", "c"))
        5
        """
        return _mask_of(coalition, self._index)

    def coalition(self, mask: int) -> frozenset[Hashable]:
        r"""Labels of the players in the coalition with bitmask ``mask``.

        Parameters
        ----------
        mask : int
            Coalition bitmask (bit ``i`` = ``players[i]``).

        Returns
        -------
        frozenset

        Examples
        --------
        >>> from sharing_models import Game
        >>> sorted(Game.from_array(["a", "b", "c"], [0] * 8).coalition(5))
        ['a', 'c']
        """
        return _names(int(mask), self.players)

    def value(self, coalition: Coalition) -> Any:
        r"""Worth of a coalition given as labels or as a bitmask.

        Parameters
        ----------
        coalition : iterable of labels, label, or int
            The coalition (see :meth:`mask`).

        Returns
        -------
        number
            ``Fraction`` (or sympy) for an exact game, float otherwise.

        Examples
        --------
        >>> from sharing_models import Game
        >>> g = Game.from_array(["a", "b"], [0, 1, 2, 6])
        >>> g.value(["a", "b"]), g.value(0b01)
        (Fraction(6, 1), Fraction(1, 1))
        """
        return self.values[self.mask(coalition)]

    def __call__(self, coalition: Coalition) -> Any:
        return self.value(coalition)

    def to_series(self) -> Any:
        r"""Worths as a :class:`pandas.Series` indexed by readable coalition labels.

        Returns
        -------
        pandas.Series
            ``name="worth"``, index ``"{}"``, ``"{a}"``, ..., in bitmask order.

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b"], [0, 1, 2, 6]).to_series().index.tolist()
        ['{}', '{a}', '{b}', '{a,b}']
        """
        import pandas as pd

        labels = ["{" + ",".join(str(p) for i, p in enumerate(self.players) if m >> i & 1) + "}"
                  for m in range(1 << self.n)]
        return pd.Series(list(self.values), index=labels, name="worth")

    def to_float(self) -> Self:
        r"""The same game with float64 worths (symbolic worths must be numeric).

        Returns
        -------
        Game

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b"], [0, 1, 2, 6]).to_float().values.tolist()
        [0.0, 1.0, 2.0, 6.0]
        """
        if not self.exact:
            return self
        return type(self)(self.players, np.asarray([float(x) for x in self.values]), cost=self.cost)

    def as_savings(self) -> Self:
        r"""For a cost game ``c``, the profit-oriented game ``-c``; else the game itself.

        Returns
        -------
        Game

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.airport({"s": 4, "l": 10}).as_savings().values.tolist()
        [Fraction(0, 1), Fraction(-4, 1), Fraction(-10, 1), Fraction(-10, 1)]
        """
        if not self.cost:
            return self
        return type(self)(self.players, -self.values, cost=False)

    def restrict(self, coalition: Coalition) -> Self:
        r"""Subgame on the players of ``coalition`` (in the game's player order).

        Parameters
        ----------
        coalition : iterable of labels, label, or int
            The players kept.

        Returns
        -------
        Game

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b", "c"], range(8)).restrict(["a", "c"]).values.tolist()
        [Fraction(0, 1), Fraction(1, 1), Fraction(4, 1), Fraction(5, 1)]
        """
        t = self.mask(coalition)
        bits = [i for i in range(self.n) if t >> i & 1]
        sub = np.zeros(1 << len(bits), dtype=np.int64)
        for k, b in enumerate(bits):
            sub[1 << k: 1 << (k + 1)] = sub[: 1 << k] | (1 << b)
        return type(self)([self.players[b] for b in bits], self.values[sub], cost=self.cost)

    # ------------------------------------------------------------------ algebra
    def _combine(self, other: GameBase, op: Callable[[Any, Any], Any]) -> Self:
        if not isinstance(other, GameBase):
            return NotImplemented
        if other.players != self.players:
            raise GameError(
                f"games must have the same players in the same order: "
                f"{list(self.players)} vs {list(other.players)}"
            )
        if other.cost != self.cost:
            raise GameError("cannot combine a cost game with a worth game")
        return type(self)(self.players, _object_safe(op, self.values, other.values), cost=self.cost)

    def __add__(self, other: GameBase) -> Self:
        return self._combine(other, lambda a, b: a + b)

    def __sub__(self, other: GameBase) -> Self:
        return self._combine(other, lambda a, b: a - b)

    def __mul__(self, scalar: Any) -> Self:
        if isinstance(scalar, GameBase) or not (
            isinstance(scalar, numbers.Number) or _is_symbolic(scalar)
        ):
            return NotImplemented
        return type(self)(self.players, self.values * scalar, cost=self.cost)

    __rmul__ = __mul__

    def __neg__(self) -> Self:
        return type(self)(self.players, -self.values, cost=self.cost)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GameBase):
            return NotImplemented
        return (
            self.players == other.players
            and self.cost == other.cost
            and bool(np.all(self.values == other.values))
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        kind = "cost game" if self.cost else "game"
        mode = "exact" if self.exact else "float"
        names = list(self.players)[:6]
        more = "..." if self.n > 6 else ""
        return f"<Game: {kind} on {self.n} players {names}{more}, {mode}>"

    # ------------------------------------------------------------------ properties
    def _oriented(self) -> np.ndarray:
        """Worths in the profit orientation (``-c`` for cost games), float64."""
        v = np.asarray(self.values, dtype=float)
        return -v if self.cost else v

    def is_monotone(self) -> bool:
        r"""Whether ``v(S) <= v(T)`` whenever ``S ⊆ T`` (on the stored values).

        Returns
        -------
        bool

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b"], [0, 1, 1, 3]).is_monotone()
        True
        """
        v = np.asarray(self.values, dtype=float)
        masks = np.arange(1 << self.n, dtype=np.int64)
        for i in range(self.n):
            s = masks[(masks >> i & 1) == 0]
            if np.any(v[s | (1 << i)] < v[s] - _tol(v)):
                return False
        return True

    def is_superadditive(self) -> bool:
        r"""Whether ``v(S ∪ T) >= v(S) + v(T)`` for disjoint ``S, T`` (subadditive costs).

        Checks all :math:`3^n` pairs in vectorised chunks.

        Returns
        -------
        bool

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b"], [0, 1, 1, 3]).is_superadditive()
        True
        """
        v = self._oriented()
        tol = _tol(v)
        for union, part in _subset_pairs(self.n):
            if np.any(v[union] < v[part] + v[union ^ part] - tol):
                return False
        return True

    def is_convex(self) -> bool:
        r"""Whether the game is supermodular (concave costs for a cost game).

        ``v(S ∪ i) - v(S)`` is non-decreasing in ``S``.

        Returns
        -------
        bool

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b", "c"], [0, 1, 1, 3, 1, 3, 3, 6]).is_convex()
        True
        """
        v = self._oriented()
        tol = _tol(v)
        masks = np.arange(1 << self.n, dtype=np.int64)
        for i in range(self.n):
            for j in range(i + 1, self.n):
                s = masks[((masks >> i) & 1 == 0) & ((masks >> j) & 1 == 0)]
                bi, bj = 1 << i, 1 << j
                if np.any(v[s | bi | bj] - v[s | bj] < v[s | bi] - v[s] - tol):
                    return False
        return True

    def is_essential(self) -> bool:
        r"""Whether ``v(N) > sum_i v({i})`` (``c(N) < sum_i c({i})`` for cost games).

        Returns
        -------
        bool

        Examples
        --------
        >>> from sharing_models import Game
        >>> Game.from_array(["a", "b"], [0, 1, 1, 3]).is_essential()
        True
        """
        v = self._oriented()
        singles = sum(v[1 << i] for i in range(self.n))
        return bool(v[-1] > singles + _tol(v))


# ---------------------------------------------------------------------- helpers
def _check_players(players: Iterable[Any]) -> tuple[Hashable, ...]:
    out = check_labels(players, error=GameError)
    _check_size(len(out), "a game stored as a worth array")
    return out


def _check_size(n: int, what: str) -> None:
    if n > MAX_PLAYERS:
        raise TooLargeError(
            f"{what} supports at most {MAX_PLAYERS} players (2^n worths); got {n}. "
            "Use shapley_sample() for Monte Carlo estimates, or the weighted-voting "
            "functions in sharing_models.power, which do not build the worth array."
        )


def _mask_of(coalition: Coalition, index: Mapping[Hashable, int]) -> int:
    return coalition_mask(coalition, index, error=GameError)


def _names(mask: int, players: tuple[Hashable, ...]) -> frozenset[Hashable]:
    return frozenset(p for i, p in enumerate(players) if mask >> i & 1)


def _named_numbers(
    data: Any, what: str, players: Iterable[Any] | None = None
) -> tuple[tuple[Hashable, ...], list[Any]]:
    """Labels and non-negative numbers from a mapping, Series or sequence (``players=``)."""
    labels, vals = per_player(data, players=players, what=what)
    labels = _check_players(labels)
    for p, x in zip(labels, vals, strict=True):
        if not isinstance(x, numbers.Real) or isinstance(x, bool):
            raise InvalidInputError(f"{what}[{p!r}] must be a number; got {x!r}")
        if x < 0:
            raise InvalidInputError(f"{what}[{p!r}] must be non-negative; got {x}")
    return labels, vals


def _all_exact(xs: Iterable[Any]) -> bool:
    return all(_is_exact_number(x) for x in xs)


def _subset_sums(w: np.ndarray) -> np.ndarray:
    """``sums[mask] = sum of w[i] for bits i in mask``, built by doubling."""
    sums = np.zeros(1 << len(w), dtype=w.dtype)
    for i, wi in enumerate(w):
        sums[1 << i: 1 << (i + 1)] = sums[: 1 << i] + wi
    return sums


def _fill_max(vals: np.ndarray, c: list[Any], order: np.ndarray) -> None:
    """``vals[mask] = max c[i] over bits in mask`` (ascending order: later bits dominate)."""
    masks = np.arange(vals.shape[0], dtype=np.int64)
    for i in order:
        vals[(masks >> int(i)) & 1 == 1] = c[int(i)]


def _object_safe(op: Callable[[Any, Any], Any], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype == object or b.dtype == object:
        out = np.empty(a.shape[0], dtype=object)
        out[:] = [op(x, y) for x, y in zip(a, b, strict=True)]
        return out
    return np.asarray(op(a, b))


def _tol(v: np.ndarray) -> float:
    scale = float(np.max(np.abs(v))) if v.size else 0.0
    return 1e-9 * max(1.0, scale)


def _subset_pairs(n: int, chunk_bits: int = 12) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(union, part)`` arrays covering every ``part ⊆ union`` pair (3^n in all).

    The low ``chunk_bits`` bits are expanded with array code; higher bits in a loop,
    so memory stays at about ``3**chunk_bits`` entries.
    """
    low = min(n, chunk_bits)
    union = np.zeros(1, dtype=np.int64)
    part = np.zeros(1, dtype=np.int64)
    for i in range(low):
        b = 1 << i
        union = np.concatenate([union, union | b, union | b])
        part = np.concatenate([part, part, part | b])
    high = n - low
    for code in range(3 ** high):
        hu = hp = 0
        c = code
        for k in range(high):
            digit = c % 3
            c //= 3
            b = 1 << (low + k)
            if digit >= 1:
                hu |= b
            if digit == 2:
                hp |= b
        yield union | hu, part | hp


def _factorials(n: int) -> list[int]:
    return [math.factorial(k) for k in range(n + 1)]
