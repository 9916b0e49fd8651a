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
CHUNKS = 8


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
