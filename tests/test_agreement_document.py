"""``consortium agreement``: the draft formation agreement (agreements.clauses.document,
agreement_docx, agreement_text, agreement_xlsx) and ``consortium redline`` in Word."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from agreements import load
from agreements.clauses.agreement_docx import (
    ARTICLE_STYLE,
    CLAUSE_STYLE,
    agreement_docx,
    column_widths,
    diff_segments,
    redline_docx,
)
from agreements.clauses.agreement_text import agreement_text
from agreements.clauses.document import MISSING_ZH, agreement_document
from agreements.cli import main
from agreements.scenario.loader import safe_load as scenario_yaml
from agreements.scenario.validation import missing_chinese_names

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"
_CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def _doc(path: Path, lang: str = "zh+en"):
    return agreement_document(load(path), lang)


def _numbered(document) -> list:
    """Paragraphs numbered through the clause style's list (w:numPr on the style)."""
    numbered = {s.name for s in document.styles
                if s.type == 1 and s.element.pPr is not None
                and s.element.pPr.find(qn("w:numPr")) is not None}
    return [p for p in document.paragraphs
            if p.style.name in numbered or (p._p.pPr is not None
            and p._p.pPr.find(qn("w:numPr")) is not None)]


def _percent_sum(values: list[str]) -> Decimal:
    return sum((Decimal(v.strip().rstrip("%")) for v in values), Decimal(0))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_gives_a_bilingual_agreement_with_fitting_schedules(path, tmp_path):
    out = tmp_path / "a.docx"
    assert main(["agreement", str(path), "--lang", "zh+en", "--format", "docx",
                 "-o", str(out)]) == 0
    document = docx.Document(str(out))
    clauses = [p for p in _numbered(document) if p.style.name == CLAUSE_STYLE]
    assert len(clauses) >= 30
    text = "\n".join(p.text for p in document.paragraphs)
    assert _CJK.search(text) and re.search(r"\bParties\b", text)
    section = document.sections[0]
    assert section.page_width < section.page_height  # A4 portrait
    assert abs(section.page_width.cm - 21.0) < 0.01
    assert len(document.tables) >= 4  # signatures + parties, contributions, work plan...
    heads = {}
    for table in document.tables[1:]:
        header = table.rows[0]
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert len(table.columns) <= 6
        heads[header.cells[0].text.split("\n")[0] + "|" + header.cells[-1].text] = table
    body = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "members[" not in body and not re.search(r"\bCNY 0\b|\bEUR 0\b", body)
    doc = _doc(path)
    keys = [t.key for t in doc.schedules]
    assert keys[:3] == ["parties", "contributions", "work_plan"]
    shares = next(t for t in doc.schedules if t.key == "shares")
    if shares.rows:  # the shares schedule: shown percentages sum to exactly 100.00%
        shown = [cells[2].text["en"] for key, cells in shares.rows if key != "total"]
        assert _percent_sum(shown) == Decimal("100.00")
        table = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("成员")
                     and "精确" in t.rows[0].cells[1].text)
        column = [row.cells[2].text for row in table.rows[1:-1]]
        assert _percent_sum(column) == Decimal("100.00")
    contrib = next(t for t in doc.schedules if t.key == "contributions")
    if contrib.rows:
        assert _percent_sum([c[3].text["en"] for k, c in contrib.rows if k != "total"]) \
            == Decimal("100.00")


def test_chinese_text_is_wholly_chinese_or_marked(tmp_path):
    """Names come in Chinese where the scenario gives them; otherwise the mark, and
    ``consortium validate`` warns without failing."""
    doc = _doc(BAOSHAN, "zh")
    text = "\n".join(b.text["zh"] for b in doc.blocks)
    assert "复星诊断" in text and "Fosun" not in text and "Shanghai" not in text
    data = scenario_yaml(BAOSHAN.read_text("utf-8"))
    data["members"][1]["name"].pop("zh")
    path = tmp_path / "nozh.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    zh = "\n".join(b.text["zh"] for b in agreement_document(load(path), "zh").blocks)
    assert MISSING_ZH in zh and "Shanghai University" not in zh
    assert any("members[1].name.zh" in w for w in missing_chinese_names(data))


def test_validate_warns_about_missing_chinese_names(tmp_path, capsys):
    data = scenario_yaml(BAOSHAN.read_text("utf-8"))
    data["members"][0]["name"] = {"en": "Fosun Diagnostics"}
    path = tmp_path / "nozh.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "members[0].name.zh" in err


def test_equal_shares_are_stated_as_the_agreement_would():
    data = scenario_yaml(BAOSHAN.read_text("utf-8"))
    data["sharing"] = {"method": "equal"}
    from agreements import Agreement

    doc = agreement_document(Agreement.from_mapping(data), "en")
    clause = next(b for b in doc.blocks if b.key == "revenue.shares").text["en"]
    assert "1/4 each (25.00% shown)" in clause


