"""Hostile text in a scenario never becomes live markup in any export (issue 16).

A scenario whose names, ids and descriptions carry spreadsheet formulas, HTML, LaTeX
and Word-field payloads goes through every export: the CSV of each table command,
``clauses`` in CSV, XLSX, Markdown, HTML, LaTeX and Word, ``redline`` and ``report``.
No CSV field or XLSX cell may be one a spreadsheet would evaluate (OWASP: text starting
with ``= + - @``, tab or carriage return), while genuine negative numbers stay numbers;
no raw ``<script>`` reaches HTML or Markdown, and LaTeX is escaped.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml

from agreements.cli import main
from agreements.scenario.loader import safe_load
from agreements.scenario.loader import safe_load as scenario_yaml
from agreements.scenario.safe_text import FORMULA_TRIGGERS, spreadsheet_safe

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"
ASRC = ROOT / "scenarios" / "asrc_storage_tiers.yaml"  # has fees and tiers

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
SCRIPT = "<script>alert(1)</script>"
LATEX = r"\input{/etc/passwd}"
DDE = '{ DDE "c:\\\\windows\\\\system32\\\\cmd.exe" }'
#: Member ids the id pattern allows and a spreadsheet would still evaluate.
IDS = ("-2-3", "-x")


def _rename(x: object, ren: dict[str, str]) -> object:
    if isinstance(x, dict):
        return {ren.get(k, k) if isinstance(k, str) else k: _rename(v, ren)
                for k, v in x.items()}
    if isinstance(x, list):
        return [_rename(v, ren) for v in x]
    return ren.get(x, x) if isinstance(x, str) else x


def hostile(source: Path, path: Path) -> Path:
    """``source`` with formula ids, and payloads in every name and some descriptions."""
    data = safe_load(source.read_text("utf-8"))
    members = [m["id"] for m in data["members"]]
    data = _rename(data, {members[0]: IDS[0], members[-1]: IDS[1]})
    data["name"] = {"en": f"{SCRIPT} =1+1 {LATEX}", "zh": FORMULAS[0]}
    data["description"] = f"{LATEX} {DDE} {SCRIPT}"
    for k, m in enumerate(data["members"]):
        m["name"] = {"en": FORMULAS[k % len(FORMULAS)],
                     "zh": FORMULAS[(k + 3) % len(FORMULAS)]}
    for k, item in enumerate(data.get("contributions", [])):
        item["description"] = [DDE, FORMULAS[2], SCRIPT, LATEX][k % 4]
    for key in ("tasks", "results", "products"):
        for k, item in enumerate(data.get(key, [])):
            item["name"] = {"en": [LATEX, FORMULAS[3], SCRIPT][k % 3],
                            "zh": [FORMULAS[0], DDE, FORMULAS[5]][k % 3]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {"baoshan": hostile(BAOSHAN, folder / "baoshan.yaml"),
            "asrc": hostile(ASRC, folder / "asrc.yaml")}


def _evaluated(text: str) -> bool:
    """Whether a spreadsheet would evaluate this CSV field or text cell as a formula."""
    return spreadsheet_safe(text) != text


def _assert_safe_csv(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    live = [f for row in rows for f in row if _evaluated(f)]
    assert not live, f"live formula fields: {live[:5]}"
    return rows


def _run(args: list[str], capsys) -> str:
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_the_guard():
    for payload in FORMULAS:
        assert spreadsheet_safe(payload) == "'" + payload
        assert _evaluated(payload)
    for fine in ("-2405059.73", "-1,234.56", "12.5%", "-1/3", "1e6", "Acme", "", "a=b"):
        assert spreadsheet_safe(fine) == fine
    assert spreadsheet_safe(-2.5) == -2.5 and spreadsheet_safe(None) is None
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def test_hostile_scenarios_load(files, capsys):
    for path in files.values():
        _run(["validate", str(path)], capsys)


@pytest.mark.parametrize("command", [
    ["shares", "{baoshan}"],
    ["shares", "{asrc}", "--method", "shapley", "--method", "equal"],
    ["fees", "{asrc}"],
    ["waterfall", "{baoshan}", "--income", "1e6"],
    ["waterfall", "{baoshan}", "--income", "1e6", "--summary"],
    ["check", "{baoshan}", "--profile", "baoshan"],
    ["simulate", "{baoshan}", "--draws", "200"],
    ["formation", "{baoshan}", "--draws", "200", "--view", "members"],
    ["clauses", "{baoshan}", "--format", "csv"],
    ["clauses", "{baoshan}", "--format", "csv", "--lang", "zh+en"],
    ["clauses", "{asrc}", "--format", "csv", "--table", "fees"],
    ["clauses", "{baoshan}", "--format", "csv", "--table", "revenue_shares"],
    ["clauses", "{baoshan}", "--format", "csv", "--table", "contributions"],
    ["redline", str(BAOSHAN), "{baoshan}", "--format", "csv"],
], ids=lambda c: "-".join(a for a in c if not a.startswith("{") and "/" not in a))
def test_csv_has_no_live_formula(files, capsys, command):
    args = [a.format(**{k: str(v) for k, v in files.items()}) for a in command]
    fmt = [] if args[0] in ("clauses", "redline") else ["--format", "csv"]
    code = main(args + fmt)
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err  # check: 1 when a formation rule fails
    assert captured.out, captured.err
    rows = _assert_safe_csv(captured.out)
    if args[0] in ("shares", "clauses", "redline", "fees", "waterfall"):
        fields = {f for row in rows for f in row}
        # the hostile text is there, made inert, not dropped
        assert any(f.startswith("'") for f in fields), fields


def test_negative_numbers_stay_numbers_in_csv(files, capsys):
    rows = _assert_safe_csv(_run(["shares", str(files["baoshan"]), "--format", "csv"],
                                 capsys))
    head, body = rows[0], rows[1:]
    gains = [row[head.index("shapley_gain")] for row in body]
    assert any(g.startswith("-") for g in gains)  # a member loses against its outside option
    assert all(float(g) == float(g) for g in gains)  # each parses as a number: no apostrophe
    assert {row[0] for row in body} >= {"'-2-3", "'-x"}


def _xlsx_cells(path: Path) -> list:
    book = openpyxl.load_workbook(path)
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


@pytest.mark.parametrize("source", ["baoshan", "asrc"])
def test_xlsx_has_no_formula_cell(files, tmp_path, capsys, source):
    out = tmp_path / "clauses.xlsx"
    _run(["clauses", str(files[source]), "--lang", "zh+en", "-o", str(out)], capsys)
    cells = _xlsx_cells(out)
    # the only formulas are the toolkit's own column sums in the schedules' totals rows
    formulas = [c for c in cells if c.data_type == "f"]
    assert all(re.fullmatch(r"=SUM\([A-Z]+\d+:[A-Z]+\d+\)", c.value) for c in formulas)
    assert all(c.parent.cell(row=c.row, column=1).value == "total" for c in formulas)
    cells = [c for c in cells if c.data_type != "f"]
    live = [c.value for c in cells if isinstance(c.value, str) and _evaluated(c.value)]
    assert not live, live[:5]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'" + FORMULAS[0] in texts and "'-2-3" in texts


def test_xlsx_negative_numbers_stay_numbers(tmp_path):
    import pandas as pd

    from agreements.clauses import export

    frame = pd.DataFrame({"name": ["=1+1", "-2+3", "ok"], "gain": [-2.5, 3.0, -1.0]},
                         index=pd.Index(["-x", "b", "c"], name="member"))
    out = export(frame, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(out).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values == [["'-x", "'=1+1", -2.5], ["b", "'-2+3", 3], ["c", "ok", -1]]
    assert all(row[2].data_type == "n" for row in ws.iter_rows(min_row=2))


def test_text_formats_escape(files, tmp_path, capsys):
    src = str(files["baoshan"])
    md = _run(["clauses", src, "--format", "md", "--lang", "zh+en"], capsys)
    assert "<script" not in md and "&lt;script>" in md
    heading = md.splitlines()[0]
    assert heading.startswith("# ") and "&lt;script>alert(1)&lt;/script>" in heading
    html = _run(["clauses", src, "--format", "html", "--lang", "zh+en"], capsys)
    assert "<script" not in html and "&lt;script&gt;" in html
    tex = _run(["clauses", src, "--format", "tex", "--lang", "zh+en"], capsys)
    assert LATEX not in tex and r"\textbackslash{}input\{" in tex
    assert "<script>" in tex.replace(r"\allowbreak{}", "")  # plain text in LaTeX: harmless
    out = tmp_path / "c.docx"
    _run(["clauses", src, "--lang", "zh+en", "-o", str(out)], capsys)
    doc = docx.Document(str(out))
    xml = doc.element.xml
    assert "fldSimple" not in xml and "instrText" not in xml  # no Word field
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert FORMULAS[0] in text  # shown as the literal text it is


def test_redline_text_formats_escape(files, capsys):
    md = _run(["redline", str(BAOSHAN), str(files["baoshan"]), "--format", "md"], capsys)
    assert "<script" not in md
    html = _run(["redline", str(BAOSHAN), str(files["baoshan"]), "--format", "html"], capsys)
    assert "<script" not in html


def test_report_escapes(files, tmp_path, capsys):
    out = tmp_path / "r.html"
    _run(["report", str(files["baoshan"]), "-o", str(out), "--draws", "200"], capsys)
    page = out.read_text("utf-8")
    assert "<script" not in page and "&lt;script&gt;" in page


# --------------------------------------------------------------- consortium agreement
JINJA = "{{ 7*7 }}{% for x in ().__class__.__base__.__subclasses__() %}{% endfor %}"


def test_agreement_docx_has_no_live_field_or_markup(files, tmp_path, capsys):
    """The draft agreement in Word: payloads stay literal text; the one field is the
    footer's PAGE, which the toolkit writes itself."""
    out = tmp_path / "a.docx"
    _run(["agreement", str(files["baoshan"]), "--lang", "zh+en", "-o", str(out)], capsys)
    doc = docx.Document(str(out))
    body = doc.element.xml
    assert "fldSimple" not in body and "instrText" not in body and "fldChar" not in body
    for section in doc.sections:
        for part in (section.header, section.footer):
            for instr in part._element.xpath(".//w:fldSimple/@w:instr"):
                assert instr == "PAGE"
            assert "instrText" not in part._element.xml
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert DDE in cells or DDE in text  # shown as the literal text it is
    assert FORMULAS[0] in text and SCRIPT in text


