"""Stage dependency graphs: ``Stage.requires``, ``Product.after`` with several stages, the
chain as the default, and agreements' task graphs (``agreements.outcomes.risk``)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agreements
from agreements.outcomes.risk import project_from_agreement, simulate_agreement
from agreements.valuation.game import grand_plan
from sharing_models import InvalidInputError
from sharing_models.risk import (
    CostSubsidy,
    Fixed,
    Lever,
    LeverEffect,
    LogNormal,
    MilestoneAward,
    Product,
    Project,
    RiskMember,
    Stage,
    TechnologyInsurance,
    Triangular,
    simulate,
)
from tests.strategies import risk_dag_projects, risk_projects, share_tables

ROOT = Path(__file__).resolve().parents[1]
CHAIN_PAYOFFS = ROOT / "tests" / "data" / "risk_chain" / "payoffs.json"
FAST = settings(max_examples=25, deadline=None)
ONE = pd.Series({"m": 1.0}, name="all")  # one member takes everything


class _Record(Lever):
    """A lever that changes nothing and keeps every chunk's attempted/success arrays."""

    def __init__(self):
        self.attempted, self.success = [], []

    def apply(self, draws, project):
        self.attempted.append(draws.attempted.copy())
        self.success.append(draws.success.copy())
        return LeverEffect(np.zeros_like(draws.cost), np.zeros_like(draws.revenue))

    def frequencies(self):
        return (np.concatenate(self.attempted).mean(axis=0),
                np.concatenate(self.success).mean(axis=0))


def _within(freq, prob, n, sigmas=5.0):
    """Binomial frequencies within ``sigmas`` standard errors of the exact probabilities."""
    prob = np.asarray(prob, dtype=float)
    band = sigmas * np.sqrt(prob * (1 - prob) / n) + 1e-12
    assert np.all(np.abs(freq - prob) <= band), (freq, prob, band)


# ------------------------------------------------------------------ the graph itself
@pytest.mark.parametrize(("pa", "pb", "pc", "pdd"), [(0.8, 0.6, 0.7, 0.5), (0.5, 0.9, 0.3, 0.95),
                                                    (1.0, 0.4, 0.4, 1.0)])
def test_diamond_frequencies_match_the_exact_probabilities(pa, pb, pc, pdd):
    """a; b and c both require a; d requires b and c (200k draws, 5 standard errors)."""
    p = Project((Stage("a", pa, 1.0), Stage("b", pb, 1.0, requires="a"),
                 Stage("c", pc, 1.0, requires=("a",)), Stage("d", pdd, 1.0, requires=("b", "c"))),
                (Product("x", Fixed(10.0), after=("b", "c")),), (RiskMember("m"),))
    rec = _Record()
    n = 200_000
    sim = simulate(p, ONE, draws=n, seed=11, levers=[rec])
    attempted, success = rec.frequencies()
    _within(attempted, [1.0, pa, pa, pa * pb * pc], n)
    _within(success, [pa, pa * pb, pa * pc, pa * pb * pc * pdd], n)
    _within((sim.revenue > 0).mean(), pa * pb * pc, n)
    # every attempted stage's cost is paid
    np.testing.assert_allclose(sim.cost, np.concatenate(rec.attempted).sum(axis=1))


def test_a_failed_parallel_task_blocks_only_what_needs_it():
    """Task ``dead`` never succeeds: the product after ``live`` still earns; in a chain
    (``live`` after ``dead``) it never would."""
    stages = (Stage("dead", 0.0, 5.0, requires=()), Stage("live", 0.7, 10.0, requires=()),
              Stage("join", 0.9, 1.0, requires=("dead", "live")))
    products = (Product("own", Fixed(50.0), after="live"),
                Product("joint", Fixed(500.0), after=("dead", "live")))
    p = Project(stages, products, (RiskMember("m"),))
    rec = _Record()
    sim = simulate(p, ONE, draws=20_000, seed=3, levers=[rec])
    attempted, _ = rec.frequencies()
    assert attempted[:2].tolist() == [1.0, 1.0] and attempted[2] == 0.0
    assert set(np.unique(sim.revenue)) == {0.0, 50.0}
    _within((sim.revenue > 0).mean(), 0.7, sim.draws)
    np.testing.assert_allclose(sim.cost, 15.0)  # both parallel tasks are always paid for
    chain = Project(tuple(replace(s, requires=None) for s in stages), products,
                    (RiskMember("m"),))
    assert (simulate(chain, ONE, draws=2000, seed=3).revenue == 0).all()


