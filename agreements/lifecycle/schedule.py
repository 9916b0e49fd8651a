"""Shown figures and clause-ready schedules of life after signing.

The shown tables (``shown_*``) round once, by the project's one rounding
(:mod:`agreements.sharing.display`): shares by the largest-remainder method to 100%,
amounts to the cent summing to the value shared, transfers to the cent summing to 0.
The schedules (``*_schedules``) are those figures as text in English, Chinese or both,
with a member column and a total row, for :func:`agreements.clauses.export` (Word,
Excel, Markdown, HTML) [BalinskiYoung2001]_.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pandas as pd

from ..clauses.wording import check_lang, member_name, money, term
from ..scenario.model import Agreement
from ..sharing.display import exact as fraction
from ..sharing.display import format_fixed, largest_remainder, rounded
from .admit import Admission
from .review import Review
from .settle import Settlement
from .withdraw import Withdrawal

__all__ = ["admission_schedules", "review_schedules", "settlement_schedules",
           "shown_admission", "shown_settlement", "shown_withdrawal",
           "withdrawal_schedules"]


def _pct(shares: pd.Series, decimals: int = 2) -> pd.Series:
    if shares.isna().any() or sum(fraction(x) for x in shares) == 0:
        return pd.Series([None] * len(shares), index=shares.index, dtype=object)
    return largest_remainder(shares, 100, decimals).rename(None)


def _money(amounts: pd.Series, total: Any, decimals: int = 2) -> pd.Series:
    values = [fraction(x) for x in amounts]
    if all(v == 0 for v in values):
        return pd.Series([Fraction(0)] * len(values), index=amounts.index, dtype=object)
    if any(v < 0 for v in values):  # the largest-remainder method needs one sign
        return amounts.map(lambda x: rounded(x, decimals))
    return largest_remainder(amounts, rounded(total, decimals), decimals).rename(None)


def shown_settlement(s: Settlement, decimals: int = 2) -> pd.DataFrame:
    """The settlement's shown figures, indexed by member: ``planned_share_pct``,
    ``delivered_share_pct`` (summing to 100), ``planned_amount``, ``delivered_amount``
    (summing to the delivered value, to the cent) and ``transfer`` (summing to 0).

    >>> import agreements
    >>> from agreements.lifecycle import settle
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> t = shown_settlement(settle(a, [{"milestone": "t_automation",
    ...                                  "contribution": "shu_ai_team", "delivered": "0.5"}]))
    >>> [format_fixed(x) for x in t["delivered_share_pct"]], sum(t["transfer"])
    (['61.11', '11.11', '16.67', '11.11'], Fraction(0, 1))
    """
    t = s.table
    v = t.attrs["delivered_value"]
    return pd.DataFrame({"planned_share_pct": _pct(t["planned_share"], decimals),
                         "delivered_share_pct": _pct(t["delivered_share"], decimals),
                         "planned_amount": _money(t["planned_amount"], v),
                         "delivered_amount": _money(t["delivered_amount"], v),
                         "transfer": t["transfer_shown"]}, index=t.index)


def shown_admission(adm: Admission) -> pd.DataFrame:
    """The admission's figures, each rounded to the cent (half away from zero, so an
    incumbent's ``after_with_price`` is never shown below its ``before``)."""
    return adm.table.map(lambda x: None if x is None else rounded(x, 2))


def shown_withdrawal(w: Withdrawal) -> pd.DataFrame:
    """The withdrawal's figures for the remaining members: ``before`` and ``after``
    to the cent by the largest-remainder method, ``change`` their difference, and
    ``pays`` summing to what the leaving member is owed (rounded)."""
    t = w.table
    before_total = sum((fraction(x) for x in t["before"]), Fraction(0))
    out = pd.DataFrame(index=t.index)
    out["before"] = _money(t["before"], before_total)
    out["after"] = _money(t["after"], w.remaining_value)
    out["change"] = out["after"] - out["before"]
    owed = rounded(w.owed, 2)
    out["pays"] = (largest_remainder(t["pays"], owed, 2).rename(None)
                   if owed > 0 and all(fraction(x) >= 0 for x in t["pays"])
                   else t["pays"].map(lambda x: rounded(x, 2)))
    out["net"] = out["after"] - out["pays"]
    return out


