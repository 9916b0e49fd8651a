"""Fee rules: published dues formulas, exactness, vectorisation, formulas and errors."""

from __future__ import annotations

import time
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import InvalidInputError
from sharing_models.membership.fees import (
    CountryMultiplier,
    Flat,
    Percentage,
    PiecewiseLinear,
    Prorated,
    SmallMemberDiscount,
    exact_number,
    prorate,
    sematech,
)

M = 1_000_000


@pytest.mark.parametrize(
    ("sales", "dues"),
    [
        (0, M),
        (99_999_999, M),
        (100_000_000, M),  # the floor binds exactly at $100M
        (100_000_100, M + 1),
        (700_000_000, 7 * M),
        (1_499_999_900, 15 * M - 1),
        (1_500_000_000, 15 * M),  # the cap binds exactly at $1.5B
        (1_500_000_001, 15 * M),
        (10**12, 15 * M),
    ],
)
def test_sematech_dues_at_and_around_floor_and_cap(sales, dues):
    """SEMATECH dues: 1% of semiconductor sales, $1M floor, $15M ceiling.

    Source: Irwin & Klenow, J. Int'l Econ. 40 (1996); NBER w4974.
    """
    rule = sematech()
    assert rule(sales) == Fraction(dues)
    assert rule(Decimal(sales)) == Fraction(dues)
    assert isinstance(rule(sales), Fraction)


def test_sematech_just_above_floor_is_exact():
    """One cent of sales above $100M adds 1/100 of a cent of dues, exactly."""
    assert sematech()(Decimal("100000000.01")) == M + Fraction(1, 10_000)


def test_sematech_formula_matches_evaluation():
    r = sp.Symbol("R", nonnegative=True)
    expr = sematech().formula()
    assert expr == sp.Min(sp.Max(r / 100, 1_000_000), 15_000_000)
    for sales in (0, 10**8, 3 * 10**8, 15 * 10**8, 10**10):
        assert Fraction(str(expr.subs(r, sales))) == sematech()(sales)


def test_float_input_gives_float_output_vectorised():
    sales = np.array([5e7, 1e8, 7e8, 2e9])
    out = sematech()(sales)
    assert out.dtype == float
    np.testing.assert_allclose(out, [1e6, 1e6, 7e6, 15e6])


def test_vectorised_over_many_members_is_fast():
    sales = np.random.default_rng(0).uniform(0, 3e9, 200_000)
    start = time.perf_counter()
    out = sematech()(sales)
    assert time.perf_counter() - start < 0.5
    np.testing.assert_allclose(out, np.clip(0.01 * sales, 1e6, 15e6))


def test_exact_array_input():
    out = sematech()([Fraction(10**9), Decimal("2.5e8")])
    assert out.dtype == object and out.tolist() == [10 * M, Fraction(5 * M, 2)]


def test_parameters_read_as_printed_decimals():
    assert Percentage(0.07).rate == Fraction(7, 100)
    assert exact_number("1e6") == M


def test_piecewise_linear_acil_form():
    """ACIL piecewise-linear dues: (R - a_k) * b_k + c_k within band k, with a cap."""
    rule = PiecewiseLinear([(0, 0, 1_500), (10**6, "0.002", 5_000), (10**7, "0.001", 23_000)],
                           cap=50_000)
    revenue = [0, 999_999, 10**6, 5 * 10**6, 10**7, 2 * 10**7, 10**9]
    assert rule(revenue).tolist() == [1_500, 1_500, 5_000, 13_000, 23_000, 33_000, 50_000]
    r = sp.Symbol("R", nonnegative=True)
    for x in revenue:
        assert Fraction(str(rule.formula().subs(r, x))) == rule(x)


def test_piecewise_linear_float_and_exact_agree():
    rule = PiecewiseLinear([(0, 0.01, 0), (1e6, 0.005, 1e4)])
    x = [0.0, 5e5, 1e6, 3e6]
    np.testing.assert_allclose(rule(x), [float(rule(Fraction(v))) for v in x])


