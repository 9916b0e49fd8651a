"""The project's exception hierarchy.

Every error raised for bad input anywhere in the toolkit (``sharing_models`` and
``agreements``) subclasses :class:`ConsortiumError`, which itself subclasses
:class:`ValueError`, so ``except ValueError`` keeps working for callers that do not
know this package.
"""

from __future__ import annotations

__all__ = [
    "ConsortiumError",
    "EmptyCoreWarning",
    "GameError",
    "InvalidInputError",
    "SuspiciousResultWarning",
    "TooLargeError",
]


class ConsortiumError(ValueError):
    """Base class of every error the toolkit raises for bad input.

    Examples
    --------
    >>> issubclass(ConsortiumError, ValueError)
    True
    """


class InvalidInputError(ConsortiumError):
    """An argument is malformed: wrong type, shape, sign or unknown name.

    Examples
    --------
    >>> from sharing_models import claims
    >>> claims.talmud(10, {"a": -1})
    Traceback (most recent call last):
    ...
    sharing_models.exceptions.InvalidInputError: claim of 'a' is negative (-1); ...
    """


class GameError(InvalidInputError):
    """A game is malformed or does not meet what a solution concept requires.

    Examples
    --------
    >>> from sharing_models import Game
    >>> Game.from_array(["a", "b"], [0, 1, 2])
    Traceback (most recent call last):
    ...
    sharing_models.exceptions.GameError: a game on 2 players needs 4 worths ...
    """


class TooLargeError(ConsortiumError):
    """The problem is too large for the requested (exact) method.

    The message names the size limit and the method to use instead.

    Examples
    --------
    >>> import numpy as np
    >>> from sharing_models import Game, nucleolus
    >>> nucleolus(Game.from_array(list(range(17)), np.zeros(1 << 17)), exact=True)
    Traceback (most recent call last):
    ...
    sharing_models.exceptions.TooLargeError: nucleolus: exact (Fraction) arithmetic ...
    """


class SuspiciousResultWarning(UserWarning):
    """A valid but suspicious result (ties, degenerate input).

    A :class:`UserWarning` (a ``RuntimeWarning`` up to 0.1.0): the engine attributes it
    to the caller's line, so Python's default filters show it once per call site, and
    ``warnings.simplefilter("ignore", SuspiciousResultWarning)`` silences it.

    Examples
    --------
    >>> issubclass(SuspiciousResultWarning, UserWarning)
    True
    """


class EmptyCoreWarning(SuspiciousResultWarning):
    """The core of the game is empty (nucleolus, least core): valid, but worth knowing.

    Silence it with ``warnings.simplefilter("ignore", EmptyCoreWarning)``; the result's
    ``attrs["core_empty"]`` records the same fact.

    Examples
    --------
    >>> import warnings
    >>> from sharing_models import Game, nucleolus
    >>> majority = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", EmptyCoreWarning)
    ...     x = nucleolus(majority)
    >>> x.attrs["core_empty"]
    True
    """
