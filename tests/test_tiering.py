"""Tiers and fees in scenario files: the bundled scenarios' fee tables, tier outcomes
against the Shapley value, validation of the sections with field paths, and the
``consortium fees`` command (the waterfall's tests are in ``test_waterfall_agreement.py``)."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import subprocess
import sys
from fractions import Fraction

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agreements import ScenarioError
from agreements.errors import AgreementError
from agreements.membership.tiers import TiersSpec, fee_table, member_table, tier_schedule
from agreements.outcomes.tier_vs_contribution import tier_vs_contribution
from agreements.scenario.loader import agreement_from_mapping, load
from sharing_models import InvalidInputError
from sharing_models.membership.tiers import Tier, TierSchedule
from tests.scenario_files import ASRC, OPENPOWER, SCENARIOS, SEMATECH, raw, run


def problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        agreement_from_mapping(data, source="t.yaml")
    return [(p.path, p.message) for p in info.value.problems]


def test_asrc_scenario_tier_table():
    """ASRC-style consortium (seed article 002): members tiered by storage revenue; the
    tier figures are the scenario's illustrative ones."""
    table = fee_table(load(ASRC))
    assert table.index.name == "member" and list(table.index) == [
        "seagate", "wdc", "hgst", "marvell", "xyratex", "tdk", "storage_lab"]
    assert table["tier"].tolist() == ["principal"] * 3 + ["executive"] * 2 + [
        "associate", "academic"]
    # associate fee: 0.02% of $300M storage revenue = $60k, between the $25k floor and cap
    assert table["fee"].tolist() == [250_000] * 3 + [150_000] * 2 + [60_000, 0]
    assert all(isinstance(f, Fraction) for f in table["fee"])
    assert table["votes"].tolist() == [3, 3, 3, 2, 2, 1, 0]
    # executive: one director per two members; associate: the tier elects one
    assert table["seats"].tolist() == [1, 1, 1, Fraction(1, 2), Fraction(1, 2), 1, 0]
    # assembly of 3+3+3+2+2+1 = 14 votes, majority 8
    assert table["banzhaf"].tolist() == [Fraction(13, 60)] * 3 + [Fraction(3, 20)] * 2 + [
        Fraction(1, 20), 0]
    assert sum(table["shapley_shubik"]) == 1
    assert table.loc["tdk", "access"] == "field: recording heads"
    assert table.loc["tdk", "access_delay_months"] == 6
    assert table.loc["tdk", "licence"] == "fair_and_reasonable"


def test_asrc_schedule_and_multi_year_table():
    schedule = tier_schedule(load(ASRC))
    assert schedule.edges == [10**9, 5 * 10**9]
    three = fee_table(load(ASRC), years=3)
    assert three["year"].tolist() == [1] * 7 + [2] * 7 + [3] * 7
    assert member_table(load(ASRC), years=2).index.names == ["year", "member"]


def test_asrc_tier_vs_contribution():
    table = tier_vs_contribution(load(ASRC))
    assert sum(table["subsidy"]) == 0
    assert sum(table["tier_outcome"]) == sum(table["shapley"])
    # the university lab brings an input with no substitute but gets no income share
    assert table.loc["storage_lab", "subsidy"] < 0
    assert table.loc["storage_lab", "tier"] == "academic"
    assert (table["net"] == table["tier_outcome"] - table["fee"]).all()


def test_openpower_board_seats_and_discounted_silver_fees():
    """OpenPOWER levels page (2023): seven Gold members elect two directors; Silver $20k,
    $5k under 100 employees, $1k under 10; all Silver members elect one director."""
    table = fee_table(load(OPENPOWER))
    gold = table[table["tier"] == "gold"]
    assert len(gold) == 7 and sum(gold["seats"]) == 2
    silver = table[table["tier"] == "silver"]
    assert silver["fee"].tolist() == [1_000, 5_000, 20_000, 20_000]
    assert sum(silver["seats"]) == 1
    assert table.loc["platinum_a", "seats"] == 1
    # board of 5: two Platinum directors, a Gold bloc of 2, a Silver bloc of 1; majority 3
    assert table.loc["platinum_a", "shapley_shubik"] == Fraction(1, 6)
    assert sum(gold["shapley_shubik"]) == Fraction(1, 2)
    assert table.loc["academic_a", "banzhaf"] == 0


