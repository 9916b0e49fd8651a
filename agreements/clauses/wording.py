"""Fixed legal wording in English and Chinese, read from the terminology table.

The wording lives in ``agreements/terms/terms.yaml`` (data, not code) so that a lawyer
can correct a phrase without touching Python. :func:`term` looks a phrase up by its
dotted key and fills its ``{placeholders}``; the helpers below format names, money and
percentages the same way in every clause.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sharing_models.exceptions import InvalidInputError

from ..scenario.model import Agreement
from ..sharing.display import exact, format_fixed

__all__ = [
    "LANGS",
    "body_name",
    "check_decimals",
    "check_lang",
    "fallback",
    "join",
    "jurisdiction",
    "member_name",
    "money",
    "names",
    "percent",
    "share_of",
    "term",
    "terms",
]

#: Languages of a clause table: one language, or Chinese and English side by side.
LANGS = ("en", "zh", "zh+en")


@cache
def terms() -> dict[str, Any]:
    """The terminology table (parsed ``agreements/terms/terms.yaml``)."""
    text = resources.files("agreements").joinpath("terms/terms.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`, else an :class:`InvalidInputError`."""
    if lang not in LANGS:
        raise InvalidInputError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def check_decimals(decimals: int) -> int:
    """``decimals`` if it is a whole number from 0 to 6, else an :class:`InvalidInputError`."""
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise InvalidInputError(f"decimals must be a whole number from 0 to 6, got {decimals!r}")
    return decimals


def term(key: str, lang: str, /, **fields: Any) -> str:
    """The wording at dotted ``key`` in ``lang`` (``"en"`` or ``"zh"``), filled in.

    >>> term("sections.revenue", "zh")
    '收益分配'
    >>> term("labels.days", "en", n=30)
    '30 days'
    """
    node: Any = terms()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"terms.yaml has no entry {key!r}")
        node = node[part]
    if not isinstance(node, dict) or lang not in node:
        raise KeyError(f"terms.yaml entry {key!r} has no {lang!r} wording")
    return str(node[lang]).format(**fields) if fields else str(node[lang])


def member_name(agreement: Agreement, member_id: str, lang: str) -> str:
    """A member's name in ``lang``; the English name when no Chinese name is given."""
    name = agreement.member(member_id).name
    return name.zh if lang == "zh" and name.zh else name.en


def body_name(body: str, lang: str) -> str:
    """The governing body's name in ``lang`` (terminology table), else as written.

    >>> body_name("council", "zh"), body_name("Steering Committee", "zh"), body_name("X", "zh")
    ('理事会', '指导委员会', 'X')
    """
    entry = terms().get("bodies", {}).get(body.strip().lower().replace(" ", "_"))
    return str(entry[lang]) if entry else body


def join(items: Iterable[str], lang: str) -> str:
    """Items joined with the list separator of ``lang`` (", " or "、")."""
    items = list(items)
    return term("labels.list_sep", lang).join(items) if items else term("labels.none", lang)


def names(agreement: Agreement, ids: Iterable[str], lang: str) -> str:
    """Member names in ``lang``, joined; "All parties" when ``ids`` is every member."""
    ids = list(dict.fromkeys(ids))
    if len(ids) > 1 and set(ids) == set(agreement.member_ids):
        return term("labels.all_parties", lang)
    return join((member_name(agreement, i, lang) for i in ids), lang)


def money(amount: object, currency: str, decimals: int | None = None) -> str:
    """An amount with its currency code; by default whole units unless it has cents.

    >>> money(40_000_000.0, "CNY"), money(Fraction(1, 4), "EUR"), money(200, "CNY", 2)
    ('CNY 40,000,000', 'EUR 0.25', 'CNY 200.00')
    """
    q = exact(amount)
    places = decimals if decimals is not None else (0 if q.denominator == 1 else 2)
    return f"{currency} {format_fixed(q, places)}"


def percent(share: object, decimals: int = 2) -> str:
    """A share (a fraction of 1) as a percentage, e.g. ``0.05`` -> ``'5.00%'``.

    >>> percent(Fraction(1, 3)), percent(0.05, 0)
    ('33.33%', '5%')
    """
    return format_fixed(exact(share) * 100, decimals) + "%"


def jurisdiction(agreement: Agreement) -> str:
    """``"cn"`` when most members are in China (or the currency is CNY), else ``"eu"``.

    Picks which statutory fallbacks the clause table names.
    """
    countries = [m.country for m in agreement.members if m.country]
    if countries:
        return "cn" if 2 * sum(c.upper() == "CN" for c in countries) > len(countries) else "eu"
    return "cn" if agreement.currency.upper() in {"CNY", "RMB"} else "eu"


def fallback(key: str, agreement: Agreement, lang: str, juris: str | None = None) -> str:
    """The statutory fallback ``fallbacks.<key>`` for the agreement's jurisdiction."""
    return term(f"fallbacks.{key}.{juris or jurisdiction(agreement)}", lang)


def share_of(x: object, whole: object) -> Fraction:
    """``x / whole`` exactly (0 when ``whole`` is 0)."""
    w = exact(whole)
    return exact(x) / w if w else Fraction(0)
