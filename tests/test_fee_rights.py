"""Fee-based rights: pro-rata income and votes; monotonicity and band-edge checks that
find deliberately bad schedules and pass good ones."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import InvalidInputError
from sharing_models.membership.fee_rights import (
    RightsValue,
    check_band_edges,
    check_monotone,
    income_pro_rata,
    votes_pro_rata,
)
from sharing_models.membership.fees import Flat, Percentage, PiecewiseLinear, sematech
from sharing_models.membership.tiers import Rights, Tier, TierSchedule
from tests.strategies import tier_schedules

VALUE = RightsValue(vote=50_000, seat=200_000, access={"full": 100_000, "field": 40_000})
GRID = [0, 10**7, 5 * 10**7, 10**8, 2 * 10**8, 5 * 10**8, 10**9, 2 * 10**9]


def good_schedule() -> TierSchedule:
    """SEMATECH-style continuous dues; rights grow with the tier."""
    return TierSchedule([
        Tier("associate", sematech(), Rights(votes=1, access="field", access_fields=("litho",)),
             lower=0, upper=10**8),
        Tier("member", sematech(), Rights(votes=2), lower=10**8, upper=10**9),
        Tier("principal", sematech(), Rights(votes=3, seats=1), lower=10**9),
    ])


def cliff_schedule() -> TierSchedule:
    """Deliberately bad: a flat fee that jumps at $100M for the same rights."""
    return TierSchedule([
        Tier("small", Flat(100_000), Rights(votes=1), lower=0, upper=10**8),
        Tier("large", Flat(1_000_000), Rights(votes=1), lower=10**8),
    ])


def inverted_schedule() -> TierSchedule:
    """Deliberately bad: the dearer tier has fewer votes and no access."""
    return TierSchedule([
        Tier("basic", Flat(20_000), Rights(votes=2), lower=0, upper=10**8),
        Tier("premium", Flat(60_000), Rights(votes=1, access="none"), lower=10**8),
    ])


def test_income_and_votes_pro_rata_to_fees():
    fees = pd.Series({"p": 100_000, "g": 60_000, "s": 20_000})
    income = income_pro_rata(fees, 1_000_000)
    assert income.to_dict() == {"p": Fraction(5_000_000, 9), "g": Fraction(1_000_000, 3),
                                "s": Fraction(1_000_000, 9)}
    assert sum(income) == 1_000_000
    cents = income_pro_rata(fees, 1_000_000, unit="0.01")
    assert sum(cents) == 1_000_000 and cents["p"] == Fraction(55_555_556, 100)
    assert votes_pro_rata(fees, 18).tolist() == [10, 6, 2]
    with pytest.raises(InvalidInputError, match="positive total"):
        income_pro_rata(pd.Series({"a": 0}), 5)
    with pytest.raises(InvalidInputError, match="non-empty Series"):
        votes_pro_rata({"a": 1}, 3)
    with pytest.raises(InvalidInputError, match="votes must be a non-negative integer"):
        votes_pro_rata(fees, -1)
    with pytest.raises(InvalidInputError, match="not a whole number of units"):
        income_pro_rata(fees, "0.005", unit="0.01")


def test_rights_value():
    gold = Tier("gold", rights=Rights(votes=1, seats_per=3, access_delay_months=6,
                                      income_share=Fraction(1, 2)))
    value = RightsValue(vote=10, seat=300, access={"full": 1_000}, delay_per_month=50,
                        income=6_000, tier_size={"gold": 3})
    assert value(gold) == 10 + 100 + 1_000 - 300 + 1_000
    with pytest.raises(InvalidInputError, match="tier_size"):
        RightsValue(tier_size={"gold": 0})(gold)


def test_good_schedule_passes_both_checks():
    assert check_monotone(good_schedule(), GRID, VALUE).empty
    assert check_band_edges(good_schedule(), GRID, VALUE).empty


def test_sematech_rule_alone_passes():
    """SEMATECH dues are continuous and non-decreasing (Irwin & Klenow 1996)."""
    assert check_monotone(sematech(), GRID).empty
    assert check_band_edges(sematech(), GRID).empty


def test_cliff_schedule_flagged_at_its_edge():
    found = check_band_edges(cliff_schedule(), GRID, VALUE)
    assert len(found) == 1
    row = found.iloc[0]
    assert row["edge"] == 10**8 and (row["tier_below"], row["tier_above"]) == ("small", "large")
    assert row["jump"] == 900_000 and row["gain"] == 900_000
    assert row["notch_up_to"] == 2 * 10**9  # same rights at any size: the notch never closes
    # paying more gives the same rights, never less: monotonicity holds
    assert check_monotone(cliff_schedule(), GRID, VALUE).empty


def test_cliff_with_rising_rights_reports_its_notch():
    schedule = TierSchedule([
        Tier("small", Flat(100_000), Rights(votes=1), lower=0, upper=10**8),
        Tier("large", Percentage("0.001", floor=200_000), Rights(votes=2), lower=10**8),
    ])
    found = check_band_edges(schedule, [10**8, 2 * 10**8, 3 * 10**8], RightsValue(vote=50_000))
    # at the edge: small nets 50k - 100k, large nets 100k - 200k: jump 50k
    assert found["jump"].tolist() == [50_000]
    # at $200M large pays 200k: still worse off; at $300M it pays 300k: worse still
    assert found["notch_up_to"].tolist() == [3 * 10**8]


def test_inverted_schedule_flagged_by_monotonicity():
    found = check_monotone(inverted_schedule(), GRID, VALUE)
    assert found["problem"].tolist() == ["paying more gives less"]
    assert (found.loc[0, "tier_low"], found.loc[0, "tier_high"]) == ("basic", "premium")
    assert found.loc[0, "value_low"] > found.loc[0, "value_high"]
    assert not check_band_edges(inverted_schedule(), GRID, VALUE).empty


def test_piecewise_rule_with_downward_jump_is_not_monotone():
    bad = PiecewiseLinear([(0, "0.01", 0), (10**6, 0, 5_000)])  # 10k just below, 5k at 1M
    found = check_monotone(bad, [0, 2 * 10**6])
    assert found["problem"].tolist() == ["fee falls as the metric rises"]
    assert found.loc[0, "metric_high"] == 10**6
    assert check_band_edges(bad).empty  # falling fees never reward under-reporting


def test_piecewise_rule_with_upward_cliff_is_flagged():
    bad = PiecewiseLinear([(0, 0, 1_000), (10**6, "0.001", 3_000)])
    found = check_band_edges(bad, [10**6, 15 * 10**5, 25 * 10**5])
    assert found["jump"].tolist() == [2_000]
    # above the edge the fee is 3000 + (R - 1M)/1000; the under-report costs 1000
    assert found["notch_up_to"].tolist() == [25 * 10**5]
    good = PiecewiseLinear([(0, 0, 1_000), (10**6, "0.001", 1_000)])
    assert check_band_edges(good, [10**6, 2 * 10**6]).empty


def test_check_errors():
    with pytest.raises(InvalidInputError, match="at least one metric value"):
        check_monotone(sematech(), [])
    with pytest.raises(InvalidInputError, match="eps must be > 0"):
        check_band_edges(sematech(), eps=0)
    explicit = TierSchedule([Tier("a"), Tier("b")], metric=None)
    with pytest.raises(InvalidInputError, match="no metric bands"):
        check_monotone(explicit, [1])


@settings(max_examples=40, deadline=None)
@given(tier_schedules(rate=Fraction(1, 100)),
       st.lists(st.integers(0, 3 * 10**9), min_size=1, max_size=10))
def test_continuous_fee_with_rising_rights_always_passes(schedule, grid):
    """A common percentage fee and votes rising by tier: both checks find nothing."""
    value = RightsValue(vote=1_000)
    assert check_band_edges(schedule, grid, value).empty
    assert check_monotone(schedule, grid, value).empty


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 10**9), st.integers(0, 10**6), st.integers(1, 10**6))
def test_any_upward_flat_cliff_is_found(edge, low_fee, step):
    """Two tiers with equal rights and a flat fee rising by ``step``: the edge is flagged
    and the gain is exactly the step."""
    schedule = TierSchedule([
        Tier("lo", Flat(low_fee), lower=0, upper=edge),
        Tier("hi", Flat(low_fee + step), lower=edge),
    ])
    found = check_band_edges(schedule)
    assert found["edge"].tolist() == [edge] and found["gain"].tolist() == [step]
