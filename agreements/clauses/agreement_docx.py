"""The draft agreement in Word: house template, numbered clauses, schedules, redlines.

:func:`agreement_docx` writes a :class:`~agreements.clauses.document.Document` into a Word
file made from a template: the packaged default (A4 portrait, automatic clause numbering,
a header with the agreement's name, a footer with page numbers, fonts with Chinese glyphs)
or a firm's own ``.docx``, whose styles, numbering and page set-up are kept. A firm file
holding Jinja tags (``{{ ... }}``, ``{% ... %}``) is filled instead with docxtpl in a
sandboxed, autoescaping environment.

:func:`redline_docx` writes the newer version with Word tracked changes (``w:ins`` and
``w:del`` carrying ``w:author`` and ``w:date``) wherever a clause, a phrase or a
schedule cell differs, so that Word's Accept/Reject works.

Text from a scenario only ever goes into ``w:t`` text nodes: it never becomes a field,
a hyperlink or markup. The one field written is ``PAGE`` in the footer.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from docx import Document as open_docx  # noqa: N813 - a function, not a class
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .document import Block, Document, Table

__all__ = ["ARTICLE_STYLE", "CLAUSE_STYLE", "CLAUSE_TEXT_STYLE", "agreement_docx",
           "build_default_template", "diff_segments", "redline_docx"]

#: Style of article headings (numbered "1.", "2." ...; outline level 1).
ARTICLE_STYLE = "Agreement Article"
#: Style of numbered clauses ("1.1", "1.2" ...).
CLAUSE_STYLE = "Agreement Clause"
#: Unnumbered clause text in the second language, indented like a clause.
CLAUSE_TEXT_STYLE = "Agreement Clause Text"
_NUM_ID = "901"  # our numbering instance; a firm template's own lists are untouched
_EAST_ASIA = "SimSun"
_LATIN = "Times New Roman"

Segments = list[tuple[str, str | None]]  # (text, None | "ins" | "del")


# --------------------------------------------------------------------------- template
def _fonts(rpr_parent: Any, latin: bool = False) -> None:
    """A font with Chinese glyphs (``w:eastAsia``) where the style names none; with
    ``latin``, Times New Roman for Latin text too (the default template only: a firm's
    own fonts are kept)."""
    fonts = rpr_parent.get_or_add_rPr().get_or_add_rFonts()
    if latin:
        fonts.set(qn("w:ascii"), _LATIN)
        fonts.set(qn("w:hAnsi"), _LATIN)
    if not fonts.get(qn("w:eastAsia")):
        fonts.set(qn("w:eastAsia"), _EAST_ASIA)


def _numbering(doc: Any) -> None:
    """Add an outline list "1." / "1.1" linked to the article and clause styles."""
    numbering = doc.part.numbering_part.element
    if numbering.find(f'{qn("w:num")}[@{qn("w:numId")}="{_NUM_ID}"]') is not None:
        return
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), _NUM_ID)
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "multilevel")
    abstract.append(multi)
    for level, (text, style, indent) in enumerate(
            [("%1.", ARTICLE_STYLE, 0), ("%1.%2", CLAUSE_STYLE, 624)]):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(level))
        for tag, val in (("w:start", "1"), ("w:numFmt", "decimal"), ("w:pStyle", style),
                         ("w:lvlText", text), ("w:lvlJc", "left")):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        ppr = OxmlElement("w:pPr")
        ind = OxmlElement("w:ind")
        ind.set(qn("w:left"), str(indent))
        ind.set(qn("w:hanging"), str(indent or 425))
        ppr.append(ind)
        lvl.append(ppr)
        abstract.append(lvl)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), _NUM_ID)
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), _NUM_ID)
    num.append(ref)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:  # abstractNum elements come before num elements
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)


def _link(style: Any, level: int) -> None:
    ppr = style.element.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), str(level))
    num_id = OxmlElement("w:numId")
    num_id.set(qn("w:val"), _NUM_ID)
    numpr.append(ilvl)
    numpr.append(num_id)
    ppr.insert(0, numpr)


def _ensure_styles(doc: Any) -> None:
    """Add the agreement's styles where the template lacks them (a firm's win)."""
    styles = doc.styles
    names = {s.name for s in styles}
    _numbering(doc)
    if ARTICLE_STYLE not in names:
        s = styles.add_style(ARTICLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        s.base_style = styles["Heading 1"] if "Heading 1" in names else styles["Normal"]
        s.font.size, s.font.bold = Pt(12), True
        s.font.color.rgb = RGBColor(0, 0, 0)
        s.paragraph_format.space_before, s.paragraph_format.space_after = Pt(12), Pt(6)
        s.paragraph_format.keep_with_next = True
        _fonts(s.element)
        _link(s, 0)
    if CLAUSE_STYLE not in names:
        s = styles.add_style(CLAUSE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        s.base_style = styles["Normal"]
        s.font.size = Pt(10.5)
        s.paragraph_format.space_after = Pt(3)
        s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _fonts(s.element)
        _link(s, 1)
    if CLAUSE_TEXT_STYLE not in names:
        s = styles.add_style(CLAUSE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        s.base_style = styles["Normal"]
        s.font.size = Pt(10.5)
        s.paragraph_format.left_indent = Cm(1.1)
        s.paragraph_format.space_after = Pt(6)
        s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _fonts(s.element)
    _fonts(styles["Normal"].element)


def build_default_template(path: str | Path | None = None) -> bytes:
    """The packaged default template: A4 portrait, our styles and numbering, CJK fonts.

    Written to ``agreements/clauses/templates/agreement.docx`` by ``python -m
    agreements.clauses.agreement_docx``; returned as bytes.

    >>> build_default_template()[:2]
    b'PK'
    """
    doc = open_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    section.top_margin = section.bottom_margin = Cm(2.5)
    _fonts(doc.styles["Normal"].element, latin=True)
    _ensure_styles(doc)
    buffer = io.BytesIO()
    doc.core_properties.author = "consortium-toolkit"
    doc.save(buffer)
    if path is not None:
        Path(path).write_bytes(buffer.getvalue())
    return buffer.getvalue()


def _open_template(template: str | Path | None) -> Any:
    if template is None:
        data = resources.files("agreements.clauses").joinpath(
            "templates/agreement.docx").read_bytes()
        doc = open_docx(io.BytesIO(data))
    else:
        doc = open_docx(str(template))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _ensure_styles(doc)
    return doc


def has_jinja_tags(template: str | Path) -> bool:
    """Whether a Word file holds Jinja tags (a docxtpl clause document)."""
    import zipfile

    with zipfile.ZipFile(template) as z:
        xml = z.read("word/document.xml").decode("utf-8", "replace")
    text = re.sub(r"<[^>]+>", "", xml)
    return "{{" in text or "{%" in text


# --------------------------------------------------------------------------- runs
def _run(paragraph: Any, text: str, *, bold: bool = False, size: float | None = None) -> Any:
    run = paragraph.add_run(text)  # text only: python-docx writes it into w:t
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    return run


class _Marks:
    """Tracked-change ids, author and date for one redline."""

    def __init__(self, author: str, date: str) -> None:
        self.author, self.date, self.next_id = author, date, 1

    def wrap(self, run: Any, kind: str) -> None:
        mark = OxmlElement(f"w:{kind}")
        mark.set(qn("w:id"), str(self.next_id))
        mark.set(qn("w:author"), self.author)
        mark.set(qn("w:date"), self.date)
        self.next_id += 1
        r = run._r
        r.addprevious(mark)
        mark.append(r)
        if kind == "del":
            for t in r.findall(qn("w:t")):
                t.tag = qn("w:delText")


def _segments(paragraph: Any, segments: Segments, marks: _Marks | None, *,
              bold: bool = False, size: float | None = None) -> None:
    for text, kind in segments:
        if not text:
            continue
        run = _run(paragraph, text, bold=bold, size=size)
        if kind and marks is not None:
            marks.wrap(run, kind)


_TOKEN = re.compile(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+")


def diff_segments(old: str | None, new: str | None) -> Segments:
    """``new`` as segments against ``old``: words (and single CJK characters) kept,
    inserted or deleted, the phrase-level changes of a redline.

    >>> diff_segments("Party A pays 10%", "Party A pays 12%")
    [('Party A pays ', None), ('10%', 'del'), ('12%', 'ins')]
    >>> diff_segments(None, "new clause")
    [('new clause', 'ins')]
    """
    if old is None:
        return [(new or "", "ins")]
    if new is None:
        return [(old, "del")]
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: Segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("".join(b[j1:j2]), None))
        if op in ("delete", "replace"):
            out.append(("".join(a[i1:i2]), "del"))
        if op in ("insert", "replace"):
            out.append(("".join(b[j1:j2]), "ins"))
    merged: Segments = []
    for text, kind in out:
        if merged and merged[-1][1] == kind:
            merged[-1] = (merged[-1][0] + text, kind)
        else:
            merged.append((text, kind))
    return merged


# --------------------------------------------------------------------------- layout
def _text_width(text: str) -> float:
    """Width of ``text`` in "en" units: a CJK character is two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def column_widths(table: Table, usable_cm: float, size_pt: float = 9.0) -> list[float]:
    """Column widths (cm) from content: no column narrower than its longest word, the
    rest of the page shared by how much text each column holds.

    >>> from agreements.clauses.document import Table, Cell
    >>> t = Table("x", {"en": "T"}, [{"en": "No."}, {"en": "Party"}],
    ...           [("a", [Cell({"en": "1"}), Cell({"en": "Shanghai University"})])])
    >>> w = column_widths(t, 16.0)
    >>> round(sum(w), 6), w[0] < w[1]
    (16.0, True)
    """
    unit = size_pt * 0.0353 * 0.55  # cm per en unit at this size (average glyph)
    pad = 0.4
    n = len(table.columns)
    longest = [0.0] * n
    bulk = [0.0] * n
    texts = [[(t, False) for t in h.values()] for h in table.columns]
    for _, cells in table.rows:
        for j, cell in enumerate(cells):
            texts[j].extend((t, cell.kind != "text") for t in cell.text.values())
    for j, column in enumerate(texts):
        for text, whole in column:
            for word in [text] if whole else _BREAKS.findall(text):
                # a latin word must not break; CJK text may break between characters,
                # but short names (上海大学, 复星诊断, 待补：中文名称) stay on one line
                w = min(_text_width(word), 14.0) if _CJK_ONLY.fullmatch(word) \
                    else _text_width(word)
                longest[j] = max(longest[j], w)
            bulk[j] = max(bulk[j], _text_width(text))
    need = [lng * unit + pad for lng in longest]
    want = [max(b * unit + pad, m) for b, m in zip(bulk, need, strict=True)]
    if sum(want) <= usable_cm:
        extra = usable_cm - sum(want)
        return [w + extra * w / sum(want) for w in want]
    if sum(need) >= usable_cm:
        return [usable_cm * m / sum(need) for m in need]
    spare = usable_cm - sum(need)
    room = [w - m for w, m in zip(want, need, strict=True)]
    return [m + spare * r / sum(room) for m, r in zip(need, room, strict=True)]


