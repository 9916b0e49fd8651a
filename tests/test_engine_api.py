"""The engine as a newcomer uses it (issue 12): every input form, any labels, exact in
means exact out, and warnings that behave like the standard library's.

Written from the user's side: only public names of ``sharing_models`` are imported.
"""

from __future__ import annotations

import time
import warnings
from fractions import Fraction

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import sharing_models as sm
from sharing_models import (
    EmptyCoreWarning,
    Game,
    KohlbergCertificate,
    TooLargeError,
    claims,
    cost,
    power,
)

STR = ["a", "b", "c", "d"]
INT = [1, 2, 3, 4]
TUP = [("lab", 1), ("lab", 2), ("firm", 1), ("firm", 2)]
NUMS = [4, 3, 2, 1]


def forms(labels: list, values: list) -> dict[str, tuple]:
    """The accepted ways to give one value per player: (data, players=)."""
    return {
        "mapping": (dict(zip(labels, values, strict=True)), None),
        "series": (pd.Series(values, index=pd.Index(labels, tupleize_cols=False)), None),
        "list+players": (list(values), labels),
        "array+players": (np.asarray(values), labels),
        "tuple+players": (tuple(values), labels),
    }


def _same(a: pd.Series | pd.DataFrame, b: pd.Series | pd.DataFrame) -> None:
    assert a.index.tolist() == b.index.tolist()
    np.testing.assert_array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))


# ---------------------------------------------------------------------- per-player input
PER_PLAYER = {
    "Game.weighted_voting": lambda d, p: Game.weighted_voting(d, 6, players=p).shapley(),
    "Game.bankruptcy": lambda d, p: Game.bankruptcy(7, d, players=p).nucleolus(),
    "Game.airport": lambda d, p: Game.airport(d, players=p).shapley(),
    "cost.airport": lambda d, p: cost.airport(d, players=p),
    "power.shapley_shubik": lambda d, p: power.shapley_shubik(d, 6, players=p),
    "power.banzhaf_index": lambda d, p: power.banzhaf_index(d, 6, players=p),
    "power.swing_counts": lambda d, p: power.swing_counts(d, 6, players=p),
    "claims.proportional": lambda d, p: claims.proportional(7, d, players=p),
    "claims.constrained_equal_awards":
        lambda d, p: claims.constrained_equal_awards(7, d, players=p),
    "claims.constrained_equal_losses":
        lambda d, p: claims.constrained_equal_losses(7, d, players=p),
    "claims.talmud": lambda d, p: claims.talmud(7, d, players=p),
    "claims.random_arrival": lambda d, p: claims.random_arrival(7, d, players=p),
    "claims.compare_rules": lambda d, p: claims.compare_rules(7, d, players=p),
}


@pytest.mark.parametrize("name", list(PER_PLAYER))
@pytest.mark.parametrize("labels", [STR, INT, TUP], ids=["str", "int", "tuple"])
def test_every_input_form_gives_the_same_values_with_the_input_labels(name, labels):
    call = PER_PLAYER[name]
    reference = call(*forms(STR, NUMS)["mapping"])
    for form, (data, players) in forms(labels, NUMS).items():
        out = call(data, players)
        assert out.index.tolist() == labels, (name, form)
        np.testing.assert_array_equal(np.asarray(out, dtype=object),
                                      np.asarray(reference, dtype=object), err_msg=form)


@pytest.mark.parametrize("name", list(PER_PLAYER))
def test_a_plain_list_is_labelled_0_to_n_minus_1(name):
    out = PER_PLAYER[name](list(NUMS), None)
    assert out.index.tolist() == [0, 1, 2, 3]
    _same(out.set_axis(STR), PER_PLAYER[name](dict(zip(STR, NUMS, strict=True)), None))


def test_players_reorders_a_mapping_and_must_match_it():
    out = claims.talmud(7, {"a": 4, "b": 3, "c": 2, "d": 1}, players=["d", "c", "b", "a"])
    assert out.index.tolist() == ["d", "c", "b", "a"]
    assert out["a"] == claims.talmud(7, {"a": 4, "b": 3, "c": 2, "d": 1})["a"]
    with pytest.raises(sm.InvalidInputError, match="missing"):
        claims.talmud(7, {"a": 4, "b": 3}, players=["a", "b", "c"])
    with pytest.raises(sm.InvalidInputError, match="2 values for 3"):
        claims.talmud(7, [4, 3], players=["a", "b", "c"])


# ---------------------------------------------------------------------- games and labels
def _game(labels: list, worths: list | None = None) -> Game:
    """A 4-player game with an empty-ish structure: v(S) = |S|^2 + 2*[a and b in S]."""
    masks = np.arange(16)
    size = np.bitwise_count(masks)
    vals = worths or [int(s * s + 2 * ((m & 3) == 3)) for m, s in zip(masks, size, strict=True)]
    return Game.from_array(labels, vals)


