"""Shared hypothesis strategies: random games and agreements for property tests.

Append new strategies; do not rewrite existing ones.
"""

from __future__ import annotations

from typing import Any

import numpy as _np
from hypothesis import strategies as _st

from sharing_models import Game as _Game

# ---------------------------------------------------------------- core family (core.py,
# nucleolus.py): random TU games as worth arrays indexed by coalition bitmask.


def _names(n: int) -> list[str]:
    return [f"p{i}" for i in range(n)]


@_st.composite
def integer_games(draw, min_n: int = 2, max_n: int = 5, lo: int = -3, hi: int = 12):
    """Exact games with independent integer worths in ``[lo, hi]`` (any sign, any shape)."""
    n = draw(_st.integers(min_n, max_n))
    vals = draw(_st.lists(_st.integers(lo, hi), min_size=(1 << n) - 1, max_size=(1 << n) - 1))
    return _Game.from_array(_names(n), [0, *vals])


@_st.composite
def convex_games(draw, min_n: int = 2, max_n: int = 5):
    """Exact convex games: non-negative integer combinations of unanimity games.

    Convex, hence superadditive and zero-monotonic, with a non-empty core.
    """
    n = draw(_st.integers(min_n, max_n))
    coef = draw(_st.lists(_st.integers(0, 6), min_size=(1 << n) - 1, max_size=(1 << n) - 1))
    masks = _np.arange(1 << n)
    v = [0] * (1 << n)
    for t, c in zip(range(1, 1 << n), coef, strict=True):
        if c:
            for s in masks[(masks & t) == t]:
                v[int(s)] += c
    return _Game.from_array(_names(n), v)


@_st.composite
def games_with_core_point(draw, min_n: int = 2, max_n: int = 5):
    """Exact games whose core contains a drawn integer vector ``x``: ``v(S) = x(S) - d_S``."""
    n = draw(_st.integers(min_n, max_n))
    x = draw(_st.lists(_st.integers(-5, 10), min_size=n, max_size=n))
    dips = draw(_st.lists(_st.integers(0, 4), min_size=(1 << n) - 2, max_size=(1 << n) - 2))
    v = [0] * (1 << n)
    for m in range(1, 1 << n):
        xs = sum(x[i] for i in range(n) if m >> i & 1)
        v[m] = xs if m == (1 << n) - 1 else xs - dips[m - 1]
    return _Game.from_array(_names(n), v)


@_st.composite
def symmetric_games(draw, min_n: int = 2, max_n: int = 6):
    """Exact games whose worth depends only on the coalition size."""
    n = draw(_st.integers(min_n, max_n))
    by_size = draw(_st.lists(_st.integers(-3, 12), min_size=n, max_size=n))
    sizes = _np.bitwise_count(_np.arange(1 << n, dtype=_np.uint64)).astype(int)
    return _Game.from_array(_names(n), [0 if k == 0 else by_size[k - 1] for k in sizes])


# ---------------------------------------------------------------- Shapley family (shapley.py,
# banzhaf.py, sampling.py, owen.py, myerson.py, weighted_shapley.py).


def player_names(min_n: int = 1, max_n: int = 6):
    """Lists of distinct, non-empty player names (mixed scripts, as in real scenario files)."""
    name = _st.text(
        alphabet=_st.sampled_from("abcxyzABCXYZ_-0123456789 甲乙丙丁"), min_size=1, max_size=6
    )
    return _st.lists(name, min_size=min_n, max_size=max_n, unique=True)


@_st.composite
def float_games(draw, min_n: int = 1, max_n: int = 6, scale: float = 100.0):
    """Float64 games on random names; worths uniform in ``[-scale, scale]``, ``v(∅) = 0``."""
    names = draw(player_names(min_n, max_n))
    seed = draw(_st.integers(0, 2**32 - 1))
    v = _np.random.default_rng(seed).uniform(-scale, scale, 1 << len(names))
    v[0] = 0.0
    return _Game.from_array(names, v)


