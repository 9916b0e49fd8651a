"""Monte Carlo engine: reproducibility, conservation of value, the copula, default clauses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sharing_models import InvalidInputError
from sharing_models.risk import (
    CostSubsidy,
    Empirical,
    Fixed,
    Lever,
    LeverEffect,
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
    simulate,
)
from tests.strategies import risk_projects, share_tables

FAST = settings(max_examples=25, deadline=None)


def two_stage(clause: str = "forfeit", default: float = 0.2) -> Project:
    return Project(
        stages=(Stage("lab", 0.8, 10.0, LogNormal(1.1, 0.2)),
                Stage("pilot", 0.6, 30.0, Triangular(0.9, 1.0, 1.6), year=1.0)),
        products=(Product("device", LogNormal(120.0, 60.0), year=3.0,
                          delay=Triangular(0.0, 0.0, 2.0)),
                  Product("service", Empirical((0.0, 5.0, 20.0)), after="lab", year=1.0)),
        members=tuple(RiskMember(f"m{i}", 10.0 * (i + 1), default_probability=default)
                      for i in range(4)),
        default_clause=clause,
        correlations=(("success:pilot", "revenue:device", 0.4),),
        discount_rate=0.05,
    )


RULES = pd.DataFrame({"equal": [0.25] * 4, "lead": [0.7, 0.1, 0.1, 0.1]},
                     index=["m0", "m1", "m2", "m3"])


def test_same_seed_identical_different_seed_different():
    a = simulate(two_stage(), RULES, draws=5000, seed=7)
    b = simulate(two_stage(), RULES, draws=5000, seed=7)
    c = simulate(two_stage(), RULES, draws=5000, seed=8)
    np.testing.assert_array_equal(a.payoff, b.payoff)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    assert not np.array_equal(a.payoff, c.payoff)


def test_result_does_not_depend_on_chunk_size():
    a = simulate(two_stage(), RULES, draws=3001, seed=3, chunk_size=3001)
    b = simulate(two_stage(), RULES, draws=3001, seed=3, chunk_size=128)
    np.testing.assert_array_equal(a.payoff, b.payoff)
    np.testing.assert_array_equal(a.government, b.government)


@FAST
@given(data=st.data())
def test_members_payoffs_sum_to_consortium_outcome_in_every_draw(data):
    project = data.draw(risk_projects())
    shares = data.draw(share_tables(project.member_names))
    levers = data.draw(st.sampled_from([[], [CostSubsidy(0.4)], [TechnologyInsurance(0.5, 2.0)],
                                        [MilestoneAward({"s0": 7.0})]]))
    if project.products and data.draw(st.booleans()):
        levers = [*levers, ProcurementGuarantee(30.0)]
    costs = None
    if data.draw(st.booleans()):  # each rule splits costs its own way
        costs = data.draw(share_tables(project.member_names, max_rules=1))
        costs = pd.DataFrame({r: costs.iloc[:, 0] for r in shares.columns})
        costs.iloc[:, 0] = shares.iloc[:, 0]
    sim = simulate(project, shares, costs, draws=400, seed=data.draw(st.integers(0, 99)),
                   levers=levers)
    scale = max(1.0, float(np.abs(sim.payoff).max()))
    np.testing.assert_allclose(sim.payoff.sum(axis=1), sim.outcome[:, None] * np.ones(
        len(sim.rules)), atol=1e-9 * scale)
    np.testing.assert_allclose(sim.outcome, sim.revenue - sim.cost, atol=1e-9 * scale)


@FAST
@given(data=st.data())
def test_levers_only_move_public_money(data):
    """Outcome with a lever minus the government's cost = outcome without it (same draws)."""
    project = data.draw(risk_projects())
    shares = data.draw(share_tables(project.member_names, max_rules=1))
    lever = [CostSubsidy(0.5), TechnologyInsurance(0.7, 1.0), MilestoneAward({"s0": 3.0}),
             ProcurementGuarantee(50.0)]
    if not project.products:
        lever = lever[:3]
    base = simulate(project, shares, draws=300, seed=1)
    with_lever = simulate(project, shares, draws=300, seed=1, levers=lever)
    np.testing.assert_allclose(with_lever.outcome - with_lever.government, base.outcome,
                               atol=1e-9 * max(1.0, float(np.abs(base.outcome).max())))


def test_stage_gating_frequencies():
    """Device reached with probability 0.8 * 0.6; service with 0.8 (binomial 5-sigma band)."""
    p = Project((Stage("a", 0.8, 1.0), Stage("b", 0.6, 1.0)),
                (Product("late", Fixed(100.0)), Product("early", Fixed(1.0), after="a")),
                (RiskMember("m"),))
    sim = simulate(p, pd.Series({"m": 1.0}, name="all"), draws=40_000, seed=0)
    n = sim.draws
    for value, prob in ((101.0, 0.48), (1.0, 0.32), (0.0, 0.2)):
        freq = np.isclose(sim.revenue, value).mean()
        assert abs(freq - prob) < 5 * np.sqrt(prob * (1 - prob) / n)
    # costs: stage b attempted only after a succeeds
    assert np.isclose(sim.cost.mean(), 1.0 + 0.8, atol=0.02)