def _concepts(labels: list) -> dict[str, object]:
    g = _game(labels)
    a, b, c, d = labels
    return {
        "shapley": sm.shapley(g),
        "banzhaf": sm.banzhaf(g),
        "owen": sm.owen(g, [[a, b], [c, d]]),
        "owen nested": sm.owen(g, [[[a], [b]], [c, d]]),
        "myerson": sm.myerson(g, nx.path_graph(labels)),
        "myerson edges": sm.myerson(g, [(a, b), (b, c)]),
        "weighted_shapley mapping": sm.weighted_shapley(g, dict(zip(labels, NUMS,
                                                                    strict=True))),
        "weighted_shapley series": sm.weighted_shapley(
            g, pd.Series(NUMS, index=pd.Index(labels, tupleize_cols=False))),
        "weighted_shapley list": sm.weighted_shapley(g, NUMS),
        "nucleolus": sm.nucleolus(g),
        "prenucleolus": sm.prenucleolus(g),
        "least_core": sm.least_core(g).allocation,
        "graph_restricted": sm.shapley(sm.graph_restricted(g, [(a, b), (c, d)])),
        "shapley_sample": sm.shapley_sample(g.to_float(), samples=200, seed=3)["shapley"],
    }


@pytest.mark.parametrize("labels", [INT, TUP], ids=["int", "tuple"])
def test_game_concepts_keep_any_hashable_labels(labels):
    ours, reference = _concepts(labels), _concepts(STR)
    for name, out in ours.items():
        assert out.index.tolist() == labels, name
        np.testing.assert_array_equal(np.asarray(out, dtype=object),
                                      np.asarray(reference[name], dtype=object), err_msg=name)


def test_allocations_in_every_form():
    g = _game(INT)
    x = sm.nucleolus(g)
    for data in (x, x.to_dict(), x.tolist(), np.asarray(x.tolist(), dtype=object)):
        assert sm.in_core(g, data) == sm.in_core(g, x)
        assert bool(sm.kohlberg_certify(g, data, kind="nucleolus"))


def test_coalitions_as_labels_or_bitmask():
    g = _game(INT)
    assert g.value([1, 3]) == g.value(0b0101) == g.value({3, 1}) == g.values[5]
    assert g.value([3]) == g.values[4]      # player 3 alone: an int is always a bitmask
    assert g.coalition(5) == frozenset({1, 3})
    h = Game.from_dict(TUP[:2], {(TUP[0],): 1, (TUP[1],): 2, (TUP[0], TUP[1]): 5})
    assert h.value(TUP[0]) == 1 and h.value([TUP[0], TUP[1]]) == 5 and h.value(3) == 5


