"""Risk metrics against closed forms, and the Borch (1962) optimal risk-sharing rule."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sharing_models import InvalidInputError, SuspiciousResultWarning
from sharing_models.risk import (
    Fixed,
    Normal,
    Product,
    Project,
    RiskMember,
    Stage,
    borch_rule,
    borch_shares,
    certainty_equivalent,
    cvar,
    distance_from_borch,
    risk_summary,
    simulate,
    value_at_risk,
)

FAST = settings(max_examples=30, deadline=None)
MU, SIGMA, RHO = 10.0, 4.0, 8.0


@pytest.fixture(scope="module")
def normal_sim():
    p = Project((Stage("s", 1.0, 0.0),), (Product("x", Normal(MU, SIGMA)),),
                (RiskMember("a", RHO), RiskMember("b", 3 * RHO, outside_option=1.0)))
    rules = pd.DataFrame({"a_all": [1.0, 0.0], "half": [0.5, 0.5]}, index=["a", "b"])
    return simulate(p, rules, draws=400_000, seed=11)


def test_metrics_of_a_normal_payoff_match_closed_forms(normal_sim):
    """Normal Y ~ N(mu, s^2): VaR = s z_a - mu, CVaR = s phi(z_a)/(1-a) - mu,
    CE = mu - s^2/(2 rho) (e.g. McNeil, Frey & Embrechts 2015, ex. 2.14 and 2.18)."""
    summary = risk_summary(normal_sim, levels=(0.95, 0.99))
    row = summary.loc[("a_all", "a")]
    for level in (0.95, 0.99):
        z = stats.norm.ppf(level)
        assert row[f"VaR_{level:g}"] == pytest.approx(SIGMA * z - MU, abs=0.06)
        assert row[f"CVaR_{level:g}"] == pytest.approx(
            SIGMA * stats.norm.pdf(z) / (1 - level) - MU, abs=0.08)
    assert row["expected"] == pytest.approx(MU, abs=0.03)
    assert row["std"] == pytest.approx(SIGMA, rel=0.01)
    assert row["prob_loss"] == pytest.approx(stats.norm.cdf(-MU / SIGMA), abs=0.002)
    assert row["certainty_equivalent"] == pytest.approx(MU - SIGMA**2 / (2 * RHO), abs=0.05)
    assert summary.loc[("a_all", "b"), "certainty_equivalent"] == 0.0
    assert summary.loc[("half", "b"), "ce_surplus"] == pytest.approx(
        MU / 2 - (SIGMA / 2) ** 2 / (6 * RHO) - 1.0, abs=0.05)
    assert list(summary.index.names) == ["rule", "member"]
    assert list(summary.index) == [("a_all", "a"), ("a_all", "b"), ("half", "a"), ("half", "b")]


@FAST
@given(y=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=60),
       c=st.floats(-100, 100), rho=st.floats(0.5, 1e4), level=st.floats(0.5, 0.99))
def test_metric_axioms(y, c, rho, level):
    """CE <= mean (Jensen), CE(Y + c) = CE(Y) + c, VaR <= CVaR, VaR(Y + c) = VaR(Y) - c."""
    arr = np.asarray(y)
    ce = float(certainty_equivalent(arr, rho))
    assert ce <= arr.mean() + 1e-9 * (1 + abs(arr).max())
    assert float(certainty_equivalent(arr + c, rho)) == pytest.approx(ce + c, abs=1e-7)
    assert float(value_at_risk(arr, level)) <= float(cvar(arr, level)) + 1e-9
    assert float(value_at_risk(arr + c, level)) == pytest.approx(
        float(value_at_risk(arr, level)) - c, abs=1e-9)


def test_certainty_equivalent_edge_cases():
    assert float(certainty_equivalent(np.array([1.0, 3.0]), np.inf)) == 2.0
    # huge losses do not overflow: log-sum-exp
    assert float(certainty_equivalent(np.array([-1e5, 0.0]), 1.0)) == pytest.approx(
        -1e5 + np.log(2), rel=1e-12)
    with pytest.raises(InvalidInputError, match="risk tolerance"):
        certainty_equivalent(np.array([1.0]), 0.0)
    with pytest.raises(InvalidInputError, match="level"):
        value_at_risk(np.array([1.0]), 1.0)
    with pytest.raises(InvalidInputError, match="Simulation"):
        risk_summary(pd.DataFrame())


@FAST
@given(rho=st.lists(st.floats(0.1, 1e3), min_size=1, max_size=8))
def test_borch_shares_proportional_to_risk_tolerance(rho):
    s = borch_shares(pd.Series(rho, index=[f"m{i}" for i in range(len(rho))]))
    assert s.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(s.to_numpy() * sum(rho), rho, rtol=1e-12)
    assert s.name == "borch_share"


def test_borch_syndicate_ce_of_a_normal(normal_sim):
    """CE_R of N(mu, s^2) for R = rho_a + rho_b is mu - s^2 / (2R) (Borch 1962, Wilson 1968)."""
    rule = borch_rule(normal_sim)
    assert rule.shares.tolist() == pytest.approx([0.25, 0.75])
    assert rule.syndicate_ce == pytest.approx(MU - SIGMA**2 / (2 * 4 * RHO), abs=0.05)
    assert rule.feasible
    frame = rule.to_frame()
    assert list(frame.columns) == ["share", "side_payment", "lower", "upper",
                                   "certainty_equivalent"]
    assert frame["side_payment"].sum() == pytest.approx(0.0, abs=1e-9)
    # Nash split over CEs with disagreement (0, 1): equal surplus
    surplus = frame["certainty_equivalent"] - pd.Series({"a": 0.0, "b": 1.0})
    assert surplus["a"] == pytest.approx(surplus["b"])


def _random_project(data):
    rho = data.draw(st.lists(st.sampled_from([1.0, 5.0, 20.0, 100.0]), min_size=2, max_size=4))
    outside = data.draw(st.lists(st.floats(-3.0, 2.0), min_size=len(rho), max_size=len(rho)))
    return Project((Stage("s", data.draw(st.sampled_from([0.5, 0.9])), 10.0),),
                   (Product("x", Normal(40.0, 15.0)),),
                   tuple(RiskMember(f"m{i}", r, d) for i, (r, d) in enumerate(
                       zip(rho, outside, strict=True))))


@FAST
@given(data=st.data())
def test_every_member_accepts_inside_the_acceptance_range(data):
    project = _random_project(data)
    names = list(project.member_names)
    seed = data.draw(st.integers(0, 50))
    base = simulate(project, pd.Series(1 / len(names), index=names, name="eq"),
                    draws=3000, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousResultWarning)
        rule = borch_rule(base)
    if not rule.feasible:
        return
    lower = rule.acceptance["lower"].to_numpy()
    slack = -lower.sum()
    t = np.asarray(data.draw(st.lists(st.floats(0.0, 1.0), min_size=len(names),
                                      max_size=len(names))))
    t = t / t.sum() if t.sum() > 0 else np.full(len(names), 1 / len(names))
    b = lower + slack * t  # a point of {b >= L, sum b = 0}
    assert np.all(b <= rule.acceptance["upper"].to_numpy() + 1e-9)
    shares = rule.shares.rename("borch")
    # a linear rule on the net outcome: the same share of revenue and of costs
    moved = simulate(project, shares, shares, draws=3000, seed=seed,  # the draws of ``base``
                     transfers=pd.DataFrame({"borch": b}, index=names))
    np.testing.assert_array_equal(moved.outcome, base.outcome)
    ce = certainty_equivalent(moved.payoff[:, :, 0], moved.risk_tolerance)
    np.testing.assert_allclose(ce, rule.shares.to_numpy() * rule.syndicate_ce + b, atol=1e-7)
    assert np.all(ce >= moved.outside_option - 1e-7)
    # just below a lower bound, that member refuses
    i = int(np.argmax(t))
    b2 = b.copy()
    b2[i] = lower[i] - 0.01
    assert rule.shares.to_numpy()[i] * rule.syndicate_ce + b2[i] < moved.outside_option[i]


def test_borch_rule_is_pareto_optimal_on_the_sample():
    """No other sharing of the same draws has a larger total certainty equivalent."""
    p = Project((Stage("s", 0.6, 20.0),), (Product("x", Normal(60.0, 25.0)),),
                tuple(RiskMember(f"m{i}", r) for i, r in enumerate((2.0, 10.0, 40.0))))
    names = list(p.member_names)
    a = borch_shares(pd.Series([2.0, 10.0, 40.0], index=names))
    rng = np.random.default_rng(0)
    rules = pd.DataFrame({"borch": a, "equal": 1 / 3,
                          **{f"rand{j}": rng.dirichlet(np.ones(3)) for j in range(5)}},
                         index=names)
    dist = distance_from_borch(simulate(p, rules, a, draws=20_000, seed=3))
    assert dist.loc["borch", "ce_loss"] == pytest.approx(0.0, abs=1e-8)
    assert dist.loc["borch", "share_distance"] == pytest.approx(0.0, abs=1e-12)
    assert (dist.drop(index="borch")["ce_loss"] > 0).all()
    assert dist.loc["equal", "share_distance"] == pytest.approx(
        0.5 * np.abs(a.to_numpy() - 1 / 3).sum())


def test_infeasible_borch_rule_warns():
    p = Project((Stage("s", 0.5, 10.0),), (Product("x", Fixed(20.0)),),
                (RiskMember("a", 5.0, 3.0), RiskMember("b", 5.0, 3.0)))
    sim = simulate(p, pd.Series({"a": 0.5, "b": 0.5}, name="eq"), draws=2000, seed=0)
    with pytest.warns(SuspiciousResultWarning, match="no side payments"):
        rule = borch_rule(sim)
    assert not rule.feasible
    assert rule.side_payments.sum() == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(InvalidInputError, match="positive"):
        borch_shares(pd.Series({"a": 0.0}))
    with pytest.raises(InvalidInputError, match="Simulation"):
        borch_rule(sim.payoff)


def test_risk_neutral_members_take_all_the_risk():
    s = borch_shares(pd.Series({"a": 1.0, "b": np.inf, "c": np.inf}))
    assert s.tolist() == [0.0, 0.5, 0.5]


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_no_sharing_rule_beats_borch_in_total_certainty_equivalent(data):
    """Borch (1962) / Wilson (1968): with exponential utilities the Pareto-optimal
    sharings maximise the sum of certainty equivalents, so any rule's CE loss is >= 0
    (on any sample, defaults and levers included)."""
    from tests.strategies import risk_projects, share_tables

    project = data.draw(risk_projects())
    shares = data.draw(share_tables(project.member_names))
    sim = simulate(project, shares, draws=500, seed=data.draw(st.integers(0, 20)))
    loss = distance_from_borch(sim)["ce_loss"]
    scale = max(1.0, float(np.abs(sim.payoff).max()))
    assert (loss >= -1e-9 * scale).all()


def test_standard_errors_match_the_spread_over_seeds():
    """The ``_se`` columns are what they claim: over many seeds the estimates scatter by
    about their reported standard error (mean, loss probability, and the CE by the delta
    method)."""
    from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage, simulate

    p = Project((Stage("s", 0.6, 10.0),), (Product("x", Fixed(30.0)),),
                (RiskMember("a", 8.0), RiskMember("b")))
    shares = pd.Series({"a": 0.5, "b": 0.5}, name="half")
    rows = [risk_summary(simulate(p, shares, draws=400, seed=s)).loc[("half", "a")]
            for s in range(60)]
    table = pd.DataFrame(rows)
    for col in ("expected", "prob_loss", "certainty_equivalent"):
        spread, claimed = table[col].std(), table[f"{col}_se"].mean()
        assert 0.7 < spread / claimed < 1.4, (col, spread, claimed)


def test_summary_ce_is_certainty_equivalent_and_its_error_the_influence_spread():
    """The one-pass CE of ``risk_summary`` equals :func:`certainty_equivalent`, and its
    standard error that of :func:`ce_influence` (the public definition)."""
    from sharing_models.risk.metrics import ce_influence, member_metrics

    rng = np.random.default_rng(3)
    y = rng.normal(0.0, 5.0, size=(3000, 3)) + np.array([0.0, 50.0, -1e6])
    rho = np.array([2.0, np.inf, 1e3])
    m = member_metrics(y, rho, (0.95,), 1e-9)
    np.testing.assert_allclose(m["certainty_equivalent"], certainty_equivalent(y, rho))
    np.testing.assert_allclose(m["certainty_equivalent_se"],
                               ce_influence(y, rho).std(axis=0, ddof=1) / np.sqrt(3000))
    assert m["certainty_equivalent_se"][1] == pytest.approx(m["expected_se"][1])
