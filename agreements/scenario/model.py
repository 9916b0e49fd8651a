"""The scenario data model: what a consortium agreed, as validated data.

One scenario file (YAML or JSON, ``format: 1``) describes one formation agreement:
``members``, their ``contributions``, the ``tasks`` (work packages) that need
contributions and results, the ``results`` (foreground IP) they produce, the
``products`` (revenue streams) that need results, and the ``sharing`` rules agreed or
proposed. Every model forbids unknown keys, so a typo is reported, not ignored.

Field-level checks live here (pydantic v2); cross-references (unknown ids, cycles,
needs nothing provides, shares not summing to 100%) are checked by
:mod:`agreements.scenario.validation`, and :func:`agreements.load` reports both kinds at once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictFloat, StrictInt

from .base import MAX_TOLERANCE, Count, Money, SignedMoney, StrictModel
from .limits import MAX_ITEMS
from .terms import FeeSpec, TiersSpec, WaterfallSpec

__all__ = [
    "AccessTerms",
    "Agreement",
    "Contribution",
    "ContributionKind",
    "Governance",
    "Layer",
    "Member",
    "MemberKind",
    "Name",
    "Needs",
    "Ownership",
    "Product",
    "Result",
    "Revenue",
    "Sharing",
    "SharingMethod",
    "Source",
    "Task",
]

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")]
Probability = Annotated[StrictFloat, Field(ge=0.0, le=1.0)]




class MemberKind(StrEnum):
    """What kind of organisation a member is."""

    LEAD_ENTERPRISE = "lead_enterprise"
    ENTERPRISE = "enterprise"
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    HOSPITAL = "hospital"
    GOVERNMENT = "government"
    INVESTOR = "investor"
    INDUSTRIAL_PARK = "industrial_park"


class Layer(StrEnum):
    """Consortium layer (seed 003): lead unit, close-cooperation, general-cooperation."""

    LEAD = "lead"
    CLOSE = "close"
    GENERAL = "general"


class ContributionKind(StrEnum):
    """What a member brings."""

    CASH = "cash"
    BACKGROUND_IP = "background_ip"
    STAFF = "staff"
    EQUIPMENT = "equipment"
    FACILITY = "facility"
    DATA = "data"
    APPLICATION_SCENARIO = "application_scenario"
    MARKET_ACCESS = "market_access"


class Ownership(StrEnum):
    """Who owns a result (foreground IP)."""

    GENERATING_PARTY = "generating_party"
    JOINT = "joint"
    LEAD = "lead"
    PRO_RATA = "pro_rata"
    BY_TIER = "by_tier"


class SharingMethod(StrEnum):
    """How distributed income is divided."""

    FIXED = "fixed"
    PROPORTIONAL = "proportional"
    EQUAL = "equal"
    SHAPLEY = "shapley"
    BANZHAF = "banzhaf"
    NUCLEOLUS = "nucleolus"
    OWEN = "owen"
    TIERED = "tiered"
    FEE_BASED = "fee_based"
    BLEND = "blend"


class Name(StrictModel):
    """A name in English and, where known, Chinese."""

    en: str = Field(min_length=1)
    zh: str | None = None


def _name_shortcut(value: object) -> object:
    """``name: Foo`` is ``name: {en: Foo}``."""
    return {"en": value} if isinstance(value, str) else value


#: A name, or its English text alone (the documented shortcut ``name: Foo``).
NameText = Annotated[Name, BeforeValidator(_name_shortcut, json_schema_input_type=Name | str)]


class Source(StrictModel):
    """Where figures come from."""

    id: Id
    title: str
    url: str | None = None
    date: str | None = None
    note: str | None = None


class Member(StrictModel):
    """A party to the agreement."""

    id: Id
    name: NameText
    kind: MemberKind
    layer: Layer = Layer.GENERAL
    region: str | None = Field(None, description="Province/city, e.g. Shanghai, Jiangsu.")
    country: str | None = Field(None, description="ISO 3166 alpha-2 code, e.g. CN, DE.")
    registered_in: str | None = Field(None, description="City of registration.")
    independent: StrictBool = Field(True, description="Legally independent of the other members.")
    revenue: Money | None = Field(None, description="Annual revenue in the field.")
    employees: Count | None = None
    outside_option: SignedMoney = Field(0.0, description="What the member earns if it walks away.")
    risk_tolerance: Annotated[StrictFloat, Field(gt=0, le=MAX_TOLERANCE)] | None = Field(
        None, description="rho in u(y) = -rho exp(-y / rho), same currency as values."
    )
    tier: str | None = Field(None, description="Explicit membership class, if assigned.")


class Contribution(StrictModel):
    """Something a member brings: cash, background IP, staff, equipment, data, ..."""

    id: Id
    member: Id
    kind: ContributionKind
    valuation: Money = Field(description="Agreed value of the contribution.")
    substitute_price: Money | None = Field(
        None, description="Market price at which a coalition lacking it can buy it."
    )
    cost: Money = Field(0.0, description="Cost to the contributor of providing it.")
    description: str | None = None


class Needs(StrictModel):
    """Requirements: every id in ``all_of`` and at least one id of each ``any_of`` group.

    Ids name contributions or results.
    """

    all_of: list[Id] = Field(default_factory=list)
    any_of: list[Annotated[list[Id], Field(min_length=1)]] = Field(default_factory=list)


def _needs_shortcut(value: object) -> object:
    """``needs: [a, b]`` is ``needs: {all_of: [a, b]}``."""
    return {"all_of": value} if isinstance(value, list) else value


#: Needs, or a list of ids all needed (the documented shortcut ``needs: [a, b]``).
NeedsList = Annotated[Needs, BeforeValidator(_needs_shortcut,
                                             json_schema_input_type=Needs | list[Id])]


class Task(StrictModel):
    """A work package: needs contributions/results, produces results."""

    id: Id
    name: NameText | None = None
    lead: Id | None = None
    members: list[Id] = Field(default_factory=list)
    needs: NeedsList = Field(default_factory=Needs)
    produces: list[Id] = Field(min_length=1)
    cost: Money = Field(0.0, description="Stage budget (R&D spend).")
    success_probability: Probability = 1.0
    duration_months: Annotated[StrictInt, Field(ge=0, le=1200)] | None = None
    milestone: str | None = Field(None, description="Milestone evaluated at the end of it.")


class AccessTerms(StrEnum):
    """Terms of access to results or background."""

    ROYALTY_FREE = "royalty_free"
    FAIR_AND_REASONABLE = "fair_and_reasonable"
    ROYALTY = "royalty"
    NONE = "none"


class Access(StrictModel):
    """Access rights to a result: for project tasks and for exploitation."""

    project: AccessTerms = AccessTerms.ROYALTY_FREE
    exploitation: AccessTerms = AccessTerms.FAIR_AND_REASONABLE
    royalty_rate: Annotated[StrictFloat, Field(ge=0, le=1)] | None = None
    request_window_months: Annotated[StrictInt, Field(ge=0, le=1200)] | None = 12


class Result(StrictModel):
    """Foreground IP produced by tasks."""

    id: Id
    name: NameText | None = None
    ownership: Ownership = Ownership.GENERATING_PARTY
    owners: list[Id] = Field(default_factory=list, description="Members, where explicit.")
    access: Access = Field(default_factory=Access)


class Revenue(StrictModel):
    """Revenue of a product per year: a distribution with its parameters.

    ``expected`` is the mean annual revenue. ``distribution`` (default ``fixed``) with
    ``sd`` (lognormal), ``low``/``mode``/``high`` (triangular) or ``values`` (empirical)
    is used by the risk simulation.
    """

    expected: Money
    distribution: Literal["fixed", "lognormal", "triangular", "empirical"] = "fixed"
    sd: Money | None = None
    low: Money | None = None
    mode: Money | None = None
    high: Money | None = None
    values: Annotated[list[Money], Field(max_length=100_000)] | None = None


def _revenue_shortcut(value: object) -> object:
    """``revenue: 6e7`` is ``revenue: {expected: 6e7}`` (a fixed annual revenue)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"expected": value}
    return value


