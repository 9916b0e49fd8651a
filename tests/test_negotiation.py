"""Negotiation under different views: overlays, payoffs by own view, the best fixed split,
contingent contracts and the zone of agreement (issue 14)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agreements
import sharing_models as sm
from agreements import ScenarioError
from agreements.cli import main
from agreements.errors import AgreementError
from agreements.negotiation import negotiate, simulated_payoffs, state_table, with_view
from agreements.sharing import allocate, largest_remainder
from agreements.valuation.game import agreement_game, expected_value, grand_plan
from agreements.valuation.project import risk_weights
from tests.scenario_files import small as small_scenarios

ROOT = Path(__file__).resolve().parents[1]
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"
PESSIMIST = {"products": [{"id": "p_smart_lab", "success_probability": 0.2}]}
OPTIMIST = {"products": [{"id": "p_smart_lab", "success_probability": 0.95}]}

SMALL = """
id: small
name: {en: Small}
members:
  - {id: lab, name: {en: Lab}, kind: research_institute, outside_option: 5}
  - {id: firm, name: {en: Firm}, kind: enterprise, outside_option: 10}
  - {id: fund, name: {en: Fund}, kind: investor, outside_option: 2}
contributions:
  - {id: know_how, member: lab, kind: background_ip, valuation: 20, cost: 0}
  - {id: plant, member: firm, kind: equipment, valuation: 30, cost: 0}
  - {id: money, member: fund, kind: cash, valuation: 40, cost: 0}
tasks:
  - {id: dev, needs: {all_of: [know_how, plant, money]}, produces: [proto], cost: 20,
     success_probability: 0.5}
results: [{id: proto}]
products:
  - {id: sales, needs: {all_of: [proto]}, revenue: {expected: 200}}
