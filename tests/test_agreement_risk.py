"""Agreements as risk models, synthetic consortia and the simulate/formation/sweep CLI."""

from __future__ import annotations

import json
import math
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agreements
from agreements.cli import main
from agreements.errors import AgreementError
from agreements.outcomes.risk import (
    project_from_agreement,
    risk_case,
    scenario_point,
    sharing_rules,
    simulate_agreement,
)
from agreements.scenario.synthetic import SyntheticConfig, synthetic_agreement, synthetic_agreements
from agreements.valuation.game import expected_value
from sharing_models import SuspiciousResultWarning
from sharing_models.risk import Fixed, LogNormal, Triangular, simulate
from sharing_models.risk.sweep import lever_point

ROOT = Path(__file__).resolve().parents[1]
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"
DEMO = ROOT / "scenarios" / "sweeps" / "levers_demo.yaml"


@pytest.fixture(scope="module")
def baoshan():
    return agreements.load(BAOSHAN)


def small(tasks_reversed: bool = False, **extra):
    """Two tasks (t1 needs t0's result), one product needing only r0."""
    tasks = [
        {"id": "t0", "needs": {"all_of": ["c_a"]}, "produces": ["r0"], "cost": 10,
         "success_probability": 0.5, "duration_months": 6},
        {"id": "t1", "needs": {"all_of": ["r0", "c_b"]}, "produces": ["r1"], "cost": 30,
         "success_probability": 0.9, "duration_months": 18},
    ]
    data = {
        "format": 1, "id": "small", "name": {"en": "Small"},
        "members": [{"id": "a", "name": {"en": "A"}, "kind": "lead_enterprise",
                     "risk_tolerance": 40, "outside_option": 1},
                    {"id": "b", "name": {"en": "B"}, "kind": "university"}],
        "contributions": [{"id": "c_a", "member": "a", "kind": "cash", "valuation": 30,
                           "cost": 30},
                          {"id": "c_b", "member": "b", "kind": "staff", "valuation": 10,
                           "cost": 10}],
        "tasks": tasks[::-1] if tasks_reversed else tasks,
        "results": [{"id": "r0"}, {"id": "r1"}],
        "products": [{"id": "early", "needs": {"all_of": ["r0"]},
                      "revenue": {"expected": 20}, "years": 2, "discount_rate": 0.1,
                      "operating_margin": 0.5, "success_probability": 0.8}],
        **extra,
    }
    return agreements.Agreement.from_mapping(data)


def test_baoshan_project(baoshan):
    p = project_from_agreement(baoshan)
    assert [s.name for s in p.stages] == ["t_automation", "t_analysers", "t_clinical"]
    tasks = {t.id: t for t in baoshan.tasks}
    assert [s.probability for s in p.stages] == [tasks[s.name].success_probability
                                                 for s in p.stages]
    assert [s.cost for s in p.stages] == [tasks[s.name].cost for s in p.stages]
    # a task graph: automation and analysers in parallel from year 0, clinical validation
    # once both have succeeded, after the longer of them (18 months)
    assert [s.requires for s in p.stages] == [(), (), ("t_automation", "t_analysers")]
    assert [s.year for s in p.stages] == [0.0, 0.0, 1.5]
    smart, licence = p.products
    assert (smart.after, smart.year) == (("t_clinical",), 1.5 + 9 / 12)
    assert (licence.after, licence.year) == (("t_automation",), 1.0)
    for ours, theirs in zip(p.products, baoshan.products, strict=True):
        # life-time margin at launch: the game's expected value before the probability
        assert ours.probability == theirs.success_probability
        # (a triangular law keeps its shape and is scaled to the expected revenue)
        assert ours.revenue.mean * theirs.success_probability == pytest.approx(
            expected_value(theirs))
    assert isinstance(smart.revenue, LogNormal) and isinstance(licence.revenue, Triangular)
    assert p.default_clause == baoshan.default.forfeit_share
    assert p.discount_rate == pytest.approx(0.05)
    assert [m.default_probability for m in p.members] == [
        baoshan.default.default_probability] * 4
    assert [m.risk_tolerance for m in p.members] == [m.risk_tolerance for m in baoshan.members]
    assert [m.outside_option for m in p.members] == [m.outside_option for m in baoshan.members]