@pytest.mark.parametrize(("law", "mean", "sd"), [
    (LogNormal(50.0, 20.0), 50.0, 20.0),
    (Triangular(0.0, 3.0, 9.0), 4.0, np.sqrt((0 + 9 + 81 - 0 - 0 - 27) / 18)),
    (Normal(-2.0, 3.0), -2.0, 3.0),
    (Empirical((1.0, 2.0, 6.0)), 3.0, np.std([1.0, 2.0, 6.0])),
])
def test_marginals_have_their_moments(law, mean, sd):
    """Triangular variance (a^2+b^2+c^2-ab-ac-bc)/18; lognormal given by its own moments."""
    p = Project((Stage("s", 1.0, 0.0),), (Product("x", law),), (RiskMember("m"),))
    rev = simulate(p, pd.Series({"m": 1.0}, name="r"), draws=200_000, seed=2).revenue
    assert rev.mean() == pytest.approx(mean, abs=5 * sd / np.sqrt(rev.size))
    assert rev.std() == pytest.approx(sd, rel=0.02)


def test_gaussian_copula_correlates_revenues():
    p = Project((Stage("s", 1.0, 0.0),),
                (Product("x", Normal(0.0, 1.0)), Product("y", Normal(0.0, 2.0))),
                (RiskMember("m"), RiskMember("n")),
                correlations=(("revenue:x", "revenue:y", 0.7),))
    rules = pd.DataFrame({"x_only": [1.0, 0.0]}, index=["m", "n"])
    sim = simulate(p, rules, draws=50_000, seed=4)
    # total revenue x + y has variance 1 + 4 + 2 * 0.7 * 2
    assert sim.revenue.var() == pytest.approx(1 + 4 + 2.8, rel=0.03)


def test_correlated_success_and_revenue():
    """Positive correlation: revenue is higher in draws where the stage succeeds."""
    p = Project((Stage("s", 0.5, 0.0), Stage("t", 1.0, 0.0)),
                (Product("early", Normal(10.0, 3.0), after="s"),),
                (RiskMember("m"),), correlations=(("success:s", "revenue:early", 0.8),))
    sim = simulate(p, pd.Series({"m": 1.0}, name="r"), draws=20_000, seed=5)
    reached = sim.revenue[sim.revenue != 0]
    assert reached.mean() > 10.0 + 3.0 * 0.8 * stats.norm.pdf(0) / 0.5 * 0.9


def test_default_clauses_on_a_sure_default():
    """m0 always defaults at the only stage: pays nothing; forfeit/pro-rata give it 0."""
    def proj(clause):
        return Project((Stage("s", 1.0, 10.0),), (Product("x", Fixed(50.0)),),
                       (RiskMember("m0", default_probability=1.0), RiskMember("m1")),
                       default_clause=clause)
    rules = pd.DataFrame({"half": [0.5, 0.5]}, index=["m0", "m1"])
    for clause, expect in (("forfeit", (0.0, 40.0)), ("pro_rata", (0.0, 40.0)),
                           ("keep", (25.0, 15.0))):
        y = simulate(proj(clause), rules, draws=50, seed=0).payoffs("half")
        np.testing.assert_allclose(y["m0"], expect[0])
        np.testing.assert_allclose(y["m1"], expect[1])


def test_pro_rata_keeps_the_share_of_costs_paid():
    """Default at stage 2 of costs (10, 30): the defaulter paid 10/40 of the project."""
    p = Project((Stage("a", 1.0, 10.0), Stage("b", 1.0, 30.0)), (Product("x", Fixed(100.0)),),
                (RiskMember("d", default_probability=1.0), RiskMember("k")),
                default_clause="pro_rata")
    rules = pd.DataFrame({"half": [0.5, 0.5]}, index=["d", "k"])
    y = simulate(p, rules, draws=2000, seed=1).payoffs("half")["d"]
    # default at stage a: paid nothing, gets nothing; at stage b: paid 5, keeps
    # 0.5 * 0.25 of the revenue weight -> share 0.125 / (0.125 + 0.5) = 0.2 of 100.
    assert set(np.round(y.unique(), 9)) == {0.0, 20.0 - 5.0}
    assert abs((y == 0).mean() - 0.5) < 0.05


