"""Formation-rule profiles: each bundled profile against agreements that pass and fail it.

Rules come from the Qingdao guideline (青科字〔2025〕5号, seed 001), the EIT Regulation
(EU) 2021/819 Art. 9 (seed 002), the Yangtze River Delta joint research programme (seed
003) and the DESCA model consortium agreement; see ``docs/scenarios.md``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import agreements
from agreements import Agreement
from agreements.profiles import (
    Profile,
    ProfileError,
    available_profiles,
    check,
    load_profile,
    profile_from_mapping,
)
from sharing_models.exceptions import ConsortiumError, InvalidInputError
from tests.strategies import agreement_mappings

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _member(mid: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"id": mid, "name": {"en": mid.title()}, "kind": kind, **extra}


def qingdao_mapping() -> dict[str, Any]:
    """A small agreement built to meet every Qingdao rule."""
    members = [
        _member("lead", "lead_enterprise", layer="lead", registered_in="Qingdao"),
        _member("up1", "enterprise", layer="close"),
        _member("up2", "enterprise", layer="close"),
        _member("down1", "enterprise", layer="general"),
        _member("uni", "university", layer="close"),
        _member("inst", "research_institute", layer="general"),
    ]
    ids = [m["id"] for m in members]
    return {
        "id": "qd",
        "name": {"en": "Qingdao test consortium"},
        "term_years": 3,
        "members": members,
        "contributions": [
            {"id": f"c_{m}", "member": m, "kind": "staff", "valuation": 1.0} for m in ids
        ],
        "tasks": [
            {
                "id": "t1",
                "lead": "lead",
                "members": ["uni", "inst"],
                "needs": {"all_of": [f"c_{m}" for m in ids]},
                "produces": ["r1"],
            }
        ],
        "results": [{"id": "r1", "ownership": "joint", "owners": ["lead", "uni"]}],
        "products": [{"id": "p1", "needs": {"all_of": ["r1"]}, "revenue": {"expected": 10.0}}],
        "sharing": {"method": "shapley"},
        "governance": {"body": "council"},
    }


def _agreement(data: dict[str, Any]) -> Agreement:
    return Agreement.model_validate(data)


def _failed(frame: pd.DataFrame) -> set[str]:
    return set(frame.loc[~frame["passed"], "rule"])


def _scenario(name: str) -> Agreement:
    return agreements.load(SCENARIOS / f"{name}.yaml")


# ---------------------------------------------------------------------------- loading
def test_available_profiles_lists_the_bundled_files() -> None:
    assert available_profiles() == [
        "baoshan",
        "eu_eit_kic",
        "generic_formation",
        "qingdao",
        "yrd_joint_research",
    ]


@pytest.mark.parametrize(
    "name", ["eu_eit_kic", "generic_formation", "qingdao", "yrd_joint_research"]
)
def test_bundled_profiles_are_complete(name: str) -> None:
    """Every rule has English and Chinese text and a source the profile defines."""
    profile = load_profile(name)
    assert profile.id == name
    source_ids = {s.id for s in profile.sources}
    for rule in profile.rules:
        assert rule.text.en and rule.text.zh
        assert rule.source in source_ids


def test_load_profile_from_path_and_mapping(tmp_path: Path) -> None:
    bundled = load_profile("qingdao")
    data = bundled.model_dump(mode="json", exclude_defaults=True)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_profile(path) == bundled
    assert load_profile(str(path)) == bundled
    assert load_profile(data) == bundled
    assert load_profile(bundled) is bundled


def test_check_columns_and_order() -> None:
    frame = check(_agreement(qingdao_mapping()), "qingdao")
    assert list(frame.columns) == ["rule", "passed", "detail", "level", "source", "text"]
    assert list(frame["rule"]) == [r.id for r in load_profile("qingdao").rules]
    assert frame["passed"].dtype == bool
    assert frame["source"].str.contains("青科字").all()


def test_agreement_check_delegates() -> None:
    agreement = _agreement(qingdao_mapping())
    pd.testing.assert_frame_equal(agreement.check("qingdao"), check(agreement, "qingdao"))


def test_findings_name_profile_and_agreement() -> None:
    frame = check(_agreement(qingdao_mapping()), "qingdao")
    assert frame.attrs == {
        "profile": "qingdao",
        "profile_name": "Qingdao innovation-consortium formation guideline",
        "agreement": "qd",
    }
    with pytest.raises(InvalidInputError, match="lang must be 'en' or 'zh', got 'fr'"):
        check(_agreement(qingdao_mapping()), "qingdao", lang="fr")  # type: ignore[arg-type]


def test_chinese_text() -> None:
    frame = check(_agreement(qingdao_mapping()), "qingdao", lang="zh")
    row = frame.set_index("rule").loc["chain_enterprises"]
    assert "不少于3家" in row["text"]


# ---------------------------------------------------------------------------- Qingdao
def test_qingdao_passes_when_every_condition_holds() -> None:
    frame = check(_agreement(qingdao_mapping()), "qingdao")
    assert frame["passed"].all(), frame


def _qingdao_without(change: str) -> dict[str, Any]:
    data = qingdao_mapping()
    members = data["members"]
    if change == "lead_elsewhere":
        members[0]["registered_in"] = "Jinan"
    elif change == "two_enterprises":
        members[3]["kind"] = "investor"
    elif change == "one_university":
        members[5]["kind"] = "enterprise"
    elif change == "long_term":
        data["term_years"] = 5
    elif change == "no_term":
        del data["term_years"]
    elif change == "idle_member":
        members.append(_member("idle", "investor"))
    elif change == "no_sharing":
        del data["sharing"]
    elif change == "fixed_without_shares":
        data["sharing"] = {"method": "fixed"}
    elif change == "no_ip":
        data["results"] = [{"id": "r1"}]
    elif change == "two_leads":
        members[1]["layer"] = "lead"
    return data


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ("lead_elsewhere", {"lead_in_qingdao"}),
        ("two_enterprises", {"chain_enterprises"}),
        # An institute turned enterprise: 1 university/institute left, 4 chain enterprises.
        ("one_university", {"universities_institutes"}),
        ("long_term", {"term_max_3_years"}),
        ("no_term", {"term_max_3_years"}),
        ("idle_member", {"task_division"}),
        ("no_sharing", {"revenue_distribution"}),
        ("fixed_without_shares", {"revenue_distribution"}),
        ("no_ip", {"ip_management"}),
        # Two lead units: not a single lead; up1 leaves the chain-enterprise count.
        ("two_leads", {"lead_unit", "lead_in_qingdao", "chain_enterprises"}),
    ],
)
def test_qingdao_fails_the_expected_rule(change: str, failing: set[str]) -> None:
    frame = check(_agreement(_qingdao_without(change)), "qingdao")
    assert _failed(frame) == failing


def test_qingdao_details_name_what_was_found() -> None:
    frame = check(_agreement(_qingdao_without("lead_elsewhere")), "qingdao").set_index("rule")
    assert frame.loc["lead_in_qingdao", "detail"] == (
        "lead unit not registered in Qingdao: lead (Jinan)"
    )
    frame = check(_agreement(_qingdao_without("two_enterprises")), "qingdao").set_index("rule")
    assert "2 members" in frame.loc["chain_enterprises", "detail"]
    assert "up1, up2" in frame.loc["chain_enterprises", "detail"]


def test_registered_in_is_case_insensitive() -> None:
    data = qingdao_mapping()
    data["members"][0]["registered_in"] = "QINGDAO"
    assert check(_agreement(data), "qingdao")["passed"].all()


def test_lead_falls_back_to_kind_lead_enterprise() -> None:
    data = qingdao_mapping()
    data["members"][0]["layer"] = "close"  # kind stays lead_enterprise
    assert check(_agreement(data), "qingdao")["passed"].all()


# ---------------------------------------------------------------------------- Baoshan
def test_baoshan_milestones_are_recommended() -> None:
    """Seed 000: staged funding with milestone-evaluation awards; tasks need milestones."""
    data = qingdao_mapping()
    frame = check(_agreement(data), "baoshan").set_index("rule")
    assert not frame.loc["milestones", "passed"]
    assert frame.loc["milestones", "level"] == "recommended"
    assert frame.loc["milestones", "detail"] == "tasks without a milestone and duration: t1"
    data["tasks"][0] |= {"milestone": "Prototype passes bench test", "duration_months": 12}
    assert check(_agreement(data), "baoshan")["passed"].all()
    data["tasks"] = []
    frame = check(_agreement(data), "baoshan").set_index("rule")
    assert frame.loc["milestones", "detail"] == "the agreement defines no tasks"


# ---------------------------------------------------------------------------- EU EIT KIC
def kic_mapping() -> dict[str, Any]:
    return {
        "id": "kic",
        "name": {"en": "KIC"},
        "currency": "EUR",
        "members": [
            _member("tum", "university", country="DE"),
            _member("cnrs", "research_institute", country="FR"),
            _member("acme", "enterprise", country="NL"),
        ],
    }


def test_eit_kic_passes_three_states_three_kinds() -> None:
    assert check(_agreement(kic_mapping()), "eu_eit_kic")["passed"].all()


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"country": "DE"}, {"three_member_states"}),
        ({"country": "CH"}, {"three_member_states"}),  # not an EU member state
        ({"independent": False}, {"three_independent_partners", "three_member_states"}),
        ({"kind": "university"}, {"private_company"}),
        ({"kind": "hospital"}, {"private_company"}),
    ],
)
def test_eit_kic_fails_the_expected_rule(change: dict[str, Any], failing: set[str]) -> None:
    data = kic_mapping()
    data["members"][2].update(change)
    assert _failed(check(_agreement(data), "eu_eit_kic")) == failing


def test_eit_kic_missing_kinds() -> None:
    data = kic_mapping()
    data["members"][0]["kind"] = "enterprise"
    data["members"][1]["kind"] = "enterprise"
    failing = _failed(check(_agreement(data), "eu_eit_kic"))
    assert failing == {"higher_education", "research_organisation"}


# ---------------------------------------------------------------------------- YRD
def test_yrd_two_of_four_regions() -> None:
    data = kic_mapping()
    for member, region in zip(data["members"], ["Shanghai", "Shanghai", "Anhui"], strict=True):
        member["region"] = region
    data["term_years"] = 2
    assert check(_agreement(data), "yrd_joint_research")["passed"].all()
    data["members"][2]["region"] = "Shanghai"
    frame = check(_agreement(data), "yrd_joint_research").set_index("rule")
    assert _failed(frame.reset_index()) == {"two_of_four_regions"}
    assert "1 distinct region values" in frame.loc["two_of_four_regions", "detail"]
    data["members"][2]["region"] = "Beijing"
    assert _failed(check(_agreement(data), "yrd_joint_research")) == {
        "two_of_four_regions",
        "all_units_in_yrd",
    }


# ---------------------------------------------------------------------------- generic
def test_generic_checklist_on_a_bare_agreement() -> None:
    """A members-only agreement fails every item of the generic checklist."""
    frame = check(_agreement(kic_mapping()), "generic_formation")
    assert not frame["passed"].any()
    assert set(frame.loc[frame["level"] == "recommended", "rule"]) == {
        "governance",
        "default_clause",
    }


def test_result_owner_by_rule() -> None:
    """Owners come from the ownership rule when no owners are listed."""
    data = qingdao_mapping()
    data["default"] = {"notice_days": 30}
    data["results"] = [{"id": "r1", "ownership": "generating_party"}]
    assert check(_agreement(data), "generic_formation")["passed"].all()
    data["tasks"][0]["lead"] = None
    data["tasks"][0]["members"] = []
    frame = check(_agreement(data), "generic_formation").set_index("rule")
    assert not frame.loc["every_result_has_owner", "passed"]
    assert frame.loc["every_result_has_owner", "detail"] == "results without an owner: r1"
    data["results"] = [{"id": "r1", "ownership": "lead"}]
    assert (
        check(_agreement(data), "generic_formation")
        .set_index("rule")
        .loc["every_result_has_owner", "passed"]
    )


# ---------------------------------------------------------------------------- scenarios
_GENERIC_OK = [
    "baoshan_medical_devices",
    "synthetic_biology_baoshan",
    "lingang_eda",
    "dominant_firm",
    "eu_eit_kic",
    "yrd_joint_research",
    "qingdao_marine_equipment",
    "precision_oncology_data",
]


@pytest.mark.parametrize(
    ("scenario", "profile", "failing"),
    [
        *[(name, "generic_formation", set()) for name in _GENERIC_OK],
        # SEMATECH had no lead enterprise: 14 peers and a government funder.
        ("sematech_1987", "generic_formation", {"lead_unit"}),
        ("qingdao_marine_equipment", "qingdao", set()),
        ("synthetic_biology_baoshan", "qingdao", {"lead_in_qingdao", "chain_enterprises"}),
        (
            "baoshan_medical_devices",
            "qingdao",
            {"lead_in_qingdao", "chain_enterprises", "universities_institutes"},
        ),
        (
            "sematech_1987",
            "qingdao",
            {"lead_unit", "lead_in_qingdao", "universities_institutes", "term_max_3_years"},
        ),
        ("eu_eit_kic", "qingdao", {"lead_in_qingdao"}),
        ("eu_eit_kic", "eu_eit_kic", set()),
        ("lingang_eda", "eu_eit_kic", {"three_member_states", "research_organisation"}),
        (
            "sematech_1987",
            "eu_eit_kic",
            {"three_member_states", "higher_education", "research_organisation"},
        ),
        ("yrd_joint_research", "yrd_joint_research", set()),
        ("lingang_eda", "yrd_joint_research", set()),  # Shanghai and Jiangsu units
        ("synthetic_biology_baoshan", "yrd_joint_research", {"two_of_four_regions"}),
        ("eu_eit_kic", "yrd_joint_research", {"two_of_four_regions", "all_units_in_yrd"}),
        ("baoshan_medical_devices", "baoshan", set()),
        # A hospital leads: not a lead enterprise, but units from all four YRD regions.
        ("precision_oncology_data", "baoshan", {"lead_unit"}),
        ("precision_oncology_data", "yrd_joint_research", set()),
        # Filed under the Baoshan guideline with two parks and no chain enterprise: only the
        # recommended rule fails.
        ("synthetic_biology_baoshan", "baoshan", {"chain_enterprises"}),
        ("eu_eit_kic", "baoshan", {"lead_unit"}),  # led by a start-up, not a lead enterprise
        ("sematech_1987", "baoshan", {"lead_unit", "research_partners"}),
    ],
)
def test_bundled_scenarios_against_profiles(scenario: str, profile: str, failing: set[str]) -> None:
    assert _failed(check(_scenario(scenario), profile)) == failing


# ---------------------------------------------------------------------------- malformed
def _profile_data() -> dict[str, Any]:
    return copy.deepcopy(load_profile("qingdao").model_dump(mode="json", exclude_defaults=True))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["rules"][2].update(rule="min_member"),
            r"rules\[2\]: unknown rule 'min_member'; did you mean 'min_members'\?",
        ),
        (
            lambda d: d["rules"][2].update(rule="quorum"),
            r"rules\[2\]: unknown rule 'quorum'; expected one of all_members, .*single_lead",
        ),
        (lambda d: d["rules"][2].pop("rule"), r"rules\[2\]: missing 'rule'; expected one of"),
        (
            lambda d: d["rules"][2].update(mni=3),
            r"rules\[2\]\.mni: unknown key 'mni'; did you mean 'min'\? \(valid keys: .*where\)",
        ),
        (lambda d: d.update(rulez=[]), r"rulez: unknown key 'rulez'; did you mean 'rules'\?"),
        (lambda d: d["rules"][2].pop("text"), r"rules\[2\]\.text: Field required"),
        (lambda d: d["rules"][2]["text"].pop("en"), r"rules\[2\]\.text\.en: Field required"),
        (lambda d: d["rules"][2].pop("min"), r"rules\[2\]\.min: Field required"),
        (lambda d: d["rules"][2].update(min=-1), r"rules\[2\]\.min: .*greater than or equal to 0"),
        (
            lambda d: d["rules"][3].update(where={"kind": ["universty"]}),
            r"unknown value 'universty'; expected one of \[.*'university'",
        ),
        (
            lambda d: d["rules"][3].update(where={"independent": "yes"}),
            r"where\.independent: expected true or false, got 'yes'",
        ),
        (
            lambda d: d["rules"][3].update(where={"region": True}),
            r"where\.region: expected a string, got True",
        ),
        (lambda d: d["rules"][3].update(where={"sector": "x"}), r"rules\[3\]\.where\.sector"),
        (
            lambda d: d["rules"][1].update(id="lead_unit"),
            r"rules\[1\]\.id: duplicate rule id 'lead_unit' \(first: rules\[0\]\)",
        ),
        (
            lambda d: d["rules"][1].update(source="nope"),
            r"rules\[1\]\.source: unknown source 'nope'; expected one of \['qingdao2025'\]",
        ),
        (lambda d: d.update(rules=[]), r"rules: List should have at least 1 item"),
        (lambda d: d.update(format=2), r"format: Input should be 1"),
    ],
)
def test_malformed_profile_messages(edit: Any, message: str) -> None:
    data = _profile_data()
    edit(data)
    with pytest.raises(ProfileError, match=message) as info:
        profile_from_mapping(data, source="bad.yaml")
    assert isinstance(info.value, ConsortiumError)
    assert "profile bad.yaml is invalid (1 problem)" in str(info.value)


def test_malformed_profile_reports_every_problem_at_once() -> None:
    data = _profile_data()
    data["rules"][0]["rule"] = "nonsense"
    data["rules"][2]["mni"] = 3
    data["rules"][4].pop("max")
    with pytest.raises(ProfileError, match=r"\(3 problems\)") as info:
        load_profile(data)
    assert [p.path for p in info.value.problems] == ["rules[0]", "rules[2].mni", "rules[4].max"]


def test_yaml_profile_problems_carry_lines(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "id: mine\n"
        "name: {en: Mine}\n"
        "rules:\n"
        "  - id: a\n"
        "    rule: min_members\n"
        "    min: 2\n"
        "    text: {en: t}\n"
        "  - id: b\n"
        "    rule: exists\n"
        "    wher: {kind: university}\n"
        "    text: {en: t}\n"
        "    source: nowhere\n",
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == ("rules[1].wher", 10)
    assert f"profile {path} is invalid (1 problem):" in str(info.value)
    assert "line 10: rules[1].wher: unknown key 'wher'; did you mean 'where'?" in str(info.value)
    text = path.read_text(encoding="utf-8").replace("wher:", "where:")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"line 12: rules\[1\]\.source: unknown source"):
        load_profile(path)


def test_profile_file_errors(tmp_path: Path) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(bad_yaml)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="expected a mapping at top level, got list"):
        load_profile(listed)
    with pytest.raises(ProfileError, match=r"^profile qindao: no profile named 'qindao'.*qingdao"):
        load_profile("qindao")
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(tmp_path / "missing.yaml")
    unsafe = tmp_path / "unsafe.yaml"
    unsafe.write_text("!!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(unsafe)


def test_check_rejects_non_agreements() -> None:
    with pytest.raises(InvalidInputError, match="needs an Agreement"):
        check({"id": "x"}, "qingdao")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="got int"):
        load_profile(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- properties
KINDS = ["lead_enterprise", "enterprise", "university", "research_institute", "hospital"]
REGIONS = ["Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Beijing", None]

member_specs = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sampled_from(REGIONS), st.booleans()),
    min_size=1,
    max_size=12,
)


def _members_agreement(specs: list[tuple[str, str | None, bool]]) -> Agreement:
    members = [
        _member(f"m{i}", kind, region=region, independent=indep)
        for i, (kind, region, indep) in enumerate(specs)
    ]
    return _agreement({"id": "h", "name": {"en": "H"}, "members": members})


def _count_profile(minimum: int) -> Profile:
    text = {"en": "t"}
    return load_profile(
        {
            "id": "p",
            "name": {"en": "P"},
            "rules": [
                {
                    "id": "a",
                    "rule": "min_members",
                    "min": minimum,
                    "text": text,
                    "where": {"kind": ["university", "research_institute"], "independent": True},
                },
                {
                    "id": "b",
                    "rule": "min_distinct",
                    "field": "region",
                    "min": minimum,
                    "text": text,
                    "among": ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"],
                },
                {"id": "c", "rule": "exists", "where": {"kind": "hospital"}, "text": text},
                {"id": "d", "rule": "max_members", "max": minimum, "text": text},
            ],
        }
    )


@settings(max_examples=60, deadline=None)
@given(specs=member_specs, minimum=st.integers(0, 5))
def test_counting_rules_match_a_direct_count(
    specs: list[tuple[str, str | None, bool]], minimum: int
) -> None:
    passed = check(_members_agreement(specs), _count_profile(minimum))["passed"].tolist()
    academic = sum(k in {"university", "research_institute"} and i for k, _, i in specs)
    regions = {r for _, r, _ in specs if r in {"Shanghai", "Jiangsu", "Zhejiang", "Anhui"}}
    hospital = any(k == "hospital" for k, _, _ in specs)
    assert passed == [academic >= minimum, len(regions) >= minimum, hospital, len(specs) <= minimum]


@settings(max_examples=40, deadline=None)
@given(specs=member_specs, extra=member_specs, minimum=st.integers(0, 5), data=st.data())
def test_lower_bounds_are_monotone_and_order_free(
    specs: list[tuple[str, str | None, bool]],
    extra: list[tuple[str, str | None, bool]],
    minimum: int,
    data: st.DataObject,
) -> None:
    """Adding members never breaks a lower bound; member order never matters."""
    profile = _count_profile(minimum)
    before = check(_members_agreement(specs), profile)["passed"].tolist()
    after = check(_members_agreement(specs + extra), profile)["passed"].tolist()
    assert all(a or not b for a, b in zip(after[:3], before[:3], strict=True))
    shuffled = data.draw(st.permutations(specs))
    assert check(_members_agreement(shuffled), profile)["passed"].tolist() == before


def _docs_table() -> dict[tuple[str, str], set[str]]:
    """The scenario x profile table of failing rules in docs/scenarios.md."""
    text = (SCENARIOS.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| scenario | `baoshan`")]
    assert len(rows) == 1
    lines = text.splitlines()
    start = lines.index(rows[0])
    profiles = [c.strip().strip("`") for c in rows[0].strip("|").split("|")][1:]
    table = {}
    for line in lines[start + 2 :]:
        if not line.startswith("| `"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        scenario = cells[0].strip("`")
        for profile, cell in zip(profiles, cells[1:], strict=True):
            table[scenario, profile] = {r.strip() for r in cell.split(",") if r.strip()}
    return table


def test_docs_table_matches_the_checks() -> None:
    """docs/scenarios.md lists, per scenario and profile, exactly the failing rules."""
    table = _docs_table()
    assert len(table) == 8 * len(available_profiles())
    for (scenario, profile), failing in table.items():
        assert _failed(check(_scenario(scenario), profile)) == failing, (scenario, profile)


@settings(max_examples=40, deadline=None)
@given(data=agreement_mappings())
def test_every_profile_runs_on_random_agreements(data: dict[str, Any]) -> None:
    """Any valid agreement gets one boolean finding per rule from every bundled profile;
    the checklist items agree with a direct reading of the mapping."""
    agreement = _agreement(data)
    for name in available_profiles():
        frame = check(agreement, name)
        assert list(frame["rule"]) == [r.id for r in load_profile(name).rules]
        assert frame["passed"].map(type).eq(bool).all()
        assert frame["detail"].str.len().gt(0).all()
    generic = check(agreement, "generic_formation").set_index("rule")["passed"]
    busy = {c["member"] for c in data["contributions"]}
    busy |= {m for t in data["tasks"] for m in [t["lead"], *t["members"]]}
    assert generic["every_member_has_task"] == busy.issuperset(a["id"] for a in data["members"])
    assert generic["revenue_distribution"] == ("method" in data["sharing"])
    # Every generated result has a producing task with a team, or the lead owns it.
    assert generic["every_result_has_owner"] == bool(data["results"])


def _one_rule(rule: dict[str, Any]) -> Profile:
    return load_profile({"id": "one", "name": {"en": "One"}, "rules": [rule]})


def _outcome(data: dict[str, Any], rule: dict[str, Any]) -> tuple[bool, str]:
    row = check(_agreement(data), _one_rule({"id": "r", "text": {"en": "t"}, **rule})).iloc[0]
    return bool(row["passed"]), str(row["detail"])


def test_lead_rules_edge_cases() -> None:
    data = qingdao_mapping()
    data["members"][0] |= {"kind": "university"}
    assert _outcome(data, {"rule": "single_lead", "where": {"kind": "lead_enterprise"}}) == (
        False,
        "lead unit lead is not one of the members with kind = lead_enterprise",
    )
    data["members"][0] |= {"layer": "close"}  # no lead layer, no lead_enterprise kind
    assert _outcome(data, {"rule": "lead_registered_in", "value": "Qingdao"}) == (
        False,
        "no lead unit (no member in layer 'lead' or of kind 'lead_enterprise')",
    )
    assert _outcome(data, {"rule": "single_lead"}) == (
        False,
        "0 lead units (none); exactly one required",
    )


def test_tasks_only_and_tier_owned_results() -> None:
    data = qingdao_mapping()
    data["tasks"][0]["members"] = ["uni"]  # inst brings staff but joins no task
    rule = {"rule": "every_member_has_task", "count_contributions": False}
    assert _outcome(data, rule) == (False, "members without a task: up1, up2, down1, inst")
    assert _outcome(data, {"rule": "every_member_has_task"})[0]
    data["results"] = [{"id": "r1", "ownership": "by_tier"}]
    owner_rule = {"rule": "every_result_has_owner"}
    assert _outcome(data, owner_rule) == (False, "results without an owner: r1")
    data["members"][1]["tier"] = "gold"
    data["sharing"] = {"method": "tiered", "tiers": {"metric": None, "levels": [{"name": "gold"}]}}
    assert _outcome(data, owner_rule) == (True, "all 1 results have an owner")
    assert _outcome(data, {"rule": "sharing_rule_present"}) == (True, "revenue shared by tiered")


def test_field_present_needs_an_explicit_section() -> None:
    data = qingdao_mapping()
    assert _outcome(data, {"rule": "field_present", "field": "term_years"}) == (
        True,
        "term_years stated",
    )
    assert _outcome(data, {"rule": "field_present", "field": "default"}) == (
        False,
        "default not stated",
    )
    data["sources"] = []
    assert not _outcome(data, {"rule": "field_present", "field": "sources"})[0]
