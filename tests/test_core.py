"""Core membership, core emptiness, least core and cost of stability."""

from __future__ import annotations

import warnings
from fractions import Fraction as F  # noqa: N817

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from sharing_models import (
    EmptyCoreWarning,
    Game,
    GameError,
    InvalidInputError,
    LeastCore,
    core_is_empty,
    cost_of_stability,
    in_core,
    least_core,
    nucleolus,
)
from tests.strategies import convex_games, games_with_core_point, integer_games

FAST = settings(max_examples=40, deadline=None)
GLOVE = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 0, 1])
MAJORITY3 = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])


def _quiet_least_core(g: Game) -> LeastCore:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyCoreWarning)
        return least_core(g)


# ---------------------------------------------------------------- in_core
def test_glove_core_is_single_point():
    """Glove game: x_a + x_b >= 1, x_a + x_c >= 1, x(N) = 1 force core = {(1, 0, 0)}."""
    assert in_core(GLOVE, {"a": 1, "b": 0, "c": 0})
    assert in_core(GLOVE, pd.Series([0, 0, 1], index=["c", "b", "a"]))
    assert not in_core(GLOVE, [F(2, 3), F(1, 6), F(1, 6)])  # its Shapley value
    assert not in_core(GLOVE, [1, 0.1, 0])  # not efficient
    assert in_core(GLOVE.to_float(), [1 - 1e-12, 1e-12, 0.0])
    assert not in_core(GLOVE.to_float(), [1 - 1e-4, 1e-4, 0.0])
    assert not core_is_empty(GLOVE) and cost_of_stability(GLOVE) == 0


def test_in_core_cost_game_reads_cost_shares():
    g = Game.airport({"s": 4, "m": 6, "l": 10})
    assert in_core(g, [2, 2, 6])
    assert in_core(g, [4, 2, 4])
    assert not in_core(g, [5, 1, 4])  # s pays more than its stand-alone cost 4
    assert not in_core(g, [1, 1, 7])  # not efficient: 9 != 10


def test_in_core_rejects_bad_allocations():
    with pytest.raises(InvalidInputError, match="3 entries"):
        in_core(GLOVE, [1, 0])
    with pytest.raises(InvalidInputError, match="one entry per player"):
        in_core(GLOVE, {"a": 1, "b": 0, "x": 0})
    with pytest.raises(InvalidInputError, match="finite"):
        in_core(GLOVE, [np.nan, 0, 0])
    with pytest.raises(InvalidInputError, match="numbers"):
        in_core(GLOVE, ["one", 0, 0])


# ---------------------------------------------------------------- empty cores
def test_majority_game_empty_core():
    """3-player majority game: pairs need x(S) >= 1, so sum >= 3/2 and CoS = 1/2
    (Bachrach et al. 2009); least core epsilon = 1/3 at (1/3, 1/3, 1/3)."""
    assert core_is_empty(MAJORITY3)
    assert cost_of_stability(MAJORITY3) == F(1, 2)
    with pytest.warns(EmptyCoreWarning, match="epsilon = 1/3"):
        lc = least_core(MAJORITY3)
    assert lc.epsilon == F(1, 3)
    assert lc.allocation.tolist() == [F(1, 3)] * 3 and lc.allocation.name == "least_core"


@pytest.mark.parametrize(("n", "q"), [(5, 3), (6, 4), (7, 3), (9, 5)])
def test_symmetric_threshold_games_cost_of_stability(n, q):
    """Symmetric q-of-n simple games: by symmetry the CoS LP has the optimum x_i = 1/q,
    so CoS = n/q - 1 (Bachrach et al. 2009, threshold games)."""
    sizes = np.bitwise_count(np.arange(1 << n, dtype=np.uint64)).astype(int)
    g = Game.from_array([f"p{i}" for i in range(n)], (sizes >= q).astype(int).tolist())
    assert cost_of_stability(g) == F(n, q) - 1
    assert cost_of_stability(g.to_float()) == pytest.approx(n / q - 1, abs=1e-9)
    assert core_is_empty(g) and core_is_empty(g.to_float())


def test_cost_game_minimal_subsidy():
    """Costs c(i) = c(pair) = 1, c(N) = 2: core needs x(pair) <= 1, so at most 3/2 can be
    charged; the minimal subsidy is 2 - 3/2 = 1/2."""
    g = Game.from_array(["a", "b", "c"], [0, 1, 1, 1, 1, 1, 1, 2], cost=True)
    assert core_is_empty(g)
    assert cost_of_stability(g) == F(1, 2)
    assert cost_of_stability(g.to_float()) == pytest.approx(0.5)


def test_large_float_game_uses_constraint_generation():
    """n = 14 convex game (|S|^2): core non-empty, CoS 0; a 14-player majority: n/q - 1."""
    n = 14
    sizes = np.bitwise_count(np.arange(1 << n, dtype=np.uint64)).astype(float)
    assert cost_of_stability(Game.from_array([f"p{i}" for i in range(n)], sizes**2)) == 0.0
    maj = Game.from_array([f"p{i}" for i in range(n)], (sizes >= 8).astype(float))
    assert cost_of_stability(maj) == pytest.approx(14 / 8 - 1, abs=1e-9)


# ---------------------------------------------------------------- properties
@FAST
@given(integer_games(max_n=5))
def test_emptiness_least_core_and_cost_of_stability_agree(g):
    """core non-empty <=> least-core epsilon <= 0 <=> CoS = 0 (all exact)."""
    cos = cost_of_stability(g)
    lc = _quiet_least_core(g)
    assert isinstance(cos, F) and cos >= 0
    empty = core_is_empty(g)
    assert empty == (cos > 0) == (lc.epsilon > 0)
    assert sum(lc.allocation) == g.grand_value
    if not empty:
        assert in_core(g, lc.allocation)


