"""Redlines between two versions of an agreement (agreements.clauses.compare)."""

import copy
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements import Agreement
from agreements.clauses import compare, export, redline
from agreements.scenario.loader import safe_load
from sharing_models.exceptions import InvalidInputError

BAOSHAN = Path(__file__).resolve().parent.parent / "scenarios" / "baoshan_medical_devices.yaml"
DATA = safe_load(BAOSHAN.read_text("utf-8"))


def _version(**changes):
    data = copy.deepcopy(DATA)
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        node[last] = value
    return Agreement.model_validate(data)


def test_identical_versions_have_no_differences():
    diff = compare(BAOSHAN, _version())
    assert diff.empty and list(diff.columns)[-1] == "Redline"


def test_changed_share_is_redlined_and_only_that_clause():
    b = _version(sharing__fixed_shares={"fosun_dx": 50, "shu": 25, "wusong_hospital": 15,
                                        "zecheng": 10})
    diff = compare(BAOSHAN, b)
    assert diff.index.tolist() == ["sharing.distribution"]
    row = diff.iloc[0]
    assert row["Change"] == "changed" and row["Clause A"] == row["Clause B"] == "9.1"
    assert "[-55.00%-]{+50.00%+}" in row["Redline"]
    assert "[-20.00%-]{+25.00%+}" in row["Redline"]


def test_new_member_adds_clauses_without_renumbering_noise():
    data = copy.deepcopy(DATA)
    data["members"].append({"id": "newco", "name": {"en": "NewCo", "zh": "新公司"},
                            "kind": "enterprise", "country": "CN"})
    data["sharing"]["fixed_shares"] = {"fosun_dx": 55, "shu": 20, "wusong_hospital": 15,
                                       "zecheng": 5, "newco": 5}
    data["governance"]["votes"]["newco"] = 1
    diff = compare(BAOSHAN, Agreement.model_validate(data))
    added = diff[diff["Change"] == "added"]
    assert added.index.tolist() == ["members[newco]"]
    assert added.iloc[0]["Clause A"] == "" and added.iloc[0]["Clause B"] == "1.5"
    # the purpose clause moved from 1.5 to 1.6 but did not change: not reported
    assert "description, tasks, products" not in diff.index


def test_removed_product_changes_the_purpose_clause():
    data = copy.deepcopy(DATA)
    data["products"] = [p for p in data["products"] if p["id"] != "p_software_licence"]
    diff = compare(BAOSHAN, Agreement.model_validate(data))
    assert diff.index.tolist() == ["description, tasks, products"]
    assert "[-sales, Scheduling software licences.-]{+sales.+}" in diff.iloc[0]["Redline"]


def test_chinese_redline_and_export(tmp_path):
    b = _version(default__withdrawal_notice_months=6)
    diff = compare(BAOSHAN, b, lang="zh")
    assert diff.iloc[0]["Redline"].startswith("任一方可提前[-3-]{+6+}个月书面通知退出")
    path = export(diff, tmp_path / "diff.docx")
    assert path.stat().st_size > 0
    with pytest.raises(InvalidInputError, match="unknown language"):
        compare(BAOSHAN, b, lang="de")


words = st.lists(st.sampled_from(["30", "60", "days", "party", "共有", "许可", "the", "%"]),
                 max_size=12)


@settings(max_examples=150, deadline=None)
@given(words, words)
def test_redline_reconstructs_both_versions(a, b):
    old, new = " ".join(a), " ".join(b)
    marked = redline(old, new)

    assert re.sub(r"\{\+.*?\+\}", "", marked).replace("[-", "").replace("-]", "") == old
    assert re.sub(r"\[-.*?-\]", "", marked).replace("{+", "").replace("+}", "") == new


def test_word_and_html_redlines_strike_deletions_and_underline_insertions(tmp_path):
    import docx

    b = _version(default__remedy_days=60)
    diff = compare(BAOSHAN, b)
    doc = docx.Document(str(export(diff, tmp_path / "redline.docx")))
    runs = [r for p in doc.tables[0].rows[1].cells[-1].paragraphs for r in p.runs]
    struck = [r.text for r in runs if r.font.strike]
    underlined = [r.text for r in runs if r.font.underline]
    assert "30" in struck and "60" in underlined
    assert "".join(r.text for r in runs if not r.font.underline) == diff.iloc[0]["Version A"]
    page = export(diff, "html")
    assert "<del>30</del><ins>60</ins>" in page