def test_tasks_in_dependency_order_and_product_gating():
    a = small(tasks_reversed=True)
    p = project_from_agreement(a)
    assert [s.name for s in p.stages] == ["t0", "t1"]
    assert [s.requires for s in p.stages] == [(), ("t0",)]
    assert [s.year for s in p.stages] == [0.0, 0.5]
    (early,) = p.products
    assert early.after == ("t0",) and early.year == 0.5
    assert isinstance(early.revenue, Fixed)
    assert early.revenue.value == pytest.approx(20 * 0.5 * (1 / 1.1 + 1 / 1.21))
    whole = project_from_agreement(a, discount_rate=0.0)  # every task, every contribution
    assert whole.upfront_cost == 40
    sim = simulate(whole, pd.DataFrame({"equal": [0.5, 0.5]}, index=["a", "b"]),
                   draws=20_000, seed=0)
    # revenue needs t0 (p = 0.5) and market success (0.8), not t1
    assert (sim.revenue > 0).mean() == pytest.approx(0.4, abs=0.015)
    # t1 is attempted only after t0 succeeds; the contributions are paid up front
    assert sim.cost.mean() == pytest.approx(40 + 10 + 0.5 * 30, rel=0.02)


def test_agreement_without_tasks_has_a_start_stage():
    bare = agreements.Agreement.from_mapping({
        "format": 1, "id": "bare", "name": {"en": "Bare"},
        "members": [{"id": "x", "name": {"en": "X"}, "kind": "enterprise"},
                    {"id": "y", "name": {"en": "Y"}, "kind": "enterprise"}]})
    p = project_from_agreement(bare)
    assert [s.name for s in p.stages] == ["start"] and p.products == ()


def test_product_needing_no_task_result_is_not_gated():
    a = small()
    data = a.model_dump(mode="json", exclude_none=True)
    data["products"].append({"id": "service", "needs": {"all_of": ["c_b"]},
                             "revenue": {"expected": 5}, "years": 1})
    p = project_from_agreement(agreements.Agreement.from_mapping(data))
    assert [s.name for s in p.stages] == ["start", "t0", "t1"]
    assert [(x.name, x.after, x.year) for x in p.products] == [("early", ("t0",), 0.5),
                                                               ("service", ("start",), 0.0)]
    assert [s.requires for s in p.stages] == [None, (), ("t0",)]


def test_sharing_rules(baoshan):
    rules = sharing_rules(baoshan, ["fixed", "equal", "proportional", "borch"])
    assert list(rules.columns) == ["fixed", "equal", "proportional", "borch"]
    np.testing.assert_allclose(rules.sum(), 1.0)
    fixed = baoshan.sharing.fixed_shares
    assert rules["fixed"].tolist() == pytest.approx([fixed[m] / 100 for m in rules.index])
    valuations = np.array([sum(c.valuation for c in baoshan.contributions if c.member == m)
                           for m in rules.index])
    assert rules["proportional"].tolist() == pytest.approx(valuations / valuations.sum())
    rho = np.array([m.risk_tolerance for m in baoshan.members])
    assert rules["borch"].tolist() == pytest.approx(rho / rho.sum())
    with pytest.raises(AgreementError, match="unknown sharing rule"):
        sharing_rules(baoshan, ["fair"])
    with pytest.raises(AgreementError, match="fixed_shares"):
        sharing_rules(small(), ["fixed"])


def test_game_rules_are_shares_or_left_out(baoshan):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SuspiciousResultWarning)
        rules = sharing_rules(baoshan, ["shapley", "equal"])
    if "shapley" in rules:
        assert (rules["shapley"] >= 0).all() and rules["shapley"].sum() == pytest.approx(1)
    else:
        assert any("shapley" in str(w.message) for w in caught)