def test_tidy_frame_and_parquet_stream(tmp_path):
    path = tmp_path / "draws.parquet"
    sim = simulate(two_stage(), RULES, draws=1000, seed=9, out=path, chunk_size=300)
    tidy = sim.to_frame()
    assert list(tidy.columns) == ["draw", "member", "rule", "payoff", "outcome"]
    assert len(tidy) == 1000 * 4 * 2
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, tidy, check_categorical=False)
    total = tidy.groupby(["draw", "rule"], observed=True)["payoff"].sum()
    np.testing.assert_allclose(total.to_numpy(), np.repeat(sim.outcome, 2))
    again = tmp_path / "again.parquet"
    sim.to_parquet(again, chunk_size=333)
    pd.testing.assert_frame_equal(pd.read_parquet(again), back)
    assert simulate(two_stage(), RULES, draws=1000, seed=9, out=tmp_path / "k.parquet",
                    keep=False) is None
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "k.parquet"), back)


class _Interrupt(Lever):
    def __init__(self):
        self.calls = 0

    def apply(self, draws, project):
        self.calls += 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return LeverEffect(np.zeros_like(draws.cost), np.zeros_like(draws.revenue))


def test_keyboard_interrupt_leaves_no_parquet_file(tmp_path):
    path = tmp_path / "partial.parquet"
    with pytest.raises(KeyboardInterrupt):
        simulate(two_stage(), RULES, draws=1000, seed=0, chunk_size=100, out=path,
                 levers=[_Interrupt()])
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary file
    simulate(two_stage(), RULES, draws=1000, seed=0, chunk_size=100, out=path)
    assert pd.read_parquet(path)["draw"].max() == 999
    assert [p.name for p in tmp_path.iterdir()] == ["partial.parquet"]


def test_project_reports_every_problem_at_once():
    with pytest.raises(InvalidInputError) as err:
        Project((Stage("s", 1.5, -1.0), Stage("s", 0.5, 1.0)),
                (Product("x", Fixed(1.0), after="nope"),),
                (RiskMember("a", risk_tolerance=0.0),), default_clause="maybe")
    msg = str(err.value)
    for part in ("probability must be in [0, 1]", "cost must be", "stage names must be unique",
                 "unknown stage 'nope'", "risk_tolerance must be > 0", "default_clause"):
        assert part in msg


@pytest.mark.parametrize(("correlations", "match"), [
    ((("success:a", "revenue:zzz", 0.5),), "unknown or non-random variable 'revenue:zzz'"),
    ((("revenue:x", "revenue:y", 0.9), ("revenue:x", "revenue:z", 0.9),
      ("revenue:y", "revenue:z", -0.9)), "positive semi-definite"),
])
def test_bad_correlations(correlations, match):
    with pytest.raises(InvalidInputError, match=match):
        Project((Stage("a", 0.5, 1.0),),
                tuple(Product(n, Normal(1.0, 1.0)) for n in "xyz"), (RiskMember("m"),),
                correlations=correlations)


