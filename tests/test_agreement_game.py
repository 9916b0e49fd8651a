"""The agreement's game: recipes, hand-computed worths, speed and the null-member property."""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from agreements import Agreement
from agreements.valuation.game import (
    MAX_PLANS,
    MAX_RECIPES,
    _Evaluator,
    _Space,
    agreement_game,
    coalition_worth,
    expected_value,
    product_recipes,
)
from sharing_models import TooLargeError, shapley
from tests.strategies import chained_agreements, random_agreement_mapping


def _members(ids: list[str]) -> list[dict[str, Any]]:
    return [{"id": m, "name": {"en": m.title()}, "kind": "enterprise"} for m in ids]


def hand_mapping(sales: float = 100.0) -> dict[str, Any]:
    """University invention (no substitute), firm cash (or a loan), lab time or lab data."""
    return {
        "id": "hand", "name": {"en": "Hand-computed"},
        "members": _members(["uni", "firm", "lab"]),
        "contributions": [
            {"id": "ip", "member": "uni", "kind": "background_ip", "valuation": 5, "cost": 2},
            {"id": "cash", "member": "firm", "kind": "cash", "valuation": 10, "cost": 10,
             "substitute_price": 12},
            {"id": "time", "member": "lab", "kind": "facility", "valuation": 3, "cost": 3,
             "substitute_price": 8},
            {"id": "data", "member": "lab", "kind": "data", "valuation": 1, "cost": 1},
        ],
        "tasks": [{"id": "dev", "needs": {"all_of": ["ip", "cash"], "any_of": [["time", "data"]]},
                   "produces": ["device"], "cost": 20}],
        "results": [{"id": "device"}],
        "products": [
            {"id": "sales", "needs": {"all_of": ["device"]}, "revenue": {"expected": sales}},
            {"id": "licence", "needs": {"all_of": ["ip"]}, "revenue": {"expected": 10}},
        ],
    }


def test_recipes_expand_results_into_tasks_and_alternatives() -> None:
    recipes = product_recipes(Agreement.from_mapping(hand_mapping()))
    assert sorted(sorted(r) for r in recipes["sales"]) == [
        ["cash", "data", "dev", "ip"], ["cash", "dev", "ip", "time"]]
    assert recipes["licence"] == [frozenset({"ip"})]


def test_hand_computed_worths() -> None:
    """Worths computed by hand (mask order: bit 0 uni, bit 1 firm, bit 2 lab).

    uni alone: both products, buying cash (12) and lab time (8):
    110 - (2 + 12 + 8 + 20) = 68; uni+firm: 110 - (2 + 10 + 8 + 20) = 70; uni+lab: with
    its own data, 110 - (2 + 12 + 1 + 20) = 75; all: 110 - (2 + 10 + 1 + 20) = 77. No
    coalition without the university can make anything: its invention has no substitute.
    """
    g = agreement_game(Agreement.from_mapping(hand_mapping()))
    assert g.players == ("uni", "firm", "lab")
    assert_allclose(g.values, [0, 68, 0, 70, 0, 75, 0, 77])
    exact = agreement_game(Agreement.from_mapping(hand_mapping()), exact=True)
    assert list(exact.values) == [Fraction(x) for x in (0, 68, 0, 70, 0, 75, 0, 77)]


def test_unprofitable_product_is_not_made() -> None:
    """With sales of 30 the device never pays; the university still licenses: 10 - 2 = 8."""
    g = agreement_game(Agreement.from_mapping(hand_mapping(sales=30)))
    assert_allclose(g.values, [0, 8, 0, 8, 0, 8, 0, 8])


def test_owner_buys_substitute_when_cheaper() -> None:
    """A member whose own cost (15) exceeds the market price (12) lets the coalition buy."""
    data = hand_mapping()
    data["contributions"][1]["cost"] = 15
    g = agreement_game(Agreement.from_mapping(data))
    assert g.value({"uni", "firm"}) == pytest.approx(68.0)


