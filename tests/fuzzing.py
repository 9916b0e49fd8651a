"""A seeded mutation fuzzer over the bundled scenarios, profiles and sweep specs.

Each mutant is a bundled file changed in one or two ways a user, an editor or a
counterparty could change it: keys deleted or renamed, values of the wrong type, mappings
where ids belong, NaN/inf/huge numbers, control, zero-width and non-character code points,
duplicated entries, dependency cycles and long chains, deep nesting, many members, and
whole files that are binary, truncated, of the wrong kind (JSON named ``.yaml``), a FIFO,
a symbolic link to ``/dev/zero`` or too large. Every mutant is written to a file and run
through the ``consortium`` commands *in this process* (``agreements.cli.main``), with
stdout and stderr captured and a timer that turns a hang into a failure.

An outcome is *clean* when ``main`` returns 0, 1 or 2, no exception escapes it, nothing
printed contains ``Traceback`` and it finishes within the timeout. ``tests/test_fuzz.py``
runs a seeded sample in ``make test``; ``make fuzz`` runs 20,000 mutants::

    FUZZ_MUTANTS=20000 python -m pytest -q tests/test_fuzz.py

A failing mutant is copied to ``$FUZZ_FAILURES`` (when set) with the command that failed,
so it can be kept as a regression file in ``tests/data/malformed/``.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import shutil
import signal
import stat
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from agreements.scenario.loader import safe_load

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
PROFILES = sorted((ROOT / "agreements" / "profiles").glob("*.yaml"))
SPEC = ROOT / "scenarios" / "sweeps" / "levers_demo.yaml"
BASE_SCENARIO = ROOT / "scenarios" / "baoshan_medical_devices.yaml"

#: Seconds one command may take before it counts as a hang.
TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "60"))

WRONG_VALUES: list[Any] = [
    "x", "", "1e6", " 12 ", "true", "NaN", True, False, None, 0, -1, 1.5, -0.0, [], {},
    {"a": 1}, [1, 2], ["x"], [[["x"]]], {"en": "x"}, 10**30, "2023-10-19",
]
NUMBERS: list[Any] = [
    math.nan, math.inf, -math.inf, 1e308, -1e308, 1e300, 1e15, 1e18, 2**63, 2**64 + 1,
    -1, -1e-9, 0, 0.0, 1e-320, 5e-324, 1.0000000001, 101, 1e9, 123456789012.345,
]
NASTY_TEXT = [
    "\x00", "\x07", "\x1b[31m", "\x0b", "\x7f", "\x85", "\u200b", "\u200d", "\ufeff",
    "\ufffe", "\uffff", "\U0010ffff", "\u202e", "\u2028", "\ud7ff", "=1+2", "+cmd|'/C calc'!A0",
    "@SUM(A1)", "-2+3", "\t=1", "\r=1", "<script>alert(1)</script>", "]]>", "\\input{/etc/passwd}",
    "{ HYPERLINK \"x\" }", "# heading", "[x](javascript:alert(1))", "%s%n", "x" * 5000,
    "a.b", "a b", "中文", "🙂", "\U0001f600" * 50,
]
ID_KEYS = {"id", "member", "lead"}
ID_LISTS = {"all_of", "members", "produces", "owners", "any_of"}


# ---------------------------------------------------------------------- data walking
def _paths(data: Any, parts: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield parts, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*parts, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*parts, i))


def _set(data: Any, parts: tuple, value: Any) -> Any:
    if not parts:
        return value
    cur = data
    for p in parts[:-1]:
        cur = cur[p]
    cur[parts[-1]] = value
    return data


def _pick(rng: np.random.Generator, items: list) -> Any:
    return items[int(rng.integers(len(items)))]


# ---------------------------------------------------------------------- mutations
def _delete_key(rng, data):
    maps = [(p, v) for p, v in _paths(data) if isinstance(v, dict) and v]
    _, node = _pick(rng, maps)
    del node[_pick(rng, list(node))]
    return data


def _rename_key(rng, data):
    maps = [(p, v) for p, v in _paths(data) if isinstance(v, dict) and v]
    _, node = _pick(rng, maps)
    key = _pick(rng, list(node))
    new = _pick(rng, [f"{key}s", str(key)[:-1] or "k", str(key).upper(), f" {key}", 1, True])
    node[new] = node.pop(key)
    return data


def _wrong_type(rng, data):
    parts, _ = _pick(rng, list(_paths(data))[1:])
    return _set(data, parts, copy.deepcopy(_pick(rng, WRONG_VALUES)))


def _id_mapping(rng, data):
    spots = [(p, v) for p, v in _paths(data) if isinstance(v, str) and p and (
        p[-1] in ID_KEYS or (len(p) > 1 and p[-2] in ID_LISTS) or isinstance(p[-1], int))]
    if not spots:
        return _wrong_type(rng, data)
    parts, value = _pick(rng, spots)
    return _set(data, parts, _pick(rng, [{"id": value}, {value: 1}, [value], {"en": value}]))


def _number(rng, data):
    spots = [p for p, v in _paths(data) if isinstance(v, (int, float)) and p]
    if not spots:
        return _wrong_type(rng, data)
    return _set(data, _pick(rng, spots), _pick(rng, NUMBERS))


def _number_as_text(rng, data):
    spots = [(p, v) for p, v in _paths(data) if isinstance(v, (int, float)) and p
             and not isinstance(v, bool)]
    if not spots:
        return _wrong_type(rng, data)
    parts, v = _pick(rng, spots)
    return _set(data, parts, _pick(rng, [str(v), f" {v} ", f"{v:e}", bool(v), f"{v}%"]))


def _nasty_text(rng, data):
    spots = [(p, v) for p, v in _paths(data) if isinstance(v, str) and p]
    if not spots:
        return _wrong_type(rng, data)
    parts, value = _pick(rng, spots)
    bad = _pick(rng, NASTY_TEXT)
    at = int(rng.integers(len(value) + 1))
    return _set(data, parts, value[:at] + bad + value[at:])


def _duplicate(rng, data):
    lists = [(p, v) for p, v in _paths(data) if isinstance(v, list) and v]
    if not lists:
        return _wrong_type(rng, data)
    _, node = _pick(rng, lists)
    node.append(copy.deepcopy(_pick(rng, node)))
    return data


def _cycle(rng, data):
    tasks = data.get("tasks") if isinstance(data, dict) else None
    if not isinstance(tasks, list) or not tasks:
        return _duplicate(rng, data)
    first, last = tasks[0], tasks[-1]
    if isinstance(first, dict) and isinstance(last, dict) and last.get("produces"):
        needs = first.setdefault("needs", {})
        if isinstance(needs, dict):
            needs.setdefault("all_of", []).append(_pick(rng, last["produces"]))
    return data


def _chain(rng, data):
    """A valid chain of many tasks, each needing the previous one's result."""
    if not isinstance(data, dict) or not data.get("members"):
        return _duplicate(rng, data)
    n = int(_pick(rng, [50, 300, 600]))
    member = data["members"][0]["id"]
    data["tasks"] = [{"id": f"t{i}", "lead": member, "produces": [f"r{i}"],
                      "needs": {"all_of": [f"r{i - 1}"] if i else []},
                      "cost": 1.0, "success_probability": 0.999} for i in range(n)]
    data["results"] = [{"id": f"r{i}"} for i in range(n)]
    for p in data.get("products") or []:
        if isinstance(p, dict):
            p["needs"] = {"all_of": [f"r{n - 1}"]}
    return data


