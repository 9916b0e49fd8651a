"""A silent HiGHS instance for the LP-based concepts (core, nucleolus, Kohlberg)."""

from __future__ import annotations

import os
import sys

import highspy

__all__ = ["new_highs"]

_BANNER_SHOWN = False


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS writes a copyright banner to the C-level stdout the first time an instance
    is created in a process; that would corrupt a CLI's stdout (which must hold only
    the result), so the first construction runs with file descriptor 1 sent to
    ``/dev/null``.
    """
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h
