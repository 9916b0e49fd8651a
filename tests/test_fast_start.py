"""Fast start (issue 16): ``consortium --help`` and ``consortium validate`` import no heavy
module, and ``import agreements`` / ``import sharing_models`` stay cheap while every
exported name still works.

Each check runs in a fresh interpreter (the test process has long imported everything).
A command module that imports pandas, numpy, scipy, ... at top level fails
``test_command_modules_import_nothing_heavy``: import it inside the command's handler.
The CPU-time targets (0.3 s for ``--help``, 0.6 s for ``validate``) are measured by
``benchmarks/bench_cli.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import agreements
import sharing_models

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "scipy", "sympy", "matplotlib", "networkx", "dask",
         "distributed", "openpyxl", "docx", "pyarrow", "highspy", "jinja2", "tqdm")


def _loaded_after(code: str) -> list[str]:
    """Heavy modules present in ``sys.modules`` after running ``code`` in a new process."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _command(*argv: str) -> str:
    return ("import contextlib, io\nfrom agreements.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    code = main({list(argv)!r})\n"
            "assert code == 0, code\n")


@pytest.mark.parametrize("code", [
    "import agreements",
    "import sharing_models",
    "import agreements.cli",
    _command("--help"),
    _command("--version"),
    _command("validate", "scenarios/lingang_eda.yaml"),
    _command("validate", "scenarios/baoshan_medical_devices.yaml"),
], ids=["import-agreements", "import-sharing_models", "import-cli", "help", "version",
        "validate-lingang", "validate-baoshan"])
def test_command_modules_import_nothing_heavy(code):
    assert _loaded_after(code) == []


@pytest.mark.parametrize("command", ["init", "shares", "simulate", "sweep", "clauses"])
def test_every_subcommand_help_is_light(command):
    code = ("import contextlib, io\nfrom agreements.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main([{command!r}, '--help']) == 0\n")
    assert _loaded_after(code) == []


@pytest.mark.parametrize("package", [agreements, sharing_models], ids=lambda p: p.__name__)
def test_every_exported_name_resolves(package):
    for name in package.__all__:
        assert getattr(package, name) is not None, name
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        package.no_such_name  # noqa: B018


def test_lazy_names_are_the_real_objects():
    from agreements.api import load
    from sharing_models.games.shapley import shapley
    from sharing_models.membership import waterfall

    assert agreements.load is load
    assert sharing_models.shapley is shapley
    assert sharing_models.waterfall is waterfall  # the module, as documented
    assert agreements.sharing.allocate is not None  # subpackages still reachable
