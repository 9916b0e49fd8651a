"""Benchmark: life after signing (issue 17): settle, admit, withdraw, review.

Rows (best of several repeats, ``time.perf_counter``, every figure measured in this run):
each ``consortium`` command run in-process (:func:`agreements.cli.main`, loading the
scenario and actuals files, computing and printing the table), and the Python call
alone, on a generated agreement with ``n`` members (``tests.strategies.
random_agreement_mapping(n, seed=7)``: 2 contributions per member, 8 chained tasks with
any-of needs, 4 products; no agreed rule, so Shapley on all ``2^n`` coalitions, in
floats above 12 members).

* settle: 5 contributions delivered at 50%, every task succeeded (two games: planned
  and delivered);
* admit: a newcomer with one data contribution (games of ``n`` and ``n + 1`` members);
* withdraw: member ``m3`` at milestone ``t2`` (one game, restricted);
* review: the same actuals against the ``generic_formation`` profile.

The issue's target: each command on a 20-member agreement under 5 s. No peer package
settles consortium agreements; ``peer`` is empty.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from agreements import Agreement
from agreements.cli import main
from agreements.lifecycle import admit, review, settle, withdraw

AREA = "lifecycle"
TARGET_S = 5.0
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.strategies import random_agreement_mapping  # noqa: E402

NEWCOMER = {"member": {"id": "newbie", "name": {"en": "Newcomer"}, "kind": "enterprise"},
            "contributions": [{"id": "newbie_data", "member": "newbie", "kind": "data",
                               "valuation": 5.0, "cost": 1.0}]}


def _best(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _actuals(a: Agreement) -> list[dict[str, str]]:
    rows = [{"milestone": "t0", "contribution": c.id, "delivered": "0.5", "task": "",
             "succeeded": ""} for c in a.contributions[:5]]
    rows += [{"milestone": t.id, "contribution": "", "delivered": "", "task": t.id,
              "succeeded": "true"} for t in a.tasks]
    return rows


def _cli(argv: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    if code != 0:
        raise RuntimeError(f"consortium {' '.join(argv)} exited {code}")


def _rows(n: int, repeats: int) -> list[dict[str, Any]]:
    data = random_agreement_mapping(n, 7)
    a = Agreement.from_mapping(data)
    rows = _actuals(a)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        scenario, actuals, new = (Path(tmp) / x for x in ("gen.yaml", "act.csv", "new.yaml"))
        scenario.write_text(yaml.safe_dump(data), "utf-8")
        new.write_text(yaml.safe_dump(NEWCOMER), "utf-8")
        with actuals.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        commands = {
            "settle": (["settle", str(scenario), "--actuals", str(actuals)],
                       lambda: settle(a, rows)),
            "admit": (["admit", str(scenario), str(new)], lambda: admit(a, NEWCOMER)),
            "withdraw": (["withdraw", str(scenario), "m3", "--milestone", "t2"],
                         lambda: withdraw(a, "m3", "t2")),
            "review": (["review", str(scenario), "--actuals", str(actuals), "--profile",
                        "generic_formation"], lambda: review(a, rows, "generic_formation")),
        }
        for name, (argv, call) in commands.items():
            cli_s = _best(lambda argv=argv: _cli(argv), repeats)
            api_s = _best(call, repeats)
            note = (f"{n} members, {len(a.contributions)} contributions, 8 tasks, 4 products, "
                    f"Shapley ({'exact' if n <= 12 else 'floats'}); the Python call alone "
                    f"{api_s:.3f} s")
            if n == 20:
                note += f"; target < {TARGET_S:g} s: {'met' if cli_s < TARGET_S else 'MISSED'}"
            out.append({"area": AREA, "task": f"consortium {name}", "n": n, "ours_s": cli_s,
                        "peer": None, "peer_s": None, "note": note})
    return out


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Rows ``area, task, n, ours_s, peer, peer_s, ratio, note`` (see benchmarks/README.md)."""
    if quick:
        return _rows(5, 1)
    return _rows(12, 3) + _rows(20, 3)


if __name__ == "__main__":  # pragma: no cover
    for row in run(quick="--quick" in sys.argv):
        print(f"{row['task']:<22} n={row['n']:<3} {row['ours_s']:.3f} s  {row['note']}")
