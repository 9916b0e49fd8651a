"""Loading scenario files: formats, safety, errors for unreadable input, speed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

import agreements
from agreements import Agreement, AgreementError, ScenarioError
from agreements.scenario.loader import safe_load
from sharing_models import ConsortiumError

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"


def _member(i: int) -> dict:
    return {"id": f"m{i:04d}", "name": {"en": f"Member {i}", "zh": f"成员{i}"},
            "kind": "enterprise", "layer": "general", "region": "Shanghai",
            "revenue": 1000.0 + i, "outside_option": 1.0}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_bundled_scenario_loads(path: Path) -> None:
    a = agreements.load(path)
    assert isinstance(a, Agreement)
    assert len(a.member_ids) == len(set(a.member_ids)) >= 1


def test_yaml_and_json_give_the_same_agreement(tmp_path: Path) -> None:
    data = safe_load(BAOSHAN.read_text("utf-8"))
    out = tmp_path / "baoshan.json"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert agreements.load(out) == agreements.load(BAOSHAN)
    assert agreements.loads(out.read_text("utf-8"), format="json") == agreements.load(BAOSHAN)


def test_from_mapping_runs_the_same_checks() -> None:
    data = safe_load(BAOSHAN.read_text("utf-8"))
    assert Agreement.from_mapping(data).id == "baoshan_medical_devices"
    data["contributions"][0]["member"] = "nobody"
    with pytest.raises(ScenarioError, match=r"<mapping>: contributions\[0\]\.member"):
        Agreement.from_mapping(data)


def test_dates_stay_strings() -> None:
    a = agreements.loads("id: x\nname: {en: X}\ndate: 2024-01-31\n"
                         "members: [{id: a, name: {en: A}, kind: enterprise}]\n")
    assert a.date == "2024-01-31"


def test_block_style_lines_point_at_the_key() -> None:
    text = ("id: x\nname:\n  en: X\nmembers:\n  - id: a\n    name: {en: A}\n"
            "    kind: enterprise\n    revenue: -1\n")
    with pytest.raises(ScenarioError) as info:
        agreements.loads(text, source="s.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.path) == (8, "members[0].revenue")
    assert str(problem) == "s.yaml:8: members[0].revenue: must not be negative; got -1"


def test_python_tags_are_rejected_without_running_code(tmp_path: Path) -> None:
    """A !!python/object tag is an error; the code it names never runs."""
    marker = tmp_path / "pwned"
    text = (f"id: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path "
            f"['{marker}']]\nname: {{en: X}}\n")
    with pytest.raises(ScenarioError, match=r"unsupported YAML tag 'tag:yaml\.org,2002:python/"):
        agreements.loads(text)
    assert not marker.exists()


def test_scenario_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        agreements.loads("[]")
    assert issubclass(ScenarioError, ConsortiumError)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("missing.yaml", None, "no such file"),
        ("scenario.toml", "x = 1", "unsupported file type '.toml'"),
        ("latin1.yaml", b"id: caf\xe9\n", "not UTF-8 text"),
    ],
)
def test_unreadable_files_raise_agreement_error(tmp_path: Path, name: str, content: object,
                                                match: str) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    with pytest.raises(AgreementError, match=match):
        agreements.load(path)


def test_directory_is_not_a_scenario(tmp_path: Path) -> None:
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    with pytest.raises(AgreementError, match="is a directory"):
        agreements.load(folder)


def test_unknown_text_format() -> None:
    with pytest.raises(AgreementError, match="unsupported format 'toml'"):
        agreements.loads("x = 1", format="toml")


def test_empty_json_is_reported() -> None:
    with pytest.raises(ScenarioError, match="the scenario is empty"):
        agreements.loads("  \n", format="json")


def test_three_thousand_members_load_in_seconds(tmp_path: Path) -> None:
    """A generated 3,000-member scenario (with one typo at the end) loads in < 5 s."""
    members = [_member(i) for i in range(3000)]
    contributions = [{"id": f"c{i:04d}", "member": f"m{i:04d}", "kind": "cash",
                      "valuation": 10.0, "cost": 5.0} for i in range(3000)]
    data = {"format": 1, "id": "big", "name": {"en": "Big"}, "members": members,
            "contributions": contributions,
            "tasks": [{"id": "t", "needs": {"all_of": [c["id"] for c in contributions]},
                       "produces": ["r"]}],
            "results": [{"id": "r"}],
            "products": [{"id": "p", "needs": {"all_of": ["r"]}, "revenue": {"expected": 1}}]}
    path = tmp_path / "big.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(data, Dumper=dumper, allow_unicode=True), encoding="utf-8")
    start = time.perf_counter()
    a = agreements.load(path)
    assert time.perf_counter() - start < 5.0
    assert len(a.members) == 3000
    data["contributions"][-1]["member"] = "m9999"
    path.write_text(yaml.dump(data, Dumper=dumper, allow_unicode=True), encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match=r"contributions\[2999\]\.member: unknown member"):
        agreements.load(path)
    assert time.perf_counter() - start < 5.0


@pytest.mark.parametrize("tagged", [
    "!!python/object:collections.OrderedDict {a: 1}",
    "!!python/tuple [1, 2]",
    "!!python/name:os.system ''",
    "!custom 5",
])
def test_non_standard_tags_on_any_node_are_rejected(tagged: str) -> None:
    with pytest.raises(ScenarioError, match="unsupported YAML tag"):
        agreements.loads(f"id: x\nname: {{en: X}}\nextra: {tagged}\n")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ScenarioError, match="recursive alias"):
        agreements.loads("id: x\nname: {en: X}\nmembers: &m [*m]\n")


def test_alias_bomb_is_not_expanded() -> None:
    """Nested aliases ("billion laughs") are shared, not copied: fast and small."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="unknown key 'a0'"):
        agreements.loads("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2.0


def test_merge_keys_and_anchors_work() -> None:
    text = ("id: x\nname: {en: X}\nmembers:\n  - &base {id: a, name: {en: A}, kind: enterprise}\n"
            "  - {<<: *base, id: b}\n")
    assert agreements.loads(text).member_ids == ["a", "b"]


def test_yaml_12_floats_and_plain_scalars() -> None:
    """2.0e9 is a number (YAML 1.1 loaders read it as text); dates stay text."""
    a = agreements.loads("id: x\nname: {en: X}\nmembers: [{id: a, name: {en: A}, "
                         "kind: enterprise, revenue: 2.0e9, outside_option: -1E3}]\n")
    assert a.members[0].revenue == 2.0e9
    assert a.members[0].outside_option == -1000.0
    with pytest.raises(ScenarioError, match=r"must not be negative; got -1000000\.0"):
        agreements.loads("id: x\nname: {en: X}\nmembers: [{id: a, name: {en: A}, "
                         "kind: enterprise, revenue: -1e6}]\n")


def _line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` (unique in the fixtures below)."""
    return text[: text.index(needle)].count("\n") + 1


def test_five_different_mistakes_reported_at_once_yaml_and_json(tmp_path: Path) -> None:
    """A real scenario with five mistakes of five kinds (wrong type, duplicate id, bad
    enum, typo in a key, negative value): one error lists all five, each as
    ``file:line: field.path: message``, in YAML and in JSON."""
    data = safe_load((ROOT / "scenarios" / "yrd_joint_research.yaml").read_text("utf-8"))
    first, second = data["members"][0]["id"], data["members"][1]["id"]
    data["members"][0]["employees"] = "many"
    data["members"][2]["id"] = first
    data["members"][3]["layer"] = "closer"
    data["members"][1]["revenu"] = data["members"][1].pop("revenue")
    data["contributions"][0]["valuation"] = -5
    expected = [
        ("members[0].employees", '"many"', "expected a whole number; got text 'many'"),
        ("members[2].id", None, f"duplicate member id '{first}'"),
        ("members[3].layer", '"closer"', "did you mean 'close'?"),
        ("members[1].revenu", '"revenu"', "unknown key 'revenu'; did you mean 'revenue'?"),
        ("contributions[0].valuation", '"valuation": -5', "must not be negative; got -5"),
    ]
    for suffix in ("json", "yaml"):
        path = tmp_path / f"five.{suffix}"
        if suffix == "json":
            text = json.dumps(data, indent=2, ensure_ascii=False)
        else:
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ScenarioError) as info:
            agreements.load(path)
        problems = {p.path: p for p in info.value.problems}
        for field, needle, message in expected:
            assert field in problems, f"{suffix}: {field} not reported: {info.value}"
            problem = problems[field]
            assert message in problem.message
            assert problem.file == str(path) and problem.line is not None
            if needle is not None and suffix == "json":
                assert problem.line == _line_of(text, needle)
            assert str(problem).startswith(f"{path}:{problem.line}: {field}: ")
        assert "members[1].id" not in problems, second  # only members[2] reuses an id


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_bundled_scenario_matches_the_exported_schema(path: Path) -> None:
    """What ``consortium schema`` exports (for editors) accepts every file the loader
    accepts, read the way the loader reads it (YAML 1.2 floats such as ``2.0e9``)."""
    jsonschema = pytest.importorskip("jsonschema")
    from agreements.scenario.loader import _SafeLoader
    from agreements.scenario.schema import schema_json

    schema = json.loads(schema_json())
    data = yaml.load(path.read_text("utf-8"), Loader=_SafeLoader)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert errors == [], [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]]


def test_duplicate_keys_in_json_are_reported_with_their_line(tmp_path: Path) -> None:
    """``json.loads`` keeps the last of two equal keys without a word; a scenario file
    must not (YAML already reports them). The file is otherwise valid."""
    from agreements.scenario.loader import _SafeLoader

    data = yaml.load(BAOSHAN.read_text("utf-8"), Loader=_SafeLoader)
    body = json.dumps(data, indent=2, ensure_ascii=False)
    assert agreements.loads(body, format="json").id == data["id"]  # valid as written
    first = '"outside_option": '
    at = body.index(first)
    end = body.index("\n", at)
    doubled = body[:end] + "\n" + body[at - 4:end] + body[end:]  # same key, same object
    line = body[:at].count("\n") + 2
    with pytest.raises(ScenarioError) as info:
        agreements.loads(doubled, format="json", source="dup.json")
    assert [str(p) for p in info.value.problems] == [
        f"dup.json:{line}: members[0].outside_option: duplicate key 'outside_option'"]


@pytest.mark.parametrize(("text", "fmt"), [
    ("id: x\nname: {en: X}\nmembers:\n  - {id: a, name: {en: A}, kind: enterprise, "
     "revenue: .inf, outside_option: .nan}\n", "yaml"),
    ('{"id": "x", "name": {"en": "X"}, "members": [{"id": "a", "name": {"en": "A"}, '
     '"kind": "enterprise", "revenue": Infinity, "outside_option": NaN}]}', "json"),
])
def test_infinite_and_nan_amounts_are_rejected(text: str, fmt: str) -> None:
    with pytest.raises(ScenarioError) as info:
        agreements.loads(text, format=fmt)
    assert {p.path: p.message for p in info.value.problems} == {
        "members[0].revenue": "expected a finite number; got inf",
        "members[0].outside_option": "expected a finite number; got nan"}
