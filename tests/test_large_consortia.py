"""Large consortia (issue 15): exact by structure, sampled with calibrated intervals, the
CLI's choice of method, and the core check at scale.

Exact values come from oracles independent of the code under test:

- clustered agreements: the whole agreement's worth function (every member, every
  product, no decomposition) is shown additive over clusters on random coalitions, and
  each cluster's Shapley value is enumerated from that same whole-agreement worth
  function; additivity + null player then give the exact Shapley value;
- the 30-member non-decomposable agreement: its members come in four types of
  identical members, so its worth depends only on how many of each type a coalition
  holds; the exact Shapley and Banzhaf values are sums over the 2 x 11 x 11 x 10 count
  vectors, each worth from the agreement's own (exact-engine) worth function. The
  2^30 worth array is never built: that is the honest way to know exact values at 30
  members.
"""

from __future__ import annotations

import io
import math
from contextlib import redirect_stderr, redirect_stdout
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import yaml

import sharing_models as sm
from agreements.cli import main
from agreements.scenario.clustered import clustered_agreement, clustered_mapping
from agreements.scenario.loader import agreement_from_mapping
from agreements.sharing import allocate, layer_unions
from agreements.sharing.stability import _components, _milp, core_check
from agreements.sharing.structure import structured_amounts
from agreements.valuation.decompose import decompose
from agreements.valuation.game import (
    agreement_game,
    part_game,
    worth_function,
)
from tests.scenario_files import SCENARIOS


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ exact by structure
def test_parts_add_up_to_the_whole_game() -> None:
    a = clustered_agreement(14, cluster_size=4, seed=3)
    d = decompose(a)
    assert len(d.parts) == 4 and d.largest == 4  # clusters of 4, 4, 4 and 2
    g = agreement_game(a)
    n = g.n
    masks = np.arange(1 << n)
    idx = {m: i for i, m in enumerate(a.member_ids)}
    total = np.zeros(1 << n)
    for p in d.parts:
        pg = part_game(a, list(p.members), p.products, weights=d.weights)
        local = np.zeros(1 << n, dtype=np.int64)
        for j, m in enumerate(p.members):
            local |= ((masks >> idx[m]) & 1) << j
        total += np.asarray(pg.values, dtype=float)[local]
    np.testing.assert_allclose(total, np.asarray(g.values, dtype=float), rtol=0, atol=1e-9)


def test_shared_facility_does_not_split() -> None:
    d = decompose(clustered_agreement(30, seed=3, shared_facility=True))
    assert len(d.parts) == 1 and d.largest == 30


@pytest.mark.parametrize("rule", ["shapley", "banzhaf", "owen"])
def test_structure_equals_whole_game(rule: str) -> None:
    a = clustered_agreement(16, cluster_size=5, seed=7)
    by_parts = structured_amounts(a, rule, False, layer_unions(a))
    assert by_parts.method == "exact by structure"
    whole = allocate(a, rule, exact=False, game=agreement_game(a))
    np.testing.assert_allclose([by_parts.amount[m] for m in a.member_ids],
                               whole["amount"].astype(float), rtol=0, atol=1e-9)


def test_structure_exact_fractions() -> None:
    a = clustered_agreement(24, cluster_size=5, seed=7)
    x = allocate(a, "shapley", exact=True)
    assert x.attrs["method"] == "exact by structure"
    assert x.attrs["exact"] and sum(x["amount"]) == x.attrs["grand_value"]
    assert all(type(v).__name__ == "Fraction" for v in x["amount"])