def test_stages_requiring_nothing_start_at_once_and_levers_follow_them():
    """Milestone awards and insurance use the graph's attempted/success."""
    p = Project((Stage("a", 0.5, 10.0, requires=()), Stage("b", 0.5, 10.0, requires=())),
                (Product("x", Fixed(40.0), after=("a", "b")),), (RiskMember("m"),))
    n = 40_000
    award = simulate(p, ONE, draws=n, seed=5, levers=[MilestoneAward({"b": 4.0})])
    _within((award.government > 0).mean(), 0.5, n)  # b is paid for whether a fails or not
    insured = simulate(p, ONE, draws=n, seed=5, levers=[TechnologyInsurance(1.0)])
    # each stage fails with probability 0.5 and is always attempted: 10 back per failure
    assert insured.government.mean() == pytest.approx(10.0, abs=5 * np.sqrt(50.0 / n))


@pytest.mark.parametrize(("pa", "pb", "pc"), [(0.8, 0.6, 0.7), (0.5, 0.2, 0.3), (1.0, 0.4, 0.9)])
def test_or_group_frequencies_match_the_exact_probabilities(pa, pb, pc):
    """d requires a and (b or c), all three independent and in parallel:
    P(d attempted) = pa (1 - (1 - pb)(1 - pc)) (200k draws, 5 standard errors)."""
    p = Project((Stage("a", pa, 1.0, requires=()), Stage("b", pb, 1.0, requires=()),
                 Stage("c", pc, 1.0, requires=()),
                 Stage("d", 0.5, 1.0, requires=("a", ("b", "c")))),
                (Product("x", Fixed(10.0), after="d"),), (RiskMember("m"),))
    assert p.requirements == ((), (), (), (0, (1, 2)))
    rec = _Record()
    n = 200_000
    sim = simulate(p, ONE, draws=n, seed=17, levers=[rec])
    attempted, success = rec.frequencies()
    either = 1 - (1 - pb) * (1 - pc)
    _within(attempted, [1.0, 1.0, 1.0, pa * either], n)
    _within(success, [pa, pb, pc, pa * either * 0.5], n)
    _within((sim.revenue > 0).mean(), pa * either * 0.5, n)
    # draw by draw: d is attempted exactly when a and (b or c) succeeded
    att, suc = np.concatenate(rec.attempted), np.concatenate(rec.success)
    np.testing.assert_array_equal(att[:, 3], suc[:, 0] & (suc[:, 1] | suc[:, 2]))


def test_a_product_after_an_or_group_earns_when_either_stage_succeeds():
    p = Project((Stage("x", 0.5, 1.0, requires=()), Stage("y", 0.4, 1.0, requires=())),
                (Product("either", Fixed(10.0), after=(("x", "y"),)),
                 Product("both", Fixed(100.0), after=("x", "y"))), (RiskMember("m"),))
    assert [p.product_stages(x) for x in p.products] == [((0, 1),), (0, 1)]
    rec = _Record()
    n = 100_000
    sim = simulate(p, ONE, draws=n, seed=8, levers=[rec])
    suc = np.concatenate(rec.success)
    expected = 10.0 * (suc[:, 0] | suc[:, 1]) + 100.0 * (suc[:, 0] & suc[:, 1])
    np.testing.assert_array_equal(sim.revenue, expected)
    _within((sim.revenue > 0).mean(), 1 - 0.5 * 0.6, n)


# ------------------------------------------------------------- the chain is the default
def chain_project(explicit: bool = False) -> Project:
    """Three stage-gates with overruns, defaults, copula correlations and two products;
    ``explicit`` writes the chain as ``requires=(previous,)``."""
    specs = [("lab", 0.8, 10.0, LogNormal(1.1, 0.2), 0.0),
             ("pilot", 0.7, 20.0, Triangular(0.9, 1.0, 1.6), 1.0),
             ("scale", 0.6, 30.0, Fixed(1.0), 2.0)]
    stages = []
    for i, (name, prob, cost, overrun, year) in enumerate(specs):
        kw = {"requires": (specs[i - 1][0],) if i else ()} if explicit else {}
        stages.append(Stage(name, prob, cost, overrun, year=year, **kw))
    return Project(
        tuple(stages),
        (Product("device", LogNormal(150.0, 60.0), year=3.0, delay=Triangular(0.0, 0.0, 2.0),
                 probability=0.8),
         Product("service", Triangular(0.0, 5.0, 20.0), after="pilot", year=2.0)),
        tuple(RiskMember(f"m{i}", 10.0 * (i + 1), default_probability=0.3) for i in range(4)),
        default_clause="pro_rata",
        correlations=(("success:scale", "revenue:device", 0.4),
                      ("overrun:lab", "overrun:pilot", 0.5)),
        discount_rate=0.05,
    )