@_st.composite
def exact_games(draw, min_n: int = 1, max_n: int = 5):
    """Exact games on random names with Fraction worths (small numerators/denominators)."""
    from fractions import Fraction

    names = draw(player_names(min_n, max_n))
    size = (1 << len(names)) - 1
    nums = draw(_st.lists(_st.integers(-20, 20), min_size=size, max_size=size))
    dens = draw(_st.lists(_st.integers(1, 6), min_size=size, max_size=size))
    worths = [Fraction(a, b) for a, b in zip(nums, dens, strict=True)]
    return _Game.from_array(names, [Fraction(0), *worths])


# ---------------------------------------------------------------- risk simulation
# (sharing_models.risk): random stage-gated projects and sharing rules.


@_st.composite
def risk_projects(draw, max_members: int = 4, defaults: bool = True):
    """A random :class:`sharing_models.risk.Project` with overruns, revenue laws,
    member defaults (when ``defaults``), a default clause and one copula correlation."""
    from sharing_models import risk as _risk

    k = draw(_st.integers(1, 3))
    stages = tuple(
        _risk.Stage(f"s{i}", draw(_st.sampled_from([0.3, 0.7, 0.95, 1.0])),
                    draw(_st.floats(0.0, 50.0)),
                    draw(_st.sampled_from([_risk.Fixed(1.0), _risk.LogNormal(1.2, 0.3),
                                           _risk.Triangular(0.9, 1.0, 1.8)])),
                    year=float(i))
        for i in range(k))
    laws = [_risk.Fixed(40.0), _risk.LogNormal(60.0, 40.0), _risk.Triangular(0.0, 20.0, 90.0),
            _risk.Empirical((0.0, 10.0, 200.0)), _risk.Normal(30.0, 20.0)]
    products = tuple(
        _risk.Product(f"x{j}", draw(_st.sampled_from(laws)),
                      after=f"s{draw(_st.integers(0, k - 1))}", year=float(k),
                      delay=draw(_st.sampled_from([_risk.Fixed(0.0), _risk.Triangular(0, 0, 2)])))
        for j in range(draw(_st.integers(0, 2))))
    m = draw(_st.integers(2, max_members))
    members = tuple(
        _risk.RiskMember(f"m{i}", draw(_st.sampled_from([2.0, 10.0, 50.0, float("inf")])),
                         draw(_st.floats(-5.0, 5.0)),
                         draw(_st.sampled_from([0.0, 0.2, 1.0])) if defaults else 0.0)
        for i in range(m))
    project = _risk.Project(stages, products, members,
                            default_clause=draw(_st.sampled_from(_risk.DEFAULT_CLAUSES)),
                            discount_rate=draw(_st.sampled_from([0.0, 0.08])))
    names = project.variables
    if len(names) >= 2 and draw(_st.booleans()):
        rho = draw(_st.floats(-0.9, 0.9))
        project = _risk.Project(stages, products, members, project.default_clause,
                                ((names[0], names[-1], rho),), project.discount_rate)
    return project


@_st.composite
def share_tables(draw, members, max_rules: int = 3):
    """A members x rules table of non-negative revenue shares, each rule summing to 1."""
    import pandas as _pd

    r = draw(_st.integers(1, max_rules))
    cols = {}
    for j in range(r):
        w = _np.array(draw(_st.lists(_st.integers(0, 9), min_size=len(members),
                                     max_size=len(members))), dtype=float)
        w = w + (w.sum() == 0)
        cols[f"r{j}"] = w / w.sum()
    return _pd.DataFrame(cols, index=list(members))


# ---------------------------------------------------------------- tiers, fees, waterfall
# (tiers.py, fees.py, fee_rights.py, waterfall.py).


