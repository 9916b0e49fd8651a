"""Tests for the shareable HTML report (agreements.reports.report) and ``consortium report``."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import agreements
from agreements.cli import main
from agreements.reports.report import build_report
from sharing_models import InvalidInputError

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SECTIONS = ("Contribution graph", "Shares under each sharing rule", "Who would walk away",
            "Risk profile per member", "Clause table")

#: Three members (the example of agreements.valuation.game.agreement_game) with outside options:
#: v({uni}) = 58, v({uni, firm}) = 60, v({uni, lab}) = 63, v(N) = 65, others 0.
DEMO = {
    "id": "demo", "name": {"en": "Demo consortium"},
    "members": [{"id": "uni", "name": {"en": "University"}, "kind": "university"},
                {"id": "firm", "name": {"en": "Firm"}, "kind": "enterprise"},
                {"id": "lab", "name": {"en": "Lab"}, "kind": "research_institute",
                 "outside_option": 25}],
    "contributions": [
        {"id": "ip", "member": "uni", "kind": "background_ip", "valuation": 5, "cost": 2},
        {"id": "cash", "member": "firm", "kind": "cash", "valuation": 10, "cost": 10,
         "substitute_price": 12},
        {"id": "time", "member": "lab", "kind": "facility", "valuation": 3, "cost": 3,
         "substitute_price": 8}],
    "tasks": [{"id": "dev", "needs": {"all_of": ["ip", "cash", "time"]},
               "produces": ["device"], "cost": 20}],
    "results": [{"id": "device"}],
    "products": [{"id": "sales", "needs": {"all_of": ["device"]},
                  "revenue": {"expected": 100}}],
}


class _Structure(HTMLParser):
    """Collects structure problems, resource references and images of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: dict[str, int] = {}
        self.resources: list[str] = []
        self.images: list[str] = []
        self.decl: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.decl = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "data", "poster") and value is not None:
                self.resources.append(value)
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            return
        self.stack.pop()


def _parse(page: str) -> _Structure:
    p = _Structure()
    p.feed(page)
    p.close()
    return p


def _check_page(page: str) -> _Structure:
    """Valid, balanced, self-contained HTML; returns the parse for further checks."""
    p = _parse(page)
    assert p.decl is not None and p.decl.lower() == "doctype html"
    assert not p.problems, p.problems[:5]
    assert p.stack == [], f"unclosed tags: {p.stack}"
    for tag in ("html", "head", "body", "main", "title"):
        assert p.tags.get(tag) == 1, tag
    assert p.tags.get("script") is None and p.tags.get("link") is None
    assert p.images, "no images"
    for src in p.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [r for r in p.resources if not r.startswith("data:")]
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    assert "url(" not in style.group(1) and "@import" not in style.group(1)
    return p


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_bundled_scenario_gives_a_valid_self_contained_page(path: Path) -> None:
    page = build_report(path, draws=300, seed=1)
    p = _check_page(page)
    assert len(p.images) == 3  # graph, shares chart, CVaR chart
    for heading in SECTIONS:
        assert f"<h2>{heading}</h2>" in page
    assert hashlib.sha256(path.read_bytes()).hexdigest() in page
    a = agreements.load(path)
    assert a.name.en.replace("&", "&amp;") in page
    if a.name.zh:
        assert a.name.zh in page


def test_page_reads_at_phone_width() -> None:
    page = build_report(BAOSHAN, draws=300)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "max-width:1100px" in page and "overflow-x:auto" in page
    assert "@media (max-width:600px)" in page
    # every table sits in a horizontally scrolling box
    assert page.count("<table") == page.count('<div class="scroll"><table')


