"""The expected-value game and the simulation use one definition of risk: under risk
neutrality (and no defaults) every member's mean simulated payoff is its share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import agreements
from agreements.outcomes.risk import risk_case, simulate_agreement
from agreements.sharing import allocate
from agreements.valuation.game import grand_plan
from tests.scenario_files import small

SCENARIOS = small(sorted(Path(__file__).resolve().parents[1].glob("scenarios/*.yaml")))
DRAWS = 200_000


def test_every_bundled_scenario_is_checked() -> None:
    assert len(SCENARIOS) >= 11


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_mean_risk_neutral_payoff_is_the_deterministic_share(path: Path) -> None:
    a = agreements.load(path)
    rules = ["shapley", "proportional", "equal", *(["fixed"] if a.sharing.fixed_shares
                                                   else [])]
    sim = simulate_agreement(a, draws=DRAWS, seed=1, methods=rules, risk_neutral=True,
                             progress=False)
    assert list(sim.rules) == rules  # none left out: v(N) > 0 in every bundled scenario
    for r in rules:
        share = allocate(a, r)["amount"].to_numpy(dtype=float)
        pay = sim.payoff[:, :, sim.rules.index(r)]
        mean, se = pay.mean(axis=0), pay.std(axis=0, ddof=1) / np.sqrt(DRAWS)
        slack = 4 * se + 1e-9 * max(1.0, np.abs(share).max())
        assert np.all(np.abs(mean - share) <= slack), (r, mean - share, se)
    # the mean total is v(N), the grand plan's expected value
    total = sim.outcome.mean()
    se = sim.outcome.std(ddof=1) / np.sqrt(DRAWS)
    grand = float(a.game().grand_value)
    assert abs(total - grand) <= 4 * se + 1e-9 * max(1.0, abs(grand))


def test_risk_neutral_case_drops_risk_aversion_and_defaults() -> None:
    a = agreements.load(SCENARIOS[0])
    case = risk_case(a, ["equal"], risk_neutral=True)
    assert all(m.risk_tolerance == np.inf and m.default_probability == 0
               for m in case.project.members)
    assert case.cost_shares.equals(case.shares)  # a rule divides the net outcome


def test_grand_plan_value_is_v_of_n() -> None:
    a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    plan = grand_plan(a, exact=True)
    case = risk_case(a, ["equal"], risk_neutral=True)
    assert {s.name for s in case.project.stages} == set(plan.tasks)
    assert float(plan.upfront_cost) == case.project.upfront_cost