def _cluster_shapley_oracle(data: dict) -> tuple[pd.Series, float]:
    """Exact Shapley of a clustered agreement, cluster by cluster, each from the whole
    game (:func:`agreement_game`, 2^k worths) of a stand-alone agreement holding only
    that cluster (its members, their contributions, its task, result and products).
    All products discount at the same rate, so each stand-alone agreement has the
    same risk weights as inside the large one."""
    phi: dict[str, float] = {}
    grand = 0.0
    for task in data["tasks"]:
        members = set(task["members"])
        results = set(task["produces"])
        sub = {**data, "id": "cluster",
               "members": [m for m in data["members"] if m["id"] in members],
               "contributions": [c for c in data["contributions"] if c["member"] in members],
               "tasks": [task], "results": [r for r in data["results"] if r["id"] in results],
               "products": [p for p in data["products"]
                            if set(p["needs"]["all_of"]) <= results]}
        g = agreement_game(agreement_from_mapping(sub, source="<cluster>"))
        phi.update(sm.shapley(g).astype(float).to_dict())
        grand += float(g.grand_value)
    return pd.Series(phi), grand


def test_clusters_add_up_in_the_whole_engine() -> None:
    """The whole agreement's worth function (no decomposition) is additive over
    clusters, on random coalitions of a 50-member clustered agreement."""
    a = clustered_agreement(50, seed=50)
    fn = worth_function(a)
    n = len(a.member_ids)
    col = {m: i for i, m in enumerate(a.member_ids)}
    rows = np.random.default_rng(0).random((60, n)) < 0.5
    pieces = np.zeros(60)
    for t in a.tasks:
        keep = np.zeros(n, dtype=bool)
        keep[[col[m] for m in t.members]] = True
        pieces += fn(rows & keep)
    np.testing.assert_allclose(fn(rows), pieces, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("members", [50, 150, 500])
def test_cli_shares_large_clustered(members: int, tmp_path) -> None:
    a_map = clustered_mapping(members, seed=members)
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(a_map, sort_keys=False), encoding="utf-8")
    code, out, err = _run("shares", str(path), "-m", "shapley", "--format", "csv",
                          "--shares-only")
    assert code == 0, err
    assert "shapley: exact by structure" in err
    df = pd.read_csv(io.StringIO(out), index_col="member")
    exact = df["shapley_exact"].drop("total").astype(float)
    phi, grand = _cluster_shapley_oracle(a_map)
    assert abs(float(df.loc["total", "shapley_exact"]) - grand) <= 1e-9 * abs(grand)
    assert abs(exact.sum() - grand) <= 1e-9 * abs(grand)
    assert (exact - phi[exact.index]).abs().max() <= 1e-9 * abs(grand)  # well within 0.1%


# ------------------------------------------------------------------ sampled
_TYPES = {"A": (10, "data", 0.1, 1.5), "B": (10, "staff", 0.2, 2.0),
          "C": (9, "equipment", 0.3, 3.0)}


def _typed_agreement():
    """30 members: F (a facility with no substitute, needed by every product) and
    three types of identical members; products need overlapping input sets."""
    members = [{"id": "F", "name": {"en": "Facility"}, "kind": "research_institute"}]
    contributions = [{"id": "fac", "member": "F", "kind": "facility", "valuation": 2,
                      "cost": 2}]
    inputs: dict[str, list[str]] = {}
    for t, (count, kind, cost, price) in _TYPES.items():
        inputs[t] = []
        for i in range(count):
            mid = f"{t}{i}"
            members.append({"id": mid, "name": {"en": mid}, "kind": "enterprise"})
            contributions.append({"id": f"c_{mid}", "member": mid, "kind": kind,
                                  "valuation": price, "cost": cost,
                                  "substitute_price": price})
            inputs[t].append(f"c_{mid}")

    def product(pid: str, revenue: float, types: str) -> dict:
        return {"id": pid, "needs": {"all_of": ["fac", *(x for t in types for x in inputs[t])]},
                "revenue": {"expected": revenue}, "operating_margin": 1.0,
                "success_probability": 1.0, "years": 1, "discount_rate": 0.0}

    return agreement_from_mapping({
        "format": 1, "id": "typed30", "name": {"en": "Typed 30"}, "illustrative": True,
        "members": members, "contributions": contributions,
        "products": [product("p1", 6.5, "A"), product("p2", 13.0, "AB"),
                     product("p3", 22.0, "BC")]}, source="<typed30>")


