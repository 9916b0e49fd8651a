"""Life after signing (agreements.lifecycle and ``consortium settle/admit/withdraw/review``):
transfers that sum to exactly 0.00, admission prices that leave no incumbent worse off,
withdrawal settlements, the term review, bad input and the schedules."""

from __future__ import annotations

import csv
import io
import json
import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import docx
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import agreements
from agreements import Agreement
from agreements.errors import ScenarioError
from agreements.lifecycle import admit, read_actuals, review, settle, withdraw
from agreements.lifecycle.schedule import shown_settlement
from agreements.scenario.loader import safe_load as scenario_yaml
from agreements.sharing import allocate, format_fixed
from agreements.valuation.game import coalition_worth
from sharing_models import GameError
from tests.scenario_files import SCENARIOS, run
from tests.strategies import chained_agreements

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))
BAOSHAN = SCENARIOS / "baoshan_medical_devices.yaml"
LINGANG = SCENARIOS / "lingang_eda.yaml"


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    cols = ["milestone", "contribution", "delivered", "task", "succeeded", "spent"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})
    return path


def _decimal_sum(column: list[str]) -> Decimal:
    return sum((Decimal(x) for x in column), Decimal(0))


# ---------------------------------------------------------------- settlement
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_cli_transfer_column_sums_to_zero_for_every_bundled_scenario(path, tmp_path, capsys):
    a = agreements.load(path)
    rng = random.Random(path.stem)
    rows = [{"milestone": rng.choice(a.tasks).id, "contribution": c.id,
             "delivered": str(rng.choice(["0.5", "0.9", "1", "0.333", "0.75"]))}
            for c in rng.sample(a.contributions, min(3, len(a.contributions)))]
    actuals = _write_csv(tmp_path / "actuals.csv", rows)
    code, out, err = run(["settle", str(path), "--actuals", str(actuals), "--format", "csv"],
                         capsys)
    assert code == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["member"] for r in table] == a.member_ids
    assert _decimal_sum([r["transfer"] for r in table]) == 0
    assert all(len(r["transfer"].split(".")[1]) == 2 for r in table)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_delivered_as_planned_gives_no_transfers(path):
    a = agreements.load(path)
    rows = [{"milestone": a.tasks[0].id, "contribution": c.id, "delivered": "1"}
            for c in a.contributions]
    s = settle(a, rows)
    assert all(x == 0 for x in s.table["transfer"])
    assert all(x == 0 for x in s.table["transfer_shown"]) and s.payments.empty


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_shown_transfers_sum_to_zero_for_any_actuals(path, data):
    a = agreements.load(path)
    picked = data.draw(st.lists(st.sampled_from(a.contributions), max_size=4, unique_by=id))
    rows = [{"milestone": data.draw(st.sampled_from(a.tasks)).id, "contribution": c.id,
             "delivered": str(Decimal(data.draw(st.integers(0, 1000))) / 1000)}
            for c in picked]
    s = settle(a, rows)
    shown = shown_settlement(s)
    assert _decimal_sum([format_fixed(x, 2, thousands=False) for x in shown["transfer"]]) == 0
    exact_sum = sum(Fraction(x) if not isinstance(x, float) else Fraction(repr(x))
                    for x in s.table["transfer"])
    assert abs(exact_sum) <= Fraction(1, 10**6) * max(1, abs(Fraction(repr(float(
        s.table.attrs["delivered_value"])))))
    # the payments settle exactly the shown transfers
    net = dict.fromkeys(a.member_ids, Fraction(0))
    for r in s.payments.itertuples():
        net[r.payer] -= r.amount
        net[r.payee] += r.amount
    assert net == dict(s.table["transfer_shown"])
    assert len(s.payments) <= max(0, sum(1 for x in s.table["transfer_shown"] if x) - 1)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_some_half_delivery_moves_money_in_every_bundled_scenario(path):
    a = agreements.load(path)
    for c in a.contributions:
        s = settle(a, [{"milestone": a.tasks[0].id, "contribution": c.id, "delivered": "0.5"}])
        if any(x != 0 for x in s.table["transfer_shown"]):
            assert sum(s.table["transfer_shown"]) == 0
            return
    pytest.fail(f"no contribution of {path.name} delivered at 50% moves any money")


