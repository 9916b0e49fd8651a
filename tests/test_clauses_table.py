"""Clause tables: rows, languages, exact shares, statutory fallbacks (agreements.clauses)."""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings

from agreements import Agreement, load
from agreements.clauses import clause_table
from agreements.clauses.table import SECTION_KEYS
from agreements.clauses.wording import terms
from agreements.scenario.loader import safe_load
from sharing_models.exceptions import InvalidInputError
from tests.strategies import agreement_mappings

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"


def _mapping(path=BAOSHAN):
    return safe_load(path.read_text("utf-8"))


def _percentages(figures: str) -> list[Decimal]:
    return [Decimal(part.rsplit(" ", 1)[1].rstrip("%")) for part in figures.split("; ")]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_scenario_produces_a_clause_table(path):
    for lang in ("en", "zh", "zh+en"):
        table = clause_table(path, lang=lang)
        assert len(table) >= 10
        assert table.index.is_unique
        assert not table.isna().any().any()
        sections = {i.split(".")[0] for i in table.index}
        assert sections == {str(k) for k in range(1, len(SECTION_KEYS) + 1)}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_zh_and_en_tables_have_the_same_rows(path):
    en, zh = clause_table(path, lang="en"), clause_table(path, lang="zh")
    assert en.index.tolist() == zh.index.tolist()
    assert en["Source field"].tolist() == zh["模型字段"].tolist()
    both = clause_table(path, lang="zh+en")
    assert both["Rule"].tolist() == en["Rule"].tolist()
    assert both["条款内容"].tolist() == zh["条款内容"].tolist()


def test_baoshan_fixed_shares_are_stated_exactly():
    """Scenario file: fixed shares 55/20/15/10 of the Baoshan proposal."""
    table = clause_table(BAOSHAN)
    row = table.loc["9.1"]
    assert row["Section"] == "Revenue distribution"
    assert _percentages(row["Figures"]) == [Decimal("55.00"), Decimal("20.00"),
                                            Decimal("15.00"), Decimal("10.00")]
    assert "Art. 45" in row["Statutory fallback"]
    assert table.attrs["hash_of"] == "file" and len(table.attrs["sha256"]) == 64


def test_contribution_shares_sum_to_100_00():
    """Valuations 90M / 15M / 15M / 12M of 132M: 68.18 + 11.37 + 11.36 + 9.09 = 100.00."""
    table = clause_table(BAOSHAN)
    shares = [Decimal(f.split("(")[-1].split("%")[0])
              for f in table.loc[table["Heading"].str.startswith("Contributions of"), "Figures"]]
    assert shares == [Decimal("68.18"), Decimal("11.37"), Decimal("11.36"), Decimal("9.09")]
    assert sum(shares) == Decimal("100.00")


def test_missing_revenue_rule_says_so_and_names_the_fallback():
    data = _mapping()
    data["sharing"].pop("method")
    data["sharing"].pop("fixed_shares")
    table = clause_table(Agreement.model_validate(data))
    row = table.loc[table["Heading"] == "Distribution rule"].iloc[0]
    assert "sharing.method is absent" in row["Rule"]
    assert "Law on Promoting the Transformation" in row["Statutory fallback"]
    assert row["Rule"] and row["Statutory fallback"]
    zh = clause_table(Agreement.model_validate(data), lang="zh")
    assert "促进科技成果转化法" in zh.loc[row.name, "法定默认规则"]


def test_eu_consortium_names_horizon_europe_fallbacks():
    data = _mapping()
    data["members"] = [dict(m, country="DE") for m in data["members"]]
    data["currency"] = "EUR"
    table = clause_table(Agreement.model_validate(data))
    access = table.loc[table["Section"] == "Access rights", "Statutory fallback"]
    assert access.str.contains("Horizon Europe").all()
    assert "DESCA" in table.loc[table["Heading"] == "Breach and remedy",
                                "Statutory fallback"].iloc[0]
    cn = clause_table(Agreement.model_validate(data), jurisdiction="cn")
    assert "Civil Code" in cn.loc["10.1", "Statutory fallback"]


def test_allocation_overrides_the_rule_and_is_rounded_exactly():
    shares = pd.Series({"fosun_dx": Fraction(1, 3), "shu": Fraction(1, 3),
                        "wusong_hospital": Fraction(1, 6), "zecheng": Fraction(1, 6)})
    row = clause_table(BAOSHAN, allocation=shares).loc["9.1"]
    # remainders .33, .33, .67, .67 of a unit: the two extra units go to the sixths
    assert _percentages(row["Figures"]) == [Decimal("33.33"), Decimal("33.33"),
                                            Decimal("16.67"), Decimal("16.67")]