def test_agreement_xlsx_keeps_text_as_text(files, tmp_path, capsys):
    out = tmp_path / "a.xlsx"
    _run(["agreement", str(files["baoshan"]), "--lang", "zh+en", "-o", str(out)], capsys)
    wb = openpyxl.load_workbook(out)
    formulas = []
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    formulas.append(cell.value)
                elif isinstance(cell.value, str):
                    assert not _evaluated(cell.value), cell.value
    # the only formulas are the toolkit's own column totals
    assert formulas and all(f.startswith("=SUM(") for f in formulas)


def test_agreement_text_formats_escape(files, tmp_path, capsys):
    html = _run(["agreement", str(files["baoshan"]), "--format", "html"], capsys)
    assert "<script" not in html and "&lt;script&gt;" in html
    md = _run(["agreement", str(files["baoshan"]), "--format", "md"], capsys)
    assert "<script" not in md
    red = _run(["redline", str(BAOSHAN), str(files["baoshan"]), "--format", "html"], capsys)
    assert "<script" not in red and "<ins>" in red


def test_agreement_templates_do_not_run_scenario_text(tmp_path, capsys):
    """Names are variables of the clause templates, never template source: Jinja tags
    in a name are printed, not run."""
    data = scenario_yaml(BAOSHAN.read_text("utf-8"))
    data["members"][0]["name"] = {"en": JINJA, "zh": JINJA}
    path = tmp_path / "jinja.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    md = _run(["agreement", str(path), "--lang", "en", "--format", "md"], capsys)
    assert "{{ 7\\*7 }}" in md and "49" not in md.split("Definitions")[1][:400]
