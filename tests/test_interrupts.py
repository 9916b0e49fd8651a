"""Ctrl-C (SIGINT) during ``simulate --out`` and ``sweep`` (issue 16): exit 130 with one
line on stderr after the progress bar, no traceback, no output file (nor a temporary one)
left behind, and the local Dask cluster's worker processes gone."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from agreements.cli import main

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = ROOT / "scenarios" / "baoshan_medical_devices.yaml"
CONSORTIUM = Path(sys.executable).with_name("consortium")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def _interrupt(args: list[str], folder: Path) -> tuple[int, str, list]:
    """Run ``consortium ARGS`` in ``folder``, send SIGINT once it is writing its output
    (its temporary file exists), and return the exit code, stderr and its children."""
    proc = subprocess.Popen([str(CONSORTIUM), *args], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while not any(p.name.startswith(".") for p in folder.iterdir()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the command never started writing"
            time.sleep(0.05)
        time.sleep(0.5)
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:  # pragma: no cover - a hang: fail, but clean up
            proc.kill()
            proc.communicate()
    return proc.returncode, err, children


@pytest.fixture
def folder(tmp_path):
    shutil.copy(BAOSHAN, tmp_path / "in.yaml")
    return tmp_path


def test_sigint_during_simulate_out(folder):
    code, err, _ = _interrupt(["simulate", "in.yaml", "--draws", "5000000", "--out",
                               "x.parquet"], folder)
    assert code == 130, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()  # the progress bar's lines (stderr is not a tty), then
    assert lines[-1] == "consortium simulate: interrupted; no output file was written"
    assert all("draw" in line for line in lines[:-1])
    assert sorted(p.name for p in folder.iterdir()) == ["in.yaml"]


def test_sigint_during_sweep_on_a_local_cluster(folder):
    (folder / "spec.yaml").write_text(
        "scenarios: [in.yaml]\nmethods: [fixed, equal]\ndraws: 20000\nseed: 1\nworkers: 2\n"
        "grid:\n  subsidy: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]\n"
        "  insurance: [0.0, 0.2, 0.4, 0.6, 0.8, 0.9]\n"  # 96 points: still running at SIGINT
        "  probability_scale: [0.9, 1.0]\n", encoding="utf-8")
    code, err, children = _interrupt(["sweep", "spec.yaml", "-o", "x.parquet"], folder)
    assert code == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "consortium sweep: interrupted; no output file was written")
    assert sorted(p.name for p in folder.iterdir()) == ["in.yaml", "spec.yaml"]
    assert children  # the cluster's worker processes, all shut down
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive


def test_main_turns_keyboard_interrupt_into_exit_130(capsys, monkeypatch, tmp_path):
    import agreements.cli.clauses as clauses

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(clauses, "_write", interrupted)
    assert main(["clauses", str(BAOSHAN), "-o", str(tmp_path / "c.md")]) == 130
    err = capsys.readouterr().err
    assert err == "consortium clauses: interrupted; no output file was written\n"
    assert not list(tmp_path.iterdir())
