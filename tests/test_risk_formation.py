"""Formation analysis: individual rationality, blocking coalitions, Nash bargaining."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import Game, GameError, InvalidInputError
from sharing_models.risk import (
    Fixed,
    Product,
    Project,
    RiskMember,
    Stage,
    blocking_coalitions,
    certainty_equivalent,
    cost_of_stability,
    dispute_summary,
    excesses,
    in_core,
    individual_rationality,
    least_transfer_to_accept,
    nash_bargaining,
    nash_bargaining_game,
    simulate,
)
from tests.strategies import games_with_core_point, integer_games

FAST = settings(max_examples=40, deadline=None)

MAJORITY = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])


def bernoulli_project(outside=(0.0, 0.0, 2.0)):
    return Project((Stage("s", 0.5, 12.0),), (Product("x", Fixed(36.0)),),
                   (RiskMember("a", 4.0, outside[0]), RiskMember("b", 40.0, outside[1]),
                    RiskMember("c", np.inf, outside[2])))


RULES = pd.DataFrame({"equal": [1 / 3] * 3, "c_heavy": [0.1, 0.1, 0.8]}, index=["a", "b", "c"])


@FAST
@given(game=integer_games(max_n=5), data=st.data())
def test_excesses_match_a_brute_force_loop(game, data):
    x = data.draw(st.lists(st.integers(-5, 10), min_size=game.n, max_size=game.n))
    e = excesses(game, x)
    for mask in range(1 << game.n):
        xs = sum(x[i] for i in range(game.n) if mask >> i & 1)
        assert e[mask] == pytest.approx(float(game.values[mask]) - xs)
    block = blocking_coalitions(game, x)
    assert (block["excess"] > 0).all()
    assert block["excess"].is_monotonic_decreasing
    assert len(block) == int((e[1:] > 1e-9 * max(1, np.abs(e).max())).sum())


@FAST
@given(game=games_with_core_point(max_n=5))
def test_cost_of_stability_is_zero_exactly_when_the_core_is_nonempty(game):
    """Bachrach et al. (2009): CoS = 0 iff the core is non-empty."""
    assert float(cost_of_stability(game)) == 0.0


@FAST
@given(game=integer_games(max_n=4))
def test_cost_of_stability_makes_the_core_nonempty(game):
    """Adding CoS to v(N) gives a game with a core point; below it, no point is stable."""
    cos = float(cost_of_stability(game))
    assert cos >= 0
    if cos > 1e-9 and game.n <= 3:
        # every efficient integer allocation of v(N) is blocked by some coalition
        for x in itertools.product(range(-4, 13), repeat=game.n):
            if sum(x) == float(game.grand_value):
                assert excesses(game, list(x))[1:].max() > 1e-9
    bigger = game.values.astype(float).copy()
    bigger[-1] += cos
    lifted = Game(game.players, bigger)
    assert float(cost_of_stability(lifted)) == pytest.approx(0.0, abs=1e-7)


def test_majority_game():
    """Three-player majority game: empty core; every pair needs x_i + x_j >= 1, so the
    cheapest stable payment is x = (1/2, 1/2, 1/2) and CoS = 3/2 - 1 = 1/2."""
    assert float(cost_of_stability(MAJORITY)) == pytest.approx(0.5)
    block = blocking_coalitions(MAJORITY, [1.0, 0.0, 0.0])
    assert block["coalition"].tolist() == [("b", "c")]
    assert block["excess"].tolist() == [1.0]
    assert not in_core(MAJORITY, [1 / 3] * 3)


def test_cost_game_orientation():
    """Airport game (Littlechild & Owen 1973): the serial (Shapley) cost split is stable;
    charging the small plane more than its stand-alone cost is blocked by it."""
    g = Game.airport({"s": 4, "m": 6, "l": 10})
    serial = [4 / 3, 4 / 3 + 1, 4 / 3 + 1 + 4]
    assert in_core(g, serial)
    assert blocking_coalitions(g, serial).empty
    block = blocking_coalitions(g, [5.0, 2.0, 3.0])
    assert ("s",) in block["coalition"].tolist()
    assert block.set_index("coalition").loc[[("s",)], "excess"].iloc[0] == pytest.approx(1.0)


def test_nash_bargaining_closed_form_and_weights():
    """Nash (1950) / Kalai (1977): x_i = d_i + w_i / sum(w) * (V - sum d)."""
    d = pd.Series({"lead": 5.0, "univ": 1.0, "inst": 0.0})
    x = nash_bargaining(12.0, d)
    assert x.tolist() == pytest.approx([7.0, 3.0, 2.0])
    xw = nash_bargaining(12.0, d, {"lead": 2.0, "univ": 1.0, "inst": 1.0})
    assert xw.tolist() == pytest.approx([8.0, 2.5, 1.5])
    assert x.name == "nash_bargaining"
    with pytest.raises(GameError, match="below the sum of outside options"):
        nash_bargaining(5.0, d)
    with pytest.raises(InvalidInputError, match="positive"):
        nash_bargaining(12.0, d, {"lead": 0.0, "univ": 1.0, "inst": 1.0})
    with pytest.raises(InvalidInputError, match="one value per member"):
        nash_bargaining(12.0, d, {"lead": 1.0})


@FAST
@given(v=st.lists(st.integers(0, 20), min_size=3, max_size=3),
       w=st.lists(st.floats(0.1, 10), min_size=2, max_size=2))
def test_nash_bargaining_maximises_the_weighted_nash_product(v, w):
    g = Game.from_array(["a", "b"], [0, v[0], v[1], max(v[2], v[0] + v[1])])
    x = nash_bargaining_game(g, pd.Series(w, index=["a", "b"]))
    total = float(g.grand_value)
    assert x.sum() == pytest.approx(total)
    d = np.array([v[0], v[1]], dtype=float)
    surplus = total - d.sum()
    if surplus <= 0:
        return
    best = np.sum(np.asarray(w) * np.log(x.to_numpy() - d + 1e-300))
    for t in np.linspace(0.01, 0.99, 25):
        y = d + np.array([t, 1 - t]) * surplus
        assert np.sum(np.asarray(w) * np.log(y - d)) <= best + 1e-9


def test_nash_bargaining_in_a_cost_game_splits_savings():
    g = Game.from_array(["a", "b"], [0, 6, 10, 12], cost=True)
    assert nash_bargaining_game(g).tolist() == pytest.approx([4.0, 8.0])


def test_individual_rationality_and_least_transfer():
    """Closed form: a pays 4 for sure and gets 12 w.p. p: CE = -4 - 4 log(1 - p + p e^-3)."""
    sim = simulate(bernoulli_project(), RULES, draws=20_000, seed=1)
    ir = individual_rationality(sim)
    p_hat = float((sim.revenue > 0).mean())
    ce_a = -4.0 - 4.0 * np.log(1 - p_hat + p_hat * np.exp(-3.0))
    assert ir.loc[("equal", "a"), "certainty_equivalent"] == pytest.approx(ce_a, rel=1e-9)
    assert not ir.loc[("equal", "a"), "accepts_ce"]
    assert ir.loc[("equal", "a"), "accepts_expected"] == (12 * p_hat - 4 >= 0)
    assert ir.loc[("equal", "a"), "shortfall"] == pytest.approx(-ce_a)
    # c is risk-neutral with outside option 2: it needs 36 * 0.8 * p - 4 >= 2
    assert ir.loc[("c_heavy", "c"), "certainty_equivalent"] == pytest.approx(
        36 * 0.8 * p_hat - 4.0)
    least = least_transfer_to_accept(sim)
    assert least.name == "least_transfer"
    # paying each member its shortfall for sure is exactly enough
    for r, rule in enumerate(sim.rules):
        part = ir.xs(rule, level="rule")
        topped = sim.payoff[:, :, r] + part["shortfall"].to_numpy()
        ce = certainty_equivalent(topped, sim.risk_tolerance)
        assert np.all(ce >= sim.outside_option - 1e-9)
        assert least[rule] == pytest.approx(part["shortfall"].sum())


def test_dispute_summary_with_and_without_a_game():
    sim = simulate(bernoulli_project(), RULES, draws=5000, seed=2)
    table = dispute_summary(sim)
    assert list(table.index) == ["equal", "c_heavy"]
    assert table.loc["equal", "refusing"].startswith("a")
    assert 0.0 <= table.loc["equal", "prob_someone_loses"] <= 1.0
    game = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 6])
    alloc = pd.DataFrame({"equal": [2.0, 2.0, 2.0], "c_heavy": [0.2, 0.2, 5.6]},
                         index=["a", "b", "c"])
    with_game = dispute_summary(sim, game, alloc)
    assert bool(with_game.loc["equal", "in_core"])
    assert not bool(with_game.loc["c_heavy", "in_core"])
    assert with_game.loc["c_heavy", "blocking_coalitions"] == 1
    assert with_game.loc["c_heavy", "max_excess"] == pytest.approx(0.6)


def test_blocking_coalitions_limit_and_allocation_checks():
    g = Game.from_array(["a", "b", "c"], [0, 1, 1, 3, 1, 3, 3, 4])
    every = blocking_coalitions(g, [0.0, 0.0, 4.0])
    assert every["coalition"].tolist()[:1] == [("a", "b")] and len(every) == 3
    assert blocking_coalitions(g, [0.0, 0.0, 4.0], limit=1)["coalition"].tolist() == [("a", "b")]
    with pytest.raises(InvalidInputError, match="allocation needs"):
        excesses(g, [1.0, 2.0])
    with pytest.raises(InvalidInputError, match="one value per player"):
        excesses(g, pd.Series({"a": 1.0, "b": 2.0, "z": 1.0}))
    with pytest.raises(InvalidInputError, match="expected a Game"):
        excesses(g.values, [1, 2, 3])
    sim = simulate(bernoulli_project(), RULES, draws=100, seed=0)
    with pytest.raises(InvalidInputError, match="no column for rule 'c_heavy'"):
        dispute_summary(sim, Game.from_array(["a", "b", "c"], [0] * 8),
                        pd.DataFrame({"equal": [0.0, 0.0, 0.0]}, index=["a", "b", "c"]))


@FAST
@given(game=integer_games(max_n=4), data=st.data())
def test_exact_nash_bargaining_matches_float(game, data):
    from fractions import Fraction

    w = data.draw(st.lists(st.integers(1, 5), min_size=game.n, max_size=game.n))
    weights = dict(zip(game.players, w, strict=True))
    try:
        x = nash_bargaining_game(game, weights, exact=True)
    except GameError:
        with pytest.raises(GameError):
            nash_bargaining_game(game, weights)
        return
    assert all(isinstance(v, Fraction) for v in x)
    assert sum(x) == game.grand_value
    np.testing.assert_allclose([float(v) for v in x], nash_bargaining_game(game, weights))
