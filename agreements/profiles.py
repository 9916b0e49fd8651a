"""Formation-rule profiles: consortium formation rules as data, checked against an agreement.

A profile is a YAML file (``agreements/profiles/<name>.yaml``, or any path) listing
rules in a small declarative vocabulary, each with an id, its text in English and
Chinese, and the source it comes from::

    - {id: universities, rule: min_members, where: {kind: [university, research_institute]},
       min: 2, text: {en: ..., zh: ...}, source: qingdao2025}

Vocabulary (``where`` filters members on ``kind``, ``layer``, ``region``, ``country``,
``registered_in``, ``independent`` and ``tier``; a list means "any of"; strings compare
case-insensitively):

============================  =============================================================
``min_members``               at least ``min`` members match ``where``
``max_members``               at most ``max`` members match ``where``
``exists``                    some member matches ``where``
``all_members``               every member matches ``where``
``min_distinct``              members matching ``where`` take >= ``min`` distinct values of
                              ``field`` (counting only values in ``among``, if given)
``single_lead``               exactly one lead unit, and it matches ``where``
``lead_registered_in``        the lead unit is registered in ``value``
``max_term_years``            the agreement's term is stated and at most ``max`` years
``every_member_has_task``     each member leads or joins a task (or brings a contribution)
``every_result_has_owner``    each result has an owner (explicit, or by its ownership rule)
``sharing_rule_present``      a revenue-sharing method is agreed, with its parameters
``ip_rules_present``          every result states its ownership rule explicitly
``every_task_has_milestone``  every task states a milestone and a duration
``field_present``             a top-level section (``term_years``, ``default``, ...) is set
============================  =============================================================

The lead unit is the member in layer ``lead``; if no member is, the members of kind
``lead_enterprise``.

Examples
--------
>>> from agreements.profiles import available_profiles, load_profile
>>> available_profiles()
['baoshan', 'eu_eit_kic', 'generic_formation', 'qingdao', 'yrd_joint_research']
>>> load_profile("qingdao").rules[0].id
'lead_unit'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sharing_models.exceptions import InvalidInputError

from .errors import AgreementError, Problem
from .model import Agreement, Layer, MemberKind, Name, SharingMethod, Source
from .validation import format_path, suggest

__all__ = [
    "Profile",
    "ProfileError",
    "available_profiles",
    "check",
    "load_profile",
    "profile_from_mapping",
]

MemberField = Literal["kind", "layer", "region", "country", "registered_in", "independent", "tier"]
Scalar = str | bool
Where = dict[MemberField, Scalar | list[Scalar]]
AgreementField = Literal[
    "term_years", "date", "region", "sources", "sharing", "governance", "default", "products"
]
_COLUMNS = ["rule", "passed", "detail", "level", "source", "text"]
Parts = tuple[str | int, ...]


class ProfileError(AgreementError):
    """A profile is missing or malformed; ``problems`` lists every problem found.

    Each problem names its field path (``rules[2].min``) and, for YAML files, its line.
    """

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        name = source or "<mapping>"
        if len(self.problems) == 1 and not self.problems[0].path:
            super().__init__(f"profile {name}: {self.problems[0].message}")
            return
        count = f"{len(self.problems)} problem" + ("s" if len(self.problems) != 1 else "")
        items = "\n".join(f"  - {_where(p)}{p.message}" for p in self.problems)
        super().__init__(f"profile {name} is invalid ({count}):\n{items}")


def _where(problem: Problem) -> str:
    line = f"line {problem.line}: " if problem.line is not None else ""
    return f"{line}{problem.path}: " if problem.path else line


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


# ---------------------------------------------------------------------------- loading
def _profile_dir() -> Any:
    return resources.files("agreements").joinpath("profiles")


@functools.cache
def _available() -> tuple[str, ...]:
    names = (p.name for p in _profile_dir().iterdir() if p.name.endswith(".yaml"))
    return tuple(sorted(name.removesuffix(".yaml") for name in names))


def available_profiles() -> list[str]:
    """Names of the profiles bundled with the package, sorted.

    Returns
    -------
    list of str
        Names accepted by :func:`load_profile` and ``consortium check --profile``.
    """
    return list(_available())


def _cross_problems(profile: Profile) -> list[Problem]:
    problems = []
    ids = [r.id for r in profile.rules]
    known_sources = {s.id for s in profile.sources}
    for i, rule in enumerate(profile.rules):
        if ids.index(rule.id) != i:
            first = ids.index(rule.id)
            problems.append(
                Problem(f"rules[{i}].id", f"duplicate rule id {rule.id!r} (first: rules[{first}])")
            )
        if rule.source is not None and rule.source not in known_sources:
            problems.append(
                Problem(
                    f"rules[{i}].source",
                    f"unknown source {rule.source!r}; expected one of {sorted(known_sources)}",
                )
            )
    return problems


def profile_from_mapping(
    data: Any, *, source: str = "<mapping>", lines: Mapping[Parts, int] | None = None
) -> Profile:
    """Validate a parsed profile mapping, reporting every problem at once.

    Parameters
    ----------
    data : mapping
        The profile as parsed from YAML.
    source : str
        Name used in messages (file name or bundled profile name).
    lines : mapping, optional
        Line of each field path, as built by :func:`load_profile` for YAML files.

    Raises
    ------
    ProfileError
        If the mapping is not a valid profile.
    """
    lines = lines or {}
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        raise ProfileError([Problem("", f"expected a mapping at top level, got {kind}")], source)
    try:
        profile = Profile.model_validate(dict(data))
    except ValidationError as exc:
        found = [_pydantic_problem(err, data) for err in exc.errors()]
        raise ProfileError(_located(found, lines, source), source) from None
    problems = _located(_cross_problems(profile), lines, source)
    if problems:
        raise ProfileError(problems, source)
    return profile


#: Rule name -> rule model, from the discriminated union.
_RULES: dict[str, type[BaseModel]] = {
    get_args(cls.model_fields["rule"].annotation)[0]: cls for cls in get_args(get_args(Rule)[0])
}


def _data_parts(loc: tuple[Any, ...], data: Any) -> Parts:
    """Field path of a pydantic error in the data: drops discriminator tags of ``loc``."""
    parts: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif not last or str(part) in _RULES:
            continue  # a discriminator tag, not a key of the data
        parts.append(part)
    return tuple(parts)


def _pydantic_problem(err: Any, data: Any) -> Problem:
    parts = _data_parts(err["loc"], data)
    message = err["msg"]
    if err["type"] == "union_tag_invalid":
        tag = err["ctx"]["tag"]
        hint = suggest(tag, sorted(_RULES)) or f"; expected one of {', '.join(sorted(_RULES))}"
        message = f"unknown rule {tag!r}{hint}"
    elif err["type"] == "union_tag_not_found":
        message = f"missing 'rule'; expected one of {', '.join(sorted(_RULES))}"
    elif err["type"] == "value_error":
        message = str(err["ctx"]["error"])
    elif err["type"] == "extra_forbidden":
        valid = _valid_keys(parts, data)
        message = f"unknown key {parts[-1]!r}{suggest(parts[-1], valid)}"
        message += f" (valid keys: {', '.join(valid)})" if valid else ""
    return Problem(format_path(parts), message)


def _valid_keys(parts: Parts, data: Any) -> list[str]:
    if len(parts) == 1:
        return sorted(Profile.model_fields)
    if len(parts) == 3 and parts[0] == "rules":
        tag = data["rules"][parts[1]].get("rule")
        if tag in _RULES:
            return sorted(_RULES[tag].model_fields)
    return []


def _located(problems: list[Problem], lines: Mapping[Parts, int], source: str) -> list[Problem]:
    out = []
    for p in problems:
        parts = _parts_of(p.path)
        line = next(
            (lines[parts[:k]] for k in range(len(parts), 0, -1) if parts[:k] in lines), None
        )
        out.append(Problem(p.path, p.message, line=line, file=source))
    return out


def _parts_of(path: str) -> Parts:
    return tuple(int(x) if x.isdigit() else x for x in re.findall(r"[^.\[\]]+", path))


def _yaml_lines(node: yaml.Node, parts: Parts, out: dict[Parts, int]) -> dict[Parts, int]:
    """Line (1-based) of every field path in a composed YAML document."""
    out.setdefault(parts, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*parts, key.value)] = key.start_mark.line + 1
            _yaml_lines(value, (*parts, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _yaml_lines(item, (*parts, i), out)
    return out


def load_profile(name_or_path: str | Path | Profile | Mapping[str, Any]) -> Profile:
    """Load a formation-rule profile by bundled name, from a YAML file, or from a mapping.

    Parameters
    ----------
    name_or_path : str, pathlib.Path, Profile or mapping
        A bundled name (see :func:`available_profiles`), a path to a YAML file, an
        already loaded :class:`Profile` (returned as is) or a parsed mapping.

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        If no such profile exists, the YAML does not parse (only safe YAML is read), or
        the profile is malformed (unknown rule or key, missing text, bad filter value,
        duplicate rule id, unknown source); every problem is listed with its field path
        and line.
    InvalidInputError
        If ``name_or_path`` has another type.
    """
    if isinstance(name_or_path, Profile):
        return name_or_path
    if isinstance(name_or_path, Mapping):
        return profile_from_mapping(name_or_path)
    if not isinstance(name_or_path, str | Path):
        raise InvalidInputError(
            f"profile must be a name, a path or a mapping, got {type(name_or_path).__name__}"
        )
    path = Path(name_or_path)
    is_path = isinstance(name_or_path, Path) or path.suffix in {".yaml", ".yml"}
    if not is_path and name_or_path in available_profiles():
        return _bundled_profile(str(name_or_path))
    if path.is_file():
        return _parse_profile(path.read_text(encoding="utf-8"), str(path))
    message = (
        f"no profile named {str(name_or_path)!r} and no such file; "
        f"bundled profiles: {', '.join(available_profiles())}"
    )
    raise ProfileError([Problem("", message)], str(name_or_path))


@functools.cache
def _bundled_profile(name: str) -> Profile:
    """A bundled profile, parsed once (profiles are immutable)."""
    text = _profile_dir().joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return _parse_profile(text, name)


def _parse_profile(text: str, label: str) -> Profile:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError([Problem("", f"not valid YAML: {exc}")], label) from None
    lines = _yaml_lines(node, (), {}) if node is not None else {}
    return profile_from_mapping(data, source=label, lines=lines)


# ---------------------------------------------------------------------------- checking
def _members_frame(agreement: Agreement) -> pd.DataFrame:
    fields = ["kind", "layer", "region", "country", "registered_in", "independent", "tier"]
    rows = [[getattr(m, f) for f in fields] for m in agreement.members]
    return pd.DataFrame(rows, columns=fields, index=pd.Index(agreement.member_ids, name="member"))


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _mask(frame: pd.DataFrame, where: Where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for key, values in where.items():
        wanted = [_fold(v) for v in (values if isinstance(values, list) else [values])]
        mask &= frame[key].map(_fold).isin(wanted)
    return mask


def _describe(where: Where) -> str:
    if not where:
        return "members"
    parts = [
        f"{k} in [{', '.join(map(str, v))}]" if isinstance(v, list) else f"{k} = {v}"
        for k, v in where.items()
    ]
    return "members with " + " and ".join(parts)


def _names(ids: Any, limit: int = 8) -> str:
    ids = list(ids)
    shown = ", ".join(ids[:limit]) + (f", ... ({len(ids)} in all)" if len(ids) > limit else "")
    return shown or "none"


def _lead_ids(agreement: Agreement) -> list[str]:
    leads = [m.id for m in agreement.members if m.layer == Layer.LEAD]
    if not leads:
        leads = [m.id for m in agreement.members if m.kind == MemberKind.LEAD_ENTERPRISE]
    return leads


def _result_owners(agreement: Agreement) -> dict[str, list[str]]:
    """Owners of each result: explicit ``owners``, else by its ownership rule."""
    makers: dict[str, dict[str, None]] = {}  # result -> generating members, in order
    for task in agreement.tasks:
        people = ([task.lead] if task.lead else []) + list(task.members)
        for rid in task.produces:
            makers.setdefault(rid, {}).update(dict.fromkeys(people))
    tiered = [m.id for m in agreement.members if m.tier] if agreement.sharing.tiers else []
    owners = {}
    for r in agreement.results:
        if r.owners:
            owners[r.id] = list(r.owners)
        elif r.ownership == "lead":
            owners[r.id] = _lead_ids(agreement)
        elif r.ownership == "by_tier":
            owners[r.id] = tiered
        else:
            owners[r.id] = list(makers.get(r.id, {}))
    return owners


Outcome = tuple[bool, str]


def _min_members(a: Agreement, f: pd.DataFrame, r: MinMembers) -> Outcome:
    hits = f.index[_mask(f, r.where)]
    detail = f"{len(hits)} {_describe(r.where)} ({_names(hits)}); at least {r.min} required"
    return len(hits) >= r.min, detail


def _max_members(a: Agreement, f: pd.DataFrame, r: MaxMembers) -> Outcome:
    hits = f.index[_mask(f, r.where)]
    detail = f"{len(hits)} {_describe(r.where)} ({_names(hits)}); at most {r.max} allowed"
    return len(hits) <= r.max, detail


def _exists(a: Agreement, f: pd.DataFrame, r: Exists) -> Outcome:
    hits = f.index[_mask(f, r.where)]
    if len(hits):
        return True, f"{_describe(r.where)}: {_names(hits)}"
    return False, f"no {_describe(r.where)}"


def _all_members(a: Agreement, f: pd.DataFrame, r: AllMembers) -> Outcome:
    misses = f.index[~_mask(f, r.where)]
    if len(misses):
        return False, f"not {_describe(r.where)}: {_names(misses)}"
    return True, f"all {len(f)} are {_describe(r.where)}"


def _min_distinct(a: Agreement, f: pd.DataFrame, r: MinDistinct) -> Outcome:
    values = f.loc[_mask(f, r.where), r.field].dropna()
    if r.among is not None:
        values = values[values.map(_fold).isin([v.casefold() for v in r.among])]
    distinct = sorted({_fold(str(v)): str(v) for v in values}.values())
    scope = ""
    if r.among is not None:
        listed = ", ".join(r.among) if len(r.among) <= 6 else f"{len(r.among)} listed values"
        scope = f" among [{listed}]"
    detail = (
        f"{len(distinct)} distinct {r.field} values{scope} ({', '.join(distinct) or 'none'}) "
        f"of {_describe(r.where)}; at least {r.min} required"
    )
    return len(distinct) >= r.min, detail


def _single_lead(a: Agreement, f: pd.DataFrame, r: SingleLead) -> Outcome:
    leads = _lead_ids(a)
    if len(leads) != 1:
        return False, f"{len(leads)} lead units ({_names(leads)}); exactly one required"
    if not bool(_mask(f.loc[leads], r.where).iloc[0]):
        return False, f"lead unit {leads[0]} is not one of the {_describe(r.where)}"
    return True, f"lead unit: {leads[0]}"


def _lead_registered_in(a: Agreement, f: pd.DataFrame, r: LeadRegisteredIn) -> Outcome:
    leads = _lead_ids(a)
    if not leads:
        return False, "no lead unit (no member in layer 'lead' or of kind 'lead_enterprise')"
    places = {m: a.member(m).registered_in for m in leads}
    wrong = [
        f"{m} ({p or 'not stated'})"
        for m, p in places.items()
        if (p or "").casefold() != r.value.casefold()
    ]
    if wrong:
        return False, f"lead unit not registered in {r.value}: {', '.join(wrong)}"
    return True, f"lead unit {_names(leads)} registered in {r.value}"


def _max_term_years(a: Agreement, f: pd.DataFrame, r: MaxTermYears) -> Outcome:
    if a.term_years is None:
        return False, f"term_years not stated; at most {r.max:g} years required"
    return a.term_years <= r.max, f"term {a.term_years:g} years; at most {r.max:g} allowed"


def _every_member_has_task(a: Agreement, f: pd.DataFrame, r: EveryMemberHasTask) -> Outcome:
    busy = {t.lead for t in a.tasks} | {m for t in a.tasks for m in t.members}
    if r.count_contributions:
        busy |= {c.member for c in a.contributions}
    idle = [m for m in a.member_ids if m not in busy]
    what = "task or contribution" if r.count_contributions else "task"
    if idle:
        return False, f"members without a {what}: {_names(idle)}"
    return True, f"all {len(a.members)} members have a {what}"


def _every_result_has_owner(a: Agreement, f: pd.DataFrame, r: EveryResultHasOwner) -> Outcome:
    if not a.results:
        return False, "the agreement defines no results"
    orphans = [rid for rid, owners in _result_owners(a).items() if not owners]
    if orphans:
        return False, f"results without an owner: {_names(orphans)}"
    return True, f"all {len(a.results)} results have an owner"


_METHOD_PARAMS = {
    SharingMethod.FIXED: "fixed_shares",
    SharingMethod.BLEND: "blend",
    SharingMethod.TIERED: "tiers",
    SharingMethod.FEE_BASED: "fees",
}


def _sharing_rule_present(a: Agreement, f: pd.DataFrame, r: SharingRulePresent) -> Outcome:
    method = a.sharing.method
    if method is None:
        return False, "no revenue-sharing method (sharing.method) stated"
    param = _METHOD_PARAMS.get(method)
    if param is not None and not getattr(a.sharing, param):
        return False, f"sharing.method is {method.value} but sharing.{param} is missing"
    return True, f"revenue shared by {method.value}"


def _ip_rules_present(a: Agreement, f: pd.DataFrame, r: IpRulesPresent) -> Outcome:
    if not a.results:
        return False, "the agreement defines no results, so no IP rules"
    implicit = [x.id for x in a.results if not {"ownership", "owners"} & x.model_fields_set]
    if implicit:
        return False, f"results without a stated ownership rule: {_names(implicit)}"
    return True, f"ownership stated for all {len(a.results)} results"


def _every_task_has_milestone(a: Agreement, f: pd.DataFrame, r: EveryTaskHasMilestone) -> Outcome:
    if not a.tasks:
        return False, "the agreement defines no tasks"
    missing = [t.id for t in a.tasks if not t.milestone or t.duration_months is None]
    if missing:
        return False, f"tasks without a milestone and duration: {_names(missing)}"
    return True, f"all {len(a.tasks)} tasks have a milestone and duration"


def _field_present(a: Agreement, f: pd.DataFrame, r: FieldPresent) -> Outcome:
    value = getattr(a, r.field)
    if r.field not in a.model_fields_set or value is None or value == []:
        return False, f"{r.field} not stated"
    return True, f"{r.field} stated"


_CHECKS: dict[str, Callable[[Agreement, pd.DataFrame, Any], Outcome]] = {
    "min_members": _min_members,
    "max_members": _max_members,
    "exists": _exists,
    "all_members": _all_members,
    "min_distinct": _min_distinct,
    "single_lead": _single_lead,
    "lead_registered_in": _lead_registered_in,
    "max_term_years": _max_term_years,
    "every_member_has_task": _every_member_has_task,
    "every_result_has_owner": _every_result_has_owner,
    "sharing_rule_present": _sharing_rule_present,
    "ip_rules_present": _ip_rules_present,
    "every_task_has_milestone": _every_task_has_milestone,
    "field_present": _field_present,
}


def check(
    agreement: Agreement,
    profile: str | Path | Profile | Mapping[str, Any],
    *,
    lang: Literal["en", "zh"] = "en",
) -> pd.DataFrame:
    """Check an agreement against a formation-rule profile.

    Parameters
    ----------
    agreement : Agreement
        The consortium agreement.
    profile : str, pathlib.Path, Profile or mapping
        A bundled profile name, a YAML path, a :class:`Profile` or a parsed mapping.
    lang : {"en", "zh"}
        Language of the ``text`` column (falls back to English where no Chinese text).

    Returns
    -------
    pandas.DataFrame
        One row per rule, in profile order, with columns ``rule`` (id), ``passed``
        (bool), ``detail`` (what was found), ``level`` (required or recommended),
        ``source`` (title and date) and ``text`` (the rule as stated);
        ``attrs`` holds the ``profile`` id, its ``profile_name`` and the ``agreement`` id.

    Raises
    ------
    InvalidInputError
        If ``agreement`` is not an :class:`~agreements.model.Agreement` or ``lang`` is
        neither ``"en"`` nor ``"zh"``.
    ProfileError
        If the profile cannot be found or is malformed.

    Examples
    --------
    >>> from agreements.model import Agreement
    >>> a = Agreement.model_validate({"id": "x", "name": {"en": "X"}, "members": [
    ...     {"id": "u", "name": {"en": "U"}, "kind": "university", "region": "Shanghai"},
    ...     {"id": "e", "name": {"en": "E"}, "kind": "enterprise", "region": "Anhui"}]})
    >>> check(a, "yrd_joint_research")[["rule", "passed"]]
                   rule  passed
    0  two_of_four_regions    True
    1    all_units_in_yrd    True
    2       term_2_3_years   False

    Notes
    -----
    A counting rule with filter :math:`w` and bound :math:`k` passes when

    .. math::

        |\\{i \\in N : w(i)\\}| \\ge k \\quad (\\texttt{min\\_members}), \\qquad
        |\\{f(i) : i \\in N,\\ w(i),\\ f(i) \\in A\\}| \\ge k \\quad (\\texttt{min\\_distinct})

    for member field :math:`f` and allowed values :math:`A`. Each rule costs time linear
    in the numbers of members, contributions, tasks and results; member filters are
    vectorised with pandas.

    References
    ----------
    The bundled profiles encode [Baoshan2023]_, [Qingdao2025]_, [EIT2021]_, [YRD2022]_
    and, for the generic checklist, [DESCA2021]_.
    """
    if not isinstance(agreement, Agreement):
        raise InvalidInputError(
            f"check() needs an Agreement (see agreements.load), got {type(agreement).__name__}"
        )
    if lang not in ("en", "zh"):
        raise InvalidInputError(f"lang must be 'en' or 'zh', got {lang!r}")
    prof = load_profile(profile)
    frame = _members_frame(agreement)
    rows = []
    for rule in prof.rules:
        passed, detail = _CHECKS[rule.rule](agreement, frame, rule)
        text = (rule.text.zh or rule.text.en) if lang == "zh" else rule.text.en
        source = prof.source_label(rule.source)
        rows.append([rule.id, bool(passed), detail, rule.level, source, text])
    findings = pd.DataFrame(rows, columns=_COLUMNS)
    findings.attrs.update(profile=prof.id, profile_name=prof.name.en, agreement=agreement.id)
    return findings
