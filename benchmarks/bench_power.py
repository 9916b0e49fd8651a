"""Benchmark: exact voting power (sharing_models.power) against the ``powerindex`` package,
plus claims rules and the airport rule (areas ``claims`` and ``cost``) against coopgame-py.

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

from sharing_models.division.power import banzhaf_index, shapley_shubik

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
    rows += claims_and_cost_rows(quick)
    return rows


def claims_and_cost_rows(quick: bool = False) -> list[dict[str, Any]]:
    """Claims rules and the airport rule against coopgame-py on the same inputs.

    Ours returns a pandas Series labelled by claimant (building that index is timed);
    the peer returns a plain list. Random arrival is compared with the peer's Shapley value
    of the bankruptcy game, whose worth array is built beforehand (not timed for the peer).
    """
    from sharing_models import Game
    from sharing_models.division.claims import random_arrival, talmud
    from sharing_models.division.cost import airport

    peer = _coopgame()
    repeats = 2 if quick else 5
    rng = np.random.default_rng(1)
    rows = []
    for n, exact in (((200, True), (2_000, False)) if quick
                     else ((10_000, True), (100_000, False))):
        ints = rng.integers(1, 1_000, n)
        claims = {f"m{i}": (int(v) if exact else float(v)) for i, v in enumerate(ints)}
        estate = int(ints.sum()) * 2 // 5
        estate = estate if exact else float(estate)
        values = list(claims.values())
        rows.append(_row("claims", f"Talmud rule, {'exact' if exact else 'float'}", n,
                         lambda c=claims, e=estate: talmud(e, c),
                         peer and (lambda v=values, e=estate, x=exact:
                                   peer.talmud(e, v, exact=x)), repeats,
                         _TALMUD_NOTE))
    for n in (8, 12) if quick else (16, 20):
        claims = {f"m{i}": int(v) for i, v in enumerate(rng.integers(1, 100, n))}
        estate = sum(claims.values()) // 2
        floats = {k: float(v) for k, v in claims.items()}
        worths = Game.bankruptcy(float(estate), floats).values
        rows.append(_row("claims", "random arrival, exact (peer: Shapley, float)", n,
                         lambda c=claims, e=estate: random_arrival(e, c),
                         peer and (lambda v=worths: peer.shapley(peer.Game(v[1:]))), repeats,
                         note=f"integer claims 1..99, estate {estate}"))
    n = 60 if quick else 300
    claims = {f"m{i}": int(v) for i, v in enumerate(rng.integers(1, 100, n))}
    estate = sum(claims.values()) // 2
    rows.append(_row("claims", "random arrival, exact (counting tables)", n,
                     lambda: random_arrival(estate, claims), None, 1 if not quick else 2,
                     note=f"integer claims 1..99, estate {estate}; the peer would need a "
                          f"2**{n} worth array"))
    for types, per_type in ((4, 3),) if quick else ((8, 3), (500, 200)):
        costs = {f"t{k}": float(c) for k, c in enumerate(np.sort(rng.uniform(1, 100, types)))}
        counts = dict.fromkeys(costs, per_type)
        users = [c for c in costs.values() for _ in range(per_type)]
        with_peer = peer if len(users) <= 24 else None  # the peer is exponential in users
        rows.append(_row("cost", "airport serial rule (ours: types x counts)", len(users),
                         lambda c=costs, k=counts: airport(c, k),
                         with_peer and (lambda u=users, p=with_peer: p.airport(u)), repeats,
                         note=f"{types} types x {per_type} users; peer gets every user and "
                              "also computes the nucleolus"
                              + ("" if with_peer else "; peer not run (exponential)")))
    return rows


_TALMUD_NOTE = (
    "where the peer is faster: ours reads a name -> claim mapping and returns a Series "
    "labelled by claimant (building the index dominates at 10^5 claims); the peer takes "
    "and returns a plain list"
)


def _row(area: str, task: str, n: int, ours: Callable[[], Any], peer: Any, repeats: int,
         note: str = "") -> dict[str, Any]:
    ours_s, _ = best_of(ours, repeats)
    peer_s = best_of(peer, repeats)[0] if peer else None
    return {"area": area, "task": task, "n": n, "ours_s": ours_s,
            "peer": "coopgame-py" if peer else None, "peer_s": peer_s,
            "ratio": ours_s / peer_s if peer_s else None, "note": note}


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


def _coopgame() -> Any:
    try:
        import coopgame
    except ImportError:
        return None
    return coopgame


def _powerindex() -> Any:
    try:
        import powerindex
    except ImportError:
        return None
    return powerindex


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
