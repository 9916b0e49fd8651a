"""Every ``consortium`` command that prints a table keeps stdout to the result alone.

For ``--format json`` stdout must parse as one JSON document and for ``--format csv`` as
one CSV table, with no banner, warning, progress line or solver log mixed in; messages
belong on stderr. Output is captured at the file-descriptor level (``capfd``), so a C
library writing to descriptor 1 would fail these tests too.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from agreements.cli import main
from agreements.cli.core import shares_blocks
from agreements.sharing import format_fixed
from agreements.sharing.compare import shown_shares

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = str(ROOT / "scenarios" / "baoshan_medical_devices.yaml")
ASRC = str(ROOT / "scenarios" / "asrc_storage_tiers.yaml")
YRD = str(ROOT / "scenarios" / "yrd_joint_research.yaml")

#: (arguments before --format, formats the command offers besides table)
TABLE_COMMANDS = [
    (["shares", BAOSHAN], ("json", "csv")),
    (["shares", YRD, "--percent", "--exact", "-m", "shapley", "-m", "equal"], ("json", "csv")),
    (["check", BAOSHAN, "--profile", "generic_formation"], ("json", "csv")),
    (["check", YRD, "--profile", "qingdao"], ("json", "csv")),
    (["fees", ASRC, "--years", "2"], ("json", "csv")),
    (["waterfall", BAOSHAN, "--income", "1e8", "--years", "2"], ("json", "csv")),
    (["formation", BAOSHAN, "--draws", "200", "--seed", "1"], ("json", "csv")),
    (["simulate", BAOSHAN, "--draws", "200", "--seed", "1"], ("json", "csv")),
    (["clauses", BAOSHAN, "--table", "revenue_shares"], ("csv",)),
]
CASES = [pytest.param(argv, fmt, id=f"{argv[0]}-{i}-{fmt}")
         for i, (argv, fmts) in enumerate(TABLE_COMMANDS) for fmt in fmts]


@pytest.mark.parametrize(("argv", "fmt"), CASES)
def test_stdout_holds_only_the_result(capfd: pytest.CaptureFixture[str], argv: list[str],
                                      fmt: str) -> None:
    code = main([*argv, "--format", fmt])
    out, err = capfd.readouterr()
    assert code in (0, 1), err  # 1: findings (e.g. a profile rule not met), still a table
    assert out.strip(), f"no result on stdout; stderr: {err}"
    if fmt == "json":
        data = json.loads(out)  # a single document, nothing before or after it
        assert isinstance(data, list) and data and isinstance(data[0], dict)
    else:
        df = pd.read_csv(io.StringIO(out))
        assert len(df) >= 1 and len(df.columns) >= 2
        assert not any(str(c).startswith(("Unnamed", "warning", "v(N)")) for c in df.columns)
    for banner in ("v(N) =", "warning", "Warning", "Running HiGHS", "wrote "):
        assert banner not in out


def test_shares_default_table_is_narrow_blocks(capfd: pytest.CaptureFixture[str]) -> None:
    """The default table is a shares block, a gain block and a core line, each no wider
    than one rule per column (before: 21 columns, 340 characters wide)."""
    assert main(["shares", BAOSHAN]) == 0
    out, _ = capfd.readouterr()
    blocks = out.split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == [
        "shares (CNY)", "gain over outside option (CNY)",
        "in the core: shapley, banzhaf, nucleolus, owen, proportional, equal, fixed"]
    assert "_in_core" not in out and "_gain" not in out
    assert max(len(line) for line in out.splitlines()) <= 120
    header = blocks[0].splitlines()[1].split()
    assert header == ["shapley", "banzhaf", "nucleolus", "owen", "proportional", "equal",
                      "fixed"]
    # fosun_dx's fixed share (55%), and that share less its outside option (5e6)
    assert "5,708,868.59" in blocks[0] and "708,868.59" in blocks[1]
    assert blocks[0].splitlines()[-1].split()[0] == "total"


def test_shares_details_and_csv_keep_every_column(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["shares", BAOSHAN, "--details"]) == 0
    wide, _ = capfd.readouterr()
    assert wide.splitlines()[0].split()[-1] == "fixed_gain"
    assert main(["shares", BAOSHAN, "--format", "csv"]) == 0
    out, _ = capfd.readouterr()
    df = pd.read_csv(io.StringIO(out), index_col="member")
    methods = ["shapley", "banzhaf", "nucleolus", "owen", "proportional", "equal", "fixed"]
    assert list(df.columns) == [f"{m}{s}" for m in methods
                                for s in ("", "_pct", "_exact", "_in_core", "_gain")]


def test_shares_blocks_match_shown_shares() -> None:
    import agreements

    a = agreements.load(YRD)
    df = shown_shares(a, methods=["shapley", "equal"])
    text = shares_blocks(df, a.currency)
    gain_block = text.split("\n\n")[1]
    first = a.member_ids[0]
    row = next(line for line in gain_block.splitlines() if line.startswith(first))
    assert row.split()[1:] == [format_fixed(df.loc[first, m + "_gain"])
                               for m in ("shapley", "equal")]
    only = shares_blocks(df[["shapley", "equal"]], a.currency)
    assert "gain" not in only and "core" not in only


def test_check_table_is_rule_passed_level_detail(capfd: pytest.CaptureFixture[str]) -> None:
    """The default ``check`` table leaves the long source and rule text to ``--details``
    and csv/json (before: 300+ characters wide)."""
    assert main(["check", BAOSHAN, "--profile", "qingdao"]) == 1  # lead not in Qingdao
    out, err = capfd.readouterr()
    assert out.splitlines()[0].split() == ["passed", "level", "detail"]
    assert "青科字" not in out and "lead_in_qingdao" in out and "lead_in_qingdao" in err
    assert main(["check", BAOSHAN, "--profile", "qingdao", "--details"]) == 1
    wide, _ = capfd.readouterr()
    assert "青科字" in wide
    assert main(["check", BAOSHAN, "--profile", "qingdao", "--format", "csv"]) == 1
    out, _ = capfd.readouterr()
    columns = list(pd.read_csv(io.StringIO(out)).columns)
    assert columns[:4] == ["rule", "passed", "detail", "level"] and "source" in columns


def test_fees_table_shows_power_to_six_places(capfd: pytest.CaptureFixture[str]) -> None:
    """Voting power is exact (13/60 for a principal member of the ASRC-style scenario);
    the table shows it to six places (before: rounded to 0.22 by the money format), and
    json keeps the fraction."""
    assert main(["fees", ASRC]) == 0
    out, _ = capfd.readouterr()
    seagate = next(line for line in out.splitlines() if line.startswith("seagate"))
    assert seagate.split()[6:8] == ["0.216667", "0.216667"]
    assert main(["fees", ASRC, "--format", "json"]) == 0
    out, _ = capfd.readouterr()
    row = json.loads(out)[0]
    assert row["member"] == "seagate" and row["shapley_shubik"] == "13/60"
