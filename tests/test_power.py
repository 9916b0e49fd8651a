"""Tests of exact voting power: Shapley-Shubik and Banzhaf indices of weighted voting games."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from sharing_models import Game, InvalidInputError, TooLargeError
from sharing_models.division.power import (
    _is_prime,
    _primes,
    banzhaf_index,
    shapley_shubik,
    swing_counts,
)
from tests.strategies import voting_games

UN = {**{f"P{i}": 7 for i in range(5)}, **{f"E{i}": 1 for i in range(10)}}
EEC = {"FR": 4, "DE": 4, "IT": 4, "BE": 2, "NL": 2, "LU": 1}


def brute_force(weights: list[int], quota: float) -> tuple[list[Fraction], list[int]]:
    """Shapley-Shubik by enumerating all n! orders; Banzhaf swings by enumerating subsets."""
    n = len(weights)
    pivots = [0] * n
    for order in itertools.permutations(range(n)):
        acc = 0
        for i in order:
            acc += weights[i]
            if acc >= quota:
                pivots[i] += 1
                break
    swings = [0] * n
    for mask in range(1 << n):
        w = sum(weights[i] for i in range(n) if mask >> i & 1)
        if w >= quota:
            continue
        for i in range(n):
            if not mask >> i & 1 and w + weights[i] >= quota:
                swings[i] += 1
    return [Fraction(p, math.factorial(n)) for p in pivots], swings


# ---------------------------------------------------------------- published values
def test_un_security_council_shapley_shubik():
    """UN Security Council (15 members, 5 permanent with veto, 9 votes to pass).

    Source: Shapley & Shubik (1954) style analysis as reported in Straffin,
    *Game Theory and Strategy* (1993), ch. 10: permanent 421/2145 = 0.19627,
    non-permanent 4/2145 = 0.001865.
    """
    ss = shapley_shubik(UN, 39)
    assert ss.name == "shapley_shubik"
    assert all(ss[f"P{i}"] == Fraction(421, 2145) for i in range(5))
    assert all(ss[f"E{i}"] == Fraction(4, 2145) for i in range(10))
    assert sum(ss) == 1
    np.testing.assert_allclose(
        shapley_shubik(UN, 39, exact=False)[["P0", "E0"]], [0.19627, 0.001865], atol=5e-6
    )


def test_un_security_council_banzhaf():
    """UN Security Council Banzhaf index.

    Source: Straffin, *Game Theory and Strategy* (1993), ch. 10; Felsenthal & Machover,
    *The Measurement of Voting Power* (1998): each permanent member has 848 swings, each
    elected member 84 (normalized 0.1669 and 0.0165).
    """
    swings = swing_counts(UN, 39, by_size=False)["swings"]
    assert swings["P0"] == 848 and swings["E9"] == 84
    bz = banzhaf_index(UN, 39)
    assert bz["P0"] == Fraction(848, 5080) and bz["E3"] == Fraction(84, 5080)
    absolute = banzhaf_index(UN, 39, normalized=False)
    assert absolute["P0"] == Fraction(848, 2**14)
    np.testing.assert_allclose(banzhaf_index(UN, 39, exact=False)["P1"], 0.1669, atol=1e-4)


def test_eec_1958_council():
    """EEC Council of Ministers 1958 (quota 12 of 17): Luxembourg is a null player.

    Source: Felsenthal & Machover, *The Measurement of Voting Power* (1998), sec. 2.3;
    Shapley-Shubik (14/60, 14/60, 14/60, 9/60, 9/60, 0), Banzhaf swings (10,10,10,6,6,0).
    """
    ss = shapley_shubik(EEC, 12)
    assert ss.tolist() == [Fraction(14, 60)] * 3 + [Fraction(9, 60)] * 2 + [Fraction(0)]
    bz = banzhaf_index(EEC, 12)
    assert bz.tolist() == [Fraction(s, 42) for s in (10, 10, 10, 6, 6, 0)]
    assert list(bz.index) == list(EEC)


# ---------------------------------------------------------------- agreement with brute force
@settings(max_examples=120, deadline=None)
@given(voting_games())
def test_matches_brute_force(game):
    weights, quota = game
    ss, swings = brute_force(weights, quota)
    assert shapley_shubik(weights, quota).tolist() == ss
    total = sum(swings)
    assert banzhaf_index(weights, quota).tolist() == [Fraction(s, total) for s in swings]
    n = len(weights)
    assert banzhaf_index(weights, quota, normalized=False).tolist() == [
        Fraction(s, 2 ** (n - 1)) for s in swings
    ]


@settings(max_examples=60, deadline=None)
@given(voting_games(max_n=25, max_w=40))
def test_axioms(game):
    """Efficiency, dummy (zero power without swings), symmetry, and monotonicity in weight."""
    weights, quota = game
    ss = shapley_shubik(weights, quota)
    bz = banzhaf_index(weights, quota)
    assert sum(ss) == 1 and sum(bz) == 1
    for i, j in itertools.combinations(range(len(weights)), 2):
        if weights[i] == weights[j]:
            assert ss[i] == ss[j] and bz[i] == bz[j]
        if weights[i] < weights[j]:
            assert ss[i] <= ss[j] and bz[i] <= bz[j]
    for i, w in enumerate(weights):
        if w == 0:
            assert ss[i] == 0 and bz[i] == 0


@settings(max_examples=40, deadline=None)
@given(voting_games(max_n=12, max_w=30))
def test_swing_counts_by_size_match_enumeration(game):
    weights, quota = game
    n = len(weights)
    expected = [[0] * n for _ in range(n)]
    for mask in range(1 << n):
        w = sum(weights[i] for i in range(n) if mask >> i & 1)
        k = mask.bit_count()
        for i in range(n):
            if not mask >> i & 1 and w < quota <= w + weights[i]:
                expected[i][k] += 1
    assert swing_counts(weights, quota).to_numpy().tolist() == expected


def test_large_exact_game_is_exact_and_efficient():
    """200 voters: counts exceed 2**190, so the CRT over several primes must be exact."""
    rng = np.random.default_rng(7)
    weights = [int(x) for x in rng.integers(1, 30, 200)]
    quota = sum(weights) * 2 // 3
    ss = shapley_shubik(weights, quota)
    assert sum(ss) == 1
    assert all(isinstance(x, Fraction) and x > 0 for x in ss)
    bz = banzhaf_index(weights, quota, normalized=False)
    assert all(0 < x < 1 for x in bz)
    # a voter's swings under quota q equal its swings under W - q + 1 (complements)
    flipped = swing_counts(weights, sum(weights) - quota + 1).to_numpy()
    assert swing_counts(weights, quota).to_numpy().tolist() == flipped[:, ::-1].tolist()


@pytest.mark.parametrize(("heavy", "light", "quota"), [(5, 95, 60), (12, 110, 101), (3, 70, 9)])
def test_two_weight_classes_closed_form(heavy, light, quota):
    """Games ``[q; 7 x heavy, 1 x light]`` beyond 64 voters (counts above 2**64, so several
    CRT moduli) against a closed form: a swing set with ``i`` heavy and ``j`` light members
    is counted ``C(., i) C(., j)`` times when its weight ``7i + j`` is in ``[q - w, q - 1]``."""
    weights = [7] * heavy + [1] * light
    n = len(weights)

    def expected(own: int) -> list[int]:
        others_heavy = heavy - (own == 7)
        others_light = light - (own == 1)
        row = [0] * n
        for i in range(others_heavy + 1):
            for j in range(others_light + 1):
                if quota - own <= 7 * i + j <= quota - 1:
                    row[i + j] += math.comb(others_heavy, i) * math.comb(others_light, j)
        return row

    counts = swing_counts(weights, quota)
    assert counts.iloc[0].tolist() == expected(7)
    assert counts.iloc[-1].tolist() == expected(1)
    ss = shapley_shubik(weights, quota)
    fact = [Fraction(math.factorial(k) * math.factorial(n - 1 - k), math.factorial(n))
            for k in range(n)]
    assert ss.iloc[-1] == sum(c * f for c, f in zip(expected(1), fact, strict=True))
    assert sum(ss) == 1


def test_equal_weights_closed_form():
    """``[q; 1 x n]``: every voter has Shapley-Shubik 1/n and C(n-1, q-1) swings."""
    n, quota = 150, 76
    assert set(shapley_shubik([1] * n, quota)) == {Fraction(1, n)}
    bz = banzhaf_index([1] * n, quota, normalized=False)
    assert set(bz) == {Fraction(math.comb(n - 1, quota - 1), 2 ** (n - 1))}


def test_gcd_and_fractional_quota():
    """Scaling weights and quota together changes nothing; a quota of 11.5 means 12."""
    base = shapley_shubik(EEC, 12)
    scaled = shapley_shubik({k: 10 * v for k, v in EEC.items()}, 120)
    assert base.tolist() == scaled.tolist()
    assert shapley_shubik(EEC, 11.5).tolist() == base.tolist()
    assert shapley_shubik(EEC, Fraction(23, 2)).tolist() == base.tolist()


def test_input_forms_and_float_output():
    series = pd.Series(EEC)
    assert shapley_shubik(series, 12).equals(shapley_shubik(EEC, 12))
    as_list = shapley_shubik(list(EEC.values()), 12)
    assert list(as_list.index) == list(range(6))
    floats = banzhaf_index(EEC, 12, exact=False)
    assert floats.dtype == float
    np.testing.assert_allclose(floats.to_numpy(), [10 / 42] * 3 + [6 / 42] * 2 + [0])


def test_dictator_and_unanimity():
    assert shapley_shubik({"d": 5, "a": 1, "b": 1}, 5).tolist() == [1, 0, 0]
    assert banzhaf_index({"a": 1, "b": 1, "c": 1}, 3).tolist() == [Fraction(1, 3)] * 3


@pytest.mark.parametrize(
    ("weights", "quota", "match"),
    [
        ({"a": 1.5, "b": 2}, 2, r"weight of voter 'a' is 1.5, not an integer.*scale"),
        ({"a": -1, "b": 2}, 1, r"weight of voter 'a' must be non-negative"),
        ({"a": 1, "b": 2}, 0, r"quota must be in \(0, total weight 3\]; got 0"),
        ({"a": 1, "b": 2}, 4, r"quota must be in \(0, total weight 3\]"),
        ({"a": 1, "b": 2}, "2", r"quota must be a number"),
        ({"a": True}, 1, r"must be an integer"),
        ({}, 1, r"at least one voter"),
        ("ab", 1, r"mapping voter -> weight"),
    ],
)
def test_bad_input(weights, quota, match):
    with pytest.raises(InvalidInputError, match=match):
        shapley_shubik(weights, quota)


def test_too_large_table():
    with pytest.raises(TooLargeError, match="Round the weights"):
        shapley_shubik([10**9 + 1, 10**9, 3], 10**9 + 2)


def test_primes_are_prime_and_large():
    ps = _primes(6)
    assert len(set(ps)) == 6
    assert all(_is_prime(p) and 2**49 < p < 2**50 for p in ps)
    assert not _is_prime(2**50 - 1) and not _is_prime(561) and _is_prime(2**31 - 1)
    assert [m for m in range(60) if _is_prime(m)] == [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59
    ]


def test_agrees_with_shapley_of_the_game():
    """Shapley-Shubik is the Shapley value of the simple game ``Game.weighted_voting``."""
    shapley_mod = pytest.importorskip("sharing_models.games.shapley")
    weights = {"a": 6, "b": 5, "c": 3, "d": 3, "e": 1, "f": 0, "g": 2}
    game = Game.weighted_voting(weights, 11)
    expected = shapley_mod.shapley(game, exact=True)
    assert shapley_shubik(weights, 11).tolist() == list(expected)


def test_beyond_64_voters_matches_plain_integer_dp():
    """76 voters (swing counts up to 2**70: the 2**64 wrap plus a prime modulus) against a
    plain big-integer dynamic programme over (size, weight) for each distinct weight."""
    rng = np.random.default_rng(11)
    weights = [int(x) for x in rng.integers(1, 4, 76)]
    quota = sum(weights) // 2
    n = len(weights)
    counts = swing_counts(weights, quota)
    assert max(max(row) for row in counts.to_numpy().tolist()) > 2**64  # CRT really needed
    for own in sorted(set(weights)):
        others = list(weights)
        others.remove(own)
        table = [[0] * quota for _ in range(n)]  # table[k][t]: k others weighing exactly t
        table[0][0] = 1
        for x in others:
            for k in range(n - 1, 0, -1):
                for t in range(quota - 1, x - 1, -1):
                    table[k][t] += table[k - 1][t - x]
        expected = [sum(row[max(quota - own, 0):quota]) for row in table]
        voter = weights.index(own)
        assert counts.iloc[voter].tolist() == expected


def test_huge_weights_reduced_by_gcd():
    """Weights beyond float range are fine when their gcd brings the table down."""
    big = 10**400
    ss = shapley_shubik({"a": 2 * big, "b": big, "c": big}, 3 * big)
    assert ss.tolist() == [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
    with pytest.raises(InvalidInputError, match="quota must be in"):
        shapley_shubik({"a": 1, "b": 2}, float("inf"))
    # a giant voter beside small ones: the complement table has 2 columns
    assert shapley_shubik([10**30, 1, 1], 10**30 + 1).tolist() == ss.tolist()
    assert banzhaf_index([10**30, 1, 1], 2).tolist() == [Fraction(3, 5), Fraction(1, 5),
                                                         Fraction(1, 5)]
