"""``validate`` warnings (issue 16): silent defaults named on stderr, exit 0; ``--strict``
makes them errors."""

from __future__ import annotations

import pytest

from agreements import loads
from agreements.cli import main
from agreements.scenario.template import starter_scenario
from agreements.scenario.validation import scenario_warnings

BARE = """\
format: 1
id: bare
name: {en: Bare}
members:
  - {id: a, name: {en: A}, kind: enterprise}
  - {id: b, name: {en: B, zh: 乙}, kind: university, risk_tolerance: 1.0e6}
contributions:
  - {id: c, member: a, kind: cash, valuation: 1.0e6}
tasks:
  - {id: develop, needs: {all_of: [c]}, produces: [r]}
results:
  - {id: r}
products:
  - {id: p, needs: {all_of: [r]}, revenue: {expected: 1.0e6}}
"""


def test_every_silent_default_is_named():
    paths = {w.path: w.message for w in scenario_warnings(loads(BARE))}
    assert set(paths) == {
        "name.zh", "currency", "members[0].name.zh", "members[0].risk_tolerance",
        "tasks[0].name", "tasks[0].success_probability", "results[0].name",
        "products[0].name", "products[0].success_probability", "products[0].years",
        "products[0].operating_margin", "sharing.method"}
    assert "risk-neutral" in paths["members[0].risk_tolerance"]
    assert "'develop'" in paths["tasks[0].name"]
    assert "'A'" in paths["members[0].name.zh"]
    assert "CNY" in paths["currency"]


def test_stated_defaults_are_not_warned_about():
    text = starter_scenario(3)
    assert scenario_warnings(loads(text)) == []
    # writing a default out (margin 1.0) is a decision, not a silent default
    stated = text.replace("operating_margin: 0.3", "operating_margin: 1.0")
    assert scenario_warnings(loads(stated)) == []
    dropped = text.replace("    operating_margin: 0.3\n", "")
    assert [w.path for w in scenario_warnings(loads(dropped))] == [
        "products[0].operating_margin"]


def test_validate_warns_on_stderr_with_lines_and_strict_fails(tmp_path, capsys):
    path = tmp_path / "bare.yaml"
    path.write_text(BARE, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("ok: 2 members") and "12 warning(s) on stderr" in out
    assert f"warning: {path}:5: members[0].risk_tolerance: not given" in err
    assert f"warning: {path}:3: name.zh: no Chinese name" in err
    assert "None" not in err
    assert main(["validate", "--strict", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "error: " in err and "--strict" in err


@pytest.mark.parametrize("name", ["baoshan_medical_devices", "lingang_eda"])
def test_bundled_demo_scenarios_are_strictly_clean(name, capsys):
    assert main(["validate", "--strict", f"scenarios/{name}.yaml"]) == 0
    assert capsys.readouterr().err == ""