# ---------------------------------------------------------------- schedules
def _word(key: str, lang: str, **fields: Any) -> str:
    if lang == "zh+en":
        return f"{term(key, 'zh', **fields)} / {term(key, 'en', **fields)}"
    return term(key, lang, **fields)


def _col(key: str, lang: str) -> str:
    return _word(f"lifecycle.columns.{key}", lang)


def _names(a: Agreement, ids: list[str], lang: str) -> list[str]:
    def one(i: str) -> str:
        if i not in a.member_ids:
            return i
        if lang == "zh+en":
            return f"{member_name(a, i, 'zh')} / {member_name(a, i, 'en')}"
        return member_name(a, i, lang)
    return [one(i) for i in ids]


def _frame(title: str, lang: str, columns: dict[str, list[str]],
           trace: Mapping[str, str], a: Agreement) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame.attrs.update(dict(trace))
    frame.attrs.update({"title": title, "kind": "schedule", "date": a.date or "",
                        "lang": lang, "agreement_id": a.id, "subtitle": a.name.en,
                        "illustrative": a.illustrative})
    return frame


def _member_col(lang: str) -> str:
    return _word("columns.member", lang)


def _total(lang: str) -> str:
    return _word("columns.total", lang)


def _pcts(values: pd.Series, total: bool = False) -> list[str]:
    cells = ["—" if x is None else f"{format_fixed(x, 2)}%" for x in values]
    if total:
        cells.append("—" if values.isna().any() else "100.00%")
    return cells


def settlement_schedules(s: Settlement, agreement: Agreement, lang: str = "zh+en",
                         trace: Mapping[str, str] | None = None) -> list[pd.DataFrame]:
    """The settlement as schedules: shares and transfers, payments, shortfalls.

    >>> import agreements
    >>> from agreements.lifecycle import settle
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> t = settlement_schedules(settle(a, [{"milestone": "t_automation",
    ...     "contribution": "shu_ai_team", "delivered": "0.5"}]), a, "en")
    >>> t[0].iloc[-1].tolist()[-1], len(t)
    ('CNY 0.00', 3)
    """
    check_lang(lang)
    trace = trace or {}
    cur = agreement.currency
    shown = shown_settlement(s)
    ids = list(shown.index)
    totals = {c: sum((fraction(x) for x in shown[c] if x is not None), Fraction(0))
              for c in ("planned_amount", "delivered_amount", "transfer")}
    cols = {_member_col(lang): [*_names(agreement, ids, lang), _total(lang)],
            _col("planned_share", lang): _pcts(shown["planned_share_pct"], True),
            _col("delivered_share", lang): _pcts(shown["delivered_share_pct"], True)}
    for key in ("planned_amount", "delivered_amount", "transfer"):
        cols[_col(key, lang)] = [money(x, cur, 2) for x in shown[key]] + [
            money(totals[key], cur, 2)]
    out = [_frame(_word("lifecycle.titles.settlement", lang), lang, cols, trace, agreement)]
    p = s.payments
    pay = {_col("payer", lang): [*_names(agreement, list(p["payer"]), lang), _total(lang)],
           _col("payee", lang): [*_names(agreement, list(p["payee"]), lang), ""],
           _word("columns.amount", lang): [money(x, cur, 2) for x in p["amount"]]
           + [money(sum(p["amount"].tolist(), Fraction(0)), cur, 2)]}
    out.append(_frame(_word("lifecycle.titles.payments", lang), lang, pay, trace, agreement))
    sf = s.shortfalls
    short = {_col("contribution", lang): list(sf.index),
             _member_col(lang): _names(agreement, list(sf["member"]), lang),
             _col("delivered", lang): [f"{format_fixed(100 * x, 2)}%" for x in sf["delivered"]],
             _col("valuation_short", lang): [money(x, cur, 2) for x in sf["valuation_short"]],
             _col("replacement_cost", lang): ["—" if x is None else money(x, cur, 2)
                                              for x in sf["replacement_cost"]]}
    out.append(_frame(_word("lifecycle.titles.shortfalls", lang), lang, short, trace,
                      agreement))
    return out