def test_expected_value_annuity() -> None:
    """100 x 0.5 x 0.8 x (1/1.1 + 1/1.1^2 + 1/1.1^3) = 99.474..."""
    data = hand_mapping()
    data["products"][0].update(operating_margin=0.5, success_probability=0.8, years=3,
                               discount_rate=0.1)
    p = Agreement.from_mapping(data).products[0]
    assert expected_value(p) == pytest.approx(40 * (1 / 1.1 + 1 / 1.21 + 1 / 1.331))
    assert expected_value(p, exact=True) == Fraction(40) * sum(
        Fraction(10, 11) ** t for t in (1, 2, 3))


def test_minimal_recipes_drop_supersets() -> None:
    data = hand_mapping()
    data["tasks"][0]["needs"] = {"all_of": ["ip", "cash"], "any_of": [["cash", "data"]]}
    recipes = product_recipes(Agreement.from_mapping(data))["sales"]
    assert recipes == [frozenset({"dev", "ip", "cash"})]


def test_recipe_cap() -> None:
    n = 10  # 2^10 = 1024 alternatives > MAX_RECIPES
    data = {"id": "many", "name": {"en": "Many"}, "members": _members(["a"]),
            "contributions": [{"id": f"c{i}", "member": "a", "kind": "data", "valuation": 1}
                              for i in range(2 * n)],
            "products": [{"id": "p", "revenue": {"expected": 1},
                          "needs": {"any_of": [[f"c{2 * i}", f"c{2 * i + 1}"]
                                               for i in range(n)]}}]}
    assert 2 ** n > MAX_RECIPES
    with pytest.raises(TooLargeError, match="more than 512 minimal ways"):
        agreement_game(Agreement.from_mapping(data))


def test_twenty_members_build_in_under_two_seconds() -> None:
    """Issue 3: 20 members build in < 2 s (measured ~0.2 s); best of 3 so that a busy
    CI machine does not fail it on one slow run."""
    a = Agreement.from_mapping(random_agreement_mapping(20, seed=7))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        g = agreement_game(a)
        best = min(best, time.perf_counter() - start)
        if best < 2.0:
            break
    assert best < 2.0
    assert g.n == 20 and g.grand_value > 0
    rng = np.random.default_rng(3)
    for _ in range(40):
        coalition = [m for m in a.member_ids if rng.random() < 0.5]
        assert g.value(coalition) == pytest.approx(coalition_worth(a, coalition), abs=1e-9)


def test_exact_and_float_games_agree() -> None:
    a = Agreement.from_mapping(random_agreement_mapping(6, seed=11))
    exact = agreement_game(a, exact=True)
    assert exact.exact
    assert_allclose([float(x) for x in exact.values], agreement_game(a).values, atol=1e-9)


def test_too_many_members_for_the_full_game() -> None:
    a = Agreement.from_mapping(random_agreement_mapping(25, seed=1, products=1))
    with pytest.raises(TooLargeError, match="coalition_worth"):
        agreement_game(a)
    assert coalition_worth(a, a.member_ids) >= 0


def test_coalition_worth_rejects_unknown_members() -> None:
    a = Agreement.from_mapping(hand_mapping())
    with pytest.raises(ValueError, match="unknown member"):
        coalition_worth(a, ["uni", "bank"])


