"""Tests of the Kalai-Samet weighted Shapley value and the Harsanyi dividends."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import Game, InvalidInputError, harsanyi_dividends, shapley, weighted_shapley
from tests.strategies import exact_games, float_games

FAST = settings(max_examples=30, deadline=None)


def brute_weighted(game: Game, lam: list[Fraction]) -> list[Fraction]:
    """Sum over unanimity components: d(T) = sum_{S ⊆ T} (-1)^{|T|-|S|} v(S), shared λ_i/λ(T)."""
    n, v = game.n, game.values
    phi = [Fraction(0)] * n
    for t in range(1, 1 << n):
        members = [i for i in range(n) if t >> i & 1]
        d = sum((-1) ** (len(members) - len(sub)) * Fraction(v[sum(1 << i for i in sub)])
                for k in range(len(members) + 1) for sub in itertools.combinations(members, k))
        total = sum(lam[i] for i in members)
        for i in members:
            phi[i] += d * lam[i] / total
    return phi


def test_unanimity_game_split_by_weights():
    """Kalai and Samet (1987): in the unanimity game u_T, i ∈ T gets λ_i / λ(T)."""
    g = Game.unanimity(["a", "b", "c", "d"], ["a", "b", "d"])
    phi = weighted_shapley(g, {"a": 1, "b": 2, "c": 10, "d": 5}, exact=True)
    assert phi.tolist() == [Fraction(1, 8), Fraction(2, 8), Fraction(0), Fraction(5, 8)]
    assert phi.name == "weighted_shapley"


@pytest.mark.parametrize("seed", range(5))
def test_matches_dividend_definition(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    g = Game.from_array([f"p{i}" for i in range(n)], [0, *rng.integers(-9, 20, (1 << n) - 1)])
    lam = [Fraction(int(x), 3) for x in rng.integers(1, 10, n)]
    expect = brute_weighted(g, lam)
    assert weighted_shapley(g, lam, exact=True).tolist() == expect
    np.testing.assert_allclose(weighted_shapley(g, [float(x) for x in lam], exact=False).to_numpy(),
                               [float(x) for x in expect], atol=1e-10)


@FAST
@given(float_games(min_n=1, max_n=7), st.floats(0.1, 100))
def test_equal_weights_give_shapley(g, w):
    pd.testing.assert_series_equal(weighted_shapley(g, [w] * g.n),
                                   shapley(g).rename("weighted_shapley"), atol=1e-8)


@FAST
@given(exact_games(min_n=1, max_n=5), st.data())
def test_efficiency_exact(g, data):
    lam = data.draw(st.lists(st.integers(1, 9), min_size=g.n, max_size=g.n))
    assert sum(weighted_shapley(g, dict(zip(g.players, lam, strict=True)), exact=True)) \
        == g.grand_value


@FAST
@given(exact_games(min_n=1, max_n=5))
def test_dividends_invert(g):
    """Summing the dividends over subsets gives back the worths (zeta transform)."""
    d = harsanyi_dividends(g.values, g.n)
    for m in range(1 << g.n):
        assert sum((d[t] for t in range(1 << g.n) if t & m == t), Fraction(0)) == g.values[m]


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ({"a": 1, "b": 2}, r"missing: \['c'\]"),
        ({"a": 1, "b": 2, "c": 3, "z": 1}, r"unknown: \['z'\]"),
        ([1, 2], "one entry per player"),
        ([1, 0, 2], "weight of 'b' must be a positive number"),
        ([1, -1, 2], "positive"),
        ([1, float("nan"), 2], "positive"),
        ([1, "2", 2], "positive"),
        (3, "mapping"),
    ],
)
def test_bad_weights(weights, match):
    g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])
    with pytest.raises(InvalidInputError, match=match):
        weighted_shapley(g, weights)


# ---------------------------------------------------------------------- axioms
@settings(max_examples=30, deadline=None)
@given(float_games(min_n=2, max_n=6), st.data())
def test_axioms_null_player_additivity_covariance_relabelling(g, data):
    """Kalai-Samet (1987): efficiency, null player, additivity, covariance under
    strategic equivalence, and relabelling players together with their weights."""
    from tests.strategies import additive_worths, relabelled, with_null_player

    rng = np.random.default_rng(data.draw(st.integers(0, 999)))
    w = dict(zip(g.players, rng.uniform(0.2, 5.0, g.n), strict=True))
    phi = weighted_shapley(g, w)
    assert phi.sum() == pytest.approx(g.values[-1], abs=1e-8)
    i = data.draw(st.integers(0, g.n - 1))
    null = weighted_shapley(with_null_player(g, i), w, exact=False)
    assert null.iloc[i] == pytest.approx(0, abs=1e-9)
    other = Game.from_array(g.players, np.r_[0.0, rng.normal(size=(1 << g.n) - 1)])
    np.testing.assert_allclose(
        weighted_shapley(g + other, w), phi + weighted_shapley(other, w), atol=1e-8
    )
    a = data.draw(st.floats(0.1, 10))
    b = rng.normal(size=g.n)
    k = Game.from_array(g.players, a * g.values + additive_worths(g.n, b))
    np.testing.assert_allclose(weighted_shapley(k, w), a * phi + b, atol=1e-8)
    perm = data.draw(st.permutations(range(g.n)))
    h = relabelled(g, perm)
    np.testing.assert_allclose(
        weighted_shapley(h, w, exact=False).to_numpy(), phi.loc[list(h.players)].to_numpy(),
        atol=1e-9
    )
