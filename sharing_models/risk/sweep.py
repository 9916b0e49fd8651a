"""Sweep points for risk studies: a project simulated under the levers of a point.

:func:`lever_point` is a ready ``fn`` for :func:`sharing_models.sweep.sweep` (re-exported
here with :func:`~sharing_models.sweep.grid`, :func:`~sharing_models.sweep.random_points`
and :func:`~sharing_models.sweep.local_cluster`): it simulates a project under the
levers and settings named in a point (:data:`POINT_KEYS`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from ..sweep import PointFn, grid, local_cluster, random_points, sweep
from .frames import as_rules
from .levers import CostSubsidy, Lever, MilestoneAward, ProcurementGuarantee, TechnologyInsurance
from .model import Project
from .policy import lever_rows
from .simulate import simulate

__all__ = ["POINT_KEYS", "PointFn", "adjust_project", "grid", "lever_point",
           "levers_from_point", "local_cluster", "random_points", "sweep", "without_members"]

#: Keys :func:`lever_point` understands (``award:<stage>`` for milestone awards,
#: ``without:<member>`` (true) for a member who stays out).
POINT_KEYS = ("subsidy", "insurance", "premium", "floor", "probability_scale",
              "default_probability", "award:<stage>", "without:<member>")


def levers_from_point(point: Mapping[str, Any], project: Project) -> list[Lever]:
    """The levers a point asks for (zero values give no lever).

    >>> from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage
    >>> p = Project((Stage("s", .5, 1.0),), (Product("x", Fixed(3.0)),), (RiskMember("a"),))
    >>> levers_from_point({"subsidy": 0.3, "award:s": 2.0}, p)
    [CostSubsidy(rate=0.3, stages=None), MilestoneAward(awards={'s': 2.0})]
    """
    out: list[Lever] = []
    if point.get("subsidy"):
        out.append(CostSubsidy(float(point["subsidy"])))
    awards = {k.split(":", 1)[1]: float(v) for k, v in point.items()
              if k.startswith("award:") and v}
    if awards:
        out.append(MilestoneAward(awards))
    if point.get("insurance"):
        out.append(TechnologyInsurance(float(point["insurance"]), float(point.get("premium", 0))))
    if point.get("floor"):
        out.append(ProcurementGuarantee(float(point["floor"])))
    return out


def adjust_project(project: Project, point: Mapping[str, Any]) -> Project:
    """``project`` with ``probability_scale`` (stage success probabilities times it,
    capped at 1) and ``default_probability`` (every member's) from ``point`` applied."""
    scale = point.get("probability_scale")
    if scale is not None:
        stages = tuple(replace(s, probability=min(1.0, s.probability * float(scale)))
                       for s in project.stages)
        project = replace(project, stages=stages)
    dp = point.get("default_probability")
    if dp is not None:
        members = tuple(replace(m, default_probability=float(dp)) for m in project.members)
        project = replace(project, members=members)
    return project


def lever_point(point: dict[str, Any], seed: np.random.SeedSequence, *, project: Project,
                shares: Any, cost_shares: Any = None, draws: int = 5_000,
                level: float = 0.95) -> pd.DataFrame:
    """Simulate ``project`` under the levers and settings of ``point``; one row per rule.

    Use with ``functools.partial(lever_point, project=..., shares=...)`` as a sweep
    ``fn``. Columns as in :func:`~sharing_models.risk.compare_levers`.
    """
    known = {"subsidy", "insurance", "premium", "floor", "probability_scale",
             "default_probability"}
    bad = [k for k in point if k not in known and not k.startswith(("award:", "without:"))]
    if bad:
        raise InvalidInputError(f"unknown sweep parameter(s) {bad}; known: {list(POINT_KEYS)}")
    leaving = [k.split(":", 1)[1] for k, v in point.items() if k.startswith("without:") and v]
    proj, shares, cost_shares = without_members(project, shares, cost_shares, leaving)
    proj = adjust_project(proj, point)
    sim = simulate(proj, shares, cost_shares, draws=draws, seed=seed,
                   levers=levers_from_point(point, proj), progress=False)
    assert sim is not None  # no out= path: the arrays are returned
    return lever_rows("point", sim, level).droplevel("lever").reset_index()


def without_members(project: Project, shares: Any, cost_shares: Any,
                    leaving: Sequence[str]) -> tuple[Project, pd.DataFrame, Any]:
    """The consortium after ``leaving`` members walk away: their revenue and cost shares
    go to the others pro rata (equally where the others held none).

    >>> from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage
    >>> p = Project((Stage("s", 1.0, 1.0),), (Product("x", Fixed(3.0)),),
    ...             (RiskMember("a"), RiskMember("b"), RiskMember("c")))
    >>> q, s, c = without_members(p, pd.DataFrame({"r": [.5, .25, .25]}, index=list("abc")),
    ...                           None, ["a"])
    >>> q.member_names, s["r"].tolist(), c.tolist()
    (('b', 'c'), [0.5, 0.5], [0.5, 0.5])
    """
    if not leaving:
        return project, shares, cost_shares
    names = project.member_names
    unknown = [m for m in leaving if m not in names]
    stay = [m for m in names if m not in leaving]
    if unknown or not stay:
        raise InvalidInputError(f"without: unknown member(s) {unknown}" if unknown
                                else "without: at least one member must stay")
    def renormalise(col: pd.Series) -> pd.Series:
        return col / col.sum() if col.sum() > 0 else col * 0 + 1 / len(stay)

    s = as_rules(shares, names).loc[stay].apply(renormalise)
    if isinstance(cost_shares, pd.DataFrame):
        c: Any = as_rules(cost_shares, names, "cost_shares").loc[stay].apply(renormalise)
    else:
        c = renormalise((pd.Series(1.0 / len(names), index=list(names)) if cost_shares is None
                         else as_rules(pd.Series(cost_shares, name="cost"), names,
                                       "cost_shares")["cost"]).loc[stay])
    gone = {f"default:{m}" for m in leaving}
    corr = tuple(x for x in project.correlations if x[0] not in gone and x[1] not in gone)
    members = tuple(m for m in project.members if m.name in stay)
    return replace(project, members=members, correlations=corr), s, c


