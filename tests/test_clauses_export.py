"""Exports of clause tables and schedules: DOCX opened with python-docx, CSV/XLSX round
trips, Markdown/HTML/LaTeX contents (agreements.clauses.export)."""

import hashlib
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pandas as pd
import pytest
import yaml
from docx.oxml.ns import qn
from docx.shared import Cm
from hypothesis import given, settings
from hypothesis import strategies as st

import agreements
from agreements import Agreement
from agreements.clauses import clause_table, export, schedules
from agreements.clauses.export import _TEX_GAP_CM, _TEX_TEXT_CM
from agreements.clauses.layout import MIN_COLUMN_CM
from agreements.scenario.loader import safe_load
from sharing_models.exceptions import InvalidInputError

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"


@pytest.fixture(scope="module", params=["en", "zh", "zh+en"])
def documents(request):
    lang = request.param
    table = clause_table(BAOSHAN, lang=lang)
    annexes = schedules(BAOSHAN, lang=lang, total=1_000_000)
    return lang, table, annexes


def _docx(tables, tmp_path, name="out.docx"):
    path = export(tables, tmp_path / name)
    return docx.Document(str(path))


def _text(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_docx_has_title_block_headings_and_repeating_shaded_headers(documents, tmp_path):
    _lang, table, annexes = documents
    doc = _docx([table, *annexes.values()], tmp_path)
    paragraphs = [p.text for p in doc.paragraphs]
    assert table.attrs["title"] in paragraphs
    digest = hashlib.sha256(BAOSHAN.read_bytes()).hexdigest()
    assert any(digest in p for p in paragraphs)
    assert any("2023-10-19" in p for p in paragraphs)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert [h.split(" ")[0] for h in headings[:10]] == [str(k) for k in range(1, 11)]
    assert len(doc.tables) == 10 + len(annexes)
    for k, t in enumerate(doc.tables):
        schedule = k >= 10
        header = t.rows[1 if schedule else 0]
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        fills = [c._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for c in header.cells]
        assert set(fills) == {"1F3864"}
        assert all(c.width is not None for c in t.rows[-1].cells)
        grid = [int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert grid == [c.width.twips for c in header.cells]
        if schedule:  # merged title row, repeated too
            title = t.rows[0]
            assert title._tr.trPr.find(qn("w:tblHeader")) is not None
            assert title._tr.tc_lst[0].tcPr.find(qn("w:gridSpan")) is not None
            assert title.cells[0].text == list(annexes.values())[k - 10].attrs["title"]
    for t in doc.tables[:10]:  # clause tables: the rule text gets the widest column
        widths = [c.width for c in t.rows[0].cells]
        labels = [c.text for c in t.rows[0].cells]
        assert widths[0] == min(widths)
        assert widths[labels.index(_rule_label(labels))] == max(widths)
        # no column too narrow for a clause number or its header (was 0.5 cm in zh+en)
        assert min(widths) >= Cm(MIN_COLUMN_CM) - 635  # stored in whole twips
        if _lang != "zh+en":  # 13 columns in zh+en leave no room for a 3:1 ratio
            assert max(widths) > 3 * widths[0]


def _rule_label(labels):
    return next(x for x in labels if x in ("Rule", "条款内容"))


def test_docx_clause_rows_match_the_table(documents, tmp_path):
    _lang, table, _ = documents
    doc = _docx(table, tmp_path)
    rows = [r for t in doc.tables for r in _text(t)[1:]]
    assert [r[0] for r in rows] == table.index.tolist()
    section_cols = [c for c, f in table.attrs["column_fields"].items() if f == "section"]
    expected = table.drop(columns=section_cols)
    assert [r[1:] for r in rows] == expected.values.tolist()


def test_docx_revenue_shares_sum_to_exactly_100_00(tmp_path):
    table = clause_table(BAOSHAN, allocation={"fosun_dx": 1, "shu": 1, "wusong_hospital": 1,
                                              "zecheng": 4})
    annexes = schedules(BAOSHAN, allocation={"fosun_dx": 1, "shu": 1, "wusong_hospital": 1,
                                             "zecheng": 4}, total=100)
    doc = _docx([table, annexes["revenue_shares"]], tmp_path)
    title, *shares_table = _text(doc.tables[-1])
    assert set(title) == {"Schedule 2: Revenue shares"}  # the merged title row
    header = shares_table[0]
    col = header.index("Share")
    shown = [Decimal(r[col].rstrip("%")) for r in shares_table[1:-1]]
    assert shown == [Decimal("14.29"), Decimal("14.29"), Decimal("14.28"), Decimal("57.14")]
    assert sum(shown) == Decimal("100.00") and shares_table[-1][col] == "100.00%"
    amounts = [Decimal(r[header.index("Amount")].split()[1].replace(",", ""))
               for r in shares_table[1:-1]]
    assert sum(amounts) == Decimal("100")
    clause = next(r for t in doc.tables for r in _text(t) if r[0] == "9.1")
    figures = clause[4]  # Clause, Heading, Rule, Parties bound, Figures, ...
    assert sum(Decimal(p.rsplit(" ", 1)[1].rstrip("%")) for p in figures.split("; ")) == 100


def test_csv_round_trip(documents, tmp_path):
    _lang, table, annexes = documents
    for k, frame in enumerate([table, *annexes.values()]):
        path = export(frame, tmp_path / f"t{k}.csv")
        back = pd.read_csv(path, index_col=0, dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_xlsx_round_trip_and_header_style(documents, tmp_path):
    _lang, table, annexes = documents
    path = export([table, annexes["voting"]], tmp_path / "out.xlsx")
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    first = next(iter(sheets.values()))
    first = first.set_index(first.columns[0])
    pd.testing.assert_frame_equal(first, table, check_dtype=False, check_names=False)
    import openpyxl

    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("1F3864")
    about = openpyxl.load_workbook(path)["About"]
    assert table.attrs["sha256"] in " ".join(str(c.value) for c in about["A"])


def test_text_formats_carry_every_clause_and_the_trace(documents):
    _lang, table, annexes = documents
    for fmt in ("md", "html", "tex"):
        text = export([table, *annexes.values()], fmt)
        assert table.attrs["sha256"] in text
        for clause in table.index:
            assert clause in text
    html = export(table, "html")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and "<h2>" in html


def test_latex_prints_fee_formula_as_math():
    """SEMATECH dues (Irwin & Klenow 1996): 1% of sales, floor $1M, cap $15M."""
    data = safe_load(BAOSHAN.read_text("utf-8"))
    data["sharing"]["fees"] = {"rule": "percent_of_metric", "metric": "revenue",
                               "rate": 0.01, "floor": 1_000_000, "cap": 15_000_000}
    table = clause_table(Agreement.model_validate(data))
    row = table.loc[table["Heading"] == "Membership fees"].iloc[0]
    assert row["Formula"] == "fee = min(max(1% × R, 1,000,000), 15,000,000)"
    tex = export(table, "tex")
    # plain parentheses and break points after argument commas, so it wraps in its cell
    assert (r"$\mathit{fee} = \min(\max(1\% \cdot R,\allowbreak 1{,}000{,}000),"
            r"\allowbreak 15{,}000{,}000)$") in tex


def test_export_errors():
    table = clause_table(BAOSHAN)
    with pytest.raises(InvalidInputError, match="unknown export format"):
        export(table, "pdf")
    with pytest.raises(InvalidInputError, match="CSV holds one table"):
        export([table, table], "csv")
    with pytest.raises(InvalidInputError, match="needs a DataFrame"):
        export("not a table", "md")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.001, 10.0), min_size=1, max_size=16),
       st.floats(10.0, 40.0))
