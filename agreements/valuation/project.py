"""An agreement's work as a stage-gated project: the one model of its risk and timing.

:func:`project_from_agreement` maps an :class:`~agreements.scenario.model.Agreement` onto the
:class:`sharing_models.risk.Project` that the risk simulation plays out, and
:func:`risk_weights` reads the same project's exact probabilities
(:func:`sharing_models.risk.expected.reach_probabilities`) and discount factors for the
agreement's game, so that the game's expected values and the simulation agree:

- **stages** are the agreement's tasks in dependency order (a task that needs another's
  result comes after it), each with its success probability and budget, spent at its
  start. The tasks form a graph (a DAG), not a chain: a task ``requires`` the tasks
  producing the results it needs and is attempted once its needs are met: every task
  producing a result in ``all_of`` succeeded, and, for each ``any_of`` group made only
  of task results, at least one of the tasks producing them succeeded (an OR-group;
  each result has one producing task). An ``any_of`` group with a contribution in it
  needs no task (the contribution is there from the start). Tasks that need no task
  result run in parallel from year 0, and a failed task blocks only the tasks and
  products that need its results. A task starts when its needs can be met on the
  plan: when the last of its ``all_of`` tasks ends and, for each OR-group, the
  *earliest* of the group's tasks ends (it can start once one of them is done; year 0
  when it needs none); it ends ``duration_months / 12`` later. Timing is fixed, not
  drawn: a task whose OR-group is met only by a later task still starts at that
  earliest end. A sure, free stage ``start`` comes first when some product needs no
  task result (or there are no tasks);
- **products** earn their life-time margin, valued at launch,

  .. math:: R_p \\, m_p \\sum_{t=1}^{T_p} (1 + r_p)^{-t},

  once their needs are met in the same way (``after``: the ``all_of`` tasks and the
  OR-groups; launch when they can be met on the plan, as a task's start) and then with
  their market success probability; the annual revenue law (fixed, lognormal,
  triangular, empirical) is the agreement's with its mean set to ``revenue.expected``
  (a triangular or empirical law keeps its shape and is scaled to that mean);
- money is discounted to year 0 at the mean of the products' discount rates;
- the members' own **contributions** are an ``upfront_cost`` paid for sure at year 0
  (each at ``min(cost, substitute_price)``);
- **members** keep their risk tolerance (``inf`` = risk-neutral when not given) and
  outside option; each defaults with the default clause's probability and forfeits
  its ``forfeit_share`` of income.

A :class:`Plan` restricts the project to the tasks, products and contributions one
coalition carries out (the grand coalition's best plan, for the simulation).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from sharing_models.risk import (
    Distribution,
    Empirical,
    Fixed,
    LogNormal,
    Product,
    Project,
    RiskMember,
    Stage,
    Triangular,
)
from sharing_models.risk.expected import reach_probabilities
from sharing_models.risk.model import Requirement

from ..errors import AgreementError
from ..scenario.model import Agreement, Needs

__all__ = ["Plan", "RiskWeights", "project_from_agreement", "risk_weights"]

#: Name of the sure, free first stage added for products that need no task result.
START = "start"


@dataclass(frozen=True)
class Plan:
    """What a coalition carries out: task ids, product ids, and the sure cost of the
    contributions it uses (at ``min(cost, substitute_price)`` for its own)."""

    tasks: frozenset[str]
    products: frozenset[str]
    upfront_cost: Any = 0.0


def _task_order(agreement: Agreement, producer: Mapping[str, str]) -> list[str]:
    """Task ids in dependency order (file order among independent tasks); ``producer``
    maps each result to the task producing it."""
    deps = {t.id: {producer[x] for x in _needed_ids(t.needs) if x in producer} - {t.id}
            for t in agreement.tasks}
    names = list(deps)
    index = {t: i for i, t in enumerate(names)}
    waiting = {t: len(d) for t, d in deps.items()}
    users: dict[str, list[str]] = {t: [] for t in names}
    for t, d in deps.items():
        for x in d:
            users[x].append(t)
    ready = [index[t] for t in names if not waiting[t]]  # a heap of file positions
    order: list[str] = []
    while ready:  # Kahn's algorithm, the first ready task in file order first: O(n log n)
        t = names[heapq.heappop(ready)]
        order.append(t)
        for u in users[t]:
            waiting[u] -= 1
            if not waiting[u]:
                heapq.heappush(ready, index[u])
    if len(order) < len(deps):
        raise AgreementError("tasks depend on each other in a cycle")
    return order


def _needed_ids(needs: Needs) -> list[str]:
    return [*needs.all_of, *(x for group in needs.any_of for x in group)]


def _required_tasks(needs: Needs, producer: Mapping[str, str], order: Sequence[str],
                    skip: str | None = None,
                    present: Collection[str] | None = None) -> tuple[Requirement, ...]:
    """The requirements of ``needs`` on tasks: the tasks producing its ``all_of`` results
    (in ``order``), then one OR-group (a tuple of the producing tasks, in ``order``) per
    ``any_of`` group made only of task results; a group with a contribution in it needs
    no task. Task ``skip`` (the one needing) is left out; a group of one task is that
    task, and a group already met by a required task (or repeated) is dropped. With
    ``present`` (the tasks a plan carries out), an OR-group keeps only those."""
    rank = {t: i for i, t in enumerate(order)}
    keep = set(order) if present is None else set(present)
    tasks = {producer[x] for x in needs.all_of if x in producer} - {skip}
    groups: list[tuple[str, ...]] = []
    for group in needs.any_of:
        if all(x in producer for x in group):
            options = tuple(sorted({producer[x] for x in group} & keep - {skip},
                                   key=rank.__getitem__))
            if len(options) == 1:
                tasks.add(options[0])
            elif options and options not in groups:
                groups.append(options)
    groups = [g for g in groups if not tasks & set(g)]
    return (*sorted(tasks, key=rank.__getitem__), *groups)


def _ready(requirements: Sequence[Requirement], end: Mapping[str, float]) -> float:
    """When ``requirements`` can be met on the plan: the latest end of the required
    tasks, the earliest end within each OR-group (0 when there are none)."""
    return max((end.get(e, 0.0) if isinstance(e, str) else min(end.get(x, 0.0) for x in e)
                for e in requirements), default=0.0)


def _revenue_law(product: Any, scale: float) -> Distribution:
    """The product's revenue law times ``scale``, with mean ``expected * scale``."""
    rev = product.revenue
    where = f"product {product.id!r}"
    mean = rev.expected * scale
    if rev.distribution == "fixed" or (rev.distribution == "lognormal" and not rev.sd):
        return Fixed(mean)
    if rev.distribution == "lognormal":
        if rev.expected <= 0:
            raise AgreementError(f"{where}: a lognormal revenue needs expected > 0")
        return LogNormal(mean, rev.sd * scale)
    if rev.distribution == "triangular":
        if None in (rev.low, rev.mode, rev.high):
            raise AgreementError(f"{where}: a triangular revenue needs low, mode and high")
        shape = (rev.low, rev.mode, rev.high)
        level = sum(shape) / 3
        k = mean / level if level > 0 else 0.0
        return Triangular(*(x * k for x in shape))
    if not rev.values:
        raise AgreementError(f"{where}: an empirical revenue needs 'values'")
    level = float(np.mean(rev.values))
    k = mean / level if level > 0 else 0.0
    return Empirical(tuple(v * k for v in rev.values))


