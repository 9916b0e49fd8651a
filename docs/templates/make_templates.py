"""Make the two example firm templates of docs/clauses.md (python-docx only).

    python docs/templates/make_templates.py

- ``firm-styles.docx``: a house style: Georgia/SimHei fonts, blue headings, 3 cm margins,
  a letterhead in the header. ``consortium agreement FILE --template firm-styles.docx``
  writes the toolkit's clauses in these styles (the firm's header is kept).
- ``firm-clauses.docx``: a Jinja-tagged clause document filled by docxtpl:
  ``consortium agreement FILE --template firm-clauses.docx``. The tags it may use are
  those of :func:`agreements.clauses.agreement_docx.template_context`.
"""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent


def _house(doc: Document) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(3.0))
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Georgia", Pt(10)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimHei")
    for name in ("Heading 1", "Heading 2", "Title"):
        doc.styles[name].font.color.rgb = RGBColor(0x1F, 0x38, 0x64)
        doc.styles[name].font.name = "Georgia"
    header = section.header.paragraphs[0]
    header.text = "Example & Partners LLP · 示例律师事务所 · Privileged and confidential"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def styles_template(path: Path) -> None:
    doc = Document()
    _house(doc)
    doc.add_paragraph("(The body of this file is replaced by the agreement.)")
    doc.save(path)


def clauses_template(path: Path) -> None:
    doc = Document()
    _house(doc)
    lines = [
        ("Title", "{{ title[langs[0]] }}"),
        (None, "{%p for p in preamble %}"),
        (None, "{{ p[langs[0]] }}"),
        (None, "{%p endfor %}"),
        (None, "{%p for a in articles %}"),
        ("Heading 1", "Article {{ a.n }}  {{ a.heading[langs[0]] }}"),
        (None, "{%p for c in a.clauses %}"),
        (None, "{{ c.n }}  {{ c.text[langs[0]] }}"),
        (None, "{%p endfor %}"),
        (None, "{%p endfor %}"),
        ("Heading 1", "Schedules"),
        (None, "{%p for s in schedules %}"),
        ("Heading 2", "{{ s.title[langs[0]] }}"),
        (None, "{{ s.columns | map(attribute=langs[0]) | join(' | ') }}"),
        (None, "{%p for row in s.rows %}"),
        (None, "{{ row | map(attribute=langs[0]) | join(' | ') }}"),
        (None, "{%p endfor %}"),
        (None, "{%p endfor %}"),
        ("Heading 1", "Signatures"),
        (None, "{%p for name in parties %}"),
        (None, "{{ name[langs[0]] }}: ______________________"),
        (None, "{%p endfor %}"),
    ]
    for style, text in lines:
        doc.add_paragraph(text, style=style)
    doc.save(path)


if __name__ == "__main__":
    styles_template(HERE / "firm-styles.docx")
    clauses_template(HERE / "firm-clauses.docx")
    print("wrote firm-styles.docx and firm-clauses.docx")
