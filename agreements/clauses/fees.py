"""Membership fees for clause tables: each member's annual fee and the rules' formulas.

Fees come from the scenario's ``sharing.fees`` / ``sharing.tiers`` sections through
:func:`agreements.membership.tiers.tier_schedule` (the rules, whose sympy formulas a clause
prints, e.g. SEMATECH's dues [IrwinKlenow1996]_) and :func:`agreements.membership.tiers.fee_table`
(each member's tier and fee). When the fees cannot be evaluated (say a member lacks the
revenue its fee needs) the clause says why instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sharing_models.exceptions import ConsortiumError

from ..membership.tiers import fee_table, tier_schedule
from ..scenario.model import Agreement
from ..sharing.display import exact
from .context import Context, row, sep
from .formulas import rule_formula
from .wording import member_name, money, term

__all__ = ["FeeInfo", "fee_info", "fee_rows", "member_votes"]


@dataclass(frozen=True)
class FeeInfo:
    """Fees by member (``fee`` column, exact; ``tier``) and fee formulas, or why not."""

    table: pd.DataFrame | None = None
    formulas: list[tuple[str, str, str]] = field(default_factory=list)  # label, text, latex
    why: str | None = None


def _why(exc: Exception) -> str:
    """Why the fees are missing, in the words of the project's own error (its message is
    written for users; never a Python exception name or internal text)."""
    text = str(exc).splitlines()
    detail = next((line.strip(" -") for line in text[1:] if line.strip()), "")
    return f"{text[0] if text else ''} {detail}".strip().rstrip(":")


def _formulas(agreement: Agreement) -> list[tuple[str, str, str]]:
    schedule = tier_schedule(agreement)
    if schedule is None:
        return []
    single = len(schedule.tiers) == 1
    return [("" if single else t.name, *rule_formula(t.fee)) for t in schedule.tiers]


def _member_table(agreement: Agreement) -> pd.DataFrame:
    raw = fee_table(agreement, years=1)
    out = pd.DataFrame({"fee": [exact(v) if v is not None else exact(0) for v in raw["fee"]],
                        "tier": raw["tier"].astype(str).tolist()},
                       index=raw.index.astype(str))
    for col in ("votes", "seats", "access", "licence"):
        if col in raw.columns:
            out[col] = [v if v is None or col != "seats" else exact(v) for v in raw[col]]
    return out.reindex(agreement.member_ids).fillna({"fee": exact(0), "tier": ""})


def member_votes(agreement: Agreement, info: FeeInfo | None = None) -> tuple[dict[str, int],
                                                                               str]:
    """Votes per member and where they come from: ``governance.votes``; else the votes
    of each member's tier (``sharing.tiers``); else one member, one vote."""
    g = agreement.governance
    if g.votes:
        return {i: g.votes.get(i, 0) for i in agreement.member_ids}, "governance.votes"
    info = info if info is not None else fee_info(agreement)
    if agreement.sharing.tiers is not None and info.table is not None \
            and "votes" in info.table.columns:
        votes = info.table["votes"].fillna(0)
        return ({i: int(votes[i]) for i in agreement.member_ids},
                "sharing.tiers.levels[].rights.votes")
    return dict.fromkeys(agreement.member_ids, 1), "governance (one member, one vote)"


def fee_info(agreement: Agreement) -> FeeInfo:
    """Each member's annual fee and the fee formulas; ``FeeInfo()`` when no fees are set.

    >>> from agreements import load
    >>> fee_info(load("scenarios/baoshan_medical_devices.yaml"))
    FeeInfo(table=None, formulas=[], why=None)
    """
    s = agreement.sharing
    if s.fees is None and s.tiers is None:
        return FeeInfo()
    try:
        formulas = _formulas(agreement)
    except ConsortiumError as exc:  # a tier or fee the engine rejects: say so in the clause
        return FeeInfo(None, [], _why(exc))
    try:
        table = _member_table(agreement)
    except ConsortiumError as exc:  # e.g. a member lacks the revenue its fee needs
        return FeeInfo(None, formulas, _why(exc))
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
        tiered = a.sharing.tiers is not None
        figs = sep(ctx).join(
            f"{member_name(a, i, lang)}" + (f" ({info.table.at[i, 'tier']})" if tiered else "")
            + f" {money(f, a.currency)}" for i, f in info.table["fee"].items())
    formula = "; ".join((f"{label}: " if label else "") + text
                        for label, text, _ in info.formulas)
    latex = r"; \quad ".join((rf"\text{{{label}: }} " if label else "") + tex
                             for label, _, tex in info.formulas)
    return [row(ctx, "financial", heading, rule, parties, "sharing.fees, sharing.tiers", figs,
                formula, latex=latex)]
