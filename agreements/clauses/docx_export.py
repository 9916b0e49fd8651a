"""Word (DOCX) export of clause tables and schedules through python-docx.

Real Word tables, as lawyers expect them: a shaded header row marked ``w:tblHeader`` so
that Word repeats it at the top of every page, rows that do not break across pages, set
column widths, numbered clause groups as headings, and a title block with the agreement
name, date and the scenario's SHA-256.
"""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .compare import redline_segments
from .layout import blocks, column_weights, column_widths_cm, title_lines, with_index

__all__ = ["HEADER_FILL", "TITLE_FILL", "to_docx"]

#: Fill colour of header rows (hex RGB).
HEADER_FILL = "1F3864"
#: Fill colour of the merged title row of a schedule.
TITLE_FILL = "D9E2F3"


def _shade(cell, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    props.append(shd)


def _row_flag(row, tag: str) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _set_width(cell, width) -> None:
    cell.width = width


def _redline_runs(paragraph, marked: str) -> None:
    """Deleted words struck through in red, inserted words underlined in blue."""
    for text, kind in redline_segments(marked):
        run = paragraph.add_run(text)
        run.font.size = Pt(9)
        if kind == "del":
            run.font.strike, run.font.color.rgb = True, RGBColor(0xC0, 0x00, 0x00)
        elif kind == "ins":
            run.font.underline, run.font.color.rgb = True, RGBColor(0x00, 0x46, 0xAD)


def _title_row(row, title: str) -> None:
    _row_flag(row, "w:tblHeader")
    _row_flag(row, "w:cantSplit")
    cell = row.cells[0].merge(row.cells[-1]) if len(row.cells) > 1 else row.cells[0]
    _shade(cell, TITLE_FILL)
    run = cell.paragraphs[0].add_run(title)
    run.bold, run.font.size = True, Pt(10)


def _table(doc, part: pd.DataFrame, usable_cm: float) -> None:
    frame = with_index(part)
    widths = [Cm(c) for c in column_widths_cm(column_weights(part), usable_cm)]
    widths = widths[-frame.shape[1]:]
    is_schedule = part.attrs.get("kind") == "schedule"
    table = doc.add_table(rows=2 if is_schedule else 1, cols=frame.shape[1])
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # w:gridCol, read by LibreOffice and Word's layout engine
    if is_schedule:  # a merged title row, repeated with the header on every page
        _title_row(table.rows[0], str(part.attrs.get("title", "")))
    header = table.rows[-1]
    _row_flag(header, "w:tblHeader")
    _row_flag(header, "w:cantSplit")
    for cell, label, width in zip(header.cells, frame.columns, widths, strict=True):
        _set_width(cell, width)
        _shade(cell, HEADER_FILL)
        run = cell.paragraphs[0].add_run(str(label))
        run.bold, run.font.size = True, Pt(9)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    fields = part.attrs.get("column_fields", {})
    marked = [fields.get(c) == "redline" for c in frame.columns]
    for key, values in zip(part.index, frame.itertuples(False), strict=True):
        row = table.add_row()
        _row_flag(row, "w:cantSplit")
        for cell, value, width, red in zip(row.cells, values, widths, marked, strict=True):
            _set_width(cell, width)
            if red:
                _redline_runs(cell.paragraphs[0], str(value))
                continue
            run = cell.paragraphs[0].add_run(str(value))
            run.font.size = Pt(9)
            run.bold = is_schedule and key == "total"
    doc.add_paragraph()


def _landscape(doc) -> float:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    return 29.7 - 3.0


def _cjk_fonts(doc) -> None:
    for name in ("Normal", "Heading 1", "Heading 2", "Title"):
        style = doc.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "SimSun")


def to_docx(tables: list[pd.DataFrame]) -> bytes:
    """A Word document (bytes) holding ``tables``: title block, then numbered sections.

    >>> from agreements.clauses import clause_table
    >>> data = to_docx([clause_table("scenarios/baoshan_medical_devices.yaml")])
    >>> data[:2]
    b'PK'
    """
    doc = Document()
    usable = _landscape(doc)
    _cjk_fonts(doc)
    for k, t in enumerate(tables):
        if k:
            doc.add_page_break()
        doc.add_heading(str(t.attrs.get("title", "")), level=0 if k == 0 else 1)
        for line in title_lines(t):
            doc.add_paragraph(line).runs[0].font.size = Pt(9)
        for heading, part in blocks(t):
            if t.attrs.get("kind") == "clauses":
                doc.add_heading(heading, level=1)
            part.attrs = dict(t.attrs)
            _table(doc, part, usable)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
