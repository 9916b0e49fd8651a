"""Validation of scenario files: the malformed corpus and the cross-reference checks."""

from __future__ import annotations

from pathlib import Path

import pytest

import agreements
from agreements import ScenarioError
from agreements.scenario.loader import safe_load
from agreements.scenario.validation import check_references, format_path, suggest

CORPUS = Path(__file__).parent / "data" / "malformed"
EXPECTED: dict[str, list[str]] = safe_load((CORPUS / "expected.yaml").read_text("utf-8"))
MINI = (CORPUS / "duplicate_key.yaml").read_text("utf-8").replace("id: mini2\n", "")


def test_corpus_is_complete() -> None:
    """Every corpus file has expected messages and vice versa; at least 25 files."""
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".yaml", ".json")}
    files.discard("expected.yaml")
    assert files == set(EXPECTED)
    assert len(files) >= 25


def test_corpus_base_is_valid() -> None:
    """The unmodified mini scenario the corpus files are made from loads."""
    a = agreements.loads(MINI, source="mini.yaml")
    assert a.member_ids == ["lead", "uni"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_reports_expected_messages(name: str) -> None:
    with pytest.raises(ScenarioError) as info:
        agreements.load(CORPUS / name)
    text = str(info.value)
    for fragment in EXPECTED[name]:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert all(p.file == str(CORPUS / name) for p in info.value.problems)


def test_every_problem_reported_at_once() -> None:
    """Five mistakes give five problems in one pass, sorted by line."""
    with pytest.raises(ScenarioError, match=r"\(5 problems\)") as info:
        agreements.load(CORPUS / "many_problems.yaml")
    lines = [p.line for p in info.value.problems]
    assert lines == [6, 8, 9, 15, 18]


def test_cross_reference_checks_run_despite_field_errors() -> None:
    """A wrong type elsewhere does not hide unknown member ids."""
    text = MINI.replace("valuation: 10,", "valuation: ten,")
    text = text.replace("member: lead,", "member: x,")
    with pytest.raises(ScenarioError) as info:
        agreements.loads(text)
    paths = [p.path for p in info.value.problems]
    assert sorted(paths) == ["contributions[0].member", "contributions[0].valuation"]


def test_check_references_on_garbage_does_not_crash() -> None:
    """Raw checks skip malformed parts instead of raising."""
    data = {"members": "x", "contributions": [1, None, {"id": 3}], "tasks": {"a": 1},
            "sharing": {"fixed_shares": {"a": "x"}}, "governance": []}
    assert check_references(data) == []
    assert check_references(["not", "a", "mapping"]) == []


def test_fixed_shares_tolerance() -> None:
    """Shares summing to 100 up to 1e-9 pass; 99.9 fails."""
    base = {"members": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}
    ok = {**base, "sharing": {"fixed_shares": {"a": 33.3, "b": 33.3, "c": 33.4}}}
    bad = {**base, "sharing": {"fixed_shares": {"a": 33.3, "b": 33.3, "c": 33.3}}}
    assert check_references(ok) == []
    assert "sum to 99.9" in check_references(bad)[0].message


def test_longer_cycle_reported_once() -> None:
    tasks = [{"id": f"t{i}", "needs": {"all_of": [f"r{(i + 1) % 3}"]}, "produces": [f"r{i}"]}
             for i in range(3)]
    data = {"members": [{"id": "m"}], "tasks": tasks,
            "results": [{"id": f"r{i}"} for i in range(3)]}
    problems = check_references(data)
    assert len(problems) == 1
    assert problems[0].message.endswith("t0 -> t2 -> t1 -> t0")


def test_format_path_and_suggest() -> None:
    assert format_path(["sharing", "fixed_shares", "a"]) == "sharing.fixed_shares.a"
    assert format_path([]) == ""
    assert suggest("xyz", ["members"]) == ""
    assert suggest(3, ["members"]) == ""
