"""The user notebooks (notebooks/*.ipynb) execute without error and write their figures.

Each notebook runs in a fresh ``python3`` kernel with ``notebooks/`` as the working
directory (nbclient, 120 s per cell), writing its figures into a temporary directory
given by ``CONSORTIUM_FIG_DIR``. A change to the public API that breaks a notebook
fails here.
"""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _build_module():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _build_module()
NAMES = list(BUILD.NOTEBOOKS)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_as_built_and_without_outputs(name: str) -> None:
    path = NOTEBOOKS / f"{name}.ipynb"
    assert path.read_text(encoding="utf-8") == BUILD.render(name), (
        f"{path.name} differs from notebooks/_build.py: run `python notebooks/_build.py`")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


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
          "synthetic_agreements", "simulate")


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
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - start
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    for figure in BUILD.FIGURES[name]:
        path = tmp_path / figure
        assert path.is_file(), f"{name} did not write {figure}"
        assert path.stat().st_size > 1000, f"{figure} is (nearly) empty"
        magic = b"\x89PNG" if figure.endswith(".png") else b"PK\x03\x04"  # docx is a zip
        assert path.read_bytes()[:4] == magic, figure
    print(f"{name}: {seconds:.1f} s")
