r"""The clause table: one row per clause of the formation agreement, from the model.

Rows are grouped under the headings of a model consortium agreement [DESCA2021]_ and
numbered ``section.clause``. Every figure is computed exactly from the scenario and the
computed shares; percentages are shown with the largest-remainder method so that a
column of shares adds up to exactly 100% [BalinskiYoung2001]_.
"""

from __future__ import annotations

import hashlib
import json
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from sharing_models.exceptions import InvalidInputError

from ..scenario.loader import load
from ..scenario.model import Agreement
from .allocation import resolve_shares
from .context import FIELDS, Context, row
from .fees import fee_info
from .sections import FIRST_SECTIONS
from .sections_money import LATER_SECTIONS
from .sensitivity import share_formulas
from .wording import check_decimals, check_lang, term
from .wording import jurisdiction as detect_jurisdiction

__all__ = ["BILINGUAL_FIELDS", "SECTION_KEYS", "as_agreement", "clause_table", "column_label"]

#: Section keys in order (DESCA headings), numbered from 1.
SECTION_KEYS = tuple(key for key, _ in FIRST_SECTIONS + LATER_SECTIONS)

#: Fields shown in both languages in a ``zh+en`` table; the others are shared.
BILINGUAL_FIELDS = ("section", "heading", "rule", "parties", "figures", "fallback")