#: Revenue, or the expected annual revenue alone (the shortcut ``revenue: 6e7``).
RevenueAmount = Annotated[Revenue, BeforeValidator(_revenue_shortcut,
                                                   json_schema_input_type=Revenue | Money)]


class Product(StrictModel):
    """A revenue stream that needs results and/or contributions."""

    id: Id
    name: NameText | None = None
    needs: NeedsList
    revenue: RevenueAmount
    success_probability: Probability = 1.0
    years: Annotated[StrictInt, Field(ge=1, le=50)] = 1
    discount_rate: Annotated[StrictFloat, Field(ge=0, le=1)] = 0.0
    operating_margin: Annotated[StrictFloat, Field(ge=0, le=1)] = 1.0


class Governance(StrictModel):
    """Decision-making: the governing body's weighted voting rule."""

    body: str = "council"
    votes: dict[Id, Count] | None = Field(
        None, description="Votes per member; default one member one vote."
    )
    quota: Annotated[StrictFloat, Field(gt=0, le=1)] = Field(
        0.5, description="Share of all votes needed to pass (strictly more than half: 0.5)."
    )


class Sharing(StrictModel):
    """The agreed (or proposed) sharing rules."""

    method: SharingMethod | None = None
    fixed_shares: dict[Id, Annotated[StrictFloat, Field(ge=0, le=100)]] | None = Field(
        None, description="Percent per member; must sum to 100."
    )
    blend: dict[SharingMethod, Annotated[StrictFloat, Field(ge=0, le=1)]] | None = None
    cost_recovery_first: StrictBool = False
    inventor_reward: Literal["statutory", "agreed", "none"] | StrictFloat = "statutory"
    reserve_fund: Annotated[StrictFloat, Field(ge=0, le=1)] = 0.0
    tiers: TiersSpec | None = None
    fees: FeeSpec | None = None
    waterfall: WaterfallSpec | None = None


