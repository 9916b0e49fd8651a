"""Policy levers: how public money changes a consortium's risky cash flows.

Each lever is a frozen dataclass whose :meth:`apply` turns the simulated draws
(:class:`Draws`: which stages were attempted and succeeded, their discounted costs,
the products' discounted revenue) into transfers from the government: *cost relief*
per stage (shared among members by their cost shares) and a *revenue top-up* per
product (shared by the revenue-sharing rule). The government's cost in a draw is the
sum of both, so money is conserved: consortium outcome + government cost = revenue
minus cost of the project without the lever.

The four levers follow the instruments named in Chinese consortium guidelines
(cost subsidy, technology insurance, milestone awards as in the Baoshan guideline,
first-purchase procurement) and the cost-of-stability view of subsidies [Bachrach2009]_.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..exceptions import InvalidInputError

if TYPE_CHECKING:
    from .model import Project

__all__ = [
    "CostSubsidy",
    "Draws",
    "Lever",
    "LeverEffect",
    "MilestoneAward",
    "ProcurementGuarantee",
    "TechnologyInsurance",
]


@dataclass(frozen=True)
class Draws:
    """One chunk of simulated project draws (``B`` draws, ``K`` stages, ``P`` products).

    Money is discounted to year 0; ``stage_discount`` has shape ``(K,)``,
    ``product_discount`` ``(B, P)`` (delays are random).
    """

    attempted: np.ndarray
    success: np.ndarray
    cost: np.ndarray
    revenue: np.ndarray
    reached: np.ndarray
    stage_discount: np.ndarray
    product_discount: np.ndarray


@dataclass(frozen=True)
class LeverEffect:
    """Government transfers in one chunk: ``cost_relief`` (B, K), ``revenue_topup`` (B, P)."""

    cost_relief: np.ndarray
    revenue_topup: np.ndarray

    @property
    def government_cost(self) -> np.ndarray:
        """Net public money per draw, shape ``(B,)``."""
        return np.asarray(self.cost_relief.sum(axis=1) + self.revenue_topup.sum(axis=1))


class Lever(ABC):
    """Base class: a lever maps :class:`Draws` to a :class:`LeverEffect`."""

    @abstractmethod
    def apply(self, draws: Draws, project: Project) -> LeverEffect:
        """The lever's effect on a batch of draws."""

    def validate(self, project: Project) -> None:  # noqa: B027 - optional hook
        """Raise :class:`InvalidInputError` when the lever does not fit ``project``."""


def _zeros(draws: Draws) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros_like(draws.cost), np.zeros_like(draws.revenue)


@dataclass(frozen=True)
class CostSubsidy(Lever):
    """The government pays ``rate`` of the cost of every attempted stage (or of ``stages``).

    >>> CostSubsidy(0.3)
    CostSubsidy(rate=0.3, stages=None)
    """

    rate: float
    stages: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise InvalidInputError(f"subsidy rate must be in [0, 1]; got {self.rate}")

    def validate(self, project: Project) -> None:
        _known_stages(self.stages or (), project, "CostSubsidy")

    def apply(self, draws: Draws, project: Project) -> LeverEffect:
        relief, topup = _zeros(draws)
        cols = _stage_mask(self.stages, project)
        relief[:, cols] = self.rate * draws.cost[:, cols]
        return LeverEffect(relief, topup)


@dataclass(frozen=True)
class TechnologyInsurance(Lever):
    """Pays ``coverage`` of the cost of a failed stage; the consortium pays ``premium``.

    The premium (in year-0 money) is paid when the first stage starts and counts as
    negative relief, so the government's cost is payouts minus premiums.
    """

    coverage: float
    premium: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.coverage <= 1.0:
            raise InvalidInputError(f"insurance coverage must be in [0, 1]; got {self.coverage}")
        if self.premium < 0:
            raise InvalidInputError(f"insurance premium must be >= 0; got {self.premium}")

    def apply(self, draws: Draws, project: Project) -> LeverEffect:
        relief, topup = _zeros(draws)
        failed = draws.attempted & ~draws.success
        relief[:] = np.where(failed, self.coverage * draws.cost, 0.0)
        relief[:, 0] -= np.where(draws.attempted[:, 0], self.premium, 0.0)
        return LeverEffect(relief, topup)


@dataclass(frozen=True)
class MilestoneAward(Lever):
    """A fixed award paid when a stage succeeds (``awards``: stage name -> amount).

    Paid in the stage's year (discounted like its cost).
    """

    awards: Mapping[str, float]

    def __post_init__(self) -> None:
        bad = {k: v for k, v in dict(self.awards).items() if not v >= 0}
        if bad:
            raise InvalidInputError(f"milestone awards must be >= 0; got {bad}")

    def __hash__(self) -> int:
        return hash(tuple(sorted(dict(self.awards).items())))

    def validate(self, project: Project) -> None:
        _known_stages(tuple(self.awards), project, "MilestoneAward")

    def apply(self, draws: Draws, project: Project) -> LeverEffect:
        relief, topup = _zeros(draws)
        for name, amount in dict(self.awards).items():
            k = project.stage_index(name)
            relief[:, k] = np.where(draws.success[:, k], amount * draws.stage_discount[k], 0.0)
        return LeverEffect(relief, topup)


@dataclass(frozen=True)
class ProcurementGuarantee(Lever):
    """A floor on a product's revenue once it reaches the market (first purchase).

    The government buys up to ``floor`` (money of the product's year): it pays
    ``max(0, floor - revenue)`` when the product is reached. ``product`` defaults to the
    first product.
    """

    floor: float
    product: str | None = None

    def __post_init__(self) -> None:
        if not self.floor >= 0:
            raise InvalidInputError(f"procurement floor must be >= 0; got {self.floor}")

    def validate(self, project: Project) -> None:
        names = [p.name for p in project.products]
        if not names:
            raise InvalidInputError("ProcurementGuarantee needs a project with a product")
        if self.product is not None and self.product not in names:
            raise InvalidInputError(
                f"ProcurementGuarantee: unknown product {self.product!r}; products are {names}"
            )

    def apply(self, draws: Draws, project: Project) -> LeverEffect:
        relief, topup = _zeros(draws)
        names = [p.name for p in project.products]
        j = 0 if self.product is None else names.index(self.product)
        floor = self.floor * draws.product_discount[:, j]
        topup[:, j] = np.where(draws.reached[:, j],
                               np.maximum(0.0, floor - draws.revenue[:, j]), 0.0)
        return LeverEffect(relief, topup)


def _known_stages(names: tuple[str, ...], project: Project, what: str) -> None:
    known = [s.name for s in project.stages]
    bad = [n for n in names if n not in known]
    if bad:
        raise InvalidInputError(f"{what}: unknown stage(s) {bad}; stages are {known}")


def _stage_mask(names: tuple[str, ...] | None, project: Project) -> np.ndarray:
    if names is None:
        return np.ones(len(project.stages), dtype=bool)
    return np.isin([s.name for s in project.stages], list(names))