@settings(max_examples=40, deadline=None)
@given(chained_agreements(), st.integers(0, 5))
def test_member_who_contributes_nothing_gets_zero(data: dict[str, Any], where: int) -> None:
    """Adding a member with no contributions leaves every Shapley share unchanged and
    gives the newcomer zero (null-player axiom, [Shapley1953]_)."""
    before = shapley(agreement_game(Agreement.from_mapping(data)))
    members = list(data["members"])
    members.insert(min(where, len(members)), _members(["idle"])[0])
    after = shapley(agreement_game(Agreement.from_mapping({**data, "members": members})))
    assert after["idle"] == pytest.approx(0.0, abs=1e-9)
    assert_allclose(after.drop("idle")[before.index], before, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(chained_agreements())
def test_worths_are_monotone_non_negative_and_exact_matches(data: dict[str, Any]) -> None:
    """Joining never lowers a coalition's worth; worths are >= 0; exact = float."""
    a = Agreement.from_mapping(data)
    v = agreement_game(a).values
    assert v[0] == 0 and np.all(v >= 0)
    masks = np.arange(len(v))
    for i in range(a.members.__len__()):
        without = masks[(masks >> i & 1) == 0]
        assert np.all(v[without | 1 << i] >= v[without] - 1e-9)
    assert_allclose([float(x) for x in agreement_game(a, exact=True).values], v, atol=1e-9)


def test_a_plan_needs_one_input_of_the_coalition_itself() -> None:
    """Inputs all buyable: only coalitions bringing one of them can run the plan."""
    data = {"id": "market", "name": {"en": "Market"}, "members": _members(["a", "b", "c"]),
            "contributions": [
                {"id": "x", "member": "a", "kind": "data", "valuation": 1, "cost": 1,
                 "substitute_price": 4},
                {"id": "y", "member": "b", "kind": "data", "valuation": 1, "cost": 2,
                 "substitute_price": 3}],
            "products": [{"id": "p", "needs": {"all_of": ["x", "y"]},
                          "revenue": {"expected": 10}}]}
    g = agreement_game(Agreement.from_mapping(data))
    # a: 10 - (1 + 3) = 6; b: 10 - (4 + 2) = 4; c brings nothing: 0; a+b: 10 - 3 = 7.
    assert_allclose(g.values, [0, 6, 4, 7, 0, 6, 4, 7])
    assert coalition_worth(Agreement.from_mapping(data), ["c"]) == 0.0


def _by_shared_inputs(a: Agreement, exact: bool = False) -> np.ndarray:
    """Worths by the shared-input order, even when plans are few."""
    ev = _Evaluator(a, _Space(len(a.members), exact))
    ev.plans = lambda: None  # type: ignore[method-assign]
    return ev.worths()


@settings(max_examples=40, deadline=None)
@given(chained_agreements())
def test_both_evaluation_orders_agree(data: dict[str, Any]) -> None:
    """Whole plans and shared-input sets are two exact orders of the same maximum."""
    a = Agreement.from_mapping(data)
    assert_allclose(_by_shared_inputs(a), agreement_game(a).values, atol=1e-9)
    assert list(_by_shared_inputs(a, exact=True)) == list(agreement_game(a, exact=True).values)


def test_many_products_sharing_a_core() -> None:
    """14 products on one shared core (2^14 product sets): fast, and equal to the
    obvious answer: pay the core once, make every product worth its private input."""
    members = [f"m{i}" for i in range(15)]
    contributions = [{"id": "core", "member": "m0", "kind": "background_ip", "valuation": 1,
                      "cost": 30}]
    products = []
    for i in range(1, 15):
        contributions.append({"id": f"mkt{i}", "member": f"m{i}", "kind": "market_access",
                              "valuation": 1, "cost": i})
        products.append({"id": f"p{i}", "needs": {"all_of": ["core", f"mkt{i}"]},
                         "revenue": {"expected": 10}})
    a = Agreement.from_mapping({"id": "hub", "name": {"en": "Hub"}, "members": _members(members),
                                "contributions": contributions, "products": products})
    assert _Evaluator(a, _Space(15, False)).plans() is None  # more than MAX_PLANS
    assert MAX_PLANS < 2 ** 14
    start = time.perf_counter()
    g = agreement_game(a)
    assert time.perf_counter() - start < 2.0
    assert g.grand_value == pytest.approx(sum(10 - i for i in range(1, 10)) - 30)
    assert g.value({"m0", "m1", "m2"}) == 0.0  # 9 + 8 - 30 < 0
    assert_allclose(_by_shared_inputs(a), g.values)
