r"""Schedules (annexes) of the agreement: one table per annex, one row per member.

Each schedule ends with a total row. Shares are shown with the largest-remainder
method [BalinskiYoung2001]_, so a share column adds up to exactly 100.00% and an amount
column to exactly the total; real voting power is the Shapley-Shubik index
[ShapleyShubik1954]_ and the normalised Banzhaf index [Banzhaf1965]_ of the governing
body's weighted vote.
"""

from __future__ import annotations

import math
from fractions import Fraction
from os import PathLike
from typing import Any

import pandas as pd

from sharing_models.division.power import banzhaf_index, shapley_shubik

from ..membership.tiers import tier_schedule
from ..scenario.model import Agreement, Ownership
from ..sharing.display import exact, format_fixed, largest_remainder
from .allocation import contribution_totals, resolve_shares
from .context import owners_of
from .fees import fee_info, member_votes
from .table import as_agreement, column_label
from .wording import check_decimals, check_lang, member_name, money, term

__all__ = ["SCHEDULE_KEYS", "schedules"]

#: Schedule keys, in annex order.
SCHEDULE_KEYS = ("contributions", "revenue_shares", "fees", "voting", "results")


def _label(key: str, lang: str) -> str:
    return column_label(key, lang)


def _word(key: str, lang: str, **fields: Any) -> str:
    if lang == "zh+en":
        return f"{term(key, 'zh', **fields)} / {term(key, 'en', **fields)}"
    return term(key, lang, **fields)


def _member_names(a: Agreement, lang: str) -> list[str]:
    if lang == "zh+en":
        return [f"{member_name(a, i, 'zh')} / {member_name(a, i, 'en')}" for i in a.member_ids]
    return [member_name(a, i, lang) for i in a.member_ids]


def _pct_column(values: pd.Series, decimals: int) -> list[str]:
    """Shares of ``values`` in percent, largest-remainder rounded, plus the 100% total."""
    if sum(values.tolist(), Fraction(0)) == 0:
        return ["—"] * len(values) + ["—"]
    shown = largest_remainder(values, 100, decimals)
    return [f"{format_fixed(v, decimals)}%" for v in shown] + [f"{format_fixed(100, decimals)}%"]


def _frame(a: Agreement, lang: str, columns: dict[str, list[str]]) -> pd.DataFrame:
    index = pd.Index([*a.member_ids, "total"], name="id")
    names = [*_member_names(a, lang), _word("columns.total", lang)]
    return pd.DataFrame({_label("member", lang): names, **columns}, index=index)


def _contributions(a: Agreement, lang: str, decimals: int) -> pd.DataFrame:
    kinds = list(dict.fromkeys(c.kind for c in a.contributions))
    cols: dict[str, list[str]] = {}
    for kind in kinds:
        per = {i: Fraction(0) for i in a.member_ids}
        for c in a.contributions:
            if c.kind is kind:
                per[c.member] += exact(c.valuation)
        cols[_word(f"contribution_kinds.{kind.value}", lang)] = [
            money(per[i], a.currency) for i in a.member_ids] + [
            money(sum(per.values(), Fraction(0)), a.currency)]
    totals = contribution_totals(a)
    cols[_label("valuation", lang)] = [money(v, a.currency) for v in totals] + [
        money(sum(totals.tolist(), Fraction(0)), a.currency)]
    cols[_label("share", lang)] = _pct_column(totals, decimals)
    return _frame(a, lang, cols)


def _revenue_shares(a: Agreement, allocation: Any, lang: str, decimals: int,
                    total: Any) -> pd.DataFrame:
    shares = resolve_shares(a, allocation)
    if shares.values is None:
        why = shares.why_missing or ""
        cols = {_label("share", lang): [why] * len(a.member_ids) + [""]}
        return _frame(a, lang, cols)
    values = shares.values
    cols = {_label("exact_share", lang): [str(v) for v in values] + ["1"],
            _label("share", lang): _pct_column(values, decimals)}
    if total is not None:
        t = exact(total)
        amounts = largest_remainder(values, t, 2)
        places = 0 if all(x.denominator == 1 for x in amounts) else 2
        cols[_label("amount", lang)] = [money(v, a.currency, places) for v in amounts] + [
            money(t, a.currency, places)]
    return _frame(a, lang, cols)


