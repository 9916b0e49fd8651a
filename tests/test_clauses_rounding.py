"""Largest-remainder rounding of shown shares and amounts (agreements.sharing.display)."""

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.sharing.display import exact, format_fixed, largest_remainder
from sharing_models.exceptions import InvalidInputError

weights = st.lists(st.fractions(min_value=0, max_value=10**6, max_denominator=10**4),
                   min_size=1, max_size=12).filter(lambda w: sum(w) > 0)


@settings(max_examples=200, deadline=None)
@given(weights, st.integers(0, 4), st.integers(1, 10**7))
def test_sums_to_total_and_moves_less_than_one_unit(w, decimals, units):
    """Hamilton's method: exact sum, each figure within one unit of its exact quota."""
    unit = Fraction(1, 10**decimals)
    total = units * unit
    shown = largest_remainder(w, total, decimals)
    assert sum(shown) == total
    whole = sum(w)
    for s, x in zip(shown, w, strict=True):
        target = x * total / whole
        assert abs(s - target) < unit
        assert (s / unit).denominator == 1


@settings(max_examples=100, deadline=None)
@given(weights)
def test_percentages_show_exactly_100_00(w):
    shown = largest_remainder(w, 100, 2)
    assert sum(Decimal(format_fixed(s, 2)) for s in shown) == Decimal("100.00")


def test_three_equal_thirds():
    """The textbook case: 1/3 each shows 33.34 + 33.33 + 33.33 (ties: first in order)."""
    assert [format_fixed(s) for s in largest_remainder([1, 1, 1])] == ["33.34", "33.33",
                                                                       "33.33"]


def test_hamilton_apportionment_published_example():
    """Hamilton's method as defined in Balinski & Young (2001): quotas 2.4, 3.4, 4.2 of a
    10-seat house floor to 2, 3, 4 and the leftover seat goes to the largest remainder
    (a tie at .4, broken here towards the larger quota): 2, 4, 4."""
    assert largest_remainder([24, 34, 42], 10, 0) == [2, 4, 4]


def test_series_keeps_index_and_name():
    s = pd.Series([0.55, 0.2, 0.15, 0.1], index=list("abcd"), name="share")
    out = largest_remainder(s, 100, 2)
    assert out.index.tolist() == list("abcd") and out.name == "share"
    assert out.tolist() == [55, 20, 15, 10]


def test_money_to_the_cent():
    """Splitting CNY 100.00 three ways pays exactly 100.00."""
    out = largest_remainder([1, 1, 1], Fraction(10000, 100), 2)
    assert out == [Fraction(3334, 100), Fraction(3333, 100), Fraction(3333, 100)]


@pytest.mark.parametrize(
    ("args", "match"),
    [(([], 100, 2), "at least one"), (([0, 0], 100, 2), "sum to 0"),
     (([1, 2], 100, -1), "decimals"), (([1, 2], Fraction(1, 3), 2), "whole number of units"),
     (([1, True], 100, 2), "boolean")],
)
def test_bad_input(args, match):
    with pytest.raises(InvalidInputError, match=match):
        largest_remainder(*args)


def test_exact_reads_floats_as_printed():
    assert exact(0.1) == Fraction(1, 10)
    assert exact(Decimal("2.5")) == Fraction(5, 2)
    with pytest.raises(InvalidInputError, match="finite"):
        exact(float("nan"))


def test_format_fixed_rounds_half_away_from_zero():
    assert format_fixed(Fraction(5, 1000), 2) == "0.01"
    assert format_fixed(Fraction(-5, 1000), 2) == "-0.01"
    assert format_fixed(1234567, 0) == "1,234,567"
    assert format_fixed(1234.5, 1, thousands=False) == "1234.5"