def _typed_exact(a) -> tuple[pd.Series, pd.Series]:
    """Exact Shapley and (normalised) Banzhaf by type counts."""
    ids = a.member_ids
    n = len(ids)
    sizes = {"F": 1, **{t: c for t, (c, *_) in _TYPES.items()}}
    order = ["F", "A", "B", "C"]
    counts = [(f, x, y, z) for f in range(2) for x in range(11) for y in range(11)
              for z in range(10)]
    rows = np.zeros((len(counts), n), dtype=bool)
    for r, cv in enumerate(counts):
        for t, k in zip(order, cv, strict=True):
            cols = [i for i, m in enumerate(ids) if (m == "F" if t == "F" else
                                                     m[0] == t and m != "F")][:k]
            rows[r, cols] = True
    v = dict(zip(counts, worth_function(a)(rows), strict=True))
    phi, beta = {}, {}
    for ti, t in enumerate(order):
        others = [sizes[u] - (u == t) for u in order]
        s_phi = s_beta = 0.0
        for cv in counts:
            if any(c > o for c, o in zip(cv, others, strict=True)):
                continue
            mult = math.prod(math.comb(o, c) for o, c in zip(others, cv, strict=True))
            s = sum(cv)
            up = list(cv)
            up[ti] += 1
            marg = v[tuple(up)] - v[cv]
            s_phi += mult * marg * math.factorial(s) * math.factorial(n - s - 1) \
                / math.factorial(n)
            s_beta += mult * marg / 2 ** (n - 1)
        phi[t], beta[t] = s_phi, s_beta
    typ = pd.Series({m: ("F" if m == "F" else m[0]) for m in ids})
    shap = typ.map(phi)
    raw = typ.map(beta)
    grand = float(worth_function(a)(np.ones((1, n), dtype=bool))[0])
    return shap, raw * grand / raw.sum()


@pytest.fixture(scope="module")
def typed():
    a = _typed_agreement()
    return a, *_typed_exact(a)


def test_typed_agreement_is_not_decomposable(typed) -> None:
    a, shap, _ = typed
    d = decompose(a)
    assert len(d.parts) == 1 and d.largest == 30
    assert abs(shap.sum() - float(worth_function(a)(np.ones((1, 30), dtype=bool))[0])) < 1e-9
    assert shap.nunique() == 4  # not a trivial (additive) game: types differ


@pytest.mark.parametrize("rule", ["shapley", "banzhaf"])
def test_intervals_are_calibrated(typed, rule: str) -> None:
    a, shap, banz = typed
    exact = shap if rule == "shapley" else banz
    inside = []
    for seed in range(20):
        x = allocate(a, rule, seed=seed, samples=400)
        assert x.attrs["method"] == "sampled"
        assert abs(x["amount"].sum() - x.attrs["grand_value"]) <= 1e-9 * x.attrs["grand_value"]
        inside += list((x["low"] <= exact) & (exact <= x["high"]))
    coverage = float(np.mean(inside))
    assert 0.90 <= coverage <= 0.99, coverage


def test_tolerance_is_met_and_seeded(typed) -> None:
    a, shap, _ = typed
    x = allocate(a, "shapley", seed=5, tolerance=0.01)
    grand = x.attrs["grand_value"]
    assert x.attrs["reached"]
    assert float((x["high"] - x["low"]).max()) / 2 <= 0.01 * grand
    assert float((x["amount"] - shap).abs().max()) <= 0.03 * grand
    same = allocate(a, "shapley", seed=5, tolerance=0.01)
    other = allocate(a, "shapley", seed=6, tolerance=0.01)
    pd.testing.assert_frame_equal(x, same)
    assert not np.allclose(x["amount"], other["amount"])


