"""The one normaliser of per-player input, shared by every public engine function.

Every constructor and function that takes one number per player (weights, claims,
costs, allocations) accepts the same three forms, turned into ``(labels, values)`` by
:func:`per_player`:

* a mapping ``{label: value}`` (labels in the mapping's order);
* a :class:`pandas.Series` (labels from its index);
* a sequence or 1-d array of values, labelled by ``players=`` when given, else
  ``0, 1, ..., n-1`` (pandas' default ``RangeIndex``, as in :mod:`sharing_models.power`
  and :mod:`sharing_models.claims`).

Player labels may be any hashable (``str``, ``int``, tuples, ...) and are kept as given
in every result's index. :func:`check_labels` validates a sequence of labels;
:func:`coalition_mask` turns a coalition (an iterable of labels, or an ``int`` bitmask)
into a bitmask.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError

__all__ = ["FLOAT", "OBJECT", "Coalition", "Label", "PerPlayer", "check_labels",
           "coalition_mask", "per_player", "player_index"]

#: Result dtypes as ``numpy.dtype`` objects: pandas turns a dtype *name* (``object``,
#: ``float``) into a dtype inside ``warnings.catch_warnings()``, which resets Python's
#: once-per-location warning registry; passing these keeps the engine's warnings shown
#: once per call site under the default filters.
OBJECT = np.dtype(object)
FLOAT = np.dtype(np.float64)

#: A player label: any hashable (``"lab"``, ``3``, ``("lab", 2)``).
Label: TypeAlias = Hashable
#: One value per player: a mapping, a Series, or a sequence/array in player order.
PerPlayer: TypeAlias = "Mapping[Any, Any] | pd.Series[Any] | Sequence[Any] | np.ndarray[Any, Any]"
#: A coalition: an iterable of labels, one label, or an ``int`` bitmask.
Coalition: TypeAlias = "Iterable[Any] | int | str"


def check_labels(
    players: Iterable[Any], *, what: str = "player", error: type[Exception] = InvalidInputError
) -> tuple[Hashable, ...]:
    """Validate player labels: a non-empty sequence of unique hashables.

    Strings must be non-empty; ``None`` and booleans are rejected (they are almost always
    a mistake). One string is not a sequence of labels.

    >>> check_labels([1, 2, 3])
    (1, 2, 3)
    >>> check_labels(["a", ("b", 2)])
    ('a', ('b', 2))
    >>> check_labels(["a", "a"])
    Traceback (most recent call last):
    ...
    sharing_models.exceptions.InvalidInputError: player labels must be unique; repeated: ['a']
    """
    if isinstance(players, (str, bytes)):
        raise error(f"{what}s must be a sequence of labels, not one string")
    out = tuple(players.tolist() if isinstance(players, (np.ndarray, pd.Index)) else players)
    if not out:
        raise error(f"at least one {what} is needed")
    try:
        unique = set(out)  # one C-level pass: hashability and uniqueness
    except TypeError:
        bad = next(p for p in out if not _hashable(p))
        raise error(f"{what} labels must be hashable; got {bad!r} "
                    f"({type(bad).__name__})") from None
    types = set(map(type, out))  # C-level pass; a per-label generator costs 10x more
    if None in unique or "" in unique or bool in types or np.bool_ in types:
        bad = next(p for p in out if p is None or p == "" or type(p) in (bool, np.bool_))
        raise error(f"{what} labels must be non-empty strings, ints or other hashables; "
                    f"got {bad!r}")
    if len(unique) != len(out):
        seen: set[Hashable] = set()
        dup = [p for p in out if p in seen or seen.add(p)]  # type: ignore[func-returns-value]
        raise error(f"{what} labels must be unique; repeated: {sorted(set(dup), key=repr)}")
    return out


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def per_player(
    data: Any,
    *,
    players: Iterable[Any] | None = None,
    what: str = "values",
    who: str = "player",
    error: type[Exception] = InvalidInputError,
) -> tuple[tuple[Hashable, ...], list[Any]]:
    """``(labels, values)`` from a mapping, a Series or a sequence (see the module doc).

    With ``players=`` a sequence is labelled by it, and a mapping or Series must name
    exactly those players; it is then reordered to follow ``players``.

    >>> per_player({"a": 1, "b": 2})
    (('a', 'b'), [1, 2])
    >>> per_player([5, 7])
    ((0, 1), [5, 7])
    >>> per_player([5, 7], players=[1, 2])
    ((1, 2), [5, 7])
    >>> per_player(pd.Series([3, 4], index=["x", "y"]), players=["y", "x"])
    (('y', 'x'), [4, 3])
    """
    default = False  # labels 0..n-1 made here need no checking
    if isinstance(data, pd.Series):
        labels, values = list(data.index), data.tolist()
    elif isinstance(data, Mapping):
        labels, values = list(data.keys()), list(data.values())
    elif isinstance(data, np.ndarray):
        if data.ndim != 1:
            raise error(f"{what} must be one-dimensional (one value per player); "
                        f"got shape {data.shape}")
        values = data.tolist()
        labels, default = _sequence_labels(players, len(values))
        players = None
    elif isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
        values = list(data)
        labels, default = _sequence_labels(players, len(values))
        players = None
    else:
        noun = what.removesuffix("s")
        raise error(f"{what} must be a mapping {who} -> {noun}, a pandas Series or a "
                    f"sequence; got {data!r}")
    if not values:
        raise error(f"{what} must name at least one {who}")
    out = tuple(labels) if default else check_labels(labels, what=who, error=error)
    if len(out) != len(values):
        raise error(f"{what}: {len(values)} values for {len(out)} {who}s {list(out)}")
    if players is not None:  # a mapping or Series, reordered to the given players
        want = check_labels(players, what=who, error=error)
        want_set, out_set = set(want), set(out)
        unknown = [p for p in out if p not in want_set]
        missing = [p for p in want if p not in out_set]
        if unknown or missing:
            raise error(f"{what} must name exactly the {who}s {list(want)}; "
                        f"unknown: {unknown}, missing: {missing}")
        by = dict(zip(out, values, strict=True))
        return want, [by[p] for p in want]
    return out, values


def _sequence_labels(players: Iterable[Any] | None, n: int) -> tuple[list[Any], bool]:
    """Labels of a sequence: ``players`` as given, else ``0..n-1`` (flagged as default)."""
    if players is None:
        return list(range(n)), True
    return list(players), False


def coalition_mask(
    coalition: Any, index: Mapping[Hashable, int], *, error: type[Exception] = InvalidInputError
) -> int:
    """Bitmask of a coalition: an ``int`` bitmask, one label, or an iterable of labels.

    An ``int`` is always a bitmask (bit ``i`` = ``players[i]``), also when the players are
    labelled by ints: the coalition of player ``3`` alone is ``[3]``. A string that is
    not a label is read as a string of one-letter labels (``"abc"``).

    >>> idx = {"a": 0, "b": 1, "c": 2}
    >>> coalition_mask(("a", "c"), idx), coalition_mask("c", idx), coalition_mask(3, idx)
    (5, 4, 3)
    """
    n = len(index)
    if isinstance(coalition, (int, np.integer)) and not isinstance(coalition, (bool, np.bool_)):
        m = int(coalition)
        if not 0 <= m < 1 << n:
            raise error(f"coalition mask {m} is out of range for {n} players")
        return m
    members: Iterable[Any]
    if isinstance(coalition, str):
        members = [coalition] if coalition in index else list(coalition)
    elif _is_label(coalition, index):
        members = [coalition]
    elif isinstance(coalition, Iterable):
        members = coalition
    else:
        raise error(f"a coalition must be an iterable of players or an int bitmask; "
                    f"got {coalition!r}")
    mask = 0
    for p in members:
        try:
            mask |= 1 << index[p]
        except (KeyError, TypeError):
            raise error(f"unknown player {p!r}; players are {list(index)}") from None
    return mask


def _is_label(x: Any, index: Mapping[Hashable, int]) -> bool:
    try:
        return x in index
    except TypeError:  # unhashable: a list or set of labels
        return False


def player_index(labels: Iterable[Any]) -> pd.Index:
    """A result index holding the labels as given (tuples stay tuples, no MultiIndex).

    >>> player_index([("a", 1), ("b", 2)]).tolist()
    [('a', 1), ('b', 2)]
    """
    index: pd.Index = pd.Index(list(labels), tupleize_cols=False)
    return index
