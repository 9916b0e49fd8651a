"""Bundled scenarios: each loads, cites its sources, marks illustrative figures, and is
economically sensible (the grand coalition's worth is positive and the most any coalition
can get; the members the scenario is built around are the ones it cannot do without).

Sources of each scenario are listed in ``docs/scenarios.md``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import agreements
from agreements import Agreement
from agreements.scenario.loader import safe_load
from agreements.valuation.game import expected_value, product_recipes
from agreements.valuation.project import risk_weights
from tests.scenario_files import small

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FILES = small(sorted(SCENARIOS.glob("*.yaml")))
#: Scenarios known to be unprofitable for the grand coalition under agreements.valuation.game.
#: Scenarios whose grand coalition cannot profit (expected failures); none.
UNPROFITABLE: dict[str, str] = {}


def _profit_param(path: Path) -> object:
    marks = [pytest.mark.xfail(reason=UNPROFITABLE[path.stem])] if path.stem in UNPROFITABLE else []
    return pytest.param(path, marks=marks, id=path.stem)


def _load(path: Path) -> Agreement:
    return agreements.load(path)


def _header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = []
    for line in lines:
        if not line.startswith("#"):
            break
        head.append(line.lstrip("# "))
    return " ".join(head)


def _plan_value(agreement: Agreement) -> float:
    """Value of one plan open to the grand coalition: make every product by its first recipe.

    Every input of the union is paid once, at ``min(cost, substitute_price)`` (all owners
    are present), a task's cost weighted by the chance it is attempted (and discounted), a
    product's value by the chance its tasks succeed; the game's :math:`v(N)` maximises
    over plans, so this is a lower bound.
    """
    w = risk_weights(agreement)
    costs = {c.id: min(c.cost, c.substitute_price or np.inf) for c in agreement.contributions}
    costs |= {t.id: t.cost * w.task[t.id] for t in agreement.tasks}
    recipes = product_recipes(agreement)
    used = set().union(*(recipes[p.id][0] for p in agreement.products))
    revenue = sum(expected_value(p) * w.product[p.id] for p in agreement.products)
    return revenue - sum(costs[x] for x in used)


def test_at_least_eight_scenarios() -> None:
    assert len(FILES) >= 8


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_loads_and_matches_the_raw_model(path: Path) -> None:
    agreement = _load(path)
    assert agreement.id == path.stem
    raw = Agreement.model_validate(safe_load(path.read_text(encoding="utf-8")))
    assert raw.member_ids == agreement.member_ids
    assert 4 <= len(agreement.members) <= 15


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_cites_sources_and_marks_illustrative_figures(path: Path) -> None:
    agreement = _load(path)
    assert agreement.sources, "a scenario cites at least one source"
    assert all(source.title.strip() for source in agreement.sources)
    assert any(source.date or source.url for source in agreement.sources), "a dated source"
    header = _header(path).lower()
    assert header, "a scenario starts with comments saying what is sourced"
    if agreement.illustrative:
        assert "illustrative" in header
    assert agreement.illustrative or "illustrative" not in header


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_is_complete(path: Path) -> None:
    """Members carry what games and profiles need; each brings something or pays dues."""
    agreement = _load(path)
    for m in agreement.members:
        assert m.risk_tolerance is not None, m.id
        assert m.region or m.country, m.id
    idle = set(agreement.member_ids) - {c.member for c in agreement.contributions}
    fee_paying = agreement.sharing.fees is not None or agreement.sharing.tiers is not None
    assert not idle or fee_paying, f"members bringing nothing and paying no fee: {idle}"
    assert agreement.tasks and agreement.results and agreement.products
    assert agreement.sharing.method is not None


@pytest.mark.parametrize("path", [_profit_param(p) for p in FILES])
def test_grand_coalition_can_make_everything_at_a_profit(path: Path) -> None:
    assert _plan_value(_load(path)) > 0


@pytest.mark.parametrize("path", [_profit_param(p) for p in FILES])
def test_grand_coalition_worth_is_positive_and_largest(path: Path) -> None:
    agreement = _load(path)
    game = agreement.game()
    values = np.asarray(game.values, dtype=float)
    grand = values[-1]
    assert grand > 0
    assert grand >= _plan_value(agreement) - 1e-6 * abs(grand)
    assert grand == pytest.approx(values.max())
    singletons = sum(values[1 << i] for i in range(game.n))
    assert grand > singletons, "cooperation must pay"


#: Members whose departure costs the consortium more than half its worth, by design.
#: With task risk in the game v(N) is smaller, so a member whose contribution is dear to
#: replace (a large substitute premium) can cost more than half of it.
CRITICAL = {
    "synthetic_biology_baoshan": {"baoji", "sioc", "ecust"},
    "lingang_eda": {"primarius", "foundry", "design_house"},
    "dominant_firm": {"baosteel"},
    "eu_eit_kic": {"recycler_se", "oem_it", "rto_fr", "cathode_be"},
    "yrd_joint_research": {"imaging_sh", "crystal_ah", "asic_js", "ai_zj", "hospital_sh"},
    "qingdao_marine_equipment": {"lead_marine", "fish_farm"},
    "precision_oncology_data": {"fudan_cancer", "dx_company"},
}


@pytest.mark.parametrize("name", sorted(CRITICAL))
def test_critical_members_are_the_intended_ones(name: str) -> None:
    """The scenario's story: who holds what has no substitute."""
    agreement = _load(SCENARIOS / f"{name}.yaml")
    game = agreement.game()
    full = (1 << game.n) - 1
    grand = float(game.values[full])
    critical = {
        m for i, m in enumerate(game.players) if float(game.values[full ^ (1 << i)]) < grand / 2
    }
    assert critical == CRITICAL[name]


