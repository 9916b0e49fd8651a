"""Schedules (annexes) of the clause tables (agreements.clauses.schedules)."""

import copy
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from agreements import Agreement
from agreements.clauses import SCHEDULE_KEYS, clause_table, schedules
from agreements.scenario.loader import safe_load
from sharing_models.exceptions import InvalidInputError

BAOSHAN = Path(__file__).resolve().parent.parent / "scenarios" / "baoshan_medical_devices.yaml"
DATA = safe_load(BAOSHAN.read_text("utf-8"))
SCENARIOS = sorted(BAOSHAN.parent.glob("*.yaml"))


def _pct(cells):
    return [Decimal(c.rstrip("%")) for c in cells]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
@pytest.mark.parametrize("lang", ["en", "zh", "zh+en"])
def test_every_schedule_has_one_row_per_member_and_a_total(path, lang):
    annexes = schedules(path, lang=lang)
    members = Agreement.model_validate(safe_load(path.read_text("utf-8"))).member_ids
    assert tuple(annexes) == SCHEDULE_KEYS
    for frame in annexes.values():
        assert frame.index.tolist() == [*members, "total"]
        assert frame.attrs["title"] and len(frame.attrs["sha256"]) == 64
        for col in frame.columns:
            cells = frame[col].tolist()
            if cells[-1] == "100.00%":
                assert sum(_pct(cells[:-1])) == Decimal("100.00"), col


def test_eec_1958_council_voting_power():
    """Shapley & Shubik power of the 1958 EEC Council of Ministers (votes 4,4,4,2,2,1;
    12 of 17 votes to pass): 7/30, 7/30, 7/30, 3/20, 3/20, 0 (Felsenthal & Machover,
    The Measurement of Voting Power, 1998). Shown to 2 decimals the 7/30s round to
    23.33 + 23.33 + 23.33 = 69.99, so the largest remainder gives one a unit more."""
    data = copy.deepcopy(DATA)
    names = ["FR", "DE", "IT", "BE", "NL", "LU"]
    data["members"] = [dict(DATA["members"][1], id=n, name={"en": n}) for n in names]
    data["contributions"], data["tasks"], data["results"], data["products"] = [], [], [], []
    data["sharing"] = {"method": "equal"}
    data["governance"] = {"votes": dict(zip(names, [4, 4, 4, 2, 2, 1], strict=True)),
                          "quota": 0.65}
    voting = schedules(Agreement.model_validate(data))["voting"]
    power = _pct(voting["Shapley-Shubik power"])
    assert power == [Decimal(x) for x in ("23.34", "23.33", "23.33", "15.00", "15.00", "0.00",
                                          "100.00")]
    assert voting.loc["total", "Votes"] == "17"


def test_contributions_and_results_matrix():
    annexes = schedules(BAOSHAN)
    contrib = annexes["contributions"]
    assert contrib.loc["total", "Valuation"] == "CNY 132,000,000"
    assert contrib.loc["fosun_dx", "cash"] == "CNY 40,000,000"
    results = annexes["results"]
    assert results.loc["shu", "Lab scheduling software"] == "Joint owner"
    assert results.loc["zecheng", "Lab scheduling software"].startswith("Access: project")
    assert results.loc["total", "Validated smart-laboratory solution"] == "1 owner(s)"


def test_revenue_amounts_are_exact_to_the_cent():
    annexes = schedules(BAOSHAN, allocation={"fosun_dx": 1, "shu": 1, "wusong_hospital": 1,
                                             "zecheng": 0}, total=100)
    shares = annexes["revenue_shares"]
    assert shares["Amount"].tolist() == ["CNY 33.34", "CNY 33.33", "CNY 33.33", "CNY 0.00",
                                         "CNY 100.00"]
    assert shares["Exact share"].tolist() == ["1/3", "1/3", "1/3", "0", "1"]
    with pytest.raises(InvalidInputError, match="whole number of units"):
        schedules(BAOSHAN, total=0.001)


