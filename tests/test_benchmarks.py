"""Keep the benchmark runner from rotting: run the power benchmark at tiny sizes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("_bench_runner", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_power_in_process(runner):
    results = runner.collect(["power"], quick=True, in_process=True)
    assert [r["module"] for r in results] == ["bench_power"]
    assert results[0]["error"] is None
    rows = results[0]["rows"]
    assert rows and all(set(runner.ROW_KEYS) <= set(r) for r in rows)
    assert {r["area"] for r in rows} == {"power", "claims", "cost"}
    assert all(r["ours_s"] > 0 for r in rows)
    for r in rows:
        if r["peer_s"] is not None:  # peer installed: the ratio is computed
            assert r["ratio"] == pytest.approx(r["ours_s"] / r["peer_s"])
        if r["peer"] == "powerindex":  # and agreement with the peer is recorded
            assert "max |ours - powerindex|" in r["note"]
    text = runner.render(results, runner.machine_info(), quick=True)
    assert "## power" in text and "| Shapley-Shubik, exact | 12 |" in text
    assert "## claims" in text and "## cost" in text
    assert "| python |" in text and "| numpy |" in text and "Quick smoke run" in text


def test_broken_module_is_reported_not_fatal(runner, tmp_path):
    bad = "def run(quick=False):\n    raise RuntimeError('boom')\n"
    (tmp_path / "bench_bad.py").write_text(bad)
    (tmp_path / "bench_rows.py").write_text(
        "def run(quick=False):\n"
        "    return [{'area': 'x', 'task': 't', 'n': 3, 'ours_s': 0.5, 'peer': 'p',"
        " 'peer_s': 2.0, 'note': 'a|b'}]\n"
    )
    results = runner.collect(quick=True, in_process=True, bench_dir=tmp_path)
    by_module = {r["module"]: r for r in results}
    assert by_module["bench_bad"]["error"] == "RuntimeError: boom"
    assert by_module["bench_rows"]["rows"][0]["ratio"] == 0.25
    text = runner.render(results, {"python": "3"})
    assert "FAILED: RuntimeError: boom" in text
    assert "| t | 3 | 500.0 ms | p | 2.00 s | 0.25x | a\\|b |" in text
    with_rss = [{**by_module["bench_rows"]["rows"][0], "peak_rss_mb": 230.9}]
    text = runner.render([{**by_module["bench_rows"], "rows": with_rss}], {})
    assert "| peak RSS (MB) | note |" in text and "| 0.25x | 231 | a\\|b |" in text


def test_unknown_area_is_an_error(runner):
    with pytest.raises(SystemExit, match="unknown area"):
        runner.discover(["no-such-area"])