def test_sematech_dues_from_its_scenario():
    """SEMATECH dues (Irwin & Klenow 1996): 1% of sales, $1M floor, $15M ceiling; the US
    government (DARPA) matched funds and paid no dues."""
    table = fee_table(load(SEMATECH))
    assert table.loc["ibm", "fee"] == 15_000_000  # $3.5B of sales: capped
    assert table.loc["micron", "fee"] == 1_000_000  # $90M of sales: the floor
    assert table.loc["amd", "fee"] == 10_000_000
    assert table.loc["darpa", "tier"] == "exempt" and table.loc["darpa", "fee"] == 0
    assert table.loc["ibm", "shapley_shubik"] == Fraction(1, 14)


def test_sections_report_every_problem_with_its_path():
    data = raw(ASRC)
    levels = data["sharing"]["tiers"]["levels"]
    levels[1]["upper"] = 6.0e9  # executive now overlaps principal (from $5B)
    levels[2]["fee"]["rate"] = -0.1
    levels[2]["fee"]["cap"] = 1.0e3  # below its $25k floor
    levels[0]["fee"] = {"rule": "flat"}
    levels[1]["rights"]["licence"] = "royalty"
    found = dict(problems(data))
    assert found["sharing.tiers.levels[1].upper"].startswith(
        "overlap: tier 'executive' ends at 6e+09 but tier 'principal'")
    assert found["sharing.tiers.levels[2].fee.rate"].startswith("must not be negative")
    assert found["sharing.tiers.levels[2].fee.cap"].startswith("cap 1000 is below the floor")
    assert found["sharing.tiers.levels[0].fee"].startswith("rule 'flat' needs 'amount'")
    assert found["sharing.tiers.levels[1].rights"].startswith(
        "licence 'royalty' needs a royalty_rate")
    assert len(found) == 5


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda lv: lv[2].update(lower=100), "sharing.tiers.levels[2].lower",
         "gap: nothing covers [0, 100)"),
        (lambda lv: lv[1].update(upper=4.0e9), "sharing.tiers.levels[1].upper",
         "gap: tier 'executive' ends at 4e+09"),
        (lambda lv: lv[0].update(upper=9.0e9), "sharing.tiers.levels[0].upper",
         "gap: nothing covers values >= 9e+09"),
        (lambda lv: lv[3].update(name="principal"), "sharing.tiers.levels[3].name",
         "tier name 'principal' is used twice"),
        (lambda lv: lv[0]["rights"].update(income_share=0.9), "sharing.tiers.levels",
         "income shares of the levels sum to 1.3"),
        (lambda lv: lv[1].update(lower=6.0e9), "sharing.tiers.levels[1].upper",
         "upper bound 5e+09 must exceed lower bound 6e+09"),
        (lambda lv: lv[1]["rights"].update(seats_per=0), "sharing.tiers.levels[1].rights.seats_per",
         "greater than or equal to 1"),
        (lambda lv: lv[1]["rights"].update(access="field"), "sharing.tiers.levels[1].rights",
         "access 'field' needs access_fields"),
        (lambda lv: lv[1].update(colour="gold"), "sharing.tiers.levels[1].colour",
         "unknown key 'colour'"),
    ],
)
def test_tier_section_errors(edit, path, message):
    data = raw(ASRC)
    edit(data["sharing"]["tiers"]["levels"])
    found = dict(problems(data))
    assert path in found, found
    assert message in found[path]


