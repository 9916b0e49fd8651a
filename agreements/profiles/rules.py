"""Rule models of formation-rule profiles: one pydantic model per rule, and :class:`Profile`.

Each rule of the vocabulary (see :mod:`agreements.profiles`) is a frozen model with a
``rule`` tag; :data:`Rule` is their discriminated union.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..scenario.model import Layer, MemberKind, Name, Source

MemberField = Literal["kind", "layer", "region", "country", "registered_in", "independent", "tier"]
Scalar = str | bool
Where = dict[MemberField, Scalar | list[Scalar]]
AgreementField = Literal[
    "term_years", "date", "region", "sources", "sharing", "governance", "default", "products"
]


class _Rule(BaseModel):
    """Fields every rule has: id, text (en/zh), source id and level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")]
    text: Name
    source: str | None = None
    level: Literal["required", "recommended"] = "required"


class _WhereRule(_Rule):
    """A rule over the members selected by ``where``."""

    where: Where = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_values(self) -> _WhereRule:
        allowed = {"kind": {k.value for k in MemberKind}, "layer": {v.value for v in Layer}}
        for key, values in self.where.items():
            for value in values if isinstance(values, list) else [values]:
                if (key == "independent") != isinstance(value, bool):
                    want = "true or false" if key == "independent" else "a string"
                    raise ValueError(f"where.{key}: expected {want}, got {value!r}")
                if key in allowed and value not in allowed[key]:
                    raise ValueError(
                        f"where.{key}: unknown value {value!r}; expected one of "
                        f"{sorted(allowed[key])}"
                    )
        return self


class MinMembers(_WhereRule):
    """At least ``min`` members match ``where``."""

    rule: Literal["min_members"]
    min: Annotated[int, Field(ge=0)]


class MaxMembers(_WhereRule):
    """At most ``max`` members match ``where``."""

    rule: Literal["max_members"]
    max: Annotated[int, Field(ge=0)]


class Exists(_WhereRule):
    """Some member matches ``where``."""

    rule: Literal["exists"]


class AllMembers(_WhereRule):
    """Every member matches ``where``."""

    rule: Literal["all_members"]


class MinDistinct(_WhereRule):
    """Members matching ``where`` take at least ``min`` distinct values of ``field``."""

    rule: Literal["min_distinct"]
    field: MemberField
    min: Annotated[int, Field(ge=0)]
    among: list[str] | None = None


class SingleLead(_WhereRule):
    """Exactly one lead unit, and it matches ``where``."""

    rule: Literal["single_lead"]


class LeadRegisteredIn(_Rule):
    """The lead unit is registered in ``value`` (case-insensitive)."""

    rule: Literal["lead_registered_in"]
    value: Annotated[str, Field(min_length=1)]


class MaxTermYears(_Rule):
    """The agreement states its term, of at most ``max`` years."""

    rule: Literal["max_term_years"]
    max: Annotated[float, Field(gt=0)]


class EveryMemberHasTask(_Rule):
    """Each member leads or joins a task (or, if counted, brings a contribution)."""

    rule: Literal["every_member_has_task"]
    count_contributions: bool = True


class EveryResultHasOwner(_Rule):
    """Each result has an owner: listed, or given by its ownership rule."""

    rule: Literal["every_result_has_owner"]


class SharingRulePresent(_Rule):
    """A revenue-sharing method is agreed, with the parameters it needs."""

    rule: Literal["sharing_rule_present"]


class IpRulesPresent(_Rule):
    """Every result states its ownership rule."""

    rule: Literal["ip_rules_present"]


class EveryTaskHasMilestone(_Rule):
    """Every task states a milestone and a duration."""

    rule: Literal["every_task_has_milestone"]


class FieldPresent(_Rule):
    """A top-level section of the agreement is stated explicitly."""

    rule: Literal["field_present"]
    field: AgreementField


Rule = Annotated[
    MinMembers
    | MaxMembers
    | Exists
    | AllMembers
    | MinDistinct
    | SingleLead
    | LeadRegisteredIn
    | MaxTermYears
    | EveryMemberHasTask
    | EveryResultHasOwner
    | SharingRulePresent
    | IpRulesPresent
    | EveryTaskHasMilestone
    | FieldPresent,
    Field(discriminator="rule"),
]


class Profile(BaseModel):
    """A formation-rule profile: named rules with their sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1] = 1
    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")]
    name: Name
    description: str | None = None
    sources: list[Source] = Field(default_factory=list)
    rules: list[Rule] = Field(min_length=1)

    def source_label(self, source_id: str | None) -> str | None:
        """``title (date)`` of the source with this id."""
        for s in self.sources:
            if s.id == source_id:
                return f"{s.title} ({s.date})" if s.date else s.title
        return None