@FAST
@given(integer_games(max_n=5))
def test_cost_of_stability_is_the_least_subsidy(g):
    """Adding CoS to v(N) makes the core non-empty; anything less leaves it empty."""
    cos = cost_of_stability(g)
    vals = list(g.values)
    vals[-1] += cos
    assert not core_is_empty(Game.from_array(g.players, vals))
    if cos > 0:
        vals[-1] -= cos / 10
        assert core_is_empty(Game.from_array(g.players, vals))


@FAST
@given(games_with_core_point(max_n=5))
def test_games_with_core_point_have_nonempty_core(g):
    assert not core_is_empty(g)
    assert cost_of_stability(g) == 0
    assert least_core(g).epsilon <= 0
    assert in_core(g, nucleolus(g))


@FAST
@given(convex_games(max_n=5))
def test_convex_games_marginal_vectors_in_core(g):
    """Shapley (1971): every marginal vector of a convex game is in the core."""
    x, m = [], 0
    for i in range(g.n):
        x.append(g.values[m | 1 << i] - g.values[m])
        m |= 1 << i
    assert in_core(g, x)
    assert cost_of_stability(g) == 0


def test_float_and_exact_least_core_agree():
    g = Game.from_array(["a", "b", "c", "d"], [0, 1, 2, 4, 0, 3, 3, 6, 1, 2, 4, 7, 2, 5, 5, 9])
    lc_exact, lc_float = _quiet_least_core(g), _quiet_least_core(g.to_float())
    assert float(lc_exact.epsilon) == pytest.approx(lc_float.epsilon, abs=1e-9)
    np.testing.assert_allclose(lc_float.allocation.to_numpy(float),
                               lc_exact.allocation.to_numpy(float), atol=1e-9)


def test_symbolic_worths_give_a_clear_error():
    sp = pytest.importorskip("sympy")
    g = Game.from_array(["a", "b"], [0, sp.Symbol("a"), 1, 3])
    for call in (lambda: cost_of_stability(g), lambda: in_core(g, [1, 2]),
                 lambda: core_is_empty(g)):
        with pytest.raises(GameError, match="symbol"):
            call()


def test_numeric_sympy_worths_stay_exact():
    sp = pytest.importorskip("sympy")
    g = Game.from_array(["a", "b", "c"], [sp.Integer(0), 0, 0, sp.Rational(9, 2), 0, 4, 2, 6])
    assert cost_of_stability(g) == 0
    assert in_core(g, [F(7, 2), F(1), F(3, 2)])


# ---------------------------------------------------------------- private helpers
def test_top_violations_picks_largest_above_threshold():
    from sharing_models._kernels.lp import top_violations

    score = np.array([0.5, 3.0, -1.0, 2.0, 9.0, 0.1])
    assert sorted(top_violations(score, 0.4, 2).tolist()) == [1, 4]
    assert sorted(top_violations(score, 0.4, 10).tolist()) == [0, 1, 3, 4]
    assert top_violations(score, 10.0, 3).size == 0


def test_coalition_rows_csr_layout():
    from sharing_models._kernels.lp import coalition_rows

    starts, index, value = coalition_rows(np.array([5, 2]), 3, extra_col=3)
    assert starts.tolist() == [0, 3]
    assert index.tolist() == [0, 2, 3, 1, 3]
    assert value.tolist() == [1.0] * 5


def test_allocation_array_modes():
    from sharing_models._kernels.lp import allocation_array

    assert allocation_array(GLOVE, [1, 0, 0]).dtype == object
    assert allocation_array(GLOVE, np.array([1, 0, 0])).tolist() == [F(1), F(0), F(0)]
    assert allocation_array(GLOVE, [1.0, 0, 0]).dtype == float
    s = pd.Series({"c": 0.25, "a": 0.5, "b": 0.25})
    assert allocation_array(GLOVE, s).tolist() == [0.5, 0.25, 0.25]


def test_least_core_of_cost_games():
    """Cost orientation: epsilon is the largest overcharge x(S) - c(S). With c(i) =
    c(pair) = 1 and c(N) = 2, equal shares 2/3 overcharge each pair by 1/3 (the least
    possible: the three pair constraints sum to 2 x(N) <= 3 + 3 eps)."""
    g = Game.from_array(["a", "b", "c"], [0, 1, 1, 1, 1, 1, 1, 2], cost=True)
    with pytest.warns(EmptyCoreWarning):
        lc = least_core(g)
    assert lc.epsilon == F(1, 3) and lc.allocation.tolist() == [F(2, 3)] * 3
    airport = Game.airport({"s": 4, "m": 6, "l": 10})
    lc = least_core(airport)
    assert lc.epsilon <= 0 and in_core(airport, lc.allocation)


@pytest.mark.parametrize("factor", [1e-8, 1e8])
def test_core_tolerances_are_relative(factor):
    """The 3-player majority game scaled by 1e-8 or 1e8 keeps CoS = factor/2."""
    g = MAJORITY3.to_float() * factor
    assert cost_of_stability(g) == pytest.approx(factor / 2, rel=1e-9)
    assert core_is_empty(g)
    assert in_core(GLOVE.to_float() * factor, [factor, 0.0, 0.0])
    assert not in_core(GLOVE.to_float() * factor, [0.99 * factor, 0.01 * factor, 0.0])
