"""Nucleolus, prenucleolus and Kohlberg certification: published values and axioms."""

from __future__ import annotations

import warnings
from fractions import Fraction as F  # noqa: N817

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing_models import (
    Game,
    GameError,
    InvalidInputError,
    TooLargeError,
    in_core,
    kohlberg_certify,
    nucleolus,
    prenucleolus,
)
from sharing_models.games.core import core_is_empty
from tests.strategies import (
    convex_games,
    games_with_core_point,
    integer_games,
    superadditive_games_with_core,
    symmetric_games,
)

FAST = settings(max_examples=40, deadline=None)


def _certified(game: Game, x: pd.Series, kind: str) -> None:
    cert = kohlberg_certify(game, x, kind=kind)
    assert cert, cert.reason
    assert bool(cert) is cert.certified


def _imputations_exist(g: Game) -> bool:
    v = g._oriented()
    return v[-1] >= sum(v[1 << i] for i in range(g.n))


# ---------------------------------------------------------------- published values
def test_glove_game():
    """Glove game (one left glove a, right gloves b, c): core = {(1, 0, 0)}.

    Textbook glove market: x_a + x_b >= 1, x_a + x_c >= 1 and x_a + x_b + x_c = 1 force
    x_b = x_c = 0, x_a = 1. The nucleolus lies in the core, so it is this point, while
    the Shapley value is (2/3, 1/6, 1/6).
    """
    g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 0, 1])
    x = nucleolus(g)
    assert x.name == "nucleolus" and list(x.index) == ["a", "b", "c"]
    assert x.tolist() == [F(1), F(0), F(0)]
    assert prenucleolus(g).tolist() == [F(1), F(0), F(0)]
    _certified(g, x, "nucleolus")


@pytest.mark.parametrize(
    ("estate", "expected"),
    [(100, [F(100, 3)] * 3), (200, [F(50), F(75), F(75)]), (300, [F(50), F(100), F(150)])],
)
def test_bankruptcy_nucleolus_is_talmud_rule(estate, expected):
    """Aumann & Maschler (1985), Table 1: claims 100/200/300; the nucleolus of the
    bankruptcy game is the Talmud's division for estates 100, 200 and 300."""
    g = Game.bankruptcy(estate, {"a": 100, "b": 200, "c": 300})
    x = nucleolus(g)
    assert x.tolist() == expected
    _certified(g, x, "nucleolus")
    xf = nucleolus(g.to_float())
    np.testing.assert_allclose(xf.to_numpy(float), [float(e) for e in expected], atol=1e-9)


def test_nucleolus_differs_from_shapley_hand_solved():
    """Hand-solved 3-player game v(ab) = v(ac) = 4, v(bc) = 2, v(N) = 6, v(i) = 0.

    b and c are symmetric, so x = (6 - 2y, y, y). The excesses are -y (b, c), y - 2
    (ab, ac), 2 - 2y (bc), 2y - 6 (a); the largest is minimised where y - 2 = 2 - 2y,
    y = 4/3: nucleolus (10/3, 4/3, 4/3), least-core level -2/3. The Shapley value is
    (8/3, 5/3, 5/3) (marginal contributions averaged over the 6 orders).
    """
    g = Game.from_array(["a", "b", "c"], [0, 0, 0, 4, 0, 4, 2, 6])
    x = nucleolus(g)
    assert x.tolist() == [F(10, 3), F(4, 3), F(4, 3)]
    assert x.tolist() != [F(8, 3), F(5, 3), F(5, 3)]
    _certified(g, x, "nucleolus")