sharing: {method: equal}
"""


@pytest.fixture(scope="module")
def baoshan() -> agreements.Agreement:
    return agreements.load(BAOSHAN)


@pytest.fixture(scope="module")
def small() -> agreements.Agreement:
    return agreements.loads(SMALL)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ the acceptance case
def test_pessimistic_lead_and_optimistic_hospital(baoshan: agreements.Agreement) -> None:
    deal = negotiate(baoshan, {"fosun_dx": PESSIMIST, "wusong_hospital": OPTIMIST})
    assert deal.contingent.min_surplus > deal.fixed.min_surplus
    assert deal.contingent.gain_over_fixed == pytest.approx(
        deal.contingent.min_surplus - deal.fixed.min_surplus)
    for row in deal.contingent.shares.itertuples(index=False):  # budget balance, exactly
        assert all(isinstance(x, Fraction) and x >= 0 for x in row) and sum(row) == 1
    assert sum(deal.fixed.shares) == 1
    # the lead believes the smart lab launches less often than the file, the hospital more
    b = deal.beliefs["p_smart_lab"]
    assert b["fosun_dx"] < b["shu"] < b["wusong_hospital"]


def test_payoffs_under_own_view_are_reproduced_independently(
        baoshan: agreements.Agreement) -> None:
    """Each payoff is the rule's share (the one sharing path) times the member's expected
    outcome of the plan, recomputed here from the closed-form task and product weights
    (another code path than the state enumeration; it is v(N) for the file's own view)
    and, within 4 standard errors, the simulation's mean."""
    views = {"fosun_dx": PESSIMIST, "wusong_hospital": OPTIMIST}
    deal = negotiate(baoshan, views, rules=["fixed", "shapley"])
    plan = grand_plan(baoshan)
    for m in baoshan.member_ids:
        view = with_view(baoshan, views[m]) if m in views else baoshan
        w = risk_weights(view)  # closed-form probabilities and discounting, on the plan
        products = {p.id: p for p in view.products}
        expected = (sum(expected_value(products[p]) * w.product[p] for p in plan.products)
                    - sum(t.cost * w.task[t.id] for t in view.tasks if t.id in plan.tasks)
                    - plan.upfront_cost)
        if m not in views:
            assert expected == pytest.approx(float(agreement_game(view).grand_value))
        for rule in ("fixed", "shapley"):
            share = float(allocate(baoshan, rule)["share"][m])
            assert deal.views.loc[(m, rule), "payoff"] == pytest.approx(share * expected)
    sim = simulated_payoffs(baoshan, views, ["fixed"], draws=100_000, seed=3)
    gap = (sim["simulated"] - deal.views["payoff"].loc[sim.index]).abs()
    assert (gap <= 4 * sim["simulated_se"] + 1e-6).all()


def test_state_table_is_exact(small: agreements.Agreement) -> None:
    """dev succeeds with 0.5: launch (200 - 20) or not (-20); E[X] = 80 = v(N)."""
    t = state_table(small)
    assert t.events == ("sales",)
    assert t.prob.tolist() == [0.5, 0.5]
    assert t.mass.tolist() == [-10.0, 90.0]
    assert t.expected == pytest.approx(float(small.game().grand_value)) == 80


# ------------------------------------------------------------------ shared views
SCENARIOS = small_scenarios(sorted((ROOT / "scenarios").glob("*.yaml")))


def _core_with_outside_options_is_empty(a: agreements.Agreement) -> bool:
    """The core of the game in which every coalition can also take its members' outside
    options: empty unless some division of v(N) gives every member at least its outside
    option and every coalition at least its worth."""
    g = a.game()
    o = np.array([m.outside_option for m in a.members])
    bits = (np.arange(1 << g.n)[:, None] >> np.arange(g.n)) & 1
    v = np.maximum(np.asarray(g.values, dtype=float), bits @ o)
    v[-1] = float(g.grand_value)
    return bool(sm.core_is_empty(sm.Game(g.players, v)))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shared_views_every_bundled_scenario(path: Path) -> None:
    """With every view the file's own: an acceptable fixed split wherever the core (with
    outside options) is non-empty, and betting gains vanish (contingent = fixed)."""
    a = agreements.load(path)
    deal = negotiate(a)
    if not _core_with_outside_options_is_empty(a):
        assert deal.fixed.acceptable
    assert deal.contingent.min_surplus == pytest.approx(deal.fixed.min_surplus, abs=1e-6 * max(
        1.0, abs(deal.fixed.min_surplus)))


def test_some_bundled_scenarios_have_a_core() -> None:
    assert sum(not _core_with_outside_options_is_empty(agreements.load(p))
               for p in SCENARIOS) >= 5


def test_identical_views_with_enough_value_give_an_acceptable_split(
        small: agreements.Agreement, capsys: pytest.CaptureFixture[str]) -> None:
    deal = negotiate(small)
    assert deal.fixed.acceptable and deal.acceptable
    # leximin: equal surplus (80 - 17) / 3 = 21 each
    assert deal.fixed.surplus.tolist() == pytest.approx([21.0, 21.0, 21.0])
    assert [float(x) for x in deal.fixed.shares] == pytest.approx([26 / 80, 31 / 80, 23 / 80])
    assert deal.contingent.gain_over_fixed == pytest.approx(0.0, abs=1e-6)


def test_hand_computed_contingent_contract(small: agreements.Agreement) -> None:
    """The fund believes the launch likely (0.9), the lab unlikely (0.1): by its view the
    lab expects 0.1 * 180 - 0.9 * 20 = 0, so no fixed share helps it (surplus -5); the
    contingent contract puts the loss on the fund, which thinks it unlikely, and the
    launch mostly on the lab, and every surplus rises to 8.05."""
    views = {"fund": {"tasks": [{"id": "dev", "success_probability": 0.9}]},
             "lab": {"tasks": [{"id": "dev", "success_probability": 0.1}]}}
    deal = negotiate(small, views)
    assert deal.fixed.surplus["lab"] == pytest.approx(-5.0)
    assert deal.contingent.shares.loc["none", "fund"] == 1
    lab_launch = float(deal.contingent.shares.loc["sales", "lab"])
    assert deal.contingent.surplus["lab"] == pytest.approx(lab_launch * 0.1 * 180 - 5)
    assert deal.contingent.min_surplus == pytest.approx(8.05, abs=0.01)
    assert deal.acceptable and not deal.fixed.acceptable


# ------------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.05, 0.95), min_size=4, max_size=4),
       st.lists(st.floats(0.05, 0.95), min_size=4, max_size=4))