def test_simulate_agreement_is_reproducible_and_conserves_value(baoshan):
    a = simulate_agreement(baoshan, draws=3000, seed=4, methods=["fixed", "equal"])
    b = simulate_agreement(baoshan, draws=3000, seed=4, methods=["fixed", "equal"])
    c = simulate_agreement(baoshan, draws=3000, seed=5, methods=["fixed", "equal"])
    np.testing.assert_array_equal(a.payoff, b.payoff)
    assert not np.array_equal(a.payoff, c.payoff)
    np.testing.assert_allclose(a.payoff.sum(axis=1), np.repeat(a.outcome[:, None], 2, axis=1),
                               rtol=1e-12, atol=1e-3)


# ---------------------------------------------------------------------- synthetic
def test_synthetic_agreements_are_seeded_and_valid():
    a, b = synthetic_agreement(seed=3), synthetic_agreement(seed=3)
    assert a.model_dump() == b.model_dump()
    assert a.model_dump() != synthetic_agreement(seed=4).model_dump()
    three, five = synthetic_agreements(3, seed=9), synthetic_agreements(5, seed=9)
    assert [x.model_dump() for x in three] == [x.model_dump() for x in five[:3]]
    assert len({x.id for x in five}) == 5
    with pytest.raises(AgreementError, match="positive integer"):
        synthetic_agreements(0)


def test_synthetic_config_is_checked_and_followed():
    with pytest.raises(AgreementError, match="members") as err:
        SyntheticConfig(members=(1, 1), task_success=(0.2, 1.5))
    assert "task_success" in str(err.value)
    cfg = SyntheticConfig(members=(5, 5), tasks=(3, 3), products=(2, 2))
    a = synthetic_agreement(seed=0, config=cfg)
    assert (len(a.members), len(a.tasks), len(a.products)) == (5, 3, 2)
    assert math.isclose(sum(a.sharing.fixed_shares.values()), 100.0, abs_tol=1e-6)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_every_synthetic_agreement_simulates_and_conserves_value(seed):
    a = synthetic_agreement(seed=seed)
    sim = simulate_agreement(a, draws=300, seed=seed, methods=["fixed", "equal", "borch"])
    np.testing.assert_allclose(sim.payoff.sum(axis=1), sim.outcome[:, None] * np.ones(3),
                               atol=1e-9 * max(1.0, float(np.abs(sim.outcome).max())))
    assert sim.members == tuple(a.member_ids)


def test_scenario_point(baoshan):
    cases = {"b": risk_case(baoshan, ["fixed"])}
    rows = scenario_point({"scenario": "b", "subsidy": 0.5}, np.random.SeedSequence(0),
                          cases=cases, draws=500)
    assert rows["rule"].tolist() == ["fixed"] and rows["government_cost_cny"].iloc[0] > 0
    with pytest.raises(AgreementError, match="unknown scenario"):
        scenario_point({"scenario": "zz"}, np.random.SeedSequence(0), cases=cases)


# ---------------------------------------------------------------------- CLI
def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_simulate_is_identical_for_the_same_seed(capsys):
    args = ("simulate", BAOSHAN, "--draws", "3000", "--seed", "7", "--lever", "subsidy=0.3",
            "--method", "fixed", "--method", "equal", "--format", "json")
    code, out1, err = run(capsys, *args)
    assert code == 0 and "3,000 draws" in err
    _, out2, _ = run(capsys, *args)
    assert out1 == out2
    rows = json.loads(out1)
    assert len(rows) == 8 and {"rule", "member", "CVaR_0.95_cny", "accepts"} <= set(rows[0])
    _, out3, _ = run(capsys, *args[:5], "8", *args[6:])
    assert out3 != out1


