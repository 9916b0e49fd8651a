"""What the clause builders share: the context of one table and row helpers.

Each section builder (:mod:`~agreements.clauses.sections`,
:mod:`~agreements.clauses.sections_money`, :mod:`~agreements.clauses.sections_revenue`)
returns the rows of one section as dicts keyed by :data:`FIELDS`, in the order of a model
consortium agreement [DESCA2021]_. Rows depend only on the agreement, never on the
language, so the English and Chinese tables have the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..scenario.model import Agreement, Ownership
from ..sharing.display import largest_remainder
from .allocation import Shares
from .wording import member_name, percent, term

__all__ = ["FIELDS", "Context", "item_name", "named", "owners_of", "plan_months", "row", "sep",
           "share_figures"]

#: Keys of a clause row, in column order.
FIELDS = ("section", "heading", "rule", "parties", "figures", "formula", "fallback", "source")


@dataclass(frozen=True)
class Context:
    """What every section builder needs: the agreement, language, shares, fee rows."""

    agreement: Agreement
    lang: str
    juris: str
    shares: Shares
    decimals: int = 2
    fees: Any = None  # FeeInfo from .fees, or None
    share_formulas: Any = None  # DataFrame from .sensitivity.share_formulas, or None
    contingent: Any = None  # ContingentContract from agreements.negotiation, or None


def row(ctx: Context, section: str, heading: str, rule: str, parties: str, source: str,
        figures: str = "", formula: str = "", fb: str | None = None,
        latex: str = "", key: str | None = None) -> dict[str, str]:
    """One clause row. ``latex`` (the formula as LaTeX) and ``key`` (what the clause is
    about, stable across versions; default ``source``) are kept out of the columns."""
    return {"section": term(f"sections.{section}", ctx.lang), "heading": heading,
            "rule": rule, "parties": parties, "figures": figures, "formula": formula,
            "fallback": fb if fb is not None else term("fallbacks.none", ctx.lang),
            "source": source, "latex": latex, "key": key or source}


def sep(ctx: Context) -> str:
    """The separator between figures in ``ctx.lang`` ("; " or "；")."""
    return term("labels.sep", ctx.lang)


def named(ctx: Context, obj: Any) -> str:
    """A task's, result's or product's name in ``ctx.lang`` (its id when unnamed)."""
    if obj.name is None:
        return obj.id
    return obj.name.zh if ctx.lang == "zh" and obj.name.zh else obj.name.en


def item_name(ctx: Context, item_id: str) -> str:
    """Readable name of a contribution ("cash of Fosun") or result (its name), by id."""
    a = ctx.agreement
    for r in a.results:
        if r.id == item_id:
            return named(ctx, r)
    for c in a.contributions:
        if c.id == item_id:
            return term("labels.contribution_item", ctx.lang,
                        kind=term(f"contribution_kinds.{c.kind.value}", ctx.lang),
                        member=member_name(a, c.member, ctx.lang))
    return item_id


def share_figures(ctx: Context, shares: Any) -> str:
    shown = largest_remainder(shares * 100, 100, ctx.decimals)
    a, sep_ = ctx.agreement, sep(ctx)
    return sep_.join(f"{member_name(a, i, ctx.lang)} {percent(v / 100, ctx.decimals)}"
                    for i, v in shown.items())


def plan_months(agreement: Agreement) -> int | None:
    """Length of the work plan: longest chain of tasks through the results they need."""
    producer = {r: t for t in agreement.tasks for r in t.produces}
    finish: dict[str, int] = {}

    def end(task: Any, seen: frozenset[str]) -> int:
        if task.id not in finish:
            needed = task.needs.all_of + [i for g in task.needs.any_of for i in g]
            before = [end(producer[i], seen | {task.id}) for i in needed
                      if i in producer and producer[i].id not in seen | {task.id}]
            finish[task.id] = (task.duration_months or 0) + max(before, default=0)
        return finish[task.id]

    months = max((end(t, frozenset()) for t in agreement.tasks), default=0)
    return months or None


def owners_of(agreement: Agreement, result_id: str) -> list[str]:
    """Member ids owning a result under its ownership rule (all members: pro rata/tier)."""
    result = next(r for r in agreement.results if r.id == result_id)
    if result.owners:
        return list(result.owners)
    if result.ownership is Ownership.LEAD:
        leads = [m.id for m in agreement.members if m.layer.value == "lead"]
        return leads[:1] or [agreement.members[0].id]
    if result.ownership in (Ownership.PRO_RATA, Ownership.BY_TIER):
        return agreement.member_ids
    makers: list[str] = []
    for t in agreement.tasks:
        if result_id in t.produces:
            makers += [t.lead] if t.lead and result.ownership is Ownership.GENERATING_PARTY \
                else ([t.lead] if t.lead else []) + t.members
    return list(dict.fromkeys(makers))


