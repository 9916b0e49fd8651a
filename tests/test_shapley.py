"""Tests of the Shapley value: published values, axioms, exact/float agreement, errors."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import EXACT_MAX_PLAYERS, Game, InvalidInputError, TooLargeError, shapley
from sharing_models._kernels.shapley import _weighted_bit_sums, shapley_array
from tests.reference import brute_shapley
from tests.strategies import exact_games, float_games

FAST = settings(max_examples=40, deadline=None)


# ---------------------------------------------------------------------- published values
def test_glove_game():
    """Glove game, one left-glove owner and two right-glove owners: (2/3, 1/6, 1/6).

    Source: Maschler, Solan and Zamir, *Game Theory* (2013), glove game example; also
    Peleg and Sudhölter (2007).
    """
    g = Game.from_dict(
        ["L", "R1", "R2"],
        {("L",): 0, ("R1",): 0, ("R2",): 0, ("L", "R1"): 1, ("L", "R2"): 1, ("R1", "R2"): 0,
         ("L", "R1", "R2"): 1},
    )
    phi = shapley(g, exact=True)
    assert phi.tolist() == [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
    assert phi.name == "shapley" and list(phi.index) == ["L", "R1", "R2"]
    np.testing.assert_allclose(shapley(g, exact=False).to_numpy(), [2 / 3, 1 / 6, 1 / 6],
                               rtol=1e-14)


def test_airport_game_is_sequential_equal_split():
    """Airport cost game: each runway segment is split equally among the planes that use it.

    Source: Littlechild and Owen (1973), Management Science 20(3):370-372.
    """
    costs = {"small": 1, "medium": 2, "large": 3, "jumbo": 7}
    phi = shapley(Game.airport(costs), exact=True)
    c = sorted(costs.values())
    expect = []
    for k in range(len(c)):
        expect.append(sum(Fraction(c[j] - (c[j - 1] if j else 0), len(c) - j)
                          for j in range(k + 1)))
    assert phi.tolist() == expect
    assert sum(phi) == 7


def test_un_security_council_shapley_shubik():
    """UN Security Council (5 permanent members with veto, 10 others, 9 votes to pass).

    Shapley-Shubik index 421/2145 = 0.1963 per permanent member and 4/2145 = 0.00186 per
    non-permanent member. Source: Straffin, "Power indices in politics" (1983), in
    *Political and Related Models*, Springer; also Shapley and Shubik (1954).
    """
    weights = {f"P{i}": 7 for i in range(5)} | {f"E{i}": 1 for i in range(10)}
    g = Game.weighted_voting(weights, 39)
    phi = shapley(g, exact=True)
    assert phi["P0"] == Fraction(421, 2145) and phi["E9"] == Fraction(4, 2145)
    np.testing.assert_allclose(shapley(g, exact=False).to_numpy(), [float(x) for x in phi],
                               rtol=1e-12)


def test_sympy_worths_give_formulas():
    """v(N) = x and v(S) = 0 otherwise: each of three players gets x/3."""
    x = sympy.Symbol("x")
    g = Game.from_array(["a", "b", "c"], [0, 0, 0, 0, 0, 0, 0, x])
    assert [sympy.simplify(p - x / 3) for p in shapley(g)] == [0, 0, 0]
    # Two-player game with v(a) = x, v(ab) = 2x + 1: a gets (3x + 1)/2, b gets (x + 1)/2.
    h = Game.from_array(["a", "b"], [0, x, 0, 2 * x + 1])
    phi = shapley(h, exact=True)
    assert sympy.simplify(phi["a"] - (3 * x + 1) / 2) == 0
    assert sympy.simplify(phi["b"] - (x + 1) / 2) == 0


def test_symbolic_constant_result_is_fraction():
    """A share that does not depend on the symbol comes back as a Fraction."""
    x = sympy.Symbol("x")
    g = Game.from_array(["a", "b"], [0, 1, x, 1 + x])  # additive: a gets 1, b gets x
    phi = shapley(g)
    assert phi["a"] == Fraction(1) and isinstance(phi["a"], Fraction)
    assert phi["b"] == x


# ---------------------------------------------------------------------- definition
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_matches_permutation_definition(n):
    rng = np.random.default_rng(n)
    vals = [0, *rng.integers(-10, 30, (1 << n) - 1).tolist()]
    g = Game.from_array([f"p{i}" for i in range(n)], vals)
    expect = brute_shapley(g)
    assert shapley(g, exact=True).tolist() == expect
    np.testing.assert_allclose(shapley(g, exact=False).to_numpy(), [float(x) for x in expect],
                               atol=1e-12)


@pytest.mark.parametrize("n", [7, 12, 15])
def test_float_matches_exact_on_integer_games(n):
    """The blocked float kernel equals exact rational arithmetic (odd and even n)."""
    rng = np.random.default_rng(100 + n)
    vals = [0, *rng.integers(-1000, 1000, (1 << n) - 1).tolist()]
    g = Game.from_array([f"p{i}" for i in range(n)], vals)
    exact = np.array([float(x) for x in shapley(g, exact=True)])
    np.testing.assert_allclose(shapley(g, exact=False).to_numpy(), exact, rtol=0, atol=1e-9)


def test_float_precision_at_eighteen_players():
    """Multi-chunk kernel (n = 18) vs exact rational arithmetic on integer worths up to 10^6."""
    n = 18
    vals = np.random.default_rng(18).integers(-10**6, 10**6, 1 << n)
    vals[0] = 0
    g_float = Game.from_array([f"p{i}" for i in range(n)], vals.astype(float))
    exact = shapley(g_float, exact=True)  # floats of integers convert exactly
    assert sum(exact) == int(vals[-1])
    np.testing.assert_allclose(shapley(g_float, exact=False).to_numpy(), [float(x) for x in exact],
                               rtol=0, atol=1e-7)


def test_kernel_against_direct_marginals():
    """Per-player sums of the kernel equal a direct mask-by-mask computation (n = 17)."""
    n = 17
    v = np.random.default_rng(7).normal(size=1 << n)
    v[0] = 0.0
    masks = np.arange(1 << n)
    sizes = np.bitwise_count(masks)
    w = np.array([1 / (n * math.comb(n - 1, s)) for s in range(n)])
    direct = []
    for i in range(n):
        without = masks[(masks >> i & 1) == 0]
        direct.append(np.sum(w[sizes[without]] * (v[without | 1 << i] - v[without])))
    np.testing.assert_allclose(shapley_array(v, n), direct, rtol=1e-10, atol=1e-12)
    s, total = _weighted_bit_sums(v, n, np.ones(n + 1), np.ones(n + 1))
    np.testing.assert_allclose(total, v.sum())
    np.testing.assert_allclose(s, [v[(masks >> i & 1) == 1].sum() for i in range(n)])


def test_nonzero_empty_worth_handled():
    """shapley_array accepts v(∅) != 0 (used for derived games in Owen's value)."""
    v = np.array([5.0, 6.0, 7.0, 10.0])
    np.testing.assert_allclose(shapley_array(v, 2), [2.0, 3.0])


def test_float_game_exact_mode_converts_floats_exactly():
    g = Game.from_array(["a", "b"], np.array([0.0, 0.5, 0.25, 1.0]))
    assert shapley(g, exact=True).tolist() == [Fraction(5, 8), Fraction(3, 8)]


def test_cost_game_and_method():
    g = Game.airport({"a": 2, "b": 4})
    pd.testing.assert_series_equal(g.shapley(), shapley(g))
    assert g.shapley(exact=True).tolist() == [Fraction(1), Fraction(3)]


# ---------------------------------------------------------------------- axioms
@FAST
@given(float_games(max_n=7))
def test_efficiency(g):
    assert shapley(g, exact=False).sum() == pytest.approx(g.grand_value, abs=1e-9)


@FAST
@given(exact_games(max_n=5))
def test_efficiency_exact_and_float_agree(g):
    phi = shapley(g, exact=True)
    assert sum(phi) == g.grand_value
    np.testing.assert_allclose(shapley(g, exact=False).to_numpy(), [float(x) for x in phi],
                               atol=1e-12)


@FAST
@given(float_games(min_n=2, max_n=6), st.data())
def test_anonymity(g, data):
    """Relabelling the players permutes the values (symmetry)."""
    perm = data.draw(st.permutations(range(g.n)))
    masks = np.arange(1 << g.n)
    # new bit k = old player perm[k]: old mask of a new mask
    old = np.zeros_like(masks)
    for k, p in enumerate(perm):
        old |= ((masks >> k) & 1) << p
    h = Game.from_array([g.players[p] for p in perm], g.values[old])
    pd.testing.assert_series_equal(shapley(h), shapley(g, exact=False).loc[list(h.players)],
                                   atol=1e-9)


@FAST
@given(float_games(min_n=2, max_n=6), st.data())
def test_null_player_gets_zero(g, data):
    i = data.draw(st.integers(0, g.n - 1))
    v = g.values.copy()
    masks = np.arange(1 << g.n)
    with_i = masks[(masks >> i & 1) == 1]
    v[with_i] = v[with_i ^ (1 << i)]  # i adds nothing anywhere
    phi = shapley(Game.from_array(g.players, v))
    assert phi.iloc[i] == pytest.approx(0.0, abs=1e-9)


@FAST
@given(float_games(min_n=1, max_n=6), st.data())
def test_additivity_and_covariance(g, data):
    seed = data.draw(st.integers(0, 1000))
    other = np.random.default_rng(seed).normal(size=1 << g.n)
    other[0] = 0.0
    h = Game.from_array(g.players, other)
    np.testing.assert_allclose(shapley(g + h), shapley(g, exact=False) + shapley(h), atol=1e-9)
    a = data.draw(st.floats(0.1, 10))
    b = np.random.default_rng(seed + 1).normal(size=g.n)  # additive game b(S)
    masks = np.arange(1 << g.n)
    additive = ((masks[:, None] >> np.arange(g.n)) & 1) @ b
    k = Game.from_array(g.players, a * g.values + additive)
    np.testing.assert_allclose(shapley(k), a * shapley(g, exact=False) + b, atol=1e-8)


# ---------------------------------------------------------------------- errors and limits
def test_not_a_game():
    with pytest.raises(InvalidInputError, match=r"expected a sharing_models\.Game"):
        shapley({"a": 1})


def test_exact_limit_names_float_method():
    n = EXACT_MAX_PLAYERS + 1
    g = Game.from_array([f"p{i}" for i in range(n)], np.zeros(1 << n))
    with pytest.raises(TooLargeError, match=r"at most 20 players.*exact=False"):
        shapley(g, exact=True)
    assert shapley(g, exact=False).abs().max() == 0.0
