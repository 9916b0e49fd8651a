"""One truth from the agreement to every shown figure (issue 18, first acceptance point).

Every bundled scenario goes through every output: the ``consortium shares`` terminal
table, CSV and JSON; the clause documents in the agreed rule (Markdown, HTML, LaTeX,
CSV, XLSX cells, DOCX table cells); the HTML report's money and percent tables; the
waterfall distribution; ``consortium simulate --risk-neutral``; and the members view of
``consortium formation``. For every member and rule the figure an output shows must be
the one :func:`agreements.sharing.compare.shown_shares` gives (largest-remainder rounding of the
exact shares of :func:`agreements.sharing.allocate`), and every shown share column must
add up exactly to its shown total: 100.00 for percentages, v(N) rounded to the cent for
money. All arithmetic is on the shown text, read as decimals (never floats).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from decimal import Decimal
from fractions import Fraction
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import agreements
from agreements import Agreement
from agreements.clauses.wording import member_name
from agreements.cli import main
from agreements.outcomes.waterfall import distribution_shares, waterfall_table
from agreements.sharing import agreed_rule, allocate, exact, largest_remainder, rounded
from agreements.sharing.compare import METHODS, shown_shares
from tests.scenario_files import small

SCENARIOS = small(sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml")))
IDS = [p.stem for p in SCENARIOS]
DRAWS = "100"  # shares do not depend on draws; simulate/formation only need to run


# ---------------------------------------------------------------------- the truth
@cache
def _agreement(path: Path) -> Agreement:
    return agreements.load(path)


def _rules(path: Path) -> list[str]:
    """The rules ``consortium shares`` shows by default, plus the agreed one."""
    a = _agreement(path)
    default = [m for m in METHODS if m != "fixed" or a.sharing.fixed_shares]
    agreed = agreed_rule(a)
    return list(dict.fromkeys([*default, *([agreed] if agreed else [])]))


@cache
def _truth(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return shown_shares(_agreement(path), _rules(path))


def _shown_rules(path: Path) -> list[str]:
    """Rules that give shares for this scenario (a rule that fails is left out)."""
    return [r for r in _rules(path) if r in _truth(path).columns]


def _agreed(path: Path) -> str:
    rule = agreed_rule(_agreement(path))
    assert rule is not None, f"{path.name}: no agreed rule"
    assert rule in _truth(path).columns, f"{path.name}: agreed rule {rule} gives no shares"
    return rule


def _num(text: Any) -> Fraction:
    """A shown figure (``'1,234.50'``, ``'12.50%'``, ``'12.50\\%'``, a JSON Decimal)
    as an exact number."""
    if isinstance(text, Decimal | int) and not isinstance(text, bool):
        return Fraction(text)
    t = str(text).strip().replace(",", "").replace("\\%", "").rstrip("%").strip()
    return Fraction(Decimal(t))


def _decimals(text: str) -> int:
    t = str(text).strip().replace("\\%", "").rstrip("%")
    return len(t.split(".")[1]) if "." in t else 0


def _check_column(what: str, shown: dict[str, Any], total: Any, expected: pd.Series,
                  expected_total: Fraction) -> None:
    """``shown`` (member -> shown text) equals ``expected`` (member -> Fraction) member
    by member; the members' figures sum exactly to the shown ``total``, which is the
    expected total."""
    got = {m: _num(v) for m, v in shown.items()}
    want = {m: Fraction(expected[m]) for m in expected.index}
    assert got == want, f"{what}: shown {got} != shares {want}"
    assert sum(got.values(), Fraction(0)) == expected_total, \
        f"{what}: shown figures sum to {sum(got.values(), Fraction(0))}, not {expected_total}"
    if total is not None:
        assert _num(total) == expected_total, f"{what}: total row {total} != {expected_total}"


def _money(path: Path, rule: str) -> tuple[pd.Series, Fraction]:
    t = _truth(path)
    return t[rule].drop("total"), rounded(t.attrs["grand_value"], 2)


def _pct(path: Path, rule: str) -> tuple[pd.Series, Fraction]:
    return _truth(path)[f"{rule}_pct"].drop("total"), Fraction(100)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, f"consortium {' '.join(args)} -> exit {code}: {err}"
    return out


def _method_args(path: Path) -> list[str]:
    return [x for r in _shown_rules(path) for x in ("--method", r)]


def test_truth_is_consistent() -> None:
    """The reference itself: shown figures sum to their totals for every rule."""
    for path in SCENARIOS:
        t = _truth(path)
        members = _agreement(path).member_ids
        assert list(t.index) == [*members, "total"]
        for r in _shown_rules(path):
            for col, total in ((r, rounded(t.attrs["grand_value"], 2)),
                               (f"{r}_pct", Fraction(100))):
                assert sum(t[col].drop("total"), Fraction(0)) == total == t.loc["total", col]
            exact_shares = allocate(_agreement(path), r)["share"].map(exact)
            assert list(t[f"{r}_pct"].drop("total")) == \
                list(largest_remainder(exact_shares, 100, 2)), (path.name, r)


# ---------------------------------------------------------------------- consortium shares
def _text_block(out: str, title: str) -> dict[str, dict[str, str]]:
    """The block under the line starting ``title`` of the shares table: rule -> member
    -> shown text (the ``total`` row included)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    header = lines[start + 1].split()
    assert lines[start + 2].split() == ["member"], lines[start + 2]
    block: dict[str, dict[str, str]] = {r: {} for r in header}
    for line in lines[start + 3:]:
        if not line.strip():
            break
        cells = line.split()
        assert len(cells) == len(header) + 1, line
        for r, v in zip(header, cells[1:], strict=True):
            block[r][cells[0]] = v
    return block


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_shares_terminal_table(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _agreement(path)
    money = _text_block(_run(["shares", str(path), *_method_args(path)], capsys),
                        f"shares ({a.currency})")
    pct = _text_block(_run(["shares", str(path), "--percent", *_method_args(path)], capsys),
                      "shares (% of v(N))")
    assert list(money) == list(pct) == _shown_rules(path)
    for r in _shown_rules(path):
        for block, (expected, total) in ((money, _money(path, r)), (pct, _pct(path, r))):
            cells = dict(block[r])
            shown_total = cells.pop("total")
            _check_column(f"{path.name} shares table {r}", cells, shown_total, expected, total)


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_shares_csv_and_json(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(["shares", str(path), "--format", "csv", *_method_args(path)], capsys)
    rows = {row["member"]: row for row in csv.DictReader(io.StringIO(out))}
    records = json.loads(_run(["shares", str(path), "--format", "json", *_method_args(path)],
                              capsys), parse_float=Decimal)
    by_member = {rec["member"]: rec for rec in records}
    members = _agreement(path).member_ids
    assert list(rows) == list(by_member) == [*members, "total"]
    for source, table in (("csv", rows), ("json", by_member)):
        for r in _shown_rules(path):
            for col, (expected, total) in ((r, _money(path, r)), (f"{r}_pct", _pct(path, r))):
                _check_column(f"{path.name} shares {source} {col}",
                              {m: table[m][col] for m in members}, table["total"][col],
                              expected, total)
            gains = [_num(table[m][f"{r}_gain"]) for m in members]
            assert sum(gains, Fraction(0)) == _num(table["total"][f"{r}_gain"])


# ---------------------------------------------------------------------- clause documents
class _HTMLTables(HTMLParser):
    """Every ``<table>`` of an HTML page as rows of cell texts, with the text of the
    heading (``h1``/``h2``) before it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._heading = ""
        self._in_heading = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("h1", "h2"):
            self._in_heading, self._heading = True, ""
        elif tag == "table":
            self.tables.append((self._heading, []))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2"):
            self._in_heading = False
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self._heading += data
        if self._cell is not None:
            self._cell.append(data)


def _html_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    parser = _HTMLTables()
    parser.feed(text)
    return parser.tables


def _md_tables(text: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def _tex_tables(text: str) -> list[list[list[str]]]:
    tables = []
    for body in re.findall(r"\\begin\{longtable\}.*?\n(.*?)\\end\{longtable\}", text, re.S):
        rows = []
        for line in body.splitlines():
            line = line.strip()
            if not line.endswith("\\\\") or re.match(r"\\(top|mid|bottom)rule|\\end", line):
                continue
            cells = re.split(r"(?<!\\)&", line[:-2])
            rows.append([re.sub(r"\\textbf\{(.*)\}", r"\1", c.strip()) for c in cells])
        tables.append(rows)
    return tables


def _xlsx_shown(ws, cell) -> str:
    """A cell as a spreadsheet shows it: a =SUM(...) total evaluated over the numbers it
    sums (exactly, as decimals), numbers in their number format ("0.00%", "CNY" #,##0)."""
    import re
    from decimal import Decimal

    value = cell.value
    if isinstance(value, str) and value.startswith("=SUM("):
        first, last = re.fullmatch(r"=SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", value).groups()
        value = sum((Decimal(str(c.value)) for row in ws[first:last] for c in row), Decimal(0))
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        fmt = cell.number_format or "General"
        number = Decimal(str(value))
        if fmt.endswith("%"):
            places = len(fmt.rstrip("%").partition(".")[2])
            return f"{number * 100:,.{places}f}%"
        code = re.match(r'"([A-Z]{3})"', fmt)
        if code:
            places = len(fmt.split(";")[0].partition(".")[2])
            return f"{code.group(1)} {number:,.{places}f}"
    return str(value)


def _xlsx_tables(path: Path) -> list[list[list[str]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return [[[_xlsx_shown(ws, c) for c in row] for row in ws.iter_rows()]
            for ws in wb.worksheets]


def _docx_tables(path: Path) -> list[list[list[str]]]:
    import docx

    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(path).tables]


def _clause_tables(fmt: str, target: Path) -> list[list[list[str]]]:
    if fmt == "xlsx":
        return _xlsx_tables(target)
    if fmt == "docx":
        return _docx_tables(target)
    text = target.read_text("utf-8-sig")
    if fmt == "md":
        return _md_tables(text)
    if fmt == "html":
        return [rows for _, rows in _html_tables(text)]
    if fmt == "tex":
        return _tex_tables(text)
    return [list(csv.reader(io.StringIO(text)))]


def _schedule_shares(tables: list[list[list[str]]], n: int,
                     marker: str = "Exact share") -> tuple[list[str], str]:
    """The ``Share`` cells of a schedule, the members' and the total's: by default the
    revenue-shares schedule (the table with an ``Exact share`` column); with
    ``marker="Valuation"`` the contributions schedule."""
    found = []
    for rows in tables:
        for h, row in enumerate(rows):
            if marker in row and "Share" in row:
                col = row.index("Share")
                body = rows[h + 1:]
                assert len(body) == n + 1, f"schedule has {len(body)} rows, expected {n + 1}"
                found.append(([r[col] for r in body[:n]], body[n][col]))
                break
    assert len(found) == 1, f"{len(found)} schedules with {marker!r} and 'Share' found"
    return found[0]


def _distribution_figures(tables: list[list[list[str]]], names: list[str]) -> list[str] | None:
    """The percentages of clause 9.x "Distribution rule" (``Name 12.50%; ...``), in
    member order, or None when the clause states no per-member figures."""
    for rows in tables:
        header = next((r for r in rows if "Heading" in r and "Figures" in r), None)
        if header is None:
            continue
        hcol, fcol = header.index("Heading"), header.index("Figures")
        for row in rows:
            if row[hcol] == "Distribution rule" and "%" in row[fcol]:
                cells = row[fcol].replace("\\%", "%").split("; ")
                if len(cells) != len(names):
                    return None
                out = []
                for name, cell in zip(names, cells, strict=True):
                    assert cell.startswith(_tex_plain(name)) or cell.startswith(name), \
                        f"{cell!r} is not {name}'s figure"
                    out.append(cell.rsplit(" ", 1)[1])
                return out
    return None


def _tex_plain(name: str) -> str:
    return "".join("\\" + ch if ch in "&%$#_{}" else ch for ch in name)


CLAUSE_FORMATS = ("md", "html", "tex", "csv", "xlsx", "docx")


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_clause_documents(path: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    a = _agreement(path)
    rule = _agreed(path)
    n = len(a.member_ids)
    expected, total = _pct(path, rule)
    exact_shares = allocate(a, rule)["share"].map(exact)
    names = [member_name(a, i, "en") for i in a.member_ids]
    distribution: dict[str, list[str]] = {}
    for fmt in CLAUSE_FORMATS:
        target = tmp_path / f"clauses.{fmt}"
        extra = ["--table", "revenue_shares"] if fmt == "csv" else []
        _run(["clauses", str(path), "--format", fmt, "-o", str(target), *extra], capsys)
        cells, shown_total = _schedule_shares(_clause_tables(fmt, target), n)
        _check_column(f"{path.name} clauses {fmt} schedule 2 ({rule})",
                      dict(zip(a.member_ids, cells, strict=True)), shown_total, expected, total)
        if fmt == "csv":  # one table per CSV file
            target = tmp_path / "contributions.csv"
            _run(["clauses", str(path), "--format", "csv", "-o", str(target), "--table",
                  "contributions"], capsys)
        # Schedule 1 states each member's share of all contributions' valuation: the
        # shown figures of the proportional rule.
        cells, shown_total = _schedule_shares(_clause_tables(fmt, target), n, "Valuation")
        _check_column(f"{path.name} clauses {fmt} schedule 1 (proportional)",
                      dict(zip(a.member_ids, cells, strict=True)), shown_total,
                      *_pct(path, "proportional"))
        if fmt == "csv":
            target = tmp_path / "clause_table.csv"
            _run(["clauses", str(path), "--format", "csv", "-o", str(target)], capsys)
        figures = _distribution_figures(_clause_tables(fmt, target), names)
        if figures is not None:
            distribution[fmt] = figures
    for fmt, figures in distribution.items():
        d = _decimals(figures[0])
        want = expected if d == 2 else largest_remainder(exact_shares, 100, d)
        _check_column(f"{path.name} clauses {fmt} distribution rule ({rule})",
                      dict(zip(a.member_ids, figures, strict=True)), None, want, total)
    assert not distribution or set(distribution) == set(CLAUSE_FORMATS), \
        f"the distribution clause states figures only in {sorted(distribution)}"


@pytest.mark.parametrize("path", SCENARIOS[:3], ids=IDS[:3])
def test_clause_schedule_at_other_decimals(path: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    a = _agreement(path)
    rule = _agreed(path)
    exact_shares = allocate(a, rule)["share"].map(exact)
    for d in (0, 3):
        target = tmp_path / f"clauses{d}.md"
        _run(["clauses", str(path), "--decimals", str(d), "-o", str(target)], capsys)
        cells, shown_total = _schedule_shares(_clause_tables("md", target), len(a.member_ids))
        assert {_decimals(c) for c in [*cells, shown_total]} == {d}
        _check_column(f"{path.name} clauses md --decimals {d}",
                      dict(zip(a.member_ids, cells, strict=True)), shown_total,
                      largest_remainder(exact_shares, 100, d), Fraction(100))


# ---------------------------------------------------------------------- HTML report
@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_report_tables(path: Path) -> None:
    from agreements.reports.report import build_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page = build_report(path, draws=100)
    tables = [rows for heading, rows in _html_tables(page)
              if heading == "Shares under each sharing rule"]
    assert len(tables) >= 2, "the report has no shares tables"
    money, pct = tables[0], tables[1]
    members = _agreement(path).member_ids
    for rows, unit in ((money, "money"), (pct, "percent")):
        header, body = rows[0], rows[1:]
        assert [r[0] for r in body] == [*members, "total"], f"{unit} table rows"
        # the report shows the default rules (METHODS) and the agreed rule
        rules = [r for r in _shown_rules(path) if r in METHODS or r == _agreed(path)]
        assert [c for c in header if c in _shown_rules(path)] == rules, header
        for r in rules:
            col = header.index(r)
            expected, total = _money(path, r) if unit == "money" else _pct(path, r)
            if unit == "percent":
                assert all(row[col].endswith("%") for row in body)
            _check_column(f"{path.name} report {unit} {r}",
                          {row[0]: row[col] for row in body[:-1]}, body[-1][col],
                          expected, total)


# ---------------------------------------------------------------------- waterfall
@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_waterfall_distribution(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _agreement(path)
    rule = _agreed(path)
    shares = allocate(a, rule)["share"].map(exact)
    assert distribution_shares(a).to_dict() == shares.to_dict()
    # The waterfall the CLI prints divides the distributed income by those shares,
    # to the cent, by largest remainder.
    out = _run(["waterfall", str(path), "--income", "1e12", "--format", "csv"], capsys)
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["stage"] == "distribution"]
    paid = {r["recipient"]: _num(r["amount"]) for r in rows}
    distributed = sum(paid.values(), Fraction(0))
    assert distributed > 0
    want = largest_remainder(shares, distributed, 2)
    assert {m: paid.get(m, Fraction(0)) for m in a.member_ids} == want.to_dict()
    table = waterfall_table(a, 10**12)
    in_process = table[table["stage"] == "distribution"]
    assert {r: Fraction(x) for r, x in zip(in_process["recipient"], in_process["amount"],
                                            strict=True)} == paid


# ---------------------------------------------------------------------- simulate, formation
def _by_rule(rows: list[dict[str, str]], column: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        out.setdefault(row["rule"], {})[row["member"]] = row[column]
    return out


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_simulate_risk_neutral(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(["simulate", str(path), "--risk-neutral", "--draws", DRAWS, "--format", "csv",
                *_method_args(path)], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    unit = _agreement(path).currency.lower()  # money columns are named with their unit
    money, pct = _by_rule(rows, f"share_{unit}"), _by_rule(rows, "share_pct")
    assert set(money) == set(_shown_rules(path))
    for r in _shown_rules(path):
        _check_column(f"{path.name} simulate share {r}", money[r], None, *_money(path, r))
        _check_column(f"{path.name} simulate share_pct {r}", pct[r], None, *_pct(path, r))


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_formation_members_view(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(["formation", str(path), "--view", "members", "--draws", DRAWS, "--format",
                "csv", *_method_args(path)], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["member"] for r in rows] == _agreement(path).member_ids
    for r in _shown_rules(path):
        _check_column(f"{path.name} formation {r}_pct",
                      {row["member"]: row[f"{r}_pct"] for row in rows}, None, *_pct(path, r))
