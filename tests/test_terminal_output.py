"""Readable terminal output (issue 16): tables fit the terminal (or ``--wide``), one
number format per column, missing cells explained, no Python reprs, messages never run
into a table, and long commands show progress on any stderr."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agreements.cli import main
from agreements.cli.common import _float_format, fit_columns, format_table

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = str(ROOT / "scenarios" / "baoshan_medical_devices.yaml")
ASRC = str(ROOT / "scenarios" / "asrc_storage_tiers.yaml")
SCI = re.compile(r"\de[+-]\d")


def _kind(cell: str) -> str:
    if SCI.search(cell):
        return "sci"
    return f"fixed{len(cell.split('.')[1])}" if "." in cell else "other"


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64,
                          min_value=-1e15, max_value=1e15), min_size=1, max_size=12))
def test_one_number_format_per_column(values):
    show = _float_format(values)
    kinds = {_kind(show(x)) for x in values if show(x) != "0"}
    assert len(kinds) <= 1, [show(x) for x in values]
    for x in values:  # and each shown figure is the number, to the shown precision
        text = show(x)
        if not SCI.search(text):
            places = len(text.split(".")[1]) if "." in text else 0
            assert math.isclose(float(text.replace(",", "")), x, abs_tol=10**-places)
        assert not text.startswith("-0.00") or float(text.replace(",", "")) != 0


def test_table_cells_never_show_python_reprs_and_gaps_are_footnoted():
    df = pd.DataFrame({"amount": [8026557.371, 2.98e-08, float("nan")],
                       "note": ["x", None, Fraction(1, 4)], "n": [1, 2, 3]},
                      index=["a", "b", "c"])
    text = format_table(df)
    for bad in ("None", "nan", "NaN", "e-08", "Fraction"):
        assert bad not in text
    assert "8,026,557.37" in text and "0.25" in text
    assert text.rstrip().endswith("n/a: no value (not defined or not computed for this row)")
    assert "n/a:" not in format_table(df.fillna({"amount": 0.0, "note": "y"}))


@pytest.mark.parametrize("width", [30, 50, 80])
def test_wide_tables_are_split_into_blocks_that_fit(width):
    df = pd.DataFrame({f"column_{k}": [1234567.891 * k, -2.5] for k in range(9)},
                      index=pd.Index(["member_one", "member_two"], name="member"))
    text = fit_columns(df.map(lambda x: f"{x:,.2f}"), width)
    assert all(len(line) <= width for line in text.splitlines())
    shown = " ".join(text.split())
    assert all(f"column_{k}" in shown for k in range(9))
    # every block repeats the row labels
    assert text.count("member_one") == text.count("member_two") > 1
    assert fit_columns(df, None).count("member_one") == 1


def test_cli_tables_fit_columns_and_wide_keeps_them_whole(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "70")
    assert main(["fees", ASRC, "--years", "1"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 70
    assert "None" not in out
    assert main(["fees", ASRC, "--years", "1", "--wide"]) == 0
    wide = capsys.readouterr().out
    assert max(len(line) for line in wide.splitlines()) > 70
    assert wide.count("seagate") == 1 < out.count("seagate")
    assert main(["shares", BAOSHAN]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 70


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    env.pop("COLUMNS", None)
    return subprocess.run([sys.executable, "-m", "agreements.cli", *argv], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_shares_messages_never_run_into_the_table():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "agreements.cli", "shares", BAOSHAN],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    lines = done.stdout.splitlines()
    assert any(line.startswith("v(N) = ") for line in lines)
    assert any(line.startswith("in the core: ") for line in lines)
    assert not any("v(N)" in line and not line.startswith("v(N)") for line in lines)


def test_sweep_shows_progress_and_a_summary_on_a_pipe(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"scenarios: [{Path(BAOSHAN).name}]\nmethods: [fixed, equal]\n"
                    "draws: 200\nseed: 1\ngrid:\n  subsidy: [0.0, 0.3]\n", encoding="utf-8")
    (tmp_path / Path(BAOSHAN).name).write_text(Path(BAOSHAN).read_text(encoding="utf-8"),
                                               encoding="utf-8")
    done = _run("sweep", str(spec), "-o", str(tmp_path / "out.parquet"),
                "--scheduler", "inline")
    assert done.returncode == 0, done.stderr
    err = done.stderr
    assert "2/2" in err and "point" in err  # the bar's final state stays in a log
    assert re.search(r"consortium sweep: 2 points \(1 scenarios\) in [\d.]+ s; 4 rows", err)
