"""Tiered membership and fees in scenario files.

The functions that turn an agreement's ``sharing.fees`` and ``sharing.tiers`` sections
(their models are in :mod:`agreements.scenario.terms`) into the :mod:`sharing_models`
objects and tables:

* :func:`fee_rule` -> a :mod:`sharing_models.fees` rule;
* :func:`tier_schedule` -> :class:`sharing_models.tiers.TierSchedule`;
* :func:`member_table` -> the member data the fee rules read;
* :func:`fee_table` -> each member's tier, fee, votes, seats, voting power, access.

The revenue waterfall (``sharing.waterfall``) is in :mod:`agreements.outcomes.waterfall`, and tier
outcomes against the Shapley value in :mod:`agreements.outcomes.tier_vs_contribution`.

A fee rule in YAML (SEMATECH, [IrwinKlenow1996]_)::

    fees: {rule: percent_of_metric, metric: revenue, rate: 0.01, floor: 1.0e6, cap: 1.5e7}

Rules are ``flat`` (``amount``), ``percent_of_metric`` (``rate``, ``floor``, ``cap``) or
``piecewise_linear`` (``bands`` of ``start``, ``rate``, ``base``; ``cap``), each with
optional ``discounts`` (small members), ``multipliers`` by country or country class
(W3C, [W3C2008]_), ``prorate`` (months in the first year) and ``exempt`` members. Tiers
(``sharing.tiers``) name a ``metric`` and ``levels``, each with a band ``[lower, upper)``,
a ``fee`` and ``rights``. Members of kind ``government`` pay no dues unless a tier names
them. Bands must tile ``[0, inf)``; every mistake is reported with its field path.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pandas as pd

from sharing_models import fees as fr
from sharing_models.membership.fees import exact_number
from sharing_models.membership.tiers import Rights, Tier, TierSchedule, tier_accounts

from ..errors import AgreementError, Problem, ScenarioError
from ..scenario.model import Agreement
from ..scenario.terms import Band, Discount, FeeSpec, RightsSpec, TierSpec, TiersSpec

__all__ = [
    "Band",
    "Discount",
    "FeeSpec",
    "RightsSpec",
    "TierSpec",
    "TiersSpec",
    "fee_rule",
    "fee_table",
    "member_table",
    "tier_schedule",
]

def fee_rule(spec: FeeSpec) -> fr.FeeRule:
    """The :mod:`sharing_models.fees` rule of a fee spec (modifiers wrapped around it).

    >>> fee_rule(FeeSpec(rule="percent_of_metric", rate=0.01, floor=1e6, cap=1.5e7)).formula()
    Min(15000000, Max(1000000, R/100))
    """
    if spec.rule == "flat":
        rule: fr.FeeRule = fr.Flat(spec.amount)
    elif spec.rule in ("percent_of_metric", "percentage"):
        rule = fr.Percentage(spec.rate, floor=spec.floor, cap=spec.cap, metric=spec.metric)
    else:
        assert spec.bands is not None
        rule = fr.PiecewiseLinear([(b.start, b.rate, b.base) for b in spec.bands],
                                  cap=spec.cap, metric=spec.metric)
    if spec.discounts:
        rule = fr.SmallMemberDiscount(rule, {d.below: d.fee for d in spec.discounts},
                                      metric=spec.discount_metric)
    if spec.multipliers:
        rule = fr.CountryMultiplier(rule, spec.multipliers, by="fee_class")
    if spec.prorate:
        rule = fr.Prorated(rule)
    return rule


def tier_schedule(agreement: Agreement) -> TierSchedule | None:
    """The agreement's tier schedule; one tier ``members`` when only ``sharing.fees`` is set.

    Returns ``None`` when the agreement sets neither fees nor tiers.

    >>> from agreements.scenario.loader import load
    >>> [t.name for t in tier_schedule(load("scenarios/asrc_storage_tiers.yaml")).tiers]
    ['principal', 'executive', 'associate', 'academic']
    """
    s = agreement.sharing
    if s.tiers is None and s.fees is None:
        return None
    if s.tiers is None:
        return TierSchedule([Tier("members", fee_rule(s.fees))], metric=None)
    tiers = []
    for k, t in enumerate(s.tiers.levels):
        spec = t.fee or s.fees
        if spec is None:
            raise ScenarioError([Problem(f"sharing.tiers.levels[{k}].fee",
                                         f"tier {t.name!r} has no fee and sharing.fees sets no "
                                         "default")])
        r = t.rights
        rights = Rights(r.votes, r.seats, r.seats_per, r.tier_seats, r.access,
                        tuple(r.access_fields), r.access_delay_months, r.licence,
                        r.royalty_rate, r.income_share)
        tiers.append(Tier(t.name, fee_rule(spec), rights, t.lower, t.upper))
    return TierSchedule(tiers, metric=s.tiers.metric)


def _specs(agreement: Agreement) -> list[Any]:
    s = agreement.sharing
    levels = s.tiers.levels if s.tiers is not None else []
    return [x for x in [s.fees, *(t.fee for t in levels)] if x is not None]


def _exempt(agreement: Agreement) -> list[str]:
    """Members paying no dues: listed in ``exempt``, or of kind government with no tier."""
    listed = {m for spec in _specs(agreement) for m in spec.exempt}
    return [m.id for m in agreement.members
            if m.id in listed or (m.kind == "government" and not m.tier)]


def member_table(agreement: Agreement, years: int = 1) -> pd.DataFrame:
    """Member data the fee rules read, indexed by ``(year, member)``; exempt members left out.

    Columns: ``revenue``, ``employees``, ``tier`` (explicit class), ``fee_class`` (for
    multipliers) and ``months`` (12, or the first year's ``prorate`` months).
    """
    schedule = tier_schedule(agreement)
    skip = set(_exempt(agreement))
    specs = _specs(agreement)
    months = {m: v for spec in specs for m, v in (spec.prorate or {}).items()}
    classes = {k: v for spec in specs for k, v in (spec.country_classes or {}).items()}
    tiered = agreement.sharing.tiers is not None
    rows = []
    for m in agreement.members:
        if m.id in skip:
            continue
        fee_class = classes.get(m.country or "", m.country or "")
        for year in range(1, years + 1):
            rows.append({"year": year, "member": m.id, "revenue": m.revenue,
                         "employees": m.employees, "tier": m.tier if tiered else "members",
                         "fee_class": fee_class,
                         "months": months.get(m.id, 12) if year == 1 else 12})
    problems = _missing_data(agreement, schedule, skip) if schedule is not None else []
    if problems:
        raise ScenarioError(problems, agreement.id)
    return pd.DataFrame(rows).set_index(["year", "member"])


def _missing_data(agreement: Agreement, schedule: TierSchedule, skip: set[str]) -> list[Problem]:
    """Unknown explicit tiers and member data a member's tier or fee needs but lacks."""
    names = {t.name for t in schedule.tiers}
    tiered = agreement.sharing.tiers is not None
    out = []
    for k, m in enumerate(agreement.members):
        if m.id in skip:
            continue
        if tiered and m.tier and m.tier not in names:
            out.append(Problem(f"members[{k}].tier", f"unknown tier {m.tier!r}; the tiers are "
                               f"{sorted(names)}"))
            continue
        tier = (m.tier or None) if tiered else "members"
        if tier is None:  # placed by the band of its metric
            value = getattr(m, schedule.metric or "", None)
            if value is None:
                out.append(Problem(f"members[{k}].{schedule.metric}", f"member {m.id!r} has "
                                   f"neither a tier nor a {schedule.metric} to place it by"))
                continue
            tier = next(t.name for t in schedule.tiers if t.lower is not None
                        and t.lower <= exact_number(value)
                        and (t.upper is None or exact_number(value) < t.upper))
        for metric in schedule.tier(tier).fee.metrics():
            if metric in ("revenue", "employees") and getattr(m, metric) is None:
                out.append(Problem(f"members[{k}].{metric}", f"member {m.id!r} has no {metric}, "
                                   f"which the fee of tier {tier!r} needs (give it, or list the "
                                   "member in sharing.fees.exempt)"))
        spec = _spec_of(agreement, tier)
        if spec is not None and spec.multipliers:
            cls = (spec.country_classes or {}).get(m.country or "", m.country or "")
            if cls not in spec.multipliers:
                out.append(Problem(f"members[{k}].country", f"member {m.id!r} (country "
                                   f"{m.country!r}, class {cls!r}) has no fee multiplier; add "
                                   "it to the fee's multipliers or country_classes"))
    return out


def _spec_of(agreement: Agreement, tier: str) -> FeeSpec | None:
    s = agreement.sharing
    levels = {t.name: t for t in s.tiers.levels} if s.tiers is not None else {}
    return (levels[tier].fee if tier in levels else None) or s.fees


def fee_table(agreement: Agreement, years: int = 1) -> pd.DataFrame:
    """Each member's tier, fee, votes, seats, voting power and access, year by year.

    Voting power (Shapley-Shubik and Banzhaf, exact) is that of the tiers' votes with the
    governance quota. Exempt members appear with tier ``exempt`` and no fee.

    Returns
    -------
    pandas.DataFrame
        Indexed by member id (``name="member"``), first column ``year``; exact fractions.

    Examples
    --------
    >>> from agreements.scenario.loader import load
    >>> t = fee_table(load("scenarios/asrc_storage_tiers.yaml"))
    >>> t.loc["seagate", ["tier", "fee", "seats", "banzhaf"]].tolist()
    ['principal', Fraction(250000, 1), Fraction(1, 1), Fraction(13, 60)]
    """
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise AgreementError(f"years must be a whole number >= 1; got {years!r}")
    schedule = tier_schedule(agreement)
    if schedule is None:
        raise AgreementError(f"{agreement.id}: the scenario sets no sharing.fees or "
                             "sharing.tiers, so there are no fees to show")
    table = member_table(agreement, years)
    tiers = agreement.sharing.tiers
    acc = tier_accounts(schedule, table, quota=agreement.governance.quota,
                        body=tiers.power_body if tiers is not None else "assembly")
    acc = acc.drop(columns=["income", "net"]).reset_index("year")
    exempt = _exempt(agreement)
    if exempt:
        extra = pd.DataFrame([{"year": y, "tier": "exempt", "fee": Fraction(0), "votes": 0,
                               "seats": Fraction(0), "shapley_shubik": Fraction(0),
                               "banzhaf": Fraction(0), "access": None,
                               "access_delay_months": None, "licence": None,
                               "royalty_rate": None}
                              for y in range(1, years + 1) for _ in exempt],
                             index=[m for _ in range(years) for m in exempt])
        acc = pd.concat([acc, extra])
    order = {m: i for i, m in enumerate(agreement.member_ids)}
    acc = acc.assign(_o=[order[m] for m in acc.index]).sort_values(["year", "_o"], kind="stable")
    return acc.drop(columns="_o").rename_axis("member")
