"""Tests of the claims (bankruptcy) rules: published tables, axioms, exactness, symbolic use."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import Game, InvalidInputError, TooLargeError
from sharing_models.division.claims import (
    RULES,
    compare_rules,
    constrained_equal_awards,
    constrained_equal_losses,
    proportional,
    random_arrival,
    talmud,
)
from sharing_models.division.claims._numeric import (
    _as_integers,
    _random_arrival,
    _random_arrival_tables,
)
from tests.reference import brute_shapley
from tests.strategies import claims_problems

TALMUD_CLAIMS = {"a": 100, "b": 200, "c": 300}
F = Fraction


def table(rule) -> list[list[Fraction]]:
    return [rule(e, TALMUD_CLAIMS).tolist() for e in (100, 200, 300)]


# ---------------------------------------------------------------- published values
def test_talmud_table():
    """Mishnah Ketubot 93a as explained by Aumann & Maschler (1985), Table 1."""
    assert table(talmud) == [
        [F(100, 3)] * 3,
        [F(50), F(75), F(75)],
        [F(50), F(100), F(150)],
    ]


def test_other_rules_on_the_talmud_table():
    """Aumann & Maschler (1985) sec. 1 and Thomson (2003) sec. 2: the same three estates
    under CEA (equal division, as in the first row), CEL and proportional division (third row).
    """
    assert table(constrained_equal_awards) == [[F(100, 3)] * 3, [F(200, 3)] * 3, [F(100)] * 3]
    assert table(constrained_equal_losses) == [
        [F(0), F(0), F(100)],
        [F(0), F(50), F(150)],
        [F(0), F(100), F(200)],
    ]
    assert table(proportional) == [
        [F(50, 3), F(100, 3), F(50)],
        [F(100, 3), F(200, 3), F(100)],
        [F(50), F(100), F(150)],
    ]


def test_random_arrival_matches_arrival_orders():
    """O'Neill (1982), sec. 4: claimants arrive in random order and are paid in full while
    the estate lasts; the reference is the plain average over all 3! orders."""
    for estate in (100, 200, 300, 450):
        assert random_arrival(estate, TALMUD_CLAIMS).tolist() == arrival_orders(
            estate, list(TALMUD_CLAIMS.values())
        )


def arrival_orders(estate, claims) -> list[Fraction]:
    n = len(claims)
    total = [F(0)] * n
    for order in itertools.permutations(range(n)):
        left = F(estate)
        for i in order:
            paid = min(F(claims[i]), left)
            total[i] += paid
            left -= paid
    return [t / math.factorial(n) for t in total]


# ---------------------------------------------------------------- axioms (hypothesis)
@settings(max_examples=80, deadline=None)
@given(claims_problems(), st.sampled_from(sorted(RULES)))
def test_efficiency_bounds_order(problem, name):
    """Every rule: awards sum to E exactly, 0 <= x_i <= c_i, and order preservation of
    awards and of losses (Thomson 2003, sec. 3)."""
    estate, claims = problem
    x = RULES[name](estate, claims)
    assert x.name == name and list(x.index) == list(claims)
    assert all(isinstance(v, Fraction) for v in x)
    assert sum(x) == estate
    c = pd.Series(claims)
    assert ((x >= 0) & (x <= c)).all()
    for i, j in itertools.permutations(claims, 2):
        if c[i] <= c[j]:
            assert x[i] <= x[j] and c[i] - x[i] <= c[j] - x[j]


@settings(max_examples=60, deadline=None)
@given(claims_problems())
def test_cea_cel_duality_and_talmud_self_duality(problem):
    estate, claims = problem
    c = pd.Series(claims, dtype=object)
    dual = sum(claims.values()) - estate
    assert constrained_equal_losses(estate, claims).equals(
        (c - constrained_equal_awards(dual, claims)).rename("constrained_equal_losses")
    )
    assert talmud(estate, claims).equals((c - talmud(dual, claims)).rename("talmud"))
    assert proportional(estate, claims).equals(
        (c - proportional(dual, claims)).rename("proportional")
    )


@settings(max_examples=40, deadline=None)
@given(claims_problems(max_n=5))
def test_random_arrival_is_shapley_of_bankruptcy_game(problem):
    estate, claims = problem
    game = Game.bankruptcy(estate, claims)
    assert random_arrival(estate, claims).tolist() == brute_shapley(game)


@settings(max_examples=40, deadline=None)
@given(claims_problems(max_n=2))
def test_two_claimants_contested_garment(problem):
    """For two claimants Talmud and random arrival both give the contested-garment
    division (Aumann & Maschler 1985, sec. 2)."""
    estate, claims = problem
    assert talmud(estate, claims).tolist() == random_arrival(estate, claims).tolist()


def test_random_arrival_agrees_with_shapley_module():
    shapley_mod = pytest.importorskip("sharing_models.games.shapley")
    claims = {"a": 3, "b": 7, "c": 12, "d": 12, "e": 30}
    game = Game.bankruptcy(40, claims)
    expected = shapley_mod.shapley(game, exact=True)
    assert random_arrival(40, claims).tolist() == list(expected)


# ---------------------------------------------------------------- exactness and floats
def test_large_integers_stay_exact():
    """Claims near 2**55 (int64 path with split sums) and 2**70 (object path)."""
    for scale in (2**55, 2**70):
        claims = {f"m{i}": scale + 97 * i for i in range(10)}
        estate = sum(claims.values()) * 3 // 5 + 1
        x = random_arrival(estate, claims)
        assert sum(x) == estate
        assert x.is_monotonic_increasing


def test_float_input_gives_float_output():
    claims = {"a": 100.0, "b": 200, "c": 300}
    for name, rule in RULES.items():
        x = rule(200.0, claims)
        assert x.dtype == float, name
        exact = rule(200, {"a": 100, "b": 200, "c": 300})
        np.testing.assert_allclose(x.to_numpy(), np.array(exact, dtype=float), rtol=1e-12)


def test_float_estate_equal_to_total_within_rounding():
    claims = {"a": 0.1, "b": 0.2}
    x = constrained_equal_awards(0.30000000000000004, claims)
    np.testing.assert_allclose(x.to_numpy(), [0.1, 0.2])


def test_numpy_and_sympy_numbers_and_sequences():
    x = talmud(np.int64(200), pd.Series({"a": np.int64(100), "b": 200, "c": sympy.Integer(300)}))
    assert x.tolist() == [F(50), F(75), F(75)]
    assert talmud(sympy.Rational(200), [100, 200, 300]).index.tolist() == [0, 1, 2]


def test_random_arrival_twenty_claimants():
    claims = {f"m{i}": (i * 37) % 50 + 1 for i in range(20)}
    estate = sum(claims.values()) // 2
    x = random_arrival(estate, claims)
    assert sum(x) == estate and (x >= 0).all()


# ---------------------------------------------------------------- symbolic
def test_symbolic_estate_piecewise_matches_numbers():
    e = sympy.Symbol("E", nonnegative=True)
    for name in ("proportional", "constrained_equal_awards", "constrained_equal_losses",
                 "talmud", "random_arrival"):
        sym = RULES[name](e, TALMUD_CLAIMS)
        for value in (0, 50, 100, 150, 200, 275, 300, 350, 450, 520, 600):
            numeric = RULES[name](value, TALMUD_CLAIMS).tolist()
            assert [F(str(v.subs(e, value))) for v in sym] == numeric, (name, value)


@given(st.lists(st.sampled_from([0, 1, 2, 3, 5, F(7, 2), 10]), min_size=1, max_size=6))
@settings(max_examples=60, deadline=None)
def test_symbolic_random_arrival_equals_numbers_at_every_breakpoint(values):
    """The Piecewise formula equals the exact numeric rule at every partial sum of claims
    (where the slope may change) and halfway between neighbouring ones."""
    e = sympy.Symbol("E", nonnegative=True)
    claims = {f"p{i}": v for i, v in enumerate(values)}
    formula = random_arrival(e, claims)
    sums = sorted({sum((F(v) for v, keep in zip(values, mask, strict=True) if keep), F(0))
                   for mask in itertools.product([0, 1], repeat=len(values))})
    points = sums + [(a + b) / 2 for a, b in itertools.pairwise(sums)]
    for value in points:
        numeric = random_arrival(value, claims).tolist()
        at = sympy.Rational(value.numerator, value.denominator)
        assert [F(str(x.subs(e, at))) for x in formula] == numeric, value


def test_proportional_symbolic_claims():
    a, b, e = sympy.symbols("a b E", positive=True)
    x = proportional(e, {"x": a, "y": b})
    assert sympy.simplify(x["x"] - a * e / (a + b)) == 0
    assert sympy.simplify(sum(x) - e) == 0


def test_symbolic_limits_are_explained():
    e = sympy.Symbol("E")
    with pytest.raises(InvalidInputError, match="random_arrival compares claims"):
        random_arrival(e, {"a": sympy.Symbol("a"), "b": 2})
    with pytest.raises(TooLargeError, match="symbolic estate on 13 claimants: at most 12"):
        random_arrival(e, {f"c{i}": i + 1 for i in range(13)})
    with pytest.raises(InvalidInputError, match="claims must be numbers"):
        talmud(e, {"a": sympy.Symbol("a"), "b": 2})
    positive = sympy.Symbol("t", positive=True)
    with pytest.raises(InvalidInputError, match="exceeds the total claims"):
        talmud(positive + 600, TALMUD_CLAIMS)  # decidably above 600
    with pytest.raises(InvalidInputError, match="estate must be non-negative"):
        proportional(-positive, TALMUD_CLAIMS)


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("estate", "claims", "match"),
    [
        (10, {"a": -1, "b": 20}, r"claim of 'a' is negative \(-1\)"),
        (700, TALMUD_CLAIMS, r"estate 700 exceeds the total claims 600"),
        (-5, TALMUD_CLAIMS, r"estate must be non-negative; got -5"),
        (0, {}, r"at least one claimant"),
        (10, {"a": "ten"}, r"claim of 'a' must be a number"),
        ("10", {"a": 10}, r"estate must be a number"),
        (1, {"a": float("nan")}, r"must be finite"),
        (1, 5, r"claims must be a mapping"),
    ],
)
@pytest.mark.parametrize("rule", sorted(RULES))
def test_bad_input(rule, estate, claims, match):
    with pytest.raises(InvalidInputError, match=match):
        RULES[rule](estate, claims)


def test_random_arrival_too_many_claimants():
    with pytest.raises(TooLargeError, match=r"random_arrival on 23 claimants.*at most 22"):
        random_arrival(10.0, {f"m{i}": 1.0 for i in range(23)})
    huge = {f"m{i}": 10**9 + i for i in range(30)}  # gcd 1: a table of 30 x 1.5e10 cells
    with pytest.raises(TooLargeError, match="Round the claims to a coarser unit"):
        random_arrival(15 * 10**9, huge)


@settings(max_examples=60, deadline=None)
@given(claims_problems(max_n=8))
def test_random_arrival_counting_tables_match_enumeration(problem):
    """The two exact methods (2**n enumeration, generating-function tables) agree."""
    estate, claims = problem
    c = [F(v) for v in claims.values()]
    ints, estate_int, unit = _as_integers(F(estate), c)
    assert _random_arrival_tables(ints, estate_int, unit) == _random_arrival(
        F(estate), c, "exact"
    )


def test_random_arrival_many_claimants_exact():
    """Beyond enumeration: 150 claimants, efficiency and symmetry hold exactly, and equal
    claims split the estate equally."""
    claims = {f"m{i}": F(1 + i % 40, 4) for i in range(150)}
    estate = sum(claims.values()) * F(2, 5)
    x = random_arrival(estate, claims)
    assert sum(x) == estate
    assert x["m0"] == x["m40"] and x["m1"] < x["m2"]
    assert set(random_arrival(37, {f"m{i}": 3 for i in range(60)})) == {F(37, 60)}


def test_all_zero_claims():
    for rule in RULES.values():
        assert rule(0, {"a": 0, "b": 0}).tolist() == [0, 0]


def test_compare_rules_frame():
    frame = compare_rules(200, TALMUD_CLAIMS)
    assert list(frame.columns) == list(RULES)
    assert list(frame.index) == list(TALMUD_CLAIMS)
    assert frame["talmud"].tolist() == [F(50), F(75), F(75)]
    assert (frame.sum() == 200).all()
    with pytest.raises(InvalidInputError, match=r"unknown claims rule\(s\) \['nash'\]"):
        compare_rules(200, TALMUD_CLAIMS, ["talmud", "nash"])


def test_random_arrival_float_matches_exact():
    claims = {"a": 3, "b": 7, "c": 12, "d": 12, "e": 30, "f": 1}
    exact = random_arrival(35, claims)
    floats = random_arrival(35.0, {k: float(v) for k, v in claims.items()})
    np.testing.assert_allclose(floats.to_numpy(), np.array(exact, dtype=float), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(claims_problems(max_n=9))
def test_agrees_with_coopgame_peer(problem):
    """Independent implementation: coopgame-py's exact CEA, CEL and Talmud rules."""
    coopgame = pytest.importorskip("coopgame")
    estate, claims = problem
    values = list(claims.values())
    for ours, theirs in ((constrained_equal_awards, coopgame.constrained_equal_awards),
                         (constrained_equal_losses, coopgame.constrained_equal_losses),
                         (talmud, coopgame.talmud)):
        assert ours(estate, claims).tolist() == list(theirs(estate, values, exact=True))


