"""The draft formation agreement as a document model: articles, clauses and schedules.

:func:`agreement_document` reads a scenario and returns a :class:`Document`: a title, a
parties block, recitals, numbered articles of numbered clauses and schedules as tables,
in one or two languages. The wording is data, not code: ``wording/zh.yaml`` and
``wording/en.yaml`` (package data, or a firm's own file) hold one Jinja2 template per
clause, rendered in a sandboxed environment from a context of names, amounts and shares
prepared here. Every share and amount comes from :func:`agreements.sharing.allocate`
(through :func:`~agreements.clauses.allocation.resolve_shares`) and is rounded for display
only by :func:`agreements.sharing.display.largest_remainder`, so each schedule's shown
percentages sum to exactly 100.00%.

Renderers (:mod:`~agreements.clauses.agreement_docx`, :mod:`~agreements.clauses.agreement_text`,
:mod:`~agreements.clauses.agreement_xlsx`) turn the model into Word, Markdown, HTML or
Excel; :func:`~agreements.clauses.agreement_docx.redline_docx` compares two models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from sharing_models.exceptions import ConsortiumError

from ..errors import AgreementError
from ..scenario.model import Agreement, Ownership
from ..sharing import allocate
from ..sharing.display import exact, format_fixed, largest_remainder, rounded
from .allocation import resolve_shares
from .context import owners_of
from .fees import fee_info
from .wording import body_name, fallback, jurisdiction, term

__all__ = ["MISSING_ZH", "Block", "Cell", "Document", "Table", "agreement_document",
           "wording"]

#: What the Chinese text says where the scenario gives no Chinese name.
MISSING_ZH = "[待补：中文名称]"

_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Cell:
    """One table cell: its text per language and, for figures, the number behind it.

    ``kind`` is ``"text"``, ``"money"``, ``"percent"`` or ``"fraction"``; ``value`` is the
    figure shown (a :class:`~fractions.Fraction`, a percentage as a fraction of 1) for the
    three numeric kinds, rounded by the one display path so that a column sums to its
    total; ``exact`` is the unrounded figure where it differs.
    """

    text: dict[str, str]
    kind: str = "text"
    value: Fraction | None = None
    exact: Fraction | None = None  # the exact figure behind a rounded ``value``


@dataclass
class Table:
    """A schedule: title, header row and rows keyed by a stable id (for redlines)."""

    key: str
    title: dict[str, str]
    columns: list[dict[str, str]]
    rows: list[tuple[str, list[Cell]]]
    total_key: str | None = None  # the key of the totals row, if any
    sheet: dict[str, str] = field(default_factory=dict)  # short name (<= 31 characters)

    @property
    def landscape(self) -> bool:
        """Whether the schedule needs a landscape section (more than 6 columns)."""
        return len(self.columns) > 6


@dataclass
class Block:
    """A heading (``article``), numbered ``clause``, plain ``para`` or ``title`` line."""

    kind: str
    key: str
    text: dict[str, str]


@dataclass
class Document:
    """The draft agreement: blocks in order, then schedules; ``langs`` in print order."""

    langs: tuple[str, ...]
    title: dict[str, str]
    blocks: list[Block] = field(default_factory=list)
    schedules: list[Table] = field(default_factory=list)
    signatures: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    currency: str = "CNY"


# --------------------------------------------------------------------------- wording
@cache
def _env() -> SandboxedEnvironment:
    # Plain text out: every renderer escapes for its own format; scenario values are
    # variables, never template source, so "{{ }}" in a name stays text.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                keep_trailing_newline=False)


def wording(lang: str, path: str | Path | None = None) -> dict[str, Any]:
    """The clause wording of ``lang`` (``"en"`` or ``"zh"``): the packaged file, or ``path``.

    >>> wording("zh")["articles"][0]["heading"]
    '定义'
    """
    if path is not None:
        text = Path(path).read_text("utf-8")
    else:
        text = resources.files("agreements.clauses").joinpath(f"wording/{lang}.yaml") \
            .read_text("utf-8")
    where = str(path) if path is not None else f"agreements/clauses/wording/{lang}.yaml"
    try:
        words = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AgreementError(f"wording file {where}: not valid YAML: "
                             f"{str(exc).splitlines()[0]}") from None
    _check_wording(words, where)
    return words


#: Top-level entries every wording file has.
WORDING_KEYS = ("title", "review_mark", "work_package", "total", "signature", "signed_by",
                "date_line", "schedules_heading", "page", "page_after", "preamble",
                "articles", "schedules")
_SCHEDULES = ("parties", "contributions", "work_plan", "shares", "fees")


def _check_wording(words: Any, where: str) -> None:
    """A clear :class:`AgreementError` for a wording file without the expected layout."""
    def fail(what: str) -> None:
        raise AgreementError(f"wording file {where}: {what} (see the packaged "
                             "agreements/clauses/wording/en.yaml for the layout)")

    if not isinstance(words, dict):
        fail("expected a mapping at the top")
    missing = [k for k in WORDING_KEYS if k not in words]
    if missing:
        fail(f"missing {', '.join(missing)}")
    for k, item in enumerate(words["preamble"] or []):
        if not isinstance(item, dict) or "text" not in item:
            fail(f"preamble[{k}] needs a text")
    for a, art in enumerate(words["articles"] or []):
        if not isinstance(art, dict) or not {"key", "heading", "clauses"} <= set(art):
            fail(f"articles[{a}] needs key, heading and clauses")
        for c, clause in enumerate(art["clauses"] or []):
            if not isinstance(clause, dict) or not {"key", "text"} <= set(clause):
                fail(f"articles[{a}].clauses[{c}] needs key and text")
    for key in _SCHEDULES:
        entry = words["schedules"].get(key) if isinstance(words["schedules"], dict) else None
        if not isinstance(entry, dict) or not {"title", "columns"} <= set(entry):
            fail(f"schedules.{key} needs title and columns")


def _same_layout(words: dict[str, dict[str, Any]]) -> None:
    """The wording files of the languages of one document must have the same clauses."""
    shapes = {lg: [(art["key"], [c["key"] for c in art["clauses"]]) for art in w["articles"]]
              + [("preamble", [str(len(w["preamble"]))])] for lg, w in words.items()}
    first, *rest = shapes
    for lg in rest:
        if shapes[lg] != shapes[first]:
            raise AgreementError(f"the {first} and {lg} wording files differ in their "
                                 "articles or clause keys; they must match one to one")
        for key in _SCHEDULES:
            if len(words[lg]["schedules"][key]["columns"]) != \
                    len(words[first]["schedules"][key]["columns"]):
                raise AgreementError(f"the {first} and {lg} wording files give schedule "
                                     f"{key} different numbers of columns")


@lru_cache(maxsize=2048)
def _compiled(template: str) -> Any:
    return _env().from_string(template)


@lru_cache(maxsize=256)
def _expression(expr: str) -> Any:
    return _env().compile_expression(expr)


def _render(template: str, ctx: dict[str, Any]) -> str:
    return " ".join(_compiled(template).render(**ctx).split())


def _when(expr: str | None, ctx: dict[str, Any]) -> bool:
    return True if not expr else bool(_expression(expr)(**ctx))


# --------------------------------------------------------------------------- context
def _name(obj: Any, lang: str, fallback_id: str = "") -> str:
    name = getattr(obj, "name", None)
    if name is None:
        return MISSING_ZH if lang == "zh" else fallback_id
    if lang == "zh":
        return name.zh or MISSING_ZH
    return name.en


def _place(text: str | None, lang: str, places: dict[str, str]) -> str:
    if not text:
        return ""
    if lang != "zh" or _CJK.search(text):
        return text
    return places.get(text, MISSING_ZH)


def _free_text(text: str | None, lang: str) -> str:
    """Free text (descriptions, milestones) is English in scenarios; zh marks it."""
    if not text:
        return ""
    if lang == "zh" and not _CJK.search(text):
        return "[待补：中文译文]"
    return text


def _money(x: object, currency: str, pattern: str | None = None) -> str:
    """An amount with its currency: ``CNY 40,000,000``, or the language's own pattern
    from the wording file (``人民币{{ amount }}元``)."""
    q = exact(x)
    amount = format_fixed(q, 0 if q.denominator == 1 else 2)
    return _render(pattern, {"amount": amount}) if pattern else f"{currency} {amount}"


#: Largest denominator an exact share is written with as a fraction (1/12, 11/20);
#: a share of a computed rule with a longer one is written as a percentage to 6 places.
MAX_DENOMINATOR = 10_000


def _fraction(q: Fraction) -> str:
    """An exact share as the agreement would write it: ``1/12``, ``11/20``, ``1``, or
    ``≈ 2.627312%`` for a fraction no lawyer would type (kept exact in XLSX)."""
    if q.denominator == 1:
        return str(q.numerator)
    if q.denominator <= MAX_DENOMINATOR:
        return f"{q.numerator}/{q.denominator}"
    return f"≈ {format_fixed(q * 100, 6)}%"


def _cell_money(x: object, currency: str, pattern: str | None = None) -> str:
    """An amount in a schedule: a dash for nothing (no "CNY 0" cells)."""
    return "—" if exact(x) == 0 else _money(x, currency, pattern)


def _join(items: list[str], lang: str) -> str:
    return term("labels.list_sep", lang).join(items) if items else term("labels.none", lang)


def _shares(a: Agreement) -> dict[str, Any]:
    """Exact shares and amounts of the agreed rule, from the one sharing path."""
    resolved = resolve_shares(a)
    if resolved.values is None:
        return {"method": resolved.method, "why": resolved.why_missing, "share": None,
                "amount": None, "grand": None}
    share = resolved.values
    amount = grand = None
    try:
        alloc = allocate(a, resolved.method)
        grand = rounded(exact(alloc.attrs.get("grand_value", 0)), 0)  # whole units shown
        amount = alloc["amount"].map(exact) if grand else None
    except ConsortiumError:  # amounts are optional; the shares stand
        amount = None
    return {"method": resolved.method, "why": None, "share": share, "amount": amount,
            "grand": grand}


def _lang_context(a: Agreement, lang: str, words: dict[str, Any], sh: dict[str, Any],
                  fees: Any) -> dict[str, Any]:
    places = words.get("places", {})
    pattern = words.get("currencies", {}).get(a.currency)

    def money(x: object) -> str:
        return _money(x, a.currency, pattern)

    ids = a.member_ids
    pname = {m.id: _name(m, lang) for m in a.members}
    leads = [m.id for m in a.members if m.layer.value == "lead"] or ids[:1]
    parties = [{"n": k + 1, "id": m.id, "name": pname[m.id],
                "kind": term(f"kinds.{m.kind.value}", lang),
                "layer": term(f"layers.{m.layer.value}", lang),
                "place": _place(m.registered_in or m.region, lang, places),
                "country": m.country or ""} for k, m in enumerate(a.members)]
    by_member: dict[str, list[dict[str, str]]] = {i: [] for i in ids}
    totals = dict.fromkeys(ids, Fraction(0))
    for c in a.contributions:
        by_member[c.member].append({"kind": term(f"contribution_kinds.{c.kind.value}", lang),
                                    "value": money(c.valuation),
                                    "description": _free_text(c.description, lang)})
        totals[c.member] += exact(c.valuation)
    contributions = [{"name": pname[i], "items": by_member[i], "total": money(totals[i])}
                     for i in ids]
    all_value = sum(totals.values(), Fraction(0))
    tasks = [{"n": k + 1, "name": _name(t, lang, t.id),
              "lead": pname.get(t.lead, "") if t.lead else "",
              "members": _join([pname[i] for i in t.members if i in pname], lang),
              "months": t.duration_months, "budget": money(t.cost) if t.cost else "",
              "milestone": _free_text(t.milestone, lang),
              "probability": format_fixed(exact(t.success_probability) * 100, 0) + "%"}
             for k, t in enumerate(a.tasks)]
    results = []
    for r in a.results:
        owners = _join([pname[i] for i in owners_of(a, r.id) if i in pname], lang)
        results.append({"name": _name(r, lang, r.id), "owners": owners,
                        "joint": r.ownership is Ownership.JOINT or len(r.owners) > 1,
                        "project": term(f"access_terms.{r.access.project.value}", lang),
                        "exploitation": term(f"access_terms.{r.access.exploitation.value}",
                                             lang)})
    share_rows, equal = [], None
    if sh["share"] is not None:
        shown = largest_remainder(sh["share"] * 100, 100, 2)
        for i in ids:
            share_rows.append({"name": pname[i], "exact": _fraction(sh["share"][i]),
                               "shown": format_fixed(shown[i], 2) + "%"})
        values = set(sh["share"].tolist())
        if len(values) == 1 and len(ids) > 1:
            q = next(iter(values))
            equal = {"exact": _fraction(q), "shown": format_fixed(q * 100, 2) + "%"}
    method = sh["method"]
    method_label = term(f"methods.{method}", lang) if method else term("labels.none", lang)
    g = a.governance
    votes = g.votes or dict.fromkeys(ids, 1)
    fee_rows = []
    if fees.table is not None:
        for i in ids:
            if i in fees.table.index:
                fee_rows.append({"name": pname[i], "fee": money(fees.table.loc[i, "fee"])})
    juris = jurisdiction(a)
    mark = words["review_mark"]
    fb = {k: f"{fallback(k, a, lang, juris)} {mark}" for k in
          ("entry_into_force", "liability", "results", "joint", "access", "revenue",
           "inventor_reward", "default", "withdrawal")}
    s = a.sharing
    reward = s.inventor_reward
    return {
        "name": _name(a, lang, a.id), "date": a.date or "", "currency": a.currency,
        "term_years": format_fixed(exact(a.term_years), 0 if exact(a.term_years).denominator
                                   == 1 else 1) if a.term_years else "",
        "description": _free_text((a.description or "").strip().rstrip("."), lang),
        "region": _place(a.region, lang, places), "illustrative": a.illustrative,
        "parties": parties, "n_parties": len(ids), "lead": pname[leads[0]],
        "contributions": contributions, "contribution_total": money(all_value),
        "tasks": tasks, "results": results,
        "products": [_name(p, lang, p.id) for p in a.products],
        "method": method or "", "method_label": method_label, "why_no_shares": sh["why"],
        "shares": share_rows, "equal": equal,
        "fixed": method == "fixed",
        "grand": money(sh["grand"]) if sh["grand"] else "",
        "body": body_name(g.body, lang),
        "votes": [{"name": pname[i], "votes": votes.get(i, 0)} for i in ids],
        "total_votes": sum(votes.values()),
        "quota": format_fixed(exact(g.quota) * 100, 0 if (exact(g.quota) * 100).denominator
                              == 1 else 2) + "%",
        "tiers": [lv.label or lv.name for lv in s.tiers.levels] if s.tiers else [],
        "fees": fee_rows, "fees_why": fees.why,
        "cost_recovery_first": s.cost_recovery_first,
        "reserve": format_fixed(exact(s.reserve_fund) * 100, 0 if
                                (exact(s.reserve_fund) * 100).denominator == 1 else 2) + "%"
        if s.reserve_fund else "",
        "inventor_reward": reward if isinstance(reward, str) else
        format_fixed(exact(reward) * 100, 0) + "%",
        "notice_days": a.default.notice_days, "remedy_days": a.default.remedy_days,
        "withdrawal_months": a.default.withdrawal_notice_months,
        "forfeit": format_fixed(exact(a.default.forfeit_share) * 100, 0) + "%",
        "juris": juris, "fallback": fb,
    }


# --------------------------------------------------------------------------- schedules
def _cell(per_lang: dict[str, str], kind: str = "text", value: Any = None,
          unrounded: Any = None) -> Cell:
    return Cell(dict(per_lang), kind, None if value is None else exact(value),
                None if unrounded is None else exact(unrounded))


def _schedules(a: Agreement, langs: tuple[str, ...], words: dict[str, dict[str, Any]],
               ctxs: dict[str, dict[str, Any]], sh: dict[str, Any], fees: Any) -> list[Table]:
    cur = a.currency
    ids = a.member_ids
    pat = {lg: words[lg].get("currencies", {}).get(cur) for lg in langs}

    def head(key: str) -> list[dict[str, str]]:
        return [dict(zip(langs, cols, strict=True)) for cols in
                zip(*(words[lg]["schedules"][key]["columns"] for lg in langs), strict=True)]

    def title(key: str) -> dict[str, str]:
        return {lg: words[lg]["schedules"][key]["title"] for lg in langs}

    def sheet(key: str) -> dict[str, str]:
        return {lg: words[lg]["schedules"][key].get("sheet", key) for lg in langs}

    def each(fn: Any) -> dict[str, str]:
        return {lg: fn(lg) for lg in langs}

    total_word = {lg: words[lg]["total"] for lg in langs}
    out = []
    parties = [(m.id, [_cell(each(lambda lg, k=k: str(k + 1))),
                       _cell(each(lambda lg, k=k: ctxs[lg]["parties"][k]["name"])),
                       _cell(each(lambda lg, k=k: ctxs[lg]["parties"][k]["kind"])),
                       _cell(each(lambda lg, k=k: ctxs[lg]["parties"][k]["layer"])),
                       _cell(each(lambda lg, k=k: ctxs[lg]["parties"][k]["place"] or "—"))])
               for k, m in enumerate(a.members)]
    out.append(Table("parties", title("parties"), head("parties"), parties))

    values = [exact(c.valuation) for c in a.contributions]
    total = sum(values, Fraction(0))
    rows = []
    if total:
        shown = largest_remainder(values, 100, 2)
        for c, v, pct in zip(a.contributions, values, shown, strict=True):
            k = ids.index(c.member)
            rows.append((c.id, [
                _cell(each(lambda lg, k=k: ctxs[lg]["parties"][k]["name"])),
                _cell(each(lambda lg, c=c: term(f"contribution_kinds.{c.kind.value}", lg)
                           + (f" — {_free_text(c.description, lg)}" if c.description else ""))),
                _cell(each(lambda lg, v=v: _cell_money(v, cur, pat[lg])), "money", v),
                _cell(each(lambda lg, p=pct: format_fixed(p, 2) + "%"), "percent", pct / 100,
                      v / total)]))
        rows.append(("total", [_cell(total_word), _cell(each(lambda lg: "")),
                               _cell(each(lambda lg: _money(total, cur, pat[lg])), "money", total),
                               _cell(each(lambda lg: "100.00%"), "percent", 1)]))
    out.append(Table("contributions", title("contributions"), head("contributions"), rows,
                     "total" if rows else None))

    rows = []
    for k, t in enumerate(a.tasks):
        rows.append((t.id, [
            _cell(each(lambda lg, k=k: _render(words[lg]["work_package"], {"n": k + 1}) + " "
                       + ctxs[lg]["tasks"][k]["name"])),
            _cell(each(lambda lg, k=k: ctxs[lg]["tasks"][k]["lead"] or "—")),
            _cell(each(lambda lg, k=k: ctxs[lg]["tasks"][k]["members"])),
            _cell(each(lambda lg, t=t: term("labels.months", lg, n=t.duration_months)
                       if t.duration_months is not None else "—")),
            _cell(each(lambda lg, t=t: _money(t.cost, cur, pat[lg]) if t.cost else "—"),
                  "money" if t.cost else "text", t.cost if t.cost else None),
            _cell(each(lambda lg, k=k: ctxs[lg]["tasks"][k]["milestone"] or "—"))]))
    out.append(Table("work_plan", title("work_plan"), head("work_plan"), rows))

    rows = []
    if sh["share"] is not None:
        shown = largest_remainder(sh["share"] * 100, 100, 2)
        amounts = (largest_remainder(sh["amount"].tolist(), sh["grand"], 0)
                   if sh["amount"] is not None else None)
        for j, i in enumerate(ids):
            q = sh["share"][i]
            cells = [_cell(each(lambda lg, j=j: ctxs[lg]["parties"][j]["name"])),
                     _cell(each(lambda lg, q=q: _fraction(q)), "fraction", q),
                     _cell(each(lambda lg, i=i: format_fixed(shown[i], 2) + "%"), "percent",
                           shown[i] / 100, q)]
            if amounts is not None:
                cells.append(_cell(each(lambda lg, m=amounts[j]: _cell_money(m, cur, pat[lg])),
                                   "money", amounts[j], sh["amount"][i]))
            rows.append((i, cells))
        cells = [_cell(total_word), _cell(each(lambda lg: "1"), "fraction", 1),
                 _cell(each(lambda lg: "100.00%"), "percent", 1)]
        if amounts is not None:
            cells.append(_cell(each(lambda lg: _money(sh["grand"], cur, pat[lg])), "money",
                               sh["grand"]))
        rows.append(("total", cells))
    cols = head("shares")
    if sh["amount"] is None:
        cols = cols[:3]
    out.append(Table("shares", title("shares"), cols, rows, "total" if rows else None))

    if fees.table is not None:
        rows = []
        for j, i in enumerate(ids):
            if i not in fees.table.index:
                continue
            fee = exact(fees.table.loc[i, "fee"])
            tier = str(fees.table.loc[i, "tier"]) if "tier" in fees.table.columns else ""
            rows.append((i, [_cell(each(lambda lg, j=j: ctxs[lg]["parties"][j]["name"])),
                             _cell(each(lambda lg, t=tier: _free_text(t, lg) or "—")),
                             _cell(each(lambda lg, f=fee: _cell_money(f, cur, pat[lg])), "money",
                                   fee)]))
        out.append(Table("fees", title("fees"), head("fees"), rows))
    for table in out:
        table.sheet = sheet(table.key)
    return out


# --------------------------------------------------------------------------- builder
def agreement_document(agreement: Agreement, lang: str = "zh+en",
                       wording_files: dict[str, str | Path] | None = None) -> Document:
    """The draft formation agreement of ``agreement`` as a :class:`Document`.

    Parameters
    ----------
    agreement : Agreement
        A loaded scenario.
    lang : {"zh", "en", "zh+en"}
        Language(s); in ``"zh+en"`` every clause is given in Chinese, then English.
    wording_files : dict, optional
        A firm's own wording per language (``{"zh": path, "en": path}``), in the layout
        of the packaged ``agreements/clauses/wording/*.yaml``.

    Returns
    -------
    Document
        Blocks (title, parties, recitals, articles, clauses), schedules, signatures.

    Raises
    ------
    sharing_models.exceptions.InvalidInputError
        For an unknown ``lang``.
    agreements.errors.AgreementError
        For a wording file that is not valid YAML or lacks the expected layout.

    Notes
    -----
    Cost: one call of the agreed sharing rule plus one template rendering per clause.
    Clause order follows a model consortium agreement [DESCA2021]_.

    Examples
    --------
    >>> from agreements import load
    >>> doc = agreement_document(load("scenarios/baoshan_medical_devices.yaml"), "en")
    >>> sum(b.kind == "clause" for b in doc.blocks) >= 30
    True
    >>> [t.key for t in doc.schedules]
    ['parties', 'contributions', 'work_plan', 'shares']
    """
    from sharing_models.exceptions import InvalidInputError

    if lang not in ("zh", "en", "zh+en"):
        raise InvalidInputError(f"unknown language {lang!r}; expected zh, en or zh+en")
    langs: tuple[str, ...] = ("zh", "en") if lang == "zh+en" else (lang,)
    words = {lg: wording(lg, (wording_files or {}).get(lg)) for lg in langs}
    _same_layout(words)
    sh = _shares(agreement)
    fees = fee_info(agreement)
    ctxs = {lg: _lang_context(agreement, lg, words[lg], sh, fees) for lg in langs}
    first = langs[0]
    doc = Document(langs, {lg: _render(words[lg]["title"], ctxs[lg]) for lg in langs},
                   currency=agreement.currency)

    def render(node: dict[str, Any], key: str, extra: dict[str, Any] | None = None) -> None:
        texts = {lg: _render(_pick(words[lg], node["path"])["text"],
                             {**ctxs[lg], **(extra or {}).get(lg, {})}) for lg in langs}
        doc.blocks.append(Block(node["kind"], key, texts))

    for part in ("preamble",):
        for k, item in enumerate(words[first][part]):
            if _when(item.get("when"), ctxs[first]):
                render({"kind": "para", "path": (part, k)}, f"{part}.{k}")
    for a_k, art in enumerate(words[first]["articles"]):
        doc.blocks.append(Block("article", art["key"],
                                {lg: words[lg]["articles"][a_k]["heading"] for lg in langs}))
        for c_k, clause in enumerate(art["clauses"]):
            if not _when(clause.get("when"), ctxs[first]):
                continue
            node = {"kind": "clause", "path": ("articles", a_k, "clauses", c_k)}
            key = f"{art['key']}.{clause['key']}"
            each = clause.get("each")
            if each:
                for j, _ in enumerate(ctxs[first][each]):
                    ident = _item_id(agreement, each, j)
                    render(node, f"{key}.{ident}", {lg: {"item": ctxs[lg][each][j]}
                                                    for lg in langs})
            else:
                render(node, key)
    doc.schedules = _schedules(agreement, langs, words, ctxs, sh, fees)
    doc.signatures = [(m.id, {lg: ctxs[lg]["parties"][k]["name"] for lg in langs})
                      for k, m in enumerate(agreement.members)]
    doc.meta = {lg: {k: words[lg][k] for k in ("signature", "signed_by", "date_line",
                                               "schedules_heading", "page", "page_after")}
                for lg in langs}
    return doc


def _pick(words: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    node: Any = words
    for p in path:
        node = node[p]
    return node


def _item_id(a: Agreement, each: str, j: int) -> str:
    seq = {"parties": a.members, "contributions": a.members, "tasks": a.tasks,
           "results": a.results}.get(each)
    return seq[j].id if seq is not None else str(j)