@pytest.mark.parametrize(
    ("fees", "path", "message"),
    [
        ({"rule": "percent_of_metric", "rate": 0.01, "floor": 2e6, "cap": 1e6},
         "sharing.fees.cap", "cap 1e+06 is below the floor 2e+06"),
        ({"rule": "piecewise_linear", "bands": [{"start": 10, "base": 1}]},
         "sharing.fees.bands", "the first band must start at 0"),
        ({"rule": "piecewise_linear", "bands": [{"start": 0}, {"start": 5}, {"start": 5}]},
         "sharing.fees.bands", "bands[2] starts at 5, not after bands[1] (5): overlapping"),
        ({"rule": "piecewise_linear", "bands": [{"start": 0, "base": 100}], "cap": 50},
         "sharing.fees", "cap 50 is below the lowest fee 100"),
        ({"rule": "flat", "amount": 100, "discounts": [{"below": 10, "fee": 50},
                                                       {"below": 100, "fee": 20}]},
         "sharing.fees.discounts", "members below 10 would pay 50"),
        ({"rule": "percent", "rate": 0.01}, "sharing.fees.rule", "Input should be 'flat'"),
        ({"rule": "flat", "amount": -1}, "sharing.fees.amount", "must not be negative"),
    ],
)
def test_fee_section_errors(fees, path, message):
    data = raw(SEMATECH)
    data["sharing"]["fees"] = fees
    found = dict(problems(data))
    assert path in found, found
    assert message in found[path]


def test_member_data_problems_name_the_member_field():
    data = raw(ASRC)
    data["members"][0]["tier"] = "platinum"
    del data["members"][1]["revenue"]
    with pytest.raises(ScenarioError) as info:
        fee_table(agreement_from_mapping(data))
    found = {p.path: p.message for p in info.value.problems}
    assert "unknown tier 'platinum'" in found["members[0].tier"]
    assert "neither a tier nor a revenue" in found["members[1].revenue"]
    sematech = raw(SEMATECH)
    del sematech["members"][2]["revenue"]
    with pytest.raises(ScenarioError, match=r"members\[2\].revenue: member 'dec' has no revenue"):
        fee_table(agreement_from_mapping(sematech))


def test_piecewise_multipliers_and_proration_from_a_scenario():
    """W3C-style multipliers by country class (2007-08) and first-year proration."""
    data = raw(SEMATECH)
    data["sharing"]["fees"] = {
        "rule": "piecewise_linear", "bands": [{"start": 0, "base": 1e6},
                                              {"start": 1e9, "rate": 0.002, "base": 2e6}],
        "cap": 8e6, "multipliers": {"high": 1, "other": 0.5},
        "country_classes": {"US": "high", "MX": "other"}, "prorate": {"amd": 6},
        "exempt": ["ncr"]}
    data["members"][0]["country"] = "MX"  # amd: another income class
    agreement = agreement_from_mapping(data)
    table = fee_table(agreement, years=2)
    y1, y2 = table[table["year"] == 1], table[table["year"] == 2]
    # amd: $1B of sales -> 2M, times 0.5 for its class, times 6/12 in year 1
    assert y1.loc["amd", "fee"] == 500_000 and y2.loc["amd", "fee"] == 1_000_000
    assert y1.loc["ibm", "fee"] == 7_000_000  # 2M + 0.2% of 2.5B
    assert y1.loc["intel", "fee"] == Fraction(38, 10) * 10**6
    assert y1.loc["ncr", "tier"] == "exempt"
    data["members"][1]["country"] = "BR"  # att: a country with no class or multiplier
    with pytest.raises(ScenarioError, match=r"members\[1\].country: member 'att'"):
        fee_table(agreement_from_mapping(data))


def test_no_fees_is_a_clear_error():
    baoshan = load(SCENARIOS / "baoshan_medical_devices.yaml")
    assert tier_schedule(baoshan) is None
    with pytest.raises(AgreementError, match=r"sets no sharing\.fees or sharing\.tiers"):
        fee_table(baoshan)
    with pytest.raises(AgreementError, match="years must be a whole number"):
        fee_table(load(ASRC), years=0)