_CJK_ONLY = re.compile(r"[\u3000-\u9fff\uff00-\uffef]+")
#: Runs a line may not break inside: a CJK run (breakable, capped above) or a word.
_BREAKS = re.compile(r"[\u3000-\u9fff\uff00-\uffef]+|[^\s\u3000-\u9fff\uff00-\uffef]+")


def _flag(row: Any, tag: str) -> None:
    props = row._tr.get_or_add_trPr()
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    props.append(el)


def _shade(cell: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _usable_cm(section: Any) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 360000


def _landscape_section(doc: Any, landscape: bool) -> None:
    current = doc.sections[-1]
    is_landscape = current.page_width > current.page_height
    if is_landscape == landscape:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = section.page_height, section.page_width


# --------------------------------------------------------------------------- writer
class _Styles:
    """Style ids by name, looked up once (python-docx looks a name up by scanning every
    style on each paragraph); a name the template lacks falls back to Normal."""

    def __init__(self, doc: Any) -> None:
        self.ids = {s.name: s.style_id for s in doc.styles}

    def para(self, doc: Any, name: str | None) -> Any:
        p = doc.add_paragraph()
        if name and name != "Normal" and name in self.ids:
            p._p.style = self.ids[name]
        return p


class _Writer:
    def __init__(self, doc: Any, langs: tuple[str, ...], marks: _Marks | None) -> None:
        self.doc, self.langs, self.marks = doc, langs, marks
        self.styles = _Styles(doc)

    def text_block(self, block: Block, segs: dict[str, Segments]) -> None:
        if block.kind == "article":
            p = self.styles.para(self.doc, ARTICLE_STYLE)
            for k, lg in enumerate(self.langs):
                if k:
                    _run(p, "  ")
                _segments(p, segs[lg], self.marks)
            return
        for k, lg in enumerate(self.langs):
            if block.kind == "clause":
                style = CLAUSE_STYLE if k == 0 else CLAUSE_TEXT_STYLE
            else:
                style = "Normal"
            p = self.styles.para(self.doc, style)
            _segments(p, segs[lg], self.marks)

    def table(self, table: Table, cells: list[tuple[str, list[dict[str, Segments]]]],
              header: list[dict[str, Segments]], title: dict[str, Segments]) -> None:
        _landscape_section(self.doc, table.landscape)
        p = self.styles.para(self.doc, "Heading 2")
        p.paragraph_format.keep_with_next = True
        for k, lg in enumerate(self.langs):
            if k:
                _run(p, "  ")
            _segments(p, title[lg], self.marks)
        widths = [Cm(w) for w in column_widths(table, _usable_cm(self.doc.sections[-1]) - 0.2)]
        t = self.doc.add_table(rows=1, cols=len(table.columns))
        with contextlib.suppress(KeyError, ValueError):  # a firm template without it
            t.style = "Table Grid"
        t.autofit = False
        for column, width in zip(t.columns, widths, strict=True):
            column.width = width
        head = t.rows[0]
        _flag(head, "w:tblHeader")
        _flag(head, "w:cantSplit")
        for cell, label, width in zip(head.cells, header, widths, strict=True):
            cell.width = width
            _shade(cell, "D9E2F3")
            self._cell(cell, label, bold=True)
        numeric = [any(r[j].kind != "text" for _, r in table.rows if j < len(r))
                   for j in range(len(table.columns))]
        for key, row_cells in cells:
            row = t.add_row()
            _flag(row, "w:cantSplit")
            for cell, value, width, right in zip(row.cells, row_cells, widths, numeric,
                                                 strict=True):
                cell.width = width
                self._cell(cell, value, bold=key == table.total_key, right=right)
        self.doc.add_paragraph()

    def _cell(self, cell: Any, segs: dict[str, Segments], *, bold: bool = False,
              right: bool = False) -> None:
        first = True
        shown: list[str] = []
        for lg in self.langs:
            plain = "".join(t for t, k in segs[lg] if k != "del")
            if shown and plain == shown[-1] and not any(k for _, k in segs[lg]):
                continue  # a number or a blank: no need to repeat it per language
            shown.append(plain)
            p = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            p.paragraph_format.space_after = Pt(0)
            if right:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _segments(p, segs[lg], self.marks, bold=bold, size=9)

    def signatures(self, doc_model: Document,
                   names: list[tuple[str, dict[str, Segments]]]) -> None:
        meta = doc_model.meta
        p = self.styles.para(self.doc, "Heading 2")
        _run(p, "  ".join(meta[lg]["signature"] for lg in self.langs))
        t = self.doc.add_table(rows=0, cols=2)
        for _, segs in names:
            row = t.add_row()
            _flag(row, "w:cantSplit")
            self._cell(row.cells[0], segs, bold=True)
            cell = row.cells[1]
            cell.paragraphs[0].add_run(" / ".join(meta[lg]["signed_by"] for lg in self.langs)
                                       + " ____________________")
            cell.add_paragraph(" / ".join(meta[lg]["date_line"] for lg in self.langs)
                               + " ____________________")


def _header_footer(doc: Any, title: str, page_word: str, page_after: str = "") -> None:
    for section in doc.sections:
        header = section.header
        if not any(p.text.strip() for p in header.paragraphs):
            p = header.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, title, size=8)
        footer = section.footer
        if not any(p.text.strip() for p in footer.paragraphs) and not footer._element.findall(
                ".//" + qn("w:fldSimple")):
            p = footer.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, page_word + " ", size=8)
            field = OxmlElement("w:fldSimple")  # our own PAGE field, never scenario text
            field.set(qn("w:instr"), "PAGE")
            r = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.text = "1"
            r.append(t)
            field.append(r)
            p._p.append(field)
            if page_after:
                _run(p, " " + page_after, size=8)