def _littlechild(costs: list[int]) -> list[F]:
    """Littlechild (1974): nucleolus of the airport game for sorted costs c_1 <= ... <= c_n.

    Repeatedly give the next block of players k0+1..k the share
    min_k (c_k - x_1 - ... - x_{k0}) / (k - k0 + 1) (the block of the largest minimiser),
    and the largest player the rest.
    """
    n = len(costs)
    shares: list[F] = []
    k0, base = 0, F(0)
    while k0 < n - 1:
        best, arg = None, None
        for k in range(k0 + 1, n):
            r = F(costs[k - 1] - base, k - k0 + 1)
            if best is None or r <= best:
                best, arg = r, k
        shares += [best] * (arg - k0)
        k0, base = arg, sum(shares, F(0))
    shares.append(F(costs[-1]) - sum(shares, F(0)))
    return shares


def test_airport_game_littlechild_example():
    """Littlechild (1974) closed form on costs 2, 6, 9, 12.

    x_a = min(2/2, 6/3, 9/4) = 1; x_b = min((6-1)/2, (9-1)/3) = 5/2;
    x_c = (9-1-5/2)/2 = 11/4; x_d = 12 - 1 - 5/2 - 11/4 = 23/4.
    """
    g = Game.airport({"a": 2, "b": 6, "c": 9, "d": 12})
    x = nucleolus(g)
    assert x.tolist() == [F(1), F(5, 2), F(11, 4), F(23, 4)] == _littlechild([2, 6, 9, 12])
    assert in_core(g, x)
    _certified(g, x, "nucleolus")


@FAST
@given(st.lists(st.integers(1, 30), min_size=2, max_size=6))
def test_airport_matches_littlechild_formula(costs):
    """Littlechild (1974): nucleolus of any airport game equals the closed form."""
    costs = sorted(costs)
    g = Game.airport({f"p{i}": c for i, c in enumerate(costs)})
    x = nucleolus(g)
    assert x.tolist() == _littlechild(costs)
    _certified(g, x, "nucleolus")


# ---------------------------------------------------------------- degenerate games
def test_zero_game_all_coalitions_tight():
    g = Game.from_array([f"p{i}" for i in range(6)], np.zeros(64))
    for fn in (nucleolus, prenucleolus):
        np.testing.assert_allclose(fn(g).to_numpy(float), 0.0, atol=1e-12)


def test_additive_game_gives_stand_alone_worths():
    """Additive game v(S) = sum of w_i: every coalition has excess 0 at x = w."""
    w = np.array([3.0, -1.0, 2.5, 0.0, 7.0, 1.0, 4.0])
    masks = np.arange(1 << 7)
    v = ((masks[:, None] >> np.arange(7)) & 1) @ w
    g = Game.from_array([f"p{i}" for i in range(7)], v)
    np.testing.assert_allclose(prenucleolus(g).to_numpy(), w, atol=1e-9)
    np.testing.assert_allclose(nucleolus(g).to_numpy(), w, atol=1e-9)


def test_unanimity_game_shares_carrier_equally():
    g = Game.unanimity(["a", "b", "c", "d", "e"], ["b", "d", "e"])
    assert nucleolus(g).tolist() == [0, F(1, 3), 0, F(1, 3), F(1, 3)]
    _certified(g, nucleolus(g), "nucleolus")


def test_symmetric_float_game_equal_split():
    n = 9
    sizes = np.bitwise_count(np.arange(1 << n, dtype=np.uint64)).astype(float)
    g = Game.from_array([f"p{i}" for i in range(n)], sizes**1.5)
    np.testing.assert_allclose(nucleolus(g).to_numpy(), (n**1.5) / n, rtol=1e-9)


def test_single_player():
    g = Game.from_array(["solo"], [0, 5])
    assert nucleolus(g).tolist() == [F(5)]
    assert prenucleolus(g.to_float()).tolist() == [5.0]


def test_cost_game_is_minus_savings_nucleolus():
    costs = {"a": 3, "b": 5, "c": 8, "d": 8}
    g = Game.airport(costs)
    x = nucleolus(g)
    y = nucleolus(g.as_savings())
    assert x.tolist() == [-a for a in y.tolist()]
    assert all(x[p] <= costs[p] for p in costs)