CHAIN_RULES = pd.DataFrame({"equal": [0.25] * 4, "lead": [0.7, 0.1, 0.1, 0.1]},
                           index=["m0", "m1", "m2", "m3"])


@pytest.mark.parametrize("explicit", [False, True])
def test_chain_matches_the_sequential_kernel(explicit):
    """``tests/data/risk_chain/payoffs.json`` was written by the sequential-chain kernel
    (before ``Stage.requires`` existed) for :func:`chain_project`, draws=40, seed=2024,
    chunk_size=16, with insurance and a milestone award; defaults hit most draws. It was
    bit-identical there; another numpy/BLAS build may order a float sum differently, so
    the last bits may differ (relative 1e-12)."""
    ref = json.loads(CHAIN_PAYOFFS.read_text())
    sim = simulate(chain_project(explicit), CHAIN_RULES, draws=40, seed=2024, chunk_size=16,
                   levers=[TechnologyInsurance(0.5, 1.0), MilestoneAward({"pilot": 5.0})])
    for key in ("payoff", "outcome", "government", "cost", "revenue"):
        np.testing.assert_allclose(getattr(sim, key), np.array(ref[key]), rtol=1e-12,
                                   atol=1e-12, err_msg=key)


@FAST
@given(data=st.data())
def test_explicit_previous_stage_requirements_change_nothing(data):
    project = data.draw(risk_projects())
    names = [s.name for s in project.stages]
    explicit = Project(
        tuple(replace(s, requires=tuple(names[i - 1:i])) for i, s in enumerate(project.stages)),
        project.products, project.members, project.default_clause, project.correlations,
        project.discount_rate)
    assert explicit.requirements == project.requirements
    shares = data.draw(share_tables(project.member_names))
    seed = data.draw(st.integers(0, 99))
    a = simulate(project, shares, draws=300, seed=seed, levers=[TechnologyInsurance(0.5, 1.0)])
    b = simulate(explicit, shares, draws=300, seed=seed, levers=[TechnologyInsurance(0.5, 1.0)])
    np.testing.assert_array_equal(a.payoff, b.payoff)
    np.testing.assert_array_equal(a.government, b.government)


@FAST
@given(data=st.data())
def test_graphs_conserve_value_and_levers_only_move_public_money(data):
    project = data.draw(risk_dag_projects())
    shares = data.draw(share_tables(project.member_names, max_rules=2))
    seed = data.draw(st.integers(0, 99))
    base = simulate(project, shares, draws=300, seed=seed)
    helped = simulate(project, shares, draws=300, seed=seed,
                      levers=[CostSubsidy(0.5), TechnologyInsurance(0.7, 1.0),
                              MilestoneAward({"s0": 3.0})])
    scale = max(1.0, float(np.abs(base.payoff).max()), float(np.abs(helped.payoff).max()))
    for sim in (base, helped):
        np.testing.assert_allclose(sim.payoff.sum(axis=1),
                                   sim.outcome[:, None] * np.ones(len(sim.rules)),
                                   atol=1e-9 * scale)
    np.testing.assert_allclose(helped.outcome - helped.government, base.outcome,
                               atol=1e-9 * scale)


# ------------------------------------------------------------------------- validation
def test_requires_and_after_are_validated_all_at_once():
    with pytest.raises(InvalidInputError) as err:
        Project((Stage("a", 0.5, 1.0, requires=("b",)), Stage("b", 0.5, 1.0),
                 Stage("c", 0.5, 1.0, requires=("a", "zz")), Stage("d", 0.5, 1.0, requires="d")),
                (Product("x", Fixed(1.0), after=("a", "nope")), Product("y", Fixed(1.0), after=())),
                (RiskMember("m"),))
    msg = str(err.value)
    for part in ("stages[0] 'a': requires stage 'b', which must be listed before it",
                 "stages[2] 'c': unknown stage 'zz' in 'requires'",
                 "stages[3] 'd': requires stage 'd', which must be listed before it",
                 "products[0] 'x': unknown stage 'nope' in 'after'",
                 "products[1] 'y': 'after' must name at least one stage"):
        assert part in msg