def _timing(agreement: Agreement) -> tuple[list[str], dict[str, str], dict[str, float],
                                            dict[str, float]]:
    """Task order, result producers, and each task's start and end year on the plan."""
    producer = {r: t.id for t in agreement.tasks for r in t.produces}
    order = _task_order(agreement, producer)
    needs = {t.id: t.needs for t in agreement.tasks}
    months = {t.id: t.duration_months or 0 for t in agreement.tasks}
    start: dict[str, float] = {}
    end: dict[str, float] = {}
    for tid in order:
        start[tid] = _ready(_required_tasks(needs[tid], producer, order, skip=tid), end)
        end[tid] = start[tid] + months[tid] / 12.0
    return order, producer, start, end


def project_from_agreement(agreement: Agreement, *, overrun: Distribution | None = None,
                           discount_rate: float | None = None,
                           default_probability: float | None = None,
                           plan: Plan | None = None) -> Project:
    """The stage-gated risk model of an agreement: its task graph (module docstring).

    ``overrun`` (a multiplier law for every stage's cost), ``discount_rate`` (for stage
    and launch timing; default the mean of the products' rates) and
    ``default_probability`` (default: the agreement's default clause) override it.
    ``plan`` keeps only the tasks and products a coalition carries out and charges its
    contributions up front (default: every task and product, every contribution).

    >>> import agreements
    >>> p = project_from_agreement(agreements.load("scenarios/baoshan_medical_devices.yaml"))
    >>> [(s.name, s.requires, s.year) for s in p.stages]  # two tasks in parallel
    [('t_automation', (), 0.0), ('t_analysers', (), 0.0),
     ('t_clinical', ('t_automation', 't_analysers'), 1.5)]
    >>> [(x.name, x.after, x.year) for x in p.products], p.default_clause
    ([('p_smart_lab', ('t_clinical',), 2.25), ('p_software_licence', ('t_automation',), 1.0)],
     0.5)
    """
    tasks = {t.id: t for t in agreement.tasks}
    order, producer, start, end = _timing(agreement)
    present = order if plan is None else [t for t in order if t in plan.tasks]
    stages = [Stage(tid, tasks[tid].success_probability, tasks[tid].cost,
                    overrun if overrun is not None else Fixed(1.0), year=start[tid],
                    requires=_required_tasks(tasks[tid].needs, producer, order, skip=tid,
                                             present=present))
              for tid in present]
    chosen = [p for p in agreement.products if plan is None or p.id in plan.products]
    afters = [_required_tasks(p.needs, producer, order, present=present) for p in chosen]
    if not stages or not all(afters):
        # a sure, free first gate for products that need no task result
        stages.insert(0, Stage(START, 1.0, 0.0))
    rates = [p.discount_rate for p in agreement.products]
    rate = discount_rate if discount_rate is not None else (float(np.mean(rates)) if rates
                                                            else 0.0)
    products = [_product(p, after or (START,), end)
                for p, after in zip(chosen, afters, strict=True)]
    dp = agreement.default.default_probability if default_probability is None \
        else default_probability
    members = tuple(RiskMember(m.id, m.risk_tolerance or math.inf, m.outside_option, dp)
                    for m in agreement.members)
    upfront = sum((min(c.cost, c.substitute_price) if c.substitute_price is not None
                   else c.cost for c in agreement.contributions), 0.0) \
        if plan is None else float(plan.upfront_cost)
    return Project(tuple(stages), tuple(products), members,
                   default_clause=float(agreement.default.forfeit_share), discount_rate=rate,
                   upfront_cost=upfront)


