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
from scipy import special

from ..exceptions import InvalidInputError

__all__ = [
    "DEFAULT_CLAUSES",
    "Distribution",
    "Empirical",
    "Fixed",
    "LogNormal",
    "Normal",
    "Product",
    "Project",
    "RiskMember",
    "Stage",
    "Triangular",
]

DEFAULT_CLAUSES = ("forfeit", "pro_rata", "keep")
DefaultClause = Literal["forfeit", "pro_rata", "keep"] | float


class Distribution:
    """A marginal distribution drawn from a standard normal ``z`` (its copula coordinate)."""

    def from_normal(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        """Quantile transform: the value whose CDF is ``Phi(z)``."""
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - interface
        """The distribution's mean."""
        raise NotImplementedError

    @property
    def random(self) -> bool:
        """False for a degenerate (fixed) value, which needs no random draw."""
        return True


@dataclass(frozen=True)
class Fixed(Distribution):
    """A known value.

    >>> Fixed(3.0).from_normal(np.zeros(2)).tolist()
    [3.0, 3.0]
    """

    value: float

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        return np.full(np.shape(z), float(self.value))

    @property
    def mean(self) -> float:
        return float(self.value)

    @property
    def random(self) -> bool:
        return False


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with the given mean and standard deviation.

    >>> Normal(10, 2).from_normal(np.array([0.0, 1.0])).tolist()
    [10.0, 12.0]
    """

    mu: float
    sd: float

    def __post_init__(self) -> None:
        _check(self.sd >= 0, f"Normal sd must be >= 0; got {self.sd}")

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        return self.mu + self.sd * z

    @property
    def mean(self) -> float:
        return float(self.mu)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Lognormal given by *its own* mean and standard deviation (not those of the log).

    .. math:: \\sigma^2 = \\log(1 + s^2/m^2), \\quad \\mu = \\log m - \\sigma^2/2,
              \\quad X = e^{\\mu + \\sigma z}

    >>> d = LogNormal(100.0, 50.0)
    >>> round(float(d.from_normal(np.array([0.0]))[0]), 3)  # the median
    89.443
    """

    mu: float
    sd: float

    def __post_init__(self) -> None:
        _check(self.mu > 0, f"LogNormal mean must be > 0; got {self.mu}")
        _check(self.sd >= 0, f"LogNormal sd must be >= 0; got {self.sd}")

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        s2 = math.log1p((self.sd / self.mu) ** 2)
        return np.exp(math.log(self.mu) - s2 / 2 + math.sqrt(s2) * z)

    @property
    def mean(self) -> float:
        return float(self.mu)


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on ``[low, high]`` with peak at ``mode`` (closed-form quantile).

    >>> Triangular(0, 0, 1).from_normal(np.array([-40.0, 40.0])).tolist()
    [0.0, 1.0]
    """

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        _check(
            self.low <= self.mode <= self.high and self.low < self.high,
            f"Triangular needs low <= mode <= high and low < high; got "
            f"({self.low}, {self.mode}, {self.high})",
        )

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        u = special.ndtr(z)
        a, c, b = float(self.low), float(self.mode), float(self.high)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resampling of observed values (each equally likely).

    >>> Empirical((5.0, 1.0, 3.0)).from_normal(np.array([-9.0, 0.0, 9.0])).tolist()
    [1.0, 3.0, 5.0]
    """

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        _check(len(self.values) > 0, "Empirical needs at least one value")
        object.__setattr__(self, "values", tuple(sorted(float(v) for v in self.values)))

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        arr = np.asarray(self.values)
        idx = np.minimum((special.ndtr(z) * arr.size).astype(np.int64), arr.size - 1)
        return arr[idx]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))


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


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidInputError(message)


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