def _properties(doc: Any, title: str, record: dict[str, str] | None) -> None:
    """Title and the provenance record in the core document properties (Word's
    File > Info): comments = the provenance line, identifier = the inputs' SHA-256,
    subject = the command, version, author = the tool, created."""
    from datetime import datetime

    from ..scenario.provenance import provenance_footer

    props = doc.core_properties
    props.title = title[:255]
    if not record:
        return
    props.comments = provenance_footer(record)[:255]
    props.identifier = record.get("scenario_sha256", "")[:255]
    props.subject = record.get("command", "")[:255]
    props.version = record.get("version", "")[:255]
    props.author = props.last_modified_by = record.get("tool", "consortium-toolkit")
    props.keywords = "consortium agreement; provenance"
    with contextlib.suppress(KeyError, ValueError):
        props.created = props.modified = datetime.fromisoformat(
            record["created"].replace("Z", "+00:00"))


def _plain(texts: dict[str, str]) -> dict[str, Segments]:
    return {lg: [(t, None)] for lg, t in texts.items()}


def _write(doc_model: Document, pairs: Iterable[tuple[str, Any, Any]], *,
           template: str | Path | None, record: dict[str, str] | None,
           marks: _Marks | None) -> bytes:
    doc = _open_template(template)
    w = _Writer(doc, doc_model.langs, marks)
    langs = doc_model.langs
    title = " / ".join(doc_model.title[lg] for lg in langs)
    for lg in langs:
        p = w.styles.para(doc, "Title")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, doc_model.title[lg], size=16 if lg == langs[0] else 13)
    started_schedules = False
    for kind, old, new in pairs:
        if kind == "block":
            ref = new or old
            segs = {lg: diff_segments(old.text[lg] if old else None,
                                      new.text[lg] if new else None)
                    if marks is not None else [(ref.text[lg], None)] for lg in langs}
            w.text_block(ref, segs)
        elif kind == "signatures":
            w.signatures(doc_model, [(k, _plain(n)) for k, n in new])
        else:
            if not started_schedules:
                doc.add_page_break()
                p = w.styles.para(doc, "Heading 1")
                _run(p, " / ".join(doc_model.meta[lg]["schedules_heading"] for lg in langs))
                started_schedules = True
            ref = new or old
            w.table(ref, *_table_segments(old, new, langs, marks is not None))
    first = doc_model.meta[langs[0]]
    _header_footer(doc, title, first["page"], first["page_after"])
    _properties(doc, title, record)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _table_segments(old: Table | None, new: Table | None, langs: tuple[str, ...],
                    tracked: bool) -> tuple[Any, Any, Any]:
    ref = new or old
    assert ref is not None

    def seg(a: dict[str, str] | None, b: dict[str, str] | None) -> dict[str, Segments]:
        if not tracked:
            return {lg: [((b or a or {}).get(lg, ""), None)] for lg in langs}
        return {lg: diff_segments(None if a is None else a[lg], None if b is None else b[lg])
                for lg in langs}

    header = [seg(old.columns[j] if old and j < len(old.columns) else None, c)
              for j, c in enumerate(ref.columns)] if new else [seg(c, None)
                                                               for c in ref.columns]
    title = seg(old.title if old else None, new.title if new else None)
    old_rows = dict(old.rows) if old else {}
    new_rows = dict(new.rows) if new else {}
    order = _merge_keys([k for k, _ in old.rows] if old else [],
                        [k for k, _ in new.rows] if new else [])
    rows = []
    width = len(ref.columns)
    for key in order:
        a, b = old_rows.get(key), new_rows.get(key)
        cells = []
        for j in range(width):
            ca = a[j].text if a and j < len(a) else None
            cb = b[j].text if b and j < len(b) else None
            cells.append(seg(ca, cb))
        rows.append((key, cells))
    return rows, header, title