def test_cli_sampled_columns_and_seed(typed, tmp_path) -> None:
    a, _, _ = typed
    path = tmp_path / "typed.yaml"
    path.write_text(yaml.safe_dump(a.model_dump(mode="json", exclude_none=True)),
                    encoding="utf-8")
    args = ("shares", str(path), "-m", "shapley", "--format", "csv", "--samples", "40")
    code, out, err = _run(*args, "--seed", "1")
    assert code == 0, err
    assert "shapley: sampled" in err
    df = pd.read_csv(io.StringIO(out), index_col="member")
    assert {"shapley_low", "shapley_high"} <= set(df.columns)
    body = df.drop("total")
    assert (body["shapley_low"] <= body["shapley"] + 0.01).all()
    assert (body["shapley"] <= body["shapley_high"] + 0.01).all()
    assert _run(*args, "--seed", "1")[1] == out
    assert _run(*args, "--seed", "2")[1] != out
    code, _, err = _run("shares", str(path), "-m", "shapley", "--exact")
    assert code == 1 and "Drop --exact" in err and "Traceback" not in err
    for bad in ("0", "1", "-0.1", "abc"):
        assert _run("shares", str(path), "--tolerance", bad)[0] == 2


def test_non_linear_rule_refused_with_alternative(typed) -> None:
    a, _, _ = typed
    with pytest.raises(ValueError, match="Use shapley, banzhaf or owen"):
        allocate(a, "nucleolus")


# ------------------------------------------------------------------ samplers
def _random_game(n: int, seed: int) -> tuple[sm.Game, object]:
    rng = np.random.default_rng(seed)
    w = rng.random(n)
    masks = np.arange(1 << n)
    vals = (((masks[:, None] >> np.arange(n)) & 1) @ w) ** 1.5 + rng.random(1 << n) * 0.3
    vals[0] = 0

    def fn(rows: np.ndarray) -> np.ndarray:
        return vals[(rows.astype(np.int64) << np.arange(n)).sum(axis=1)]

    return sm.Game([f"p{i}" for i in range(n)], vals), fn


def test_samplers_against_exact_values() -> None:
    g, fn = _random_game(9, 1)
    names = list(g.players)
    sh, bz = sm.shapley(g), sm.banzhaf(g, normalized=True)
    cover_s, cover_b = [], []
    for seed in range(30):
        e = sm.shapley_estimate(fn, names, samples=100, seed=seed)
        b = sm.banzhaf_estimate(fn, names, samples=100, seed=seed)
        assert abs(e["shapley"].sum() - g.grand_value) < 1e-12
        assert abs(b["banzhaf"].sum() - g.grand_value) < 1e-12
        cover_s += list((e["low"] <= sh) & (sh <= e["high"]))
        cover_b += list((b["low"] <= bz) & (bz <= b["high"]))
    assert 0.9 <= np.mean(cover_s) <= 0.99
    assert 0.9 <= np.mean(cover_b) <= 0.99


def test_sampler_bad_input() -> None:
    _, fn = _random_game(3, 0)
    for bad in (0, 1, 1.5, -0.1, True):
        with pytest.raises(sm.InvalidInputError, match="tolerance"):
            sm.shapley_estimate(fn, ["a", "b", "c"], tolerance=bad)


# ------------------------------------------------------------------ core at scale
@pytest.mark.parametrize("name", ["baoshan_medical_devices", "lingang_eda",
                                  "openpower_style_foundation", "qingdao_marine_equipment"])
def test_milp_matches_enumeration(name: str) -> None:
    import agreements

    a = agreements.load(SCENARIOS / f"{name}.yaml")
    g = agreement_game(a)
    v = np.asarray(g.values, dtype=float)
    for rule in ("shapley", "equal"):
        x = allocate(a, rule, exact=False)["amount"]
        xs = np.zeros(1 << g.n)
        for j, m in enumerate(a.member_ids):
            xs[1 << j: 2 << j] = xs[: 1 << j] + x[m]
        e = v - xs
        e[0] = -np.inf
        d = decompose(a)
        found = max(_milp(a, d, parts, members, dict(x), 30)[0]
                    for parts, members in _components(d))
        nulls = max((-x[m] for m in d.null), default=-np.inf)
        assert max(found, nulls) == pytest.approx(e.max(), abs=1e-6 * max(1, v[-1]))
        assert core_check(a, x).in_core == sm.in_core(g, x.tolist())


