"""Parameter sweeps on Dask: many points, one seed, the same answer anywhere.

:func:`sweep` evaluates ``fn(point, seed)`` for every parameter point, on a
``dask.distributed`` cluster [Rocklin2015]_ (a 2-worker ``LocalCluster`` by default, any
scheduler address or ``Client`` when given, or ``scheduler="inline"`` for this process).
Point ``k`` always gets the ``k``-th child of ``numpy.random.SeedSequence(seed).spawn``,
so results do not depend on where, in what order or in what batches points run.
Finished batches are written to Parquet in point order as soon as every earlier batch is
done, to a temporary file beside the output that is renamed to it when the sweep ends;
an error or interrupt deletes it, so the output is complete or absent. Points are
batched, about 8 batches per worker.

:func:`grid` and :func:`random_points` build point lists. Ready-made ``fn`` for risk
studies: :func:`sharing_models.risk.sweep.lever_point` (one project under the levers of
a point) and :func:`agreements.outcomes.risk.scenario_point` (one of several agreements).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ._kernels.parquet import ParquetSink
from ._kernels.progress import bar_options
from .exceptions import InvalidInputError

__all__ = ["PointFn", "grid", "local_cluster", "random_points", "sweep"]

PointFn = Callable[[dict[str, Any], np.random.SeedSequence], Any]


def grid(**axes: Sequence[Any]) -> list[dict[str, Any]]:
    """Every combination of the given values (last axis varies fastest).

    >>> grid(subsidy=[0, 0.5], floor=[10])
    [{'subsidy': 0, 'floor': 10}, {'subsidy': 0.5, 'floor': 10}]
    """
    if not axes:
        raise InvalidInputError("grid needs at least one axis, e.g. grid(subsidy=[0, 0.3])")
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise InvalidInputError(f"grid axis {name!r} needs a non-empty list of values")
    names = list(axes)
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(axes[k] for k in names))]


def random_points(n: int, seed: Any = None, **axes: Any) -> list[dict[str, Any]]:
    """``n`` random points: ``(low, high)`` floats uniform, ``(low, high)`` ints uniform
    integers inclusive, a list a uniform choice.

    >>> pts = random_points(3, seed=0, subsidy=(0.0, 1.0), members=[3, 5])
    >>> len(pts), sorted(pts[0])
    (3, ['members', 'subsidy'])
    """
    if not (isinstance(n, int) and n > 0):
        raise InvalidInputError(f"random_points needs a positive number of points; got {n!r}")
    rng = np.random.default_rng(seed)
    cols: dict[str, list[Any]] = {}
    for name, spec in axes.items():
        if isinstance(spec, tuple) and len(spec) == 2:
            lo, hi = spec
            if all(isinstance(v, int) for v in spec):
                cols[name] = [int(v) for v in rng.integers(lo, hi, size=n, endpoint=True)]
            else:
                cols[name] = [float(v) for v in rng.uniform(lo, hi, size=n)]
        elif isinstance(spec, list) and spec:
            cols[name] = [spec[i] for i in rng.integers(0, len(spec), size=n)]
        else:
            raise InvalidInputError(f"random axis {name!r} must be (low, high) or a list")
    return [{k: cols[k][i] for k in cols} for i in range(n)]


def _run_batch(fn: PointFn, ids: list[int], points: list[dict[str, Any]],
               seeds: list[np.random.SeedSequence], keys: list[str]) -> pd.DataFrame:
    """Rows of a batch of points; parameter columns are ``keys`` (NaN where a point
    lacks one), so every batch has the same columns."""
    frames = []
    for k, point, ss in zip(ids, points, seeds, strict=True):
        res = fn(dict(point), ss)
        df = res.copy() if isinstance(res, pd.DataFrame) else pd.DataFrame([dict(res)])
        params = pd.DataFrame([point] * len(df), index=df.index).reindex(columns=keys)
        clash = [c for c in params.columns if c in df.columns]
        df = pd.concat([params.drop(columns=clash), df], axis=1)
        df.insert(0, "point", k)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def sweep(
    fn: PointFn,
    points: Sequence[Mapping[str, Any]],
    *,
    seed: Any = 0,
    scheduler: Any = None,
    n_workers: int = 2,
    processes: bool = True,
    batch_size: int | None = None,
    out: str | Path | None = None,
    progress: bool | None = None,
    metadata: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Run ``fn(point, seed)`` over ``points``, in parallel on Dask.

    Parameters
    ----------
    fn : callable
        ``fn(point: dict, seed: SeedSequence) -> mapping or DataFrame``. Must be
        picklable (a module-level function or a ``functools.partial`` of one).
    points : sequence of dict
        Parameter points, e.g. from :func:`grid` or :func:`random_points`.
    seed : int or SeedSequence
        Root seed; point ``k`` gets child ``k`` of ``SeedSequence(seed).spawn(len(points))``.
    scheduler : None, "inline", str or distributed.Client
        ``None``: a new ``LocalCluster`` of ``n_workers`` single-threaded workers
        (processes or threads per ``processes``), closed at the end; ``"inline"``: run
        here without Dask; an address such as ``"tcp://host:8786"`` or a ``Client``.
    batch_size : int, optional
        Points per Dask task (default: about 8 tasks per worker of the cluster).
    out : path, optional
        Stream the result rows, in point order, to this Parquet file (all or nothing:
        nothing is left there if the sweep fails or is interrupted).
    progress : bool, optional
        tqdm bar on stderr (default: when stderr is a TTY).
    metadata : mapping of str to str, optional
        Key-value metadata of the ``out`` file (seed, levers, input hashes: a provenance
        record such as :func:`agreements.scenario.provenance.provenance` makes).

    Returns
    -------
    DataFrame
        One block of rows per point, in point order: ``point``, the parameters (every
        key of any point; NaN where a point lacks it), then ``fn``'s results (``fn``
        should return the same columns for every point).

    Examples
    --------
    >>> def f(point, seed):
    ...     return {"draw": np.random.default_rng(seed).random() + point["x"]}
    >>> a = sweep(f, grid(x=[0, 10]), seed=1, scheduler="inline")
    >>> a["point"].tolist(), bool((a["draw"] >= a["x"]).all())
    ([0, 1], True)
    """
    pts = [dict(p) for p in points]
    if not pts:
        raise InvalidInputError("sweep needs at least one point")
    keys = list(dict.fromkeys(k for p in pts for k in p))
    if not callable(fn):
        raise InvalidInputError("sweep needs a callable fn(point, seed)")
    seeds = np.random.SeedSequence(seed).spawn(len(pts)) if not isinstance(
        seed, np.random.SeedSequence) else seed.spawn(len(pts))
    show = progress if progress is not None else sys.stderr.isatty()
    with ParquetSink(out, metadata) as sink, tqdm(total=len(pts), disable=not show,
                                                   unit="point", **bar_options()) as bar:
        writer = _OrderedWriter(sink, bar)
        if scheduler == "inline":
            for i, ids in enumerate(_batches(len(pts), batch_size, max(1, int(n_workers)))):
                writer.done(i, ids, _run_batch(fn, ids, [pts[k] for k in ids],
                                               [seeds[k] for k in ids], keys))
        else:
            _run_dask(fn, pts, seeds, keys, writer, scheduler, batch_size, int(n_workers),
                      processes)
    return pd.concat(writer.frames, ignore_index=True)


