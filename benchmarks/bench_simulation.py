"""Risk simulation and Dask sweeps (issue 6).

Targets: 1,000,000 draws x 10 members x 4 rules in under 5 s on 2 cores with peak memory
under 2 GB (measured in a fresh subprocess, so its peak RSS is the simulation's own); a
sweep of 1,000 parameter points on a 2-worker local Dask cluster at least 1.6x faster
than the same sweep in one process, with identical results. There is no peer library;
the sweep's "peer" is the same sweep run in-process (``scheduler="inline"``).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sharing_models.risk import (  # noqa: E402
    CostSubsidy,
    Empirical,
    LogNormal,
    MilestoneAward,
    ProcurementGuarantee,
    Product,
    Project,
    RiskMember,
    Stage,
    TechnologyInsurance,
    Triangular,
    borch_shares,
    risk_summary,
    simulate,
)
from sharing_models.risk.sweep import lever_point  # noqa: E402
from sharing_models.sweep import random_points, sweep  # noqa: E402

AREA = "simulation"


def make_project(members: int = 10) -> tuple[Project, pd.DataFrame, pd.Series]:
    """A 4-stage project, 2 products, member defaults, overruns and one correlation."""
    names = [f"m{i}" for i in range(members)]
    stages = (Stage("feasibility", 0.85, 5.0, Triangular(0.9, 1.0, 1.5)),
              Stage("prototype", 0.7, 20.0, LogNormal(1.15, 0.25), year=1.0),
              Stage("trial", 0.6, 40.0, LogNormal(1.2, 0.3), year=2.0),
              Stage("approval", 0.9, 10.0, year=3.0))
    products = (Product("device", LogNormal(300.0, 200.0), year=4.0,
                        delay=Triangular(0.0, 0.5, 2.0)),
                Product("licence", Empirical((0.0, 5.0, 10.0, 40.0)), after="prototype",
                        year=2.0))
    rho = np.linspace(10.0, 100.0, members)
    mem = tuple(RiskMember(n, float(r), 0.0, 0.03) for n, r in zip(names, rho, strict=True))
    project = Project(stages, products, mem, default_clause="pro_rata",
                      correlations=(("success:trial", "revenue:device", 0.3),),
                      discount_rate=0.06)
    rng = np.random.default_rng(0)
    rules = pd.DataFrame({"equal": np.full(members, 1 / members),
                          "borch": borch_shares(pd.Series(rho, index=names)).to_numpy(),
                          "lead": np.r_[0.55, np.full(members - 1, 0.45 / (members - 1))],
                          "random": rng.dirichlet(np.ones(members))}, index=names)
    costs = pd.Series(np.r_[0.4, np.full(members - 1, 0.6 / (members - 1))], index=names)
    return project, rules, costs


LEVERS = (CostSubsidy(0.2), TechnologyInsurance(0.5, 1.0), MilestoneAward({"trial": 5.0}),
          ProcurementGuarantee(100.0))


def _simulate_once(draws: int) -> dict:
    """Run in a fresh process: best-of-3 timings and the process's peak RSS."""
    import resource

    project, rules, costs = make_project()
    best_sim = best_sum = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        sim = simulate(project, rules, costs, draws=draws, seed=1, levers=LEVERS,
                       progress=False)
        best_sim = min(best_sim, time.perf_counter() - t)
        t = time.perf_counter()
        risk_summary(sim, levels=(0.95, 0.99))
        best_sum = min(best_sum, time.perf_counter() - t)
        err = float(np.abs(sim.payoff.sum(axis=1) - sim.outcome[:, None]).max())
        del sim
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"simulate_s": best_sim, "summary_s": best_sum, "peak_rss_mb": rss_mb,
            "conservation_err": err}


