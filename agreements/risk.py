"""An agreement as a risk model: stages, products, members and candidate sharing rules.

:func:`risk_case` turns an :class:`~agreements.model.Agreement` into the dataclasses of
:mod:`sharing_models.risk`:

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
  their market success probability; the annual
  revenue law (fixed, lognormal, triangular, empirical) is the agreement's, scaled by
  the same factor (so its mean matches :func:`agreements.game.expected_value` before
  the probabilities);
- **members** keep their risk tolerance (``inf`` = risk-neutral when not given) and
  outside option; each defaults with the default clause's probability and forfeits
  its ``forfeit_share`` of income;
- **cost shares** are proportional to what members spend on their contributions
  (``cost``), else their valuations, else equal (the ``borch`` rule shares costs like
  revenue: the whole net outcome in proportion to risk tolerance);
- **sharing rules** are the agreement's own (``fixed``, ``equal``, ``proportional``),
  the game-theoretic ones from :meth:`Agreement.shares` (as proportions of
  :math:`v(N)`) and the Borch rule ``borch`` (shares proportional to risk tolerance)
  [Borch1962]_.

:func:`scenario_point` runs one sweep point on one of several cases (for
:func:`sharing_models.sweep.sweep`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from sharing_models import SuspiciousResultWarning
from sharing_models.risk import (
    Distribution,
    Empirical,
    Fixed,
    Lever,
    LogNormal,
    Product,
    Project,
    RiskMember,
    Simulation,
    Stage,
    Triangular,
    borch_shares,
    simulate,
)
from sharing_models.risk.model import Requirement
from sharing_models.risk.sweep import lever_point

from .errors import AgreementError
from .model import Agreement, Needs

__all__ = [
    "OWN_METHODS",
    "RiskCase",
    "cost_shares",
    "project_from_agreement",
    "risk_case",
    "scenario_point",
    "sharing_rules",
    "simulate_agreement",
]

#: Rules computed from the agreement itself (no game needed).
OWN_METHODS = ("fixed", "equal", "proportional", "borch")
_GAME_METHODS = ("shapley", "banzhaf", "nucleolus", "owen")
#: Name of the sure, free first stage added for products that need no task result.
_START = "start"


@dataclass(frozen=True, eq=False)
class RiskCase:
    """What :func:`~sharing_models.risk.simulate` needs for one agreement."""

    project: Project
    shares: pd.DataFrame
    cost_shares: pd.DataFrame


def _task_order(agreement: Agreement, producer: Mapping[str, str]) -> list[str]:
    """Task ids in dependency order (file order among independent tasks); ``producer``
    maps each result to the task producing it."""
    deps = {t.id: {producer[x] for x in _needed_ids(t.needs) if x in producer} - {t.id}
            for t in agreement.tasks}
    order: list[str] = []
    while len(order) < len(deps):
        ready = [t for t in deps if t not in order and deps[t] <= set(order)]
        if not ready:
            raise AgreementError("tasks depend on each other in a cycle")
        order.append(ready[0])
    return order


def _needed_ids(needs: Needs) -> list[str]:
    return [*needs.all_of, *(x for group in needs.any_of for x in group)]


def _required_tasks(needs: Needs, producer: Mapping[str, str], order: Sequence[str],
                    skip: str | None = None) -> tuple[Requirement, ...]:
    """The requirements of ``needs`` on tasks: the tasks producing its ``all_of`` results
    (in ``order``), then one OR-group (a tuple of the producing tasks, in ``order``) per
    ``any_of`` group made only of task results; a group with a contribution in it needs
    no task. Task ``skip`` (the one needing) is left out; a group of one task is that
    task, and a group already met by a required task (or repeated) is dropped."""
    rank = {t: i for i, t in enumerate(order)}
    tasks = {producer[x] for x in needs.all_of if x in producer} - {skip}
    groups: list[tuple[str, ...]] = []
    for group in needs.any_of:
        if all(x in producer for x in group):
            options = tuple(sorted({producer[x] for x in group} - {skip}, key=rank.__getitem__))
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
    rev = product.revenue
    where = f"product {product.id!r}"
    if rev.distribution == "fixed" or (rev.distribution == "lognormal" and not rev.sd):
        return Fixed(rev.expected * scale)
    if rev.distribution == "lognormal":
        if rev.expected <= 0:
            raise AgreementError(f"{where}: a lognormal revenue needs expected > 0")
        return LogNormal(rev.expected * scale, rev.sd * scale)
    if rev.distribution == "triangular":
        if None in (rev.low, rev.mode, rev.high):
            raise AgreementError(f"{where}: a triangular revenue needs low, mode and high")
        return Triangular(rev.low * scale, rev.mode * scale, rev.high * scale)
    if not rev.values:
        raise AgreementError(f"{where}: an empirical revenue needs 'values'")
    return Empirical(tuple(v * scale for v in rev.values))


def project_from_agreement(agreement: Agreement, *, overrun: Distribution | None = None,
                           discount_rate: float | None = None,
                           default_probability: float | None = None) -> Project:
    """The stage-gated risk model of an agreement: its task graph (module docstring).

    ``overrun`` (a multiplier law for every stage's cost), ``discount_rate`` (for stage
    and launch timing; default the mean of the products' rates) and
    ``default_probability`` (default: the agreement's default clause) override it.

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
    producer = {r: t.id for t in agreement.tasks for r in t.produces}
    order = _task_order(agreement, producer)
    stages, end = [], {}
    for tid in order:
        t = tasks[tid]
        requires = _required_tasks(t.needs, producer, order, skip=tid)
        start = _ready(requires, end)
        stages.append(Stage(tid, t.success_probability, t.cost,
                            overrun if overrun is not None else Fixed(1.0), year=start,
                            requires=requires))
        end[tid] = start + (t.duration_months or 0) / 12.0
    afters = [_required_tasks(p.needs, producer, order) for p in agreement.products]
    if not stages or not all(afters):
        # a sure, free first gate for products that need no task result
        stages.insert(0, Stage(_START, 1.0, 0.0))
    rates = [p.discount_rate for p in agreement.products]
    rate = discount_rate if discount_rate is not None else (float(np.mean(rates)) if rates
                                                            else 0.0)
    products = [_product(p, after or (_START,), end)
                for p, after in zip(agreement.products, afters, strict=True)]
    dp = agreement.default.default_probability if default_probability is None \
        else default_probability
    members = tuple(RiskMember(m.id, m.risk_tolerance or math.inf, m.outside_option, dp)
                    for m in agreement.members)
    return Project(tuple(stages), tuple(products), members,
                   default_clause=float(agreement.default.forfeit_share), discount_rate=rate)


def _product(p: Any, after: tuple[Requirement, ...], end: dict[str, float]) -> Product:
    """A product launched when the tasks it needs (``after``) can be met on the plan."""
    r = p.discount_rate
    annuity = sum((1 + r) ** -t for t in range(1, p.years + 1))
    year = _ready(after, end)
    return Product(p.id, _revenue_law(p, p.operating_margin * annuity), after=after,
                   year=year, probability=p.success_probability)


def cost_shares(agreement: Agreement) -> pd.Series:
    """Members' shares of stage costs: by contribution cost, else valuation, else equal.

    >>> import agreements
    >>> cost_shares(agreements.load("scenarios/baoshan_medical_devices.yaml")).round(3).tolist()
    [0.73, 0.139, 0.026, 0.104]
    """
    ids = agreement.member_ids
    for field in ("cost", "valuation"):
        w = pd.Series(0.0, index=ids)
        for c in agreement.contributions:
            w[c.member] += getattr(c, field)
        if w.sum() > 0:
            return (w / w.sum()).rename("cost_share")
    return pd.Series(1.0 / len(ids), index=ids, name="cost_share")


def sharing_rules(agreement: Agreement, methods: Sequence[str] | None = None) -> pd.DataFrame:
    """Revenue shares (members x rules, each rule summing to 1) of the candidate rules.

    Default: ``fixed`` (when agreed), ``equal``, ``proportional``, ``shapley``, ``borch``.
    A game-theoretic rule whose allocation of :math:`v(N)` has a negative entry or a
    non-positive total cannot be read as shares: it is left out with a
    :class:`~sharing_models.SuspiciousResultWarning`.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> sharing_rules(a, ["fixed", "equal"])["fixed"].tolist()
    [0.55, 0.2, 0.15, 0.1]
    """
    if methods is None:
        methods = [*(["fixed"] if agreement.sharing.fixed_shares else []),
                   "equal", "proportional", "shapley", "borch"]
    unknown = [m for m in methods if m not in OWN_METHODS + _GAME_METHODS]
    if unknown:
        raise AgreementError(f"unknown sharing rule(s) {unknown}; expected some of "
                             f"{', '.join(OWN_METHODS + _GAME_METHODS)}")
    ids = agreement.member_ids
    game_methods = [m for m in methods if m in _GAME_METHODS]
    amounts = agreement.shares(methods=game_methods) if game_methods else pd.DataFrame()
    cols: dict[str, pd.Series] = {}
    for m in dict.fromkeys(methods):
        w = _own_weights(agreement, m) if m in OWN_METHODS else (
            amounts[m].astype(float) if m in amounts else None)
        if w is None or (w < -1e-12).any() or not w.sum() > 0:
            warnings.warn(f"rule {m!r} left out: its allocation cannot be read as shares "
                          f"(negative or zero total)", SuspiciousResultWarning, stacklevel=2)
            continue
        cols[m] = (w.clip(lower=0.0) / w.clip(lower=0.0).sum()).reindex(ids)
    if not cols:
        raise AgreementError("no sharing rule could be turned into shares")
    return pd.DataFrame(cols, index=pd.Index(ids, name="member"))


def _own_weights(agreement: Agreement, method: str) -> pd.Series:
    ids = agreement.member_ids
    if method == "fixed":
        fixed = agreement.sharing.fixed_shares
        if not fixed:
            raise AgreementError("rule 'fixed' needs sharing.fixed_shares in the agreement")
        return pd.Series([float(fixed.get(m, 0.0)) for m in ids], index=ids)
    if method == "equal":
        return pd.Series(1.0, index=ids)
    if method == "proportional":
        w = pd.Series(0.0, index=ids)
        for c in agreement.contributions:
            w[c.member] += c.valuation
        return w
    rho = pd.Series([m.risk_tolerance or math.inf for m in agreement.members], index=ids)
    return borch_shares(rho)


def risk_case(agreement: Agreement, methods: Sequence[str] | None = None,
              **project_options: Any) -> RiskCase:
    """Project, sharing rules and cost shares (members x rules) of an agreement.

    Every rule splits costs by :func:`cost_shares` except ``borch``, which shares the
    whole net outcome (revenue and costs) in proportion to risk tolerance, as the Borch
    rule does.
    """
    shares = sharing_rules(agreement, methods)
    base = cost_shares(agreement)
    costs = pd.DataFrame({rule: shares[rule] if rule == "borch" else base
                          for rule in shares.columns}, index=shares.index)
    return RiskCase(project_from_agreement(agreement, **project_options), shares, costs)


def simulate_agreement(agreement: Agreement, *, draws: int = 10_000, seed: Any = None,
                       levers: Iterable[Lever] = (), methods: Sequence[str] | None = None,
                       progress: bool | None = None, **project_options: Any) -> Simulation:
    """Simulate an agreement under its candidate sharing rules (and optional levers).

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> sim = simulate_agreement(a, draws=2000, seed=1, methods=["fixed", "equal"])
    >>> sim.payoff.shape
    (2000, 4, 2)
    """
    case = risk_case(agreement, methods, **project_options)
    out = simulate(case.project, case.shares, case.cost_shares, draws=draws, seed=seed,
                   levers=list(levers), progress=progress)
    return cast(Simulation, out)  # keep=True: never None


def scenario_point(point: dict[str, Any], seed: np.random.SeedSequence, *,
                   cases: Mapping[str, RiskCase], draws: int = 2000) -> pd.DataFrame:
    """One sweep point on the case named by ``point["scenario"]`` (levers as in
    :func:`sharing_models.risk.sweep.lever_point`)."""
    name = point.get("scenario")
    if name not in cases:
        raise AgreementError(f"unknown scenario {name!r} in sweep point; known: {list(cases)}")
    rest = {k: v for k, v in point.items() if k != "scenario"}
    case = cases[name]
    return lever_point(rest, seed, project=case.project, shares=case.shares,
                       cost_shares=case.cost_shares, draws=draws)
