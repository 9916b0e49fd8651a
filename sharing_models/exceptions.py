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
    """Base class of every error the toolkit raises for bad input."""


class InvalidInputError(ConsortiumError):
    """An argument is malformed: wrong type, shape, sign or unknown name."""


class GameError(InvalidInputError):
    """A game is malformed or does not meet what a solution concept requires."""


class TooLargeError(ConsortiumError):
    """The problem is too large for the requested (exact) method.

    The message names the method to use instead.
    """


class SuspiciousResultWarning(UserWarning):
    """A valid but suspicious result (ties, degenerate input).

    A :class:`UserWarning` (a ``RuntimeWarning`` up to 0.1.0): the engine attributes it
    to the caller's line, so Python's default filters show it once per call site, and
    ``warnings.simplefilter("ignore", SuspiciousResultWarning)`` silences it.
    """


class EmptyCoreWarning(SuspiciousResultWarning):
    """The core of the game is empty (nucleolus, least core): valid, but worth knowing.

    Silence it with ``warnings.simplefilter("ignore", EmptyCoreWarning)``; the result's
    ``attrs["core_empty"]`` records the same fact.
    """