def test_column_widths_fill_the_page_and_respect_the_floor(raw, usable):
    """Widths from weights: they span the usable width exactly, none is narrower than
    the floor (when the floors fit), and wider weights never get narrower columns."""
    from agreements.clauses.layout import column_widths_cm

    weights = [w / sum(raw) for w in raw]
    widths = column_widths_cm(weights, usable)
    assert sum(widths) == pytest.approx(usable)
    if MIN_COLUMN_CM * len(widths) < usable:
        assert min(widths) >= MIN_COLUMN_CM - 1e-9
    for a, b, wa, wb in zip(weights, weights[1:], widths, widths[1:], strict=False):
        if a <= b:
            assert wa <= wb + 1e-9


def test_latex_columns_are_at_least_the_floor_wide():
    """The bilingual LaTeX table gave the clause number 0.42 cm (as the DOCX did)."""
    text = export(clause_table(BAOSHAN, lang="zh+en"), "tex")
    specs = re.findall(r"\\begin\{longtable\}\{([^}]*(?:\}[^}]*)*?)\}\n", text)
    widths = [float(w) for spec in specs for w in re.findall(r"p\{([0-9.]+)cm\}", spec)]
    assert widths and min(widths) >= MIN_COLUMN_CM - 0.005
    first = [float(w) for w in re.findall(r"p\{([0-9.]+)cm\}", specs[0])]
    gaps = len(first) * _TEX_GAP_CM  # the table and its column gaps fill the text width
    assert sum(first) + gaps == pytest.approx(_TEX_TEXT_CM - 0.2, abs=0.05)


def test_markdown_keeps_angle_brackets_and_pipes_in_names():
    """A party called ``A&B <Holdings> | Ltd`` stays readable in rendered Markdown."""
    from agreements.scenario.loader import _SafeLoader  # reads 2.0e9 as a number (YAML 1.2)

    data = yaml.load(BAOSHAN.read_text("utf-8"), Loader=_SafeLoader)
    data["members"][0]["name"]["en"] = "A&B <Holdings> | Ltd"
    text = export(clause_table(Agreement.from_mapping(data)), "md")
    row = next(line for line in text.splitlines() if line.startswith("| 1.1 |"))
    assert "A&B &lt;Holdings> \\| Ltd" in row and "<Holdings>" not in text


@pytest.mark.skipif(shutil.which("xelatex") is None, reason="needs xelatex (TeX Live)")
@pytest.mark.parametrize("lang", ["en", "zh+en"])
@pytest.mark.parametrize("scenario", ["sematech_1987", "openpower_style_foundation",
                                      "lingang_eda"])
def test_latex_compiles_without_missing_glyphs_or_spill(tmp_path, scenario, lang):
    """The .tex a lawyer gets compiles with xelatex, every Chinese glyph is found, and
    no line runs more than a few points past its cell (long formulas wrap or shrink)."""
    agreement = agreements.load(ROOT / "scenarios" / f"{scenario}.yaml")
    tex = tmp_path / "clauses.tex"
    tex.write_text(export([clause_table(agreement, lang=lang),
                           *schedules(agreement, lang=lang).values()], "tex"), "utf-8")
    run = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error",
                          tex.name], cwd=tmp_path, capture_output=True, timeout=240)
    log = (tmp_path / "clauses.log").read_text("utf-8", errors="replace")
    assert run.returncode == 0, log[-2000:]
    assert "Missing character" not in log
    spill = [float(x) for x in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide", log)]
    assert max(spill, default=0.0) < (20.0 if lang == "en" else 25.0), spill