def test_large_float_problem_vectorised():
    """20,000 float claims: efficient, bounded, and CEA equals its exact counterpart."""
    rng = np.random.default_rng(5)
    ints = rng.integers(1, 1000, 20_000)
    claims = {f"m{i}": float(v) for i, v in enumerate(ints)}
    estate = float(ints.sum()) * 0.4
    for name in ("proportional", "constrained_equal_awards", "constrained_equal_losses",
                 "talmud"):
        x = RULES[name](estate, claims)
        assert x.dtype == float
        np.testing.assert_allclose(x.sum(), estate, rtol=1e-12)
        assert (x >= 0).all() and (x.to_numpy() <= ints + 1e-9).all()
    exact = constrained_equal_awards(int(ints.sum()) * 2 // 5, dict(enumerate(ints.tolist())))
    floats = constrained_equal_awards(float(int(ints.sum()) * 2 // 5), ints.astype(float))
    np.testing.assert_allclose(floats.to_numpy(), np.array(exact, dtype=float), rtol=1e-12)


def test_integers_beyond_float_range():
    """Exact rules never pass through floats: claims of 10**400 work."""
    big = 10**400
    claims = {"a": big, "b": 2 * big, "c": 3 * big}
    assert talmud(2 * big, claims).tolist() == [F(big, 2), F(3 * big, 4), F(3 * big, 4)]
    assert constrained_equal_losses(2 * big, claims).tolist() == [0, F(big, 2), F(3 * big, 2)]
    assert random_arrival(2 * big, claims).tolist() == [F(big, 3), F(5 * big, 6), F(5 * big, 6)]
