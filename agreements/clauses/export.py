"""Export clause tables and schedules: Markdown, HTML, LaTeX, CSV, XLSX and Word.

Every format renders from the same DataFrame(s) (:func:`~agreements.clauses.clause_table`,
:func:`~agreements.clauses.schedules`), so the document a lawyer signs says what the
model says. A title block carries the agreement's name, date and the SHA-256 of the
scenario, so that a signed table can be traced to the model it came from. Clause tables
are split into their numbered DESCA sections, each under its own heading.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from sharing_models.exceptions import InvalidInputError

from ..scenario.safe_text import spreadsheet_safe, spreadsheet_safe_frame
from .compare import redline_segments
from .docx_export import to_docx
from .layout import blocks, column_weights, column_widths_cm, title_lines, with_index

__all__ = ["FORMATS", "blocks", "export", "title_lines", "with_provenance"]

#: Export formats and their file suffixes.
FORMATS = {"md": ".md", "html": ".html", "tex": ".tex", "csv": ".csv", "xlsx": ".xlsx",
           "docx": ".docx"}
_SUFFIX = {v: k for k, v in FORMATS.items()} | {".markdown": "md", ".htm": "html"}

_CSS = """
body { font-family: "Noto Sans", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
table.clauses { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
table.clauses th { background: #1f3864; color: #fff; text-align: left; }
table.clauses th, table.clauses td { border: 1px solid #8ea9db; padding: 4px 6px;
  vertical-align: top; font-size: 10pt; }
table.clauses tr:nth-child(even) td { background: #eef3fb; }
table.clauses tr.total td { font-weight: bold; border-top: 2px solid #1f3864; }
.trace { color: #555; font-size: 9pt; }
del { color: #c00000; } ins { color: #0046ad; }
"""


def _tables(tables: Any) -> list[pd.DataFrame]:
    if isinstance(tables, pd.DataFrame):
        return [tables]
    if isinstance(tables, Mapping):
        tables = list(tables.values())
    if isinstance(tables, Sequence) and tables and all(
            isinstance(t, pd.DataFrame) for t in tables):
        return list(tables)
    raise InvalidInputError(
        "export needs a DataFrame, or a list or mapping of DataFrames (clause table and "
        f"schedules); got {type(tables).__name__}"
    )


# ------------------------------------------------------------------ text formats
def _md_cell(x: Any) -> str:
    """A Markdown table cell: ``|`` escaped, ``<`` as an entity (renderers would take
    ``<Corp>`` for an HTML tag and drop it), line breaks as ``<br>``.

    >>> _md_cell("A&B <Corp> | 1\\n2")
    'A&B &lt;Corp> \\\\| 1<br>2'
    """
    return str(x).replace("<", "&lt;").replace("|", "\\|").replace("\n", "<br>")


def _md_text(x: Any) -> str:
    """Markdown running text (a heading, a title line): ``<`` as an entity, the marks
    that start emphasis, code or links backslash-escaped, line breaks as spaces (a
    heading is one line).

    >>> print(_md_text("<script>alert(1)</script> *x* [a](b)\\n# y"))
    &lt;script>alert(1)&lt;/script> \\*x\\* \\[a\\](b) # y
    """
    text = re.sub(r"([\\`*\[\]])", r"\\\1", str(x)).replace("<", "&lt;")
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def _markdown(tables: list[pd.DataFrame]) -> str:
    out = []
    for t in tables:
        out.append(f"# {_md_text(t.attrs.get('title', ''))}\n")
        out += [f"{_md_text(line)}  " for line in title_lines(t)] + [""]
        for heading, part in blocks(t):
            if t.attrs.get("kind") == "clauses":
                out.append(f"## {_md_text(heading)}\n")
            frame = with_index(part)
            out.append("| " + " | ".join(map(_md_cell, frame.columns)) + " |")
            out.append("|" + "---|" * frame.shape[1])
            out += ["| " + " | ".join(map(_md_cell, r)) + " |" for r in frame.itertuples(False)]
            out.append("")
    return "\n".join(out)


def _html_cell(x: Any, redline: bool) -> str:
    if not redline:
        return html.escape(str(x)).replace("\n", "<br>")
    tags = {"same": "{}", "del": "<del>{}</del>", "ins": "<ins>{}</ins>"}
    return "".join(tags[kind].format(html.escape(text)) for text, kind
                   in redline_segments(str(x))).replace("\n", "<br>")


def _html_table(part: pd.DataFrame) -> str:
    frame = with_index(part)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    total = part.attrs.get("kind") == "schedule"
    fields = part.attrs.get("column_fields", {})
    marked = [fields.get(c) == "redline" for c in frame.columns]
    rows = []
    for key, r in zip(part.index, frame.itertuples(False), strict=True):
        cls = ' class="total"' if total and key == "total" else ""
        cells = "".join(f"<td>{_html_cell(x, red)}</td>"
                        for x, red in zip(r, marked, strict=True))
        rows.append(f"<tr{cls}>{cells}</tr>")
    return (f'<table class="clauses"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _html(tables: list[pd.DataFrame]) -> str:
    body = []
    for t in tables:
        body.append(f"<h1>{html.escape(str(t.attrs.get('title', '')))}</h1>")
        body += [f'<p class="trace">{html.escape(line)}</p>' for line in title_lines(t)]
        for heading, part in blocks(t):
            if t.attrs.get("kind") == "clauses":
                body.append(f"<h2>{html.escape(heading)}</h2>")
            part.attrs = dict(t.attrs)
            body.append(_html_table(part))
    lang = "zh" if any(t.attrs.get("lang", "en").startswith("zh") for t in tables) else "en"
    title = html.escape(str(tables[0].attrs.get("title", "")))
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


_TEX_ESCAPE = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
               "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
               "^": r"\textasciicircum{}"}


#: Text width of landscape A4 with 15 mm margins, and the gap LaTeX leaves per column.
_TEX_TEXT_CM, _TEX_GAP_CM = 26.7, 2 * 0.106  # \tabcolsep = 3pt each side


def _tex(x: Any, source: bool = False) -> str:
    """LaTeX-escaped text that may wrap after ``_`` and ``/`` (identifiers, long exact
    fractions); a ``source`` field such as ``results[r_x].ownership`` also after
    ``. [ ] ,``.

    >>> print(_tex("r_a 1/3"), _tex("x[1].y", source=True))
    r\\_\\allowbreak{}a 1/\\allowbreak{}3 x[\\allowbreak{}1]\\allowbreak{}.\\allowbreak{}y
    """
    out = "".join(_TEX_ESCAPE.get(ch, ch) for ch in str(x))
    for ch in (r"\_", "/", *((".", "[", "]", ",") if source else ())):
        out = out.replace(ch, ch + r"\allowbreak{}")
    return out


def _cell_math(latex: str) -> str:
    """A formula for a narrow table cell. Parts joined by ``;\\quad`` go on their own
    lines; a part with argument commas (``", "``; digit groups are ``{,}``) becomes inline
    math that may wrap there (plain parentheses, since TeX cannot break inside
    ``\\left( ... \\right)``); any other part is shrunk to the column if wider
    (``\\fitmath``, defined in the preamble).

    >>> print(_cell_math(r"\\min\\left(x, 1{,}000\\right); \\quad y = 1"))
    $\\min(x,\\allowbreak 1{,}000)$;\\newline \\fitmath{y = 1}
    """
    parts = []
    for part in re.split(r";\s*\\quad\s*", latex):
        plain = part.replace(r"\left(", "(").replace(r"\right)", ")")
        wrapped = plain.replace(", ", r",\allowbreak ")
        parts.append(f"${wrapped}$" if ", " in plain else rf"\fitmath{{{part}}}")
    return r";\newline ".join(parts)


_FITMATH = (r"\newsavebox{\cellbox}\newcommand{\fitmath}[1]{\sbox{\cellbox}{$#1$}"
            r"\ifdim\wd\cellbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\cellbox}}"
            r"\else\usebox{\cellbox}\fi}")


def _latex(tables: list[pd.DataFrame]) -> str:
    cjk = any(t.attrs.get("lang", "en").startswith("zh") for t in tables)
    out = [r"% Generated by agreements.clauses; compile with xelatex.",
           r"\documentclass[10pt]{article}",
           r"\usepackage[a4paper,landscape,margin=15mm]{geometry}",
           r"\usepackage{longtable,booktabs,array,amsmath,fontspec}"]
    if cjk:  # Noto CJK where installed, else xeCJK's default CJK font
        out += [r"\usepackage{xeCJK}",
                r"\IfFontExistsTF{Noto Serif CJK SC}{\setCJKmainfont{Noto Serif CJK SC}}{}"]
    out += [r"\usepackage{graphicx}", _FITMATH, r"\setlength{\tabcolsep}{3pt}",
            r"\begin{document}"]
    for t in tables:
        out.append(rf"\section*{{{_tex(t.attrs.get('title', ''))}}}")
        out += [_tex(line) + r"\\" for line in title_lines(t)]
        latex = t.attrs.get("formula_latex", {})
        fields = t.attrs.get("column_fields", {})
        for heading, part in blocks(t):
            if t.attrs.get("kind") == "clauses":
                out.append(rf"\subsection*{{{_tex(heading)}}}")
            part.attrs = dict(t.attrs)
            frame = with_index(part)
            usable = _TEX_TEXT_CM - _TEX_GAP_CM * len(frame.columns) - 0.2
            widths = column_widths_cm(column_weights(part), usable)
            spec = "".join(rf">{{\raggedright\arraybackslash}}p{{{w:.2f}cm}}" for w in widths)
            small = len(frame.columns) > 9  # bilingual tables: two columns per field
            out += [r"\begingroup\footnotesize"] if small else []
            out += [rf"\begin{{longtable}}{{{spec}}}", r"\toprule",
                    " & ".join(rf"\textbf{{{_tex(c)}}}" for c in frame.columns) + r" \\",
                    r"\midrule", r"\endhead"]
            for key, r in zip(part.index, frame.itertuples(False), strict=True):
                cells = [_cell_math(latex[str(key)]) if fields.get(c) == "formula"
                         and str(key) in latex else _tex(x, fields.get(c) == "source")
                         for c, x in zip(frame.columns, r, strict=True)]
                out.append(" & ".join(cells) + r" \\")
            out += [r"\bottomrule", r"\end{longtable}"] + ([r"\endgroup"] if small else [])
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ spreadsheet formats
def _csv(tables: list[pd.DataFrame]) -> str:
    if len(tables) != 1:
        raise InvalidInputError("CSV holds one table; export the clause table and each "
                                "schedule to its own CSV file")
    return spreadsheet_safe_frame(tables[0], csv=True).to_csv(lineterminator="\n")


def _sheet_name(t: pd.DataFrame, k: int, used: set[str]) -> str:
    """The table's name after "Schedule n:" (or its title), cut between words to 31."""
    from .agreement_xlsx import sheet_name

    if t.attrs.get("kind") == "clauses":
        return sheet_name("Clauses", used)
    title = str(t.attrs.get("title", "")) or f"Table {k + 1}"
    parts = [re.split(r"[:：]", part, maxsplit=1)[-1].strip() for part in title.split(" / ")]
    short = " ".join(p for p in parts if p)
    return sheet_name(short if len(short) <= 31 else parts[0] or title, used)


_MONEY = re.compile(r"([A-Z]{3}) (-?\d[\d,]*(?:\.\d+)?)")
_PERCENT = re.compile(r"-?\d+(?:\.\d+)?%")
_INTEGER = re.compile(r"-?\d+")


def _number(text: Any) -> tuple[Any, str | None]:
    """A shown figure as the number it shows, with its Excel number format; else as is.

    Amounts ("CNY 40,000,000") and percentages ("55.00%") become numbers, so a column
    can be summed; exact fractions ("11/20") stay text, in their own column.
    """
    if not isinstance(text, str):
        return text, None
    if m := _MONEY.fullmatch(text):
        value = Decimal(m.group(2).replace(",", ""))
        places = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
        digits = "#,##0" + ("." + "0" * places if places else "")
        code = m.group(1)
        return float(value), f'"{code}" {digits};"{code}" -{digits}'
    if _PERCENT.fullmatch(text):
        value = Decimal(text[:-1]) / 100
        places = max(len(text[:-1].partition(".")[2]), 0)
        return float(value), "0" + ("." + "0" * places if places else "") + "%"
    if _INTEGER.fullmatch(text):
        return int(text), "0"
    return text, None


def _typed_sheet(ws: Any, t: pd.DataFrame) -> None:
    """Shown figures as numbers with formats, a =SUM totals row, print set-up."""
    from openpyxl.utils import get_column_letter

    last = ws.max_row
    has_total = t.attrs.get("kind") == "schedule" and len(t) and t.index[-1] == "total"
    numeric: dict[int, str] = {}
    for row in ws.iter_rows(min_row=2, max_row=last):
        for cell in row[1:]:  # the index column (ids) stays text
            value, fmt = _number(cell.value)
            if fmt is not None:
                cell.value, cell.number_format = value, fmt
                numeric.setdefault(cell.column, fmt)
    if has_total and last > 2:
        for col, fmt in numeric.items():
            cell = ws.cell(row=last, column=col)
            body = [ws.cell(row=r, column=col).value for r in range(2, last)]
            if isinstance(cell.value, int | float) and all(
                    isinstance(v, int | float) for v in body):
                letter = get_column_letter(col)
                cell.value, cell.number_format = f"=SUM({letter}2:{letter}{last - 1})", fmt
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if ws.max_column > 6 else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _xlsx(tables: list[pd.DataFrame]) -> bytes:
    from openpyxl.styles import Alignment, Font, PatternFill

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        used: set[str] = {"About"}
        for k, t in enumerate(tables):
            name = _sheet_name(t, k, used)
            spreadsheet_safe_frame(t).to_excel(writer, sheet_name=name)
            ws = writer.sheets[name]
            fill = PatternFill("solid", fgColor="1F3864")
            for cell in ws[1]:
                cell.font, cell.fill = Font(bold=True, color="FFFFFF"), fill
            if t.attrs.get("kind") == "schedule" and len(t) and t.index[-1] == "total":
                for cell in ws[ws.max_row]:
                    cell.font = Font(bold=True)
            for row in ws.iter_rows(min_row=1):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            for col, w in zip(ws.iter_cols(1, ws.max_column), column_weights(t), strict=False):
                ws.column_dimensions[col[0].column_letter].width = max(8, w * 160)
            ws.freeze_panes = "B2"
            if t.attrs.get("kind") == "schedule":
                _typed_sheet(ws, t)
        about = pd.DataFrame({"": [spreadsheet_safe(line) for line in (
            str(tables[0].attrs.get("title", "")), *title_lines(tables[0]))]})
        about.to_excel(writer, sheet_name="About", index=False, header=False)
    return buffer.getvalue()


_WRITERS = {"md": _markdown, "html": _html, "tex": _latex, "csv": _csv, "xlsx": _xlsx}


def export(tables: Any, path_or_format: str | PathLike[str], *,
           format: str | None = None) -> str | bytes | Path:
    """Render a clause table and/or schedules to Markdown, HTML, LaTeX, CSV, XLSX or DOCX.

    Parameters
    ----------
    tables
        A DataFrame from :func:`clause_table` or :func:`schedules`, or a list / mapping
        of them (one document: the clause table then the schedules). CSV takes one.
    path_or_format
        A format name (``"md"``, ``"html"``, ``"tex"``, ``"csv"``, ``"xlsx"``,
        ``"docx"``) to get the document back, or a file path to write it to.
    format
        The format when ``path_or_format`` is a path whose suffix is not one of them.

    Returns
    -------
    str, bytes or pathlib.Path
        Text (md, html, tex, csv) or bytes (xlsx, docx) for a format name; the path
        written otherwise.

    Raises
    ------
    InvalidInputError
        Unknown format, or several tables for CSV.

    Examples
    --------
    >>> from agreements.clauses import clause_table
    >>> t = clause_table("scenarios/baoshan_medical_devices.yaml")
    >>> print(export(t, "md").splitlines()[0])
    # Baoshan Medical-Device Innovation Consortium
    >>> export(t, "csv").splitlines()[0]
    'Clause,Section,Heading,Rule,Parties bound,Figures,Formula,Statutory fallback,Source field'

    Notes
    -----
    Linear in the number of cells. A CSV file is UTF-8 with a byte-order mark so that
    spreadsheet programs read Chinese correctly; read it back with
    ``pd.read_csv(path, index_col=0, dtype=str, keep_default_na=False)``.
    """
    frames = _tables(tables)
    target = str(path_or_format)
    if format is None and target in FORMATS:
        fmt, path = target, None
    else:
        path = Path(path_or_format)
        fmt = format or _SUFFIX.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"unknown export format {fmt or path_or_format!r}; expected one of "
            f"{', '.join(FORMATS)} (or a path ending in {', '.join(FORMATS.values())})"
        )
    if fmt == "docx":
        data: str | bytes = to_docx(frames)
    else:
        data = _WRITERS[fmt](frames)
    if path is None:
        return data
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    return path


def with_provenance(document: str, fmt: str, record: Mapping[str, str] | None) -> str:
    """A Markdown, HTML or LaTeX document with a provenance footer (tool, version, date,
    the inputs' SHA-256, seed: :func:`agreements.scenario.provenance.provenance_footer`),
    escaped like any other text of the format; HTML also keeps the whole record as JSON
    in ``<meta name="provenance">``. Other formats and an empty record: unchanged.

    >>> rec = {"tool": "t", "version": "1", "created": "2020-01-01T00:00:00Z"}
    >>> with_provenance("# A\\n", "md", rec).splitlines()[-1]
    '<sub>t 1 · 2020-01-01T00:00:00Z</sub>'
    >>> "t 1" in with_provenance(_html([pd.DataFrame({"x": [1]})]), "html", rec)
    True
    """
    from ..scenario.provenance import provenance_footer

    if not record or fmt not in ("md", "html", "tex"):
        return document
    line = provenance_footer(record)
    if fmt == "md":
        return document.rstrip("\n") + f"\n\n---\n\n<sub>{_md_text(line)}</sub>\n"
    if fmt == "html":
        meta = html.escape(json.dumps(dict(record), ensure_ascii=False, sort_keys=True))
        document = document.replace('<meta charset="utf-8">',
                                    f'<meta charset="utf-8"><meta name="provenance" '
                                    f'content="{meta}">', 1)
        return document.replace("</body></html>",
                                f'<p class="trace">{html.escape(line)}</p>\n</body></html>', 1)
    end = r"\end{document}"
    return document.replace(end, r"\par\vfill{\footnotesize " + _tex(line) + "}\n" + end, 1)