def test_or_groups_are_validated_all_at_once():
    with pytest.raises(InvalidInputError) as err:
        Project((Stage("a", 0.5, 1.0, requires=()), Stage("b", 0.5, 1.0, requires=[["a", "zz"]]),
                 Stage("c", 0.5, 1.0, requires=("a", ())),
                 Stage("d", 0.5, 1.0, requires=(("a", "e"),)), Stage("e", 0.5, 1.0)),
                (Product("x", Fixed(1.0), after=(("a", "nope"),)),
                 Product("y", Fixed(1.0), after=("a", []))),
                (RiskMember("m"),))
    msg = str(err.value)
    for part in ("stages[1] 'b': unknown stage 'zz' in 'requires'",
                 "stages[2] 'c': empty OR-group in 'requires'",
                 "stages[3] 'd': requires stage 'e', which must be listed before it",
                 "products[0] 'x': unknown stage 'nope' in 'after'",
                 "products[1] 'y': empty OR-group in 'after'"):
        assert part in msg
    assert msg.count("\n  - ") == 5


@pytest.mark.parametrize(("make", "match"), [
    (lambda: Stage("a", 0.5, 1.0, requires=3), "stage 'a': requires must be None, a stage"),
    (lambda: Stage("a", 0.5, 1.0, requires=("b", 2)), "stage 'a': requires must be"),
    (lambda: Product("x", Fixed(1.0), after={"a"}), "product 'x': after must be None"),
    (lambda: Stage("a", 0.5, 1.0, requires=("b", ("c", 2))), "stage 'a': requires must be"),
    (lambda: Stage("a", 0.5, 1.0, requires=(("b", ("c",)),)), "stage 'a': requires must be"),
])
def test_requires_and_after_types(make, match):
    with pytest.raises(InvalidInputError, match=match):
        make()


def test_names_are_normalised():
    assert Stage("a", 0.5, 1.0, requires="b").requires == ("b",)
    assert Stage("a", 0.5, 1.0, requires=["b", "c"]).requires == ("b", "c")
    assert Stage("a", 0.5, 1.0, requires=[]).requires == ()
    assert Stage("a", 0.5, 1.0).requires is None
    assert Product("x", Fixed(1.0), after="a").after == "a"
    assert Product("x", Fixed(1.0), after=["a", "b"]).after == ("a", "b")
    assert Stage("a", 0.5, 1.0, requires=["b", ["c", "d"]]).requires == ("b", ("c", "d"))
    assert Product("x", Fixed(1.0), after=[["a", "b"]]).after == (("a", "b"),)
    p = Project((Stage("a", 0.5, 1.0), Stage("b", 0.5, 1.0), Stage("c", 0.5, 1.0, requires=())),
                (Product("x", Fixed(1.0)), Product("y", Fixed(1.0), after=["b", "a"])),
                (RiskMember("m"),))
    assert p.requirements == ((), (0,), ())
    assert [p.product_stages(x) for x in p.products] == [(2,), (1, 0)]


# ---------------------------------------------------------------- agreements' graphs
def test_baoshan_tasks_run_in_parallel():
    """Automation (12 months, p 0.8) and analysers (18 months, p 0.75) start at once;
    clinical validation (9 months) needs both results; the licence needs automation only."""
    a = agreements.load(ROOT / "scenarios" / "baoshan_medical_devices.yaml")
    p = project_from_agreement(a)
    assert [(s.name, s.requires, s.year) for s in p.stages] == [
        ("t_automation", (), 0.0), ("t_analysers", (), 0.0),
        ("t_clinical", ("t_automation", "t_analysers"), 1.5)]
    assert [(x.name, x.after, x.year) for x in p.products] == [
        ("p_smart_lab", ("t_clinical",), 2.25), ("p_software_licence", ("t_automation",), 1.0)]
    n = 40_000
    sim = simulate_agreement(a, draws=n, seed=2, methods=["equal"], discount_rate=0.0,
                             default_probability=0.0)
    # the contributions the plan uses, up front; both parallel tasks are always paid for;
    # clinical validation when both succeed
    upfront = float(grand_plan(a).upfront_cost)
    expected_cost = upfront + 1.5e7 + 2.0e7 + 0.8 * 0.75 * 8.0e6
    assert sim.cost.mean() == pytest.approx(expected_cost, abs=5 * 8.0e6 * np.sqrt(0.24 / n))