# ---------------------------------------------------------------------- exactness
EXACT_CONCEPTS = {
    "shapley": lambda g: sm.shapley(g),
    "banzhaf": lambda g: sm.banzhaf(g),
    "banzhaf normalized": lambda g: sm.banzhaf(g, normalized=True),
    "owen": lambda g: sm.owen(g, [list(g.players[: g.n // 2]), list(g.players[g.n // 2:])]),
    "myerson": lambda g: sm.myerson(g, nx.path_graph(g.players)),
    "weighted_shapley": lambda g: sm.weighted_shapley(g, list(range(1, g.n + 1))),
    "nucleolus": lambda g: sm.nucleolus(g),
    "prenucleolus": lambda g: sm.prenucleolus(g),
    "least_core": lambda g: _least_core(g),
    "cost_of_stability": lambda g: pd.Series([sm.cost_of_stability(g)]),
}


def _least_core(g: Game) -> pd.Series:
    """The least core's allocation with its epsilon appended (one LP sequence)."""
    lc = sm.least_core(g)
    out = pd.concat([lc.allocation, pd.Series([lc.epsilon], index=["epsilon"])])
    out.attrs = dict(lc.allocation.attrs)
    return out


def _int_game(n: int, seed: int = 0) -> Game:
    """Integer worths ``|S|^2`` plus a little noise: a superadditive, non-trivial game."""
    rng = np.random.default_rng(seed)
    size = np.bitwise_count(np.arange(1 << n)).astype(np.int64)
    vals = size * size * 10 + rng.integers(0, 9, 1 << n) * (size > 1)
    return Game.from_array(list(range(1, n + 1)), [int(v) for v in vals])


@pytest.mark.parametrize("n", [6, 12, 16])
def test_integer_worths_give_fractions_at_every_size(n):
    g = _int_game(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyCoreWarning)
        for name, concept in EXACT_CONCEPTS.items():
            out = concept(g)
            assert all(type(x) is Fraction for x in out), (name, n)
            if name != "cost_of_stability":  # a scalar
                assert out.attrs["exact"] is True, name
        floats = g.to_float()
        for name, concept in EXACT_CONCEPTS.items():
            if n == 16 and name in ("nucleolus", "prenucleolus", "least_core"):
                continue  # the float LP path is covered at 6 and 12
            out = concept(floats)
            assert all(isinstance(x, float) for x in out), (name, n)


def test_exact_override_both_ways():
    g = _int_game(6)
    assert all(isinstance(x, float) for x in sm.shapley(g, exact=False))
    assert all(type(x) is Fraction for x in sm.nucleolus(g.to_float(), exact=True))
    assert all(isinstance(x, float) for x in sm.nucleolus(g, exact=False))


def test_beyond_the_exact_limit_an_error_names_the_limit_and_the_alternative():
    g = _int_game(17)
    start = time.process_time()
    for concept in (sm.nucleolus, sm.prenucleolus, sm.least_core, sm.cost_of_stability):
        with pytest.raises(TooLargeError, match=r"at most 16 players.*exact=False"):
            concept(g)
    assert time.process_time() - start < 1.0  # refused before any work
    assert all(isinstance(x, float) for x in sm.nucleolus(g, exact=False))
    players = list(range(1, 22))
    big = Game.from_array(players, np.zeros(1 << 21))  # exact=True asked on 21 players
    for concept in (sm.shapley, sm.banzhaf, sm.myerson, sm.owen, sm.weighted_shapley):
        extra = {sm.myerson: [(1, 2)], sm.owen: [players], sm.weighted_shapley: [1] * 21}
        args = [extra[concept]] if concept in extra else []
        with pytest.raises(TooLargeError, match=r"at most 20 players.*exact=False"):
            concept(big, *args, exact=True)


def test_an_exact_zero_is_exactly_zero():
    # d is a null player and c is linked to nobody: both get exactly 0
    g = Game.from_function(["a", "b", "c", "d"],
                           lambda s: 3 * len(s & {"a", "b"}) ** 2 + 7 * ("c" in s))
    my = sm.myerson(g, [("a", "b"), ("b", "d")])
    assert my["d"] == 0 and type(my["d"]) is Fraction
    for concept in (sm.shapley, sm.banzhaf, sm.nucleolus, sm.prenucleolus):
        x = concept(g)
        assert x["d"] == 0 and type(x["d"]) is Fraction, concept.__name__


def test_sympy_rationals_are_exact_input():
    sympy = pytest.importorskip("sympy")
    g = Game.from_array(["a", "b"], [0, sympy.Rational(1, 3), 0, sympy.Integer(1)])
    assert sm.shapley(g).tolist() == [Fraction(2, 3), Fraction(1, 3)]
    assert sm.nucleolus(g).tolist() == [Fraction(2, 3), Fraction(1, 3)]


# ---------------------------------------------------------------------- defaults, metadata
def test_banzhaf_default_is_the_raw_value_and_the_old_default_is_a_keyword():
    g = Game.weighted_voting({"a": 2, "b": 1, "c": 1}, 3)
    assert sm.banzhaf(g).tolist() == [Fraction(3, 4), Fraction(1, 4), Fraction(1, 4)]
    assert sm.banzhaf(g, normalized=True).tolist() == [Fraction(3, 5), Fraction(1, 5),
                                                      Fraction(1, 5)]


def test_results_carry_method_exactness_and_certificate():
    x = sm.nucleolus(_int_game(6))
    assert x.attrs["method"] == "nucleolus" and x.attrs["exact"] is True
    cert = x.attrs["certificate"]
    assert isinstance(cert, KohlbergCertificate) and cert.certified and cert.exact
    assert x.attrs["core_empty"] is False
    assert sm.nucleolus(_int_game(6).to_float()).attrs["certificate"] is None
    assert sm.shapley(_int_game(6)).attrs == {"method": "shapley", "exact": True}


MAJORITY = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])


def test_empty_core_warning_is_a_user_warning_once_per_call_site():
    assert issubclass(EmptyCoreWarning, UserWarning)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # Python's default action: once per location
        for _ in range(5):
            sm.nucleolus(MAJORITY)      # one call site
        for _ in range(5):
            sm.least_core(MAJORITY)     # another
        for _ in range(5):
            MAJORITY.nucleolus()        # through the Game method: still the caller's line
    ours = [w for w in caught if issubclass(w.category, EmptyCoreWarning)]
    assert len(ours) == 3
    assert {w.filename for w in ours} == {__file__}


def test_empty_core_warning_is_silenced_by_the_standard_filter():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", EmptyCoreWarning)
        x = sm.nucleolus(MAJORITY)
    assert not caught
    assert x.attrs["core_empty"] is True
