"""The risk model of a stage-gated consortium project, as plain frozen dataclasses.

A :class:`Project` is a sequence of :class:`Stage` s (milestones) attempted in order: a
stage is attempted only when every earlier stage succeeded, and its cost (planned cost
times an overrun multiplier) is paid whether it succeeds or not. Each :class:`Product`
earns revenue once the stage it needs has succeeded. Members (:class:`RiskMember`) may
default or withdraw; the project's ``default_clause`` says what a defaulter keeps of its
revenue share: nothing (``"forfeit"``), the fraction of the project's cost it had paid
(``"pro_rata"``), all of it (``"keep"``), or ``1 - f`` for a number ``f`` in [0, 1]
(the share it forfeits). What it forfeits goes to the others pro rata.
Uncertain quantities are drawn through a Gaussian copula: every random variable is a
standard normal ``z`` mapped to its marginal, and ``correlations`` correlate the normals.

Random variables are named ``success:<stage>``, ``overrun:<stage>``, ``market:<product>``,
``revenue:<product>``, ``delay:<product>`` and ``default:<member>``. A *higher* ``z``
always means more of the named thing: success (or market success) more likely, a larger
overrun, more revenue, a longer delay, default more likely. Money is discounted to
year 0 at ``discount_rate``.

References: [Borch1962]_ for the risk-sharing setting, [Nelsen2006]_ for copulas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..exceptions import InvalidInputError
from .distributions import Distribution, Fixed

__all__ = ["DEFAULT_CLAUSES", "Product", "Project", "RiskMember", "Stage"]

DEFAULT_CLAUSES = ("forfeit", "pro_rata", "keep")
DefaultClause = Literal["forfeit", "pro_rata", "keep"] | float


@dataclass(frozen=True)
class Stage:
    """A stage-gate: attempted if all earlier stages succeeded; its cost is always paid.

    ``cost`` is the planned cost, ``overrun`` a multiplier on it, ``year`` when it is spent.
    """

    name: str
    probability: float
    cost: float
    overrun: Distribution = field(default_factory=lambda: Fixed(1.0))
    year: float = 0.0


@dataclass(frozen=True)
class Product:
    """A revenue stream earned once stage ``after`` (default: the last stage) succeeds
    and the product then succeeds on the market (``probability``)."""

    name: str
    revenue: Distribution
    after: str | None = None
    year: float = 0.0
    delay: Distribution = field(default_factory=lambda: Fixed(0.0))
    probability: float = 1.0


@dataclass(frozen=True)
class RiskMember:
    """A member's attitude to risk and its alternative to joining.

    ``risk_tolerance`` is :math:`\\rho` of the exponential utility
    :math:`u(y) = -\\rho e^{-y/\\rho}` (``inf`` = risk-neutral); ``outside_option`` is the
    certainty equivalent it gets by staying out; ``default_probability`` the chance it
    defaults or withdraws at some stage (uniform over the stages).
    """

    name: str
    risk_tolerance: float = math.inf
    outside_option: float = 0.0
    default_probability: float = 0.0


@dataclass(frozen=True)
class Project:
    """A stage-gated consortium project; every problem in it is reported at once.

    >>> p = Project(stages=(Stage("proto", 0.5, 10.0),),
    ...             products=(Product("device", Fixed(40.0)),),
    ...             members=(RiskMember("a"), RiskMember("b")))
    >>> p.variables
    ('success:proto',)
    """

    stages: tuple[Stage, ...]
    products: tuple[Product, ...]
    members: tuple[RiskMember, ...]
    default_clause: DefaultClause = "forfeit"
    correlations: tuple[tuple[str, str, float], ...] = ()
    discount_rate: float = 0.0

    def __post_init__(self) -> None:
        for name in ("stages", "products", "members", "correlations"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        problems = _problems(self)
        if problems:
            raise InvalidInputError(
                "invalid risk project:\n" + "\n".join(f"  - {p}" for p in problems)
            )

    @property
    def member_names(self) -> tuple[str, ...]:
        """Member ids in order."""
        return tuple(m.name for m in self.members)

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the random (copula) variables, in draw order."""
        out = [f"success:{s.name}" for s in self.stages if 0.0 < s.probability < 1.0]
        out += [f"overrun:{s.name}" for s in self.stages if s.overrun.random]
        out += [f"market:{p.name}" for p in self.products if 0.0 < p.probability < 1.0]
        out += [f"revenue:{p.name}" for p in self.products if p.revenue.random]
        out += [f"delay:{p.name}" for p in self.products if p.delay.random]
        out += [f"default:{m.name}" for m in self.members if m.default_probability > 0]
        return tuple(out)

    def stage_index(self, name: str | None) -> int:
        """Position of stage ``name`` (``None``: the last stage)."""
        if name is None:
            return len(self.stages) - 1
        return [s.name for s in self.stages].index(name)

    def correlation_matrix(self) -> np.ndarray:
        """Correlation matrix of the copula normals (identity where none is given)."""
        names = self.variables
        pos = {v: i for i, v in enumerate(names)}
        corr = np.eye(len(names))
        for a, b, rho in self.correlations:
            if a in pos and b in pos:
                corr[pos[a], pos[b]] = corr[pos[b], pos[a]] = rho
        return corr