# ---------------------------------------------------------------------- CLI
def test_cli_fees_json_and_csv(capsys):
    code, out, err = run(["fees", str(ASRC), "--format", "json"], capsys)
    assert code == 0 and err == ""
    rows = json.loads(out)  # exact numbers as text, as in every command's JSON
    assert rows[0]["member"] == "seagate" and Fraction(rows[0]["fee"]) == 250_000
    assert rows[5]["tier"] == "associate" and Fraction(rows[5]["banzhaf"]) == Fraction(1, 20)
    code, out, _ = run(["fees", str(OPENPOWER), "--years", "2", "--format", "csv"], capsys)
    assert code == 0
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert len(parsed) == 30 and parsed[9]["fee"] == "1000"
    assert sum(Fraction(r["shapley_shubik"]) for r in parsed[:15]) == 1
    code, out, _ = run(["fees", str(OPENPOWER)], capsys)
    assert code == 0 and "gold_g" in out  # decimals, for people: no p/q fraction
    assert not re.search(r"\d/\d", out)


def test_cli_exit_codes(capsys, tmp_path):
    code, out, err = run(["fees", str(SCENARIOS / "baoshan_medical_devices.yaml")], capsys)
    assert (code, out) == (1, "") and "no sharing.fees" in err
    bad = raw(ASRC)
    bad["sharing"]["tiers"]["levels"][2]["fee"]["rate"] = -1
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), "utf-8")
    code, out, err = run(["waterfall", str(path), "--income", "1e6"], capsys)
    assert (code, out) == (1, "") and "levels[2].fee.rate" in err
    assert run(["fees", str(ASRC), "--years", "0"], capsys)[0] == 2
    assert run(["waterfall", str(ASRC)], capsys)[0] == 2  # --income is required
    assert run(["waterfall", str(ASRC), "--income", "lots"], capsys)[0] == 2


def test_cli_subprocess_stdout_holds_only_the_table():
    proc = subprocess.run([sys.executable, "-m", "agreements.cli", "fees", str(OPENPOWER),
                           "--format", "json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 15


def test_loading_keeps_other_sections_intact():
    data = raw(ASRC)
    copy_ = copy.deepcopy(data)
    agreement = agreement_from_mapping(data)
    assert data == copy_
    assert agreement.sharing.tiers.levels[0].rights.income_share == 0.6
    assert agreement.sharing.waterfall.inventor_reward.transfer_rate == 0.25


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, 0, 10, 20, 30]),
                          st.sampled_from([None, 10, 20, 30, 40])), min_size=1, max_size=4))
def test_scenario_and_engine_agree_on_valid_bands(bounds):
    """The scenario validator accepts exactly the band layouts the engine accepts."""
    levels = [{"name": f"t{i}", "lower": lo, "upper": hi, "fee": {"rule": "flat", "amount": 1}}
              for i, (lo, hi) in enumerate(bounds)]
    try:
        TiersSpec(metric="revenue", levels=levels)
        spec_ok = True
    except ValidationError:
        spec_ok = False
    try:
        TierSchedule([Tier(f"t{i}", lower=lo, upper=hi) for i, (lo, hi) in enumerate(bounds)])
        engine_ok = True
    except InvalidInputError:
        engine_ok = False
    assert spec_ok == engine_ok


def test_cli_fees_table_keeps_months_whole_next_to_an_exempt_member(capsys):
    """SEMATECH's exempt DARPA row has no access delay; the others still print 0, not 0.00."""
    code, out, err = run(["fees", str(SCENARIOS / "sematech_1987.yaml")], capsys)
    assert code == 0 and err == ""
    amd = next(line for line in out.splitlines() if line.startswith("amd "))
    assert "0.00" not in amd.split("royalty_free")[0].split("full")[1]
    assert "10,000,000.00" in amd
