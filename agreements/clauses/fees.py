"""Membership fees for clause tables: each member's annual fee and the rules' formulas.

Fees come from :func:`agreements.tiering.fee_table` when the scenario's ``sharing.fees``
/ ``sharing.tiers`` sections are set. A plain fee mapping (``{rule: percent_of_metric,
rate, floor, cap, metric}`` or ``{rule: flat, amount}``) is also read directly with
:mod:`sharing_models.fees`, so a clause can print the formula, e.g. SEMATECH's dues
[IrwinKlenow1996]_. When neither works the clause says why instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sharing_models import fees as fee_rules

from ..model import Agreement
from .context import Context, row, sep
from .formulas import rule_formula
from .rounding import exact
from .wording import member_name, money, term

__all__ = ["FeeInfo", "fee_info", "fee_rows"]


@dataclass(frozen=True)
class FeeInfo:
    """Fees by member (``fee`` column, exact; ``tier`` when tiered) and fee formulas."""

    table: pd.DataFrame | None = None
    formulas: list[tuple[str, str, str]] = field(default_factory=list)  # label, text, latex
    why: str | None = None


def _loose_rule(spec: Any) -> Any:
    """A fee rule from a plain mapping, or ``None`` if the mapping is not one."""
    if not isinstance(spec, Mapping):
        return None
    kind = str(spec.get("rule", "")).lower()
    if kind in {"percent_of_metric", "percentage", "percent"}:
        return fee_rules.Percentage(spec["rate"], floor=spec.get("floor", 0),
                                    cap=spec.get("cap"), metric=spec.get("metric", "revenue"))
    if kind == "flat":
        return fee_rules.Flat(spec["amount"])
    return None


def _tiering_formulas(agreement: Agreement) -> list[tuple[str, str, str]]:
    try:
        from .. import tiering  # optional piece, owned elsewhere
    except ImportError:
        return []
    for name in ("tier_schedule", "fee_schedule"):
        make = getattr(tiering, name, None)
        if callable(make):
            try:
                schedule = make(agreement)
            except Exception:
                continue
            if schedule is not None and hasattr(schedule, "tiers"):
                return [(t.name, *rule_formula(t.fee)) for t in schedule.tiers]
    return []


def _member_table(agreement: Agreement, rule: Any) -> pd.DataFrame:
    try:
        from ..tiering import fee_table

        raw = fee_table(agreement)
    except ImportError:
        if rule is None:
            raise
        ids = agreement.member_ids
        metric = rule.metrics()[0] if rule.metrics() else "revenue"
        data = [exact(getattr(agreement.member(i), metric, None) or 0) for i in ids]
        return pd.DataFrame({"fee": list(rule.evaluate(data))}, index=ids)
    if "member" in raw.columns:
        raw = raw.set_index("member")
    fee_col = next(c for c in raw.columns if "fee" in str(c).lower())
    out = pd.DataFrame({"fee": [exact(v) for v in raw[fee_col]]}, index=raw.index.astype(str))
    if "tier" in raw.columns:
        out["tier"] = raw["tier"].astype(str).tolist()
    return out.reindex(agreement.member_ids).fillna({"fee": exact(0)})


def fee_info(agreement: Agreement) -> FeeInfo:
    """Each member's annual fee and the fee formulas; ``FeeInfo()`` when no fees are set.

    >>> from agreements import load
    >>> fee_info(load("scenarios/baoshan_medical_devices.yaml"))
    FeeInfo(table=None, formulas=[], why=None)
    """
    s = agreement.sharing
    if not s.fees and not s.tiers:
        return FeeInfo()
    try:
        rule = _loose_rule(s.fees)
    except (KeyError, ValueError) as exc:
        rule, why_rule = None, f"{type(exc).__name__}: {exc}"
    else:
        why_rule = None
    formulas = _tiering_formulas(agreement) or (
        [("", *rule_formula(rule))] if rule is not None else [])
    try:
        table = _member_table(agreement, rule)
    except Exception as exc:  # the tiering piece is missing or rejects the scenario
        return FeeInfo(None, formulas, why_rule or f"{type(exc).__name__}: {exc}".splitlines()[0])
    return FeeInfo(table, formulas, None)


def fee_rows(ctx: Context) -> list[dict[str, str]]:
    """Clause rows of the fee section (one row; figures per member, formulas)."""
    a, lang = ctx.agreement, ctx.lang
    info = ctx.fees if ctx.fees is not None else fee_info(a)
    heading, parties = term("headings.fees", lang), term("labels.all_parties", lang)
    if info.table is None and not info.formulas and info.why is None:
        return [row(ctx, "financial", heading, term("rules.fees_none", lang), parties,
                    "sharing.fees")]
    rule = term("rules.fees", lang) if info.why is None \
        else term("rules.fees_unavailable", lang, why=info.why)
    figs = ""
    if info.table is not None:
        figs = sep(ctx).join(f"{member_name(a, i, lang)} {money(f, a.currency)}"
                             for i, f in info.table["fee"].items())
    formula = "; ".join((f"{label}: " if label else "") + text
                        for label, text, _ in info.formulas)
    latex = r"; \quad ".join((rf"\text{{{label}: }} " if label else "") + tex
                             for label, _, tex in info.formulas)
    return [row(ctx, "financial", heading, rule, parties, "sharing.fees, sharing.tiers", figs,
                formula, latex=latex)]