@pytest.mark.parametrize(
    ("bands", "cap", "match"),
    [
        ([(10, 0, 1)], None, "first band must start at 0"),
        ([(0, 0, 1), (5, 0, 2), (5, 0, 3)], None, "overlapping"),
        ([(0, 0, 1), (5, 0, 2), (3, 0, 3)], None, "overlapping"),
        ([(0, -0.1, 1)], None, r"band 0 rate must be >= 0"),
        ([(0, 0, 100)], 50, "cap 50 is below the lowest fee"),
        ([], None, "at least one band"),
        ([(0, 1)], None, r"band 0 must be \(start, rate, base\)"),
    ],
)
def test_piecewise_linear_rejects_bad_bands(bands, cap, match):
    with pytest.raises(InvalidInputError, match=match):
        PiecewiseLinear(bands, cap=cap)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rate": -0.01}, "fee rate must be >= 0"),
        ({"rate": 0.01, "floor": 2e6, "cap": 1e6}, "cap 1000000.0 is below the floor"),
        ({"rate": "abc"}, "fee rate must be a number"),
        ({"rate": float("nan")}, "finite"),
        ({"rate": True}, "got a bool"),
    ],
)
def test_percentage_rejects_bad_parameters(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        Percentage(**kwargs)


def test_flat_fee_and_negative():
    assert Flat(60_000)([1, 2, 3]).tolist() == [60_000] * 3
    assert Flat(5).formula() == 5
    with pytest.raises(InvalidInputError, match="flat fee must be >= 0"):
        Flat(-1)


def test_w3c_country_multiplier():
    """W3C 2007-08: base fee $57,500 (revenue >= $50M) times a multiplier by the World Bank
    income class of the member's country (multipliers here illustrative)."""
    rule = CountryMultiplier(Flat(57_500), {"high": 1, "upper_middle": "0.5", "low": "0.1"})
    data = pd.DataFrame({"income_class": ["high", "low", "upper_middle"]})
    assert rule(data).tolist() == [57_500, 5_750, 28_750]
    assert rule.formula() == 57_500 * sp.Symbol("m", nonnegative=True)
    with pytest.raises(InvalidInputError, match=r"no fee multiplier for income_class \['mars'\]"):
        rule({"income_class": ["mars"]})
    with pytest.raises(InvalidInputError, match="needs a table with a 'income_class' column"):
        rule([1, 2])


def test_openpower_silver_small_member_discount():
    """OpenPOWER levels page (2023): Silver $20k; $5k under 100 employees, $1k under 10."""
    silver = SmallMemberDiscount(Flat(20_000), {100: 5_000, 10: 1_000})
    emp = {"employees": [0, 9, 10, 99, 100, 50_000]}
    assert silver(emp).tolist() == [1_000, 1_000, 5_000, 5_000, 20_000, 20_000]
    e = sp.Symbol("E", nonnegative=True)
    assert [silver.formula().subs(e, x) for x in emp["employees"]] == silver(emp).tolist()
    with pytest.raises(InvalidInputError, match="must not pay more"):
        SmallMemberDiscount(Flat(20_000), {100: 1_000, 10: 5_000})
    with pytest.raises(InvalidInputError, match="needs column 'employees'"):
        silver({"revenue": [1]})


def test_discount_on_a_percentage_reads_two_columns():
    rule = SmallMemberDiscount(sematech(), {50: 10_000})
    table = pd.DataFrame({"revenue": [5e8, 5e8], "employees": [10, 500]})
    np.testing.assert_allclose(rule(table).astype(float), [10_000, 5e6])
    assert set(rule.metrics()) == {"revenue", "employees"}


def test_proration_for_partial_years():
    rule = Prorated(Flat(60_000))
    assert rule({"months": [12, 6, 1, 0]}).tolist() == [60_000, 30_000, 5_000, 0]
    assert prorate(Fraction(100), 7) == Fraction(175, 3)
    np.testing.assert_allclose(prorate(np.array([120.0]), np.array([6.0])), [60.0])
    with pytest.raises(InvalidInputError, match=r"months of membership must lie in \[0, 12\]"):
        rule({"months": [13]})
    with pytest.raises(InvalidInputError, match="positive integer"):
        Prorated(Flat(1), period=0)


def test_nan_metric_is_rejected():
    with pytest.raises(InvalidInputError, match="finite"):
        sematech()(np.array([1.0, np.nan]))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**11), st.integers(0, 10**11))
def test_sematech_monotone_and_bounded(a, b):
    lo, hi = sorted((a, b))
    fa, fb = sematech()(lo), sematech()(hi)
    assert M <= fa <= fb <= 15 * M


@settings(max_examples=100, deadline=None)
@given(st.fractions(min_value=0, max_value=10**10, max_denominator=1000),
       st.integers(0, 100), st.integers(0, 10**6), st.integers(0, 10**7))
def test_percentage_formula_equals_evaluation(x, pct, floor, extra):
    rule = Percentage(Fraction(pct, 1000), floor=floor, cap=floor + extra)
    r = sp.Symbol("R", nonnegative=True)
    value = rule.formula().subs(r, sp.Rational(x.numerator, x.denominator))
    assert Fraction(int(value.p), int(value.q)) == rule(x)
    assert abs(float(rule(float(x))) - float(rule(x))) <= 1e-6 * (1 + float(rule(x)))
