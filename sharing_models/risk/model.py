"""The risk model of a stage-gated consortium project, as plain frozen dataclasses.

A :class:`Project` is a list of :class:`Stage` s (milestones, tasks) forming a
dependency graph (a DAG): a stage is attempted only when every requirement in its
``requires`` is met (by default the previous stage in the list, so a plain list is one
sequential chain of stage-gates; stages that require nothing run in parallel from the
start), and its cost (planned cost times an overrun multiplier) is paid whether it
succeeds or not. A requirement is a stage name (that stage succeeded) or a tuple of
names, an OR-group (at least one of those stages succeeded). A failed stage blocks only
the stages and products that need it. Each :class:`Product` earns revenue once every
requirement it comes ``after`` is met. Members (:class:`RiskMember`) may
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..exceptions import InvalidInputError
from .distributions import Distribution, Fixed

__all__ = ["DEFAULT_CLAUSES", "Product", "Project", "RiskMember", "Stage"]

DEFAULT_CLAUSES = ("forfeit", "pro_rata", "keep")
DefaultClause = Literal["forfeit", "pro_rata", "keep"] | float
#: A requirement: a stage name (it must succeed) or an OR-group of names (one must).
Requirement = str | tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    """A stage-gate: attempted if every stage it requires succeeded; its cost is always paid.

    ``cost`` is the planned cost, ``overrun`` a multiplier on it, ``year`` when it is spent.
    ``requires`` lists the requirements that must all be met before this one is
    attempted: each is a stage name (that stage must succeed) or a tuple of names, an
    OR-group (at least one of them must succeed); ``None`` (default) the previous stage
    in the project's list (none for the first), so a plain list of stages is a
    sequential chain; ``()`` nothing, so the stage starts at once, in parallel with the
    others. A single name may be given as a string; lists are turned into tuples.

    >>> Stage("clinical", 0.85, 8.0, requires=["software", "analyser"]).requires
    ('software', 'analyser')
    >>> Stage("software", 0.8, 15.0, requires="platform").requires
    ('platform',)

    ``design`` AND (``lab_a`` OR ``lab_b``):

    >>> Stage("pilot", 0.7, 5.0, requires=["design", ["lab_a", "lab_b"]]).requires
    ('design', ('lab_a', 'lab_b'))
    """

    name: str
    probability: float
    cost: float
    overrun: Distribution = field(default_factory=lambda: Fixed(1.0))
    year: float = 0.0
    requires: tuple[Requirement, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "requires",
                           _names(self.requires, f"stage {self.name!r}: requires"))


@dataclass(frozen=True)
class Product:
    """A revenue stream earned once the stages it comes ``after`` succeed and the
    product then succeeds on the market (``probability``).

    ``after`` is a stage name, a tuple of requirements (all must be met; each a stage
    name, or a tuple of names of which at least one must succeed; lists are turned into
    tuples) or ``None`` (the last stage).

    Two stages run in parallel (neither requires anything) and feed one product, which
    is reached with probability ``0.8 * 0.5 * 0.9``:

    >>> p = Project(stages=(Stage("software", 0.8, 10.0, requires=()),
    ...                     Stage("analyser", 0.5, 20.0, requires=())),
    ...             products=(Product("lab", Fixed(100.0), after=("software", "analyser"),
    ...                               probability=0.9),),
    ...             members=(RiskMember("a"),))
    >>> p.requirements, p.product_stages(p.products[0])
    (((), ()), (0, 1))

    With ``after=(("software", "analyser"),)`` either stage is enough (an OR-group):

    >>> either = Product("kit", Fixed(50.0), after=[["software", "analyser"]])
    >>> either.after, p.product_stages(either)
    ((('software', 'analyser'),), ((0, 1),))
    """

    name: str
    revenue: Distribution
    after: str | tuple[Requirement, ...] | None = None
    year: float = 0.0
    delay: Distribution = field(default_factory=lambda: Fixed(0.0))
    probability: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.after, str):
            object.__setattr__(self, "after",
                               _names(self.after, f"product {self.name!r}: after"))


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
    #: Cost paid for sure at year 0 (e.g. the members' own contributions), split by
    #: cost shares like a stage's cost.
    upfront_cost: float = 0.0

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

    @property
    def requirements(self) -> tuple[tuple[int | tuple[int, ...], ...], ...]:
        """Positions of the stages each stage requires (``requires=None``: the previous);
        an OR-group is a tuple of positions."""
        pos = {s.name: i for i, s in enumerate(self.stages)}
        out: list[tuple[int | tuple[int, ...], ...]] = []
        for i, s in enumerate(self.stages):
            if s.requires is None:
                out.append((i - 1,) if i else ())
            else:
                out.append(tuple(_positions(e, pos.__getitem__) for e in s.requires))
        return tuple(out)

    def product_stages(self, product: Product) -> tuple[int | tuple[int, ...], ...]:
        """Positions of the stages ``product`` needs (``after``; ``None``: the last); an
        OR-group is a tuple of positions."""
        after = product.after
        if after is None or isinstance(after, str):
            return (self.stage_index(after),)
        return tuple(_positions(e, self.stage_index) for e in after)

    def correlation_matrix(self) -> np.ndarray:
        """Correlation matrix of the copula normals (identity where none is given)."""
        names = self.variables
        pos = {v: i for i, v in enumerate(names)}
        corr = np.eye(len(names))
        for a, b, rho in self.correlations:
            if a in pos and b in pos:
                corr[pos[a], pos[b]] = corr[pos[b], pos[a]] = rho
        return corr


def _positions(element: Requirement, index: Callable[[str], int]) -> int | tuple[int, ...]:
    """A requirement's stage position, or an OR-group's tuple of positions."""
    if isinstance(element, str):
        return index(element)
    return tuple(index(n) for n in element)


def _names(value: object, what: str) -> tuple[Requirement, ...] | None:
    """``None``, a name or a sequence of requirements (names, or sequences of names: an
    OR-group) as a tuple of requirements, lists turned into tuples (``None`` kept)."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)

    def group(x: object) -> bool:
        return isinstance(x, (tuple, list)) and all(isinstance(n, str) for n in x)

    if isinstance(value, (tuple, list)) and all(isinstance(e, str) or group(e) for e in value):
        return tuple(e if isinstance(e, str) else tuple(e) for e in value)
    raise InvalidInputError(f"{what} must be None, a stage name or a tuple of stage names "
                            f"or OR-groups (tuples of stage names); got {value!r}")


