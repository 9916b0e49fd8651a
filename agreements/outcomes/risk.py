"""An agreement as a risk model: its project, members and candidate sharing rules.

:func:`risk_case` turns an :class:`~agreements.scenario.model.Agreement` into what
:func:`sharing_models.risk.simulate` needs:

- the **project** is the grand coalition's best plan
  (:func:`agreements.valuation.game.grand_plan`) mapped by
  :func:`agreements.valuation.project.project_from_agreement`: the tasks and products the whole
  consortium carries out, with the task graph's probabilities and timing, and its
  contributions paid up front. The agreement's game values coalitions with the same
  probabilities (:func:`agreements.valuation.project.risk_weights`), so under risk neutrality
  (and without defaults) every member's mean simulated payoff is its share of
  :math:`v(N)` under the rule;
- **sharing rules** come from the one sharing path, :func:`agreements.sharing.allocate`,
  as shares :math:`s_i = x_i / v(N)`; a rule divides the consortium's *net* outcome
  (revenue less costs), so each member bears its share of costs too (cost shares equal
  revenue shares);
- **members** keep their risk tolerance (``inf`` = risk-neutral when not given) and
  outside option; each defaults with the default clause's probability and forfeits its
  ``forfeit_share`` of income. ``risk_neutral=True`` sets every tolerance to ``inf``
  and the default probability to 0: the setting in which the simulation's means are the
  game's shares.

:func:`scenario_point` runs one sweep point on one of several cases (for
:func:`sharing_models.sweep.sweep`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from sharing_models import SuspiciousResultWarning
from sharing_models.risk import Lever, Project, Simulation, simulate
from sharing_models.risk.sweep import lever_point

from ..errors import AgreementError
from ..scenario.model import Agreement
from ..sharing import RULES, allocations
from ..valuation.game import grand_plan
from ..valuation.project import project_from_agreement

__all__ = [
    "DEFAULT_RULES",
    "MONEY_COLUMNS",
    "RiskCase",
    "money_unit",
    "project_from_agreement",
    "risk_case",
    "scenario_point",
    "sharing_rules",
    "simulate_agreement",
]

#: Rules simulated by default (``fixed`` first when the agreement fixes shares).
DEFAULT_RULES = ("equal", "proportional", "shapley", "borch")


#: Money columns of a sweep point's rows (:func:`scenario_point`), named with their unit.
MONEY_COLUMNS = ("expected_outcome", "expected_outcome_se", "total_ce", "total_ce_se",
                 "worst_cvar", "government_cost", "government_cost_se", "least_transfer")

_SCALES = {"thousands": 1e3, "millions": 1e6, "billions": 1e9}


def money_unit(currency: str) -> tuple[str, float]:
    """The column suffix of a scenario's money and the factor to that unit.

    ``"CNY"`` -> ``("cny", 1.0)``; a currency counted in thousands, millions or billions
    (``"CNY (millions)"``, as synthetic consortia are) -> ``("cny", 1e6)``, so that money
    from several scenarios lands in one unit; anything else is used as written, made
    into an identifier.

    >>> money_unit("CNY"), money_unit("CNY (millions)"), money_unit("Gold bars")
    (('cny', 1.0), ('cny', 1000000.0), ('gold_bars', 1.0))
    """
    found = re.fullmatch(r"\s*([A-Za-z]{3})\s*(?:\((thousands|millions|billions)\))?\s*",
                         currency or "")
    if found:
        return found[1].lower(), _SCALES.get(found[2] or "", 1.0)
    return re.sub(r"[^0-9a-z]+", "_", (currency or "money").lower()).strip("_") or "money", 1.0


@dataclass(frozen=True, eq=False)
class RiskCase:
    """What :func:`~sharing_models.risk.simulate` needs for one agreement, and the
    currency its money is counted in (the agreement's ``currency``)."""

    project: Project
    shares: pd.DataFrame
    cost_shares: pd.DataFrame
    currency: str = "CNY"


def sharing_rules(agreement: Agreement, methods: Sequence[str] | None = None, *,
                  seed: Any = 0) -> pd.DataFrame:
    """Shares of the net outcome (members x rules, each rule summing to 1), from
    :func:`agreements.sharing.allocate`.

    A rule sampled on a large agreement (see ``docs/large-consortia.md``) is sampled with
    ``seed`` (0, as in ``consortium shares`` and the clauses, so every output shows the
    same estimate) at the default tolerance.

    Default: ``fixed`` (when agreed), ``equal``, ``proportional``, ``shapley``, ``borch``.
    A rule whose allocation has a negative entry or that has no shares
    (:math:`v(N) = 0` for a game rule) is left out with a
    :class:`~sharing_models.SuspiciousResultWarning`.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> sharing_rules(a, ["fixed", "equal"])["fixed"].tolist()
    [0.55, 0.2, 0.15, 0.1]
    """
    if methods is None:
        methods = [*(["fixed"] if agreement.sharing.fixed_shares else []), *DEFAULT_RULES]
    unknown = [m for m in methods if m not in RULES]
    if unknown:
        raise AgreementError(f"unknown sharing rule(s) {unknown}; expected some of "
                             f"{', '.join(RULES)}")
    cols: dict[str, pd.Series] = {}
    for m, alloc in allocations(agreement, list(dict.fromkeys(methods)), seed=seed).items():
        share = alloc["share"]
        if share.isna().any() or (share.astype(float) < 0).any():
            warnings.warn(f"rule {m!r} left out: its allocation cannot be read as shares "
                          f"(negative, or v(N) = 0)", SuspiciousResultWarning, stacklevel=2)
            continue
        cols[m] = share.astype(float)
    if not cols:
        raise AgreementError("no sharing rule could be turned into shares")
    return pd.DataFrame(cols, index=pd.Index(agreement.member_ids, name="member"))


def risk_case(agreement: Agreement, methods: Sequence[str] | None = None, *,
              risk_neutral: bool = False, **project_options: Any) -> RiskCase:
    """Project (the grand coalition's plan), sharing rules and cost shares of an
    agreement; every rule shares costs like revenue (the net outcome).

    ``risk_neutral=True``: infinite risk tolerances and no defaults (the game's setting).
    """
    shares = sharing_rules(agreement, methods)
    if risk_neutral:
        agreement = agreement.model_copy(update={"members": [
            m.model_copy(update={"risk_tolerance": None}) for m in agreement.members]})
        project_options = {**project_options, "default_probability": 0.0}
    project = project_from_agreement(agreement, plan=grand_plan(agreement),
                                     **project_options)
    return RiskCase(project, shares, shares.copy(), agreement.currency)


def simulate_agreement(agreement: Agreement, *, draws: int = 10_000, seed: Any = None,
                       levers: Iterable[Lever] = (), methods: Sequence[str] | None = None,
                       progress: bool | None = None, risk_neutral: bool = False,
                       **project_options: Any) -> Simulation:
    """Simulate an agreement under its candidate sharing rules (and optional levers).

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> sim = simulate_agreement(a, draws=2000, seed=1, methods=["fixed", "equal"])
    >>> sim.payoff.shape
    (2000, 4, 2)
    """
    case = risk_case(agreement, methods, risk_neutral=risk_neutral, **project_options)
    out = simulate(case.project, case.shares, case.cost_shares, draws=draws, seed=seed,
                   levers=list(levers), progress=progress)
    return cast(Simulation, out)  # keep=True: never None


def scenario_point(point: dict[str, Any], seed: np.random.SeedSequence, *,
                   cases: Mapping[str, RiskCase], draws: int = 2000) -> pd.DataFrame:
    """One sweep point on the case named by ``point["scenario"]`` (levers as in
    :func:`sharing_models.risk.sweep.lever_point`).

    The rows are those of :func:`sharing_models.risk.compare_levers` with the money
    columns (:data:`MONEY_COLUMNS`) in the case's currency, named with it
    (``expected_outcome_cny``, ``expected_outcome_cny_se``; see :func:`money_unit`:
    a currency counted in millions is converted to units)."""
    name = point.get("scenario")
    if name not in cases:
        raise AgreementError(f"unknown scenario {name!r} in sweep point; known: {list(cases)}")
    rest = {k: v for k, v in point.items() if k != "scenario"}
    case = cases[name]
    rows = lever_point(rest, seed, project=case.project, shares=case.shares,
                       cost_shares=case.cost_shares, draws=draws)
    unit, factor = money_unit(case.currency)
    rows[list(MONEY_COLUMNS)] = rows[list(MONEY_COLUMNS)] * factor
    return rows.rename(columns={c: _with_unit(c, unit) for c in MONEY_COLUMNS})


def _with_unit(column: str, unit: str) -> str:
    """``expected_outcome`` -> ``expected_outcome_cny``; ``..._se`` -> ``..._cny_se``."""
    base, se = (column[:-3], "_se") if column.endswith("_se") else (column, "")
    return f"{base}_{unit}{se}"
