"""Benchmark: loading scenario files and building the agreement's game.

Rows (every figure measured in this run, best of several repeats, ``time.perf_counter``):

* ``load + validate``: :func:`agreements.load` on a generated YAML scenario with
  ``n`` members and one contribution each (parse with libyaml, field and
  cross-reference validation, line index). Peer: PyYAML's pure-Python
  ``yaml.safe_load`` on the same file, which only parses (no validation, no lines).
* ``agreement game``: :func:`agreements.agreement_game` (all ``2^n`` worths,
  vectorised) on a generated agreement (2 contributions per member, 8 chained tasks
  with any-of needs, 4 products; ``numpy.random.default_rng(seed)``). Peer: the same
  worths coalition by coalition with :func:`agreements.coalition_worth` (the naive
  loop), only where it finishes in reasonable time; worths are checked equal.
* ``shares, all rules``: :func:`agreements.compare_shares` (game, Shapley, Banzhaf,
  nucleolus, Owen, own rules, core tests) on the bundled 12-member Qingdao scenario.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

import agreements
from agreements import Agreement, agreement_game, coalition_worth, compare_shares

AREA = "agreements"
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.strategies import random_agreement_mapping  # noqa: E402


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def big_scenario(n: int) -> dict[str, Any]:
    """``n`` members with one contribution each, one task needing them all."""
    members = [{"id": f"m{i:05d}", "name": {"en": f"Member {i}", "zh": f"成员{i}"},
                "kind": "enterprise", "region": "Shanghai", "revenue": 1000.0 + i}
               for i in range(n)]
    contributions = [{"id": f"c{i:05d}", "member": f"m{i:05d}", "kind": "cash",
                      "valuation": 10.0, "cost": 5.0} for i in range(n)]
    return {"format": 1, "id": "big", "name": {"en": "Big"}, "members": members,
            "contributions": contributions,
            "tasks": [{"id": "t", "needs": {"all_of": [c["id"] for c in contributions]},
                       "produces": ["r"]}],
            "results": [{"id": "r"}],
            "products": [{"id": "p", "needs": {"all_of": ["r"]}, "revenue": {"expected": 1}}]}


def random_agreement(n: int, seed: int) -> Agreement:
    """2 contributions per member, 8 chained tasks with any-of needs, 4 products
    (the generator the tests use: ``tests.strategies.random_agreement_mapping``)."""
    return Agreement.from_mapping(random_agreement_mapping(n, seed))


def _load_rows(sizes: tuple[int, ...], repeats: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"big{n}.yaml"
            path.write_text(yaml.safe_dump(big_scenario(n), allow_unicode=True), "utf-8")
            ours, a = _best(lambda p=path: agreements.load(p), repeats)
            text = path.read_text("utf-8")
            peer, _ = _best(lambda t=text: yaml.load(t, Loader=yaml.SafeLoader), repeats)
            rows.append({"area": AREA, "task": "load + validate (YAML)", "n": n,
                         "ours_s": ours, "peer": "PyYAML safe_load (parse only)",
                         "peer_s": peer, "note": f"{len(a.members)} members loaded; "
                         "ours also validates fields and cross-references, indexes lines"})
    return rows


def _game_rows(sizes: tuple[int, ...], naive_up_to: int, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        a = random_agreement(n, seed=7)
        ours, g = _best(lambda a=a: agreement_game(a), repeats)
        peer_s, note = None, f"v(N) = {float(g.grand_value):.1f}"
        if n <= naive_up_to:
            def naive(a: Agreement = a, n: int = n) -> list[float]:
                ids = a.member_ids
                return [coalition_worth(a, [ids[i] for i in range(n) if m >> i & 1])
                        for m in range(1 << n)]

            peer_s, worths = _best(naive, 1)
            same = np.allclose(worths, g.values, atol=1e-9)
            note += f"; naive worths {'equal' if same else 'DIFFER'}"
        rows.append({"area": AREA, "task": "agreement game (all 2^n worths)", "n": n,
                     "ours_s": ours,
                     "peer": "coalition_worth loop" if peer_s is not None else None,
                     "peer_s": peer_s, "note": note})
    return rows


def _shares_row(repeats: int) -> dict[str, Any]:
    a = agreements.load(ROOT / "scenarios" / "qingdao_marine_equipment.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, df = _best(lambda: compare_shares(a), repeats)
        floats, _ = _best(lambda: compare_shares(a, exact=False), repeats)
    rules = [c for c in df.columns if not c.endswith(("_in_core", "_gain"))]
    return {"area": AREA, "task": "shares, all rules + core tests (exact)", "n": len(a.members),
            "ours_s": ours, "peer": None, "peer_s": None,
            "note": f"qingdao_marine_equipment.yaml; rules: {', '.join(rules)}; exact "
                    f"Fractions (the default up to 12 members; most of it the exact "
                    f"nucleolus LPs); floats (exact=False): {floats * 1e3:.1f} ms"}


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Rows ``area, task, n, ours_s, peer, peer_s, ratio, note`` (see benchmarks/README.md)."""
    if quick:
        return _load_rows((200,), 1) + _game_rows((8,), 8, 1)
    return (_load_rows((1000, 3000), 3) + _game_rows((10, 16, 20), 12, 3)
            + [_shares_row(3)])


if __name__ == "__main__":  # pragma: no cover
    for row in run(quick=False):
        print(row)