def admission_schedules(adm: Admission, agreement: Agreement, lang: str = "zh+en",
                        trace: Mapping[str, str] | None = None) -> list[pd.DataFrame]:
    """The admission as a schedule: before, after, part of the price, after with it."""
    check_lang(lang)
    cur = agreement.currency
    shown = shown_admission(adm)
    ids = list(shown.index)
    names = _names(adm.agreement, ids, lang)
    names = [f"{n} ({_word('lifecycle.labels.newcomer', lang)})" if i == adm.newcomer else n
             for n, i in zip(names, ids, strict=True)]
    cols = {_member_col(lang): [*names, _total(lang)]}
    for key in ("before", "after", "price_part", "after_with_price"):
        vals = shown[key].tolist()
        cols[_col(key, lang)] = ["—" if x is None else money(x, cur, 2) for x in vals] + [
            money(sum((x for x in vals if x is not None), Fraction(0)), cur, 2)]
    frame = _frame(_word("lifecycle.titles.admission", lang), lang, cols, trace or {},
                   agreement)
    if not adm.feasible:
        frame.attrs["title"] += f" — {_word('lifecycle.labels.no_price', lang)}"
    return [frame]


def withdrawal_schedules(w: Withdrawal, agreement: Agreement, lang: str = "zh+en",
                         trace: Mapping[str, str] | None = None) -> list[pd.DataFrame]:
    """The withdrawal as schedules: remaining shares and payments, takeover, rights."""
    check_lang(lang)
    trace = trace or {}
    cur = agreement.currency
    shown = shown_withdrawal(w)
    ids = list(shown.index)
    cols = {_member_col(lang): [*_names(agreement, ids, lang), _total(lang)]}
    for key in ("before", "after", "pays", "net"):
        vals = shown[key].tolist()
        cols[_col(key, lang)] = [money(x, cur, 2) for x in vals] + [
            money(sum(vals, Fraction(0)), cur, 2)]
    title = _word("lifecycle.titles.withdrawal", lang) + ": " + _names(
        agreement, [w.member], lang)[0] + " — " + _word(
        "lifecycle.labels.leaving", lang, owed=money(rounded(w.owed, 2), cur, 2),
        progress=f"{format_fixed(100 * w.progress, 2)}%")
    out = [_frame(title, lang, cols, trace, agreement)]
    tk = w.takeover
    out.append(_frame(_word("lifecycle.titles.takeover", lang), lang,
                      {_col("item", lang): list(tk.index), _col("by", lang): list(tk["by"]),
                       _col("how", lang): list(tk["how"])}, trace, agreement))
    rs = w.results
    out.append(_frame(_word("lifecycle.titles.rights", lang), lang,
                      {_col("result", lang): list(rs.index),
                       _col("keeps", lang): list(rs["keeps"])}, trace, agreement))
    return out


def review_schedules(r: Review, agreement: Agreement, lang: str = "zh+en",
                     trace: Mapping[str, str] | None = None) -> list[pd.DataFrame]:
    """The term review as schedules: criteria with verdicts, and the profile re-check."""
    check_lang(lang)
    trace = trace or {}
    c = r.criteria
    crit = {_col("criterion", lang): [_word(f"lifecycle.criteria.{k}", lang) for k in c.index]
            + [_word("lifecycle.verdicts.overall", lang)],
            _col("measured", lang): [*c["measured"].tolist(), ""],
            _col("verdict", lang): [_word(f"lifecycle.verdicts.{v}", lang)
                                    for v in [*c["verdict"].tolist(), r.overall]]}
    out = [_frame(_word("lifecycle.titles.review", lang), lang, crit, trace, agreement)]
    p = r.profile
    yes, no = _word("lifecycle.labels.answer_yes", lang), _word("lifecycle.labels.answer_no",
                                                                 lang)
    out.append(_frame(_word("lifecycle.titles.profile", lang) + f" ({p.attrs.get('profile')})",
                      lang, {_col("rule", lang): p["rule"].tolist(),
                             _col("passed", lang): [yes if x else no for x in p["passed"]],
                             _col("measured", lang): p["detail"].tolist()},
                      trace, agreement))
    return out