# ---------------------------------------------------------------- errors and modes
def test_empty_imputation_set_is_an_error_but_prenucleolus_works():
    g = Game.from_array(["a", "b"], [0, 3, 2, 4])
    with pytest.raises(GameError, match="imputation set is empty"):
        nucleolus(g)
    x = prenucleolus(g)
    assert x.tolist() == [F(5, 2), F(3, 2)]
    _certified(g, x, "prenucleolus")


def test_exact_too_large():
    g = Game.from_array([f"p{i}" for i in range(17)], np.zeros(1 << 17))
    with pytest.raises(TooLargeError, match=r"at most 16 players.*exact=False"):
        nucleolus(g, exact=True)


def test_exact_flag_on_float_game_gives_fractions():
    g = Game.from_array(["a", "b", "c"], [0.0, 0, 0, 4, 0, 4, 2, 6])
    x = nucleolus(g, exact=True)
    assert x.tolist() == [F(10, 3), F(4, 3), F(4, 3)]
    xf = nucleolus(Game.from_array(["a", "b", "c"], [0, 0, 0, 4, 0, 4, 2, 6]), exact=False)
    assert xf.dtype == float
    np.testing.assert_allclose(xf.to_numpy(), [10 / 3, 4 / 3, 4 / 3], atol=1e-12)


def test_game_method_calls_nucleolus():
    g = Game.bankruptcy(200, {"a": 100, "b": 200, "c": 300})
    assert g.nucleolus().equals(nucleolus(g))


# ---------------------------------------------------------------- Kohlberg certificates
def test_certificate_rejects_wrong_allocations():
    g = Game.bankruptcy(200, {"a": 100, "b": 200, "c": 300})
    bad = kohlberg_certify(g, {"a": F(50), "b": F(80), "c": F(70)}, kind="nucleolus")
    assert not bad and bad.exact and "not balanced" in bad.reason and bad.failed_coalitions
    assert "efficient" in kohlberg_certify(g, [50, 75, 70]).reason
    assert "individually rational" in kohlberg_certify(
        Game.from_array(["a", "b"], [0, 1, 1, 4]), [-1, 5], kind="nucleolus"
    ).reason
    assert not kohlberg_certify(g.to_float(), [50.0, 75.001, 74.999])


def test_certificate_input_errors():
    g = Game.from_array(["a", "b"], [0, 1, 1, 4])
    with pytest.raises(InvalidInputError, match="one entry per player"):
        kohlberg_certify(g, {"a": 1, "z": 3})
    with pytest.raises(InvalidInputError, match="kind"):
        kohlberg_certify(g, [2, 2], kind="kernel")


def test_nucleolus_vs_prenucleolus_when_they_differ():
    """Hand-solved: v(i) = 0, v(ab) = 4, other pairs 0, v(N) = 3.

    With x = (y, y, 3 - 2y) the top excesses are e(ab) = 4 - 2y and e(c) = 2y - 3, equal
    at y = 7/4: prenucleolus (7/4, 7/4, -1/2), not individually rational. Over
    imputations x_c >= 0 forces y <= 3/2: nucleolus (3/2, 3/2, 0). Each is certified
    only under its own criterion.
    """
    g = Game.from_array(["a", "b", "c"], [0, 0, 0, 4, 0, 0, 0, 3])
    pre, nuc = prenucleolus(g), nucleolus(g)
    assert pre.tolist() == [F(7, 4), F(7, 4), F(-1, 2)] and nuc.tolist() == [F(3, 2), F(3, 2), F(0)]
    assert kohlberg_certify(g, nuc, kind="nucleolus")
    assert not kohlberg_certify(g, nuc, kind="prenucleolus")
    assert not kohlberg_certify(g, pre, kind="nucleolus")