def test_cli_simulate_levers_change_the_result(capsys, tmp_path):
    base = ("simulate", BAOSHAN, "--draws", "2000", "--method", "fixed", "--format", "csv")
    _, plain, _ = run(capsys, *base)
    _, helped, _ = run(capsys, *base, "--lever", "subsidy=1", "--lever", "floor=1e7",
                       "--out", tmp_path / "d.parquet")
    a = pd.read_csv(pd.io.common.StringIO(plain), index_col=[0, 1])
    b = pd.read_csv(pd.io.common.StringIO(helped), index_col=[0, 1])
    # stage costs are subsidised; the members' own contributions are still at risk
    assert (b["expected_cny"] > a["expected_cny"]).all() and (b["prob_loss"] < a["prob_loss"]).all()
    assert len(pd.read_parquet(tmp_path / "d.parquet")) == 2000 * 4


@pytest.mark.parametrize("lever", ["subsidy", "subsidy=abc", "bonus=1", "award:=3"])
def test_cli_bad_lever(capsys, lever):
    code, out, err = run(capsys, "simulate", BAOSHAN, "--draws", "10", "--lever", lever)
    assert code == 2 and out == "" and "bad --lever" in err


def test_cli_formation_views(capsys):
    code, out, _ = run(capsys, "formation", BAOSHAN, "--draws", "2000", "--method", "fixed",
                       "--method", "borch", "--format", "json")
    assert code == 0
    rows = {r["rule"]: r for r in json.loads(out)}
    assert set(rows) == {"fixed", "borch"}
    assert {"members_accepting", "least_subsidy_rate", "ce_loss", "in_core"} <= set(
        rows["fixed"])
    assert rows["borch"]["ce_loss"] < rows["fixed"]["ce_loss"]
    # without defaults (which redistribute shares) the borch rule is Borch-optimal
    _, out, _ = run(capsys, "formation", BAOSHAN, "--draws", "2000", "--method", "fixed",
                    "--method", "borch", "--lever", "default_probability=0", "--format", "json")
    rows = {r["rule"]: r for r in json.loads(out)}
    assert rows["borch"]["share_distance"] == pytest.approx(0.0, abs=1e-9)
    assert rows["borch"]["ce_loss"] == pytest.approx(0.0, abs=1e-6 * rows["fixed"]["ce_loss"])
    code, out, _ = run(capsys, "formation", BAOSHAN, "--draws", "2000", "--view", "members",
                       "--format", "json")
    members = json.loads(out)
    assert [m["member"] for m in members] == ["fosun_dx", "shu", "wusong_hospital", "zecheng"]
    assert sum(m["borch_side_payment"] for m in members) == pytest.approx(0, abs=1e-3)


def test_cli_sweep_inline(capsys, tmp_path):
    spec = tmp_path / "spec.yaml"
    shutil.copy(BAOSHAN, tmp_path / "baoshan.yaml")  # scenarios live beside the spec
    spec.write_text("scenarios: [baoshan.yaml]\nsynthetic: {count: 2, seed: 1}\n"
                    "methods: [equal, borch]\ndraws: 300\nseed: 5\n"
                    "grid: {subsidy: [0.0, 0.5]}\n"
                    "random: {n: 2, seed: 0, axes: {insurance: {low: 0.0, high: 0.9}, "
                    "default_probability: {choices: [0.0, 0.1]}}}\n")
    out_path = tmp_path / "res.parquet"
    code, out, err = run(capsys, "sweep", spec, "-o", out_path, "--scheduler", "inline",
                         "--format", "csv")
    assert code == 0 and "12 points (3 scenarios)" in err
    res = pd.read_parquet(out_path)
    assert len(res) == 12 * 2 and res["point"].tolist() == sorted(res["point"])
    assert set(res["scenario"]) == {"baoshan_medical_devices", "synthetic_0000",
                                    "synthetic_0001"}
    summary = pd.read_csv(pd.io.common.StringIO(out))
    assert len(summary) == 3 * 2 and (summary["points"] == 4).all()
    code, _, _ = run(capsys, "sweep", spec, "-o", tmp_path / "again.parquet",
                      "--scheduler", "inline")
    assert code == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "again.parquet"), res)
    # points without a parameter have NaN in its column
    assert res["probability_scale"].isna().all() if "probability_scale" in res else True
    assert res["insurance"].isna().sum() == 3 * 2 * 2