def test_half_delivery_moves_money_from_the_short_member():
    a = agreements.load(BAOSHAN)  # fixed shares 55/20/15/10
    s = settle(a, [{"milestone": "t_automation", "contribution": "shu_ai_team",
                    "delivered": "0.5"}])
    t = s.table
    # Shanghai University's one contribution is half delivered: weight 20% x 1/2 = 10%,
    # renormalised over 90%
    assert t.loc["shu", "delivered_share"] == Fraction(1, 9)
    assert t.loc["fosun_dx", "delivered_share"] == Fraction(55, 90)
    assert t.loc["shu", "transfer"] < 0 < t.loc["fosun_dx", "transfer"]
    assert sum(t["transfer"]) == 0
    assert set(s.payments["payer"]) == {"shu"}
    assert s.payments["amount"].sum() == -t.loc["shu", "transfer_shown"]
    # the shortfall is priced at the market substitute price (2.5e7 x 1/2)
    assert s.shortfalls.loc["shu_ai_team", "replacement_cost"] == 12_500_000


def test_half_delivery_under_shapley_changes_the_game():
    a = agreements.load(LINGANG)
    c = a.contributions[0]
    s = settle(a, [{"milestone": a.tasks[0].id, "contribution": c.id, "delivered": "0.5"}])
    assert s.table.attrs["rule"] == "shapley"
    assert any(x != 0 for x in s.table["transfer_shown"])
    assert s.table.attrs["delivered_value"] < s.table.attrs["planned_value"]
    # the delivered shares are the one sharing path on the delivered agreement
    from agreements.lifecycle import delivered_agreement
    d = allocate(delivered_agreement(a, read_actuals(a, [{"milestone": a.tasks[0].id,
                                                          "contribution": c.id,
                                                          "delivered": "0.5"}])), "shapley")
    assert d["amount"].tolist() == s.table["delivered_amount"].tolist()


def test_failed_task_produces_nothing():
    a = agreements.load(BAOSHAN)
    acts = read_actuals(a, [{"milestone": "t_automation", "task": "t_automation",
                             "succeeded": "false"}])
    from agreements.lifecycle import delivered_agreement
    d = delivered_agreement(a, acts)
    assert coalition_worth(d, d.member_ids, exact=True) == 0  # every product needs it
    s = settle(a, acts)
    assert all(x == 0 for x in s.table["transfer"])


# ---------------------------------------------------------------- admission
@st.composite
def with_newcomer(draw):
    data = draw(chained_agreements(min_members=2, max_members=4))
    money = st.integers(0, 30).map(float)
    contributions = []
    for k in range(draw(st.integers(0, 2))):
        c = {"id": f"new_c{k}", "member": "newbie", "kind": "data", "valuation": draw(money),
             "cost": draw(money)}
        if draw(st.booleans()):
            c["substitute_price"] = draw(money)
        contributions.append(c)
    fragment = {"member": {"id": "newbie", "name": {"en": "Newbie"}, "kind": "enterprise",
                           "outside_option": draw(money)},
                "contributions": contributions}
    if contributions and draw(st.booleans()):
        need = [contributions[0]["id"], draw(st.sampled_from(
            [c["id"] for c in data["contributions"]] + [r["id"] for r in data["results"]]))]
        fragment["tasks"] = [{"id": "new_t", "needs": {"all_of": need}, "produces": ["new_r"],
                              "cost": draw(money)}]
        fragment["results"] = [{"id": "new_r"}]
        fragment["products"] = [{"id": "new_p", "needs": {"all_of": ["new_r"]},
                                 "revenue": {"expected": float(draw(st.integers(0, 150)))}}]
    rule = draw(st.sampled_from(["shapley", "banzhaf", "proportional", "equal"]))
    return data, fragment, rule


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_newcomer())
def test_admission_price_leaves_no_incumbent_worse_off(case):
    data, fragment, rule = case
    a = Agreement.from_mapping(data)
    try:
        adm = admit(a, fragment, rule=rule)
    except GameError:  # e.g. proportional with every valuation 0: no shares at all
        assume(False)
    t = adm.table
    for m in a.member_ids:
        assert t.loc[m, "after"] + t.loc[m, "price_part"] >= t.loc[m, "before"]
        assert t.loc[m, "after_with_price"] == t.loc[m, "after"] + t.loc[m, "price_part"]
        assert t.loc[m, "price_part"] >= 0
    assert sum(t.loc[m, "price_part"] for m in a.member_ids) == adm.price
    assert adm.max_price == t.loc["newbie", "after"] - Fraction(
        repr(fragment["member"]["outside_option"]))
    assert adm.feasible == (adm.price <= adm.max_price)
    if not adm.feasible:
        assert adm.why.startswith("no price works")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chained_agreements(min_members=2, max_members=4), st.sampled_from(
    ["shapley", "banzhaf", "proportional"]))
