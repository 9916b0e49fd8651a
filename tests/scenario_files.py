"""Bundled scenario files and small helpers the agreement tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agreements.cli import main
from agreements.scenario.loader import safe_load

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
ASRC = SCENARIOS / "asrc_storage_tiers.yaml"
OPENPOWER = SCENARIOS / "openpower_style_foundation.yaml"
SEMATECH = SCENARIOS / "sematech_1987.yaml"


def raw(path: Path) -> dict[str, Any]:
    """A scenario file as plain data (safe YAML), to edit before validating."""
    return safe_load(path.read_text("utf-8"))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the ``consortium`` CLI in-process: exit code, stdout, stderr."""
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err

#: Bundled scenarios too large for the whole coalition game (more than 24 members):
#: the per-scenario checks that need it leave them out; tests/test_large_consortia.py
#: covers them.
LARGE_SCENARIOS = frozenset({"eit_kic_large.yaml"})


def small(paths: list[Path]) -> list[Path]:
    """``paths`` without :data:`LARGE_SCENARIOS`."""
    return [p for p in paths if p.name not in LARGE_SCENARIOS]