def test_fee_schedule_from_the_sematech_rule():
    """SEMATECH dues (Irwin & Klenow 1996): 1% of sales, floor $1M, cap $15M; members
    listed as exempt pay nothing."""
    data = copy.deepcopy(DATA)
    data["sharing"]["fees"] = {"rule": "percent_of_metric", "metric": "revenue",
                               "rate": 0.01, "floor": 1_000_000, "cap": 15_000_000,
                               "exempt": ["shu", "wusong_hospital"]}
    fees = schedules(Agreement.model_validate(data))["fees"]
    assert fees.loc["fosun_dx", "Annual fee"] == "CNY 15,000,000"  # 1% of 2e9, capped
    assert fees.loc["zecheng", "Annual fee"] == "CNY 3,000,000"  # 1% of 3e8
    assert fees.loc["shu", "Tier"] == "exempt" and fees.loc["shu", "Annual fee"] == "CNY 0"
    assert fees.loc["total", "Annual fee"] == "CNY 18,000,000"


def test_fees_that_cannot_be_evaluated_are_explained():
    """Two members lack the revenue the percentage fee needs: the schedule and clause say
    which field is missing, and the clause still prints the formula."""
    data = copy.deepcopy(DATA)
    data["sharing"]["fees"] = {"rule": "percent_of_metric", "rate": 0.01, "floor": 1_000_000}
    agreement = Agreement.model_validate(data)
    fees = schedules(agreement)["fees"]
    assert "members[1].revenue" in fees.iloc[0, -1]
    clause = clause_table(agreement).loc["6.2"]
    assert "could not be evaluated" in clause["Rule"] and "members[1].revenue" in clause["Rule"]
    assert clause["Formula"] == "fee = max(1% × R, 1,000,000)"


def test_tiered_fees_name_each_tier():
    """ASRC-style tiers (scenario file, figures illustrative)."""
    path = BAOSHAN.parent / "asrc_storage_tiers.yaml"
    row = clause_table(path).loc["6.2"]
    assert "principal: fee = " in row["Formula"]
    fees = schedules(path)["fees"]
    tiers = set(fees["Tier"].tolist()[:-1])
    assert "principal" in tiers and len(tiers) > 1


def test_missing_rule_is_explained_not_blank():
    data = copy.deepcopy(DATA)
    data["sharing"] = {}
    shares = schedules(Agreement.model_validate(data))["revenue_shares"]
    assert shares["Share"].iloc[0] == "sharing.method is absent"


def test_tier_votes_drive_voting_power_and_rights_are_listed():
    """OpenPOWER levels page (2023): one director per three Gold members, all Silver
    members together elect one director; votes come from the tiers when the governance
    section gives none (scenario file, member figures illustrative)."""
    path = BAOSHAN.parent / "openpower_style_foundation.yaml"
    annexes = schedules(path)
    fees, voting = annexes["fees"], annexes["voting"]
    gold = [i for i in fees.index if fees.loc[i, "Tier"] == "gold"]
    assert {Fraction(fees.loc[i, "Board seats"]) for i in gold} == {
        Fraction(len(gold) // 3, len(gold))}
    assert voting.loc["total", "Votes"] == fees.loc["total", "Tier votes"]
    table = clause_table(path)
    assert "sharing.tiers.levels[].rights.votes" in table.loc["5.1", "Source field"]


def test_results_matrix_pro_rata_owners_and_tier_rights():
    data = copy.deepcopy(DATA)
    data["results"][1]["ownership"] = "pro_rata"
    results = schedules(Agreement.model_validate(data))["results"]
    column = results["Integrated analyser design"]
    assert column.tolist() == ["Owner 55.00%", "Owner 20.00%", "Owner 15.00%", "Owner 10.00%",
                               "4 owner(s)"]
    path = BAOSHAN.parent / "asrc_storage_tiers.yaml"
    if path.exists():  # ASRC-style tiers: an associate sees results in its field, later
        matrix = schedules(path)["results"]
        tiers = schedules(path)["fees"]["Tier"]
        for member, tier in tiers.items():
            if member != "total":
                assert all(f"tier {tier}:" in cell for cell in matrix.loc[member].iloc[1:])