@_st.composite
def tier_schedules(draw, max_tiers: int = 4, rate=None):
    """Valid banded tier schedules on ``revenue``: contiguous integer bands from 0.

    Fees are flat or percentage (with floor and cap); with ``rate`` every tier charges the
    same percentage (a continuous fee) and votes rise with the tier.
    """
    from fractions import Fraction as _Frac

    from sharing_models.membership.fees import Flat as _Flat
    from sharing_models.membership.fees import Percentage as _Pct
    from sharing_models.membership.tiers import Rights as _Rights
    from sharing_models.membership.tiers import Tier as _Tier
    from sharing_models.membership.tiers import TierSchedule as _Schedule

    k = draw(_st.integers(1, max_tiers))
    cuts = sorted(draw(_st.sets(_st.integers(1, 10**9), min_size=k - 1, max_size=k - 1)))
    bounds = [0, *cuts, None]
    tiers = []
    for i in range(k):
        if rate is not None:
            fee = _Pct(rate)
        elif draw(_st.booleans()):
            fee = _Flat(draw(_st.integers(0, 10**6)))
        else:
            floor = draw(_st.integers(0, 10**5))
            fee = _Pct(_Frac(draw(_st.integers(0, 100)), 1000), floor=floor,
                       cap=floor + draw(_st.integers(0, 10**7)))
        votes = i + 1 if rate is not None else draw(_st.integers(0, 5))
        tiers.append(_Tier(f"t{i}", fee, _Rights(votes=votes, seats=draw(_st.integers(0, 1))),
                           lower=bounds[i], upper=bounds[i + 1]))
    return _Schedule(tiers)


@_st.composite
def waterfall_inputs(draw, max_years: int = 5, max_members: int = 5):
    """Random waterfall inputs: income by stream in cents, ordered costs, shares, rates."""
    from fractions import Fraction as _Frac

    years = draw(_st.integers(1, max_years))
    streams = draw(_st.sets(_st.sampled_from(["licence", "transfer", "implementation"]),
                            min_size=1))
    cents = _st.integers(0, 10**10).map(lambda c: _Frac(c, 100))
    income = {s: draw(_st.lists(cents, min_size=years, max_size=years)) for s in sorted(streams)}
    costs = [(f"c{i}", f"m{i}", draw(cents)) for i in range(draw(_st.integers(0, 3)))]
    m = draw(_st.integers(1, max_members))
    weights = draw(_st.lists(_st.integers(0, 100), min_size=m, max_size=m))
    weights[0] += 1
    shares = {f"m{i}": w for i, w in enumerate(weights)}
    rate = _st.integers(0, 100).map(lambda p: _Frac(p, 100))
    return {"income": income, "costs": costs, "shares": shares,
            "rates": (draw(rate), draw(rate), draw(_st.integers(0, 5))),
            "reserve": draw(rate)}


def superadditive_cover(values: list, n: int) -> list:
    """``w(S) = max over partitions {T_1, ...} of S of sum v(T_k)``: superadditive, hence
    zero-monotonic; keeps every core point of ``v`` when ``w(N) = v(N)``."""
    w = list(values)
    for s in range(1, 1 << n):
        low = s & -s  # the part containing the lowest member of S
        t = (s - 1) & s
        while t:
            if t & low:
                w[s] = max(w[s], w[t] + w[s ^ t])
            t = (t - 1) & s
    return w


@_st.composite
def superadditive_games_with_core(draw, min_n: int = 2, max_n: int = 5):
    """Exact superadditive (so zero-monotonic) games with a non-empty core: the
    superadditive cover of :func:`games_with_core_point`."""
    g = draw(games_with_core_point(min_n, max_n))
    return _Game.from_array(g.players, superadditive_cover(list(g.values), g.n))


# ---------------------------------------------------------------- claims, power, cost
# (claims.py, power.py, cost.py): claims problems, weighted voting games, airport facilities.


