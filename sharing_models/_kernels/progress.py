"""How a tqdm bar behaves on stderr: lively on a terminal, sparse in a log file."""

from __future__ import annotations

import sys
from typing import Any

#: Seconds between redraws when stderr is a terminal, and when it is a file or pipe
#: (CI logs, ``nohup``, a notebook's ``!``), where every redraw adds text to the log.
TTY_INTERVAL = 0.1
LOG_INTERVAL = 5.0


def bar_options() -> dict[str, Any]:
    """tqdm keyword arguments for a bar on ``sys.stderr``.

    On a terminal the bar redraws often and is cleared when done (the caller prints a
    one-line summary); elsewhere it redraws every few seconds and its final state stays,
    ending with a newline, so a log shows how far the work got.

    >>> sorted(bar_options())
    ['file', 'leave', 'mininterval']
    """
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):  # stderr replaced or closed
        tty = False
    return {"file": sys.stderr, "mininterval": TTY_INTERVAL if tty else LOG_INTERVAL,
            "leave": not tty}
