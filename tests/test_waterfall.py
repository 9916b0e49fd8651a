"""Revenue waterfall: statutory rewards, cost carry-over, exact conservation, apportionment."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import InvalidInputError
from sharing_models.membership.waterfall import (
    InventorReward,
    apportion,
    blend_shares,
    conservation,
    tiered_shares,
    waterfall,
    waterfall_summary,
)
from tests.strategies import waterfall_inputs


def _amounts(table: pd.DataFrame, stage: str, year=None) -> list:
    rows = table[table["stage"] == stage]
    if year is not None:
        rows = rows[rows["year"] == year]
    return rows["amount"].tolist()


def test_statutory_reward_on_net_licence_income():
    """PRC law on promoting the transformation of S&T achievements (2015), Art. 45: without
    an agreement, at least 50% of the net income from a transfer or licence."""
    wf = waterfall({"licence": [10_000_000]}, {"a": 1, "b": 1}, costs={"patent costs": 2_000_000})
    assert _amounts(wf, "cost_recovery") == [Decimal("2000000.00")]
    assert _amounts(wf, "inventor_reward") == [Decimal("4000000.00")]
    assert _amounts(wf, "distribution") == [Decimal("2000000.00")] * 2
    assert conservation(wf).tolist() == [0]


def test_statutory_reward_on_implementation_profit_for_three_to_five_years():
    """Art. 45: at least 5% of operating profit each year for 3-5 years after implementation
    starts; the default here is the minimum, 3 years."""
    profit = {"implementation": [0, 1_000_000, 1_000_000, 1_000_000, 1_000_000]}
    wf = waterfall(profit, {"a": 1})
    rewards = wf[wf["stage"] == "inventor_reward"].set_index("year")["amount"]
    assert rewards.to_dict() == {1: 0, 2: 50_000, 3: 50_000, 4: 50_000, 5: 0}
    five = waterfall(profit, {"a": 1}, reward=InventorReward.statutory(5))
    assert _amounts(five, "inventor_reward", year=5) == [Decimal("50000.00")]
    with pytest.raises(InvalidInputError, match="3 to 5 years"):
        InventorReward.statutory(6)


def test_costs_recovered_in_order_and_carried_over():
    wf = waterfall({"transfer": [300, 500, 1_000]}, {"a": 1},
                   costs=[("equipment", "lead", 400), ("staff", "university", 200)],
                   reward=InventorReward.none())
    rec = wf[wf["stage"] == "cost_recovery"].pivot(index="year", columns="item", values="amount")
    assert rec["equipment"].tolist() == [300, 100, 0]
    assert rec["staff"].tolist() == [0, 200, 0]
    assert wf[wf["stage"] == "cost_recovery"]["recipient"].iloc[1] == "university"
    assert _amounts(wf, "distribution") == [0, 200, 1_000]
    assert wf.attrs["outstanding_costs"] == {"equipment": 0, "staff": 0}
    short = waterfall({"transfer": [100]}, {"a": 1}, costs={"x": 250})
    assert short.attrs["outstanding_costs"] == {"x": Decimal("150.00")}


def test_costs_come_from_licence_income_before_implementation_profit():
    wf = waterfall({"licence": [1_000], "implementation": [1_000]}, {"a": 1}, costs={"c": 1_500})
    rewards = dict(zip(wf[wf["stage"] == "inventor_reward"]["item"],
                       _amounts(wf, "inventor_reward"), strict=True))
    assert rewards == {"licence/transfer": 0, "implementation": 25}  # 5% of 500 left


def test_reward_rounded_up_to_the_cent_and_distribution_by_largest_remainder():
    wf = waterfall({"licence": [Decimal("0.03")]}, {"a": 1, "b": 1, "c": 1}, reserve=0)
    assert _amounts(wf, "inventor_reward") == [Decimal("0.02")]  # at least 50% of 3 cents
    assert _amounts(wf, "distribution") == [Decimal("0.01"), 0, 0]
    wf = waterfall({"licence": [100]}, {"a": 1, "b": 1, "c": 1}, reward=InventorReward.none())
    assert _amounts(wf, "distribution") == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_reserve_fund_and_exact_fraction_mode():
    wf = waterfall({"licence": [100]}, {"a": 1, "b": 2}, reserve="0.1", unit=None)
    assert _amounts(wf, "reserve") == [5]
    assert _amounts(wf, "distribution") == [15, 30]
    assert all(isinstance(a, Fraction) for a in wf["amount"])
    wf = waterfall({"licence": [1]}, {"a": 1, "b": 1, "c": 1}, unit=None,
                   reward=InventorReward.none())
    assert _amounts(wf, "distribution") == [Fraction(1, 3)] * 3


def test_tiered_and_blended_distribution():
    shares = tiered_shares(pd.Series({"p": "platinum", "g1": "gold", "g2": "gold"}),
                           {"platinum": "0.5", "gold": "0.5"})
    wf = waterfall({"licence": [1_000]}, shares, reward=InventorReward.none())
    assert _amounts(wf, "distribution") == [500, 250, 250]
    blend = blend_shares({"fixed": pd.Series({"a": 80, "b": 20}),
                          "shapley": pd.Series({"a": 0.4, "b": 0.6})},
                         {"fixed": 3, "shapley": 1})
    assert blend.to_dict() == {"a": Fraction(7, 10), "b": Fraction(3, 10)}
    with pytest.raises(InvalidInputError, match="no share given for tiers"):
        tiered_shares(pd.Series({"a": "gold"}), {"silver": 1})
    with pytest.raises(InvalidInputError, match="without shares"):
        blend_shares({"fixed": pd.Series({"a": 1})}, {"nucleolus": 1})


def test_summary_table():
    wf = waterfall({"licence": [100, 200]}, {"a": 3, "b": 1}, costs={"c": 50}, reserve=0.1)
    summary = waterfall_summary(wf)
    assert list(summary.columns) == ["income", "c", "inventors", "reserve", "a", "b"]
    assert (summary["income"] == summary.drop(columns="income").sum(axis=1)).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"income": {"royalties": [1]}}, r"streams must be among"),
        ({"income": {"licence": [-1]}}, "licence income in year 1 must be >= 0"),
        ({"income": {"licence": [Decimal("0.001")]}}, "not a whole number of units"),
        ({"income": {"licence": [1, 2], "transfer": [1]}}, "different numbers of years"),
        ({"income": [1, 2]}, "income must be a DataFrame"),
        ({"shares": {"a": 0}}, "positive sum"),
        ({"shares": {"a": -1, "b": 2}}, "positive sum"),
        ({"reserve": 1.5}, r"reserve must be a share in \[0, 1\]"),
        ({"costs": [("x", 5)]}, r"\(item, recipient, amount\)"),
        ({"unit": 0}, "unit must be > 0"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"income": {"licence": [100]}, "shares": {"a": 1}} | kwargs
    income, shares = args.pop("income"), args.pop("shares")
    with pytest.raises(InvalidInputError, match=match):
        waterfall(income, shares, **args)


def test_reward_rates_validated():
    with pytest.raises(InvalidInputError, match=r"transfer_rate must lie in \[0, 1\]"):
        InventorReward(transfer_rate=1.2)
    with pytest.raises(InvalidInputError, match="implementation_years"):
        InventorReward(implementation_years=-1)


@settings(max_examples=150, deadline=None)
@given(waterfall_inputs(), st.booleans())
def test_income_equals_outflows_exactly(data, exact_fractions):
    """Conservation: every cent of income ends in costs, rewards, reserve or distribution."""
    t, i, years = data["rates"]
    wf = waterfall(data["income"], data["shares"], costs=data["costs"],
                   reward=InventorReward(t, i, years), reserve=data["reserve"],
                   unit=None if exact_fractions else Fraction(1, 100))
    assert (conservation(wf) == 0).all()
    assert all(a >= 0 for a in wf["amount"])
    for year, rows in wf.groupby("year"):
        income = sum(data["income"][s][year - 1] for s in data["income"])
        assert sum(rows.loc[rows["stage"] == "income", "amount"]) == income
    total_costs = sum(c[2] for c in data["costs"])
    recovered = sum(wf.loc[wf["stage"] == "cost_recovery", "amount"])
    assert recovered + sum(wf.attrs["outstanding_costs"].values()) == total_costs


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), st.lists(st.integers(0, 1000), min_size=1, max_size=12))
def test_apportion_is_exact_and_within_one_unit_of_quota(total, weights):
    if sum(weights) == 0:
        with pytest.raises(InvalidInputError):
            apportion(total, weights)
        return
    parts = apportion(total, weights)
    assert sum(parts) == total
    for p, w in zip(parts, weights, strict=True):
        quota = Fraction(total * w, sum(weights))
        assert math.floor(quota) <= p <= math.ceil(quota)
