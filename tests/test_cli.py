"""The ``consortium`` command line: exit codes, stdout purity, formats, plug-ins."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from agreements import cli
from agreements.cli import build_parser, main
from agreements.cli.common import CliError, emit_table, format_table, load_or_fail

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = str(ROOT / "scenarios" / "baoshan_medical_devices.yaml")
YRD = str(ROOT / "scenarios" / "yrd_joint_research.yaml")
BAD = str(ROOT / "tests" / "data" / "malformed" / "many_problems.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", BAOSHAN)
    assert code == 0
    assert out.startswith("ok: 4 members, 7 contributions, 3 tasks, 3 results, 2 products")
    assert err == ""


def test_validate_reports_every_problem_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", BAOSHAN, BAD)
    assert code == 1
    assert out.count("ok:") == 1 and "many_problems" not in out
    assert "(5 problems)" in err
    assert "many_problems.yaml:8: contributions[0].member: unknown member 'ghost'" in err


def test_missing_file_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "shares", "nope.yaml")
    assert (code, out) == (1, "")
    assert "nope.yaml: no such file" in err


@pytest.mark.parametrize("argv", [
    [], ["bogus"], ["shares"], ["shares", BAOSHAN, "--format", "xml"],
    ["graph", BAOSHAN], ["check", BAOSHAN],
])
def test_usage_errors_are_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage: consortium" in err


def test_help_is_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("validate", "shares", "graph", "check", "schema"):
        assert command in out


def test_shares_csv_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "shares", YRD, "--format", "csv", "-m", "shapley",
                       "-m", "fixed")
    assert code == 0
    df = pd.read_csv(io.StringIO(out), index_col="member", dtype=str)
    assert list(df.columns) == [f"{r}{s}" for r in ("shapley", "fixed")
                                for s in ("", "_pct", "_exact", "_in_core", "_gain")]
    members, total = df.drop(index="total"), df.loc["total"]
    for col in ("shapley", "fixed", "shapley_pct", "fixed_pct"):  # shown figures add up
        assert sum(Decimal(x) for x in members[col]) == Decimal(total[col])
    assert total["shapley_pct"] == total["fixed_pct"] == "100.00"
    assert total["shapley"] == total["fixed"]
    code, out, _ = run(capsys, "shares", YRD, "--format", "json", "--shares-only",
                       "-m", "equal")
    rows = json.loads(out)
    assert set(rows[0]) == {"member", "equal", "equal_pct", "equal_exact"}
    assert rows[-1]["member"] == "total"
    assert sum(Decimal(str(r["equal_pct"])) for r in rows[:-1]) == 100


def test_shares_table_and_exact(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "shares", BAOSHAN, "--shares-only")
    assert code == 0
    assert out.splitlines()[0] == "shares (CNY)"
    assert out.splitlines()[1].split() == ["shapley", "banzhaf", "nucleolus", "owen",
                                           "proportional", "equal", "fixed"]
    assert "-0.0" not in out
    code, out, _ = run(capsys, "shares", YRD, "--exact", "-m", "equal", "--format", "json")
    assert code == 0 and "/" in json.loads(out)[0]["equal_exact"]


def test_shares_unknown_method_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "shares", BAOSHAN, "-m", "shapely")
    assert (code, out) == (1, "")
    assert "unknown sharing method(s) ['shapely']" in err


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_graph(capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str,
               magic: bytes) -> None:
    target = tmp_path / f"g{suffix}"
    code, out, err = run(capsys, "graph", BAOSHAN, "-o", str(target), "--lang", "en",
                         "--dpi", "40")
    assert (code, out) == (0, "")
    assert target.read_bytes().startswith(magic)
    assert "wrote" in err


def test_graph_bad_suffix_is_usage_error(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    code, _, err = run(capsys, "graph", BAOSHAN, "-o", str(tmp_path / "g.gif"))
    assert code == 2 and ".png, .svg or .pdf" in err


def test_check_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    """Baoshan's lead is registered in Shanghai: the Qingdao profile fails (exit 1)."""
    code, out, err = run(capsys, "check", BAOSHAN, "--profile", "qingdao", "--format", "csv")
    assert code == 1
    df = pd.read_csv(io.StringIO(out), index_col="rule")
    assert not df.loc["lead_in_qingdao", "passed"]
    assert "lead_in_qingdao" in err
    code, out, _ = run(capsys, "check", BAOSHAN, "--profile", "generic_formation")
    assert code == 0 and "passed" in out.splitlines()[0]
    code, out, err = run(capsys, "check", BAOSHAN, "--profile", "atlantis")
    assert (code, out) == (1, "")
    assert "atlantis" in err


def test_schema_validates_the_bundled_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].endswith("2020-12/schema")
    from agreements.scenario.loader import _SafeLoader

    data = yaml.load(Path(BAOSHAN).read_text("utf-8"), Loader=_SafeLoader)
    jsonschema.validate(data, schema)
    data["members"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_stdout_holds_only_the_result() -> None:
    """In a real process, solver banners printed by C code go to stderr, not stdout."""
    proc = subprocess.run(
        [sys.executable, "-m", "agreements.cli", "shares", YRD, "--format", "json",
         "-m", "nucleolus", "-m", "shapley"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["member"] for r in rows][:2] == ["imaging_sh", "asic_js"]


def test_every_command_is_registered_from_the_explicit_list() -> None:
    """Commands come from one list (agreements.cli.COMMANDS), not from discovery, so a
    command module that cannot import fails loudly instead of disappearing."""
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == {"validate", "shares", "graph", "check", "schema", "fees",
                                "waterfall", "simulate", "formation", "sweep", "clauses",
                                "redline", "agreement", "report", "negotiate", "init",
                                "settle", "admit", "withdraw", "review", "plot"}
    assert len(cli.COMMANDS) == 14 and build_parser().prog == "consortium"


def test_cli_common_helpers(tmp_path: Path) -> None:
    df = pd.DataFrame({"x": [1.5, None]}, index=pd.Index(["a", "b"], name="member"))
    assert json.loads(format_table(df, "json")) == [{"member": "a", "x": 1.5},
                                                    {"member": "b", "x": None}]
    series = pd.Series([1, 2], index=["p", "q"], name="n")
    assert json.loads(format_table(series, "json")) == [{"id": "p", "n": 1}, {"id": "q", "n": 2}]
    stream = io.StringIO()
    emit_table(df, "table", stream=stream)
    assert stream.getvalue().endswith("\n") and "member" in stream.getvalue()
    with pytest.raises(CliError) as info:
        format_table(df, "xml")
    assert info.value.code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n")
    with pytest.raises(CliError, match="YAML syntax error") as info:
        load_or_fail(bad)
    assert info.value.code == 1