def test_same_seed_same_page_and_file_written(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    page = build_report(BAOSHAN, out, draws=400, seed=3)
    assert out.read_text(encoding="utf-8") == page
    assert build_report(BAOSHAN, draws=400, seed=3) == page
    risk = page.split("<h2>Risk profile per member</h2>")[1].split("<h2>")[0]
    other = build_report(BAOSHAN, draws=400, seed=4)
    assert other.split("<h2>Risk profile per member</h2>")[1].split("<h2>")[0] != risk


def test_walk_aways_and_blocking_coalitions_of_a_hand_computed_game() -> None:
    """Equal split of v(N) = 65 gives 65/3 each: the lab (outside option 25) walks away,
    and {uni} (worth 58) blocks with excess 58 - 65/3 = 36.33 (largest)."""
    page = build_report(agreements.Agreement.from_mapping(DEMO), draws=300, lang="en")
    _check_page(page)
    section = page.split("<h2>Who would walk away</h2>")[1].split("<h2>")[0]
    row = re.search(r"<td>equal</td>(.*?)</tr>", section, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert cells[0] == "lab"  # risk-neutral: expected share below the outside option
    assert cells[3].startswith("{uni} +36")
    assert "v(N), the expected worth of the whole consortium (task and market risk " \
           "included), is 65.00 " in page
    # one section, the risk-neutral and the risk-averse answer side by side
    assert "<th>risk-neutral (expected share &lt; outside option)</th>" in section
    assert "<th>risk-averse (certainty equivalent &lt; outside option)</th>" in section
    risk = page.split("<h2>Risk profile per member</h2>")[1].split("<h2>")[0]
    assert "joins" not in risk and "walk" not in risk.lower().replace("who would walk", "")
    assert "SHA-256 of the model (canonical JSON) demo (model)" in page


def test_untrusted_text_is_escaped() -> None:
    data = {**DEMO, "name": {"en": "<script>alert(1)</script> & Co"}}
    page = build_report(agreements.Agreement.from_mapping(data), draws=200, lang="en")
    _check_page(page)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page


def test_bad_arguments_raise_project_errors() -> None:
    with pytest.raises(InvalidInputError, match="draws must be a whole number >= 100"):
        build_report(BAOSHAN, draws=10)
    with pytest.raises(InvalidInputError, match="lang must be"):
        build_report(BAOSHAN, lang="fr")
    with pytest.raises(InvalidInputError, match="expected an Agreement or a path"):
        build_report(42)  # type: ignore[arg-type]


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(BAOSHAN), "-o", str(out), "--draws", "300", "--seed", "2"]) == 0
    _check_page(out.read_text(encoding="utf-8"))
    assert "wrote" in capsys.readouterr().err
    assert main(["report", str(BAOSHAN), "-o", str(tmp_path / "r.pdf")]) == 2
    assert main(["report", str(BAOSHAN), "-o", str(out), "--draws", "5"]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nid: x\nmembers: []\n", encoding="utf-8")
    assert main(["report", str(bad), "-o", str(out)]) == 1
    assert "bad.yaml" in capsys.readouterr().err


def test_language_of_clauses_and_labels() -> None:
    a = agreements.Agreement.from_mapping(DEMO)
    assert "标题" not in build_report(a, draws=200)  # no Chinese name: English by default
    zh = build_report(BAOSHAN, draws=200, lang="zh")
    clauses = zh.split("<h2>Clause table</h2>")[1]
    assert "<th>标题</th>" in clauses and "<th>Heading</th>" not in clauses
    both = build_report(BAOSHAN, draws=200).split("<h2>Clause table</h2>")[1]
    assert "<th>标题</th>" in both and "<th>Heading</th>" in both


def test_too_many_members_for_the_game_still_gives_a_page() -> None:
    """25 members exceed agreements.valuation.game.MAX_MEMBERS (24): the shares come part
    by part (docs/large-consortia.md) and the page says so; the nucleolus, which needs
    the whole game, is left out with a note; graph, walk-away, risk and clause sections
    are all there."""
    members = [{"id": f"m{i:02d}", "name": {"en": f"Member {i}"}, "kind": "enterprise"}
               for i in range(25)]
    contributions = [{"id": f"c{i:02d}", "member": f"m{i:02d}", "kind": "cash",
                      "valuation": 1 + i, "cost": 1 + i} for i in range(25)]
    data = {**DEMO, "id": "big", "members": members, "contributions": contributions,
            "tasks": [{"id": "dev", "needs": {"all_of": ["c00", "c01"]},
                       "produces": ["device"], "cost": 20}]}
    page = build_report(agreements.Agreement.from_mapping(data), draws=200, lang="en")
    p = _check_page(page)
    assert "Shares could not be computed:" not in page
    assert "shapley: exact by structure (1 part, largest 2 members)" in page
    assert "nucleolus left out: it needs the whole game" in page
    assert "Needs the shares above" not in page
    assert len(p.images) == 3  # graph, shares and CVaR charts
    assert "Member 24" in page.split("<h2>Clause table</h2>")[1]