def _fees(a: Agreement, lang: str) -> pd.DataFrame:
    info = fee_info(a)
    cols: dict[str, list[str]] = {}
    if info.table is None:
        note = info.why or _word("rules.fees_none", lang)
        cols[_label("fee", lang)] = [note] * len(a.member_ids) + [""]
        return _frame(a, lang, cols)
    tiered = a.sharing.tiers is not None
    if tiered or (info.table["tier"] != "members").any():  # tiers, or exempt members
        cols[_label("tier", lang)] = [*info.table["tier"].tolist(), ""]
    cols[_label("revenue", lang)] = [
        money(a.member(i).revenue, a.currency) if a.member(i).revenue is not None else ""
        for i in a.member_ids] + [""]
    fees = info.table["fee"].tolist()
    cols[_label("fee", lang)] = [money(f, a.currency) for f in fees] + [
        money(sum(fees, Fraction(0)), a.currency)]
    for key in ("votes", "seats", "access", "licence"):
        if tiered and key in info.table.columns:
            cells = ["" if _blank(v) else _cell(v) for v in info.table[key]]
            total = sum((exact(v) for v in info.table[key] if not _blank(v)), Fraction(0)) \
                if key in ("votes", "seats") else None
            cols[_label(f"tier_{key}", lang)] = [*cells, "" if total is None else _cell(total)]
    return _frame(a, lang, cols)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _cell(v: Any) -> str:
    if isinstance(v, Fraction | int) and not isinstance(v, bool):
        q = Fraction(v)
        return str(q)  # exact: "2/7" of a seat elected by a group of members
    return str(getattr(v, "value", v)).replace("_", " ")


def _power(votes: dict[str, int], quota: Fraction) -> tuple[pd.Series | None, ...]:
    threshold = min(math.floor(quota * sum(votes.values())) + 1, sum(votes.values()))
    return shapley_shubik(votes, threshold), banzhaf_index(votes, threshold)


def _voting(a: Agreement, lang: str, decimals: int) -> pd.DataFrame:
    g = a.governance
    votes, _ = member_votes(a)
    v = pd.Series({i: Fraction(n) for i, n in votes.items()}, dtype=object)
    cols = {_label("votes", lang): [str(n) for n in votes.values()] + [str(sum(votes.values()))],
            _label("vote_share", lang): _pct_column(v, decimals)}
    ss, bz = _power(votes, exact(g.quota)) if sum(votes.values()) else (None, None)
    for key, index in (("shapley_shubik", ss), ("banzhaf", bz)):
        cols[_label(key, lang)] = _pct_column(index.reindex(a.member_ids), decimals) \
            if index is not None else [_word("labels.not_available", lang)] * (len(votes) + 1)
    return _frame(a, lang, cols)


def _result_label(r: Any, lang: str) -> str:
    if r.name is None:
        return r.id
    zh = r.name.zh or r.name.en
    return {"en": r.name.en, "zh": zh}.get(lang, f"{zh} / {r.name.en}")


def _tier_rights(a: Agreement, lang: str) -> dict[str, str]:
    """Member id -> its tier's rights to results, in words (tiered agreements only)."""
    if a.sharing.tiers is None:
        return {}
    info = fee_info(a)
    if info.table is None:
        return {}
    schedule = tier_schedule(a)
    names = {t.name for t in schedule.tiers}
    out = {}
    for m, tier in info.table["tier"].items():
        if tier not in names:
            continue
        r = schedule.tier(tier).rights
        langs = ("zh", "en") if lang == "zh+en" else (lang,)
        out[m] = " / ".join(term("labels.tier_rights", x, tier=tier,
                                 scope=term(f"labels.tier_scope_{r.access}", x,
                                            fields=", ".join(r.access_fields)),
                                 delay=term("labels.tier_delay", x, n=r.access_delay_months)
                                 if r.access_delay_months else "",
                                 licence=term(f"access_terms.{r.licence}", x))
                            for x in langs)
    return out


