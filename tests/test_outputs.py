"""Outputs are all or nothing and never overwrite an input (issue 16).

Every command that writes a file (``clauses -o``, ``redline -o``, ``report -o``,
``graph -o``, ``simulate --out``, ``sweep -o``) refuses an output that is one of its
inputs (exit 2, the input untouched), writes to a temporary file beside the output and
renames it when done, so an error leaves neither a partial output nor a temporary file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import agreements.clauses
from agreements.cli import main
from agreements.cli.common import CliError, atomic_output

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "in.yaml"
    shutil.copy(BAOSHAN, path)
    return path


def _spec(folder: Path) -> Path:
    spec = folder / "spec.yaml"
    spec.write_text("scenarios: [in.yaml]\nmethods: [fixed, equal]\ndraws: 200\nseed: 1\n"
                    "grid:\n  subsidy: [0.0, 0.5]\n", encoding="utf-8")
    return spec


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("command", [
    ["clauses", "{in}", "-f", "md", "-o", "{in}"],
    ["clauses", "{in}", "-f", "md", "-o", "{dotted}"],
    ["clauses", "{in}", "-f", "md", "-o", "{link}"],
    ["redline", str(BAOSHAN), "{in}", "-f", "md", "-o", "{in}"],
    ["redline", "{in}", str(BAOSHAN), "-f", "csv", "-o", "{in}"],
    ["simulate", "{in}", "--draws", "100", "--out", "{in}"],
    ["sweep", "{spec}", "-o", "{spec}", "--scheduler", "inline"],
    ["sweep", "{spec}", "-o", "{in}", "--scheduler", "inline"],
], ids=lambda c: f"{c[0]}-{c[-1] if c[0] != 'sweep' else c[2]}")
def test_an_input_is_never_an_output(tmp_path, scenario, capsys, command):
    spec = _spec(tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(scenario)
    (tmp_path / "sub").mkdir()
    names = {"in": str(scenario), "dotted": str(tmp_path / "sub" / ".." / "in.yaml"),
             "link": str(link), "spec": str(spec)}
    before = {p: p.read_bytes() for p in (scenario, spec)}
    assert main([a.format(**names) for a in command]) == 2
    err = capsys.readouterr().err
    assert "refusing to write" in err and "input" in err
    assert {p: p.read_bytes() for p in before} == before
    assert _names(tmp_path) == ["in.yaml", "link.yaml", "spec.yaml", "sub"]


def test_every_writer_leaves_only_its_output(tmp_path, scenario, capsys):
    outs = tmp_path / "out"
    outs.mkdir()
    runs = [
        ["clauses", str(scenario), "-o", str(outs / "c.docx")],
        ["clauses", str(scenario), "-o", str(outs / "c.xlsx")],
        ["clauses", str(scenario), "-o", str(outs / "c.md")],
        ["redline", str(BAOSHAN), str(scenario), "-o", str(outs / "r.html")],
        ["graph", str(scenario), "-o", str(outs / "g.svg")],
        ["report", str(scenario), "-o", str(outs / "r2.html"), "--draws", "200"],
        ["simulate", str(scenario), "--draws", "300", "--out", str(outs / "s.parquet")],
        ["sweep", str(_spec(tmp_path)), "-o", str(outs / "w.parquet"), "--scheduler",
         "inline"],
    ]
    for args in runs:
        assert main(args) == 0, capsys.readouterr().err
    assert _names(outs) == ["c.docx", "c.md", "c.xlsx", "g.svg", "r.html", "r2.html",
                            "s.parquet", "w.parquet"]
    assert pd.read_parquet(outs / "s.parquet")["draw"].max() == 299
    assert (outs / "c.md").read_text("utf-8").startswith("# Baoshan")
    assert (outs / "g.svg").read_text("utf-8").lstrip().startswith(("<?xml", "<svg"))


def test_a_failing_writer_leaves_nothing(tmp_path, scenario, capsys, monkeypatch):
    def broken(tables, path, format=None):
        Path(path).write_text("half a contract", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(agreements.clauses, "export", broken)
    out = tmp_path / "c.md"
    assert main(["clauses", str(scenario), "-o", str(out)]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert _names(tmp_path) == ["in.yaml"]
    out.write_text("the signed version", encoding="utf-8")  # an earlier output stays
    assert main(["clauses", str(scenario), "-o", str(out)]) == 1
    assert out.read_text("utf-8") == "the signed version"
    assert _names(tmp_path) == ["c.md", "in.yaml"]


def test_missing_folder_is_a_clean_error(tmp_path, scenario, capsys):
    for args in (["clauses", str(scenario), "-o", str(tmp_path / "no" / "c.md")],
                 ["simulate", str(scenario), "--draws", "100", "--out",
                  str(tmp_path / "no" / "s.parquet")]):
        assert main(args) == 1
        assert "No such file or directory" in capsys.readouterr().err


def test_atomic_output_helper(tmp_path):
    target = tmp_path / "a.csv"
    with pytest.raises(KeyboardInterrupt), atomic_output(target, [tmp_path / "in.yaml"]) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".csv"
        tmp.write_text("partial")
        raise KeyboardInterrupt
    assert not os.listdir(tmp_path)
    with atomic_output(target) as tmp:
        pass  # a writer that writes nothing leaves nothing
    assert not os.listdir(tmp_path)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(CliError, match="cannot write"), atomic_output(tmp_path / "dir.csv") as tmp:
        tmp.write_text("x")
    assert _names(tmp_path) == ["dir.csv"]
