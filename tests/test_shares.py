"""Shares under several rules: hand-computed values, efficiency on every scenario,
core and gain columns, percentages, exact mode, missing engine methods."""

from __future__ import annotations

import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from numpy.testing import assert_allclose

import agreements
from agreements import Agreement, AgreementError
from agreements.sharing.compare import METHODS, compare_shares, layer_unions
from sharing_models import SuspiciousResultWarning
from tests.scenario_files import small
from tests.strategies import chained_agreements
from tests.test_agreement_game import hand_mapping

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = small(sorted((ROOT / "scenarios").glob("*.yaml")))
SHARE_COLUMNS = list(METHODS)


def hand() -> Agreement:
    data = hand_mapping()
    data["members"][0].update(layer="lead", outside_option=60)
    data["members"][1].update(layer="close", outside_option=0.5)
    data["members"][2].update(layer="close")
    data["sharing"] = {"method": "fixed", "fixed_shares": {"uni": 50, "firm": 30, "lab": 20}}
    return Agreement.from_mapping(data)


def test_hand_computed_shares() -> None:
    """v = [0, 68, 0, 70, 0, 75, 0, 77] (tests/test_agreement_game.py). Shapley by the six
    orders: firm adds 2 in 3 of them (1), lab adds 7 in 3 of them (3.5), uni the rest."""
    df = compare_shares(hand())  # exact by default (at most 12 members)
    f = Fraction
    assert df["shapley"].tolist() == [f(145, 2), 1, f(7, 2)]
    assert df["equal"].tolist() == [f(77, 3)] * 3
    assert df["proportional"].tolist() == [f(77 * 5, 19), f(77 * 10, 19), f(77 * 4, 19)]
    assert df["fixed"].tolist() == [f(77, 2), f(231, 10), f(77, 5)]
    assert df["owen"].tolist() == [f(145, 2), 1, f(7, 2)]  # unions {uni}, {firm, lab}
    assert df.attrs["grand_value"] == 77
    floats = compare_shares(hand(), exact=False)
    assert_allclose(floats["shapley"], [72.5, 1.0, 3.5])


def test_core_and_gain_columns() -> None:
    """Shapley is in the core (uni >= 68, uni+firm >= 70, uni+lab >= 75); the fixed
    shares (38.5 to uni < 68 alone) and equal split are not."""
    df = compare_shares(hand())
    assert df["shapley_in_core"].all() and df["nucleolus_in_core"].all()
    assert not df["fixed_in_core"].any() and not df["equal_in_core"].any()
    assert_allclose(df["shapley_gain"].astype(float), [72.5 - 60, 1.0 - 0.5, 3.5])
    assert list(df.columns[:7]) == SHARE_COLUMNS
    assert df.index.name == "member" and df.index.tolist() == ["uni", "firm", "lab"]


def test_percent_and_exact() -> None:
    pct = compare_shares(hand(), methods=["shapley", "fixed"], as_percent=True)
    assert pct["shapley"].sum() == pct["fixed"].sum() == 100
    assert pct.loc["uni", "fixed"] == pytest.approx(50.0)
    exact = compare_shares(hand(), methods=["shapley", "owen", "equal", "nucleolus"],
                           exact=True)
    assert exact.loc["uni", "shapley"] == Fraction(145, 2)
    assert exact.loc["firm", "equal"] == Fraction(77, 3)
    assert exact.loc["uni", "shapley_gain"] == Fraction(25, 2)
    assert sum(exact["nucleolus"]) == 77


def test_method_selection() -> None:
    df = compare_shares(hand(), methods="banzhaf")
    assert list(df.columns) == ["banzhaf", "banzhaf_in_core", "banzhaf_gain"]
    with pytest.raises(AgreementError, match="unknown sharing method"):
        compare_shares(hand(), methods=["shapely"])
    plain = Agreement.from_mapping(hand_mapping())
    assert "fixed" not in compare_shares(plain, methods=None).columns
    with pytest.raises(AgreementError, match=r"needs sharing\.fixed_shares"):
        compare_shares(plain, methods=["fixed"])


def test_layer_unions() -> None:
    assert layer_unions(hand()) == [["uni"], ["firm", "lab"]]


def test_failing_rule_is_omitted_with_a_warning() -> None:
    """Two members who can each make the product alone: v(a) + v(b) > v(ab), so no
    imputation exists and the nucleolus is omitted; the rest are still computed."""
    data = {"id": "rivals", "name": {"en": "Rivals"},
            "members": [{"id": m, "name": {"en": m}, "kind": "enterprise"} for m in "ab"],
            "contributions": [
                {"id": "x", "member": "a", "kind": "data", "valuation": 1, "cost": 1,
                 "substitute_price": 4},
                {"id": "y", "member": "b", "kind": "data", "valuation": 1, "cost": 2,
                 "substitute_price": 3}],
            "products": [{"id": "p", "needs": {"all_of": ["x", "y"]},
                          "revenue": {"expected": 10}}]}
    with pytest.warns(SuspiciousResultWarning, match="'nucleolus' omitted"):
        df = compare_shares(Agreement.from_mapping(data))
    assert "nucleolus" not in df.columns
    assert df["shapley"].tolist() == [Fraction(9, 2), Fraction(5, 2)]  # v = [0, 6, 4, 7]
    assert not df["shapley_in_core"].any()


def test_zero_game_gives_zero_shares() -> None:
    """When v(N) = 0 (costs exceed revenue) every rule gives 0 and percent is NaN."""
    data = hand_mapping(sales=0)
    data["products"] = data["products"][:1]
    a = Agreement.from_mapping(data)
    df = compare_shares(a, methods=["shapley", "banzhaf", "equal"])
    assert (df[["shapley", "banzhaf", "equal"]] == 0).all().all()
    assert df[["shapley_in_core", "banzhaf_in_core"]].all().all()
    assert compare_shares(a, methods=["equal"], as_percent=True)["equal"].isna().all()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_shares_are_efficient(path: Path) -> None:
    """Each bundled scenario: every rule's shares sum to v(N)."""
    a = agreements.load(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousResultWarning)
        df = a.shares()
    grand = float(df.attrs["grand_value"])
    shares = [c for c in df.columns if c in METHODS]
    assert {"shapley", "banzhaf", "owen", "proportional", "equal"} <= set(shares)
    for column in shares:
        assert df[column].astype(float).sum() == pytest.approx(grand, rel=1e-9, abs=1e-6)
    assert np.isfinite(df[shares].astype(float).to_numpy()).all()


@settings(max_examples=25, deadline=None)
@given(chained_agreements())
def test_every_rule_is_efficient_and_gains_are_consistent(data: dict) -> None:
    """On random agreements each rule divides exactly v(N), gains are share minus
    outside option, and the core flags agree with a direct check of every coalition."""
    a = Agreement.from_mapping(data)
    g = a.game()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousResultWarning)
        df = compare_shares(a, game=g)
    masks = np.arange(1 << g.n)
    bits = (masks[:, None] >> np.arange(g.n)) & 1
    for rule in [c for c in df.columns if c in METHODS]:
        x = df[rule].astype(float).to_numpy()
        assert x.sum() == pytest.approx(float(g.grand_value), abs=1e-7)
        assert_allclose(df[f"{rule}_gain"].astype(float),
                        x - [m.outside_option for m in a.members])
        in_core = bool(np.all(bits @ x >= g.values - 1e-7 * max(1.0, g.values.max())))
        assert df[f"{rule}_in_core"].all() == in_core
