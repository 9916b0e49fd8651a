"""The ``sharing`` section's own models: fees and tiers (``sharing.fees``,
``sharing.tiers``) and the revenue waterfall (``sharing.waterfall``), as strict pydantic
v2 models. The functions that use them are in :mod:`agreements.membership.tiers` and
:mod:`agreements.outcomes.waterfall`.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal, NoReturn

from pydantic import (
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .base import Count, Money, StrictModel

__all__ = [
    "Band",
    "CostItem",
    "Discount",
    "FeeSpec",
    "RewardSpec",
    "RightsSpec",
    "TierSpec",
    "TiersSpec",
    "WaterfallSpec",
]

Share = Annotated[StrictFloat, Field(ge=0, le=1)]
MemberId = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")]
Metric = Literal["revenue", "employees"]




def _fail(message: str) -> NoReturn:
    """Raise a validation error whose message is exactly ``message`` (no prefix)."""
    raise PydanticCustomError("scenario_rule", message.replace("{", "{{").replace("}", "}}"))


class Discount(StrictModel):
    """Members with ``discount_metric`` below ``below`` pay ``fee`` (OpenPOWER Silver)."""

    below: Money
    fee: Money


FEE_RULES = ("flat", "percent_of_metric", "percentage", "piecewise_linear")


class Band(StrictModel):
    """Band ``k`` of a piecewise-linear fee: ``(metric - start) * rate + base``."""

    start: Money
    rate: Share = 0.0
    base: Money = 0.0


class FeeSpec(StrictModel):
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
    prorate: dict[MemberId, Annotated[StrictInt, Field(ge=0, le=12)]] | None = Field(
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


class RightsSpec(StrictModel):
    """Rights of each member of a tier; see :class:`sharing_models.tiers.Rights`."""

    votes: Count = 1
    seats: Count = 0
    seats_per: Annotated[StrictInt, Field(ge=1, le=10**9)] | None = Field(
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


class TierSpec(StrictModel):
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


class TiersSpec(StrictModel):
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


class CostItem(StrictModel):
    """A cost recovered from income, in order, before anything else is paid."""

    item: str = Field(min_length=1)
    recipient: str = Field(min_length=1, description="Who is repaid (a member id or a name).")
    amount: Money


class RewardSpec(StrictModel):
    """An agreed reward to the people who made a result."""

    transfer_rate: Share = 0.5
    implementation_rate: Share = 0.05
    implementation_years: Annotated[StrictInt, Field(ge=0, le=50)] = 3


class WaterfallSpec(StrictModel):
    """How income from results flows; unset fields follow the rest of ``sharing``."""

    stream: Literal["licence", "transfer", "implementation"] = "licence"
    costs: list[CostItem] | Literal["tasks", "none"] | None = Field(
        None, description="Costs to recover; 'tasks': task budgets to task leads. "
                          "Default: 'tasks' when sharing.cost_recovery_first, else none.")
    inventor_reward: Literal["statutory", "none"] | RewardSpec | None = None
    reserve: Share | None = Field(None, description="Default: sharing.reserve_fund.")
    distribution: Literal["fixed", "proportional", "equal", "shapley", "banzhaf",
                          "nucleolus", "owen", "tiered", "fee_based", "blend"] | None = None
    unit: Annotated[StrictFloat, Field(gt=0, le=1e12)] = 0.01


