"""Every file the toolkit writes says how it was made (issue 16, provenance).

Parquet from ``simulate --out`` and ``sweep`` carries the seed, the levers, the inputs'
SHA-256 and the version in its key-value metadata; two runs with the same seed give the
same table, and with ``SOURCE_DATE_EPOCH`` set the same bytes. CSV files get a JSON
sidecar, HTML/Markdown/LaTeX a footer, images metadata.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from agreements.cli import main
from agreements.scenario.provenance import tool_version

ROOT = Path(__file__).resolve().parents[1]
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _meta(path: Path) -> dict[str, str]:
    raw = pq.read_schema(path).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items()}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder holding a copy of the Baoshan scenario and a small sweep spec,
    so that command lines (recorded in the files) are the same from run to run."""
    shutil.copy(BAOSHAN, tmp_path / "b.yaml")
    (tmp_path / "spec.yaml").write_text(
        "scenarios: [b.yaml]\nsynthetic: {count: 1, seed: 2}\nmethods: [equal, borch]\n"
        "draws: 200\nseed: 5\ngrid: {subsidy: [0.0, 0.5]}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


SIMULATE = ["simulate", "b.yaml", "--draws", "500", "--seed", "11", "--lever",
            "subsidy=0.3", "--method", "fixed", "--method", "equal", "--out", "s.parquet",
            "--format", "csv"]
SWEEP = ["sweep", "spec.yaml", "-o", "w.parquet", "--scheduler", "inline", "--format", "csv"]


def _run(args: list[str], capsys) -> str:
    assert main(args) == 0, capsys.readouterr().err
    return capsys.readouterr().err


def test_simulate_parquet_records_seed_levers_hash_and_version(folder, capsys):
    err = _run(SIMULATE, capsys)
    assert "rows written to s.parquet" in err and "4,000 rows" in err
    meta = _meta(folder / "s.parquet")
    assert meta["seed"] == "11"
    assert json.loads(meta["levers"]) == {"subsidy": 0.3}
    assert meta["scenario"] == "b.yaml" and meta["scenario_sha256"] == _sha(folder / "b.yaml")
    assert meta["version"] == tool_version() and meta["tool"] == "consortium-toolkit"
    assert meta["command"] == "consortium " + " ".join(SIMULATE)
    assert meta["draws"] == "500" and meta["rules"] == "fixed,equal"
    assert "pandas" in meta  # pandas' own metadata is kept: dtypes round-trip
    table = pd.read_parquet(folder / "s.parquet")
    assert table["member"].dtype == "category"
    # money columns name their unit
    assert list(table.columns) == ["draw", "member", "rule", "payoff_cny", "outcome_cny"]


def test_sweep_parquet_records_seed_levers_hashes_and_version(folder, capsys):
    err = _run(SWEEP, capsys)
    assert "rows written to w.parquet" in err
    meta = _meta(folder / "w.parquet")
    assert meta["seed"] == "5" and meta["draws"] == "200" and meta["points"] == "4"
    assert json.loads(meta["levers"]) == {"grid": {"subsidy": [0.0, 0.5]}}
    names = meta["scenario"].split(";")
    assert names[0] == "spec.yaml" and Path(names[1]).name == "b.yaml"
    assert meta["scenario_sha256"].split(";") == [_sha(folder / "spec.yaml"),
                                                  _sha(folder / "b.yaml")]
    assert meta["version"] == tool_version()


@pytest.mark.parametrize("command, out", [(SIMULATE, "s.parquet"), (SWEEP, "w.parquet")])
def test_same_seed_same_table_and_with_source_date_epoch_same_bytes(
        folder, capsys, monkeypatch, command, out):
    _run(command, capsys)
    first = folder / "first.parquet"
    (folder / out).rename(first)
    _run(command, capsys)
    pd.testing.assert_frame_equal(pd.read_parquet(first), pd.read_parquet(folder / out))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _run(command, capsys)
    (folder / out).rename(first)
    _run(command, capsys)
    assert _meta(first)["created"] == "2023-11-14T22:13:20Z"
    assert first.read_bytes() == (folder / out).read_bytes()
    # another seed: another table, and the metadata says so
    seeded = list(command)
    if command is SIMULATE:
        seeded[seeded.index("--seed") + 1] = "12"
        _run(seeded, capsys)
        assert _meta(folder / out)["seed"] == "12"
        assert not pd.read_parquet(first).equals(pd.read_parquet(folder / out))


def test_python_api_writes_metadata_given(tmp_path):
    from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage, simulate
    from sharing_models.sweep import grid, sweep

    p = Project((Stage("s", 0.5, 10.0),), (Product("x", Fixed(30.0)),),
                (RiskMember("a"), RiskMember("b")))
    shares = pd.DataFrame({"equal": [0.5, 0.5]}, index=["a", "b"])
    simulate(p, shares, draws=100, seed=1, out=tmp_path / "a.parquet",
             metadata={"seed": "1", "note": "测试"})
    assert _meta(tmp_path / "a.parquet")["note"] == "测试"

    def f(point, seed):
        return {"y": point["x"] * 2}

    sweep(f, grid(x=[1, 2]), seed=0, scheduler="inline", out=tmp_path / "w.parquet",
          metadata={"seed": "0"})
    assert _meta(tmp_path / "w.parquet")["seed"] == "0"
    assert pd.read_parquet(tmp_path / "w.parquet")["y"].tolist() == [2, 4]


def test_clauses_csv_gets_a_json_sidecar(folder, capsys):
    err = _run(["clauses", "b.yaml", "-o", "c.csv"], capsys)
    assert "wrote c.csv" in err
    side = json.loads((folder / "c.csv.provenance.json").read_text(encoding="utf-8"))
    assert side["scenario"] == "b.yaml" and side["scenario_sha256"] == _sha(folder / "b.yaml")
    assert side["command"] == "consortium clauses b.yaml -o c.csv"
    assert side["version"] == tool_version()
    # the CSV itself stays a plain table (no comment lines a reader would trip on)
    table = pd.read_csv(folder / "c.csv", index_col=0, dtype=str, keep_default_na=False)
    assert len(table) > 10
    assert sorted(p.name for p in folder.iterdir()) == [
        "b.yaml", "c.csv", "c.csv.provenance.json", "spec.yaml"]


def test_redline_csv_sidecar_hashes_both_versions(folder, capsys):
    new = folder / "n.yaml"
    new.write_text((folder / "b.yaml").read_text(encoding="utf-8").replace(
        "Baoshan", "Baoshan New", 1), encoding="utf-8")
    _run(["redline", "b.yaml", "n.yaml", "-f", "csv", "-o", "r.csv"], capsys)
    side = json.loads((folder / "r.csv.provenance.json").read_text(encoding="utf-8"))
    assert side["scenario"] == "b.yaml;n.yaml"
    assert side["scenario_sha256"] == f"{_sha(folder / 'b.yaml')};{_sha(new)}"


@pytest.mark.parametrize("suffix", ["md", "html", "tex"])
def test_clause_documents_end_with_a_provenance_footer(folder, capsys, monkeypatch, suffix):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _run(["clauses", "b.yaml", "-o", f"c.{suffix}"], capsys)
    text = (folder / f"c.{suffix}").read_text(encoding="utf-8")
    short = _sha(folder / "b.yaml")[:12]
    assert "2023-11-14T22:13:20Z" in text and short in text
    assert f"consortium-toolkit {tool_version()}" in text
    tail = text[-600:]
    assert short in tail  # a footer: at the end
    if suffix == "html":
        assert '<meta name="provenance"' in text and text.rstrip().endswith("</html>")
    if suffix == "tex":
        assert text.rstrip().endswith(r"\end{document}")
    # stdout (no -o) is not a file the toolkit writes: unchanged, no date in it
    main(["clauses", "b.yaml", "-f", suffix])
    assert "2023-11-14" not in capsys.readouterr().out


def test_report_footer_and_graph_metadata(folder, capsys):
    from PIL import Image

    _run(["report", "b.yaml", "-o", "r.html", "--draws", "300", "--seed", "6"], capsys)
    page = (folder / "r.html").read_text(encoding="utf-8")
    assert '<meta name="provenance"' in page and "<footer" in page
    footer = page[page.index("<footer"):]
    assert "seed 6" in footer and _sha(folder / "b.yaml")[:12] in footer
    _run(["graph", "b.yaml", "-o", "g.png"], capsys)
    with Image.open(folder / "g.png") as image:
        assert image.info["scenario_sha256"] == _sha(folder / "b.yaml")
        assert image.info["command"] == "consortium graph b.yaml -o g.png"
    _run(["graph", "b.yaml", "-o", "g.svg"], capsys)
    assert _sha(folder / "b.yaml") in (folder / "g.svg").read_text(encoding="utf-8")