def _merge_keys(old: list[str], new: list[str]) -> list[str]:
    """New keys in order, with keys only in ``old`` placed after their old predecessor."""
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False) \
            .get_opcodes():
        if op in ("delete", "replace"):
            out.extend(k for k in old[i1:i2] if k not in new)
        if op != "delete":
            out.extend(new[j1:j2])
    return list(dict.fromkeys(out))


def _pairs_same(doc_model: Document) -> list[tuple[str, Any, Any]]:
    pairs: list[tuple[str, Any, Any]] = [("block", b, b) for b in doc_model.blocks]
    pairs.append(("signatures", None, doc_model.signatures))
    pairs.extend(("table", t, t) for t in doc_model.schedules)
    return pairs


def agreement_docx(doc_model: Document, *, template: str | Path | None = None,
                   record: dict[str, str] | None = None) -> bytes:
    """The draft agreement as Word bytes.

    Parameters
    ----------
    doc_model : Document
        From :func:`~agreements.clauses.document.agreement_document`.
    template : path, optional
        A firm's ``.docx``: its styles, numbering, headers and page set-up are used (the
        body is replaced). With Jinja tags it is filled by docxtpl instead.
    record : dict, optional
        Provenance (:func:`agreements.scenario.provenance.provenance`), stored in the
        document properties.

    Returns
    -------
    bytes
        The ``.docx`` file.

    Examples
    --------
    >>> from agreements import load
    >>> from agreements.clauses.document import agreement_document
    >>> doc = agreement_document(load("scenarios/baoshan_medical_devices.yaml"), "en")
    >>> agreement_docx(doc)[:2]
    b'PK'
    """
    if template is not None and has_jinja_tags(template):
        return _docxtpl(doc_model, template, record)
    return _write(doc_model, _pairs_same(doc_model), template=template, record=record,
                  marks=None)