def test_contingent_never_worse_budget_balanced_and_within_caps(smart: list[float],
                                                                licence: list[float]) -> None:
    a = agreements.load(BAOSHAN)
    views = {m: {"products": [{"id": "p_smart_lab", "success_probability": p},
                              {"id": "p_software_licence", "success_probability": q}]}
             for m, p, q in zip(a.member_ids, smart, licence, strict=True)}
    caps = {m: sum(c.valuation for c in a.contributions if c.member == m) for m in a.member_ids}
    deal = negotiate(a, views, caps=caps)
    scale = 1e-6 * max(1.0, abs(deal.fixed.min_surplus))
    assert deal.contingent.min_surplus >= deal.fixed.min_surplus - scale
    loss = np.maximum(0.0, -state_table(a, grand_plan(a)).conditional())
    for k, row in enumerate(deal.contingent.shares.itertuples(index=False)):
        assert sum(row) == 1 and all(x >= 0 for x in row)
        for m, x in zip(a.member_ids, row, strict=True):
            assert float(x) * loss[k] <= caps[m] * (1 + 1e-6) + 1e-6


# ------------------------------------------------------------------ zone
def test_zone_of_agreement(small: agreements.Agreement) -> None:
    deal = negotiate(small, zone=("lab", "firm"))
    z = deal.zone
    assert z is not None and z.exists and z.members == ("lab", "firm")
    assert z.low == pytest.approx(5 / 80) and z.high == pytest.approx(z.pool - 10 / 80)
    loser = negotiate(small, {"lab": {"products": [{"id": "sales", "revenue":
                                                    {"expected": 1}}]}}, zone=("lab", "firm"))
    assert loser.zone is not None and loser.zone.expects_loss == ("lab",)
    assert not loser.zone.exists and loser.zone.low is None


