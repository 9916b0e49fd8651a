r"""The term review: a performance evaluation at the end of the term, in the style of
the Qingdao guideline (research progress, outputs, management of funds), and whether
the consortium still meets its formation profile for re-filing.

Each criterion is a ratio :math:`r` with a plain verdict: **met** when
:math:`r \ge 1` (spending: within :data:`SPEND_BAND` of the budget), **partly met**
when :math:`r \ge` :data:`PARTLY` (spending: within twice the band), else **not met**.
The overall verdict is *met* when every reported criterion is met, *not met* when any
is not met, else *partly met*.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from ..profiles import check
from ..scenario.model import Agreement
from ..sharing.display import exact as fraction
from .actuals import Actuals, read_actuals

__all__ = ["PARTLY", "SPEND_BAND", "Review", "review"]

#: Least ratio for "partly met".
PARTLY = Fraction(1, 2)
#: Spending within this fraction of the budget is "met" (twice it: "partly met").
SPEND_BAND = Fraction(1, 10)

MET, PART, NOT, NONE = "met", "partly met", "not met", "not reported"


@dataclass(frozen=True)
class Review:
    """A term review: ``criteria`` indexed by criterion (``measured``, ``ratio``,
    ``verdict``), ``overall`` verdict, ``profile`` findings
    (:func:`agreements.profiles.check`) and ``refile`` (every required rule met)."""

    criteria: pd.DataFrame
    overall: str
    profile: pd.DataFrame
    refile: bool


def _verdict(r: Fraction | None) -> str:
    if r is None:
        return NONE
    return MET if r >= 1 else PART if r >= PARTLY else NOT


def review(agreement: Agreement, actuals: Any, profile: Any) -> Review:
    r"""Evaluate the term against the plan and re-check the formation profile.

    Criteria (ratios of actual to plan):

    - ``tasks_completed``: tasks reported succeeded / tasks;
    - ``milestones_met``: milestones whose task succeeded and whose reported
      contributions were delivered in full / milestones (tasks);
    - ``contributions_delivered``: :math:`\sum_c d_c w_c / \sum_c w_c` by valuation;
    - ``funding_spent``: spent / budget (task costs), *met* within
      :data:`SPEND_BAND`;
    - ``results_produced``: results of succeeded tasks / results.

    Parameters
    ----------
    agreement : Agreement
    actuals : Actuals, path or rows
        The actuals at the end of the term, with ``task``/``succeeded`` (and ``spent``).
    profile : str, path or Profile
        The formation profile to re-check (as ``consortium check``).

    Returns
    -------
    Review

    Notes
    -----
    Linear in tasks, contributions and results, plus the profile check. The filing of
    a Qingdao consortium is valid for at most three years, then evaluated on its
    management, research progress and outputs [Qingdao2025]_; Baoshan funds in stages
    after milestone evaluation [Baoshan2023]_.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> rows = [{"milestone": t.id, "task": t.id, "succeeded": "true"} for t in a.tasks]
    >>> r = review(a, rows, "baoshan")
    >>> r.criteria["verdict"].tolist()
    ['met', 'met', 'met', 'not reported', 'met']
    >>> r.overall
    'met'
    """
    acts = actuals if isinstance(actuals, Actuals) else read_actuals(agreement, actuals)
    tasks = [t.id for t in agreement.tasks]
    rows = []

    def add(key: str, measured: str, ratio: Fraction | None, verdict: str | None = None
            ) -> None:
        rows.append({"criterion": key, "measured": measured, "ratio": ratio,
                     "verdict": verdict or _verdict(ratio)})

    ok = [t for t in tasks if acts.succeeded.get(t)]
    unreported = [t for t in tasks if t not in acts.succeeded]
    add("tasks_completed", f"{len(ok)} of {len(tasks)} tasks succeeded"
        + (f" ({len(unreported)} not reported)" if unreported else ""),
        Fraction(len(ok), len(tasks)) if tasks else None)
    met = [t for t in tasks if acts.succeeded.get(t)
           and all(d == 1 for (m, _), d in acts.rows.items() if m == t)]
    add("milestones_met", f"{len(met)} of {len(tasks)} milestones met",
        Fraction(len(met), len(tasks)) if tasks else None)
    weights = {c.id: fraction(c.valuation) for c in agreement.contributions}
    total = sum(weights.values(), Fraction(0))
    share = (sum((acts.fraction(c) * w for c, w in weights.items()), Fraction(0)) / total
             if total else None)
    add("contributions_delivered", "valuation-weighted share of the plan delivered", share)
    budget = sum((fraction(t.cost) for t in agreement.tasks), Fraction(0))
    if acts.spent and budget:
        spent = sum(acts.spent.values(), Fraction(0))
        r = spent / budget
        gap = abs(r - 1)
        add("funding_spent", f"{float(spent):,.0f} of a {float(budget):,.0f} "
            f"{agreement.currency} budget", r,
            MET if gap <= SPEND_BAND else PART if gap <= 2 * SPEND_BAND else NOT)
    else:
        add("funding_spent", "no spending reported (column 'spent')", None, NONE)
    produced = {r for t in agreement.tasks if acts.succeeded.get(t.id) for r in t.produces}
    results = [r.id for r in agreement.results]
    add("results_produced", f"{len([r for r in results if r in produced])} of "
        f"{len(results)} results produced",
        Fraction(len([r for r in results if r in produced]), len(results)) if results
        else None)
    criteria = pd.DataFrame(rows).set_index("criterion")
    verdicts = [v for v in criteria["verdict"] if v != NONE]
    overall = (NONE if not verdicts else MET if all(v == MET for v in verdicts)
               else NOT if NOT in verdicts else PART)
    findings = check(agreement, profile)
    required = findings[findings["level"] == "required"] if "level" in findings else findings
    refile = bool(required["passed"].astype(bool).all())
    return Review(criteria, overall, findings, refile)
