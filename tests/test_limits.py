"""The loader enforces the published schema (issue 16): strict numbers, text without
control characters, finite ceilings, the documented shortcuts, and option ceilings of the
commands, each refused with the fix or the alternative named."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import agreements
from agreements import ScenarioError
from agreements.cli import main
from agreements.scenario.limits import MAX_AMOUNT, MAX_DEPTH, nesting_depth
from agreements.scenario.schema import json_schema

MINI = """\
format: 1
id: mini
name: {en: Mini}
members:
  - {id: a, name: {en: A}, kind: enterprise}
  - {id: b, name: {en: B}, kind: university}
contributions:
  - {id: c1, member: a, kind: cash, valuation: 100}
  - {id: c2, member: b, kind: staff, valuation: 50}
tasks:
  - {id: t1, lead: a, needs: {all_of: [c1, c2]}, produces: [r1]}
results:
  - {id: r1}
products:
  - {id: p1, needs: {all_of: [r1]}, revenue: {expected: 1000}}
"""


def _problems(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        agreements.loads(text, source="s.yaml")
    return str(info.value)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("valuation: 100", "valuation: true", "contributions[0].valuation: expected a number; "
                                          "got true (true/false are not numbers)"),
    ("valuation: 100", 'valuation: "1e6"', "write the number without quotes (e.g. 1e6)"),
    ("valuation: 100", 'valuation: " 12 "', "got text ' 12 ': write the number without "
                                            "quotes (e.g. 12)"),
    ("kind: enterprise}", "kind: enterprise, employees: 12.5}",
     "members[0].employees: expected a whole number; got 12.5"),
    ("kind: enterprise}", 'kind: enterprise, independent: "yes"}',
     "members[0].independent: expected true or false; got text 'yes'"),
    ("valuation: 100", "valuation: 1e13", "must be at most 1,000,000,000,000"),
    ("valuation: 100", "valuation: .nan", "expected a finite number"),
    ("lead: a", "lead: {id: a}", "tasks[0].lead: expected an id (text); got a mapping: "
                                 "write the id itself, e.g. `lead: a`"),
    ("revenue: {expected: 1000}", "revenue: true", "products[0].revenue: expected a number, "
                                                   "the expected annual revenue"),
    ("name: {en: Mini}", "name: 5", "name: expected a name as text"),
    ("name: {en: A}", 'name: "A\\x07"', "members[0].name: control character U+0007"),
    ("name: {en: B}", 'name: {en: "B\\uFFFE"}', "members[1].name.en: non-character U+FFFE"),
])
def test_common_mistakes_are_refused_with_the_fix(old: str, new: str, expected: str) -> None:
    assert old in MINI
    assert expected in _problems(MINI.replace(old, new, 1))


def test_json_lone_surrogate_and_control_characters_are_refused() -> None:
    data = agreements.scenario.loader.safe_load(MINI)
    data["members"][0]["name"]["en"] = "A\ud800"
    data["description"] = "tab\tand newline\nare fine"
    with pytest.raises(ScenarioError, match=r"members\[0\]\.name\.en: surrogate U\+D800"):
        agreements.loads(json.dumps(data), format="json")


def test_shortcuts_are_accepted_and_mean_the_long_form() -> None:
    short = (MINI.replace("name: {en: Mini}", "name: Mini")
             .replace("name: {en: A}", "name: A")
             .replace("needs: {all_of: [c1, c2]}", "needs: [c1, c2]")
             .replace("needs: {all_of: [r1]}, revenue: {expected: 1000}",
                      "needs: [r1], revenue: 1000"))
    assert agreements.loads(short) == agreements.loads(MINI)


def test_shortcuts_are_in_the_schema() -> None:
    schema = json_schema()
    product = schema["$defs"]["Product"]["properties"]
    assert {"type": "array", "items": {"type": "string", "maxLength": 80, "minLength": 1,
                                       "pattern": r"^[A-Za-z0-9_.\-]+$"}} \
        in product["needs"]["anyOf"]
    assert any(s.get("type") == "number" for s in product["revenue"]["anyOf"])
    assert {"type": "string"} in schema["properties"]["name"]["anyOf"]
    assert schema["$defs"]["Contribution"]["properties"]["valuation"]["maximum"] == MAX_AMOUNT


def test_needs_shortcut_is_cross_checked() -> None:
    text = MINI.replace("needs: {all_of: [c1, c2]}", "needs: [c1, nothing]")
    assert "tasks[0].needs[1]: needs 'nothing', which nothing provides" in _problems(text)


def test_a_list_of_one_hundred_thousand_levels_is_refused_before_parsing() -> None:
    deep = "id: x\nname: " + "[" * 100_000 + "]" * 100_000 + "\n"
    with pytest.raises(agreements.AgreementError, match=f"nested more than {MAX_DEPTH} deep"):
        agreements.loads(deep)
    assert nesting_depth('{"a": "[[[[", "b": [[1]]}', "json") == 3


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["simulate", "S", "--draws", "10000000000"], "above the limit of 10,000,000; for more, "
                                                  "run `consortium sweep`"),
    (["simulate", "S", "--draws", "0"], "below the minimum of 1"),
    (["formation", "S", "--draws", "1e10"], "expected a whole number, got '1e10'"),
    (["graph", "S", "--dpi", "100000"], "above the limit of 1,200; for print quality"),
    (["fees", "S", "--years", "1000000000"], "above the limit of 100"),
    (["waterfall", "S", "--income", "1e16"], "above the limit of"),
    (["clauses", "S", "--total", "1e300"], "above the limit of"),
    (["sweep", "S", "-o", "x.parquet", "--workers", "0"], "below the minimum of 1"),
    (["report", "S", "--draws", "1e9"], "expected a whole number"),
    (["simulate", "S", "--seed", "-1"], "below the minimum of 0"),
])
def test_option_ceilings_are_usage_errors(argv: list[str], message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a if a != "S" else "scenarios/baoshan_medical_devices.yaml" for a in argv]
    code, err = _run(argv, capsys)
    assert code == 2
    assert message in err


def test_exact_shares_above_the_member_limit_name_the_alternative(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Above the whole-game limit, --exact works where the worth splits into small parts
    (23 members, 21 of them bringing nothing) and otherwise fails naming the way out."""
    from agreements.scenario.clustered import clustered_agreement

    data = agreements.scenario.loader.safe_load(MINI)
    data["members"] += [{"id": f"m{i}", "name": f"M{i}", "kind": "enterprise"}
                        for i in range(21)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, err = _run(["shares", str(path), "--exact"], capsys)
    assert code == 0, err
    shared = tmp_path / "shared.json"
    shared.write_text(clustered_agreement(30, seed=3, shared_facility=True)
                      .model_dump_json(exclude_none=True), encoding="utf-8")
    code, err = _run(["shares", str(shared), "--exact"], capsys)
    assert code == 1
    assert "does not split into parts" in err and "Drop --exact" in err


def test_waterfall_table_adds_up_at_the_largest_income(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The table view shows exact cents at 1e15 (a float column would not add up)."""
    income = Decimal("999999999999999.99")
    assert main(["waterfall", "scenarios/asrc_storage_tiers.yaml", "--income",
                 str(income)]) == 0
    lines = capsys.readouterr().out.splitlines()[2:]
    amounts = [Decimal(line.split()[-1].replace(",", "")) for line in lines]
    assert amounts[0] == income
    assert sum(amounts[1:]) == income


def test_fee_clause_never_shows_an_exception_name() -> None:
    from agreements.clauses.fees import _why
    from sharing_models.exceptions import TooLargeError

    why = _why(TooLargeError("exact fees need at most 20 members:\n  - use sampling"))
    assert why == "exact fees need at most 20 members: use sampling"
    assert "Error" not in why


def test_unexpected_errors_are_one_line(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import agreements.cli.core as core

    def broken(path: str) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(core, "load_or_fail", broken)
    code, err = _run(["shares", "scenarios/baoshan_medical_devices.yaml"], capsys)
    assert code == 1
    assert "internal error (IndexError: list index out of range)" in err
    assert "Traceback" not in err


def test_exact_money_display_conserves() -> None:
    from agreements.cli.fees import display

    pd = pytest.importorskip("pandas")
    parts = [Fraction(10**17 + 1, 100), Fraction(-1, 100)]
    shown = display(pd.DataFrame({"amount": parts}))["amount"].tolist()
    assert shown == ["1,000,000,000,000,000.01", "-0.01"]


def test_a_fifo_as_negotiation_view_is_refused_without_hanging(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    view = tmp_path / "view.yaml"
    os.mkfifo(view)
    code, err = _run(["negotiate", "scenarios/baoshan_medical_devices.yaml",
                      "--view", f"shu={view}"], capsys)
    assert code == 1 and "not a regular file" in err