def _batches(n: int, size: int | None, workers: int) -> list[list[int]]:
    """Point indices in batches (default: about 8 batches per worker)."""
    size = size or max(1, math.ceil(n / (8 * workers)))
    return [list(range(i, min(i + size, n))) for i in range(0, n, size)]


class _OrderedWriter:
    """Collect finished batches and write them to Parquet in batch order."""

    def __init__(self, sink: ParquetSink, bar: Any) -> None:
        self.sink, self.bar = sink, bar
        self.pending: dict[int, pd.DataFrame] = {}
        self.frames: list[pd.DataFrame] = []

    def done(self, i: int, ids: list[int], df: pd.DataFrame) -> None:
        self.pending[i] = df
        self.bar.update(len(ids))
        while len(self.frames) in self.pending:
            frame = self.pending.pop(len(self.frames))
            self.sink.write(frame)
            self.frames.append(frame)


def local_cluster(n_workers: int = 2, *, processes: bool = True, **kwargs: Any) -> Any:
    """A ``dask.distributed.LocalCluster`` tuned for sweeps.

    One thread per worker, a random dashboard port, and the workers' statistical
    profiler switched off: it samples every thread's stack every 10 ms and so competes
    for the GIL with points whose work is partly pandas (GIL-bound Python). The
    2-worker speed-up of ``benchmarks/bench_simulation.py`` is recorded in
    ``benchmarks/RESULTS.md``; on this 2-core machine it varies from run to run
    (1.5x to 2.1x seen).

    Parameters
    ----------
    n_workers : int
        Worker processes (or threads when ``processes=False``).
    processes : bool
        Workers in their own processes (the default) or as threads of this one.
    **kwargs
        Passed on to ``LocalCluster``.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        if processes:  # workers leave Ctrl-C to this process, which closes them
            kwargs.setdefault("preload", ["sharing_models._kernels.quiet_worker"])
        return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                            dashboard_address=":0", **kwargs)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block ends, then let it through
    (``KeyboardInterrupt``).

    Starting or closing a local cluster cut half-way leaves workers in a state its
    ``close`` (and the ``atexit`` hook of ``distributed``) fails on, and can leave worker
    processes behind; so these steps finish first. The signal is blocked (not ignored),
    so it stays pending and is delivered when the block ends; the cluster's event-loop
    thread and worker processes, started while it is blocked, inherit the block, so a
    Ctrl-C at a terminal (sent to every process of the group) reaches this process only,
    which then shuts the cluster down. A no-op where POSIX signal masks do not exist.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _run_dask(fn: PointFn, pts: list[dict[str, Any]], seeds: list[np.random.SeedSequence],
              keys: list[str], writer: _OrderedWriter, scheduler: Any,
              batch_size: int | None, n_workers: int, processes: bool) -> None:
    from distributed import Client, as_completed

    if not (scheduler is None or isinstance(scheduler, (str, Client))):
        raise InvalidInputError("scheduler must be None, 'inline', an address or a Client")
    cluster = client = None
    own = not isinstance(scheduler, Client)
    try:
        with _interrupts_deferred():  # an interrupt lands after the cluster is up
            if isinstance(scheduler, Client):
                client = scheduler
            elif scheduler is None:
                cluster = local_cluster(n_workers, processes=processes)
                client = Client(cluster)
            else:
                client = Client(scheduler)
        workers = len(client.scheduler_info().get("workers", {})) or n_workers
        batches = _batches(len(pts), batch_size, max(1, workers))
        futures = {client.submit(_run_batch, fn, ids, [pts[k] for k in ids],
                                 [seeds[k] for k in ids], keys, pure=False): i
                   for i, ids in enumerate(batches)}
        for fut in as_completed(futures):
            i = futures[fut]
            writer.done(i, batches[i], fut.result())
            fut.release()
    finally:  # on success, error or Ctrl-C; a second Ctrl-C waits for the shutdown
        with _interrupts_deferred():
            if own and client is not None:
                client.close(timeout=30)
            if cluster is not None:
                cluster.close(timeout=30)
