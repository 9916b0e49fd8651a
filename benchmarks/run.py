"""Run every ``benchmarks/bench_*.py`` and write ``benchmarks/RESULTS.md``.

Each benchmark module exposes ``run(quick: bool = False) -> list[dict]`` returning rows with
keys ``area, task, n, ours_s, peer, peer_s, ratio, note`` (``peer``/``peer_s`` may be None;
an optional ``peak_rss_mb`` is shown when present). By default every module runs in its own
subprocess, so one module's memory does not inflate the next and its peak RSS is recorded.

Usage::

    python benchmarks/run.py                 # everything, full sizes
    python benchmarks/run.py --quick         # smoke run at tiny sizes
    python benchmarks/run.py --only power    # just benchmarks/bench_power.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
ROW_KEYS = ("area", "task", "n", "ours_s", "peer", "peer_s", "ratio", "note")
PACKAGES = ("numpy", "scipy", "pandas", "sympy", "networkx", "highspy", "coopgame-py",
            "powerindex")
_MARK = "@@BENCH-RESULT@@"


def discover(only: Sequence[str] | None = None, bench_dir: Path = BENCH_DIR) -> list[Path]:
    """Benchmark files, sorted; ``only`` keeps ``bench_<area>.py`` for the given areas."""
    found = sorted(bench_dir.glob("bench_*.py"))
    if not only:
        return found
    by_area = {p.stem.removeprefix("bench_"): p for p in found}
    unknown = [a for a in only if a not in by_area]
    if unknown:
        raise SystemExit(f"unknown area(s) {unknown}; available: {sorted(by_area)}")
    return [by_area[a] for a in only]


def load(path: Path) -> ModuleType:
    """Import a benchmark file by path (the folder is not a package)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_one(path: Path, quick: bool, in_process: bool, timeout: float) -> dict[str, Any]:
    """Run one module; never raises: failures are recorded in ``error``."""
    start = time.perf_counter()
    result: dict[str, Any] = {"module": path.stem, "rows": [], "error": None,
                              "peak_rss_mb": None}
    try:
        if in_process:
            result["rows"] = check_rows(load(path).run(quick=quick), path.stem)
        else:
            result.update(_in_subprocess(path, quick, timeout))
    except Exception as exc:  # a broken benchmark must not stop the others
        result["error"] = f"{type(exc).__name__}: {exc}"
    result["seconds"] = time.perf_counter() - start
    return result


def _in_subprocess(path: Path, quick: bool, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path)]
    if quick:
        cmd.append("--quick")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    payload = [ln for ln in proc.stdout.splitlines() if ln.startswith(_MARK)]
    if proc.returncode != 0 or not payload:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit code {proc.returncode}: {tail}"}
    data = json.loads(payload[-1][len(_MARK):])
    return {"rows": check_rows(data["rows"], path.stem), "peak_rss_mb": data["peak_rss_mb"]}


def _worker(path: Path, quick: bool) -> None:
    import resource

    rows = check_rows(load(path).run(quick=quick), path.stem)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(_MARK + json.dumps({"rows": rows, "peak_rss_mb": round(peak, 1)}, default=str))


def check_rows(rows: Any, module: str) -> list[dict[str, Any]]:
    """Rows as plain dicts with every key; ``ratio`` filled in when both times are known."""
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise TypeError(f"{module}.run() must return a list of dicts")
    out = []
    for r in rows:
        missing = [k for k in ("area", "task", "ours_s") if r.get(k) is None]
        if missing:
            raise ValueError(f"{module}: row {r} lacks {missing}")
        row = {k: r.get(k) for k in ROW_KEYS} | {k: v for k, v in r.items() if k not in ROW_KEYS}
        if row["ratio"] is None and row["ours_s"] and row["peer_s"]:
            row["ratio"] = row["ours_s"] / row["peer_s"]
        out.append(row)
    return out


def collect(only: Sequence[str] | None = None, quick: bool = False, in_process: bool = False,
            timeout: float = 3600.0, bench_dir: Path = BENCH_DIR) -> list[dict[str, Any]]:
    """Run the selected modules one after another and return their results."""
    results = []
    for path in discover(only, bench_dir):
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        results.append(run_one(path, quick, in_process, timeout))
    return results


def machine_info() -> dict[str, str]:
    """CPU model, cores, RAM, OS, Python and package versions."""
    cpu = platform.processor() or "unknown"
    ram = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    info = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu,
            "cores": str(os.cpu_count()), "ram": ram,
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(),
            "load average (1/5/15 min) at start": _load()}
    for pkg in PACKAGES:
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            info[pkg] = "not installed"
    return info


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def render(results: list[dict[str, Any]], info: dict[str, str], quick: bool = False) -> str:
    """RESULTS.md: machine, versions, a run summary and one table per area."""
    lines = ["# Benchmark results", "",
             "Generated by `python benchmarks/run.py" + (" --quick" if quick else "") + "`; "
             "times are the best of several repeats (`time.perf_counter`), ours and the peer "
             "on the same inputs in the same process. `ours/peer` below 1 means ours is "
             "faster.", ""]
    if quick:
        lines += ["**Quick smoke run: tiny sizes, not representative.**", ""]
    lines += ["## Machine", "", "| item | value |", "|---|---|"]
    lines += [f"| {k} | {_cell(v)} |" for k, v in info.items()]
    lines += ["", "## Runs", "", "| module | wall time | peak RSS (MB) | status |",
              "|---|---|---|---|"]
    for res in results:
        rss = "" if res["peak_rss_mb"] is None else f"{res['peak_rss_mb']:.0f}"
        status = "ok" if res["error"] is None else f"FAILED: {_cell(res['error'])}"
        lines.append(f"| {res['module']} | {_seconds(res['seconds'])} | {rss} | {status} |")
    rows = [r for res in results for r in res["rows"]]
    for area in dict.fromkeys(r["area"] for r in rows):
        lines += ["", f"## {area}", "", *_area_table([r for r in rows if r["area"] == area])]
    return "\n".join(lines) + "\n"


def _area_table(rows: list[dict[str, Any]]) -> list[str]:
    extra = any(r.get("peak_rss_mb") is not None for r in rows)
    head = "| task | n | ours | peer | peer time | ours/peer |" + (" peak RSS (MB) |" if extra
                                                                   else "") + " note |"
    out = [head, "|" + "---|" * head.count(" |")]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3g}x"
        cells = [_cell(r["task"]), _cell(r["n"]), _seconds(r["ours_s"]), _cell(r["peer"]),
                 _seconds(r["peer_s"]), ratio]
        if extra:
            rss = r.get("peak_rss_mb")
            cells.append(f"{rss:.0f}" if isinstance(rss, int | float) else _cell(rss))
        cells.append(_cell(r["note"]))
        out.append("| " + " | ".join(cells) + " |")
    return out


def _seconds(s: float | None) -> str:
    if s is None:
        return ""
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def _cell(x: Any) -> str:
    return "" if x is None else str(x).replace("|", "\\|").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke run)")
    parser.add_argument("--only", nargs="+", metavar="AREA", help="e.g. power shapley")
    parser.add_argument("--in-process", action="store_true", help="no subprocess per module")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per module")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.quick)
        return 0
    results = collect(args.only, args.quick, args.in_process, args.timeout)
    args.output.write_text(render(results, machine_info(), args.quick), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 1 if any(r["error"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