def as_agreement(agreement: Agreement | str | PathLike[str]) -> tuple[Agreement, dict[str, str]]:
    """The agreement (loading a scenario path) and its trace: source name and SHA-256.

    A file is hashed byte for byte; an in-memory agreement by its canonical JSON.
    """
    if isinstance(agreement, Agreement):
        canonical = json.dumps(agreement.model_dump(mode="json"), sort_keys=True,
                               ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        return agreement, {"source": f"{agreement.id} (model)", "sha256": digest,
                           "hash_of": "model"}
    if isinstance(agreement, str | PathLike):
        path = Path(agreement)
        loaded = load(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return loaded, {"source": path.name, "sha256": digest, "hash_of": "file"}
    raise InvalidInputError(
        f"expected an Agreement or a path to a scenario file, got {type(agreement).__name__}"
    )


def column_label(field: str, lang: str) -> str:
    """Column label of ``field`` in ``lang`` (``zh+en``: "条款 / Clause" for shared ones).

    >>> column_label("rule", "zh"), column_label("source", "zh+en")
    ('条款内容', '模型字段 / Source field')
    """
    if lang == "zh+en":
        return f"{term(f'columns.{field}', 'zh')} / {term(f'columns.{field}', 'en')}"
    return term(f"columns.{field}", lang)


#: Scenario fields a section is built from (named when the section is empty).
_SECTION_FIELDS = {"responsibilities": "tasks, contributions", "results": "results",
                   "access": "results"}


def _rows(ctx: Context) -> tuple[list[str], list[dict[str, str]]]:
    numbers, rows = [], []
    for s, (key, build) in enumerate(FIRST_SECTIONS + LATER_SECTIONS, start=1):
        built = build(ctx) or [row(ctx, key, term(f"sections.{key}", ctx.lang),
                                   term("rules.section_empty", ctx.lang),
                                   term("labels.all_parties", ctx.lang),
                                   _SECTION_FIELDS.get(key, key))]
        for k, r in enumerate(built, start=1):
            numbers.append(f"{s}.{k}")
            rows.append(r)
    return numbers, rows


def _frame(numbers: list[str], rows: list[dict[str, str]], lang: str) -> pd.DataFrame:
    data = {column_label(f, lang): [r[f] for r in rows] for f in FIELDS}
    return pd.DataFrame(data, index=pd.Index(numbers, name=column_label("clause", lang)))


def _bilingual(zh: pd.DataFrame, en: pd.DataFrame) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    for f in FIELDS:
        zl, el = term(f"columns.{f}", "zh"), term(f"columns.{f}", "en")
        if f in BILINGUAL_FIELDS:
            cols[zl], cols[el] = zh[zl].tolist(), en[el].tolist()
        else:
            cols[column_label(f, "zh+en")] = en[el].tolist()
    return pd.DataFrame(cols, index=pd.Index(en.index.tolist(),
                                             name=column_label("clause", "zh+en")))


def _column_fields(lang: str) -> dict[str, str]:
    """Column label -> field key, for exporters (column widths, grouping)."""
    fields = {column_label("clause", lang): "clause"}
    for f in FIELDS:
        if lang == "zh+en" and f in BILINGUAL_FIELDS:
            fields[term(f"columns.{f}", "zh")] = fields[term(f"columns.{f}", "en")] = f
        else:
            fields[column_label(f, lang)] = f
    return fields


def clause_table(agreement: Agreement | str | PathLike[str], allocation: Any = None,
                 lang: str = "en", *, decimals: int = 2,
                 jurisdiction: str | None = None,
                 parameter: str | None = None, contingent: Any = None) -> pd.DataFrame:
    r"""The agreement's clauses as a table, one row per clause, in ``lang``.

    Member :math:`i`'s stated share is its exact share :math:`s_i` rounded by the
    largest-remainder method, so that

    .. math:: \sum_i \operatorname{round}_{LR}(100\, s_i) = 100.00.

    Parameters
    ----------
    agreement
        An :class:`~agreements.Agreement`, or the path of a scenario file (then the
        file's SHA-256 is recorded, so a signed table can be traced to it).
    allocation
        Computed shares or amounts by member id (e.g. a Shapley value); default: the
        agreed ``sharing`` rule.
    lang
        ``"en"``, ``"zh"`` or ``"zh+en"`` (Chinese and English columns side by side).
    decimals
        Decimals of the shown percentages.
    jurisdiction
        ``"cn"`` or ``"eu"``: whose statutory fallbacks to name; default from the
        members' countries.
    parameter
        ``"<id>.<field>"`` (e.g. ``"p_smart_lab.revenue"``): add a clause giving each
        party's Shapley value as an exact affine formula of that parameter
        (:func:`~agreements.clauses.sensitivity.share_formulas`).
    contingent
        A contract contingent on which products launch
        (:attr:`agreements.negotiation.Negotiation.contingent`): add a clause stating
        each party's share of the net outcome in each case.

    Returns
    -------
    pandas.DataFrame
        Indexed by clause number (``"9.1"``); string columns section, heading, rule,
        parties bound, figures, formula, statutory fallback and source field, labelled
        in ``lang``. ``attrs`` holds the title, date, language and scenario SHA-256.

    Raises
    ------
    InvalidInputError
        Unknown ``lang``, ``jurisdiction`` or ``parameter``, or a malformed
        ``allocation``.
    ScenarioError
        The scenario file is invalid.

    Examples
    --------
    >>> t = clause_table("scenarios/baoshan_medical_devices.yaml")
    >>> t.loc["9.1", "Figures"].split("; ")
    ['Fosun Diagnostics 55.00%', 'Shanghai University 20.00%', 'Wusong Hospital 15.00%',
     'Taizhou Zecheng 10.00%']
    >>> clause_table("scenarios/baoshan_medical_devices.yaml", lang="zh").loc["9.1", "标题"]
    '分配规则'

    Notes
    -----
    Linear in the size of the scenario, plus the cost of the sharing rule when shares
    are computed here (exponential in members for Shapley-type rules).

    References
    ----------
    [DESCA2021]_, [BalinskiYoung2001]_
    """
    check_lang(lang)
    check_decimals(decimals)
    if jurisdiction not in (None, "cn", "eu"):
        raise InvalidInputError(f"jurisdiction must be 'cn' or 'eu', got {jurisdiction!r}")
    a, trace = as_agreement(agreement)
    shares = resolve_shares(a, allocation)
    juris = jurisdiction or detect_jurisdiction(a)
    fees = fee_info(a)
    formulas = share_formulas(a, parameter) if parameter else None

    def one(language: str) -> pd.DataFrame:
        ctx = Context(a, language, juris, shares, decimals, fees, formulas, contingent)
        return _frame(*_rows(ctx), language)

    table = _bilingual(one("zh"), one("en")) if lang == "zh+en" else one(lang)
    table.attrs.update(trace)
    title_lang = "en" if lang == "zh+en" else lang
    title = a.name.zh if title_lang == "zh" and a.name.zh else a.name.en
    if lang == "zh+en" and a.name.zh:
        title = f"{a.name.zh} / {a.name.en}"
    table.attrs["column_fields"] = _column_fields(lang)
    numbers, rows = _rows(Context(a, "en", juris, shares, decimals, fees, formulas,
                                  contingent))
    table.attrs["formula_latex"] = {n: r["latex"] for n, r in zip(numbers, rows, strict=True)
                                    if r.get("latex")}
    table.attrs["keys"] = [r["key"] for r in rows]
    table.attrs.update({"title": title, "date": a.date or "", "lang": lang, "kind": "clauses",
                        "illustrative": a.illustrative, "agreement_id": a.id})
    return table