def redline_docx(old: Document, new: Document, *, author: str = "consortium-toolkit",
                 date: str = "2000-01-01T00:00:00Z", template: str | Path | None = None,
                 record: dict[str, str] | None = None) -> bytes:
    """The ``new`` draft with Word tracked changes against ``old``.

    Blocks (clauses, headings, recitals) and schedule rows are matched by their stable
    keys; a clause only in one version is inserted or deleted whole, a changed clause
    or cell is marked phrase by phrase (:func:`diff_segments`); unchanged text carries
    no mark.

    Parameters
    ----------
    old, new : Document
        The two drafts, in the same languages.
    author, date : str
        ``w:author`` and ``w:date`` (ISO 8601) of every tracked change.
    template, record
        As for :func:`agreement_docx`.

    Returns
    -------
    bytes
        The ``.docx`` of ``new`` with ``w:ins``/``w:del`` runs.

    Notes
    -----
    Cost: one :class:`difflib.SequenceMatcher` over the block keys and one per changed
    text (quadratic in its tokens at worst).

    >>> from agreements import load
    >>> from agreements.clauses.document import agreement_document
    >>> doc = agreement_document(load("scenarios/baoshan_medical_devices.yaml"), "en")
    >>> b"w:ins " in redline_docx(doc, doc)
    False
    """
    old_blocks = {b.key: b for b in old.blocks}
    new_blocks = {b.key: b for b in new.blocks}
    pairs: list[tuple[str, Any, Any]] = [
        ("block", old_blocks.get(k), new_blocks.get(k))
        for k in _merge_keys(list(old_blocks), list(new_blocks))]
    pairs.append(("signatures", None, new.signatures))
    old_t = {t.key: t for t in old.schedules}
    new_t = {t.key: t for t in new.schedules}
    pairs.extend(("table", old_t.get(k), new_t.get(k))
                 for k in _merge_keys(list(old_t), list(new_t)))
    return _write(new, pairs, template=template, record=record,
                  marks=_Marks(author, date))


