"""Tier schedules: validation, assignment, OpenPOWER-style board seats, accounts, and the
comparison of tier outcomes with Shapley values."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import InvalidInputError
from sharing_models.membership.fees import Flat, Percentage, SmallMemberDiscount, sematech
from sharing_models.membership.tier_vs_contribution import subsidy_flows, tier_vs_contribution
from sharing_models.membership.tiers import (
    Rights,
    Tier,
    TierSchedule,
    assign,
    board_seats,
    seat_weights,
    tier_accounts,
    tier_fees,
    voting_power,
)
from tests.strategies import tier_schedules


def openpower() -> TierSchedule:
    """OpenPOWER Foundation levels page (2023): Platinum $100k with a board seat; Gold $60k,
    one director per three Gold members; Silver $20k ($5k < 100 employees, $1k < 10), all
    Silver members together elect one director; Associate $0, non-voting observer."""
    return TierSchedule(
        [
            Tier("platinum", Flat(100_000), Rights(votes=1, seats=1)),
            Tier("gold", Flat(60_000), Rights(votes=1, seats_per=3)),
            Tier("silver", SmallMemberDiscount(Flat(20_000), {100: 5_000, 10: 1_000}),
                 Rights(votes=1, tier_seats=1)),
            Tier("associate", Flat(0), Rights(votes=0, access="none", licence="none")),
        ],
        metric=None,
    )


def openpower_members() -> pd.DataFrame:
    tiers = ["platinum"] * 2 + ["gold"] * 7 + ["silver"] * 4 + ["associate"] * 2
    employees = [90_000, 300_000] + [5_000] * 7 + [5, 50, 500, 5_000] + [20, 30]
    ids = [f"{t[0]}{i}" for i, t in enumerate(tiers)]
    return pd.DataFrame({"tier": tiers, "employees": employees}, index=ids)


def _brute_shapley_shubik(weights: dict[str, int], quota: int) -> dict[str, Fraction]:
    names = list(weights)
    piv = dict.fromkeys(names, 0)
    for order in itertools.permutations(names):
        total = 0
        for p in order:
            total += weights[p]
            if total >= quota:
                piv[p] += 1
                break
    n_orders = math.factorial(len(names))
    return {p: Fraction(c, n_orders) for p, c in piv.items()}


def test_openpower_seven_gold_members_elect_two_directors():
    """OpenPOWER (2023): one director elected per three Gold members: 7 Gold -> 2."""
    schedule = openpower()
    tiers = assign(schedule, openpower_members())
    seats = board_seats(schedule, tiers)
    assert seats.loc["gold"].tolist() == [7, 0, 2]
    assert seats.loc["platinum"].tolist() == [2, 2, 0]
    assert seats.loc["silver"].tolist() == [4, 0, 1]  # all Silver together elect one
    assert seats.loc["associate"].tolist() == [2, 0, 0]


@pytest.mark.parametrize(("gold", "directors"), [(0, 0), (2, 0), (3, 1), (6, 2), (7, 2), (9, 3)])
def test_gold_directors_per_three_members(gold, directors):
    schedule = openpower()
    tiers = pd.Series(["gold"] * gold + ["silver"], dtype=object)
    assert board_seats(schedule, tiers).loc["gold", "elected"] == directors


def test_openpower_accounts_fees_seats_and_board_power():
    schedule = openpower()
    acc = tier_accounts(schedule, openpower_members(), years=2, income=150_000, body="board")
    assert acc.index.names == ["year", "member"]
    assert len(acc) == 2 * 15
    y1 = acc.loc[1]
    assert y1.loc["s9", "fee"] == 1_000 and y1.loc["s10", "fee"] == 5_000
    assert y1.loc["s12", "fee"] == 20_000 and y1.loc["g2", "fee"] == 60_000
    assert y1.loc["g2", "seats"] == Fraction(2, 7)
    assert y1.loc["s9", "seats"] == Fraction(1, 4)
    assert y1.loc["p0", "seats"] == 1
    assert sum(y1["seats"]) == 5
    # board: two Platinum directors, a Gold bloc of 2 and a Silver bloc of 1; majority 3 of 5
    weights = seat_weights(schedule, assign(schedule, openpower_members()))
    assert weights == {"p0": 1, "p1": 1, "gold (elected)": 2, "silver (elected)": 1}
    ss = _brute_shapley_shubik(weights, 3)
    assert y1.loc["p0", "shapley_shubik"] == ss["p0"]
    assert y1.loc["g2", "shapley_shubik"] == ss["gold (elected)"] / 7
    assert y1.loc["a13", "shapley_shubik"] == 0
    assert sum(y1["shapley_shubik"]) == 1 and sum(y1["banzhaf"]) == 1
    # income pro rata to fees (no tier sets an income share), exactly
    assert sum(y1["income"]) == 150_000
    assert y1.loc["p0", "income"] == 150_000 * Fraction(100_000, sum(y1["fee"]))
    assert (acc["net"] == acc["income"] - acc["fee"]).all()
    assert y1.loc["a13", "access"] == "none"


def test_assembly_voting_power_matches_brute_force():
    weights = {"a": 4, "b": 3, "c": 2, "d": 1}
    power = voting_power(weights, Fraction(1, 2))  # more than half of 10: quota 6
    assert power["shapley_shubik"].to_dict() == _brute_shapley_shubik(weights, 6)
    assert voting_power({"a": 0, "b": 0})["banzhaf"].tolist() == [0, 0]
    with pytest.raises(InvalidInputError, match="quota must be a share"):
        voting_power(weights, 1)


def revenue_schedule() -> TierSchedule:
    return TierSchedule(
        [
            Tier("small", Flat(10_000), Rights(votes=1, income_share=Fraction(1, 5)),
                 lower=0, upper=10**8),
            Tier("medium", Percentage("0.0002"), Rights(votes=2, access="field",
                 access_fields=("heads",), income_share=Fraction(3, 10)),
                 lower=10**8, upper=10**9),
            Tier("large", sematech(), Rights(votes=4, seats=1, licence="royalty",
                 royalty_rate="0.02", income_share=Fraction(1, 2)), lower=10**9),
        ]
    )


def test_assign_by_band_edges_and_explicit_override():
    schedule = revenue_schedule()
    members = pd.DataFrame({"revenue": [0, 10**8 - 1, 10**8, 10**9, 5e9, None],
                            "tier": [None, None, None, None, "small", "medium"]},
                           index=list("abcdef"))
    assert assign(schedule, members).tolist() == [
        "small", "small", "medium", "large", "small", "medium"]


@pytest.mark.parametrize(
    ("members", "match"),
    [
        (pd.DataFrame({"revenue": [1], "tier": ["gold"]}, index=["a"]), r"unknown tier \['gold'\]"),
        (pd.DataFrame({"revenue": [None]}, index=["a"]), "neither a tier nor a 'revenue'"),
        (pd.DataFrame({"revenue": [-5]}, index=["a"]), "revenue must be >= 0"),
        (pd.DataFrame({"employees": [5]}, index=["a"]), "cannot place them by 'revenue'"),
        ([1, 2], "must be a DataFrame, Series or mapping"),
    ],
)
def test_assign_errors(members, match):
    with pytest.raises(InvalidInputError, match=match):
        assign(revenue_schedule(), members)


@pytest.mark.parametrize(
    ("tiers", "match"),
    [
        ([Tier("a", lower=0, upper=10), Tier("b", lower=5)], "overlap: 'a' ends at 10"),
        ([Tier("a", lower=0, upper=10), Tier("b", lower=12)], "gap: 'a' ends at 10"),
        ([Tier("a", lower=1)], r"gap: nothing covers \[0, 1\)"),
        ([Tier("a", lower=0, upper=10)], "nothing covers values >= 10"),
        ([Tier("a", lower=0), Tier("b", lower=10)], "overlap: 'a' ends at infinity"),
        ([Tier("a", lower=0), Tier("a")], r"repeated: \['a'\]"),
        ([], "at least one tier"),
        ([Tier("a", Flat(0), Rights(income_share="0.5"), lower=0)], "must sum to 1"),
    ],
)
def test_schedule_rejects_gaps_overlaps_and_bad_shares(tiers, match):
    with pytest.raises(InvalidInputError, match=match):
        TierSchedule(tiers)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Tier("x", lower=5, upper=5), "must exceed lower bound"),
        (lambda: Tier("x", lower=-1), "lower bound must be >= 0"),
        (lambda: Tier("x", upper=5), "upper bound but no lower"),
        (lambda: Tier("", lower=0), "non-empty name"),
        (lambda: Tier("x", fee=100), "fee must be a FeeRule"),
        (lambda: Rights(votes=-1), "votes must be a non-negative integer"),
        (lambda: Rights(seats_per=0), "seats_per must be >= 1"),
        (lambda: Rights(access="some"), "access must be one of"),
        (lambda: Rights(access="field"), "needs the fields"),
        (lambda: Rights(licence="royalty"), "needs a royalty_rate"),
        (lambda: Rights(licence="free"), "licence must be one of"),
        (lambda: Rights(royalty_rate=-0.1, licence="royalty"), r"royalty_rate must lie in"),
        (lambda: Rights(income_share=2), r"income_share must lie in \[0, 1\]"),
    ],
)
def test_tier_and_rights_errors(make, match):
    with pytest.raises(InvalidInputError, match=match):
        make()


def test_accounts_by_income_share_and_year_specific_data():
    schedule = revenue_schedule()
    members = pd.DataFrame(
        {"revenue": [5e7, 2e8, 3e9, 5e7, 2e9, 3e9]},
        index=pd.MultiIndex.from_tuples(
            [(2024, "a"), (2024, "b"), (2024, "c"), (2025, "a"), (2025, "b"), (2025, "c")]),
    )
    acc = tier_accounts(schedule, members, income={2024: 1_000_000, 2025: 2_000_000})
    assert acc.loc[(2024, "b"), "tier"] == "medium" and acc.loc[(2025, "b"), "tier"] == "large"
    assert acc.loc[(2024, "b"), "fee"] == 40_000
    assert acc.loc[(2024, "c"), "fee"] == 15_000_000
    assert acc.loc[(2025, "b"), "fee"] == 15_000_000
    assert acc.loc[(2024, "a"), "income"] == 200_000
    # 2025 has no medium member: its 3/10 goes to the others pro rata to their shares
    assert acc.loc[(2025, "b"), "income"] == Fraction(2_000_000 * 5, 7 * 2)
    assert acc.loc[(2024, "b"), "access"] == "field: heads"
    assert acc.loc[(2024, "c"), "royalty_rate"] == Fraction(1, 50)
    for year in (2024, 2025):
        assert sum(acc.loc[year, "income"]) == {2024: 1_000_000, 2025: 2_000_000}[year]


def test_accounts_floats_and_bad_years():
    members = pd.DataFrame({"revenue": [5e7, 2e9]}, index=["a", "b"])
    acc = tier_accounts(revenue_schedule(), members, years=3, income=[1, 2, 3], exact=False)
    assert acc["fee"].dtype == float and list(acc.index.unique("year")) == [1, 2, 3]
    with pytest.raises(InvalidInputError, match="income has 2 values for 3 years"):
        tier_accounts(revenue_schedule(), members, years=3, income=[1, 2])
    with pytest.raises(InvalidInputError, match="years must be >= 1"):
        tier_accounts(revenue_schedule(), members, years=0)
    with pytest.raises(InvalidInputError, match="body must be"):
        tier_accounts(revenue_schedule(), members, body="senate")


def test_tier_fees_exact_from_float_data():
    fees = tier_fees(revenue_schedule(), pd.DataFrame({"revenue": [2.5e8]}, index=["x"]))
    assert fees["x"] == Fraction(50_000) and isinstance(fees["x"], Fraction)


@settings(max_examples=60, deadline=None)
@given(tier_schedules(), st.lists(st.integers(0, 2 * 10**9), min_size=1, max_size=8))
def test_assignment_respects_bands(schedule, revenues):
    members = pd.Series(revenues, index=[f"m{i}" for i in range(len(revenues))], dtype=object)
    tiers = assign(schedule, members)
    for x, t in zip(revenues, tiers, strict=True):
        tier = schedule.tier(t)
        assert tier.lower <= x and (tier.upper is None or x < tier.upper)


@settings(max_examples=30, deadline=None)
@given(tier_schedules(), st.lists(st.integers(0, 2 * 10**9), min_size=1, max_size=6),
       st.integers(0, 10**9))
def test_accounts_distribute_income_exactly(schedule, revenues, income):
    members = pd.DataFrame({"revenue": revenues}, index=[f"m{i}" for i in range(len(revenues))])
    acc = tier_accounts(schedule, members, income=income)
    assert sum(acc["income"]) == income
    if sum(acc["votes"]) > 0:
        assert sum(acc["shapley_shubik"]) == 1


def test_tier_vs_contribution_subsidies():
    """A flat two-tier schedule against Shapley values: small members are subsidised."""
    outcome = {"big": 60, "mid": 25, "small": 15}
    shapley = {"big": 70, "mid": 25, "small": 5}
    table = tier_vs_contribution(outcome, shapley, outside={"big": 65, "mid": 0, "small": 0},
                                 tiers=pd.Series({"big": "gold", "mid": "silver",
                                                  "small": "silver"}))
    assert table["subsidy"].tolist() == [-10, 0, 10]
    assert table["above_outside"].tolist() == [False, True, True]
    assert table["tier"].tolist() == ["gold", "silver", "silver"]
    flows = subsidy_flows(table)
    assert flows.values.tolist() == [["big", "small", 10]]
    with pytest.raises(InvalidInputError, match="expected the same members"):
        tier_vs_contribution(outcome, {"big": 1})
    with pytest.raises(InvalidInputError, match="expected a tier_vs_contribution table"):
        subsidy_flows(pd.DataFrame({"x": [1]}))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-100, 100), min_size=1, max_size=6),
       st.lists(st.integers(1, 100), min_size=6, max_size=6))
def test_subsidies_balance_when_totals_match(outcome, weights):
    names = [f"m{i}" for i in range(len(outcome))]
    total = sum(outcome)
    table = tier_vs_contribution(dict(zip(names, outcome, strict=True)),
                                 dict(zip(names, weights, strict=False)), total=total)
    assert sum(table["subsidy"]) == 0
    flows = subsidy_flows(table)
    paid = -sum(s for s in table["subsidy"] if s < 0)
    assert sum(flows["amount"], Fraction(0)) == paid


def test_large_membership_without_power_and_on_the_board():
    """2,000 members: the assembly's exact power is skipped on request; the board (few
    voters: direct seats and tier blocs) stays fast."""
    import numpy as np

    schedule = revenue_schedule()
    revenue = np.random.default_rng(7).lognormal(18, 2, 2_000)
    members = pd.DataFrame({"revenue": revenue}, index=[f"m{i}" for i in range(2_000)])
    acc = tier_accounts(schedule, members, income=10**8, power=False)
    assert "shapley_shubik" not in acc and sum(acc["income"]) == 10**8
    board = tier_accounts(schedule, members, income=10**8, body="board")
    assert sum(board["shapley_shubik"]) == 1
    large = board[board["tier"] == "large"]
    assert (large["seats"] == 1).all()