def _product(p: Any, after: tuple[Requirement, ...], end: dict[str, float]) -> Product:
    """A product launched when the tasks it needs (``after``) can be met on the plan."""
    r = p.discount_rate
    annuity = sum((1 + r) ** -t for t in range(1, p.years + 1))
    year = _ready(after, end)
    return Product(p.id, _revenue_law(p, p.operating_margin * annuity), after=after,
                   year=year, probability=p.success_probability)


@dataclass(frozen=True)
class RiskWeights:
    """What the game multiplies figures by: per task id, the probability it is attempted
    times the discount factor at its start; per product id, the probability its needs
    are met times the discount factor at its launch."""

    task: dict[str, Any]
    product: dict[str, Any]


def _discount(rate: Any, year: float, exact: bool) -> Any:
    """``(1 + rate) ** -year``; exact for whole years, else the double's decimal."""
    if year == 0:
        return Fraction(1) if exact else 1.0
    if exact and float(year).is_integer():
        return (1 + rate) ** -int(year)
    value = (1 + float(rate)) ** -float(year)
    return Fraction(repr(value)) if exact else value


def risk_weights(agreement: Agreement, exact: bool = False) -> RiskWeights:
    """Task and product weights of the agreement's game, from its project.

    A task's expected cost is ``cost * task[t]``; a product's expected value is
    :func:`agreements.valuation.recipes.expected_value` times ``product[p]``. Both use the
    probabilities and timing of :func:`project_from_agreement` (the whole task graph),
    so the game's :math:`v(N)` is the simulation's expected outcome under risk
    neutrality.

    >>> import agreements
    >>> w = risk_weights(agreements.load("scenarios/baoshan_medical_devices.yaml"), exact=True)
    >>> w.task["t_automation"]  # starts at once, for sure
    Fraction(1, 1)
    >>> round(float(w.task["t_clinical"]), 6)  # 0.8 * 0.75, starting after 1.5 years at 5%
    0.557657
    """
    project = project_from_agreement(agreement)
    reach = reach_probabilities(project, exact=exact)
    rates = [Fraction(str(p.discount_rate)) if exact else p.discount_rate
             for p in agreement.products]
    rate = sum(rates, Fraction(0) if exact else 0.0) / len(rates) if rates else 0
    ids = {t.id for t in agreement.tasks}
    task = {s.name: a * _discount(rate, s.year, exact)
            for s, a in zip(project.stages, reach.attempted, strict=True) if s.name in ids}
    product = {x.name: m * _discount(rate, x.year, exact)
               for x, m in zip(project.products, reach.met, strict=True)}
    return RiskWeights(task, product)
