"""Clause rows of the revenue-distribution section, following the income waterfall.

Income from the consortium's results flows through the waterfall of
:mod:`agreements.outcomes.waterfall` (``sharing.waterfall``): costs recovered first, the reward to
the people who made a result, the reserve fund, then distribution among the parties by
the agreed rule. The clauses state each step with its figures; the statutory fallback
for the reward is Art. 45 of the Law on Promoting the Transformation of Scientific and
Technological Achievements (2015) in China.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..sharing.display import exact
from .context import Context, item_name, named, row, sep, share_figures
from .formulas import share_formula
from .wording import fallback, member_name, money, names, percent, term

__all__ = ["revenue_rows"]

Rows = list[dict[str, str]]


def _method_text(ctx: Context, method: str) -> str:
    blend = ctx.agreement.sharing.blend
    parts = ", ".join(f"{m.value} {percent(w, 0)}" for m, w in blend.items()) if blend else ""
    return term(f"methods.{method}", ctx.lang, parts=parts)


def _distribution(ctx: Context) -> Rows:
    a, lang, sh = ctx.agreement, ctx.lang, ctx.shares
    all_parties = term("labels.all_parties", lang)
    if sh.method is None and sh.values is None:
        rule = term("rules.distribution_missing", lang)
        figs, formula, latex = "", "", ""
    else:
        method = sh.method or "fixed"
        rule = term("rules.distribution", lang, method=_method_text(ctx, method))
        if sh.values is None:
            rule += term("rules.distribution_uncomputed", lang, why=sh.why_missing)
        elif sh.how and sh.how["method"] == "sampled":
            rule += term("rules.distribution_sampled", lang, draws=f"{sh.how['samples']:,}",
                         seed=sh.how["seed"], half=percent(sh.how["half_width"], 2))
        elif sh.how:
            rule += term("rules.distribution_structure", lang, detail=sh.how["detail"])
        figs = share_figures(ctx, sh.values) if sh.values is not None else ""
        form = share_formula(method)
        formula, latex = form if form else ("", "")
    source = "sharing.waterfall.distribution" if a.sharing.waterfall is not None \
        and a.sharing.waterfall.distribution is not None else "sharing.method"
    if sh.method == "fixed":
        source += ", sharing.fixed_shares"
    return [row(ctx, "revenue", term("headings.distribution", lang), rule, all_parties,
                source, figs, formula, key="sharing.distribution",
                fb=fallback("revenue", a, lang, ctx.juris), latex=latex)]


def _share_formula_row(ctx: Context) -> dict[str, str]:
    a, lang, f = ctx.agreement, ctx.lang, ctx.share_formulas
    item_id, _, field = f.attrs["parameter"].rpartition(".")
    item = next(named(ctx, o) if hasattr(o, "name") else item_name(ctx, o.id)
                for kind in ("contributions", "tasks", "products") for o in getattr(a, kind)
                if o.id == item_id)
    param = term(f"labels.param_{field}", lang, item=item)
    rule = term("rules.share_formula", lang, param=param,
                low=money(f["valid_from"].iloc[0], a.currency),
                high=money(f["valid_to"].iloc[0], a.currency))
    return row(ctx, "revenue", term("headings.share_formula", lang, param=param), rule,
               term("labels.all_parties", lang), f.attrs["parameter"], "",
               "; ".join(f["formula"]), latex=r"; \quad ".join(f["latex"]))


def _product_names(ctx: Context, ids: Any) -> str:
    names = {p.id: named(ctx, p) for p in ctx.agreement.products}
    return term("labels.and", ctx.lang).join(names[i] for i in ids)


def _contingent_row(ctx: Context) -> dict[str, str]:
    """The contingent contract: for each launch state, each party's share of the net
    outcome (shown by the one rounding, each state's shares adding up to 100%)."""
    c, lang = ctx.contingent, ctx.lang
    cases = []
    for label, shares in c.shares.iterrows():
        launched = [] if label == "none" else label.split("+")
        case = (term("labels.if_launched", lang, launched=_product_names(ctx, launched))
                if launched else term("labels.if_none_launched", lang))
        cases.append(case + term("labels.colon", lang) + share_figures(ctx, shares))
    rule = term("rules.contingent", lang, events=_product_names(ctx, c.events))
    return row(ctx, "revenue", term("headings.contingent", lang), rule,
               term("labels.all_parties", lang), "consortium negotiate --view",
               " | ".join(cases), key="sharing.contingent")


def _waterfall_costs(ctx: Context) -> list[tuple[str, str, Any]]:
    """(item, recipient, amount) recovered before distribution, as the waterfall does."""
    a = ctx.agreement
    spec = a.sharing.waterfall
    costs = spec.costs if spec is not None else None
    if costs is None:
        costs = "tasks" if a.sharing.cost_recovery_first else "none"
    if costs == "none":
        return []
    if costs == "tasks":
        return [(named(ctx, t), t.lead or "", exact(t.cost)) for t in a.tasks if t.cost > 0]
    return [(c.item, c.recipient, exact(c.amount)) for c in costs]


def _recipient(ctx: Context, who: str) -> str:
    return member_name(ctx.agreement, who, ctx.lang) if who in ctx.agreement.member_ids \
        else (who or term("labels.consortium", ctx.lang))


def _cost_row(ctx: Context) -> list[dict[str, str]]:
    a, lang = ctx.agreement, ctx.lang
    items = _waterfall_costs(ctx)
    if not items:
        return []
    figs = sep(ctx).join(f"{item} → {_recipient(ctx, who)} {money(amount, a.currency)}"
                         for item, who, amount in items)
    total = money(sum((x for _, _, x in items), Fraction(0)), a.currency)
    return [row(ctx, "revenue", term("headings.cost_recovery", lang),
                term("rules.cost_recovery", lang, total=total),
                names(a, [w for _, w, _ in items if w in a.member_ids], lang),
                "sharing.waterfall.costs, sharing.cost_recovery_first", figs,
                key="sharing.cost_recovery")]


def _reward_row(ctx: Context) -> dict[str, str]:
    a, lang, s = ctx.agreement, ctx.lang, ctx.agreement.sharing
    spec = s.waterfall
    reward: Any = spec.inventor_reward if spec is not None and spec.inventor_reward \
        is not None else s.inventor_reward
    source = "sharing.waterfall.inventor_reward" if spec is not None \
        and spec.inventor_reward is not None else "sharing.inventor_reward"
    if isinstance(reward, float | int):
        rule, figs = term("rules.reward_share", lang, share=percent(reward)), percent(reward)
    elif isinstance(reward, str):
        rule, figs = term(f"rules.reward_{reward}", lang), ""
    else:  # an agreed RewardSpec
        implemented = reward.implementation_rate > 0 and reward.implementation_years > 0
        key = "rules.reward_agreed_rates" if implemented else "rules.reward_agreed_transfer"
        rule = term(key, lang, transfer=percent(reward.transfer_rate),
                    implementation=percent(reward.implementation_rate),
                    years=reward.implementation_years)
        figs = sep(ctx).join([percent(reward.transfer_rate)] + (
            [percent(reward.implementation_rate),
             term("labels.years", lang, n=reward.implementation_years)] if implemented else []))
    return row(ctx, "revenue", term("headings.inventor_reward", lang), rule,
               term("labels.all_parties", lang), source, figs,
               fb=fallback("inventor_reward", a, lang, ctx.juris), key="sharing.reward")


def _reserve_row(ctx: Context) -> dict[str, str]:
    lang, s = ctx.lang, ctx.agreement.sharing
    spec = s.waterfall
    share = spec.reserve if spec is not None and spec.reserve is not None else s.reserve_fund
    source = "sharing.waterfall.reserve" if spec is not None and spec.reserve is not None \
        else "sharing.reserve_fund"
    rule = term("rules.reserve", lang, share=percent(share)) if share \
        else term("rules.reserve_none", lang)
    return row(ctx, "revenue", term("headings.reserve", lang), rule,
               term("labels.all_parties", lang), source, percent(share), key="sharing.reserve")


def revenue_rows(ctx: Context) -> list[dict[str, str]]:
    """Rows of the revenue-distribution section, in the order income flows: the rule
    (and its formula), costs recovered first, the inventor reward, the reserve."""
    rows = _distribution(ctx)
    if ctx.share_formulas is not None:
        rows.append(_share_formula_row(ctx))
    if ctx.contingent is not None:
        rows.append(_contingent_row(ctx))
    return [*rows, *_cost_row(ctx), _reward_row(ctx), _reserve_row(ctx)]
