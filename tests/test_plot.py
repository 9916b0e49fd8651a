"""``consortium plot`` and ``simulate/sweep --plot``: first-look figures with provenance.

Each figure is rendered, written all or nothing, non-empty, of the format its suffix
names, and carries the provenance record (and that of the Parquet file it was drawn
from) in its metadata.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from agreements.cli import main
from agreements.errors import AgreementError
from agreements.reports.figures import lever_columns, plot_lever_heatmap, plot_payoffs

ROOT = Path(__file__).resolve().parents[1]
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    shutil.copy(BAOSHAN, tmp_path / "b.yaml")
    (tmp_path / "spec.yaml").write_text(
        "scenarios: [b.yaml]\nsynthetic: {count: 2, seed: 2}\nmethods: [equal, borch]\n"
        "draws: 200\nseed: 5\ngrid: {subsidy: [0.0, 0.4, 0.8], insurance: [0.0, 0.8]}\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _ok(args, capsys):
    code = main([str(a) for a in args])
    _, err = capsys.readouterr()
    assert code == 0, err
    return err


def _png_info(path: Path) -> dict[str, str]:
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > 200 and image.size[1] > 100
        return {k: v for k, v in image.info.items() if isinstance(v, str)}


def test_simulate_out_then_plot_payoffs_png_svg_pdf(folder, capsys):
    err = _ok(["simulate", "b.yaml", "--draws", "800", "--seed", "4", "--lever",
               "subsidy=0.2", "--out", "d.parquet", "--plot", "p.png", "--format", "csv"],
              capsys)
    assert "wrote p.png" in err
    info = _png_info(folder / "p.png")
    assert info["seed"] == "4" and json.loads(info["levers"]) == {"subsidy": 0.2}
    assert info["scenario"] == "b.yaml" and len(info["scenario_sha256"]) == 64
    assert info["command"].startswith("consortium simulate b.yaml")

    _ok(["plot", "d.parquet", "-o", "q.png"], capsys)
    info = _png_info(folder / "q.png")
    assert info["scenario"] == "d.parquet" and info["source_seed"] == "4"
    assert info["source_scenario"] == "b.yaml" and info["source_currency"] == "CNY"

    _ok(["plot", "d.parquet", "-o", "q.svg"], capsys)
    svg = (folder / "q.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "source_seed" in svg and "consortium-toolkit" in svg

    _ok(["plot", "d.parquet", "-o", "q.pdf"], capsys)
    pdf = (folder / "q.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"source_seed" in pdf
    assert sorted(p.name for p in folder.iterdir()) == [
        "b.yaml", "d.parquet", "p.png", "q.pdf", "q.png", "q.svg", "spec.yaml"]


def test_plot_a_scenario_directly(folder, capsys):
    _ok(["plot", "b.yaml", "-o", "s.png", "--draws", "500", "--seed", "9", "--method",
         "fixed", "--method", "equal"], capsys)
    info = _png_info(folder / "s.png")
    assert info["seed"] == "9" and info["draws"] == "500" and info["rules"] == "fixed,equal"


def test_sweep_plot_and_plot_of_a_sweep(folder, capsys):
    _ok(["sweep", "spec.yaml", "-o", "w.parquet", "--scheduler", "inline", "--plot",
         "h.png", "--format", "csv"], capsys)
    info = _png_info(folder / "h.png")
    assert info["source_seed"] == "5" and "subsidy" in info["source_levers"]
    _ok(["plot", "w.parquet", "-o", "v.png", "--value", "government_cost_cny"], capsys)
    info = _png_info(folder / "v.png")
    assert info["unit"] == "cny" and info["source_points"] == "18"  # 6 points x 3 scenarios


def test_plot_refusals(folder, capsys):
    assert main(["plot", "b.yaml", "-o", "x.jpg"]) == 2
    assert "must end in .png, .svg or .pdf" in capsys.readouterr().err
    (folder / "junk.parquet").write_bytes(b"not parquet")
    assert main(["plot", "junk.parquet", "-o", "x.png"]) == 1
    assert "cannot read junk.parquet as Parquet" in capsys.readouterr().err
    _ok(["simulate", "b.yaml", "--draws", "100", "--out", "d.parquet", "--format", "csv"],
        capsys)
    assert main(["plot", "d.parquet", "-o", "d.parquet"]) == 2  # never over the input
    assert main(["simulate", "b.yaml", "--draws", "100", "--out", "e.png",
                 "--plot", "e.png"]) == 2
    assert main(["plot", "w.parquet", "-o", "x.png"]) == 1  # no such file
    _ok(["sweep", "spec.yaml", "-o", "w.parquet", "--scheduler", "inline", "--format",
         "csv"], capsys)
    assert main(["plot", "w.parquet", "-o", "x.png", "--value", "nope"]) == 1
    assert "no column 'nope'" in capsys.readouterr().err
    assert not (folder / "x.png").exists() and not (folder / "e.png").exists()


def test_plot_functions_check_their_tables():
    with pytest.raises(AgreementError, match="member, rule and payoff"):
        plot_payoffs(pd.DataFrame({"x": [1]}))
    with pytest.raises(AgreementError, match="sweep table"):
        plot_lever_heatmap(pd.DataFrame({"x": [1]}))
    flat = pd.DataFrame({"point": [0, 1], "subsidy": [0.1, 0.1], "rule": "eq",
                         "refusing": ""})
    with pytest.raises(AgreementError, match="no sweep parameter varies"):
        plot_lever_heatmap(flat)
    one = flat.assign(subsidy=[0.0, 0.5], refusing=["a", ""])
    fig = plot_lever_heatmap(one)  # one lever: a line
    assert fig.axes[0].lines[0].get_ydata().tolist() == [0.0, 1.0]


def test_many_random_values_are_binned_and_grid_axes_come_first():
    import numpy as np

    rng = np.random.default_rng(0)
    n = 60
    t = pd.DataFrame({"point": range(n), "scenario": "s",
                      "subsidy": rng.uniform(0, 1, n),
                      "insurance": np.tile([0.0, 0.5, 1.0], n // 3),
                      "scale": [np.nan] * (n // 2) + list(rng.uniform(0.5, 1, n // 2)),
                      "rule": "eq", "refusing": rng.choice(["", "a"], n)})
    assert lever_columns(t) == ["insurance", "subsidy", "scale"]
    fig = plot_lever_heatmap(t)
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (10, 3)  # subsidy cut into 10 bins, insurance as is


def test_plot_command_imports_nothing_heavy_at_top_level():
    """``consortium --help`` must stay quick: plot.py's module-level imports are light
    (matplotlib, pandas, pyarrow and the reports are imported inside the handler)."""
    import ast

    tree = ast.parse((ROOT / "agreements" / "cli" / "plot.py").read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    heavy = ("matplotlib", "pandas", "numpy", "pyarrow", "scipy", "sympy", "networkx",
             "..reports", "..outcomes", "sharing_models")
    assert names and not [n for n in names if n.startswith(heavy)], names