def test_lingang_veto_members_get_nothing_alone() -> None:
    """Lingang EDA (seed 002): the lead, the foundry and the design house are each needed
    for the main product; without the lead or the foundry nothing can be made at all."""
    agreement = _load(SCENARIOS / "lingang_eda.yaml")
    game = agreement.game()
    for trio in (["primarius", "foundry"], ["foundry", "design_house"]):
        assert float(game.value(trio)) < float(game.grand_value) / 10
    without = [m for m in game.players if m not in ("primarius", "foundry")]
    assert float(game.value(without)) == 0.0


def test_dominant_firm_followers_are_replaceable() -> None:
    """Dominant-firm shape (seed 002): only the lead is a veto player; each follower adds
    exactly the saving of its contribution over the market substitute price."""
    agreement = _load(SCENARIOS / "dominant_firm.yaml")
    game = agreement.game()
    full = (1 << game.n) - 1
    savings = {}
    for c in agreement.contributions:
        if c.substitute_price is not None:
            savings[c.member] = savings.get(c.member, 0.0) + c.substitute_price - c.cost
    for i, m in enumerate(game.players):
        marginal = float(game.values[full] - game.values[full ^ (1 << i)])
        if m == "baosteel":
            assert float(game.values[full ^ (1 << i)]) == 0.0
        else:
            assert marginal == pytest.approx(savings[m])


def test_sematech_dues_follow_the_published_rule() -> None:
    """SEMATECH dues: 1% of semiconductor sales, floor $1M, cap $15M (Irwin & Klenow
    1996; reason.com 1996-04-01); the government funder pays none."""
    from agreements.membership.tiers import fee_table

    agreement = _load(SCENARIOS / "sematech_1987.yaml")
    fees = fee_table(agreement)["fee"].astype(float)
    for m in agreement.members:
        if m.kind == "government":
            assert fees[m.id] == 0
        else:
            assert fees[m.id] == pytest.approx(min(max(0.01 * m.revenue, 1e6), 15e6))
    assert fees["micron"] == 1e6 and fees["ibm"] == 15e6
    assert len(agreement.members) == 15


@pytest.mark.parametrize("name", sorted(CRITICAL))
def test_shapley_shares_are_efficient(name: str) -> None:
    agreement = _load(SCENARIOS / f"{name}.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shares = agreement.shares(methods=["shapley", "equal"])
    grand = shares.attrs["grand_value"]
    assert shares["shapley"].sum() == pytest.approx(grand)
    assert shares["equal"].sum() == pytest.approx(grand)
    assert list(shares.index) == agreement.member_ids


def _shares(name: str, methods: list[str]) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _load(SCENARIOS / f"{name}.yaml").shares(methods=methods)


def test_lingang_shapley_leaves_the_core_nucleolus_does_not() -> None:
    """docs/scenarios.md: with three veto members the Shapley value is outside the core,
    the nucleolus inside it."""
    shares = _shares("lingang_eda", ["shapley", "nucleolus"])
    assert not shares["shapley_in_core"].any()
    assert shares["nucleolus_in_core"].all()


def test_qingdao_members_below_their_outside_option() -> None:
    """docs/scenarios.md: under Shapley the fund and the substitutable university teams
    earn less than their outside options; everyone else gains."""
    shares = _shares("qingdao_marine_equipment", ["shapley"])
    assert set(shares.index[shares["shapley_gain"] < 0]) == {"industrial_fund", "tech_univ",
                                                             "ocean_univ"}


def test_substitutable_hospitals() -> None:
    """Precision-oncology data consortium: any one of three partner hospitals supplies the
    external data and validation site, so each is dispensable (zero core payoff) but not
    all three; the Shapley value still pays each for the coalitions it completes."""
    agreement = _load(SCENARIOS / "precision_oncology_data.yaml")
    game = agreement.game()
    hospitals = ["hospital_js", "hospital_zj", "hospital_ah"]
    everyone = list(game.players)
    for h in hospitals:
        assert float(game.value([m for m in everyone if m != h])) == float(game.grand_value)
    assert float(game.value([m for m in everyone if m not in hospitals])) == 0.0
    shares = _shares("precision_oncology_data", ["shapley", "nucleolus"])
    assert (shares.loc[hospitals, "shapley"] > 0).all()
    assert shares.loc[hospitals, "nucleolus"].abs().max() < 1e-6 * float(game.grand_value)


def test_sematech_is_a_club_good() -> None:
    """SEMATECH: no firm pays the fixed programme cost alone; each firm's marginal worth
    grows with its sales; replaceable federal cash makes DARPA's subsidy a transfer."""
    agreement = _load(SCENARIOS / "sematech_1987.yaml")
    game = agreement.game()
    values = np.asarray(game.values, dtype=float)
    full = (1 << game.n) - 1
    assert all(values[1 << i] == 0.0 for i in range(game.n))
    darpa = game.players.index("darpa")
    assert values[full ^ (1 << darpa)] == pytest.approx(values[full])
    firms = [m for m in agreement.members if m.kind != "government"]
    marginal = {m.id: values[full] - values[full ^ (1 << game.players.index(m.id))] for m in firms}
    by_sales = sorted(firms, key=lambda m: m.revenue)
    assert [marginal[m.id] for m in by_sales] == sorted(marginal.values())


def test_docs_list_every_scenario() -> None:
    """docs/scenarios.md has a row for every bundled scenario file."""
    docs = (SCENARIOS.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    listed = {line.split("`")[1] for line in docs.splitlines() if line.startswith("| `")}
    assert {p.name for p in FILES} <= listed
