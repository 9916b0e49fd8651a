"""Preload of the workers of :func:`sharing_models.sweep.local_cluster`: a worker process
ignores Ctrl-C (SIGINT).

A Ctrl-C at a terminal goes to every process of the foreground group, the local
cluster's worker processes included; they would die mid-task with tracebacks of their
own while the sweep process shuts the cluster down cleanly. The sweep process alone
handles the interrupt and closes the workers.
"""

from __future__ import annotations

import contextlib
import signal


def dask_setup(worker: object) -> None:
    """Ignore SIGINT in this worker process (called by ``distributed`` when the worker
    starts; importing this module changes nothing)."""
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGINT, signal.SIG_IGN)