@pytest.mark.parametrize(("shares", "kwargs", "match"), [
    (pd.DataFrame({"r": [0.5, 0.6, 0.0, 0.0]}, index=RULES.index), {}, "sum to 1"),
    (pd.DataFrame({"r": [1.5, -0.5, 0.0, 0.0]}, index=RULES.index), {}, "non-negative"),
    (pd.DataFrame({"r": [0.5, 0.5]}, index=["m0", "zz"]), {}, "one row per member"),
    ([0.25] * 4, {}, "must be a DataFrame"),
    (RULES, {"draws": 0}, "draws must be a positive integer"),
    (RULES, {"keep": False}, "needs an 'out' Parquet path"),
    (RULES, {"cost_shares": {"m0": 1.0, "m1": 1.0, "m2": 0, "m3": 0}}, "cost_shares must sum"),
    (RULES, {"cost_shares": RULES[["equal"]]}, "one column per rule"),
    (RULES, {"transfers": pd.DataFrame({"equal": [1.0, 0, 0, 0], "lead": [0.0] * 4},
                                       index=RULES.index)}, "transfers must sum to 0"),
    (RULES, {"levers": [MilestoneAward({"nope": 1.0})]}, "unknown stage"),
    (RULES, {"levers": ["subsidy"]}, "Lever objects"),
])
def test_bad_simulation_inputs(shares, kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        simulate(two_stage(), shares, **{"draws": 10, **kwargs})


def test_transfers_are_added_per_rule():
    b = pd.DataFrame({"equal": [3.0, -1.0, -1.0, -1.0], "lead": [0.0] * 4}, index=RULES.index)
    base = simulate(two_stage(), RULES, draws=500, seed=2)
    moved = simulate(two_stage(), RULES, draws=500, seed=2, transfers=b)
    np.testing.assert_allclose(moved.payoff - base.payoff,
                               np.broadcast_to(b.to_numpy(), base.payoff.shape))


def test_market_success_probability_of_a_product():
    p = Project((Stage("s", 1.0, 0.0),), (Product("x", Fixed(10.0), probability=0.3),
                                          Product("never", Fixed(5.0), probability=0.0)),
                (RiskMember("m"),))
    rev = simulate(p, pd.Series({"m": 1.0}, name="r"), draws=20_000, seed=0).revenue
    assert set(np.unique(rev)) == {0.0, 10.0}
    assert (rev > 0).mean() == pytest.approx(0.3, abs=5 * np.sqrt(0.21 / 20_000))


def test_numeric_default_clause_forfeits_a_share():
    """Forfeit 40%: the defaulter keeps 0.6 of its share weight, 0.3 / (0.3 + 0.5)."""
    p = Project((Stage("s", 1.0, 0.0),), (Product("x", Fixed(80.0)),),
                (RiskMember("d", default_probability=1.0), RiskMember("k")),
                default_clause=0.4)
    y = simulate(p, pd.DataFrame({"half": [0.5, 0.5]}, index=["d", "k"]), draws=10,
                 seed=0).payoffs("half")
    np.testing.assert_allclose(y["d"], 80.0 * 0.3 / 0.8)
    with pytest.raises(InvalidInputError, match="share of its income a defaulter forfeits"):
        Project(p.stages, p.products, p.members, default_clause=1.5)


def test_members_with_zero_cost_share_cover_a_defaulter_equally():
    """If the only payer defaults, the remaining members split its stage costs equally."""
    p = Project((Stage("a", 1.0, 10.0), Stage("b", 1.0, 20.0)), (Product("x", Fixed(60.0)),),
                (RiskMember("payer", default_probability=1.0), RiskMember("u"),
                 RiskMember("v")), default_clause="forfeit")
    rules = pd.DataFrame({"r": [0.2, 0.4, 0.4]}, index=["payer", "u", "v"])
    sim = simulate(p, rules, {"payer": 1.0, "u": 0.0, "v": 0.0}, draws=400, seed=0)
    np.testing.assert_allclose(sim.payoff.sum(axis=1)[:, 0], sim.outcome)
    y = sim.payoffs("r")
    at_a = y["payer"] == 0.0  # defaulted at the first stage: paid nothing
    np.testing.assert_allclose(y.loc[at_a, "u"], 30.0 - 15.0)
    np.testing.assert_allclose(y.loc[~at_a, "payer"], -10.0)
    np.testing.assert_allclose(y.loc[~at_a, "u"], 30.0 - 10.0)


def test_the_same_seed_sequence_gives_the_same_draws_twice():
    ss = np.random.SeedSequence(123)
    a = simulate(two_stage(), RULES, draws=200, seed=ss)
    b = simulate(two_stage(), RULES, draws=200, seed=ss)
    np.testing.assert_array_equal(a.payoff, b.payoff)
    assert ss.n_children_spawned == 0


def test_each_rule_can_split_costs_its_own_way():
    costs = pd.DataFrame({"equal": [0.25] * 4, "lead": [1.0, 0.0, 0.0, 0.0]},
                         index=RULES.index)
    p = two_stage(default=0.0)
    sim = simulate(p, RULES, costs, draws=500, seed=3)
    base = simulate(p, RULES, draws=500, seed=3)
    np.testing.assert_allclose(sim.payoff[:, :, 0], base.payoff[:, :, 0])
    lead = sim.payoffs("lead")
    np.testing.assert_allclose(lead["m1"], 0.1 * sim.revenue)
    np.testing.assert_allclose(lead["m0"], 0.7 * sim.revenue - sim.cost)


def test_pro_rata_with_a_subnormal_share_of_costs_paid_stays_finite():
    """A defaulter that paid only a subnormal fraction of the costs keeps a subnormal
    share weight: dividing revenue by it overflowed to inf/NaN payoffs (hypothesis case
    of test_a_subsidy_paying_everything_removes_every_loss)."""
    p = Project((Stage("s0", 0.3, 0.0), Stage("s1", 0.3, 2.225073858507e-311, year=1.0),
                 Stage("s2", 0.3, 1.0, year=2.0)),
                (Product("x0", Fixed(40.0), after="s0", year=3.0),),
                tuple(RiskMember(f"m{i}", 2.0, 0.0, 0.2 * (i == 3)) for i in range(4)),
                default_clause="pro_rata")
    rules = pd.DataFrame({"r0": [0.0, 0.0, 0.0, 1.0]}, index=[f"m{i}" for i in range(4)])
    sim = simulate(p, rules, draws=500, seed=0, levers=[CostSubsidy(1.0)])
    assert np.isfinite(sim.payoff).all() and (sim.payoff >= 0).all()
    np.testing.assert_allclose(sim.payoff.sum(axis=1)[:, 0], sim.outcome)