def test_core_check_large_component_uses_milp() -> None:
    a = clustered_agreement(30, seed=3, shared_facility=True)
    x = allocate(a, "shapley", seed=0, samples=40)["amount"]
    c = core_check(a, x)
    assert c.method.startswith("MILP") and c.exact
    # the coalition found has the excess reported, by the whole agreement's worth
    row = np.array([[m in c.coalition for m in a.member_ids]])
    worth = float(worth_function(a)(row)[0])
    assert worth - float(x[list(c.coalition)].sum()) == pytest.approx(c.excess, abs=1e-6)
    # no single member or pair does better than the MILP optimum
    fn = worth_function(a)
    ids = a.member_ids
    pairs = list(combinations(range(len(ids)), 2))
    rows = np.zeros((len(pairs), len(ids)), dtype=bool)
    for r, (i, j) in enumerate(pairs):
        rows[r, [i, j]] = True
    excess = fn(rows) - np.array([x.iloc[i] + x.iloc[j] for i, j in pairs])
    assert excess.max() <= c.excess + 1e-6


# ------------------------------------------------------------------ the bundled large scenario
LARGE = SCENARIOS / "eit_kic_large.yaml"


def test_bundled_large_scenario_is_what_the_docs_say() -> None:
    import agreements
    from agreements.scenario.clustered import eit_kic_large_mapping

    a = agreements.load(LARGE)
    assert len(a.members) >= 60 and a.illustrative
    assert len({m.country for m in a.members}) >= 10
    assert {str(m.layer) for m in a.members} >= {"lead", "close", "general"}
    # the committed file is the generator's output
    assert agreement_from_mapping(eit_kic_large_mapping(), source="<gen>").model_dump() \
        == a.model_dump()
    d = decompose(a)
    assert 1 < len(d.parts) < len(a.tasks)  # projects 1 and 2 share an input
    assert sum("p000" in p.members for p in d.parts) == 2  # a member in two parts


def test_bundled_large_scenario_shares_report_and_clauses(tmp_path) -> None:
    import docx

    import agreements
    from agreements.reports.report import build_report

    code, out, err = _run("shares", str(LARGE), "--format", "csv")
    assert code == 0, err
    assert "shapley: exact by structure" in err and "nucleolus' omitted" in err
    df = pd.read_csv(io.StringIO(out), index_col="member")
    assert len(df) == 67 and df.loc["total", "shapley_pct"] == 100
    page = build_report(agreements.load(LARGE), draws=200, lang="en")
    assert "Shares could not be computed" not in page
    assert "exact by structure" in page
    widest = max(row.count("<th") + row.count("<td") for row in page.split("<tr")[1:])
    assert widest <= 16  # members are rows, never columns
    out_docx = tmp_path / "clauses.docx"
    code, _, err = _run("clauses", str(LARGE), "--format", "docx", "-o", str(out_docx))
    assert code == 0, err
    doc = docx.Document(str(out_docx))
    assert doc.tables and max(len(t.columns) for t in doc.tables) <= 12
    assert any("66" in p.text or "Partner 065" in p.text for p in doc.paragraphs) or any(
        "Partner 065" in c.text for t in doc.tables for r in t.rows for c in r.cells)


