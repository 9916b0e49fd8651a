"""Every bad input listed in issue 2 ("Bad input") gets the project's own error.

Each case must raise a :class:`ConsortiumError` (a :class:`ValueError`) at the public
function, with a message saying what is wrong; too-large exact problems name the method to
use instead. Valid but suspicious results (an empty core) warn.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest

import sharing_models as sm
from sharing_models import Game, claims, cost, power
from sharing_models.exceptions import (
    ConsortiumError,
    EmptyCoreWarning,
    GameError,
    InvalidInputError,
    TooLargeError,
)
from sharing_models.games.shapley import EXACT_MAX_PLAYERS

ABC = ["a", "b", "c"]
G = Game.from_array(ABC, [0, 1, 1, 3, 1, 3, 3, 6])
SHIFTED = Game.from_array(ABC, [1, 2, 2, 4, 2, 4, 4, 7])  # v(empty) = 1
SHIFTED_F = Game.from_array(ABC, np.array([0.5, 1, 1, 3, 1, 3, 3, 6]))
GLOVE = Game.from_array(ABC, [0, 0, 0, 1, 0, 1, 0, 1])
MAJORITY = Game.from_array(ABC, [0, 0, 0, 1, 0, 1, 1, 1])


def _zeros(n: int) -> Game:
    return Game.from_array([f"p{i}" for i in range(n)], np.zeros(1 << n))


BIG_EXACT = Game.from_array(
    [f"p{i}" for i in range(EXACT_MAX_PLAYERS + 1)],
    np.zeros(1 << (EXACT_MAX_PLAYERS + 1), dtype=np.int64).astype(object),
)

Case = tuple[str, Callable[[], object], type[ConsortiumError], str]

CASES: list[Case] = [
    # unknown player names
    ("value: unknown player", lambda: G.value(("a", "zz")), GameError, "unknown player 'zz'"),
    ("from_dict: unknown player",
     lambda: Game.from_dict(["a", "b"], {(): 0, ("a",): 1, ("b",): 1, ("a", "zz"): 2}),
     GameError, "unknown player"),
    ("from_dict: missing coalition",
     lambda: Game.from_dict(["a", "b"], {(): 0, ("a",): 1, ("b",): 1}),
     GameError, "missing worth"),
    ("in_core: unknown player", lambda: sm.in_core(G, {"a": 1, "b": 1, "zz": 4}),
     InvalidInputError, "one entry per player"),
    ("weighted_shapley: unknown player",
     lambda: sm.weighted_shapley(G, {"a": 1, "b": 1, "zz": 1}), InvalidInputError, "unknown"),
    ("unanimity: unknown player", lambda: Game.unanimity(ABC, ["a", "zz"]), GameError,
     "unknown player 'zz'"),
    # wrong-length worth array
    ("from_array: 3 worths for 3 players", lambda: Game.from_array(ABC, [0, 1, 2]),
     GameError, "needs 8 worths"),
    ("from_array: 9 worths for 3 players", lambda: Game.from_array(ABC, list(range(9))),
     GameError, "needs 8 worths"),
    # v(empty) != 0 where the concept needs it
    ("shapley: v(empty) != 0", lambda: sm.shapley(SHIFTED), GameError, r"shapley needs v\(empty"),
    ("shapley float: v(empty) != 0", lambda: sm.shapley(SHIFTED_F), GameError, "v\\(empty"),
    ("banzhaf: v(empty) != 0", lambda: sm.banzhaf(SHIFTED), GameError, "banzhaf needs"),
    ("owen: v(empty) != 0", lambda: sm.owen(SHIFTED, [["a", "b"], ["c"]]), GameError,
     "owen needs"),
    ("myerson: v(empty) != 0", lambda: sm.myerson(SHIFTED, nx.path_graph(ABC)), GameError,
     "myerson needs"),
    ("weighted_shapley: v(empty) != 0",
     lambda: sm.weighted_shapley(SHIFTED, {"a": 1, "b": 2, "c": 3}), GameError,
     "weighted_shapley needs"),
    ("nucleolus: v(empty) != 0", lambda: sm.nucleolus(SHIFTED), GameError, "nucleolus needs"),
    ("prenucleolus: v(empty) != 0", lambda: sm.prenucleolus(SHIFTED), GameError,
     "prenucleolus needs"),
    ("least_core: v(empty) != 0", lambda: sm.least_core(SHIFTED), GameError,
     "least_core needs"),
    ("core_is_empty: v(empty) != 0", lambda: sm.core_is_empty(SHIFTED), GameError,
     "needs v\\(empty"),
    ("in_core: v(empty) != 0", lambda: sm.in_core(SHIFTED, [2, 2, 2]), GameError,
     "in_core needs"),
    # negative claims
    ("talmud: negative claim", lambda: claims.talmud(100, {"a": -1, "b": 200}),
     InvalidInputError, "negative"),
    ("proportional: negative claim", lambda: claims.proportional(100, {"a": -1, "b": 200}),
     InvalidInputError, "negative"),
    ("random_arrival: negative claim",
     lambda: claims.random_arrival(100, {"a": -1, "b": 200}), InvalidInputError, "negative"),
    ("Game.bankruptcy: negative claim", lambda: Game.bankruptcy(10, {"a": -1, "b": 20}),
     InvalidInputError, "negative|>= 0"),
    # estate larger than the total claims
    ("talmud: estate > claims", lambda: claims.talmud(1000, {"a": 100, "b": 200}),
     InvalidInputError, "exceeds the total claims"),
    ("constrained_equal_awards: estate > claims",
     lambda: claims.constrained_equal_awards(Fraction(601), {"a": 100, "b": 500}),
     InvalidInputError, "exceeds"),
    ("constrained_equal_losses: estate > claims",
     lambda: claims.constrained_equal_losses(301.5, {"a": 100, "b": 200}),
     InvalidInputError, "exceeds"),
    ("Game.bankruptcy: estate > claims", lambda: Game.bankruptcy(1000, {"a": 100, "b": 200}),
     InvalidInputError, "exceeds the total claims"),
    # quota above the total weight
    ("shapley_shubik: quota > total", lambda: power.shapley_shubik({"a": 1, "b": 2}, 4),
     InvalidInputError, "total weight 3"),
    ("banzhaf_index: quota > total", lambda: power.banzhaf_index({"a": 1, "b": 2}, 4),
     InvalidInputError, "total weight 3"),
    ("Game.weighted_voting: quota > total",
     lambda: Game.weighted_voting({"a": 1, "b": 2}, 4), GameError, "total weight 3"),
    # a graph with unknown nodes
    ("myerson: unknown graph node",
     lambda: sm.myerson(G, nx.Graph([("a", "b"), ("b", "zz")])), InvalidInputError,
     "'zz' are not players"),
    # unions that do not partition the players
    ("owen: overlapping unions", lambda: sm.owen(G, [["a", "b"], ["b", "c"]]),
     InvalidInputError, r"partition.*repeated: \['b'\]"),
    ("owen: player missing", lambda: sm.owen(G, [["a", "b"]]), InvalidInputError,
     r"partition.*missing: \['c'\]"),
    ("owen: unknown player", lambda: sm.owen(G, [["a", "b"], ["c", "zz"]]),
     InvalidInputError, r"partition.*unknown: \['zz'\]"),
    ("owen nested: bad inner level", lambda: sm.owen(G, [[["a"], ["a", "b"]], [["c"]]]),
     InvalidInputError, "partition|repeated"),
    # n too large for an exact method: the message names the method to use instead
    ("shapley exact: too many players", lambda: sm.shapley(BIG_EXACT, exact=True),
     TooLargeError, r"exact=False"),
    ("banzhaf exact: too many players", lambda: sm.banzhaf(BIG_EXACT, exact=True),
     TooLargeError, r"exact=False|banzhaf\(game\)"),
    ("owen exact: too many players",
     lambda: sm.owen(BIG_EXACT, [list(BIG_EXACT.players)], exact=True), TooLargeError,
     r"at most 20 players.*exact=False"),
    ("myerson exact: too many players",
     lambda: sm.myerson(BIG_EXACT, nx.path_graph(BIG_EXACT.players), exact=True),
     TooLargeError, r"at most 20 players.*exact=False"),
    ("weighted_shapley exact: too many players",
     lambda: sm.weighted_shapley(BIG_EXACT, [1] * BIG_EXACT.n, exact=True), TooLargeError,
     r"at most 20 players.*exact=False"),
    ("nucleolus exact: too many players", lambda: sm.nucleolus(_zeros(17), exact=True),
     TooLargeError, "at most 16 players.*exact=False"),
    ("nucleolus exact by default: too many players",
     lambda: sm.nucleolus(Game.from_array([f"p{i}" for i in range(17)], [0] * (1 << 17))),
     TooLargeError, "at most 16 players.*exact=False"),
    ("Game.from_function: too many players",
     lambda: Game.from_function([f"p{i}" for i in range(40)], len), TooLargeError,
     "shapley_sample"),
    # airport costs
    ("cost.airport: negative cost", lambda: cost.airport({"a": -1, "b": 2}),
     InvalidInputError, ">= 0"),
]


@pytest.mark.parametrize(("label", "call", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_project_error(
    label: str, call: Callable[[], object], error: type[ConsortiumError], message: str
) -> None:
    with pytest.raises(error, match=message) as info:
        call()
    assert isinstance(info.value, ConsortiumError)
    assert isinstance(info.value, ValueError)
    assert len(str(info.value)) >= 20, "the message should say what is wrong"


def test_valid_versions_of_the_cases_work() -> None:
    """The same calls with the input fixed succeed (the errors are about the input)."""
    assert sm.shapley(G).sum() == pytest.approx(6)
    assert sm.shapley(Game.from_array(ABC, np.array([1e-15, 1, 1, 3, 1, 3, 3, 6]))).sum() == (
        pytest.approx(6)
    )
    assert sm.owen(G, [["a", "b"], ["c"]]).sum() == pytest.approx(6)
    assert sm.myerson(G, nx.Graph([("a", "b"), ("b", "c")])).sum() == pytest.approx(6)
    assert claims.talmud(300, {"a": 100, "b": 200}).sum() == 300
    assert power.shapley_shubik({"a": 1, "b": 2}, 3).tolist() == [Fraction(1, 2), Fraction(1, 2)]
    assert sm.nucleolus(_zeros(13)).abs().max() < 1e-9


def test_empty_core_warns_for_nucleolus_and_least_core() -> None:
    """The three-player majority game has an empty core: results are valid but warn."""
    with pytest.warns(EmptyCoreWarning, match="core is empty"):
        x = sm.nucleolus(MAJORITY)
    assert x.tolist() == [Fraction(1, 3)] * 3
    with pytest.warns(EmptyCoreWarning):
        sm.least_core(MAJORITY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sm.nucleolus(GLOVE).tolist() == [1, 0, 0]  # non-empty core: no warning
        sm.nucleolus(G.to_float())