def test_float_games_agree_with_peer_and_certify():
    """Random float games, n = 4..10: certified with tolerance and equal to coopgame-py."""
    coopgame = pytest.importorskip("coopgame")
    rng = np.random.default_rng(7)
    for n in range(4, 11):
        sizes = np.bitwise_count(np.arange(1 << n, dtype=np.uint64)).astype(float)
        v = sizes**2 * rng.uniform(0, 1, 1 << n)
        v[0] = 0.0
        g = Game.from_array([f"p{i}" for i in range(n)], v)
        for fn, kind, dom in ((nucleolus, "nucleolus", "imputation"),
                              (prenucleolus, "prenucleolus", "preimputation")):
            x = fn(g)
            assert kohlberg_certify(g, x, kind=kind)
            peer = coopgame.nucleolus(coopgame.Game(v[1:].tolist()), dom)["allocation"]
            np.testing.assert_allclose(x.to_numpy(), peer, atol=1e-7)


# ---------------------------------------------------------------- axioms (hypothesis)
@FAST
@given(integer_games(max_n=5))
def test_prenucleolus_certified_and_efficient(g):
    x = prenucleolus(g)
    assert sum(x) == g.grand_value
    _certified(g, x, "prenucleolus")


@FAST
@given(integer_games(max_n=5, lo=0))
def test_nucleolus_certified_individually_rational(g):
    if not _imputations_exist(g):
        with pytest.raises(GameError):
            nucleolus(g)
        return
    x = nucleolus(g)
    assert sum(x) == g.grand_value
    assert all(x.iloc[i] >= g.values[1 << i] for i in range(g.n))
    _certified(g, x, "nucleolus")


@FAST
@given(games_with_core_point(max_n=5))
def test_nucleolus_in_core_when_core_nonempty(g):
    assert not core_is_empty(g)
    assert in_core(g, nucleolus(g))
    assert in_core(g, prenucleolus(g))


@FAST
@given(symmetric_games(max_n=6))
def test_symmetric_players_get_equal_shares(g):
    x = prenucleolus(g)
    assert len(set(x.tolist())) == 1
    if _imputations_exist(g):
        assert len(set(nucleolus(g).tolist())) == 1


@FAST
@given(integer_games(max_n=5), st.data())
def test_anonymity_under_permutation(g, data):
    """Relabelling players permutes the prenucleolus (Peleg-Sudhölter, ANO)."""
    perm = data.draw(st.permutations(range(g.n)))
    masks = np.arange(1 << g.n)
    # new player j is old player perm[j]; new mask m corresponds to old mask
    old = np.zeros_like(masks)
    for j, p in enumerate(perm):
        old |= ((masks >> j) & 1) << p
    h = Game.from_array([g.players[p] for p in perm], g.values[old])
    assert prenucleolus(h).to_dict() == prenucleolus(g).to_dict()


@FAST
@given(integer_games(max_n=5), st.integers(1, 5), st.lists(st.integers(-4, 4), min_size=5,
                                                          max_size=5))
def test_covariance_under_strategic_equivalence(g, a, beta):
    """x(a v + beta) = a x(v) + beta for a > 0 and additive beta (COV)."""
    b = np.asarray(beta[: g.n])
    masks = np.arange(1 << g.n)
    add = (((masks[:, None] >> np.arange(g.n)) & 1) @ b).tolist()
    h = Game.from_array(g.players, [a * v + int(s) for v, s in zip(g.values, add, strict=True)])
    expected = [a * x + int(bi) for x, bi in zip(prenucleolus(g).tolist(), b, strict=True)]
    assert prenucleolus(h).tolist() == expected


@FAST
@given(convex_games(max_n=5))
def test_prenucleolus_equals_nucleolus_for_convex_games(g):
    """Zero-monotonic games with a non-empty core: nucleolus = prenucleolus (P-S Ch. 5)."""
    assert nucleolus(g).tolist() == prenucleolus(g).tolist()


