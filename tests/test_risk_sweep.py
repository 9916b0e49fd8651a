"""Parameter sweeps: point builders, seeds, Dask vs in-process, Parquet streaming."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from sharing_models import InvalidInputError
from sharing_models.risk import LogNormal, Product, Project, RiskMember, Stage, Triangular
from sharing_models.risk.sweep import lever_point, levers_from_point
from sharing_models.sweep import grid, random_points, sweep

PROJECT = Project(
    (Stage("design", 0.8, 10.0, Triangular(1.0, 1.0, 1.4)), Stage("trial", 0.6, 25.0, year=1.0)),
    (Product("device", LogNormal(120.0, 60.0), year=3.0),),
    tuple(RiskMember(m, rho, 0.0, 0.05) for m, rho in (("lead", 50.0), ("univ", 8.0))),
    discount_rate=0.05,
)
SHARES = pd.DataFrame({"equal": [0.5, 0.5], "lead": [0.8, 0.2]}, index=["lead", "univ"])
FN = functools.partial(lever_point, project=PROJECT, shares=SHARES, draws=800)


def _noise(point, seed):
    rng = np.random.default_rng(seed)
    return {"u": float(rng.random()), "twice": 2 * point["x"]}


def test_grid_and_random_points():
    g = grid(subsidy=[0.0, 0.2, 0.4], floor=[0.0, 50.0])
    assert len(g) == 6 and g[1] == {"subsidy": 0.0, "floor": 50.0}
    a = random_points(50, seed=3, subsidy=(0.0, 0.5), members=(2, 4), clause=["a", "b"])
    b = random_points(50, seed=3, subsidy=(0.0, 0.5), members=(2, 4), clause=["a", "b"])
    assert a == b and a != random_points(50, seed=4, subsidy=(0.0, 0.5), members=(2, 4),
                                         clause=["a", "b"])
    assert all(0 <= p["subsidy"] <= 0.5 and p["members"] in (2, 3, 4) for p in a)
    assert {p["members"] for p in a} == {2, 3, 4}
    for bad in ({}, {"x": []}, {"x": "abc"}):
        with pytest.raises(InvalidInputError, match="grid"):
            grid(**bad)
    with pytest.raises(InvalidInputError, match="random axis"):
        random_points(3, seed=0, x=5)


def test_inline_sweep_seeds_are_per_point_and_batch_independent():
    pts = grid(x=list(range(7)))
    a = sweep(_noise, pts, seed=1, scheduler="inline", batch_size=1)
    b = sweep(_noise, pts, seed=1, scheduler="inline", batch_size=3)
    c = sweep(_noise, pts, seed=2, scheduler="inline")
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["u"], c["u"])
    assert a["point"].tolist() == list(range(7)) and (a["twice"] == 2 * a["x"]).all()
    # the same point in another list keeps its result only through its index: seeds
    # come from SeedSequence(seed).spawn(n)
    first = sweep(_noise, pts[:3], seed=1, scheduler="inline")
    pd.testing.assert_frame_equal(first, a.iloc[:3])


def test_dask_threads_sweep_equals_in_process_sweep(tmp_path):
    """Issue 6: a Dask sweep on a local cluster equals the in-process sweep."""
    pts = grid(subsidy=[0.0, 0.3], floor=[0.0, 90.0], **{"award:trial": [0.0, 10.0]})
    here = sweep(FN, pts, seed=5, scheduler="inline")
    out = tmp_path / "sweep.parquet"
    there = sweep(FN, pts, seed=5, n_workers=2, processes=False, batch_size=1, out=out)
    pd.testing.assert_frame_equal(here, there)
    pd.testing.assert_frame_equal(pd.read_parquet(out), here)
    assert len(here) == len(pts) * 2 and set(here["rule"]) == {"equal", "lead"}
    sub = here[(here["rule"] == "equal") & (here["floor"] == 0) & (here["award:trial"] == 0)]
    assert sub["government_cost"].iloc[0] == 0 and sub["government_cost"].iloc[1] > 0


def test_dask_process_workers_give_the_same_rows():
    from distributed import Client, LocalCluster

    pts = random_points(6, seed=0, subsidy=(0.0, 0.6), probability_scale=(0.5, 1.2),
                        default_probability=[0.0, 0.2])
    here = sweep(FN, pts, seed=9, scheduler="inline")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        there = sweep(FN, pts, seed=9, scheduler=client)
        again = sweep(FN, pts, seed=9, scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(here, there)
    pd.testing.assert_frame_equal(here, again)


def test_levers_from_point_and_bad_parameters():
    lv = levers_from_point({"subsidy": 0.2, "insurance": 0.5, "premium": 1.0, "floor": 10.0,
                            "award:design": 3.0, "award:trial": 0.0}, PROJECT)
    assert [type(x).__name__ for x in lv] == ["CostSubsidy", "MilestoneAward",
                                               "TechnologyInsurance", "ProcurementGuarantee"]
    assert levers_from_point({"subsidy": 0.0}, PROJECT) == []
    with pytest.raises(InvalidInputError, match="unknown sweep parameter"):
        sweep(FN, [{"subsidies": 0.1}], scheduler="inline")
    with pytest.raises(InvalidInputError, match="at least one point"):
        sweep(FN, [], scheduler="inline")
    with pytest.raises(InvalidInputError, match="scheduler"):
        sweep(FN, [{"subsidy": 0.1}], scheduler=42)


def test_probability_scale_and_default_probability_change_the_project():
    pts = [{}, {"probability_scale": 0.5}, {"default_probability": 0.9}]
    res = sweep(FN, pts, seed=0, scheduler="inline").query("rule == 'equal'")
    base, scaled, defaulty = res["expected_outcome"].tolist()
    assert scaled < base and defaulty != base


def _stop_at_five(point, seed):
    if point["x"] == 5:
        raise KeyboardInterrupt
    return {"y": point["x"] * 2}


def test_interrupted_sweep_leaves_no_output(tmp_path):
    out = tmp_path / "partial.parquet"
    out.write_bytes(b"an earlier result")
    with pytest.raises(KeyboardInterrupt):
        sweep(_stop_at_five, grid(x=list(range(10))), scheduler="inline", batch_size=2, out=out)
    # all or nothing: the earlier file is untouched and no temporary file is left
    assert out.read_bytes() == b"an earlier result"
    assert [p.name for p in tmp_path.iterdir()] == ["partial.parquet"]
    out.unlink()
    sweep(_stop_at_five, grid(x=list(range(5))), scheduler="inline", batch_size=2, out=out)
    assert pd.read_parquet(out)["x"].tolist() == [0, 1, 2, 3, 4]
    assert [p.name for p in tmp_path.iterdir()] == ["partial.parquet"]


def test_membership_sweep_without_a_member():
    ss = np.random.SeedSequence(4)
    full = FN({}, ss)
    pd.testing.assert_frame_equal(FN({"without:univ": 0}, ss), full)  # 0 = stays in
    alone = FN({"without:univ": 1}, ss)
    assert (alone["members_accepting"] <= 1).all()
    # the lead alone bears the whole project under every rule
    assert alone["total_ce"].nunique() == 1 and list(alone.columns) == list(full.columns)
    with pytest.raises(InvalidInputError, match="unknown member"):
        sweep(FN, [{"without:nobody": 1}], scheduler="inline")
    with pytest.raises(InvalidInputError, match="at least one member must stay"):
        sweep(FN, [{"without:lead": 1, "without:univ": 1}], scheduler="inline")