def test_cli_sweep_spec_errors(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("grids: {subsidy: [0.1]}\n")
    code, _, err = run(capsys, "sweep", bad, "-o", tmp_path / "x.parquet")
    assert code == 1 and "unknown key 'grids'" in err and "give 'scenarios'" in err
    axis = tmp_path / "axis.yaml"
    shutil.copy(BAOSHAN, tmp_path / "baoshan.yaml")
    axis.write_text("scenarios: [baoshan.yaml]\nrandom: {n: 2, axes: {subsidy: 0.3}}\n")
    code, _, err = run(capsys, "sweep", axis, "-o", tmp_path / "x.parquet")
    assert code == 1 and "needs low/high or choices" in err


def test_demo_spec_loads():
    from agreements.cli.risk import load_sweep_spec

    spec = load_sweep_spec(DEMO)
    assert len(spec.cases) == 21 and len(spec.points) == 21 * 16
    assert spec.draws == 2000 and spec.n_workers == 2


def test_cli_simulate_without_a_member(capsys):
    code, out, _ = run(capsys, "simulate", BAOSHAN, "--draws", "500", "--method", "fixed",
                       "--lever", "without:zecheng=1", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["member"] for r in rows] == ["fosun_dx", "shu", "wusong_hospital"]


def test_cli_formation_without_a_game(capsys, monkeypatch):
    from sharing_models import TooLargeError

    def too_large(agreement):
        raise TooLargeError("too many members for the full game")

    import agreements.valuation.game as game_module  # the CLI imports it when it runs

    monkeypatch.setattr(game_module, "agreement_game", too_large)
    code, out, err = run(capsys, "formation", BAOSHAN, "--draws", "500", "--method", "fixed",
                         "--format", "json")
    assert code == 0 and "core columns omitted" in err
    (row,) = json.loads(out)
    assert "in_core" not in row and "members_accepting" in row


def test_sweep_columns_name_their_unit_and_carry_members_and_errors(baoshan):
    """Money columns say their unit; a synthetic consortium counted in millions lands
    in units; member count and Monte Carlo standard errors beside the means."""
    syn = synthetic_agreement(seed=3)
    assert syn.currency == "CNY (millions)"
    cases = {"b": risk_case(baoshan, ["fixed"]), "s": risk_case(syn, ["equal"])}
    seed = np.random.SeedSequence(4)
    b = scenario_point({"scenario": "b"}, seed, cases=cases, draws=400)
    s = scenario_point({"scenario": "s"}, seed, cases=cases, draws=400)
    assert list(b.columns) == list(s.columns)
    assert {"members", "expected_outcome_cny", "expected_outcome_cny_se", "total_ce_cny",
            "total_ce_cny_se", "government_cost_cny_se", "least_transfer_cny"} <= set(b)
    assert not {"expected_outcome", "government_cost"} & set(b)
    assert b["members"].iloc[0] == 4 and s["members"].iloc[0] == len(syn.members)
    raw = lever_point({}, seed, project=cases["s"].project, shares=cases["s"].shares,
                      cost_shares=cases["s"].cost_shares, draws=400)
    assert s["expected_outcome_cny"].iloc[0] == pytest.approx(
        raw["expected_outcome"].iloc[0] * 1e6)
    assert 0 < s["expected_outcome_cny_se"].iloc[0] < abs(s["expected_outcome_cny"].iloc[0])


def test_cli_sweep_refuses_mixed_currencies(capsys, tmp_path):
    spec = tmp_path / "mixed.yaml"
    usd = BAOSHAN.parent / "sematech_1987.yaml"
    for source in (BAOSHAN, usd):  # a spec names scenario files beside it
        (tmp_path / source.name).write_bytes(source.read_bytes())
    spec.write_text(f"scenarios: [{BAOSHAN.name}, {usd.name}]\ndraws: 100\n")
    code, _, err = run(capsys, "sweep", spec, "-o", tmp_path / "x.parquet",
                         "--scheduler", "inline")
    assert code == 1 and "different currencies (cny, usd)" in err
    assert not (tmp_path / "x.parquet").exists()