def _unique(names: Sequence[str], what: str) -> list[str]:
    dup = sorted({n for n in names if names.count(n) > 1})
    return [f"{what} names must be unique; repeated: {dup}"] if dup else []


def _problems(p: Project) -> list[str]:
    out: list[str] = []
    if not p.stages:
        out.append("a project needs at least one stage")
    if not p.members:
        out.append("a project needs at least one member")
    out += _unique([s.name for s in p.stages], "stage")
    out += _unique([x.name for x in p.products], "product")
    out += _unique([m.name for m in p.members], "member")
    for i, s in enumerate(p.stages):
        if not 0.0 <= s.probability <= 1.0:
            out.append(f"stages[{i}] {s.name!r}: probability must be in [0, 1]; "
                       f"got {s.probability}")
        if not (math.isfinite(s.cost) and s.cost >= 0):
            out.append(f"stages[{i}] {s.name!r}: cost must be a finite number >= 0; got {s.cost}")
    stage_names = {s.name for s in p.stages}
    for i, x in enumerate(p.products):
        if x.after is not None and x.after not in stage_names:
            out.append(f"products[{i}] {x.name!r}: unknown stage {x.after!r} in 'after'")
        if not 0.0 <= x.probability <= 1.0:
            out.append(f"products[{i}] {x.name!r}: probability must be in [0, 1]")
    for i, m in enumerate(p.members):
        if not m.risk_tolerance > 0:
            out.append(f"members[{i}] {m.name!r}: risk_tolerance must be > 0; got "
                       f"{m.risk_tolerance}")
        if not 0.0 <= m.default_probability <= 1.0:
            out.append(f"members[{i}] {m.name!r}: default_probability must be in [0, 1]")
    clause = p.default_clause
    if isinstance(clause, bool) or not (
        clause in DEFAULT_CLAUSES or (isinstance(clause, (int, float)) and 0 <= clause <= 1)
    ):
        out.append(f"default_clause must be one of {DEFAULT_CLAUSES} or the share of its "
                   f"income a defaulter forfeits, in [0, 1]; got {clause!r}")
    if not p.discount_rate > -1:
        out.append(f"discount_rate must be > -1; got {p.discount_rate}")
    if not out:
        out += _correlation_problems(p)
    return out


def _correlation_problems(p: Project) -> list[str]:
    out: list[str] = []
    known = set(p.variables)
    for a, b, rho in p.correlations:
        for v in (a, b):
            if v not in known:
                out.append(f"correlation names unknown or non-random variable {v!r}; "
                           f"random variables are {sorted(known)}")
        if not -1.0 <= rho <= 1.0 or a == b:
            out.append(f"correlation ({a}, {b}) must be in [-1, 1] between two variables")
    if not out and p.correlations:
        eig = np.linalg.eigvalsh(p.correlation_matrix())
        if eig.min() < -1e-10:
            out.append("the correlations do not form a positive semi-definite matrix "
                       f"(smallest eigenvalue {eig.min():.3g})")
    return out