def _group_problems(where: str, field: str, element: Requirement) -> tuple[list[str], list[str]]:
    """Problems of an empty OR-group, and the names a requirement refers to."""
    if isinstance(element, str):
        return [], [element]
    if not element:
        return [f"{where}: empty OR-group in {field!r} (it must name at least one stage)"], []
    return [], list(element)


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
    out += _requires_problems(p)
    out += _product_problems(p)
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
    if not (math.isfinite(p.upfront_cost) and p.upfront_cost >= 0):
        out.append(f"upfront_cost must be a finite number >= 0; got {p.upfront_cost}")
    if not p.discount_rate > -1:
        out.append(f"discount_rate must be > -1; got {p.discount_rate}")
    if not out:
        out += _correlation_problems(p)
    return out


def _product_problems(p: Project) -> list[str]:
    out: list[str] = []
    stage_names = {s.name for s in p.stages}
    for i, x in enumerate(p.products):
        after = (x.after,) if isinstance(x.after, str) else x.after
        if after == ():
            out.append(f"products[{i}] {x.name!r}: 'after' must name at least one stage "
                       f"(or be None: the last stage)")
        for element in after or ():
            bad, names = _group_problems(f"products[{i}] {x.name!r}", "after", element)
            out += bad
            for n in names:
                if n not in stage_names:
                    out.append(f"products[{i}] {x.name!r}: unknown stage {n!r} in 'after'")
        if not 0.0 <= x.probability <= 1.0:
            out.append(f"products[{i}] {x.name!r}: probability must be in [0, 1]")
    return out


def _requires_problems(p: Project) -> list[str]:
    """Every required stage (also inside an OR-group) must be known and listed before
    the stage requiring it; an OR-group must not be empty."""
    out: list[str] = []
    names = [s.name for s in p.stages]
    for i, s in enumerate(p.stages):
        for element in s.requires or ():
            bad, needed = _group_problems(f"stages[{i}] {s.name!r}", "requires", element)
            out += bad
            for n in needed:
                if n not in names:
                    out.append(f"stages[{i}] {s.name!r}: unknown stage {n!r} in 'requires'")
                elif names.index(n) >= i:
                    out.append(f"stages[{i}] {s.name!r}: requires stage {n!r}, which must "
                               f"be listed before it")
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
