"""Tests of the Littlechild-Owen airport (serial) cost rule."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from sharing_models import Game, InvalidInputError
from sharing_models.division.cost import airport
from tests.reference import brute_shapley
from tests.strategies import airport_facilities


def test_littlechild_owen_example():
    """Littlechild & Owen (1973): runway segments shared by the planes that use them.

    Three types with costs 6, 10, 16: the first segment 6 is split by 3 planes, the next 4
    by 2, the last 6 by 1, giving 2, 2 + 2, 2 + 2 + 6.
    """
    x = airport({"small": 6, "medium": 10, "large": 16})
    assert x.name == "airport"
    assert x.tolist() == [Fraction(2), Fraction(4), Fraction(10)]


def test_counts_hand_computed():
    """Hand-computed serial charges with many users per type (illustrative figures): each
    segment is divided by the number of users needing it, 42 + 9555 + 288 for the first."""
    costs = {"A": 65899, "B": 76725, "C": 95200}
    counts = {"A": 42, "B": 9555, "C": 288}
    x = airport(costs, counts)
    assert x["A"] == Fraction(65899, 9885)
    assert x["B"] == x["A"] + Fraction(76725 - 65899, 9843)
    assert x["C"] == x["B"] + Fraction(95200 - 76725, 288)
    assert sum(x[t] * counts[t] for t in costs) == 95200


@settings(max_examples=40, deadline=None)
@given(airport_facilities(max_types=6))
def test_equals_shapley_of_airport_game(facility):
    costs, _ = facility
    game = Game.airport(costs)
    assert airport(costs).tolist() == brute_shapley(game)


@settings(max_examples=30, deadline=None)
@given(airport_facilities(max_types=4))
def test_counts_equal_expanded_users(facility):
    """Counts are a shorthand: the same as listing every user separately."""
    costs, counts = facility
    users = {f"{t}#{k}": costs[t] for t in costs for k in range(counts[t])}
    expanded = airport(users)
    grouped = airport(costs, counts)
    for name, charge in expanded.items():
        assert charge == grouped[name.split("#")[0]]
    if len(users) <= 7:
        assert expanded.tolist() == brute_shapley(Game.airport(users))


@settings(max_examples=60, deadline=None)
@given(airport_facilities(max_types=8))
def test_budget_balance_and_monotone(facility):
    costs, counts = facility
    x = airport(costs, counts)
    assert sum(x[t] * counts[t] for t in costs) == max(costs.values())
    for a, b in itertools.permutations(costs, 2):
        if costs[a] <= costs[b]:
            assert x[a] <= x[b]
        assert x[a] <= costs[a]  # never above stand-alone cost


def test_shapley_module_agrees():
    shapley_mod = pytest.importorskip("sharing_models.games.shapley")
    costs = {"a": 3, "b": 8, "c": 8, "d": 20, "e": 21, "f": 40}
    assert airport(costs).tolist() == list(shapley_mod.shapley(Game.airport(costs), exact=True))


def test_thousands_of_users_and_floats():
    rng = np.random.default_rng(3)
    costs = {f"type{i}": float(c) for i, c in enumerate(rng.uniform(1, 100, 500))}
    counts = {t: int(k) for t, k in zip(costs, rng.integers(1, 50, 500), strict=True)}
    x = airport(pd.Series(costs), pd.Series(counts))
    assert x.dtype == float
    total = sum(x[t] * counts[t] for t in costs)
    np.testing.assert_allclose(total, max(costs.values()), rtol=1e-12)


def test_exact_fractions_and_ties():
    x = airport({"a": Fraction(1, 3), "b": Fraction(1, 3), "c": 1})
    assert x.tolist() == [Fraction(1, 9), Fraction(1, 9), Fraction(1, 9) + Fraction(2, 3)]


@pytest.mark.parametrize(
    ("costs", "counts", "match"),
    [
        ({}, None, "at least one user type"),
        ({"a": -1}, None, r"cost of 'a' must be finite and >= 0; got -1"),
        ({"a": "x"}, None, r"cost of 'a' must be a number"),
        ("ab", None, "costs must be a mapping"),  # sequences are accepted (issue 12)
        ({"a": 1, "b": 2}, {"a": 1}, r"missing \['b'\]"),
        ({"a": 1}, {"a": 1, "z": 2}, r"unknown \['z'\]"),
        ({"a": 1}, {"a": 0}, "count of 'a' must be a positive integer"),
        ({"a": 1}, {"a": 1.5}, "count of 'a' must be a positive integer"),
    ],
)
def test_bad_input(costs, counts, match):
    with pytest.raises(InvalidInputError, match=match):
        airport(costs, counts)


@settings(max_examples=30, deadline=None)
@given(airport_facilities(max_types=8))
def test_agrees_with_coopgame_peer(facility):
    """Independent implementation: coopgame-py's Littlechild-Owen airport Shapley value."""
    coopgame = pytest.importorskip("coopgame")
    costs, counts = facility
    users = {f"{t}#{k}": costs[t] for t in costs for k in range(counts[t])}
    theirs = coopgame.airport([float(c) for c in users.values()])["shapley"]
    np.testing.assert_allclose(np.array(airport(users), dtype=float), theirs, atol=1e-9)


def test_exact_order_beyond_float_precision():
    """Costs that floats cannot tell apart are still sorted exactly."""
    big = 10**30
    x = airport({"hi": big + 1, "lo": big, "huge": 10**400})
    assert x["lo"] == Fraction(big, 3)
    assert x["hi"] == Fraction(big, 3) + Fraction(1, 2)
    assert x["lo"] + x["hi"] + x["huge"] == 10**400