def test_bundled_large_scenario_simulate_and_formation() -> None:
    import agreements
    from agreements.outcomes.risk import sharing_rules

    a = agreements.load(LARGE)
    code, out, err = _run("simulate", str(LARGE), "--draws", "300", "--format", "csv")
    assert code == 0 and "Traceback" not in err, err
    assert "p065" in out
    # formation: the core columns come from the structure search, not from 2^66 worths
    code, out, err = _run("formation", str(LARGE), "--draws", "300", "--format", "csv")
    assert code == 0, err
    assert "blocking_coalitions and cost_of_stability are omitted" in err
    table = pd.read_csv(io.StringIO(out), index_col="rule")
    assert "blocking_coalitions" not in table.columns
    shares = sharing_rules(a)
    grand = float(allocate(a, "equal", exact=False).attrs["grand_value"])
    for rule in table.index:
        check = core_check(a, shares[rule] * grand)
        assert check.exact and table.loc[rule, "in_core"] == check.in_core
        assert table.loc[rule, "max_excess"] == pytest.approx(check.excess)
    # equal shares of 66 members are blocked: some part is worth more than its members'
    # equal shares (a hand check of the coalition the search returns)
    check = core_check(a, shares["equal"] * grand)
    assert not check.in_core
    d = decompose(a)  # v(S) part by part: the whole agreement has too many recipes
    worth = 0.0
    for p in d.parts:
        g = part_game(a, list(p.members), p.products, weights=d.weights)
        mask = sum(1 << i for i, m in enumerate(p.members) if m in check.coalition)
        worth += float(g.values[mask])
    assert worth - grand * len(check.coalition) / 66 == pytest.approx(check.excess)
    code, out, err = _run("formation", str(LARGE), "--draws", "300", "--view", "members",
                          "--format", "csv")
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == 66, err


def test_bundled_large_scenario_in_a_sweep(tmp_path) -> None:
    """A sweep spec naming the 66-member scenario runs (inline), its shapley shares
    being the exact-by-structure ones."""
    import agreements
    from agreements.cli.risk import load_sweep_spec

    spec = tmp_path / "large.yaml"
    (tmp_path / LARGE.name).write_bytes(LARGE.read_bytes())  # specs name files beside them
    spec.write_text(yaml.safe_dump({
        "scenarios": [LARGE.name], "methods": ["equal", "shapley"], "draws": 100,
        "seed": 3, "grid": {"subsidy": [0.0, 0.4]}}), encoding="utf-8")
    case = load_sweep_spec(spec).cases["eit_kic_large"]
    shap = allocate(agreements.load(LARGE), "shapley", exact=False)
    pd.testing.assert_series_equal(case.shares["shapley"], shap["share"].astype(float),
                                   check_names=False)
    out = tmp_path / "large.parquet"
    code, text, err = _run("sweep", str(spec), "-o", str(out), "--scheduler", "inline",
                           "--format", "csv")
    assert code == 0, err
    rows = pd.read_parquet(out)
    assert len(rows) == 4 and set(rows["members"]) == {66}
    assert set(rows["rule"]) == {"equal", "shapley"}
    assert (rows.groupby("point")["government_cost_eur"].nunique() == 1).all()
    assert rows.loc[rows["subsidy"] == 0.4, "government_cost_eur"].gt(0).all()
    assert "eit_kic_large" in text


def test_clause_states_sampling_and_precision(typed) -> None:
    from agreements.clauses import clause_table

    a, _, _ = typed
    data = a.model_dump(mode="json", exclude_none=True)
    data["sharing"] = {"method": "shapley"}
    text = " ".join(clause_table(agreement_from_mapping(data, source="<typed>"), lang="en")
                    .astype(str).values.ravel())
    assert "estimated by Monte Carlo sampling" in text and "seed 0" in text
    assert "at most 0.10% of the consortium's expected value" in text


def test_prenucleolus_is_not_additive_over_parts() -> None:
    """Why the (pre)nucleolus is refused part by part: on a direct sum of two games with
    empty cores, money moves between the parts (exact fractions)."""
    from fractions import Fraction

    from sharing_models.games.nucleolus import prenucleolus

    v1 = [Fraction(x, 10) for x in (0, 25, 20, 24, 6, 24, 6, 2)]  # players a, b, c
    v2 = [Fraction(x, 10) for x in (0, 26, 26, 14)]  # players d, e
    whole = sm.Game(list("abcde"), [v1[m & 7] + v2[m >> 3] for m in range(32)])
    x = prenucleolus(whole, exact=True)
    parts = pd.concat([prenucleolus(sm.Game(list("abc"), v1), exact=True),
                       prenucleolus(sm.Game(list("de"), v2), exact=True)])
    assert parts.tolist() == [Fraction(k, 20) for k in (21, -2, -15, 14, 14)]
    assert x.tolist() == [Fraction(k, 20) for k in (22, -1, -15, 13, 13)]
    # Shapley, being linear, does add up over the same parts
    shap = sm.Game(list("abc"), v1).shapley(exact=True).tolist() + \
        sm.Game(list("de"), v2).shapley(exact=True).tolist()
    assert whole.shapley(exact=True).tolist() == shap
    with pytest.raises(ValueError, match="not the sum of the parts' nucleoli"):
        allocate(clustered_agreement(30, cluster_size=5, seed=1), "nucleolus")