@settings(max_examples=15, deadline=None)
@given(integer_games(min_n=4, max_n=8, lo=0, hi=40))
def test_float_path_matches_exact_path(g):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exact = prenucleolus(g)
    approx = prenucleolus(g.to_float())
    np.testing.assert_allclose(approx.to_numpy(), exact.to_numpy(float), atol=1e-7)
    assert kohlberg_certify(g.to_float(), approx)


def test_symbolic_worths_give_a_clear_error():
    sp = pytest.importorskip("sympy")
    g = Game.from_array(["a", "b"], [0, sp.Symbol("a"), 1, 3])
    with pytest.raises(GameError, match="symbol"):
        nucleolus(g)
    with pytest.raises(GameError, match="symbol"):
        kohlberg_certify(g, [1, 2])
    h = Game.from_array(["a", "b", "c"], [sp.Integer(0), 0, 0, 4, 0, 4, 2, sp.Rational(6)])
    assert nucleolus(h).tolist() == [F(10, 3), F(4, 3), F(4, 3)]


def _degenerate_games() -> list[tuple[str, Game]]:
    n = 13
    names = [f"p{i}" for i in range(n)]
    sizes = np.bitwise_count(np.arange(1 << n, dtype=np.uint64)).astype(float)
    weights = {f"p{i}": w for i, w in enumerate([9, 8, 7, 6, 5, 5, 4, 3, 3, 2, 2, 1, 1])}
    return [
        ("zero", Game.from_array(names, np.zeros(1 << n))),
        ("majority", Game.from_array(names, (sizes >= 7).astype(float))),
        ("unanimity", Game.unanimity(names, names[:4]).to_float()),
        ("weighted voting", Game.weighted_voting(weights, 29).to_float()),
        ("symmetric convex", Game.from_array(names, sizes**1.5)),
    ]


@pytest.mark.parametrize(("label", "game"), _degenerate_games())
def test_degenerate_float_games_are_certified(label, game):
    """Massive ties (every LP degenerate) at n = 13, float path, Kohlberg with tolerance."""
    x = prenucleolus(game)
    assert kohlberg_certify(game, x), label
    if _imputations_exist(game):
        assert kohlberg_certify(game, nucleolus(game), kind="nucleolus"), label


def test_imputation_set_empty_within_rounding_is_accepted():
    """v(N) below sum v(i) by 1e-13 (rounding) is not an error: the imputation set is a
    point up to tolerance."""
    g = Game.from_array(["a", "b", "c"], [0, 1 / 3, 1 / 3, 1, 1 / 3, 1, 1, 1 - 1e-13])
    np.testing.assert_allclose(nucleolus(g).to_numpy(), [1 / 3] * 3, atol=1e-9)


@FAST
@given(superadditive_games_with_core(max_n=5))
def test_prenucleolus_equals_nucleolus_for_superadditive_games_with_core(g):
    """Zero-monotonic games with a non-empty core: the prenucleolus is individually
    rational, so it is the nucleolus (Peleg & Sudhölter 2007, Ch. 5-6)."""
    assert g.is_superadditive() and not core_is_empty(g)
    x = nucleolus(g)
    assert x.tolist() == prenucleolus(g).tolist()
    assert in_core(g, x)


def test_spanning_partitions_shortcut():
    """Complementary pairs plus singletons that span R^N settle balancedness; a lone
    complementary pair does not span, so it falls through to the LP."""
    from sharing_models.games.kohlberg import _balanced, _spanning_partitions

    n = 3
    assert _spanning_partitions(np.array([1, 2, 4]), n)  # singletons
    assert _spanning_partitions(np.array([1, 6, 2, 5, 4, 3]), n)  # all pairs {S, N\S}
    assert not _spanning_partitions(np.array([1, 6]), n)
    assert _balanced(np.array([1, 6]), np.zeros(0, np.int64), n, exact=True) == (True, 2)
    # {a,b}, {a,c}: player a is over-covered, no positive weights give 1_N
    assert _balanced(np.array([3, 5]), np.zeros(0, np.int64), n, exact=True)[0] is False
    # {a,b}, {c} with P0 = {a}: weights (1, 1) and 0 on {a}
    assert _balanced(np.array([3, 4]), np.array([1]), n, exact=False)[0]


