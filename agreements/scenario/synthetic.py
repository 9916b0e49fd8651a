"""Synthetic consortia: random, valid agreements for studying thousands of cases.

:func:`synthetic_agreement` draws one :class:`~agreements.scenario.model.Agreement` from the
distributions of a :class:`SyntheticConfig`: a lead enterprise and other members of
random kinds and sizes, one or two contributions each (the lead brings cash), a chain
of tasks (each needs some contributions and, usually, the previous task's result),
products that need task results and the lead's market access, fixed shares, a default
clause. The mapping goes through :meth:`Agreement.from_mapping`, so every generated
agreement passes the same checks as a scenario file. :func:`synthetic_agreements`
draws many with independent child seeds (``numpy.random.SeedSequence.spawn``), so
agreement ``k`` is the same whatever the count.

Money is in millions of the currency unit; all figures are illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import AgreementError
from .loader import agreement_from_mapping
from .model import Agreement

__all__ = ["SyntheticConfig", "synthetic_agreement", "synthetic_agreements"]

_KINDS = ("enterprise", "university", "research_institute", "hospital")
_CONTRIB = {"enterprise": ("equipment", "staff", "cash"), "university": ("staff", "background_ip"),
            "research_institute": ("staff", "background_ip", "facility"),
            "hospital": ("application_scenario", "data")}


#: Largest upper bounds of the synthetic ranges (members, tasks, products per consortium).
SYNTHETIC_MOST = {"members": 12, "tasks": 20, "products": 10}


@dataclass(frozen=True)
class SyntheticConfig:
    """Distributions of synthetic consortia (ranges are inclusive ``(low, high)``).

    Lognormal figures are given by their median and log-scale ``sigma``.
    """

    members: tuple[int, int] = (3, 8)
    tasks: tuple[int, int] = (1, 4)
    products: tuple[int, int] = (1, 2)
    valuation_median: float = 10.0
    valuation_sigma: float = 0.8
    task_cost_median: float = 12.0
    task_cost_sigma: float = 0.6
    task_success: tuple[float, float] = (0.55, 0.95)
    revenue_median: float = 40.0
    revenue_sigma: float = 0.8
    revenue_cv: tuple[float, float] = (0.2, 0.9)
    market_success: tuple[float, float] = (0.4, 0.9)
    years: tuple[int, int] = (3, 8)
    margin: tuple[float, float] = (0.2, 0.5)
    discount_rate: float = 0.05
    risk_tolerance_median: float = 30.0
    risk_tolerance_sigma: float = 1.0
    outside_option: tuple[float, float] = (0.0, 3.0)
    default_probability: tuple[float, float] = (0.0, 0.1)

    def __post_init__(self) -> None:
        problems = [f"{name} must be (low, high) with 0 < low <= high"
                    for name in ("members", "tasks", "products")
                    if not 1 <= getattr(self, name)[0] <= getattr(self, name)[1]]
        if self.members[0] < 2:
            problems.append("members: a consortium needs at least 2 members")
        for name, most in SYNTHETIC_MOST.items():
            if getattr(self, name)[1] > most:
                problems.append(f"{name}: at most {most} (a sweep runs every consortium's "
                                "game; study larger ones one scenario at a time)")
        for name in ("task_success", "market_success", "margin", "default_probability"):
            lo, hi = getattr(self, name)
            if not 0.0 <= lo <= hi <= 1.0:
                problems.append(f"{name} must be (low, high) within [0, 1]")
        if problems:
            raise AgreementError("invalid SyntheticConfig: " + "; ".join(problems))


def _lognormal(rng: np.random.Generator, median: float, sigma: float) -> float:
    return float(round(median * np.exp(sigma * rng.standard_normal()), 3))


def _uniform(rng: np.random.Generator, bounds: tuple[float, float], digits: int = 3) -> float:
    return float(round(rng.uniform(*bounds), digits))


def _members(rng: np.random.Generator, cfg: SyntheticConfig, n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        kind = "lead_enterprise" if i == 0 else str(rng.choice(_KINDS))
        out.append({
            "id": f"m{i:02d}", "name": {"en": f"Member {i}"}, "kind": kind,
            "layer": "lead" if i == 0 else str(rng.choice(["close", "general"])),
            "outside_option": _uniform(rng, cfg.outside_option),
            "risk_tolerance": _lognormal(rng, cfg.risk_tolerance_median * (3 if i == 0 else 1),
                                         cfg.risk_tolerance_sigma),
        })
    return out


def _contributions(rng: np.random.Generator, cfg: SyntheticConfig,
                   members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for m in members:
        kinds = ["cash", "market_access"] if m["kind"] == "lead_enterprise" else list(
            rng.choice(_CONTRIB[m["kind"]], size=int(rng.integers(1, 3)), replace=False))
        for k in kinds:
            value = _lognormal(rng, cfg.valuation_median, cfg.valuation_sigma)
            cost = value if k == "cash" else round(value * rng.uniform(0.2, 0.8), 3)
            out.append({"id": f"c_{m['id']}_{k}", "member": m["id"], "kind": str(k),
                        "valuation": value, "cost": float(cost)})
    return out


def _tasks(rng: np.random.Generator, cfg: SyntheticConfig, contributions: list[dict[str, Any]],
           k: int) -> list[dict[str, Any]]:
    inputs = [c for c in contributions if c["kind"] != "market_access"]
    out = []
    for t in range(k):
        take = rng.choice(len(inputs), size=int(rng.integers(1, min(3, len(inputs)) + 1)),
                          replace=False)
        needs = [inputs[int(i)]["id"] for i in sorted(take)]
        if t > 0 and rng.random() < 0.7:
            needs.append(f"r{t - 1}")
        team = sorted({inputs[int(i)]["member"] for i in take})
        out.append({"id": f"t{t}", "lead": team[0], "members": team,
                    "needs": {"all_of": needs}, "produces": [f"r{t}"],
                    "cost": _lognormal(rng, cfg.task_cost_median, cfg.task_cost_sigma),
                    "success_probability": _uniform(rng, cfg.task_success),
                    "duration_months": int(rng.integers(6, 25))})
    return out


def _revenue(rng: np.random.Generator, cfg: SyntheticConfig) -> dict[str, Any]:
    expected = _lognormal(rng, cfg.revenue_median, cfg.revenue_sigma)
    law = str(rng.choice(["lognormal", "triangular", "fixed"]))
    if law == "lognormal":
        return {"expected": expected, "distribution": law,
                "sd": round(expected * rng.uniform(*cfg.revenue_cv), 3)}
    if law == "triangular":
        return {"expected": expected, "distribution": law, "low": round(expected * 0.3, 3),
                "mode": round(expected * 0.8, 3), "high": round(expected * 1.9, 3)}
    return {"expected": expected}


def _products(rng: np.random.Generator, cfg: SyntheticConfig, k_tasks: int,
              market: str, k: int) -> list[dict[str, Any]]:
    out = []
    for j in range(k):
        result = f"r{k_tasks - 1}" if j == 0 else f"r{int(rng.integers(0, k_tasks))}"
        out.append({"id": f"p{j}", "needs": {"all_of": [result, market]},
                    "revenue": _revenue(rng, cfg),
                    "success_probability": _uniform(rng, cfg.market_success),
                    "years": int(rng.integers(cfg.years[0], cfg.years[1] + 1)),
                    "discount_rate": cfg.discount_rate,
                    "operating_margin": _uniform(rng, cfg.margin)})
    return out


def _fixed_shares(rng: np.random.Generator, ids: list[str]) -> dict[str, float]:
    w = rng.dirichlet(np.ones(len(ids)))
    pct = [round(float(x) * 100, 2) for x in w[:-1]]
    return {**dict(zip(ids[:-1], pct, strict=True)), ids[-1]: round(100.0 - sum(pct), 2)}


def synthetic_agreement(seed: Any = None, config: SyntheticConfig | None = None,
                        name: str = "synthetic") -> Agreement:
    """One random, valid agreement (same seed -> same agreement).

    >>> a = synthetic_agreement(seed=1)
    >>> a.illustrative, len(a.members) >= 3, a.tasks[0].id
    (True, True, 't0')
    """
    cfg = config or SyntheticConfig()
    rng = np.random.default_rng(seed)
    members = _members(rng, cfg, int(rng.integers(cfg.members[0], cfg.members[1] + 1)))
    contributions = _contributions(rng, cfg, members)
    k_tasks = int(rng.integers(cfg.tasks[0], cfg.tasks[1] + 1))
    tasks = _tasks(rng, cfg, contributions, k_tasks)
    market = next(c["id"] for c in contributions if c["kind"] == "market_access")
    ids = [m["id"] for m in members]
    data = {
        "format": 1, "id": name, "name": {"en": f"Synthetic consortium {name}"},
        "currency": "CNY (millions)", "illustrative": True,
        "description": "Randomly generated by agreements.scenario.synthetic (illustrative).",
        "members": members, "contributions": contributions, "tasks": tasks,
        "results": [{"id": f"r{t}"} for t in range(k_tasks)],
        "products": _products(rng, cfg, k_tasks, market,
                              int(rng.integers(cfg.products[0], cfg.products[1] + 1))),
        "sharing": {"method": "fixed", "fixed_shares": _fixed_shares(rng, ids)},
        "default": {"forfeit_share": _uniform(rng, (0.0, 1.0), 2),
                    "default_probability": _uniform(rng, cfg.default_probability)},
    }
    return agreement_from_mapping(data, source=f"<synthetic {name}>")


def synthetic_agreements(count: int, seed: Any = None,
                         config: SyntheticConfig | None = None) -> list[Agreement]:
    """``count`` synthetic agreements named ``synthetic_0000``, ... (independent seeds).

    >>> [a.id for a in synthetic_agreements(2, seed=0)]
    ['synthetic_0000', 'synthetic_0001']
    """
    if not (isinstance(count, int) and count > 0):
        raise AgreementError(f"count must be a positive integer; got {count!r}")
    seeds = np.random.SeedSequence(seed).spawn(count)
    return [synthetic_agreement(s, config, name=f"synthetic_{k:04d}")
            for k, s in enumerate(seeds)]
