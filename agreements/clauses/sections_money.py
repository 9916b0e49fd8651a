"""Clause rows of the later DESCA sections: governance, money, results, access, default.

Same conventions as :mod:`agreements.clauses.sections`: one function per section, rows
keyed by :data:`~agreements.clauses.context.FIELDS`, identical rows in every language.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ..scenario.model import AccessTerms, Ownership
from ..sharing.display import exact
from .allocation import contribution_totals
from .context import Context, named, owners_of, row, sep, share_figures
from .fees import fee_rows, member_votes
from .sections_revenue import revenue_rows
from .wording import body_name, fallback, member_name, money, names, percent, term

__all__ = ["LATER_SECTIONS"]

Rows = list[dict[str, str]]


def _quota_text(quota: float, lang: str) -> str:
    return term("labels.half", lang) if exact(quota) == Fraction(1, 2) else percent(quota)


def _governance(ctx: Context) -> Rows:
    a, lang, g = ctx.agreement, ctx.lang, ctx.agreement.governance
    all_parties = term("labels.all_parties", lang)
    votes, source = member_votes(a, ctx.fees)
    total = sum(votes.values())
    quota = _quota_text(g.quota, lang)
    if source != "governance (one member, one vote)":
        rule = term("rules.decisions", lang, body=body_name(g.body, lang), quota=quota,
                    total=total)
    else:
        rule = term("rules.decisions_equal", lang, body=body_name(g.body, lang), quota=quota)
    figs = sep(ctx).join(f"{member_name(a, i, lang)} {votes.get(i, 0)}" for i in a.member_ids)
    figs += sep(ctx) + term("labels.quota", lang, quota=percent(g.quota))
    rows = [row(ctx, "governance", term("headings.decisions", lang), rule, all_parties,
                f"governance.body, {source}, governance.quota", figs,
                key="governance.decisions")]
    rows.append(row(ctx, "governance", term("headings.voting_power", lang),
                    term("rules.voting_power", lang), all_parties, source,
                    key="governance.power"))
    return rows


def _financial(ctx: Context) -> Rows:
    a, lang = ctx.agreement, ctx.lang
    costs = contribution_totals(a, "cost")
    budget = money(sum((exact(t.cost) for t in a.tasks), Fraction(0)), a.currency)
    figs = sep(ctx).join(
        term("labels.cost_of", lang, name=member_name(a, i, lang),
             amount=money(costs[i], a.currency)) for i in a.member_ids)
    rows = [row(ctx, "financial", term("headings.budget", lang),
                term("rules.budget", lang, budget=budget), term("labels.all_parties", lang),
                "tasks.cost, contributions.cost", figs)]
    return rows + fee_rows(ctx)


def _results(ctx: Context) -> Rows:
    a, lang = ctx.agreement, ctx.lang
    rows = []
    keys = {Ownership.GENERATING_PARTY: "owner_generating", Ownership.JOINT: "owner_joint",
            Ownership.LEAD: "owner_lead", Ownership.PRO_RATA: "owner_pro_rata",
            Ownership.BY_TIER: "owner_by_tier"}
    for r in a.results:
        owners = owners_of(a, r.id)
        shown = names(a, owners, lang) if owners else term("rules.owner_unknown", lang)
        rule = term(f"rules.{keys[r.ownership]}", lang, owners=shown)
        figs = ""
        if r.ownership is Ownership.PRO_RATA and ctx.shares.values is not None:
            figs = share_figures(ctx, ctx.shares.values)
        fb_key = "joint" if r.ownership is Ownership.JOINT else "results"
        rows.append(row(ctx, "results", term("headings.result", lang, name=named(ctx, r)),
                        rule, shown if owners else "", f"results[{r.id}].ownership", figs,
                        fb=fallback(fb_key, a, lang, ctx.juris)))
    return rows


def _access(ctx: Context) -> Rows:
    a, lang = ctx.agreement, ctx.lang
    rows = []
    for r in a.results:
        acc = r.access
        rule = term("rules.access", lang,
                    project=term(f"access_terms.{acc.project.value}", lang),
                    exploitation=term(f"access_terms.{acc.exploitation.value}", lang))
        if acc.request_window_months is not None and acc.exploitation is not AccessTerms.NONE:
            rule += term("rules.access_window", lang, months=acc.request_window_months)
        figs = []
        if acc.royalty_rate is not None:
            figs.append(term("labels.royalty", lang, p=percent(acc.royalty_rate)))
        if acc.request_window_months is not None:
            figs.append(term("labels.months", lang, n=acc.request_window_months))
        owners = owners_of(a, r.id)
        rows.append(row(ctx, "access", term("headings.access_to", lang, name=named(ctx, r)),
                        rule, names(a, owners, lang) if owners else
                        term("labels.all_parties", lang), f"results[{r.id}].access",
                        sep(ctx).join(figs), fb=fallback("access", a, lang, ctx.juris)))
    return rows


def _default(ctx: Context) -> Rows:
    a, lang, d = ctx.agreement, ctx.lang, ctx.agreement.default
    all_parties = term("labels.all_parties", lang)
    figs = sep(ctx).join([term("labels.notice", lang, n=d.notice_days),
                          term("labels.remedy", lang, n=d.remedy_days)])
    rows = [row(ctx, "default", term("headings.breach", lang),
                term("rules.breach", lang, remedy=d.remedy_days,
                     body=body_name(a.governance.body, lang)),
                all_parties, "default.notice_days, default.remedy_days", figs,
                fb=fallback("default", a, lang, ctx.juris))]
    forfeit = term("rules.forfeit", lang, share=percent(d.forfeit_share)) if d.forfeit_share \
        else term("rules.forfeit_none", lang)
    figs = sep(ctx).join([percent(d.forfeit_share), term(
        "labels.default_probability", lang, p=percent(d.default_probability))])
    rows.append(row(ctx, "default", term("headings.forfeit", lang), forfeit, all_parties,
                    "default.forfeit_share", figs))
    rows.append(row(ctx, "default", term("headings.withdrawal", lang),
                    term("rules.withdrawal", lang, months=d.withdrawal_notice_months),
                    all_parties, "default.withdrawal_notice_months",
                    term("labels.months", lang, n=d.withdrawal_notice_months),
                    fb=fallback("withdrawal", a, lang, ctx.juris)))
    return rows


LATER_SECTIONS: tuple[tuple[str, Callable[[Context], Rows]], ...] = (
    ("governance", _governance),
    ("financial", _financial),
    ("results", _results),
    ("access", _access),
    ("revenue", revenue_rows),
    ("default", _default),
)
