"""The mutation fuzzer (tests/fuzzing.py): every command on seeded mutants of the bundled
scenarios, profiles and sweep specs ends in a clean error or a result, never a traceback
or a hang.

``make test`` runs 2,000 mutants (``FUZZ_MUTANTS``), ``make fuzz`` 20,000; ``FUZZ_SEED``
picks another sample and ``FUZZ_FAILURES=folder`` keeps each failing input there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

from tests import fuzzing

MUTANTS = int(os.environ.get("FUZZ_MUTANTS", "2000"))
SEED = int(os.environ.get("FUZZ_SEED", "20261208"))
CHUNKS = int(os.environ.get("FUZZ_CHUNKS", "8"))


def _keep(mutant: fuzzing.Mutant, outcome: fuzzing.Outcome, index: int) -> None:
    folder = os.environ.get("FUZZ_FAILURES")
    if not folder:
        return
    dest = Path(folder)
    dest.mkdir(parents=True, exist_ok=True)
    if not fuzzing.is_special(mutant.path):
        shutil.copy(mutant.path, dest / f"fail{SEED}_{index}{mutant.path.suffix}")
    (dest / f"fail{SEED}_{index}.txt").write_text(
        f"{mutant.kind} from {mutant.base.name} via {mutant.how}\n{outcome.argv}\n"
        f"code {outcome.code}\n{outcome.error or ''}\n{outcome.stderr[-3000:]}\n",
        encoding="utf-8")


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_mutants_end_cleanly(chunk: int) -> None:
    """Every mutant through ``validate`` and one other command: exit 0, 1 or 2, no
    traceback, no hang."""
    rng = np.random.default_rng([SEED, chunk])
    failures: list[str] = []
    start, stop = chunk * MUTANTS // CHUNKS, (chunk + 1) * MUTANTS // CHUNKS
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index in range(start, stop):
            folder = Path(tmp) / str(index)
            folder.mkdir()
            mutant = fuzzing.make_mutant(rng, folder, index)
            for argv in fuzzing.commands_for(mutant, rng, folder):
                outcome = fuzzing.run(argv)
                if not outcome.clean:
                    _keep(mutant, outcome, index)
                    failures.append(f"mutant {index} ({mutant.kind} {mutant.base.name} "
                                    f"{mutant.how}) {argv[0]}: code {outcome.code}; "
                                    f"{(outcome.error or outcome.stderr)[-600:]}")
            shutil.rmtree(folder, ignore_errors=True)
    assert not failures, f"{len(failures)} unclean outcome(s):\n" + "\n\n".join(failures[:20])


# ---------------------------------------------------------------------- regressions
REGRESSIONS = Path(__file__).parent / "data" / "malformed" / "fuzz"
SCENARIO_FILES = sorted(p for p in REGRESSIONS.iterdir() if not p.name.startswith("spec_"))
SPEC_FILES = sorted(REGRESSIONS.glob("spec_*.yaml"))
EVERY_COMMAND = [
    ["validate"], ["shares"], ["shares", "--exact"], ["check", "--profile", "generic_formation"],
    ["fees"], ["waterfall", "--income", "1e8"], ["simulate", "--draws", "30"],
    ["formation", "--draws", "30"], ["negotiate"], ["report", "--draws", "100", "-o", "r.html"],
    ["graph", "-o", "g.svg"], ["clauses", "-f", "docx", "-o", "c.docx"],
    ["clauses", "-f", "xlsx", "-o", "c.xlsx"], ["clauses", "-f", "md", "-o", "c.md"],
]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_regression_file_is_refused_by_every_command(path: Path, tmp_path: Path) -> None:
    """Each input that once crashed a command is now refused by every command: exit 1,
    a message naming the file, no traceback, no output file."""
    for cmd in EVERY_COMMAND:
        argv = [cmd[0], str(path), *(str(tmp_path / a) if a.endswith(
            (".html", ".svg", ".docx", ".xlsx", ".md")) else a for a in cmd[1:])]
        outcome = fuzzing.run(argv, timeout=60)
        assert outcome.clean, (argv, outcome.error, outcome.stderr[-2000:])
        assert outcome.code == 1, (argv, outcome.code, outcome.stderr[-2000:])
        assert path.name in outcome.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_regression_spec_is_refused(path: Path, tmp_path: Path) -> None:
    """Malformed sweep specifications: exit 1 with the problem named, nothing written."""
    outcome = fuzzing.run(["sweep", str(path), "-o", str(tmp_path / "o.parquet"),
                           "--scheduler", "inline"], timeout=60)
    assert outcome.clean and outcome.code == 1, (outcome.error, outcome.stderr)
    assert path.name in outcome.stderr
    assert not list(tmp_path.iterdir())


def test_spec_messages_name_the_fix() -> None:
    messages = {p.name: fuzzing.run(["sweep", str(p), "-o", "/nonexistent/o.parquet"]).stderr
                for p in SPEC_FILES}
    assert "workers: Input should be greater than or equal to 1" in messages[
        "spec_workers_zero.yaml"]
    assert "not as absolute paths" in messages["spec_outside_folder.yaml"]
    assert "use fewer grid values, or a random sample" in messages["spec_huge_grid.yaml"]
    assert "high (0.1) must be at least low (0.6)" in messages["spec_bad_range.yaml"]


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "dir"])
@pytest.mark.parametrize("command", [["validate"], ["shares"], ["simulate", "--draws", "10"]])
def test_non_regular_files_are_refused_without_hanging(kind: str, command: list[str],
                                                        tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    outcome = fuzzing.run([command[0], str(path), *command[1:]], timeout=10)
    assert outcome.clean and outcome.code == 1, outcome.error
    assert ("not a regular file" in outcome.stderr) or ("is a directory" in outcome.stderr)


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(fuzzing.BASE_SCENARIO.read_bytes() + b"# " + b"x" * (6 << 20))
    outcome = fuzzing.run(["validate", str(path)], timeout=10)
    assert outcome.code == 1 and "at most 5,242,880 bytes" in outcome.stderr


def test_six_hundred_task_chain_runs(tmp_path: Path) -> None:
    """A valid 600-task dependency chain: no RecursionError, shares and simulate run."""
    rng = np.random.default_rng(0)
    data = fuzzing.safe_load(fuzzing.BASE_SCENARIO.read_text("utf-8"))
    data = fuzzing._chain(rng, data)  # 50, 300 or 600 tasks: force 600
    while len(data["tasks"]) != 600:
        data = fuzzing._chain(rng, data)
    path = tmp_path / "chain.yaml"
    path.write_text(fuzzing.yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for argv in (["validate", str(path)], ["shares", str(path), "--shares-only"],
                 ["simulate", str(path), "--draws", "20", "--method", "equal"]):
        outcome = fuzzing.run(argv, timeout=120)
        assert outcome.clean and outcome.code == 0, (argv, outcome.error, outcome.stderr)


def test_exact_fractions_past_the_int_text_limit_are_shown() -> None:
    """A valid scenario whose exact shares have terms of over 4,300 digits (found by the
    fuzzer): ``shares --details`` prints them instead of failing on Python's limit."""
    path = Path(__file__).parent / "data" / "fuzz_huge_exact_fraction.yaml"
    outcome = fuzzing.run(["shares", str(path), "--percent", "--details"], timeout=120)
    assert outcome.clean and outcome.code == 0, (outcome.error, outcome.stderr)
