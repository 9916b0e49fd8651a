"""Tests of the Monte Carlo Shapley estimator: accuracy, calibrated errors, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sharing_models import Game, InvalidInputError, shapley, shapley_sample


def random_game(n: int, seed: int, kind: str) -> Game:
    rng = np.random.default_rng(seed)
    masks = np.arange(1 << n)
    sizes = np.bitwise_count(masks).astype(float)
    if kind == "noise":  # independent worths: the hardest case for sampling
        v = rng.normal(size=1 << n) * 10
    elif kind == "convex":  # supermodular: size^2 scaled by member strengths plus noise
        strength = ((masks[:, None] >> np.arange(n)) & 1) @ rng.uniform(0.5, 2, n)
        v = strength * sizes + rng.normal(size=1 << n)
    else:  # threshold (simple) game
        w = rng.integers(1, 10, n)
        v = ((((masks[:, None] >> np.arange(n)) & 1) @ w) >= w.sum() / 2).astype(float)
    v[0] = 0.0
    return Game.from_array([f"p{i}" for i in range(n)], v)


def test_standard_errors_are_calibrated():
    """About 95% of estimates lie within 2 SE of the exact value, all within 4 SE."""
    z = []
    for seed in range(24):
        g = random_game(10, seed, ["noise", "convex", "threshold"][seed % 3])
        est = shapley_sample(g, samples=600, seed=seed)
        exact = shapley(g)
        se = est["std_error"].to_numpy()
        keep = se > 0
        z.extend(((est["shapley"].to_numpy() - exact.to_numpy())[keep] / se[keep]).tolist())
    z = np.abs(np.array(z))
    assert len(z) >= 200
    assert 0.90 <= np.mean(z <= 2) <= 0.99
    assert z.max() < 4


@pytest.mark.parametrize("antithetic", [True, False])
def test_within_four_standard_errors_and_efficient(antithetic):
    g = random_game(12, 99, "convex")
    est = shapley_sample(g, samples=2000, seed=3, antithetic=antithetic)
    exact = shapley(g)
    assert (np.abs(est["shapley"] - exact) <= 4 * est["std_error"]).all()
    # every order's contributions sum to v(N), so the estimate is exactly efficient
    assert est["shapley"].sum() == pytest.approx(g.grand_value, rel=1e-12)
    assert (est["samples"] == 2000).all()
    assert list(est.columns) == ["shapley", "std_error", "samples"]
    assert list(est.index) == list(g.players)


def test_antithetic_pairs_cancel_on_size_games():
    """v(S) = |S|^2: a player at position k adds 2k + 1; with its reverse, exactly n."""
    n = 9
    g = Game.from_array([f"p{i}" for i in range(n)], np.bitwise_count(np.arange(1 << n)) ** 2.0)
    est = shapley_sample(g, samples=50, seed=0)
    np.testing.assert_allclose(est["shapley"], n)
    np.testing.assert_allclose(est["std_error"], 0.0, atol=1e-12)
    plain = shapley_sample(g, samples=50, seed=0, antithetic=False)
    assert (plain["std_error"] > 0.5).all()


def test_seed_reproducible_and_seed_sensitive():
    g = random_game(8, 1, "noise")
    a = shapley_sample(g, 200, seed=42)
    pd.testing.assert_frame_equal(a, shapley_sample(g, 200, seed=42))
    assert not a.equals(shapley_sample(g, 200, seed=43))


def test_three_evaluation_paths_agree():
    """Game array, frozenset function and vectorised mask function: same orders, same result."""
    g = random_game(7, 5, "convex")
    weights = 1 << np.arange(g.n)
    from_game = shapley_sample(g, 300, seed=7)
    from_sets = shapley_sample(lambda s: g.value(s), 300, seed=7, players=g.players)
    from_masks = shapley_sample(lambda m: g.values[m.astype(np.int64) @ weights], 300, seed=7,
                                players=g.players, vectorized=True)
    pd.testing.assert_frame_equal(from_game, from_sets)
    pd.testing.assert_frame_equal(from_game, from_masks)


def test_large_additive_game_via_function():
    """300 players, beyond any worth array: additive worths are recovered exactly."""
    rng = np.random.default_rng(0)
    names = [f"member{i}" for i in range(300)]
    w = dict(zip(names, rng.uniform(0, 5, 300), strict=True))
    est = shapley_sample(lambda s: sum(w[p] for p in s), 10, seed=1, players=names)
    np.testing.assert_allclose(est["shapley"], [w[p] for p in names], atol=1e-9)
    vec = shapley_sample(lambda m: m @ np.array(list(w.values())), 10, seed=1, players=names,
                         vectorized=True)
    np.testing.assert_allclose(vec["shapley"], est["shapley"], atol=1e-9)


def test_odd_samples_rounded_up_for_pairs():
    g = random_game(4, 0, "noise")
    assert (shapley_sample(g, 5, seed=0)["samples"] == 6).all()
    assert (shapley_sample(g, 5, seed=0, antithetic=False)["samples"] == 5).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"samples": 3}, "samples must be an integer >= 4"),
        ({"samples": 2.5}, "samples must be an integer"),
        ({"samples": True}, "samples must be an integer"),
        ({"samples": 10, "players": ["a"]}, "taken from the Game"),
    ],
)
def test_bad_arguments_with_game(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        shapley_sample(random_game(3, 0, "noise"), **kwargs)


def test_bad_value_functions():
    with pytest.raises(InvalidInputError, match="needs players"):
        shapley_sample(len, 10)
    with pytest.raises(InvalidInputError, match="Game or a value function"):
        shapley_sample([1, 2, 3], 10)
    with pytest.raises(InvalidInputError, match="must return numbers"):
        shapley_sample(lambda s: "x", 10, players=["a", "b"])
    with pytest.raises(InvalidInputError, match="NaN or infinity"):
        shapley_sample(lambda s: float("nan"), 10, players=["a", "b"])
    with pytest.raises(InvalidInputError, match="returned 1 values"):
        shapley_sample(lambda m: np.zeros(1), 10, players=["a", "b"], vectorized=True)
    with pytest.raises(InvalidInputError, match=r"repeated: \['a'\]"):
        shapley_sample(len, 10, players=["a", "a"])
    with pytest.raises(InvalidInputError, match="not one string"):
        shapley_sample(len, 10, players="ab")
