"""Warnings attributed to the user's line, not to the engine's internals.

:func:`warn_caller` sets ``stacklevel`` to the first frame outside ``sharing_models``,
so the standard filters see the caller's module and line: the default action shows a
warning once per call site (a batch loop over many games warns once), and
``warnings.simplefilter("ignore", EmptyCoreWarning)`` or ``-W`` options silence it.
(Python 3.12's ``skip_file_prefixes`` does the same; the package supports 3.11.)
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn_caller"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def warn_caller(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` with ``stacklevel`` at the first frame outside the package."""
    level = 2  # stacklevel of warn_caller's caller
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level)
