"""Tiered membership and fees in scenario files.

The ``sharing.fees`` and ``sharing.tiers`` sections of a scenario, as strict pydantic v2
models, and the functions that turn an :class:`Agreement` into the :mod:`sharing_models`
objects and tables:

* :func:`fee_rule` -> a :mod:`sharing_models.fees` rule;
* :func:`tier_schedule` -> :class:`sharing_models.tiers.TierSchedule`;
* :func:`member_table` -> the member data the fee rules read;
* :func:`fee_table` -> each member's tier, fee, votes, seats, voting power, access.

The revenue waterfall (``sharing.waterfall``) is in :mod:`agreements.waterfall`, and tier
outcomes against the Shapley value in :mod:`agreements.tier_vs_contribution`.

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

import itertools
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sharing_models import fees as fr
from sharing_models.membership.fees import exact_number
from sharing_models.membership.tiers import Rights, Tier, TierSchedule, tier_accounts

from .errors import AgreementError, Problem, ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from .model import Agreement

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

Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0)]
MemberId = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")]
Metric = Literal["revenue", "employees"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _fail(message: str) -> NoReturn:
    """Raise a validation error whose message is exactly ``message`` (no prefix)."""
    raise PydanticCustomError("scenario_rule", message.replace("{", "{{").replace("}", "}}"))


class Discount(_Strict):
    """Members with ``discount_metric`` below ``below`` pay ``fee`` (OpenPOWER Silver)."""

    below: Money
    fee: Money


FEE_RULES = ("flat", "percent_of_metric", "percentage", "piecewise_linear")


class Band(_Strict):
    """Band ``k`` of a piecewise-linear fee: ``(metric - start) * rate + base``."""

    start: Money
    rate: Share = 0.0
    base: Money = 0.0


class FeeSpec(_Strict):
    """A fee rule: ``flat`` (``amount``), ``percent_of_metric`` (``rate``, ``floor``,
    ``cap``; SEMATECH) or ``piecewise_linear`` (``bands``, ``cap``; ACIL), with optional
    small-member ``discounts``, ``multipliers`` by country or class (W3C), first-year
    ``prorate`` months and ``exempt`` members."""

    rule: Literal["flat", "percent_of_metric", "percentage", "piecewise_linear"]
    amount: Money | None = Field(None, description="Flat fee.")
    metric: Metric = "revenue"
    rate: Share | None = Field(None, description="Share of the metric (0.01 = 1%).")
    floor: Money = 0.0
    cap: Money | None = None
    bands: list[Band] | None = None
    discounts: list[Discount] = Field(default_factory=list)
    discount_metric: Metric = "employees"
    multipliers: dict[str, Money] | None = Field(
        None, description="Fee multiplier by country (or by class, with country_classes).")
    country_classes: dict[str, str] | None = Field(
        None, description="Country -> class (e.g. World Bank income class) for multipliers.")
    prorate: dict[MemberId, Annotated[int, Field(ge=0, le=12)]] | None = Field(
        None, description="Months of membership in the first year, for members joining late.")
    exempt: list[MemberId] = Field(default_factory=list, description="Members paying no fee.")

    @field_validator("cap")
    @classmethod
    def _cap_not_below_floor(cls, v: float | None, info: Any) -> float | None:
        floor = info.data.get("floor")
        if v is not None and floor is not None and v < floor:
            _fail(f"cap {v:g} is below the floor {floor:g}; expected cap >= floor")
        return v

    @field_validator("bands")
    @classmethod
    def _bands_tile(cls, v: list[Band] | None) -> list[Band] | None:
        if not v:
            return v
        if v[0].start != 0:
            _fail(f"the first band must start at 0; bands[0] starts at {v[0].start:g} (gap "
                  "below it)")
        for k in range(1, len(v)):
            if v[k].start <= v[k - 1].start:
                _fail(f"bands[{k}] starts at {v[k].start:g}, not after bands[{k - 1}] "
                      f"({v[k - 1].start:g}): overlapping bands")
        return v

    @field_validator("discounts")
    @classmethod
    def _smaller_pays_less(cls, v: list[Discount]) -> list[Discount]:
        ordered = sorted(v, key=lambda d: d.below)
        for a, b in itertools.pairwise(ordered):
            if a.fee > b.fee:
                _fail(f"members below {a.below:g} would pay {a.fee:g}, more than members "
                      f"below {b.below:g} ({b.fee:g})")
        return v

    @model_validator(mode="after")
    def _rule_complete(self) -> FeeSpec:
        need = {"flat": "amount", "percent_of_metric": "rate", "percentage": "rate",
                "piecewise_linear": "bands"}[self.rule]
        if getattr(self, need) in (None, []):
            _fail(f"rule {self.rule!r} needs {need!r}")
        if self.rule == "piecewise_linear" and self.cap is not None and self.bands \
                and self.cap < self.bands[0].base:
            _fail(f"cap {self.cap:g} is below the lowest fee {self.bands[0].base:g}")
        return self


class RightsSpec(_Strict):
    """Rights of each member of a tier; see :class:`sharing_models.tiers.Rights`."""

    votes: Count = 1
    seats: Count = 0
    seats_per: Annotated[int, Field(ge=1)] | None = Field(
        None, description="One director elected per this many members of the tier.")
    tier_seats: Count = Field(0, description="Directors elected by the tier's members together.")
    access: Literal["full", "field", "none"] = "full"
    access_fields: list[str] = Field(default_factory=list)
    access_delay_months: Count = 0
    licence: Literal["royalty_free", "fair_and_reasonable", "royalty", "none"] = "royalty_free"
    royalty_rate: Share | None = None
    income_share: Share | None = None

    @model_validator(mode="after")
    def _complete(self) -> RightsSpec:
        if self.access == "field" and not self.access_fields:
            _fail("access 'field' needs access_fields naming the fields")
        if self.licence == "royalty" and self.royalty_rate is None:
            _fail("licence 'royalty' needs a royalty_rate")
        return self


class TierSpec(_Strict):
    """A membership level: band of the metric, fee rule and rights."""

    name: MemberId
    label: str | None = None
    lower: Money | None = None
    upper: Money | None = None
    fee: FeeSpec | None = Field(None, description="Default: sharing.fees.")
    rights: RightsSpec = Field(default_factory=RightsSpec)

    @field_validator("upper")
    @classmethod
    def _upper_above_lower(cls, v: float | None, info: Any) -> float | None:
        lower = info.data.get("lower")
        if v is not None and lower is None:
            _fail("an upper bound needs a lower bound")
        if v is not None and lower is not None and v <= lower:
            _fail(f"upper bound {v:g} must exceed lower bound {lower:g}")
        return v


class TiersSpec(_Strict):
    """Tier schedule: levels banded by ``metric`` (or joined by explicit member ``tier``)."""

    metric: Metric | None = "revenue"
    power_body: Literal["assembly", "board"] = Field(
        "assembly", description="Body whose voting power fee tables show: members' votes, "
                                "or board seats (each tier's elected directors as a bloc).")
    levels: list[TierSpec] = Field(min_length=1)

    @field_validator("levels", mode="wrap")
    @classmethod
    def _levels_tile(cls, v: Any, handler: Any) -> list[TierSpec]:
        """Report gaps, overlaps and shares together with the levels' own errors."""
        errors: list[Any] = []
        try:
            levels = handler(v)
        except ValidationError as exc:
            levels = None
            errors = [_copy_error(e) for e in exc.errors(include_url=False)]
        raw = levels if levels is not None else v
        errors += [{"type": PydanticCustomError("tier_bands", msg.replace("{", "{{")
                                                .replace("}", "}}")), "loc": loc, "input": None}
                   for loc, msg in _tiling_problems(_bounds(raw))]
        if errors:
            raise ValidationError.from_exception_data("levels", errors)
        return levels