def test_exact_weights_repairs_rounding():
    from sharing_models.games.kohlberg import _exact_weights, indicator_matrix

    ind = indicator_matrix(np.array([3, 5, 6]), 3).astype(float)  # {ab},{ac},{bc}
    assert _exact_weights(ind, np.array([0.5 + 1e-12, 0.5, 0.5 - 3e-12]), 3)
    assert not _exact_weights(ind[:2], np.array([0.5, 0.5]), 2)  # 1_N not reachable


@pytest.mark.parametrize("n", [4, 5, 6, 8])
def test_apex_game(n):
    """Apex game: apex a plus n - 1 minors; winning = {a, minor} or all minors.

    By symmetry the minors get y and a gets 1 - (n-1)y. The largest excesses are
    (n-2)y for {a, b_i} and 1 - (n-1)y for the minors' coalition, equal at
    y = 1/(2n-3): apex (n-2)/(2n-3). Kohlberg: weights 1/(n-1) on each {a, b_i} and
    (n-2)/(n-1) on the minors' coalition balance this top level, which spans R^N.
    """
    players = ["apex", *[f"b{i}" for i in range(1, n)]]
    masks = np.arange(1 << n)
    minors = (1 << n) - 2
    has_apex = (masks & 1) == 1
    n_minors = np.bitwise_count((masks & minors).astype(np.uint64))
    win = (has_apex & (n_minors >= 1)) | ((masks & minors) == minors)
    g = Game.from_array(players, win.astype(int).tolist())
    x = nucleolus(g)
    assert x["apex"] == F(n - 2, 2 * n - 3)
    assert all(x[p] == F(1, 2 * n - 3) for p in players[1:])
    np.testing.assert_allclose(nucleolus(g.to_float()).to_numpy(), x.to_numpy(float),
                               atol=1e-9)


@pytest.mark.parametrize("factor", [1e-7, 1e-3, 1e4, 1e8])
def test_scale_invariance_of_float_path(factor):
    """Tolerances are relative: nucleolus(c v) = c nucleolus(v) for tiny and huge c,
    and the scaled answer is certified."""
    rng = np.random.default_rng(3)
    n = 9
    sizes = np.bitwise_count(np.arange(1 << n, dtype=np.uint64)).astype(float)
    v = sizes * rng.uniform(0, 1, 1 << n)
    v[0] = 0.0
    base = Game.from_array([f"p{i}" for i in range(n)], v)
    scaled = Game.from_array(base.players, v * factor)
    for fn, kind in ((nucleolus, "nucleolus"), (prenucleolus, "prenucleolus")):
        x = fn(scaled)
        assert kohlberg_certify(scaled, x, kind=kind)
        np.testing.assert_allclose(x.to_numpy() / factor, fn(base).to_numpy(), atol=1e-8)


def test_large_stand_alone_worths_do_not_swamp_tolerances():
    """Covariance: adding an additive game with worths ~1e6 shifts the nucleolus by it;
    the solver works on the zero-normalised game, so the small structure survives."""
    g = Game.from_array(["a", "b", "c"], [0, 0, 0, 4, 0, 4, 2, 6]).to_float()
    big = np.array([1e6, 3e6, 2e6])
    masks = np.arange(8)
    add = ((masks[:, None] >> np.arange(3)) & 1) @ big
    h = Game.from_array(g.players, g.values + add)
    x = nucleolus(h)
    np.testing.assert_allclose(x.to_numpy() - big, [10 / 3, 4 / 3, 4 / 3], atol=1e-8)
    assert kohlberg_certify(h, x, kind="nucleolus")
    assert not kohlberg_certify(h, x + np.array([1e-3, -1e-3, 0.0]), kind="nucleolus")
