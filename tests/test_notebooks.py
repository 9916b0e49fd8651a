"""The user notebooks (notebooks/*.ipynb) execute without error and write their figures.

The notebooks are ordinary ``.ipynb`` files, committed without outputs and edited in
JupyterLab; nothing generates them. Each one runs here exactly as it is stored (outputs a
user saved are discarded by the re-execution), in a fresh ``python3`` kernel with
``notebooks/`` as the working directory (nbclient), writing its figures into a temporary
directory given by ``CONSORTIUM_FIG_DIR``. A change to the public API that breaks a
notebook fails here.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

#: Figures and documents each notebook writes into CONSORTIUM_FIG_DIR.
FIGURES = {
    "negotiator": ["negotiator_graph.png", "negotiator_shares.png", "negotiator_walk_away.png",
                   "negotiator_core_simplex.png", "negotiator_what_if.png",
                   "negotiator_zone.png"],
    "lawyer": ["lawyer_shares.png", "lawyer_versions.png", "baoshan_clauses_zh_en.docx",
               "baoshan_redline.docx"],
    "policy_researcher": ["policy_payoff_histograms.png", "policy_cvar.png",
                          "policy_levers.png", "policy_sweep_heatmap.png"],
}
NAMES = list(FIGURES)

#: Seconds a whole notebook may take under nbclient.
BUDGET = 60


def test_the_notebooks_listed_are_the_notebooks_in_the_folder() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_a_valid_python3_notebook(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs(name: str) -> None:
    """The committed version (``git show HEAD:...``), not the working copy: a notebook a
    user ran and saved in JupyterLab keeps its outputs locally and fails nothing here; a
    commit with outputs does (clear them with ``make notebooks-clear``)."""
    shown = subprocess.run(["git", "show", f"HEAD:notebooks/{name}.ipynb"], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    if shown.returncode != 0:
        pytest.skip("not a git checkout, or the notebook is not committed yet")
    nb = nbformat.reads(shown.stdout, as_version=4)
    with_outputs = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                    and (c.outputs or c.execution_count is not None)]
    assert with_outputs == [], (
        f"notebooks/{name}.ipynb was committed with outputs in cells {with_outputs}: "
        "run `make notebooks-clear` and commit again")


def test_no_python_file_writes_notebooks() -> None:
    """The notebooks are edited as notebooks: no script in the repository writes them."""
    writers = re.compile(r"\bnew_(?:notebook|code_cell|markdown_cell)\b|\bnbformat\.writes?\(|"
                         r"\bjupytext\.write")
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True,
                             text=True, check=False)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    offenders = [path for path in tracked.stdout.split()
                 if (ROOT / path).is_file() and path != "tests/test_notebooks.py"
                 and writers.search((ROOT / path).read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("name", NAMES)
def test_notebook_imports_only_the_public_api(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imports = re.findall(r"^\s*(?:from\s+(\S+)\s+import\s+(.+)|import\s+(\S+))", code, re.M)
    for module, names, plain in imports:
        path = module or plain
        assert not any(part.startswith("_") for part in path.split(".")), path
        assert not any(n.strip().startswith("_") for n in names.split(",")), names
    for call in _calls(code, RANDOM):  # randomness is passed a fixed seed
        assert re.search(r"\bseed=\d", call), call


#: Public functions that draw random numbers.
RANDOM = ("simulate_agreement", "compare_levers", "least_subsidy_rate", "sweep",
          "synthetic_agreements", "simulate", "clustered_agreement")


def _calls(code: str, names: tuple[str, ...]) -> list[str]:
    """The full text of every call to one of ``names`` (balanced parentheses)."""
    out = []
    for m in re.finditer(r"\b(" + "|".join(names) + r")\(", code):
        depth, i = 0, m.end() - 1
        for i in range(m.end() - 1, len(code)):
            depth += {"(": 1, ")": -1}.get(code[i], 0)
            if depth == 0:
                break
        out.append(code[m.start():i + 1])
    return out


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_and_writes_its_figures(name: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSORTIUM_FIG_DIR", str(tmp_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=BUDGET, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - start
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert seconds < BUDGET, f"{name} took {seconds:.0f} s (budget {BUDGET} s)"
    for figure in FIGURES[name]:
        path = tmp_path / figure
        assert path.is_file(), f"{name} did not write {figure}"
        assert path.stat().st_size > 1000, f"{figure} is (nearly) empty"
        magic = b"\x89PNG" if figure.endswith(".png") else b"PK\x03\x04"  # docx is a zip
        assert path.read_bytes()[:4] == magic, figure
    print(f"{name}: {seconds:.1f} s")