class DefaultClause(StrictModel):
    """What happens when a party defaults or withdraws."""

    notice_days: Annotated[StrictInt, Field(ge=0, le=36_500)] = 30
    remedy_days: Annotated[StrictInt, Field(ge=0, le=36_500)] = 30
    withdrawal_notice_months: Annotated[StrictInt, Field(ge=0, le=1200)] = 3
    forfeit_share: Annotated[StrictFloat, Field(ge=0, le=1)] = Field(
        0.0, description="Share of the defaulter's future income forfeited to the others."
    )
    default_probability: Annotated[StrictFloat, Field(ge=0, le=1)] = 0.0


class Agreement(StrictModel):
    """A consortium formation agreement as validated data.

    Load one with :func:`agreements.load`; build one in code from a mapping with
    :meth:`agreements.Agreement.from_mapping` (which runs the same checks). The public
    :class:`agreements.Agreement` adds the derived views (game, graph, shares, check).
    """

    format: Literal[1] = 1
    id: Id
    name: NameText
    date: str | None = None
    term_years: Annotated[StrictFloat, Field(gt=0, le=100)] | None = None
    region: str | None = None
    currency: str = "CNY"
    illustrative: StrictBool = Field(
        False, description="True when figures are not from the sources (illustrative)."
    )
    description: str | None = None
    sources: list[Source] = Field(default_factory=list, max_length=MAX_ITEMS)
    members: list[Member] = Field(min_length=1, max_length=MAX_ITEMS)
    contributions: list[Contribution] = Field(default_factory=list, max_length=MAX_ITEMS)
    tasks: list[Task] = Field(default_factory=list, max_length=MAX_ITEMS)
    results: list[Result] = Field(default_factory=list, max_length=MAX_ITEMS)
    products: list[Product] = Field(default_factory=list, max_length=MAX_ITEMS)
    sharing: Sharing = Field(default_factory=Sharing)
    governance: Governance = Field(default_factory=Governance)
    default: DefaultClause = Field(default_factory=DefaultClause)

    # ------------------------------------------------------------------ lookups
    @property
    def member_ids(self) -> list[str]:
        """Member ids in file order (the player order of every game)."""
        return [m.id for m in self.members]

    def member(self, member_id: str) -> Member:
        """The member with this id."""
        for m in self.members:
            if m.id == member_id:
                return m
        raise KeyError(member_id)
