"""Checking an agreement against a formation-rule profile: :func:`check` and one evaluator
per rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sharing_models.exceptions import InvalidInputError

from ..scenario.model import Agreement, Layer, MemberKind, SharingMethod
from .loading import load_profile
from .rules import (
    AllMembers,
    EveryMemberHasTask,
    EveryResultHasOwner,
    EveryTaskHasMilestone,
    Exists,
    FieldPresent,
    IpRulesPresent,
    LeadRegisteredIn,
    MaxMembers,
    MaxTermYears,
    MinDistinct,
    MinMembers,
    Profile,
    SharingRulePresent,
    SingleLead,
    Where,
)

_COLUMNS = ["rule", "passed", "detail", "level", "source", "text"]


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
        If ``agreement`` is not an :class:`~agreements.scenario.model.Agreement` or ``lang`` is
        neither ``"en"`` nor ``"zh"``.
    ProfileError
        If the profile cannot be found or is malformed.

    Examples
    --------
    >>> from agreements.scenario.model import Agreement
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
