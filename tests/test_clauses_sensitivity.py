"""Shapley shares as exact affine formulas of one parameter (agreements.clauses.sensitivity)."""

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements import Agreement, load
from agreements.clauses import clause_table
from agreements.clauses.sensitivity import _with, share_formulas
from agreements.valuation.game import agreement_game
from sharing_models.exceptions import InvalidInputError
from sharing_models.games.shapley import shapley

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
LINGANG = load(SCENARIOS / "lingang_eda.yaml")
PARAM = "p_flow_licences.revenue"
FORMULAS = share_formulas(LINGANG, PARAM)


def _exact_shapley(agreement, p):
    changed = _with(agreement, "products", 0, "revenue", p)
    return shapley(agreement_game(changed, exact=True), exact=True)


@settings(max_examples=15, deadline=None)
@given(st.fractions(min_value=0, max_value=1))
def test_formula_equals_shapley_recomputed_anywhere_in_its_interval(t):
    lo, hi = FORMULAS["valid_from"].iloc[0], FORMULAS["valid_to"].iloc[0]
    p = lo + t * (hi - lo)
    phi = _exact_shapley(LINGANG, p)
    for m, row in FORMULAS.iterrows():
        assert row["intercept"] + row["slope"] * p == phi[m]


def test_formula_reproduces_the_scenario_value_and_efficiency():
    """At the scenario's own revenue the formulas give the Shapley value, and the slopes
    add up to dv(N)/dp (efficiency of the Shapley value)."""
    p0 = Fraction(str(LINGANG.products[0].revenue.expected))
    phi = _exact_shapley(LINGANG, p0)
    assert all(FORMULAS.loc[m, "intercept"] + FORMULAS.loc[m, "slope"] * p0 == phi[m]
               for m in LINGANG.member_ids)
    v0 = agreement_game(LINGANG, exact=True).values[-1]
    v1 = agreement_game(_with(LINGANG, "products", 0, "revenue", p0 + 1), exact=True).values[-1]
    assert sum(FORMULAS["slope"]) == v1 - v0
    assert FORMULAS.attrs["parameter"] == PARAM


def test_formulas_in_the_clause_table_and_latex():
    table = clause_table(SCENARIOS / "lingang_eda.yaml", parameter=PARAM)
    row = table.loc[table["Source field"] == PARAM].iloc[0]
    assert row.name.startswith("9.")
    assert row["Formula"].split("; ")[0] == FORMULAS["formula"].iloc[0]
    assert r"\phi_{\mathrm{primarius}}(p)" in table.attrs["formula_latex"][row.name]
    zh = clause_table(SCENARIOS / "lingang_eda.yaml", parameter=PARAM, lang="zh")
    assert zh.index.tolist() == table.index.tolist()


def test_kinked_parameter_gives_the_piece_around_the_value():
    """Substitute price of a member's own contribution enters as min(cost, price): the
    game kinks where price = cost, and the piece found must stay on one side of it."""
    data = LINGANG.model_dump(mode="json")
    k = next(i for i, c in enumerate(data["contributions"]) if c["cost"] > 0)
    data["contributions"][k]["substitute_price"] = data["contributions"][k]["cost"] * 1.2
    a = Agreement.model_validate(data)
    c = a.contributions[k]
    f = share_formulas(a, f"{c.id}.substitute_price", low=0, high=c.cost * 3)
    lo, hi = f["valid_from"].iloc[0], f["valid_to"].iloc[0]
    assert lo <= Fraction(str(c.substitute_price)) <= hi
    assert lo > Fraction(str(c.cost)) * Fraction(9, 10)  # stops short of the kink at cost
    assert hi == Fraction(str(c.cost)) * 3  # affine (flat) all the way up
    for p in (lo, (lo + hi) / 2, hi):
        phi = shapley(agreement_game(_with(a, "contributions", k, "substitute_price", p),
                                     exact=True), exact=True)
        assert all(f.loc[m, "intercept"] + f.loc[m, "slope"] * p == phi[m]
                   for m in a.member_ids)


def test_bad_parameters():
    with pytest.raises(InvalidInputError, match=r"unknown parameter 'nope\.cost'"):
        share_formulas(LINGANG, "nope.cost")
    with pytest.raises(InvalidInputError, match="can vary cost, substitute_price, not"):
        share_formulas(LINGANG, f"{LINGANG.contributions[0].id}.valuation")
    no_sub = next((c for c in LINGANG.contributions if c.substitute_price is None), None)
    if no_sub is not None:
        with pytest.raises(InvalidInputError, match="is not set"):
            share_formulas(LINGANG, f"{no_sub.id}.substitute_price")
    with pytest.raises(InvalidInputError, match="need low <="):
        share_formulas(LINGANG, PARAM, low=10**12, high=10**13)
    with pytest.raises(InvalidInputError, match="single point"):
        share_formulas(LINGANG, PARAM, low=5, high=5)
