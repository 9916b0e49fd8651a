"""Policy levers: what each pays, who gains, and the least subsidy that closes a deal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import InvalidInputError
from sharing_models.risk import (
    CostSubsidy,
    Fixed,
    LogNormal,
    MilestoneAward,
    Normal,
    ProcurementGuarantee,
    Product,
    Project,
    RiskMember,
    Stage,
    TechnologyInsurance,
    Triangular,
    compare_levers,
    least_subsidy_rate,
    risk_summary,
    simulate,
)
from tests.strategies import risk_projects, share_tables

FAST = settings(max_examples=25, deadline=None)


def project(default: float = 0.0) -> Project:
    return Project(
        (Stage("design", 0.7, 10.0, Triangular(1.0, 1.0, 1.5)),
         Stage("trial", 0.5, 30.0, LogNormal(1.2, 0.3), year=1.0)),
        (Product("device", LogNormal(150.0, 80.0), year=3.0),),
        tuple(RiskMember(m, rho, d, default) for m, rho, d in
              (("lead", 60.0, 5.0), ("univ", 8.0, 0.0), ("inst", 15.0, 0.0))),
        discount_rate=0.04,
    )


SHARES = pd.DataFrame({"equal": [1 / 3] * 3, "lead": [0.6, 0.2, 0.2]},
                      index=["lead", "univ", "inst"])
COSTS = pd.Series({"lead": 0.5, "univ": 0.25, "inst": 0.25})


@FAST
@given(data=st.data())
def test_a_subsidy_paying_everything_removes_every_loss(data):
    """Issue 6: with all stage costs paid, no member can lose in any draw."""
    proj = data.draw(risk_projects())
    # revenue laws that cannot go negative (a Normal revenue could lose money by itself)
    proj = Project(proj.stages, tuple(p for p in proj.products
                                      if not isinstance(p.revenue, Normal)),
                   proj.members, proj.default_clause, (), proj.discount_rate)
    shares = data.draw(share_tables(proj.member_names))
    sim = simulate(proj, shares, draws=500, seed=data.draw(st.integers(0, 9)),
                   levers=[CostSubsidy(1.0)])
    summary = risk_summary(sim)
    assert (summary["prob_loss"] == 0).all()
    assert (sim.payoff >= -1e-9).all()
    np.testing.assert_allclose(sim.cost, 0.0, atol=1e-9)


def test_subsidy_cost_and_sharing():
    base = simulate(project(), SHARES, COSTS, draws=20_000, seed=1)
    sub = simulate(project(), SHARES, COSTS, draws=20_000, seed=1, levers=[CostSubsidy(0.3)])
    np.testing.assert_allclose(sub.government, 0.3 * base.cost)
    # relief goes to members by cost share
    gain = (sub.payoff - base.payoff)[:, :, 0]
    np.testing.assert_allclose(gain, 0.3 * base.cost[:, None] * COSTS.to_numpy())
    only_trial = simulate(project(), SHARES, COSTS, draws=2000, seed=1,
                          levers=[CostSubsidy(0.3, stages=("trial",))])
    assert 0 < only_trial.government.mean() < 0.3 * base.cost[:2000].mean()


def test_insurance_pays_failed_stages_minus_premium():
    p = Project((Stage("a", 0.5, 10.0),), (Product("x", Fixed(40.0)),), (RiskMember("m"),))
    sim = simulate(p, pd.Series({"m": 1.0}, name="r"), draws=4000, seed=0,
                   levers=[TechnologyInsurance(0.8, premium=1.5)])
    failed = sim.revenue == 0
    np.testing.assert_allclose(sim.government[failed], 8.0 - 1.5)
    np.testing.assert_allclose(sim.government[~failed], -1.5)
    np.testing.assert_allclose(sim.outcome[failed], -10.0 + 6.5)


def test_milestone_award_paid_only_on_success():
    """Baoshan-style award: a fixed sum when the milestone is reached, discounted."""
    p = project()
    sim = simulate(p, SHARES, COSTS, draws=20_000, seed=3,
                   levers=[MilestoneAward({"trial": 20.0})])
    paid = sim.government > 0
    np.testing.assert_allclose(sim.government[paid], 20.0 / 1.04)
    assert paid.mean() == pytest.approx(0.35, abs=0.02)


def test_procurement_floor_on_first_product():
    p = project()
    base = simulate(p, SHARES, COSTS, draws=10_000, seed=4)
    guaranteed = simulate(p, SHARES, COSTS, draws=10_000, seed=4,
                          levers=[ProcurementGuarantee(120.0)])
    reached = base.revenue > 0
    floor = 120.0 / 1.04**3
    assert (guaranteed.revenue[reached] >= floor - 1e-9).all()
    np.testing.assert_allclose(guaranteed.government,
                               np.where(reached, np.maximum(0, floor - base.revenue), 0.0))


@pytest.mark.parametrize(("make", "match"), [
    (lambda: CostSubsidy(1.2), "rate must be in"),
    (lambda: TechnologyInsurance(0.5, -1.0), "premium must be"),
    (lambda: TechnologyInsurance(1.5), "coverage must be"),
    (lambda: MilestoneAward({"trial": -1.0}), "awards must be"),
    (lambda: ProcurementGuarantee(-5.0), "floor must be"),
])
def test_bad_levers(make, match):
    with pytest.raises(InvalidInputError, match=match):
        make()


def test_lever_validation_against_the_project():
    for lever, match in ((ProcurementGuarantee(1.0, product="nope"), "unknown product"),
                         (CostSubsidy(0.2, stages=("x",)), "unknown stage")):
        with pytest.raises(InvalidInputError, match=match):
            simulate(project(), SHARES, draws=10, levers=[lever])


def test_compare_levers_table():
    table = compare_levers(project(), SHARES, {
        "subsidy 30%": CostSubsidy(0.3),
        "insurance": TechnologyInsurance(0.8, premium=2.0),
        "award": MilestoneAward({"design": 5.0, "trial": 15.0}),
        "procurement": ProcurementGuarantee(100.0),
        "package": [CostSubsidy(0.2), ProcurementGuarantee(80.0)],
    }, COSTS, draws=20_000, seed=0)
    assert list(table.index.names) == ["lever", "rule"]
    assert table.index.get_level_values("lever").unique().tolist() == [
        "none", "subsidy 30%", "insurance", "award", "procurement", "package"]
    none = table.xs("none", level="lever")
    assert (none["government_cost"] == 0).all()
    for lever in ("subsidy 30%", "award", "procurement", "package"):
        row = table.xs(lever, level="lever")
        assert (row["government_cost"] > 0).all()
        assert (row["members_accepting"] >= none["members_accepting"]).all()
        assert (row["least_transfer"] <= none["least_transfer"] + 1e-9).all()
        # public money ends up with the consortium, one for one, on the same draws
        assert (row["expected_outcome"] - row["government_cost"]).iloc[0] == pytest.approx(
            none["expected_outcome"].iloc[0])
    with pytest.raises(InvalidInputError, match="mapping"):
        compare_levers(project(), SHARES, [CostSubsidy(0.1)])


def test_least_subsidy_rate_closed_form():
    """One stage, cost 10 split equally, revenue 30 on success (p-hat on the sample):
    member a (rho 5) accepts iff -5 (1 - t) - 5 log(1 - p + p e^-3) >= 0."""
    p = Project((Stage("s", 0.5, 10.0),), (Product("x", Fixed(30.0)),),
                (RiskMember("a", 5.0), RiskMember("b", 50.0)))
    shares = pd.Series({"a": 0.5, "b": 0.5}, name="eq")
    res = least_subsidy_rate(p, shares, draws=5000, seed=0, tol=1e-9)
    p_hat = float((simulate(p, shares, draws=5000, seed=0).revenue > 0).mean())
    expected = 1.0 + np.log(1 - p_hat + p_hat * np.exp(-3.0))
    assert res.loc["eq", "rate"] == pytest.approx(expected, abs=1e-8)
    assert res.loc["eq", "government_cost"] == pytest.approx(10.0 * res.loc["eq", "rate"])


def test_least_subsidy_rate_edge_cases():
    p = Project((Stage("s", 0.5, 10.0),), (Product("x", Fixed(30.0)),),
                (RiskMember("a", 5.0, outside_option=100.0), RiskMember("b", 50.0)))
    shares = pd.DataFrame({"eq": [0.5, 0.5], "b_all": [0.0, 1.0]}, index=["a", "b"])
    res = least_subsidy_rate(p, shares, draws=1000, seed=0)
    assert res["rate"].isna().all()  # a's outside option is out of reach
    easy = Project(p.stages, p.products, (RiskMember("a"), RiskMember("b")))
    assert least_subsidy_rate(easy, shares, draws=1000, seed=0).loc["eq", "rate"] == 0.0
    with pytest.raises(InvalidInputError, match="adds the cost subsidy itself"):
        least_subsidy_rate(p, shares, levers=[CostSubsidy(0.1)])


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_least_subsidy_rate_is_the_threshold(data):
    """At the returned rate every member accepts; a little less and someone refuses."""
    from sharing_models.risk import certainty_equivalent

    proj = data.draw(risk_projects(defaults=False))
    shares = data.draw(share_tables(proj.member_names, max_rules=2))
    res = least_subsidy_rate(proj, shares, draws=300, seed=2, tol=1e-7)

    def accepts(rate, r):
        sim = simulate(proj, shares, draws=300, seed=2, levers=[CostSubsidy(rate)])
        ce = certainty_equivalent(sim.payoff[:, :, r], sim.risk_tolerance)
        return bool(np.all(ce >= sim.outside_option - 1e-9 * max(1.0, np.abs(ce).max())))

    for r, rule in enumerate(shares.columns):
        rate = res.loc[rule, "rate"]
        if np.isnan(rate):
            assert not accepts(1.0, r)
            continue
        assert accepts(rate, r)
        if rate > 1e-3:
            assert not accepts(rate - 1e-3, r)