def _owner_cells(a: Agreement, r: Any, lang: str, rights: dict[str, str],
                 shares: pd.Series | None, decimals: int) -> list[str]:
    owners = owners_of(a, r.id)
    shown = largest_remainder(shares, 100, decimals) \
        if r.ownership is Ownership.PRO_RATA and shares is not None else None
    cells = []
    for i in a.member_ids:
        if i not in owners:
            cells.append(_access_cell(r, lang) + (f" ({rights[i]})" if i in rights else ""))
        elif shown is not None:
            cells.append(_word("labels.pro_rata_owner", lang,
                               share=f"{format_fixed(shown[i], decimals)}%"))
        elif r.ownership is Ownership.BY_TIER:
            cells.append(_word("labels.tier_owner", lang)
                         + (f" ({rights[i]})" if i in rights else ""))
        else:
            cells.append(_word("labels.joint_owner" if r.ownership is Ownership.JOINT
                               else "labels.owner", lang))
    return cells


def _results(a: Agreement, lang: str, allocation: Any, decimals: int) -> pd.DataFrame:
    cols: dict[str, list[str]] = {}
    rights = _tier_rights(a, lang)
    shares = resolve_shares(a, allocation).values \
        if any(r.ownership is Ownership.PRO_RATA for r in a.results) else None
    for r in a.results:
        owners = owners_of(a, r.id)
        cells = _owner_cells(a, r, lang, rights, shares, decimals)
        cols[_result_label(r, lang)] = [*cells, _word("labels.owners_count", lang, n=len(owners))]
    return _frame(a, lang, cols)


def _access_cell(r: Any, lang: str) -> str:
    langs = ("zh", "en") if lang == "zh+en" else (lang,)
    return " / ".join(term("labels.access_cell", x,
                           project=term(f"access_terms.{r.access.project.value}", x),
                           exploitation=term(f"access_terms.{r.access.exploitation.value}", x))
                      for x in langs)


def schedules(agreement: Agreement | str | PathLike[str], allocation: Any = None,
              lang: str = "en", *, total: Any = None,
              decimals: int = 2) -> dict[str, pd.DataFrame]:
    r"""The agreement's schedules (annexes), keyed by :data:`SCHEDULE_KEYS`.

    Every share column :math:`c` satisfies :math:`\sum_i c_i = 100.00\%` exactly and,
    with ``total`` :math:`T`, the amounts satisfy :math:`\sum_i a_i = T` exactly.

    Parameters
    ----------
    agreement
        An :class:`~agreements.Agreement` or the path of a scenario file.
    allocation
        Computed shares or amounts by member id; default: the agreed sharing rule.
    lang
        ``"en"``, ``"zh"`` or ``"zh+en"``.
    total
        Amount to divide in the revenue-shares schedule (adds an amount column, to the
        cent); default: shares only.
    decimals
        Decimals of shown percentages.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``contributions`` (valuations by kind, total, share), ``revenue_shares`` (exact
        share, shown share, amount), ``fees`` (tier, revenue, annual fee), ``voting``
        (votes, vote share, Shapley-Shubik and Banzhaf power) and ``results`` (member x
        result matrix of ownership and access). Each is indexed by member id with a
        final ``total`` row; ``attrs["title"]`` is the schedule's title.

    Raises
    ------
    InvalidInputError
        Unknown ``lang`` or a malformed ``allocation``.

    Examples
    --------
    >>> s = schedules("scenarios/baoshan_medical_devices.yaml", total=1_000_000)
    >>> s["revenue_shares"]["Amount"].tolist()
    ['CNY 550,000', 'CNY 200,000', 'CNY 150,000', 'CNY 100,000', 'CNY 1,000,000']
    >>> s["voting"].loc["fosun_dx", "Shapley-Shubik power"]
    '41.67%'

    Notes
    -----
    Linear in members x (contributions + results), plus the weighted-voting indices
    (pseudo-polynomial in the votes) and the sharing rule when it is computed here.
    """
    check_lang(lang)
    check_decimals(decimals)
    a, trace = as_agreement(agreement)
    out = {
        "contributions": _contributions(a, lang, decimals),
        "revenue_shares": _revenue_shares(a, allocation, lang, decimals, total),
        "fees": _fees(a, lang),
        "voting": _voting(a, lang, decimals),
        "results": _results(a, lang, allocation, decimals),
    }
    for key, frame in out.items():
        frame.attrs.update(trace)
        frame.attrs.update({"title": _word(f"schedules.{key}", lang), "kind": "schedule",
                            "date": a.date or "", "lang": lang, "agreement_id": a.id,
                            "subtitle": a.name.en})
    return out