def test_newcomer_bringing_nothing_gets_nothing_and_pays_nothing(data, rule):
    a = Agreement.from_mapping(data)
    try:
        adm = admit(a, {"member": {"id": "idle", "name": {"en": "Idle"},
                                   "kind": "enterprise"}}, rule=rule)
    except GameError:
        assume(False)
    assert adm.table.loc["idle", "after"] == 0
    assert adm.price == 0 and adm.feasible


def test_admit_cli_json_keys(tmp_path, capsys):
    new = tmp_path / "new.yaml"
    new.write_text(
        "member: {id: lab, name: {en: Lab, zh: 实验室}, kind: research_institute}\n"
        "contributions:\n"
        "  - {id: lab_models, member: lab, kind: data, valuation: 2.0e6, cost: 1.0e6}\n"
        "tasks:\n"
        "  - {id: t_export, needs: {all_of: [lab_models, r_lab_os]}, produces: [r_export],\n"
        "     cost: 2.0e6}\n"
        "results: [{id: r_export}]\n"
        "products:\n"
        "  - {id: p_export, needs: {all_of: [r_export]}, revenue: {expected: 6.0e6}}\n",
        encoding="utf-8")
    code, out, err = run(["admit", str(BAOSHAN), str(new), "--method", "shapley",
                          "--format", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert {"admission_price", "max_price", "incumbents", "newcomer"} <= set(doc)
    assert set(doc["incumbents"]) == {"fosun_dx", "shu", "wusong_hospital", "zecheng"}
    for row in doc["incumbents"].values():
        assert {"before", "after", "price_part"} <= set(row)
        assert row["after"] >= row["before"]
    assert doc["newcomer"]["id"] == "lab" and doc["newcomer"]["share"] > 0


# ---------------------------------------------------------------- withdrawal
def test_withdrawal_of_an_essential_member_names_the_failing_product():
    a = agreements.load(BAOSHAN)
    w = withdraw(a, "wusong_hospital", "t_automation")
    assert w.member == "wusong_hospital" and "wusong_hospital" not in w.table.index
    assert w.failing == ["p_smart_lab"]
    assert sum(w.table["after"]) == w.remaining_value
    assert w.progress == Fraction(15, 43)  # t_automation's budget 1.5e7 of 4.3e7
    assert w.takeover.loc["wusong_scenario", "by"] == ""
    assert w.results.loc["r_lab_os", "produced"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chained_agreements(min_members=2, max_members=5), st.data())
def test_remaining_shares_sum_to_the_remaining_worth(data, draws):
    a = Agreement.from_mapping(data)
    leaver = draws.draw(st.sampled_from(a.member_ids))
    w = withdraw(a, leaver, draws.draw(st.sampled_from([None, *[t.id for t in a.tasks]])))
    rest = [m for m in a.member_ids if m != leaver]
    assert list(w.table.index) == rest
    assert sum(w.table["after"]) == w.remaining_value == coalition_worth(
        Agreement.from_mapping(data), rest, exact=True)
    assert sum(w.table["pays"]) == w.owed
    assert 0 <= w.progress <= 1


def test_withdraw_cli_names_the_leaving_member(capsys):
    code, out, err = run(["withdraw", str(BAOSHAN), "wusong_hospital", "--milestone",
                          "t_automation", "--format", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["member"] == "wusong_hospital" and doc["failing_products"] == ["p_smart_lab"]
    assert "wusong_hospital" not in doc["remaining"]


# ---------------------------------------------------------------- term review
def test_review_verdicts_and_profile(tmp_path, capsys):
    a = agreements.load(BAOSHAN)
    rows = [{"milestone": "t_automation", "contribution": "shu_ai_team", "delivered": "1",
             "task": "t_automation", "succeeded": "true", "spent": "15000000"},
            {"milestone": "t_analysers", "task": "t_analysers", "succeeded": "true",
             "spent": "20000000"},
            {"milestone": "t_clinical", "task": "t_clinical", "succeeded": "false",
             "spent": "8000000"}]
    r = review(a, rows, "baoshan")
    assert r.criteria.loc["tasks_completed", "ratio"] == Fraction(2, 3)
    assert r.criteria.loc["tasks_completed", "verdict"] == "partly met"
    assert r.criteria.loc["funding_spent", "verdict"] == "met"
    assert r.criteria.loc["results_produced", "ratio"] == Fraction(2, 3)
    assert r.overall == "partly met"
    assert r.refile == bool(agreements.load(BAOSHAN).check("baoshan").query(
        "level == 'required'")["passed"].all())
    actuals = _write_csv(tmp_path / "end.csv", rows)
    code, out, err = run(["review", str(BAOSHAN), "--actuals", str(actuals), "--profile",
                          "baoshan", "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["overall"] == "partly met"


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("row", "what"), [
    ({"milestone": "t_automation", "contribution": "nope", "delivered": "1"},
     ":2: contribution: unknown contribution 'nope'"),
    ({"milestone": "m_nope", "contribution": "shu_ai_team", "delivered": "1"},
     ":2: milestone: unknown milestone 'm_nope'"),
    ({"milestone": "t_automation", "contribution": "shu_ai_team", "delivered": "1.5"},
     ":2: delivered: must be a fraction of the plan from 0 to 1"),
    ({"milestone": "t_automation", "contribution": "shu_ai_team", "delivered": "-0.1"},
     ":2: delivered: must be a fraction of the plan from 0 to 1"),
])
def test_bad_actuals_name_file_row_and_field(row, what, tmp_path, capsys):
    actuals = _write_csv(tmp_path / "bad.csv", [row])
    for cmd in (["settle"], ["review", "--profile", "baoshan"]):
        code, out, err = run([cmd[0], str(BAOSHAN), "--actuals", str(actuals), *cmd[1:]],
                             capsys)
        assert code == 1 and out == ""
        assert f"bad.csv{what}" in err and "Traceback" not in err


def test_bad_newcomer_and_member(tmp_path, capsys):
    new = tmp_path / "dup.yaml"
    new.write_text("member: {id: shu, name: {en: Again}, kind: university}\n", "utf-8")
    code, _, err = run(["admit", str(BAOSHAN), str(new)], capsys)
    assert code == 1 and "dup.yaml:1: member.id: member id 'shu' already exists" in err
    new.write_text("member: {id: lab, name: {en: Lab}, kind: lab}\nextra: 1\n", "utf-8")
    code, _, err = run(["admit", str(BAOSHAN), str(new)], capsys)
    assert code == 1 and "dup.yaml:2: extra: unknown key" in err
    code, _, err = run(["admit", str(BAOSHAN), str(new)], capsys)
    new.write_text("member: {id: lab, name: {en: Lab}, kind: lab}\n", "utf-8")
    code, _, err = run(["admit", str(BAOSHAN), str(new)], capsys)
    assert code == 1 and "dup.yaml:1: member.kind" in err and "Traceback" not in err
    code, _, err = run(["withdraw", str(BAOSHAN), "nobody"], capsys)
    assert code == 1 and "unknown member 'nobody'" in err and "baoshan" in err
    code, _, err = run(["withdraw", str(BAOSHAN), "shu", "--milestone", "zzz"], capsys)
    assert code == 1 and "unknown milestone 'zzz'" in err


def test_read_actuals_rejects_bad_succeeded_and_spent():
    a = agreements.load(BAOSHAN)
    with pytest.raises(ScenarioError) as exc:
        read_actuals(a, [{"milestone": "t_clinical", "task": "t_clinical",
                          "succeeded": "maybe", "spent": "-3"}], source="end.csv")
    text = str(exc.value)
    assert "end.csv:2: succeeded: expected true or false" in text
    assert "end.csv:2: spent: expected an amount >= 0" in text


# ---------------------------------------------------------------- schedules
def test_schedules_are_bilingual_and_written_all_or_nothing(tmp_path, capsys):
    actuals = _write_csv(tmp_path / "a.csv", [{"milestone": "t_automation",
                                                "contribution": "shu_ai_team",
                                                "delivered": "0.5"}])
    code, out, err = run(["settle", str(BAOSHAN), "--actuals", str(actuals), "--format",
                          "md"], capsys)
    assert code == 0, err
    assert "按实际交付结算" in out and "Settlement against actuals" in out
    assert "| 合计 / Total | 100.00% | 100.00% |" in out
    assert "consortium-toolkit" in out and "a.csv (sha256" in out  # provenance line
    docx_out = tmp_path / "w.docx"
    code, _, err = run(["withdraw", str(BAOSHAN), "shu", "--format", "docx", "-o",
                        str(docx_out)], capsys)
    assert code == 0, err
    doc = docx.Document(str(docx_out))
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert len(doc.tables) == 3 and "成员 / Member" in cells and "合计 / Total" in cells
    code, _, err = run(["review", str(BAOSHAN), "--actuals", str(actuals), "--profile",
                        "baoshan", "--format", "xlsx"], capsys)
    assert code == 2 and "give -o OUT" in err
    xlsx = tmp_path / "r.xlsx"
    code, _, err = run(["review", str(BAOSHAN), "--actuals", str(actuals), "--profile",
                        "baoshan", "--format", "xlsx", "-o", str(xlsx)], capsys)
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert code == 0 and any(name.startswith("期满绩效评价") for name in sheets)
    code, _, err = run(["settle", str(BAOSHAN), "--actuals", str(actuals), "--format",
                        "html", "-o", str(BAOSHAN)], capsys)
    assert code == 2 and "refusing to write" in err


def test_python_api_names():
    assert {"settle", "admit", "withdraw", "review"} <= set(agreements.__all__)
    assert agreements.settle is settle


# ---------------------------------------------------------------- the documented example
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "after-signing"


def test_worked_example_of_the_docs_by_hand():
    """docs/after-signing.md: v(uni) = 50, v(firm) = 0, v(N) = 100; Shapley 75/25."""
    a = agreements.load(EXAMPLE / "two_party.yaml")
    s = agreements.settle(a, EXAMPLE / "delivered.csv")
    assert s.table.attrs["delivered_value"] == 75
    assert s.table["delivered_amount"].tolist() == [Fraction(125, 2), Fraction(25, 2)]
    assert s.table["planned_amount"].tolist() == [Fraction(225, 4), Fraction(75, 4)]
    assert s.table["transfer"].tolist() == [Fraction(25, 4), Fraction(-25, 4)]
    assert s.payments.values.tolist() == [["firm", "uni", Fraction(25, 4)]]
    assert s.shortfalls.loc["cash", "replacement_cost"] == 25
    adm = agreements.admit(a, EXAMPLE / "newcomer.yaml", rule="proportional")
    assert adm.table["after"].tolist() == [Fraction(33, 2), Fraction(77, 2), 55]
    assert adm.table.loc[["uni", "firm"], "price_part"].tolist() == [Fraction(27, 2),
                                                                    Fraction(63, 2)]
    assert (adm.price, adm.max_price, adm.feasible) == (45, 50, True)
    fragment = scenario_yaml((EXAMPLE / "newcomer.yaml").read_text("utf-8"))
    fragment["member"]["outside_option"] = 20
    dear = agreements.admit(a, fragment, rule="proportional")
    assert (dear.price, dear.max_price, dear.feasible) == (45, 35, False)
    assert dear.why.startswith("no price works: the incumbents lose 45.00 CNY")
    shap = agreements.admit(a, EXAMPLE / "newcomer.yaml")
    assert shap.table["after"].tolist() == [80, 25, 5] and shap.price == 0
    w = agreements.withdraw(a, "firm", "dev")
    assert (w.owed, w.remaining_value, w.table.loc["uni", "net"]) == (
        Fraction(25, 2), 50, Fraction(75, 2))
    assert w.failing == [] and agreements.withdraw(a, "uni").failing == ["sales"]
    r = agreements.review(a, EXAMPLE / "delivered.csv", "generic_formation")
    assert r.criteria.loc["contributions_delivered", "ratio"] == Fraction(13, 20)
    assert r.criteria.loc["milestones_met", "verdict"] == "not met"
    assert r.overall == "not met"