def _copy_error(e: dict[str, Any]) -> dict[str, Any]:
    msg = str(e["msg"]).replace("{", "{{").replace("}", "}}")
    ctx = {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, int | float | str)}
    return {"type": PydanticCustomError(str(e["type"]), msg, ctx or None), "loc": e["loc"],
            "input": e.get("input")}


def _num(x: Any) -> float | None:
    """A number read as pydantic would (YAML 1.1 reads ``5.0e9`` as a string)."""
    if isinstance(x, bool) or not isinstance(x, int | float | str):
        return None
    try:
        return float(x)
    except ValueError:
        return None


def _bounds(levels: Any) -> list[tuple[str, float | None, float | None, float | None]]:
    """``(name, lower, upper, income_share)`` of each level, read leniently from raw data."""
    out = []
    for t in levels if isinstance(levels, list) else []:
        if isinstance(t, TierSpec):
            out.append((t.name, t.lower, t.upper, t.rights.income_share))
        elif isinstance(t, dict):
            rights = t.get("rights") if isinstance(t.get("rights"), dict) else {}
            out.append((str(t.get("name", "?")), _num(t.get("lower")), _num(t.get("upper")),
                        _num(rights.get("income_share"))))
        else:
            out.append(("?", None, None, None))
    return out


def _tiling_problems(levels: list[tuple[str, Any, Any, Any]]) -> list[tuple[tuple, str]]:
    """``(loc, message)`` for repeated names, gaps, overlaps and income shares not summing
    to 1; ``loc`` is relative to ``levels``."""
    out: list[tuple[tuple, str]] = []
    names = [t[0] for t in levels]
    out += [((k, "name"), f"tier name {n!r} is used twice") for k, n in enumerate(names)
            if names.index(n) != k]
    banded = sorted((k for k, t in enumerate(levels) if t[1] is not None),
                    key=lambda k: levels[k][1])
    if banded and levels[banded[0]][1] != 0:
        out.append(((banded[0], "lower"), f"gap: nothing covers [0, {levels[banded[0]][1]:g})"
                    " (the lowest band must start at 0)"))
    for i, j in itertools.pairwise(banded):
        (lo_name, _, lo_up, _), (hi_name, hi_low, _, _) = levels[i], levels[j]
        if lo_up is None or lo_up > hi_low:
            end = "infinity" if lo_up is None else f"{lo_up:g}"
            out.append(((i, "upper"), f"overlap: tier {lo_name!r} ends at {end} but tier "
                        f"{hi_name!r} (levels[{j}]) starts at {hi_low:g}"))
        elif lo_up < hi_low:
            out.append(((i, "upper"), f"gap: tier {lo_name!r} ends at {lo_up:g} but tier "
                        f"{hi_name!r} (levels[{j}]) starts at {hi_low:g}"))
    if banded and levels[banded[-1]][2] is not None:
        out.append(((banded[-1], "upper"), f"gap: nothing covers values >= "
                    f"{levels[banded[-1]][2]:g}; leave the top band open (no upper)"))
    shares = [t[3] for t in levels if t[3] is not None]
    if shares and abs(sum(shares) - 1) > 1e-9:
        out.append(((), f"income shares of the levels sum to {sum(shares):g}, expected 1"))
    return out


# ---------------------------------------------------------------------- specs -> engine
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

    >>> from agreements.loader import load
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
    >>> from agreements.loader import load
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
