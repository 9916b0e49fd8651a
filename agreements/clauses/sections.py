"""Clause rows of the first DESCA sections: parties, duration, responsibilities, liability.

Each ``_section`` function returns the rows of one section (dicts keyed by
:data:`~agreements.clauses.context.FIELDS`). Rows depend only on the agreement, never on
the language, so the English and Chinese tables have the same rows [DESCA2021]_.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ..sharing.display import exact, largest_remainder
from .allocation import contribution_totals
from .context import Context, item_name, named, plan_months, row, sep
from .wording import fallback, join, member_name, money, names, percent, term

__all__ = ["FIRST_SECTIONS"]

Rows = list[dict[str, str]]


def _parties(ctx: Context) -> list[dict[str, str]]:
    a, lang = ctx.agreement, ctx.lang
    rows = []
    for m in a.members:
        place = term("rules.place", lang, place=m.registered_in or m.region) \
            if (m.registered_in or m.region) else ""
        name = member_name(a, m.id, lang)
        figs = []
        if m.revenue is not None:
            figs.append(term("labels.revenue", lang, amount=money(m.revenue, a.currency)))
        if m.employees is not None:
            figs.append(term("labels.employees", lang, n=f"{m.employees:,}"))
        rule = term("rules.party", lang, name=name, kind=term(f"kinds.{m.kind.value}", lang),
                    layer=term(f"layers.{m.layer.value}", lang), place=place)
        rows.append(row(ctx, "parties_purpose", term("headings.party", lang, name=name), rule,
                         name, f"members[{m.id}]", sep(ctx).join(figs)))
    tasks = join((named(ctx, t) for t in a.tasks), lang)
    products = join((named(ctx, p) for p in a.products), lang)
    rule = term("rules.purpose", lang, tasks=tasks, products=products) if a.tasks \
        else term("rules.purpose_no_tasks", lang)
    if a.description and lang == "en":
        rule += " " + " ".join(a.description.split())
    rows.append(row(ctx, "parties_purpose", term("headings.purpose", lang), rule,
                     term("labels.all_parties", lang), "description, tasks, products"))
    return rows


def _duration(ctx: Context) -> list[dict[str, str]]:
    a, lang = ctx.agreement, ctx.lang
    rule = term("rules.entry_into_force", lang, date=a.date) if a.date \
        else term("rules.entry_no_date", lang)
    rows = [row(ctx, "duration", term("headings.entry_into_force", lang), rule,
                 term("labels.all_parties", lang), "date", a.date or "",
                 fb=fallback("entry_into_force", a, lang, ctx.juris))]
    months = plan_months(a)
    if a.term_years is not None:
        years = format(exact(a.term_years), "")
        rule, figs = term("rules.duration", lang, years=years), \
            term("labels.years", lang, n=years)
    elif months:
        rule, figs = term("rules.duration_plan", lang, months=months), \
            term("labels.months", lang, n=months)
    else:
        rule, figs = term("rules.duration_none", lang), ""
    rows.append(row(ctx, "duration", term("headings.duration", lang), rule,
                     term("labels.all_parties", lang), "term_years, tasks.duration_months",
                     figs))
    return rows


def _responsibilities(ctx: Context) -> list[dict[str, str]]:
    a, lang, sp = ctx.agreement, ctx.lang, sep(ctx)
    rows = []
    for t in a.tasks:
        members = list(dict.fromkeys(([t.lead] if t.lead else []) + t.members))
        needs = [item_name(ctx, i) for i in t.needs.all_of]
        needs += [" / ".join(item_name(ctx, i) for i in g) for g in t.needs.any_of]
        rule = term("rules.work_package", lang,
                    lead=member_name(a, t.lead, lang) if t.lead else term("labels.none", lang),
                    members=names(a, members, lang), needs=join(needs, lang),
                    results=join((item_name(ctx, r) for r in t.produces), lang))
        if t.milestone:
            rule += term("rules.milestone", lang, milestone=t.milestone)
        figs = [term("labels.budget", lang, amount=money(t.cost, a.currency))]
        if t.duration_months is not None:
            figs.append(term("labels.months", lang, n=t.duration_months))
        figs.append(term("labels.probability", lang, p=percent(t.success_probability, 0)))
        rows.append(row(ctx, "responsibilities",
                         term("headings.work_package", lang, name=named(ctx, t)),
                         rule, names(a, members, lang), f"tasks[{t.id}]", sp.join(figs)))
    totals = contribution_totals(a)
    whole = sum(totals.tolist(), Fraction(0))
    shown = largest_remainder(totals, 100, ctx.decimals) if whole else None
    for m in a.members:
        own = [c for c in a.contributions if c.member == m.id]
        if not own:
            continue
        name = member_name(a, m.id, lang)
        items = join((term(f"contribution_kinds.{c.kind.value}", lang)
                      + (f" ({c.description})" if c.description and lang == "en" else "")
                      for c in own), lang)
        figs = [f"{term(f'contribution_kinds.{c.kind.value}', lang)} "
                f"{money(c.valuation, a.currency)}" for c in own]
        share = percent(shown[m.id] / 100, ctx.decimals) if shown is not None \
            else term("labels.not_available", lang)  # every valuation is 0
        figs.append(term("labels.total_value", lang, amount=money(totals[m.id], a.currency),
                         share=share))
        rows.append(row(ctx, "responsibilities",
                         term("headings.contributions_of", lang, name=name),
                         term("rules.contributions_of", lang, name=name, items=items), name,
                         "contributions[" + ", ".join(c.id for c in own) + "]",
                         sp.join(figs), key=f"contributions of {m.id}"))
    return rows


def _liability(ctx: Context) -> list[dict[str, str]]:
    lang = ctx.lang
    return [row(ctx, "liability", term("headings.liability", lang),
                 term("rules.liability", lang), term("labels.all_parties", lang), "(none)",
                 fb=fallback("liability", ctx.agreement, lang, ctx.juris))]


FIRST_SECTIONS: tuple[tuple[str, Callable[[Context], Rows]], ...] = (
    ("parties_purpose", _parties),
    ("duration", _duration),
    ("responsibilities", _responsibilities),
    ("liability", _liability),
)