def _many_members(rng, data):
    if not isinstance(data, dict) or not isinstance(data.get("members"), list):
        return _duplicate(rng, data)
    n = int(_pick(rng, [13, 16, 21, 25, 40]))
    base = data["members"][-1]
    for i in range(n - len(data["members"])):
        extra = copy.deepcopy(base)
        extra["id"] = f"extra_{i}"
        data["members"].append(extra)
    return data


DEEP = "__DEEP_NESTING__"


def _deep(rng, data):
    parts, _ = _pick(rng, list(_paths(data))[1:])
    return _set(data, parts, DEEP)


def _swap(rng, data):
    nodes = list(_paths(data))[1:]
    (pa, va), (pb, vb) = _pick(rng, nodes), _pick(rng, nodes)
    if pa[: len(pb)] == pb or pb[: len(pa)] == pa:
        return _wrong_type(rng, data)
    _set(data, pa, copy.deepcopy(vb))
    return _set(data, pb, copy.deepcopy(va))


def _root(rng, data):
    return _pick(rng, [[data], "just text", 42, None, [], {"format": 1}])


MUTATIONS: list[Callable[[np.random.Generator, Any], Any]] = [
    _delete_key, _rename_key, _wrong_type, _id_mapping, _number, _number_as_text,
    _nasty_text, _duplicate, _cycle, _chain, _many_members, _deep, _swap, _root,
]
#: Relative weight of each mutation (cheap structural ones are the most common).
WEIGHTS = np.array([4, 2, 6, 4, 5, 3, 5, 3, 1, 1, 1, 1, 2, 0.3])


