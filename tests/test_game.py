"""Tests of the Game container: constructors, access, algebra and property checks."""

from fractions import Fraction

import numpy as np
import pytest

from sharing_models import ConsortiumError, Game, GameError, TooLargeError
from sharing_models.games.game import PROGRESS_PLAYERS


def glove() -> Game:
    """Glove game: a owns a left glove, b and c right gloves; a pair is worth 1."""
    return Game.from_dict(
        ["a", "b", "c"],
        {("a",): 0, ("b",): 0, ("c",): 0, ("a", "b"): 1, ("a", "c"): 1, ("b", "c"): 0,
         ("a", "b", "c"): 1},
    )


def test_errors_are_value_errors():
    assert issubclass(GameError, ConsortiumError)
    assert issubclass(ConsortiumError, ValueError)


def test_from_dict_missing_coalition_named():
    with pytest.raises(GameError, match=r"missing worth.*\['a', 'b'\]"):
        Game.from_dict(["a", "b"], {("a",): 1, ("b",): 1})


def test_unknown_player():
    with pytest.raises(GameError, match="unknown player 'z'"):
        glove().value(("a", "z"))


def test_wrong_length():
    with pytest.raises(GameError, match="needs 8 worths"):
        Game.from_array(["a", "b", "c"], np.zeros(7))


def test_duplicate_players():
    with pytest.raises(GameError, match="unique"):
        Game.from_array(["a", "a"], [0, 0, 0, 0])


def test_too_large():
    with pytest.raises(TooLargeError, match="shapley_sample"):
        Game.from_function([f"p{i}" for i in range(40)], len)


def test_exact_and_float_modes():
    assert glove().exact
    assert glove().value("ab") == Fraction(1)
    g = Game.from_array(["a", "b"], np.array([0.0, 1.0, 1.0, 3.0]))
    assert not g.exact and g.value(("a", "b")) == 3.0


def test_algebra():
    g = glove()
    assert (g + g).value("abc") == 2
    assert (g - g).value("abc") == 0
    assert (3 * g).value("ab") == 3
    assert (-g).value("ab") == -1
    with pytest.raises(GameError):
        _ = g + Game.from_array(["x", "y", "z"], [0] * 8)


def test_properties_glove():
    g = glove()
    assert g.is_monotone() and g.is_superadditive() and g.is_essential()
    assert not g.is_convex()


def test_airport_is_cost_game():
    g = Game.airport({"a": 1, "b": 3, "c": 2})
    assert g.cost
    assert [g.value(s) for s in ("a", "b", "c", "abc", "ac")] == [1, 3, 2, 3, 2]
    assert g.is_superadditive()  # subadditive costs
    assert g.as_savings().value("abc") == -3


def test_bankruptcy_and_voting():
    b = Game.bankruptcy(200, {"a": 100, "b": 200, "c": 300})
    assert b.value("bc") == 100 and b.value("abc") == 200 and b.value("c") == 0
    with pytest.raises(ConsortiumError, match="exceeds the total claims"):
        Game.bankruptcy(700, {"a": 100, "b": 200, "c": 300})
    w = Game.weighted_voting({"a": 2, "b": 1, "c": 1}, 3)
    assert w.value("ab") == 1 and w.value("bc") == 0
    with pytest.raises(GameError, match="quota"):
        Game.weighted_voting({"a": 2, "b": 1}, 4)


def test_unanimity_and_restrict():
    u = Game.unanimity(["a", "b", "c"], ["a", "b"])
    assert u.value("ab") == 1 and u.value("ac") == 0 and u.is_convex()
    sub = u.restrict(["a", "b"])
    assert sub.players == ("a", "b") and sub.value("ab") == 1


def test_superadditive_chunked_matches_small():
    rng = np.random.default_rng(1)
    n = 13
    # additive game: superadditive with equality
    w = rng.random(n)
    masks = np.arange(1 << n)
    vals = ((masks[:, None] >> np.arange(n)) & 1) @ w
    g = Game.from_array([f"p{i}" for i in range(n)], vals)
    assert g.is_superadditive()
    vals2 = vals.copy()
    vals2[-1] -= 1.0
    assert not Game.from_array(g.players, vals2).is_superadditive()


def test_weighted_voting_compares_large_integer_weights_exactly():
    """[10^17 + 1; 10^17, 1]: only both together win. Float sums (10^17 + 1 rounds to
    10^17) used to make the big voter a dictator."""
    g = Game.weighted_voting({"a": 10**17, "b": 1}, 10**17 + 1)
    assert g.values.tolist() == [0, 0, 0, 1]
    h = Game.weighted_voting({"a": 10**30, "b": 1, "c": 5}, 10**30 + 1)  # beyond int64
    assert [h.value(s) for s in (("a",), ("a", "b"), ("b", "c"))] == [0, 1, 0]
    k = Game.weighted_voting({"a": Fraction(1, 3), "b": Fraction(2, 3)}, Fraction(2, 3))
    assert k.values.tolist() == [0, 0, 1, 1]


def test_exact_bankruptcy_game_matches_definition_and_is_vectorised():
    """O'Neill (1982): v(S) = max(0, E - sum of claims outside S), exactly, for integer,
    Fraction and huge claims; 16 claimants build in well under a second (the former
    per-coalition Python loop took over 1 s)."""
    import itertools
    import time

    rng = np.random.default_rng(7)
    for claims in (
        {f"p{i}": int(x) for i, x in enumerate(rng.integers(0, 50, 6))},
        {"a": Fraction(1, 3), "b": Fraction(5, 7), "c": 2, "d": 10**20},
    ):
        total = sum(claims.values(), Fraction(0))
        for estate in (Fraction(0), total / 3, Fraction(total)):
            g = Game.bankruptcy(estate, claims)
            names = list(claims)
            for r in range(len(names) + 1):
                for s in itertools.combinations(names, r):
                    outside = sum((claims[p] for p in names if p not in s), Fraction(0))
                    assert g.value(s) == max(Fraction(0), estate - outside)
    t0 = time.perf_counter()
    Game.bankruptcy(500, {f"p{i}": 10 * i + 5 for i in range(16)})
    assert time.perf_counter() - t0 < 1.0


def test_from_function_shows_progress_on_large_games(capsys):
    """2^18 Python calls: a tqdm bar on stderr when asked, none when told not to."""
    players = [f"p{i}" for i in range(PROGRESS_PLAYERS)]
    game = Game.from_function(players, len, progress=True)
    assert game.value(players) == PROGRESS_PLAYERS
    assert "Game.from_function" in capsys.readouterr().err
    Game.from_function(players, len, progress=False)
    assert capsys.readouterr().err == ""