def test_shares_says_when_the_core_verdict_is_a_bound(monkeypatch) -> None:
    """A core check that stopped at its time limit is reported as a bound (and as
    undecided when its bounds straddle 0), never as a plain yes/no."""
    import agreements.sharing.compare as compare
    from agreements.sharing.stability import CoreCheck

    code, out, err = _run("shares", str(LARGE), "-m", "shapley")
    assert code == 0, err
    assert "core check by a search over the agreement's structure: exact" in err
    assert "not in the core: shapley" in out and "bound" not in out
    import agreements

    a = agreements.load(LARGE)
    found = core_check(a, allocate(a, "shapley", exact=False)["amount"])
    assert f"largest excess {found.excess:.6g}" in err

    def stopped(agreement, amount, **kw):
        return CoreCheck(None, -0.5, 2.0, ("p001",), False, "mixed-integer program")

    monkeypatch.setattr(compare, "core_check", stopped)
    code, out, err = _run("shares", str(LARGE), "-m", "shapley", "-m", "equal")
    assert code == 0, err
    assert "undecided (the blocking-coalition search stopped at its time limit): " \
           "shapley, equal" in out
    assert "core verdicts from bounds, not exact: shapley, equal" in out
    assert "a bound" in err and "between -0.5 and 2" in err
    code, out, err = _run("shares", str(LARGE), "-m", "shapley", "--format", "csv")
    df = pd.read_csv(io.StringIO(out), index_col="member")
    assert df["shapley_in_core"].isna().all()


def test_default_seed_gives_one_estimate_everywhere(typed, tmp_path) -> None:
    """Without a seed, a sampled rule is sampled with seed 0: ``shares``, the clauses and
    the risk commands (through ``allocations``) show the same estimate."""
    from agreements.sharing import allocations

    a, _, _ = typed
    x = allocate(a, "shapley", samples=40)
    pd.testing.assert_frame_equal(x, allocate(a, "shapley", samples=40, seed=0))
    pd.testing.assert_frame_equal(x, allocations(a, ["shapley"], samples=40)["shapley"])
    assert not x["amount"].equals(allocate(a, "shapley", samples=40, seed=None)["amount"])
    path = tmp_path / "typed.yaml"
    path.write_text(yaml.safe_dump(a.model_dump(mode="json", exclude_none=True)),
                    encoding="utf-8")
    code, out, err = _run("shares", str(path), "-m", "shapley", "--samples", "40",
                          "--format", "csv")
    assert code == 0, err
    shown = pd.read_csv(io.StringIO(out), index_col="member")["shapley"].drop("total")
    assert np.allclose(shown, x["amount"].astype(float), atol=0.006)


@pytest.mark.parametrize("facility", [False, True])
def test_batch_worths_equal_the_whole_game(facility: bool) -> None:
    """The batch worth function (the sampler's road; sparse and dense cost vectors)
    gives every coalition's worth of the exact engine's 2^n array."""
    a = clustered_agreement(14, cluster_size=4, seed=11, shared_facility=facility)
    n = len(a.member_ids)
    masks = np.arange(1 << n)
    rows = (masks[:, None] >> np.arange(n)) & 1 == 1
    whole = agreement_game(a).values.astype(float)
    assert np.allclose(worth_function(a)(rows), whole, rtol=1e-12, atol=1e-12)
    assert whole.max() > 0 and len(np.unique(whole.round(9))) > 3  # not a trivial game
