"""``consortium init`` (issue 16): a commented, valid starting scenario."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from agreements import load, loads
from agreements.cli import main
from agreements.errors import AgreementError
from agreements.scenario.template import MAX_MEMBERS, MIN_MEMBERS, starter_scenario


@pytest.mark.parametrize("n", range(MIN_MEMBERS, MAX_MEMBERS + 1))
def test_template_is_valid_bilingual_and_complete(n):
    text = starter_scenario(n, date=dt.date(2026, 1, 2))
    a = loads(text)
    assert len(a.members) == n and len(a.contributions) == n
    assert len(a.tasks) == 1 and len(a.results) == 1 and len(a.products) == 1
    assert a.sharing.method is not None and a.date == "2026-01-02"
    named = [a, *a.members, *a.tasks, *a.results, *a.products]
    assert all(x.name.en and x.name.zh for x in named)
    assert len({m.name.zh for m in a.members}) == n  # distinct Chinese names
    assert all(m.risk_tolerance for m in a.members)
    assert text.count("\n#") > 10  # commented for the reader
    # the commented-out fixed shares are a valid alternative that sums to 100
    line = next(x for x in text.splitlines() if "# fixed_shares:" in x)
    shares = yaml.safe_load(line.split("fixed_shares:", 1)[1])
    assert set(shares) == set(a.member_ids) and sum(shares.values()) == 100


@pytest.mark.parametrize("bad", [MIN_MEMBERS - 1, MAX_MEMBERS + 1, True, 2.5])
def test_template_refuses_member_counts_out_of_range(bad):
    with pytest.raises(AgreementError, match="members"):
        starter_scenario(bad)


def test_init_validate_shares_all_exit_zero(tmp_path, capsys):
    out = tmp_path / "x.yaml"
    assert main(["init", "-o", str(out)]) == 0
    assert main(["validate", "--strict", str(out)]) == 0
    assert main(["shares", str(out)]) == 0
    shown = capsys.readouterr()
    assert "ok: 3 members" in shown.out and "v(N) = " in shown.err
    assert "warning" not in shown.err
    assert load(out).member_ids == ["lead_co", "university", "partner_1"]


def test_init_never_replaces_a_file_without_force(tmp_path, capsys):
    out = tmp_path / "mine.yaml"
    out.write_text("my own work", encoding="utf-8")
    assert main(["init", "-o", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "my own work"
    assert "--force" in capsys.readouterr().err
    assert main(["init", "-o", str(out), "--force", "--members", "5"]) == 0
    assert len(load(out).members) == 5


def test_init_to_stdout_and_bad_count(capsys):
    assert main(["init", "-n", "2"]) == 0
    assert len(loads(capsys.readouterr().out).members) == 2
    assert main(["init", "-n", "99"]) == 2
    assert "2 to 12 members" in capsys.readouterr().err
