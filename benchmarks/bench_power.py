"""Benchmark: exact voting power (sharing_models.power) against the ``powerindex`` package.

Every row times ours and the peer on the same weighted voting game in this process (best of
several repeats, ``time.perf_counter``). Games: ``n`` voters with weights drawn uniformly
from 1..100 (``numpy.random.default_rng(seed)``) and a simple-majority quota
``floor(W/2) + 1``. Ours returns exact ``Fraction`` values; powerindex returns floats; the
note records the largest difference between the two.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from sharing_models.power import banzhaf_index, shapley_shubik

AREA = "power"


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Rows ``area, task, n, ours_s, peer, peer_s, ratio, note`` (see benchmarks/README.md)."""
    rows: list[dict[str, Any]] = []
    peer_n = 12 if quick else 50
    alone = (30,) if quick else (200, 400)
    repeats = 2 if quick else 5
    for task, ours, peer_method in (
        ("Shapley-Shubik, exact", shapley_shubik, "calc_shapley_shubik"),
        ("Banzhaf (normalized), exact", banzhaf_index, "calc_banzhaf"),
    ):
        weights, quota = game(peer_n)
        rows.append(_versus_peer(task, ours, peer_method, weights, quota, repeats))
        for n in alone:
            weights, quota = game(n)
            slow = n >= 400 and ours is shapley_shubik
            rows.append(_versus_peer(task, ours, peer_method, weights, quota,
                                     1 if slow else repeats, try_peer=ours is banzhaf_index))
    if not quick:
        rows.append(_peer_overflow(200))
    return rows


def game(n: int, seed: int = 0) -> tuple[list[int], int]:
    """``n`` weights uniform on 1..100 and the simple-majority quota."""
    weights = [int(x) for x in np.random.default_rng(seed).integers(1, 101, n)]
    return weights, sum(weights) // 2 + 1


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Smallest wall time over ``repeats`` calls, and the last result."""
    best, result, _ = best_of_with_cpu(fn, repeats)
    return best, result


def best_of_with_cpu(fn: Callable[[], Any], repeats: int) -> tuple[float, Any, float]:
    """Smallest wall time, the last result and the smallest CPU time of this process."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, result, best_cpu


def _versus_peer(
    task: str, ours: Callable[..., Any], peer_method: str, weights: list[int], quota: int,
    repeats: int, try_peer: bool = True,
) -> dict[str, Any]:
    n = len(weights)
    ours_s, values, cpu = best_of_with_cpu(lambda: ours(weights, quota), repeats)
    row = {"area": AREA, "task": task, "n": n, "ours_s": ours_s, "peer": None,
           "peer_s": None, "ratio": None,
           "note": f"weights 1..100, quota {quota} of {sum(weights)}; ours CPU {cpu:.3g} s"}
    peer = _powerindex()
    if peer is None or not try_peer:
        return row

    def call() -> list[float]:
        g = peer.Game(quota, weights=weights)
        getattr(g, peer_method)()
        return g.shapley_shubik if peer_method == "calc_shapley_shubik" else g.banzhaf

    peer_s, peer_values = best_of(call, repeats)
    diff = max(abs(float(a) - b) for a, b in zip(values, peer_values, strict=True))
    row.update(peer="powerindex", peer_s=peer_s, ratio=ours_s / peer_s)
    row["note"] += f"; max |ours - powerindex| = {diff:.1e}"
    return row


def _peer_overflow(n: int) -> dict[str, Any]:
    """powerindex's Shapley-Shubik divides by ``float(n!)``, which overflows for n >= 171.

    Shown on the equal-weight majority game ``[n/2 + 1; 1, ..., 1]`` (its table is small,
    so the failure comes quickly); ours is timed on the same game.
    """
    weights, quota = [1] * n, n // 2 + 1
    ours_s, _ = best_of(lambda: shapley_shubik(weights, quota), 3)
    row = {"area": AREA, "task": "Shapley-Shubik, exact (equal weights)", "n": n,
           "ours_s": ours_s, "peer": "powerindex", "peer_s": None, "ratio": None}
    peer = _powerindex()
    if peer is None:
        row["note"] = "powerindex not installed"
        return row
    try:
        peer.Game(quota, weights=weights).calc_shapley_shubik()
        row["note"] = f"[{quota}; 1 x {n}]: powerindex completed"
    except Exception as exc:  # record the peer's failure verbatim
        row["note"] = (f"[{quota}; 1 x {n}]: powerindex fails with "
                       f"{type(exc).__name__}: {exc} (float(n!) overflows for n >= 171)")
    return row


def _powerindex() -> Any:
    try:
        import powerindex
    except ImportError:
        return None
    return powerindex


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