def test_numbering_headers_footers_and_fonts(tmp_path):
    data = agreement_docx(_doc(BAOSHAN), record={"tool": "consortium-toolkit",
                                                 "version": "0.1.0",
                                                 "created": "2026-01-01T00:00:00Z",
                                                 "scenario": "x.yaml",
                                                 "scenario_sha256": "ab" * 32})
    document = docx.Document(io.BytesIO(data))
    articles = [p for p in document.paragraphs if p.style.name == ARTICLE_STYLE]
    assert len(articles) >= 13
    section = document.sections[0]
    assert "宝山区医疗器械创新联合体" in section.header.paragraphs[0].text
    footer_xml = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml
    fonts = document.styles[CLAUSE_STYLE].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia"))
    props = document.core_properties
    assert props.identifier == "ab" * 32 and "consortium-toolkit" in props.comments


def test_column_widths_keep_words_whole():
    doc = _doc(BAOSHAN)
    for table in doc.schedules:
        widths = column_widths(table, 16.0)
        assert abs(sum(widths) - 16.0) < 1e-9 and min(widths) > 0.8


def _v2(tmp_path: Path) -> Path:
    data = scenario_yaml(BAOSHAN.read_text("utf-8"))
    new = copy.deepcopy(data)
    new["contributions"][3]["valuation"] = 1.8e7  # one member's contribution
    new["sharing"]["fixed_shares"] = {"fosun_dx": 50, "shu": 25, "wusong_hospital": 15,
                                      "zecheng": 10}  # and one share
    path = tmp_path / "v2.yaml"
    path.write_text(yaml.safe_dump(new, allow_unicode=True), "utf-8")
    return path


def _paragraph_marks(document) -> tuple[list[str], list[str]]:
    changed, clean = [], []
    for p in document.paragraphs:
        xml = p._p.xml
        (changed if "<w:ins " in xml or "<w:del " in xml else clean).append(p.text)
    return changed, clean


def test_redline_docx_tracks_only_the_changed_clauses_and_schedules(tmp_path, capsys):
    new = _v2(tmp_path)
    out = tmp_path / "r.docx"
    assert main(["redline", str(BAOSHAN), str(new), "--format", "docx", "--lang", "zh+en",
                 "-o", str(out)]) == 0
    err = capsys.readouterr().err
    hashes = re.findall(r"SHA-256 \((old|new)\) ([0-9a-f]{64})", err)
    assert [h[0] for h in hashes] == ["old", "new"] and hashes[0][1] != hashes[1][1]
    document = docx.Document(str(out))
    xml = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    assert re.search(r'<w:ins w:id="\d+" w:author="[^"]+" w:date="[^"]+"', xml)
    assert "<w:delText" in xml
    changed, clean = _paragraph_marks(document)
    # the changed clauses, in Chinese and English, and nothing else in the body text
    assert any("上海大学投入人员" in t for t in changed)
    assert any("Shanghai University contributes" in t for t in changed)
    assert any("in total CNY" in t for t in changed)  # the total of contributions
    assert all("保密" not in t and "confidential" not in t for t in changed)
    assert len(changed) <= 6
    assert any("保密" in t for t in clean)
    # the schedules: the share and contribution rows carry marks, the parties do not
    tracked_tables = [t for t in document.tables if "<w:ins " in t._tbl.xml]
    assert 2 <= len(tracked_tables) <= 3
    parties = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("序号"))
    assert "<w:ins " not in parties._tbl.xml and "<w:del " not in parties._tbl.xml
    shares = next(t for t in document.tables if "精确" in t.rows[0].cells[1].text)
    fosun = shares.rows[1]._tr.xml
    assert "<w:del " in fosun and "11/20" in fosun and "1/2" in fosun
    zecheng = shares.rows[4]._tr.xml  # 1/10 before and after: share untouched
    assert "1/10" in zecheng


def test_identical_versions_give_no_tracked_changes():
    doc = _doc(BAOSHAN)
    data = redline_docx(doc, doc)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "<w:ins " not in xml and "<w:del " not in xml


