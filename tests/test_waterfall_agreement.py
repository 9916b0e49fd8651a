"""Revenue waterfalls in scenario files: the bundled scenarios' waterfalls, distribution
shares under each rule, settings that follow the ``sharing`` section, and the
``consortium waterfall`` command."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction

import pytest

from agreements import ScenarioError
from agreements.outcomes.waterfall import distribution_shares, waterfall_table
from agreements.scenario.loader import agreement_from_mapping, load
from sharing_models.membership.waterfall import conservation
from tests.scenario_files import ASRC, OPENPOWER, SCENARIOS, SEMATECH, raw, run


def test_asrc_waterfall_conserves_every_cent():
    table = waterfall_table(load(ASRC), [Decimal("12345678.91"), 0, 5e6], years=3)
    assert (conservation(table) == 0).all()
    dist = table[(table["stage"] == "distribution") & (table["year"] == 1)]
    amounts = dict(zip(dist["recipient"], dist["amount"], strict=True))
    # principal 60% over three members, executive 30% over two, associate 10%, academic 0
    # equal within a tier up to the one cent the largest-remainder split must place
    assert max(amounts[m] for m in ("seagate", "wdc", "hgst")) - min(
        amounts[m] for m in ("seagate", "wdc", "hgst")) <= Decimal("0.01")
    assert amounts["storage_lab"] == 0
    costs = table[table["stage"] == "cost_recovery"]
    assert costs.groupby("item")["amount"].sum().to_dict() == {
        "t_channel": Decimal("500000.00"), "t_hamr": Decimal("1000000.00")}


def test_openpower_income_pro_rata_to_fees():
    shares = distribution_shares(load(OPENPOWER))
    assert shares["platinum_a"] == Fraction(100_000, 2 * 100_000 + 7 * 60_000 + 46_000)
    assert shares["academic_a"] == 0 and sum(shares) == 1


def test_waterfall_settings_follow_the_sharing_section():
    data = raw(SEMATECH)
    data["sharing"]["inventor_reward"] = 0.3
    data["sharing"]["waterfall"] = {"costs": [{"item": "fab", "recipient": "darpa",
                                               "amount": 1e6}], "reserve": 0.5,
                                    "distribution": "equal", "stream": "transfer"}
    table = waterfall_table(agreement_from_mapping(data), 3e6)
    amounts = table.groupby("stage", sort=False)["amount"].sum()
    assert amounts.to_dict() == {"income": 3_000_000, "cost_recovery": 1_000_000,
                                 "inventor_reward": 600_000, "reserve": 700_000,
                                 "distribution": 700_000}
    assert table.loc[0, "item"] == "transfer"
    data["sharing"]["inventor_reward"] = "agreed"
    with pytest.raises(ScenarioError, match="inventor_reward is 'agreed'"):
        waterfall_table(agreement_from_mapping(data), 1)
    data["sharing"]["waterfall"]["distribution"] = "tiered"
    with pytest.raises(ScenarioError, match=r"needs tiers with rights\.income_share"):
        distribution_shares(agreement_from_mapping(data))


def test_blend_and_fixed_distributions():
    data = raw(SCENARIOS / "baoshan_medical_devices.yaml")
    data["sharing"]["method"] = "blend"
    data["sharing"]["blend"] = {"fixed": 0.5, "equal": 0.5}
    shares = distribution_shares(agreement_from_mapping(data))
    assert shares["fosun_dx"] == Fraction(55, 200) + Fraction(1, 8)
    assert sum(shares) == 1


def test_cli_waterfall_table_and_summary(capsys):
    code, out, err = run(["waterfall", str(ASRC), "--income", "1e7", "--years", "2"], capsys)
    assert code == 0 and err == "" and "inventor_reward" in out
    code, out, _ = run(["waterfall", str(ASRC), "--income", "1e7", "--years", "2",
                        "--format", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 24
    reward = [r for r in rows if r["stage"] == "inventor_reward"]
    assert [r["amount"] for r in reward] == ["2125000.00", "2500000.00"]
    code, out, _ = run(["waterfall", str(ASRC), "--income", "1e7", "--summary",
                        "--format", "csv"], capsys)
    head, first = list(csv.reader(io.StringIO(out)))[:2]
    assert head[:2] == ["year", "income"]
    assert sum(Decimal(x) for x in first[2:]) == Decimal(first[1]) == 10**7


def test_cli_waterfall_summary_table_shows_every_column_as_money(capsys):
    """The people's summary prints members' amounts to the cent (was '2e+07', '1.2012e+07')."""
    code, out, err = run(["waterfall", str(OPENPOWER), "--income", "1e8", "--summary"], capsys)
    assert code == 0 and err == ""
    assert "e+0" not in out
    assert "20,000,000.00" in out  # the reserve fund
    assert "12,012,012.01" in out  # a platinum member's distribution
