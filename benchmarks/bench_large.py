"""Large consortia (issue 15): ``consortium shares -m shapley`` at 150 and 500 members.

``run(quick)`` returns one row per task (keys ``area, task, n, ours_s, peer, peer_s,
ratio, note, peak_rss_mb``). The CLI rows run ``consortium shares FILE -m shapley
--tolerance 0.001`` in a subprocess on a generated clustered agreement
(:func:`agreements.scenario.clustered.clustered_mapping`, clusters of 5, written to a
temporary YAML file) and record its wall time and peak resident memory
(``resource.getrusage(RUSAGE_CHILDREN)``); loading and writing the table are included.
The sampler rows time :func:`agreements.sharing.allocate` in this process on the
30-member shared-facility agreement (one part of 30 members: sampled) and divide by the
number of coalitions evaluated to give the per-coalition cost. Targets: 150 members
< 30 s, 500 members < 5 min, memory < 2 GB. No peer package computes shares of an
agreement, so there is no peer column.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from agreements.scenario.clustered import clustered_agreement, clustered_mapping
from agreements.sharing import allocate

AREA = "large"
ROOT = Path(__file__).resolve().parents[1]


def _row(task: str, n: int, seconds: float, note: str, rss: float | None = None
         ) -> dict[str, Any]:
    row: dict[str, Any] = {"area": AREA, "task": task, "n": n, "ours_s": seconds,
                           "peer": None, "peer_s": None, "ratio": None, "note": note}
    if rss is not None:
        row["peak_rss_mb"] = rss
    return row


def _cli(members: int, tmp: Path) -> dict[str, Any]:
    path = tmp / f"clustered_{members}.yaml"
    path.write_text(yaml.safe_dump(clustered_mapping(members, seed=members), sort_keys=False),
                    encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "agreements.cli", "shares", str(path), "-m", "shapley",
           "--tolerance", "0.001", "--format", "csv", "--shares-only"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    how = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    note = (f"exit {done.returncode}; {how}; clusters of 5, one or two products each; "
            "target " + ("< 30 s" if members <= 150 else "< 300 s") + ", < 2 GB")
    return _row("consortium shares -m shapley --tolerance 0.001 (CLI, wall)", members, wall,
                note, rss)


def _sampled(samples: int) -> dict[str, Any]:
    a = clustered_agreement(30, seed=3, shared_facility=True)
    t0 = time.perf_counter()
    x = allocate(a, "shapley", seed=1, samples=samples)
    seconds = time.perf_counter() - t0
    coalitions = x.attrs["samples"] * (len(a.members) + 1)
    per = seconds / coalitions * 1e6
    half = float((x["high"] - x["low"]).max()) / 2 / x.attrs["grand_value"]
    return _row(f"allocate shapley, sampled, {samples} orders", 30, seconds,
                f"{coalitions:,} coalitions, {per:.1f} us per coalition (incl. decomposition "
                f"and setup); widest 95% half-width {half:.2%} of v(N)")


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    if quick:
        a = clustered_agreement(50, seed=50)
        t0 = time.perf_counter()
        x = allocate(a, "shapley")
        rows.append(_row("allocate shapley, exact by structure", 50,
                         time.perf_counter() - t0, x.attrs["detail"]))
        rows.append(_sampled(40))
        return rows
    with tempfile.TemporaryDirectory() as tmp:
        for members in (150, 500):
            rows.append(_cli(members, Path(tmp)))
    rows.append(_sampled(2000))
    return rows