def test_bad_allocation_and_language_are_reported():
    with pytest.raises(InvalidInputError, match="unknown: \\['nobody'\\]"):
        clause_table(BAOSHAN, allocation={"nobody": 1, "fosun_dx": 1, "shu": 1,
                                          "wusong_hospital": 1, "zecheng": 1})
    with pytest.raises(InvalidInputError, match="missing: \\['zecheng'\\]"):
        clause_table(BAOSHAN, allocation={"fosun_dx": 1, "shu": 1, "wusong_hospital": 1})
    with pytest.raises(InvalidInputError, match="expected one of en, zh, zh\\+en"):
        clause_table(BAOSHAN, lang="fr")
    with pytest.raises(InvalidInputError, match="Agreement or a path"):
        clause_table(42)
    with pytest.raises(InvalidInputError, match="decimals must be a whole number"):
        clause_table(BAOSHAN, decimals=-1)


def test_in_memory_agreement_is_traced_by_model_hash():
    a = load(BAOSHAN)
    t1, t2 = clause_table(a), clause_table(a)
    assert t1.attrs["hash_of"] == "model" and t1.attrs["sha256"] == t2.attrs["sha256"]
    data = _mapping()
    data["default"]["remedy_days"] = 60
    t3 = clause_table(Agreement.model_validate(data))
    assert t3.attrs["sha256"] != t1.attrs["sha256"]
    assert "60 days" in t3.loc["10.1", "Rule"]


def test_equal_and_proportional_rules():
    data = _mapping()
    data["sharing"] = {"method": "equal"}
    row = clause_table(Agreement.model_validate(data)).loc["9.1"]
    assert _percentages(row["Figures"]) == [Decimal("25.00")] * 4
    assert row["Formula"] == "s_i = 1 / n"
    data["sharing"] = {"method": "proportional"}
    row = clause_table(Agreement.model_validate(data)).loc["9.1"]
    assert sum(_percentages(row["Figures"])) == Decimal("100.00")
    assert row["Formula"] == "s_i = c_i / Σ_j c_j"


def test_terminology_table_is_complete_in_both_languages():
    def leaves(node, path=""):
        if isinstance(node, dict) and {"en", "zh"} & set(node):
            yield path, node
            return
        for k, v in node.items():
            yield from leaves(v, f"{path}.{k}")

    for path, node in leaves(terms()):
        assert set(node) == {"en", "zh"}, path
        assert node["en"] and node["zh"], path


@settings(max_examples=25, deadline=None)
@given(agreement_mappings())
def test_random_agreements_give_complete_aligned_tables(data):
    """Any valid agreement: every section present, same rows in every language, no empty
    rule or fallback, and stated shares summing to exactly 100.00%."""
    agreement = Agreement.from_mapping(data)
    en, zh = clause_table(agreement), clause_table(agreement, lang="zh")
    assert en.index.tolist() == zh.index.tolist()
    assert {i.split(".")[0] for i in en.index} == {str(k) for k in range(1, 11)}
    assert (en["Rule"] != "").all() and (en["Statutory fallback"] != "").all()
    figures = en.loc["9.1", "Figures"]
    if figures:
        assert sum(_percentages(figures)) == Decimal("100.00")
    else:
        assert "sharing.method is absent" in en.loc["9.1", "Rule"]


def test_revenue_clauses_follow_the_waterfall():
    """ASRC-style scenario (figures illustrative): task budgets repaid to task leads first,
    an agreed quarter of licence income to the researchers, a 10% reserve, tiered shares."""
    path = ROOT / "scenarios" / "asrc_storage_tiers.yaml"
    table = clause_table(path)
    rows = table.loc[table["Section"] == "Revenue distribution"].set_index("Heading")
    assert rows.loc["Distribution rule", "Source field"] == "sharing.waterfall.distribution"
    assert sum(_percentages(rows.loc["Distribution rule", "Figures"])) == Decimal("100.00")
    costs = rows.loc["Cost recovery first"]
    agreement = load(path)
    for t in agreement.tasks:
        if t.cost > 0:
            assert agreement.member(t.lead).name.en in costs["Figures"]
    assert "25.00% of the net income" in rows.loc["Reward to the people who made a result",
                                                  "Rule"]
    assert rows.loc["Reserve fund", "Figures"] == "10.00%"
    assert rows.loc["Reserve fund", "Source field"] == "sharing.waterfall.reserve"