@_st.composite
def claims_problems(draw, max_n: int = 7):
    """Exact claims problems ``(estate, {claimant: claim})`` with ``0 <= estate <= sum``.

    Claims are Fractions in ``[0, 50]`` (zeros and ties included); the estate is a random
    rational share of the total claims.
    """
    from fractions import Fraction

    claims = draw(_st.lists(_st.fractions(0, 50, max_denominator=7), min_size=1,
                            max_size=max_n))
    share = draw(_st.fractions(0, 1, max_denominator=11))
    return sum(claims, Fraction(0)) * share, {f"m{i}": c for i, c in enumerate(claims)}


@_st.composite
def voting_games(draw, max_n: int = 7, max_w: int = 12):
    """Weighted voting games ``(weights, quota)``: integer weights in ``[0, max_w]`` (null
    voters included, total positive) and an integer quota in ``[1, total]``."""
    weights = draw(_st.lists(_st.integers(0, max_w), min_size=1, max_size=max_n))
    if sum(weights) == 0:
        weights[0] = 1
    return weights, draw(_st.integers(1, sum(weights)))


@_st.composite
def airport_facilities(draw, max_types: int = 5):
    """Airport problems ``(costs, counts)`` keyed ``t0..``: integer costs in ``[0, 30]``
    (ties included) and 1-3 users per type."""
    m = draw(_st.integers(1, max_types))
    costs = draw(_st.lists(_st.integers(0, 30), min_size=m, max_size=m))
    counts = draw(_st.lists(_st.integers(1, 3), min_size=m, max_size=m))
    return ({f"t{i}": c for i, c in enumerate(costs)},
            {f"t{i}": k for i, k in enumerate(counts)})


# ---------------------------------------------------------------- clause tables
# (agreements/clauses): random but valid scenario mappings.

_KINDS = ("lead_enterprise", "enterprise", "university", "research_institute", "hospital")
_CONTRIBUTION_KINDS = ("cash", "background_ip", "staff", "equipment", "data")