# ---------------------------------------------------------------------- file writing
def _dump(data: Any, kind: str, rng: np.random.Generator) -> str:
    if kind == "json":
        text = json.dumps(data, ensure_ascii=bool(rng.integers(2)), allow_nan=True, indent=1)
    else:
        text = yaml.safe_dump(data, allow_unicode=bool(rng.integers(2)), sort_keys=False,
                              width=10_000)
    if DEEP in text:
        depth = int(_pick(rng, [70, 200, 600, 3000, 100_000]))
        opener, closer = _pick(rng, [("[", "]"), ('{"a": ', "}")])
        text = text.replace(f'"{DEEP}"', DEEP).replace(
            DEEP, opener * depth + "1" + closer * depth, 1)
    return text


def _text_mutation(rng: np.random.Generator, raw: bytes) -> bytes:
    op = int(rng.integers(9))
    if op == 0:  # binary
        return rng.integers(0, 256, int(rng.integers(1, 4000)), dtype=np.uint8).tobytes()
    if op == 1:  # invalid UTF-8 somewhere
        at = int(rng.integers(len(raw) + 1))
        return raw[:at] + _pick(rng, [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00"]) + raw[at:]
    if op == 2:  # truncated
        return raw[: int(rng.integers(len(raw) + 1))]
    if op == 3:  # a byte flipped
        if not raw:
            return b"\x00"
        at = int(rng.integers(len(raw)))
        return raw[:at] + bytes([raw[at] ^ (1 << int(rng.integers(8)))]) + raw[at + 1:]
    if op == 4:  # BOM and CRLF
        return b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n")
    if op == 5:  # a PNG / a zip (docx) / a PDF header
        return _pick(rng, [b"\x89PNG\r\n\x1a\n" + raw[:200], b"PK\x03\x04" + raw[:200],
                           b"%PDF-1.4\n" + raw[:200]])
    if op == 6:  # empty or blank
        return _pick(rng, [b"", b"\n", b"   ", b"---\n", b"null\n", b"[]"])
    if op == 7:  # tabs for indentation, NUL bytes
        return raw.replace(b"  ", b"\t", 3) if b"  " in raw else raw + b"\x00"
    return raw * int(_pick(rng, [2, 3]))  # the document repeated (duplicate keys / docs)


@dataclass
class Mutant:
    """A mutated input file: what it is based on and how it was changed."""

    path: Path
    kind: str  # scenario, profile or spec
    base: Path
    how: list[str] = field(default_factory=list)


def make_mutant(rng: np.random.Generator, folder: Path, index: int) -> Mutant:
    """Write one seeded mutant into ``folder`` and say how it was made."""
    roll = rng.random()
    kind = "scenario" if roll < 0.84 else ("profile" if roll < 0.93 else "spec")
    base = {"scenario": lambda: _pick(rng, SCENARIOS), "profile": lambda: _pick(rng, PROFILES),
            "spec": lambda: SPEC}[kind]()
    raw = base.read_bytes()
    data = safe_load(raw)
    if kind == "spec":  # small and fast, with its scenario next to it
        data.update(draws=40, synthetic={"count": 2, "seed": 7, "members": [3, 4]},
                    grid={"subsidy": [0.0, 0.3]}, random={"n": 2, "seed": 1,
                                                          "axes": data["random"]["axes"]},
                    scenarios=["scenario.yaml"])
        shutil.copy(BASE_SCENARIO, folder / "scenario.yaml")
    suffix = _pick(rng, [".yaml", ".yaml", ".json", ".yml"]) if kind == "scenario" else ".yaml"
    path = folder / f"m{index}{suffix}"
    how: list[str] = []
    special = rng.random()
    if special < 0.01:  # not a regular file
        what = _pick(rng, ["fifo", "dev_zero", "dir", "missing", "dev_null"])
        how.append(what)
        if what == "fifo":
            os.mkfifo(path)
        elif what == "dev_zero":
            path.symlink_to("/dev/zero")
        elif what == "dev_null":
            path.symlink_to("/dev/null")
        elif what == "dir":
            path.mkdir()
        return Mutant(path, kind, base, how)
    if special < 0.015:  # too large: a long comment or long list
        how.append("huge")
        path.write_bytes(raw + b"\n# " + b"x" * 6_000_000 + b"\n")
        return Mutant(path, kind, base, how)
    for _ in range(int(rng.integers(1, 3))):
        op = MUTATIONS[int(rng.choice(len(MUTATIONS), p=WEIGHTS / WEIGHTS.sum()))]
        how.append(op.__name__.lstrip("_"))
        try:
            data = op(rng, data)
        except (IndexError, KeyError, TypeError, ValueError):
            how[-1] += "(skipped)"
    fmt = "json" if suffix == ".json" else "yaml"
    if rng.random() < 0.07:  # the other format under this suffix
        fmt = "yaml" if fmt == "json" else "json"
        how.append("other_format")
    out = _dump(data, fmt, rng).encode("utf-8", "surrogatepass")
    if rng.random() < 0.1:
        how.append("text")
        out = _text_mutation(rng, out)
    path.write_bytes(out)
    return Mutant(path, kind, base, how)


# ---------------------------------------------------------------------- commands
def _out(folder: Path, suffix: str) -> str:
    return str(folder / f"out{suffix}")


def commands_for(m: Mutant, rng: np.random.Generator, folder: Path) -> list[list[str]]:
    """The command lines to run on a mutant: ``validate`` and one other command."""
    f = str(m.path)
    if m.kind == "profile":
        return [["check", str(_pick(rng, SCENARIOS)), "--profile", f,
                 "--format", _pick(rng, ["table", "csv", "json"])]]
    if m.kind == "spec":
        return [["sweep", f, "-o", _out(folder, ".parquet"), "--scheduler", "inline"]]
    fmt = _pick(rng, ["table", "csv", "json"])
    doc = _pick(rng, ["md", "html", "csv", "tex", "xlsx", "docx"])
    other = _pick(rng, [
        ["shares", f, "--format", fmt],
        ["shares", f, "--percent", "--details"],
        ["graph", f, "-o", _out(folder, _pick(rng, [".svg", ".png", ".graphml", ".dot"]))],
        ["check", f, "--profile", _pick(rng, ["generic_formation", "baoshan", "qingdao"])],
        ["fees", f, "--format", fmt],
        ["waterfall", f, "--income", "1e8", "--format", fmt],
        ["waterfall", f, "--income", "1e16", "--years", "2", "--summary"],
        ["simulate", f, "--draws", "30", "--format", fmt],
        ["formation", f, "--draws", "30", "--view", _pick(rng, ["rules", "members"])],
        ["clauses", f, "-f", doc, "-o", _out(folder, f".{doc}"),
         "--lang", _pick(rng, ["en", "zh", "zh+en"])],
        ["clauses", f, "-f", "md", "-o", _out(folder, ".md"), "--method", "shapley"],
        ["redline", str(m.base), f, "-f", _pick(rng, ["md", "csv", "html"])],
        ["negotiate", f, "--format", fmt],
        ["report", f, "-o", _out(folder, ".html"), "--draws", "40"],
    ])
    return [["validate", f], other]


# ---------------------------------------------------------------------- running
class FuzzTimeout(BaseException):
    """A command ran past :data:`TIMEOUT` (a hang)."""


@dataclass
class Outcome:
    """What one command did."""

    argv: list[str]
    code: int | None
    stdout: str
    stderr: str
    error: str | None = None  # an escaped exception's traceback, or "timeout"

    @property
    def clean(self) -> bool:
        return (self.error is None and self.code in (0, 1, 2)
                and not any(word in text for word in ("Traceback", "internal error")
                            for text in (self.stdout, self.stderr)))


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def fire(signum, frame):
        raise FuzzTimeout

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(argv: list[str], timeout: float = TIMEOUT) -> Outcome:
    """Run ``consortium argv`` in this process, capturing its output."""
    from agreements.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | None = None
    error = None
    try:
        with _alarm(timeout), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except FuzzTimeout:
        error = "timeout"
    except BaseException:
        error = traceback.format_exc()
    return Outcome(argv, code, out.getvalue(), err.getvalue(), error)


def is_special(path: Path) -> bool:
    """The path is a FIFO, a device link or a folder (not copied as a regression file)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return True
