"""An agreement as a risk model: stages, products, members and candidate sharing rules.

:func:`risk_case` turns an :class:`~agreements.model.Agreement` into the dataclasses of
:mod:`sharing_models.risk`:

- **stages** are the agreement's tasks in dependency order (a task that needs another's
  result comes after it), each with its success probability and budget, spent at its
  start. The tasks form a graph (a DAG), not a chain: a task ``requires`` the tasks
  producing the results it needs and is attempted once they have all succeeded; tasks
  that need no task result run in parallel from year 0, and a failed task blocks only
  the tasks and products that need its results. A task starts when the last task it
  requires ends (year 0 when none), and ends ``duration_months / 12`` later. A sure,
  free stage ``start`` comes first when some product needs no task result (or there
  are no tasks);
- **products** earn their life-time margin, valued at launch,

  .. math:: R_p \\, m_p \\sum_{t=1}^{T_p} (1 + r_p)^{-t},

  once every task producing a result they need has succeeded (``after``; launch when
  the last of them ends) and then with their market success probability; the annual
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

Simplification: a requirement is an AND of tasks. An ``any_of`` group that a
contribution can satisfy imposes no task requirement (the contribution is there from
the start); a group made only of task results is read conservatively as needing *all*
of those tasks (an OR of tasks is not modelled).

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


def _task_order(agreement: Agreement) -> list[str]:
    """Task ids in dependency order (file order among independent tasks)."""
    producer = {r: t.id for t in agreement.tasks for r in t.produces}
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


def _required_tasks(needs: Needs, producer: Mapping[str, str],
                    order: Sequence[str]) -> tuple[str, ...]:
    """Tasks (in ``order``) producing the results ``needs`` requires directly: those in
    ``all_of``, and every option of an ``any_of`` group made only of task results (a
    group with a contribution in it needs no task)."""
    ids = list(needs.all_of)
    for group in needs.any_of:
        if all(x in producer for x in group):
            ids += group
    tasks = {producer[x] for x in ids if x in producer}
    return tuple(t for t in order if t in tasks)


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
    order = _task_order(agreement)
    producer = {r: t.id for t in agreement.tasks for r in t.produces}
    stages, end = [], {}
    for tid in order:
        t = tasks[tid]
        requires = tuple(x for x in _required_tasks(t.needs, producer, order) if x != tid)
        start = max((end[x] for x in requires), default=0.0)
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


def _product(p: Any, after: tuple[str, ...], end: dict[str, float]) -> Product:
    """A product launched when the last task it needs (``after``) ends."""
    r = p.discount_rate
    annuity = sum((1 + r) ** -t for t in range(1, p.years + 1))
    year = max(end.get(x, 0.0) for x in after)
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