@_st.composite
def agreement_mappings(draw, max_members: int = 5):
    """A valid scenario mapping: members, contributions, one task per result, products,
    a sharing rule (or none), votes and a default clause."""
    n = draw(_st.integers(1, max_members))
    ids = [f"m{i}" for i in range(n)]
    money = _st.integers(0, 10**8)
    members = [{"id": m, "name": {"en": f"Member {i}", "zh": f"成员{i}"},
                "kind": draw(_st.sampled_from(_KINDS)),
                "layer": "lead" if i == 0 else draw(_st.sampled_from(["close", "general"])),
                "country": draw(_st.sampled_from(["CN", "DE", "FR"]))}
               for i, m in enumerate(ids)]
    contributions = [{"id": f"c{k}", "member": draw(_st.sampled_from(ids)),
                      "kind": draw(_st.sampled_from(_CONTRIBUTION_KINDS)),
                      "valuation": draw(money), "cost": draw(money)}
                     for k in range(draw(_st.integers(0, 4)))]
    results, tasks = [], []
    for k in range(draw(_st.integers(0, 3))):
        team = draw(_st.lists(_st.sampled_from(ids), min_size=1, max_size=n, unique=True))
        results.append({"id": f"r{k}", "name": {"en": f"Result {k}", "zh": f"成果{k}"},
                        "ownership": draw(_st.sampled_from(
                            ["generating_party", "joint", "lead", "pro_rata"]))})
        tasks.append({"id": f"t{k}", "lead": team[0], "members": team,
                      "needs": {"all_of": [c["id"] for c in contributions[:1]]},
                      "produces": [f"r{k}"], "cost": draw(money),
                      "duration_months": draw(_st.integers(0, 24))})
    products = [{"id": "p0", "needs": {"all_of": [r["id"] for r in results]},
                 "revenue": {"expected": draw(money)}}] if results else []
    method = draw(_st.sampled_from([None, "fixed", "equal", "proportional"]))
    sharing: dict = {"reserve_fund": draw(_st.sampled_from([0, 0.05, 0.1]))}
    if method == "fixed":
        cuts = sorted(draw(_st.lists(_st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
        bounds = [0, *cuts, 100]
        sharing["fixed_shares"] = {m: bounds[i + 1] - bounds[i] for i, m in enumerate(ids)}
    if method == "proportional" and not any(c["valuation"] for c in contributions):
        method = "equal"
    if method:
        sharing["method"] = method
    votes = draw(_st.lists(_st.integers(0, 5), min_size=n, max_size=n))
    governance = {"votes": dict(zip(ids, votes, strict=True))} if sum(votes) else {}
    return {"id": "random", "name": {"en": "Random consortium", "zh": "随机联合体"},
            "members": members, "contributions": contributions, "tasks": tasks,
            "results": results, "products": products, "sharing": sharing,
            "governance": governance,
            "default": {"remedy_days": draw(_st.integers(0, 90)),
                        "forfeit_share": draw(_st.sampled_from([0, 0.25, 0.5]))}}


@_st.composite
def chained_agreements(draw, min_members: int = 3, max_members: int = 5):
    """Agreement mappings whose tasks chain through results (for agreement games).

    ``min_members``-``max_members`` members, 2-6 contributions (each maybe with a market
    substitute), 1-3 tasks each needing contributions or earlier results (all_of and
    an optional any_of group), 1-2 products needing a result or a contribution. Money
    figures are integers 0-30 (revenue 0-150) so exact and float worths agree.
    """
    n = draw(_st.integers(min_members, max_members))
    members = [f"m{i}" for i in range(n)]
    money = _st.integers(0, 30).map(float)
    contributions = []
    for j in range(draw(_st.integers(2, 6))):
        c = {"id": f"c{j}", "member": draw(_st.sampled_from(members)), "kind": "data",
             "valuation": draw(money), "cost": draw(money)}
        if draw(_st.booleans()):
            c["substitute_price"] = draw(money)
        contributions.append(c)
    cids = [c["id"] for c in contributions]
    tasks = []
    for t in range(draw(_st.integers(1, 3))):
        pool = cids + [f"r{k}" for k in range(t)]
        ids = _st.lists(_st.sampled_from(pool), min_size=1, max_size=2, unique=True)
        needs = {"all_of": draw(ids), "any_of": draw(_st.lists(ids, max_size=1))}
        tasks.append({"id": f"t{t}", "needs": needs, "produces": [f"r{t}"],
                      "cost": draw(money)})
    results = [f"r{t}" for t in range(len(tasks))]
    products = [{"id": f"p{p}", "revenue": {"expected": float(draw(_st.integers(0, 150)))},
                 "needs": {"all_of": [draw(_st.sampled_from(results + cids))]}}
                for p in range(draw(_st.integers(1, 2)))]
    return {"id": "prop", "name": {"en": "Property"},
            "members": [{"id": m, "name": {"en": m.upper()}, "kind": "enterprise"}
                        for m in members],
            "contributions": contributions, "tasks": tasks,
            "results": [{"id": r} for r in results], "products": products}


# ---------------------------------------------------------------- axiom helpers (shared
# by the property tests of shapley, banzhaf, owen, myerson, weighted_shapley).


def with_null_player(game: _Game, i: int) -> _Game:
    """``game`` changed so that player ``i`` adds nothing to any coalition (v(i) = 0)."""
    v = game.values.copy()
    masks = _np.arange(1 << game.n)
    with_i = masks[(masks >> i & 1) == 1]
    v[with_i] = v[with_i ^ (1 << i)]
    return _Game.from_array(game.players, v, cost=game.cost)


def relabelled(game: _Game, perm) -> _Game:
    """The same game with players reordered: new player ``k`` is old ``perm[k]``."""
    masks = _np.arange(1 << game.n)
    old = _np.zeros_like(masks)
    for k, p in enumerate(perm):
        old |= ((masks >> k) & 1) << p
    return _Game.from_array([game.players[p] for p in perm], game.values[old], cost=game.cost)


def additive_worths(n: int, b) -> _np.ndarray:
    """Worths ``b(S) = sum_{i in S} b_i`` of the additive game with stand-alone worths b."""
    masks = _np.arange(1 << n)
    return ((masks[:, None] >> _np.arange(n)) & 1) @ _np.asarray(b, dtype=float)


_RANDOM_CONTRIBUTION_KINDS = ["cash", "background_ip", "staff", "equipment", "facility", "data"]


def random_agreement_mapping(n: int, seed: int, products: int = 4) -> dict[str, Any]:
    """A seeded random agreement mapping for tests and benchmarks: 2 contributions per
    member, 8 chained tasks with any-of needs, a few products."""
    rng = _np.random.default_rng(seed)
    contributions = []
    for i in range(n):
        for k in range(2):
            kind = _RANDOM_CONTRIBUTION_KINDS[(i + k) % len(_RANDOM_CONTRIBUTION_KINDS)]
            c = {"id": f"c{i}_{k}", "member": f"m{i}", "kind": kind,
                 "valuation": float(rng.integers(1, 20)), "cost": float(rng.integers(0, 5))}
            if rng.random() < 0.6:
                c["substitute_price"] = c["cost"] + float(rng.integers(1, 10))
            contributions.append(c)
    ids = [c["id"] for c in contributions]
    tasks = []
    for t in range(8):
        pick = [ids[j] for j in rng.choice(len(ids), size=4, replace=False)]
        needs: dict[str, Any] = {"all_of": pick[:2], "any_of": [pick[2:]]}
        if t >= 2:
            needs["all_of"].append(f"r{int(rng.integers(0, t))}")
        tasks.append({"id": f"t{t}", "needs": needs, "produces": [f"r{t}"],
                      "cost": float(rng.integers(1, 10))})
    prods = [{"id": f"p{p}", "revenue": {"expected": float(rng.integers(50, 200))},
              "needs": {"all_of": [f"r{int(rng.integers(2, 8))}"],
                        "any_of": [[f"r{int(rng.integers(0, 8))}",
                                    ids[int(rng.integers(len(ids)))]]]}}
             for p in range(products)]
    return {"id": "gen", "name": {"en": "Generated"},
            "members": [{"id": f"m{i}", "name": {"en": f"M{i}"}, "kind": "enterprise"}
                        for i in range(n)], "contributions": contributions,
            "tasks": tasks, "results": [{"id": f"r{t}"} for t in range(8)], "products": prods}


@_st.composite
def risk_dag_projects(draw, max_members: int = 4, defaults: bool = True):
    """A :func:`risk_projects` project rewired as a random task graph: each stage keeps
    ``requires=None`` (the previous stage) or requires a random set of earlier stages
    and OR-groups of them, and each product comes after one or two random stages or
    OR-groups."""
    from dataclasses import replace as _replace

    from sharing_models import risk as _risk

    def element(names: list[str]) -> Any:
        one = _st.sampled_from(names)
        return one | _st.lists(one, min_size=1, max_size=2, unique=True).map(tuple)

    base = draw(risk_projects(max_members=max_members, defaults=defaults))
    names = [s.name for s in base.stages]
    stages = []
    for i, s in enumerate(base.stages):
        requires = None if draw(_st.booleans()) else tuple(draw(_st.lists(
            element(names[:i]), max_size=i))) if i else ()
        stages.append(_replace(s, requires=requires))
    products = tuple(_replace(p, after=tuple(draw(_st.lists(
        element(names), min_size=1, max_size=2))))
        for p in base.products)
    return _risk.Project(tuple(stages), products, base.members, base.default_clause,
                         base.correlations, base.discount_rate)
