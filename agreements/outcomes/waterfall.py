"""Revenue waterfalls in scenario files.

The ``sharing.waterfall`` section of a scenario (:class:`WaterfallSpec`, with its
:class:`CostItem` and :class:`RewardSpec`), as strict pydantic v2 models, and the functions
that turn an :class:`Agreement` into the tables of :mod:`sharing_models.waterfall`:

* :func:`distribution_shares` -> members' shares of distributed income under a rule;
* :func:`waterfall_table` -> the year-by-year revenue waterfall for a given income.

Income from the waterfall's ``stream`` repays the ``costs`` first, then rewards the people
who made the result (``inventor_reward``: the statutory default [PRC2015]_, agreed rates or
none), then fills the ``reserve``, and the rest is distributed to members by
``distribution``. Unset fields follow the rest of ``sharing`` (``cost_recovery_first``,
``inventor_reward``, ``reserve_fund``, ``method``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sharing_models import waterfall as wf
from sharing_models.membership.fees import exact_number

from ..errors import AgreementError, Problem, ScenarioError
from ..scenario.model import Agreement
from ..scenario.terms import CostItem, RewardSpec, WaterfallSpec
from ..sharing import agreed_rule, allocate

__all__ = [
    "CostItem",
    "RewardSpec",
    "WaterfallSpec",
    "distribution_shares",
    "waterfall_table",
]


def _reward(agreement: Agreement, spec: WaterfallSpec) -> wf.InventorReward:
    choice = spec.inventor_reward
    if choice is None:
        choice = agreement.sharing.inventor_reward
    if isinstance(choice, RewardSpec):
        return wf.InventorReward(choice.transfer_rate, choice.implementation_rate,
                                 choice.implementation_years)
    if choice == "statutory":
        return wf.InventorReward.statutory()
    if choice == "none":
        return wf.InventorReward.none()
    if choice == "agreed":
        raise ScenarioError([Problem("sharing.waterfall.inventor_reward", "sharing."
                                     "inventor_reward is 'agreed' but the waterfall gives no "
                                     "rates; set transfer_rate and implementation_rate")])
    return wf.InventorReward(transfer_rate=choice)  # a number: share of net licence income


def _costs(agreement: Agreement, spec: WaterfallSpec) -> list[tuple[str, str, Any]]:
    costs = spec.costs
    if costs is None:
        costs = "tasks" if agreement.sharing.cost_recovery_first else "none"
    if costs == "none":
        return []
    if costs == "tasks":
        return [(t.id, t.lead or "consortium", t.cost) for t in agreement.tasks if t.cost > 0]
    return [(c.item, c.recipient, c.amount) for c in costs]


def distribution_shares(agreement: Agreement, method: str | None = None) -> pd.Series:
    """Members' exact shares of distributed income under ``method`` (default
    :func:`agreements.sharing.agreed_rule`, else ``equal``), from the one sharing path
    (:func:`agreements.sharing.allocate`).

    >>> from agreements.scenario.loader import load
    >>> distribution_shares(load("scenarios/baoshan_medical_devices.yaml")).tolist()
    [Fraction(11, 20), Fraction(1, 5), Fraction(3, 20), Fraction(1, 10)]
    """
    method = method or agreed_rule(agreement) or "equal"
    share = allocate(agreement, method)["share"]
    if share.isna().any() or any(x < 0 for x in share):
        raise AgreementError(f"distribution {method!r} gives shares {share.to_dict()}; "
                             "expected non-negative shares (and v(N) > 0 for a game rule)")
    return share.map(exact_number).rename("share")


def waterfall_table(agreement: Agreement, income: Any, years: int = 1) -> pd.DataFrame:
    """The revenue waterfall of ``income`` a year for ``years`` years (tidy, exact).

    Parameters
    ----------
    agreement : Agreement
    income : number or sequence
        Income each year from the waterfall's ``stream`` (default licence income).
    years : int
        Years, when ``income`` is one number.

    Returns
    -------
    pandas.DataFrame
        ``year, stage, item, recipient, amount``; income equals outflows every year
        (:func:`sharing_models.waterfall.conservation`).

    Examples
    --------
    >>> from agreements.scenario.loader import load
    >>> t = waterfall_table(load("scenarios/asrc_storage_tiers.yaml"), 1e7)
    >>> t.groupby("stage", sort=False)["amount"].sum().tolist()
    [Decimal('10000000.00'), Decimal('1500000.00'), Decimal('2125000.00'), Decimal('637500.00'),
     Decimal('5737500.00')]
    """
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise AgreementError(f"years must be a whole number >= 1; got {years!r}")
    s = agreement.sharing
    spec = s.waterfall or WaterfallSpec()
    per_year = [income] * years if pd.api.types.is_scalar(income) else list(income)
    reserve = spec.reserve if spec.reserve is not None else s.reserve_fund
    return wf.waterfall({spec.stream: per_year}, distribution_shares(agreement),
                        costs=_costs(agreement, spec), reward=_reward(agreement, spec),
                        reserve=reserve, unit=spec.unit)