# ------------------------------------------------------------------ bad input
def test_bad_views_are_clear_errors(baoshan: agreements.Agreement, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"unknown product 'p_smart_lap'.*p_smart_lab"):
        with_view(baoshan, {"products": [{"id": "p_smart_lap", "success_probability": 0.5}]})
    with pytest.raises(ScenarioError, match="success_probability"):
        with_view(baoshan, {"products": [{"id": "p_smart_lab", "success_probability": 1.5}]})
    with pytest.raises(ScenarioError, match="cannot change 'sharing'"):
        with_view(baoshan, {"sharing": {"method": "equal"}})
    with pytest.raises(ScenarioError, match="unknown field 'succes_probability'"):
        with_view(baoshan, {"tasks": [{"id": "t_clinical", "succes_probability": 0.1}]})
    with pytest.raises(AgreementError, match="unknown member"):
        negotiate(baoshan, {"nobody": PESSIMIST})
    bad = tmp_path / "view.yaml"
    bad.write_text("products:\n  - id: p_smart_lab\n    success_probability: 0.2\n"
                   "  - id: ghost\n    success_probability: 0.3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"view\.yaml:4: products\[1\]\.id: unknown product"):
        with_view(baoshan, bad)


# ------------------------------------------------------------------ CLI
def test_cli_json_keys_and_exit_codes(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    lead, hosp = tmp_path / "lead.yaml", tmp_path / "hospital.yaml"
    lead.write_text("products: [{id: p_smart_lab, success_probability: 0.2}]\n")
    hosp.write_text("products: [{id: p_smart_lab, success_probability: 0.95}]\n")
    code, out, err = run(capsys, "negotiate", BAOSHAN, "--view", f"fosun_dx={lead}",
                         "--view", f"wusong_hospital={hosp}", "--format", "json")
    doc = json.loads(out)
    assert set(doc["views"]) == {"fosun_dx", "shu", "wusong_hospital", "zecheng"}
    assert {"payoff", "surplus"} <= set(doc["views"]["shu"]["fixed"])
    assert {"shares", "min_surplus", "acceptable"} <= set(doc["fixed_split"])
    assert {"events", "shares", "min_surplus", "gain_over_fixed"} <= set(doc["contingent"])
    assert doc["zone"]["members"] == ["fosun_dx", "wusong_hospital"]  # two views: a zone
    assert doc["contingent"]["gain_over_fixed"] > 0
    assert code == (0 if doc["contingent"]["acceptable"] else 1) and "Traceback" not in err
    code, _, err = run(capsys, "negotiate", BAOSHAN)  # shared views: v(N) < outside options
    assert code == 1 and "short by" in err and "Traceback" not in err
    small = tmp_path / "small.yaml"
    small.write_text(SMALL, encoding="utf-8")
    code, out, err = run(capsys, "negotiate", small)
    assert code == 0 and "every member accepts" in out
    code, out, _ = run(capsys, "negotiate", small, "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "contract,lab,firm,fund"
    assert out.splitlines()[1].startswith("fixed,")


@pytest.mark.parametrize(("overlay", "message"), [
    ("products: [{id: ghost, success_probability: 0.5}]\n", "unknown product 'ghost'"),
    ("products: [{id: p_smart_lab, success_probability: 1.5}]\n", "success_probability"),
    ("members: [{id: nobody, outside_option: 1}]\n", "unknown member 'nobody'"),
])
def test_cli_bad_overlays_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 overlay: str, message: str) -> None:
    view = tmp_path / "view.yaml"
    view.write_text(overlay, encoding="utf-8")
    code, out, err = run(capsys, "negotiate", BAOSHAN, "--view", f"shu={view}")
    assert (code, out) == (1, "") and message in err and "view.yaml" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--view", "fosun_dx"], 2, "expected MEMBER=VALUE"),
    (["--view", "nobody=x.yaml"], 1, "unknown member"),
    (["--view", "shu=/nonexistent/view.yaml"], 1, "cannot read the view"),
    (["--zone", "a,b,c"], 2, "two members"),
    (["--cap", "shu=lots"], 2, "not an amount"),
])
def test_cli_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], code: int,
                       message: str) -> None:
    got, _, err = run(capsys, "negotiate", BAOSHAN, *args)
    assert got == code and message in err and "Traceback" not in err


def test_contingent_clause_in_both_languages(baoshan: agreements.Agreement) -> None:
    from agreements.clauses import clause_table

    deal = negotiate(baoshan, {"fosun_dx": PESSIMIST, "wusong_hospital": OPTIMIST})
    table = clause_table(baoshan, lang="zh+en", contingent=deal.contingent)
    rows = [i for i in table.index if "Shares contingent" in " ".join(map(str, table.loc[i]))]
    assert len(rows) == 1
    text = " ".join(map(str, table.loc[rows[0]]))
    assert "视产品上市情况而定的分配比例" in text and "若均未上市：" in text
    for _, shares in deal.contingent.shares.iterrows():  # shown shares add up to 100
        shown = largest_remainder(shares * 100, 100, 2)
        assert sum(shown) == 100
        first = baoshan.member_ids[0]
        assert f"{float(shown[first]):.2f}%" in text


def test_cli_clauses_with_views(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lead = tmp_path / "lead.yaml"
    lead.write_text("products: [{id: p_smart_lab, success_probability: 0.2}]\n")
    code, out, err = run(capsys, "clauses", BAOSHAN, "--view", f"fosun_dx={lead}",
                         "--format", "md", "--table", "clauses", "--lang", "zh+en")
    assert code == 0, err
    assert "Shares contingent on what launches" in out and "视产品上市情况而定的分配比例" in out
    code, _, err = run(capsys, "clauses", BAOSHAN, "--view", "fosun_dx", "--format", "md")
    assert code == 2 and "expected MEMBER=VALUE" in err
