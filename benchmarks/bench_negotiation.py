"""Benchmark: negotiation when the members see the future differently (issue 14).

Rows (best of several repeats, ``time.perf_counter``, every figure measured in this run):
:func:`agreements.negotiation.negotiate` with its default rules (the agreed rule, Shapley,
proportional, equal), i.e. one exact state table per view, the rule shares, and the
leximin LPs of the best fixed split and of the contingent contract (HiGHS).

Agreements come from :func:`agreements.scenario.synthetic.synthetic_agreement` with
``n`` members, ``P`` products and 3 tasks: the first seed whose grand plan makes all
``P`` products. The contract depends on ``min(P, max_events)`` launch events
(``max_events`` 3 by default, 4 in the last row), so ``2^events`` states. Every member holds
its own view: each product's success probability shifted by a uniform draw in
[-0.3, 0.3] (clipped to [0.05, 0.95]; ``numpy.random.default_rng(1)``), so all views
differ. No peer package computes contingent contracts; ``peer`` is empty.

* the issue's target: 12 members, 12 divergent views, 3 products, under 5 s;
* scaling with members (4, 8, 12; 3 products) and with products / events (1 to 4;
  12 members; 4 products with the default 3 events and with ``max_events=4``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from agreements import Agreement
from agreements.negotiation import negotiate
from agreements.scenario.synthetic import SyntheticConfig, synthetic_agreement
from agreements.valuation.game import grand_plan

AREA = "negotiation"
TARGET_S = 5.0


def agreement(members: int, products: int, tasks: int = 3) -> tuple[Agreement, int]:
    """A synthetic agreement whose grand plan makes every product, and its seed."""
    config = SyntheticConfig(members=(members, members), products=(products, products),
                             tasks=(tasks, tasks))
    for seed in range(200):
        a = synthetic_agreement(seed=seed, config=config)
        if len(grand_plan(a).products) == products:
            return a, seed
    raise RuntimeError(f"no synthetic agreement with {members} members makes all "
                       f"{products} products in 200 seeds")


def views(a: Agreement, spread: float = 0.3, seed: int = 1) -> dict[str, Any]:
    """One overlay per member: every product's success probability shifted at random."""
    rng = np.random.default_rng(seed)
    return {m: {"products": [
        {"id": p.id, "success_probability": float(np.clip(
            p.success_probability + rng.uniform(-spread, spread), 0.05, 0.95))}
        for p in a.products]} for m in a.member_ids}


def _row(task: str, members: int, products: int, repeats: int,
         max_events: int = 3) -> dict[str, Any]:
    a, seed = agreement(members, products)
    v = views(a)
    best, deal = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        deal = negotiate(a, v, max_events=max_events)
        best = min(best, time.perf_counter() - start)
    assert deal is not None
    c = deal.contingent
    note = (f"{members} members, {len(v)} views, {products} product(s), "
            f"{len(c.events)} event(s) ({len(c.shares)} states), 3 tasks, synthetic seed "
            f"{seed}; "
            f"smallest surplus fixed {deal.fixed.min_surplus:.3f}, contingent "
            f"{c.min_surplus:.3f} (gain {c.gain_over_fixed:.3f}); "
            f"{'acceptable' if c.acceptable else 'not acceptable'}")
    if task.startswith("target"):
        note += f"; target < {TARGET_S:g} s: {'met' if best < TARGET_S else 'MISSED'}"
    return {"area": AREA, "task": task, "n": members, "ours_s": best, "peer": None,
            "peer_s": None, "note": note}


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Rows ``area, task, n, ours_s, peer, peer_s, ratio, note`` (see benchmarks/README.md)."""
    if quick:
        return [_row("negotiate, members (1 product)", 3, 1, 1)]
    repeats = 3
    rows = [_row("target: negotiate, 12 views, 3 products", 12, 3, repeats)]
    rows += [_row("negotiate, by members (3 products)", n, 3, repeats) for n in (4, 8, 12)]
    rows += [_row(f"negotiate, by products: {p} (12 members)", 12, p, repeats)
             for p in (1, 2, 3, 4)]
    rows.append(_row("negotiate, 4 products, max_events=4 (12 members)", 12, 4, repeats,
                     max_events=4))
    return rows