# --------------------------------------------------------------------------- docxtpl
def template_context(doc_model: Document) -> dict[str, Any]:
    """What a firm's Jinja-tagged Word template can use (see docs/clauses.md)."""
    langs = doc_model.langs
    articles: list[dict[str, Any]] = []
    preamble: list[dict[str, str]] = []
    for b in doc_model.blocks:
        if b.kind == "article":
            articles.append({"n": len(articles) + 1, "heading": b.text, "clauses": []})
        elif b.kind == "clause" and articles:
            c = articles[-1]
            c["clauses"].append({"n": f"{c['n']}.{len(c['clauses']) + 1}", "text": b.text})
        else:
            preamble.append(b.text)
    schedules = [{"key": t.key, "title": t.title, "columns": t.columns,
                  "rows": [[c.text for c in cells] for _, cells in t.rows]}
                 for t in doc_model.schedules]
    return {"langs": list(langs), "title": doc_model.title, "preamble": preamble,
            "articles": articles, "schedules": schedules,
            "parties": [n for _, n in doc_model.signatures]}


def _docxtpl(doc_model: Document, template: str | Path,
             record: dict[str, str] | None) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2.sandbox import SandboxedEnvironment

    tpl = DocxTemplate(str(template))
    env = SandboxedEnvironment(autoescape=True)  # names with <, & stay text in the XML
    tpl.render(template_context(doc_model), jinja_env=env, autoescape=True)
    doc = tpl.docx if hasattr(tpl, "docx") else tpl
    _properties(doc, " / ".join(doc_model.title[lg] for lg in doc_model.langs), record)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":  # pragma: no cover - regenerates the packaged template
    target = Path(__file__).with_name("templates") / "agreement.docx"
    target.parent.mkdir(exist_ok=True)
    build_default_template(target)
    print(f"wrote {target}")
