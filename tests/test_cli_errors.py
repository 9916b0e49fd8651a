"""``consortium`` failures end with one clear message on stderr and exit 1, never a
traceback, and never call a valid scenario invalid."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import agreements
from agreements.cli import main
from agreements.errors import ScenarioError
from agreements.outcomes.waterfall import waterfall_table

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = str(ROOT / "scenarios" / "baoshan_medical_devices.yaml")
EIT = str(ROOT / "scenarios" / "eu_eit_kic.yaml")


@pytest.mark.parametrize("suffix", ["docx", "md", "xlsx"])
def test_clauses_to_a_missing_directory_is_exit_1(capfd: pytest.CaptureFixture[str],
                                                  tmp_path: Path, suffix: str) -> None:
    target = tmp_path / "no" / "such" / f"dir.{suffix}"
    assert main(["clauses", BAOSHAN, "-o", str(target)]) == 1
    out, err = capfd.readouterr()
    assert out == ""
    assert "Traceback" not in err
    assert err.strip() == f"consortium clauses: cannot write {target}: No such file or directory"


def test_redline_to_a_directory_is_exit_1(capfd: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    (tmp_path / "out.md").mkdir()
    assert main(["redline", BAOSHAN, BAOSHAN, "-o", str(tmp_path / "out.md")]) == 1
    out, err = capfd.readouterr()
    assert out == "" and "Traceback" not in err
    assert f"cannot write {tmp_path / 'out.md'}" in err


def _eit_without_rates(tmp_path: Path) -> str:
    """The EIT KIC scenario with its waterfall section (the agreed rates) removed."""
    text = Path(EIT).read_text(encoding="utf-8")
    start = text.index("  waterfall:\n")
    end = text.index("governance:", start)
    path = tmp_path / "eit_no_rates.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return str(path)


def test_waterfall_with_an_agreed_reward_and_no_rates(
        capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A valid scenario (``validate`` says ok) whose inventor reward is 'agreed' with no
    rates: the waterfall names the file and field it lacks instead of calling an
    anonymous ``<scenario>`` invalid."""
    eit = _eit_without_rates(tmp_path)
    a = agreements.load(eit)
    assert a.sharing.inventor_reward == "agreed" and a.sharing.waterfall is None
    with pytest.raises(ScenarioError, match="inventor_reward is 'agreed'"):
        waterfall_table(a, 1e8)
    assert main(["validate", eit]) == 0
    capfd.readouterr()
    assert main(["waterfall", eit, "--income", "1e8", "--format", "json"]) == 1
    out, err = capfd.readouterr()
    assert out == ""
    assert "<scenario>" not in err and "is invalid" not in err
    assert err.splitlines() == [
        f"consortium waterfall: cannot compute the waterfall of {eit}:",
        f"  - {eit}: sharing.waterfall.inventor_reward: sharing.inventor_reward is 'agreed' "
        "but the waterfall gives no rates; set transfer_rate and implementation_rate"]


def test_bundled_eit_waterfall_uses_its_agreed_rates() -> None:
    """The bundled EIT KIC scenario states its agreed reward (30% of net licence income)."""
    df = waterfall_table(agreements.load(EIT), 1e8)
    rewards = df[df["stage"] == "inventor_reward"]
    assert len(rewards) == 1 and rewards["amount"].iloc[0] > 0


@pytest.mark.parametrize("total", ["abc", "nan", "1e", "inf"])
def test_clauses_bad_total_is_a_usage_error(capfd: pytest.CaptureFixture[str],
                                            total: str) -> None:
    assert main(["clauses", BAOSHAN, "--total", total]) == 2
    out, err = capfd.readouterr()
    assert out == "" and "Traceback" not in err
    assert "argument --total: expected" in err and repr(total) in err


def test_clauses_total_is_exact(capfd: pytest.CaptureFixture[str]) -> None:
    """``--total 1,000,000.01`` is divided exactly: amounts sum to it to the cent."""
    assert main(["clauses", BAOSHAN, "--table", "revenue_shares", "--format", "csv",
                 "--total", "1,000,000.01"]) == 0
    out, _ = capfd.readouterr()
    table = pd.read_csv(io.StringIO(out), index_col="id", dtype=str)
    amounts = [Decimal(a.removeprefix("CNY ").replace(",", "")) for a in table["Amount"]]
    assert table.index[-1] == "total" and amounts[-1] == Decimal("1000000.01")
    assert sum(amounts[:-1]) == amounts[-1]


def test_version_is_exit_0_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert main(["--version"]) == 0
    out, err = capfd.readouterr()
    assert out == f"consortium {version('consortium-toolkit')}\n" and err == ""