def test_markdown_and_html_redlines_use_ins_and_del(tmp_path, capsys):
    new = _v2(tmp_path)
    assert main(["redline", str(BAOSHAN), str(new), "--format", "md", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "<del>11/20</del><ins>1/2</ins>" in out
    assert "作价人民币<del>15,000,000</del><ins>18,000,000</ins>元" in out
    old_doc, new_doc = _doc(BAOSHAN, "en"), agreement_document(load(new), "en")
    html = agreement_text(new_doc, "html", old=old_doc)
    assert "<del>55.00%</del><ins>50.00%</ins>" in html


def test_diff_segments_rebuild_both_versions():
    old, new = "甲方投入现金，作价CNY 40,000,000。", "甲方投入设备，作价CNY 45,000,000。"
    segs = diff_segments(old, new)
    assert "".join(t for t, k in segs if k != "ins") == old
    assert "".join(t for t, k in segs if k != "del") == new
    assert ("现金", "del") in segs or ("现", "del") in segs


def test_markdown_and_html_documents(capsys):
    assert main(["agreement", str(BAOSHAN), "--lang", "en", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "Schedule 4" in page
    assert "consortium-toolkit" in page  # provenance footer
    assert main(["agreement", str(BAOSHAN), "--lang", "zh", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "| 合计 |" in md.replace("**", "") and "consortium-toolkit" in md


def test_binary_formats_need_an_output(capsys):
    assert main(["agreement", str(BAOSHAN), "--format", "docx"]) == 2
    assert "-o" in capsys.readouterr().err


def test_xlsx_numbers_are_numbers_with_formula_totals(tmp_path):
    """Shares and amounts are numeric cells with number formats; the totals row sums them
    with =SUM(); the column sums to exactly 100% and the amounts to v(N) (rounded)."""
    from fractions import Fraction

    import openpyxl

    from agreements.sharing import allocate
    from agreements.sharing.display import exact, rounded

    out = tmp_path / "a.xlsx"
    assert main(["agreement", str(BAOSHAN), "--lang", "zh+en", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert all(len(n) <= 31 for n in wb.sheetnames) and "收益分配比例 Shares" in wb.sheetnames
    ws = wb["收益分配比例 Shares"]
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1  # A4
    rows = list(ws.iter_rows(min_row=3))
    body, total = rows[:-1], rows[-1]
    shares = [r[2].value for r in body]
    amounts = [r[3].value for r in body]
    assert all(isinstance(v, int | float) for v in shares + amounts)
    assert body[0][2].number_format == "0.00%" and "#,##0" in body[0][3].number_format
    assert total[2].value == f"=SUM(C3:C{2 + len(body)})"
    assert total[3].value == f"=SUM(D3:D{2 + len(body)})"
    assert sum(Fraction(str(v)) for v in shares) == 1  # 100% / the shown figures
    grand = allocate(load(BAOSHAN), "fixed").attrs["grand_value"]
    assert sum(Fraction(str(v)) for v in amounts) == rounded(exact(grand), 0)
    assert [r[1].value for r in body] == ["11/20", "1/5", "3/20", "1/10"]  # exact, apart
    assert body[0][0].alignment.wrap_text


TEMPLATES = ROOT / "docs" / "templates"


def test_a_firm_template_gives_its_styles_and_header(tmp_path):
    out = tmp_path / "firm.docx"
    assert main(["agreement", str(BAOSHAN), "--template", str(TEMPLATES / "firm-styles.docx"),
                 "-o", str(out)]) == 0
    document = docx.Document(str(out))
    assert document.styles["Normal"].font.name == "Georgia"  # the firm's font, kept
    assert "Example & Partners" in document.sections[0].header.paragraphs[0].text
    assert abs(document.sections[0].left_margin.cm - 3.0) < 0.01
    assert len([p for p in _numbered(document) if p.style.name == CLAUSE_STYLE]) >= 30
    assert "(The body of this file" not in "\n".join(p.text for p in document.paragraphs)


def test_a_jinja_tagged_firm_template_is_filled_safely(tmp_path):
    data = scenario_yaml(BAOSHAN.read_text("utf-8"))
    data["members"][0]["name"] = {"en": "A & B <C> {{ 7*7 }}", "zh": "甲 & 乙"}
    path = tmp_path / "amp.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    out = tmp_path / "firm.docx"
    assert main(["agreement", str(path), "--lang", "en", "--template",
                 str(TEMPLATES / "firm-clauses.docx"), "-o", str(out)]) == 0
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Article 7  Revenue distribution" in text
    assert "1.2  \"Party\" means each of A & B <C> {{ 7*7 }}; Shanghai University" in text
    assert "{%" not in text and "A & B <C> {{ 7*7 }} | 11/20 | 55.00%" in text


@pytest.mark.skipif(__import__("shutil").which("soffice") is None
                    and __import__("shutil").which("libreoffice") is None,
                    reason="LibreOffice (soffice) is not installed")
def test_pdf_by_libreoffice_keeps_words_whole(tmp_path):
    """The Baoshan agreement, English, through LibreOffice: A4 pages, and every word of
    the schedules' names and headings is found whole in the PDF text (none broken as
    "Shangh ai"). Runs where LibreOffice is installed (about 10 s)."""
    import shutil
    import subprocess

    out = tmp_path / "a.pdf"
    assert main(["agreement", str(BAOSHAN), "--lang", "en", "--format", "pdf",
                 "-o", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True,
                          text=True).stdout
    words = set(re.findall(r"[A-Za-z][A-Za-z-]+", text))
    doc = _doc(BAOSHAN, "en")
    for table in doc.schedules:
        for head in table.columns:
            assert set(re.findall(r"[A-Za-z][A-Za-z-]+", head["en"])) <= words, head
        for _, cells in table.rows:
            for cell in cells[:2]:
                assert set(re.findall(r"[A-Za-z][A-Za-z-]+", cell.text["en"])) <= words
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "pts (A4)" in info and re.search(r"Page size:\s+595[.\d]* x 841", info)  # portrait


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("agreements.clauses.pdf.soffice", lambda: None)
    assert main(["agreement", str(BAOSHAN), "--format", "pdf", "-o",
                 str(tmp_path / "a.pdf")]) == 1
    assert "LibreOffice" in capsys.readouterr().err and not (tmp_path / "a.pdf").exists()


def test_clause_table_xlsx_schedules_hold_numbers_and_sum_formulas(tmp_path):
    """``consortium clauses -o x.xlsx``: amounts and percentages of the schedules are
    numbers with formats; totals are =SUM formulas; sheet names whole words, <= 31."""
    import openpyxl

    out = tmp_path / "c.xlsx"
    assert main(["clauses", str(ROOT / "scenarios" / "eu_eit_kic.yaml"), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["Clauses", "Contributions", "Revenue shares"]
    ws = wb["Revenue shares"]
    rows = list(ws.iter_rows(min_row=2))
    shares = [r[3] for r in rows[:-1]]
    assert all(isinstance(c.value, float) and c.number_format == "0.00%" for c in shares)
    assert sum(Decimal(str(c.value)) for c in shares) == 1
    assert rows[-1][3].value == f"=SUM(D2:D{len(rows)})"
    money = wb["Contributions"]["J2"]
    assert isinstance(money.value, int | float) and "\"EUR\" #,##0" in money.number_format


def test_redline_table_formats_honour_zh_en_and_both_hashes(tmp_path, capsys):
    new = _v2(tmp_path)
    assert main(["redline", str(BAOSHAN), str(new), "--lang", "zh+en", "--format",
                 "csv"]) == 0
    captured = capsys.readouterr()
    header = captured.out.splitlines()[0]
    assert "Redline" in header and "Redline (中文)" in header
    assert "上海大学" in captured.out and "Shanghai University" in captured.out
    from agreements.clauses import compare

    diff = compare(BAOSHAN, new, lang="zh+en")
    old_hash, new_hash = diff.attrs["sha256"].split(" → ")
    assert old_hash != new_hash and len(old_hash) == 64


def test_a_wide_schedule_gets_a_landscape_section():
    from agreements.clauses.document import Cell, Table

    doc = copy.deepcopy(_doc(BAOSHAN, "en"))
    columns = [{"en": f"Column {k}"} for k in range(8)]
    rows = [("r", [Cell({"en": f"value {k}"}) for k in range(8)])]
    doc.schedules.insert(2, Table("wide", {"en": "Schedule X: wide"}, columns, rows))
    document = docx.Document(io.BytesIO(agreement_docx(doc)))
    orientations = [s.page_width > s.page_height for s in document.sections]
    assert orientations[0] is False and True in orientations and orientations[-1] is False
    wide = next(t for t in document.tables if len(t.columns) == 8)
    assert wide.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_a_firm_wording_file_changes_the_clauses_and_bad_ones_are_clear_errors(
        tmp_path, capsys):
    text = (ROOT / "agreements" / "clauses" / "wording" / "en.yaml").read_text("utf-8")
    firm = tmp_path / "firm-en.yaml"
    firm.write_text(text.replace("survives the end of this Agreement for five years",
                                 "survives for seven years"), "utf-8")
    assert main(["agreement", str(BAOSHAN), "--lang", "en", "--wording-en", str(firm),
                 "--format", "md"]) == 0
    assert "10.2 The duty of confidentiality survives for seven years." in \
        capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n", "utf-8")
    assert main(["agreement", str(BAOSHAN), "--lang", "en", "--wording-en", str(broken)]) == 1
    assert "not valid YAML" in capsys.readouterr().err
    firm.write_text(text.replace("- key: duration", "- key: lasting"), "utf-8")
    assert main(["agreement", str(BAOSHAN), "--wording-en", str(firm)]) == 1  # zh+en
    assert "must match one to one" in capsys.readouterr().err
    not_docx = tmp_path / "firm.docx"
    not_docx.write_text("plain text", "utf-8")
    assert main(["agreement", str(BAOSHAN), "--template", str(not_docx),
                 "-o", str(tmp_path / "x.docx")]) == 1
    assert "not a Word" in capsys.readouterr().err
