"""Tests of the Banzhaf value: published indices, the definition, axioms and errors."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import Game, GameError, banzhaf
from tests.strategies import exact_games, float_games

FAST = settings(max_examples=40, deadline=None)


def brute_banzhaf(game: Game) -> list[Fraction]:
    """Raw Banzhaf value straight from the definition (all coalitions without i)."""
    n, v = game.n, game.values
    out = []
    for i in range(n):
        total = sum(Fraction(v[m | 1 << i]) - Fraction(v[m]) for m in range(1 << n)
                    if not m >> i & 1)
        out.append(total / 2 ** (n - 1))
    return out


def test_nassau_county_board():
    """Nassau County Board 1964, weights (9, 9, 7, 3, 1, 1), quota 16.

    Banzhaf's observation: the three smallest towns can never swing a vote (power 0) and
    the three largest share the power equally. Source: Banzhaf (1965), Rutgers Law
    Review 19:317-343.
    """
    g = Game.weighted_voting(
        {"Hempstead1": 9, "Hempstead2": 9, "NorthHempstead": 7, "OysterBay": 3,
         "GlenCove": 1, "LongBeach": 1}, 16)
    idx = banzhaf(g, normalized=True, exact=True)
    assert idx.tolist() == [Fraction(1, 3)] * 3 + [Fraction(0)] * 3
    assert idx.name == "banzhaf"


def test_un_security_council_banzhaf():
    """UN Security Council: normalised Banzhaf index 0.1669 (permanent), 0.0165 (other).

    Source: Straffin, "Power indices in politics" (1983); the raw swing counts are
    848 of 2^14 coalitions (permanent) and 84 (non-permanent).
    """
    weights = {f"P{i}": 7 for i in range(5)} | {f"E{i}": 1 for i in range(10)}
    g = Game.weighted_voting(weights, 39)
    raw = banzhaf(g, normalized=False, exact=True)
    assert raw["P0"] == Fraction(848, 2**14) and raw["E0"] == Fraction(84, 2**14)
    norm = banzhaf(g, normalized=True, exact=False)
    assert norm["P0"] == pytest.approx(0.1669, abs=5e-5)
    assert norm["E0"] == pytest.approx(0.0165, abs=5e-5)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_matches_definition(n):
    rng = np.random.default_rng(n)
    g = Game.from_array([f"p{i}" for i in range(n)], [0, *rng.integers(-9, 30, (1 << n) - 1)])
    expect = brute_banzhaf(g)
    assert banzhaf(g, normalized=False, exact=True).tolist() == expect
    np.testing.assert_allclose(banzhaf(g, normalized=False, exact=False).to_numpy(),
                               [float(x) for x in expect], atol=1e-12)


@FAST
@given(exact_games(max_n=5))
def test_normalized_divides_grand_worth(g):
    raw = banzhaf(g, normalized=False, exact=True)
    if sum(raw) == 0:
        with pytest.raises(GameError, match="normalized=False"):
            banzhaf(g, normalized=True, exact=True)
        return
    norm = banzhaf(g, normalized=True, exact=True)
    assert sum(norm) == g.grand_value
    assert [a * sum(raw) for a in norm] == [r * g.grand_value for r in raw]


@FAST
@given(float_games(min_n=1, max_n=7), st.integers(0, 2**32 - 1))
def test_raw_is_additive(g, seed):
    other = np.random.default_rng(seed).normal(size=1 << g.n)
    other[0] = 0.0
    h = Game.from_array(g.players, other)
    np.testing.assert_allclose(banzhaf(g + h, normalized=False),
                               banzhaf(g, normalized=False) + banzhaf(h, normalized=False),
                               atol=1e-9)


def test_zero_sum_raw_values_cannot_be_normalised():
    g = Game.from_array(["a", "b"], [0.0, 0.0, 0.0, 0.0])
    with pytest.raises(GameError, match="sum to 0"):
        banzhaf(g, normalized=True)
    assert banzhaf(g, normalized=False).tolist() == [0.0, 0.0]


def test_method_on_game():
    g = Game.weighted_voting({"a": 2, "b": 1, "c": 1}, 3)
    assert g.banzhaf(normalized=True, exact=False).round(12).tolist() == [0.6, 0.2, 0.2]
    assert g.banzhaf(normalized=False).tolist() == [0.75, 0.25, 0.25]


# ---------------------------------------------------------------------- axioms (raw value)
@settings(max_examples=30, deadline=None)
@given(float_games(min_n=2, max_n=6), st.data())
def test_axioms_null_player_symmetry_covariance(g, data):
    """Raw Banzhaf: null player gets 0, relabelling permutes, and
    beta(a v + b) = a beta(v) + b for an additive game b (Owen 1975)."""
    from tests.strategies import additive_worths, relabelled, with_null_player

    i = data.draw(st.integers(0, g.n - 1))
    null = banzhaf(with_null_player(g, i), normalized=False, exact=False)
    assert null.iloc[i] == pytest.approx(0, abs=1e-9)
    perm = data.draw(st.permutations(range(g.n)))
    h = relabelled(g, perm)
    np.testing.assert_allclose(
        banzhaf(h, normalized=False, exact=False).to_numpy(),
        banzhaf(g, normalized=False, exact=False).loc[list(h.players)].to_numpy(), atol=1e-9,
    )
    a = data.draw(st.floats(0.1, 10))
    b = np.random.default_rng(data.draw(st.integers(0, 999))).normal(size=g.n)
    k = Game.from_array(g.players, a * g.values + additive_worths(g.n, b))
    np.testing.assert_allclose(
        banzhaf(k, normalized=False, exact=False).to_numpy(),
        a * banzhaf(g, normalized=False, exact=False).to_numpy() + b, atol=1e-8,
    )
