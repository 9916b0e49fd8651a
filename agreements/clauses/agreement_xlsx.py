"""The agreement's schedules as an Excel workbook whose numbers are numbers.

One sheet per schedule (named in full, at most 31 characters, from the wording file):
amounts and percentages are numeric cells with currency and percentage number formats,
showing the same rounded figures as the Word document (one display path, so each column
sums exactly to its total); exact shares stay in their own column as fractions
(``11/20``); a totals row sums the column above with a ``=SUM()`` formula, so a reader can
check that the shares make 100% and the amounts the consortium's value v(N). Text wraps,
the header rows are frozen and repeat on every printed page, and each sheet prints on
A4, fitted to the page width.

Every text cell from the scenario passes through
:func:`agreements.scenario.safe_text.spreadsheet_safe`, so a name such as ``=HYPERLINK()``
stays text; numbers (negative ones too) stay numbers.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..scenario.safe_text import spreadsheet_safe
from .document import Document, Table

__all__ = ["agreement_xlsx", "sheet_name"]

_FILL = PatternFill("solid", fgColor="D9E2F3")
_INVALID = set('[]:*?/\\')
_DANGLING = {"and", "of", "to", "the", "their", "for", "with", "in", "on", "a", "an", "by"}


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, cut between words if needed.

    >>> sheet_name("Shares of Distributable Income and Expected Amounts", set())
    'Shares of Distributable Income'
    >>> sheet_name("Contributions and their valuation (agreed)", set())
    'Contributions'
    """
    clean = "".join(" " if ch in _INVALID else ch for ch in name).strip(" '") or "Sheet"
    if len(clean) > 31:
        words, out = clean.split(), ""
        for word in words:
            if len(out) + len(word) + (1 if out else 0) > 31:
                break
            out = f"{out} {word}".strip()
        kept = out.split()
        while len(kept) > 1 and kept[-1].lower() in _DANGLING:
            kept.pop()  # "Contributions and their" -> "Contributions"
        clean = " ".join(kept) or clean[:31]
    base, k = clean, 2
    while clean.lower() in {u.lower() for u in used}:
        suffix = f" ({k})"
        clean, k = base[:31 - len(suffix)] + suffix, k + 1
    used.add(clean)
    return clean


def _width(text: str) -> float:
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def _money_format(currency: str) -> str:
    code = "".join(ch for ch in currency if ch.isalnum())[:5] or "CNY"
    return f'"{code}" #,##0;"{code}" -#,##0;"—"'


def _sheet(wb: Workbook, table: Table, langs: tuple[str, ...], currency: str,
           used: set[str]) -> None:
    ws = wb.create_sheet(sheet_name(" ".join(dict.fromkeys(table.sheet[lg] for lg in langs)),
                                    used))
    ncol = len(table.columns)
    ws.cell(row=1, column=1, value=spreadsheet_safe(
        "  ".join(table.title[lg] for lg in langs))).font = Font(bold=True, size=12)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    widths = [0.0] * ncol
    for j, head in enumerate(table.columns, start=1):
        text = "\n".join(dict.fromkeys(head[lg] for lg in langs))
        c = ws.cell(row=2, column=j, value=spreadsheet_safe(text))
        c.font, c.fill = Font(bold=True), _FILL
        c.alignment = Alignment(wrap_text=True, vertical="top")
        widths[j - 1] = max(_width(line) for line in text.split("\n"))
    body = [(k, cells) for k, cells in table.rows if k != table.total_key]
    first, last = 3, 2 + len(body)
    kinds = [next((cells[j].kind for _, cells in body), "text") for j in range(ncol)]
    for i, (_, cells) in enumerate(body, start=first):
        for j, cell in enumerate(cells, start=1):
            kind = kinds[j - 1]
            if kind in ("money", "percent") and cell.value is not None:
                c = ws.cell(row=i, column=j, value=float(cell.value))
                c.number_format = "0.00%" if kind == "percent" else _money_format(currency)
                c.alignment = Alignment(horizontal="right", vertical="top")
                shown = len(format(float(cell.value), ",.2f")) + 4
            else:
                text = "\n".join(dict.fromkeys(cell.text[lg] for lg in langs))
                c = ws.cell(row=i, column=j, value=spreadsheet_safe(text))
                c.alignment = Alignment(wrap_text=True, vertical="top")
                shown = max(_width(line) for line in text.split("\n"))
            widths[j - 1] = max(widths[j - 1], shown)
    total = dict(table.rows).get(table.total_key) if table.total_key else None
    if total is not None and body:
        row = last + 1
        for j, cell in enumerate(total, start=1):
            kind = kinds[j - 1]
            if kind in ("money", "percent"):
                letter = get_column_letter(j)
                c = ws.cell(row=row, column=j, value=f"=SUM({letter}{first}:{letter}{last})")
                c.number_format = "0.00%" if kind == "percent" else _money_format(currency)
                c.alignment = Alignment(horizontal="right")
            else:
                text = "\n".join(dict.fromkeys(cell.text[lg] for lg in langs))
                c = ws.cell(row=row, column=j, value=spreadsheet_safe(text))
                c.alignment = Alignment(wrap_text=True)
            c.font = Font(bold=True)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 48)
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if table.landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True


def agreement_xlsx(doc: Document, *, record: dict[str, str] | None = None,
                   currency: str | None = None) -> bytes:
    """The schedules of ``doc`` as an ``.xlsx`` workbook (bytes).

    Parameters
    ----------
    doc : Document
        The draft (:func:`~agreements.clauses.document.agreement_document`).
    record : dict, optional
        Provenance (:func:`agreements.scenario.provenance.provenance`), stored in the
        workbook's properties (description, identifier = the inputs' SHA-256).
    currency : str, optional
        Currency code of the number formats (default: the agreement's).

    Returns
    -------
    bytes
        The workbook: one sheet per schedule, figures as numbers, ``=SUM`` totals.

    Examples
    --------
    >>> from agreements import load
    >>> from agreements.clauses.document import agreement_document
    >>> doc = agreement_document(load("scenarios/baoshan_medical_devices.yaml"), "en")
    >>> agreement_xlsx(doc)[:2]
    b'PK'
    """
    from ..scenario.provenance import provenance_footer

    wb = Workbook()
    wb.remove(wb.active)
    cur = currency or doc.currency
    used: set[str] = set()
    for table in doc.schedules:
        _sheet(wb, table, doc.langs, cur, used)
    props: Any = wb.properties
    props.title = " / ".join(doc.title[lg] for lg in doc.langs)
    if record:
        props.creator = record.get("tool", "consortium-toolkit")
        props.description = provenance_footer(record)
        props.identifier = record.get("scenario_sha256", "")
        props.subject = record.get("command", "")
        props.keywords = "consortium agreement; provenance"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