def _agreement(tasks, product_needs):
    return agreements.Agreement.from_mapping({
        "format": 1, "id": "g", "name": {"en": "G"},
        "members": [{"id": "a", "name": {"en": "A"}, "kind": "enterprise"},
                    {"id": "b", "name": {"en": "B"}, "kind": "university"}],
        "contributions": [{"id": "c_a", "member": "a", "kind": "cash", "valuation": 1},
                          {"id": "c_b", "member": "b", "kind": "staff", "valuation": 1}],
        "tasks": tasks,
        "results": [{"id": r} for t in tasks for r in t["produces"]],
        "products": [{"id": f"p{i}", "needs": needs, "revenue": {"expected": 10}, "years": 1}
                     for i, needs in enumerate(product_needs)],
    })


def test_any_of_groups_of_results_are_or_groups_and_contributions_need_none():
    """An any_of group of task results is an OR-group of the tasks producing them (the
    task starts, the product launches, when the earliest of them ends); a group a
    contribution can satisfy needs no task."""
    tasks = [
        {"id": "t0", "produces": ["r0"], "duration_months": 12},
        {"id": "t1", "produces": ["r1"], "duration_months": 6},
        {"id": "t2", "needs": {"any_of": [["r0", "r1"]]}, "produces": ["r2"],
         "duration_months": 3},
        {"id": "t3", "needs": {"any_of": [["r0", "c_b"]]}, "produces": ["r3"]},
    ]
    p = project_from_agreement(_agreement(tasks, [
        {"all_of": ["r2"]}, {"any_of": [["r1", "c_a"]]}, {"any_of": [["r3", "r1"]]}]))
    assert [(s.name, s.requires, s.year) for s in p.stages] == [
        ("start", None, 0.0), ("t0", (), 0.0), ("t1", (), 0.0), ("t2", (("t0", "t1"),), 0.5),
        ("t3", (), 0.0)]
    assert [(x.after, x.year) for x in p.products] == [
        (("t2",), 0.75), (("start",), 0.0), ((("t1", "t3"),), 0.0)]


def test_any_of_of_two_parallel_tasks_is_one_or_group_starting_at_the_earliest_end():
    """t1 (12 months) and t2 (6 months) run in parallel; t3 needs r1 or r2 and c_a: it
    requires (("t1", "t2"),) and starts when t2 ends; it is attempted when either
    succeeds (simulated), and so is the product after it."""
    tasks = [
        {"id": "t1", "produces": ["r1"], "duration_months": 12, "success_probability": 0.6},
        {"id": "t2", "produces": ["r2"], "duration_months": 6, "success_probability": 0.3},
        {"id": "t3", "needs": {"all_of": ["c_a"], "any_of": [["r1", "r2"]]},
         "produces": ["r3"], "duration_months": 3},
    ]
    a = _agreement(tasks, [{"all_of": ["r3"]}, {"any_of": [["r2", "r1"]]}])
    p = project_from_agreement(a)
    assert [(s.name, s.requires, s.year) for s in p.stages] == [
        ("t1", (), 0.0), ("t2", (), 0.0), ("t3", (("t1", "t2"),), 0.5)]
    assert [(x.after, x.year) for x in p.products] == [
        (("t3",), 0.75), ((("t1", "t2"),), 0.5)]
    rec = _Record()
    n = 40_000
    simulate(project_from_agreement(a, default_probability=0.0),  # every task
             pd.DataFrame({"equal": [0.5, 0.5]}, index=["a", "b"]), draws=n, seed=4,
             levers=[rec])
    attempted, _ = rec.frequencies()
    _within(attempted, [1.0, 1.0, 1 - 0.4 * 0.7], n)


def test_a_result_has_one_producing_task():
    """So an any_of group of results maps to one task per result."""
    tasks = [{"id": "t1", "produces": ["r1"]}, {"id": "t2", "produces": ["r1"]}]
    with pytest.raises(agreements.AgreementError, match="already produced by task 't1'"):
        _agreement(tasks, [{"all_of": ["r1"]}])
