"""Benchmark: how fast the ``consortium`` command line starts (issue 16).

Rows: CPU time (user + system of the child process, from
``resource.getrusage(RUSAGE_CHILDREN)``), best of several runs, of ``consortium --help``,
``consortium --version``, ``consortium validate scenarios/lingang_eda.yaml`` and
``consortium init`` (written to a temporary folder), each in a fresh interpreter
(``python -m agreements.cli``, so the figures do not depend on how the console script was
installed). The issue's targets are 0.3 s for ``--help`` and 0.6 s for ``validate``;
``note`` says whether a row meets its target. A bare ``python -c pass`` is the floor.
No peer package; ``peer`` is empty.
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

AREA = "cli"
ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"--help": 0.3, "validate": 0.6}


def cpu_seconds(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process running ``argv``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _row(task: str, argv: list[str], repeats: int, target: float | None) -> dict[str, Any]:
    runs = [cpu_seconds(argv) for _ in range(repeats)]
    cpu = min(c for c, _ in runs)
    wall = min(w for _, w in runs)
    note = f"CPU (user+sys), best of {repeats}; wall {wall:.2f} s"
    if target is not None:
        note += f"; target {target} s: {'met' if cpu <= target else 'MISSED'}"
    return {"area": AREA, "task": task, "n": 1, "ours_s": cpu, "peer": None,
            "peer_s": None, "ratio": None, "note": note}


def run(quick: bool = False) -> list[dict[str, Any]]:
    repeats = 2 if quick else 5
    cli = [sys.executable, "-m", "agreements.cli"]
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "start.yaml")
        return [
            _row("python -c pass (floor)", [sys.executable, "-c", "pass"], repeats, None),
            _row("consortium --help", [*cli, "--help"], repeats, TARGETS["--help"]),
            _row("consortium --version", [*cli, "--version"], repeats, TARGETS["--help"]),
            _row("consortium validate lingang_eda.yaml",
                 [*cli, "validate", "scenarios/lingang_eda.yaml"], repeats,
                 TARGETS["validate"]),
            _row("consortium init", [*cli, "init", "-o", out, "--force"], repeats,
                 TARGETS["validate"]),
        ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(f"{row['task']:<40} {row['ours_s']:.3f} s  {row['note']}")