def _simulation_rows(draws: int) -> list[dict]:
    here = str(Path(__file__).parent)
    code = (f"import json, sys; sys.path.insert(0, {here!r}); import bench_simulation as b; "
            f"print(json.dumps(b._simulate_once({draws})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=str(ROOT))
    res = json.loads(out.stdout.strip().splitlines()[-1])
    shape = f"{draws:,} draws x 10 members x 4 rules"
    note = (f"peak RSS {res['peak_rss_mb']:.0f} MB (fresh process, incl. summary); "
            f"4 stages, 2 products, defaults, copula, 4 levers; "
            f"max |sum of payoffs - outcome| = {res['conservation_err']:.1e}")
    return [
        {"area": AREA, "task": f"simulate {shape}", "n": draws, "ours_s": res["simulate_s"],
         "peer": None, "peer_s": None, "ratio": None, "note": note,
         "peak_rss_mb": res["peak_rss_mb"]},
        {"area": AREA, "task": f"risk_summary (VaR/CVaR 95, 99%, CE) of {shape}", "n": draws,
         "ours_s": res["summary_s"], "peer": None, "peer_s": None, "ratio": None,
         "note": "partition-based quantiles, log-sum-exp CE",
         "peak_rss_mb": res["peak_rss_mb"]},
    ]


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process (all its threads)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _sweep_rows(points: int, draws: int, repeats: int = 3) -> list[dict]:
    from distributed import Client

    from sharing_models.sweep import local_cluster

    project, rules, costs = make_project(6)
    rules = rules.iloc[:, :2].div(rules.iloc[:, :2].sum())
    fn = functools.partial(lever_point, project=project, shares=rules, cost_shares=costs[
        rules.index] / costs[rules.index].sum(), draws=draws)
    pts = random_points(points, seed=7, subsidy=(0.0, 0.6), floor=[0.0, 100.0],
                        probability_scale=(0.6, 1.1), **{"award:trial": [0.0, 5.0, 10.0]})
    t = time.perf_counter()
    with local_cluster(2) as cluster, Client(cluster) as client:
        t_start = time.perf_counter() - t
        client.run(lambda: None)  # workers up and importable
        best = t_inline = float("inf")
        cpu_inline = cpu_workers = 0.0
        for _ in range(repeats):  # alternate, so both see the same machine load
            t, c = time.perf_counter(), _cpu_seconds()
            inline = sweep(fn, pts, seed=3, scheduler="inline", progress=False)
            if (el := time.perf_counter() - t) < t_inline:
                t_inline, cpu_inline = el, _cpu_seconds() - c
            w0 = client.run(_cpu_seconds)
            t = time.perf_counter()
            dask_res = sweep(fn, pts, seed=3, scheduler=client, progress=False)
            if (el := time.perf_counter() - t) < best:
                w1 = client.run(_cpu_seconds)
                best, cpu_workers = el, sum(w1[k] - w0[k] for k in w1)
    same = dask_res.equals(inline)
    note = (f"{draws:,} draws per point, 2 rules; peer = same sweep in one process "
            f"(best of {repeats} each, alternating); "
            f"2 process workers x 1 thread (cluster start {t_start:.1f} s, not timed); "
            f"speed-up {t_inline / best:.2f}x; results identical: {same}; "
            f"CPU seconds: in-process {cpu_inline:.1f} (OpenBLAS threads use the second "
            f"core too), Dask workers {cpu_workers:.1f} in all")
    return [{"area": AREA, "task": f"sweep of {points:,} lever points on 2-worker Dask",
             "n": points, "ours_s": best, "peer": "in-process sweep", "peer_s": t_inline,
             "ratio": best / t_inline, "note": note}]


def run(quick: bool = False) -> list[dict]:
    """Benchmark rows (see module docstring)."""
    if quick:
        return _simulation_rows(20_000) + _sweep_rows(20, 500)
    return _simulation_rows(1_000_000) + _sweep_rows(1000, 4000)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    for row in run(quick=parser.parse_args().quick):
        print(row)
