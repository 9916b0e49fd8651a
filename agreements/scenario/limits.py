"""Limits on input files and their values, and the one safe way of reading a text file.

Every input file of the toolkit (scenarios, profiles, sweep specifications, negotiation
views) is read by :func:`read_text`, which refuses, before reading or parsing anything it
cannot handle: a path that is not a regular file (a folder, a FIFO, ``/dev/zero``), a file
over :data:`MAX_FILE_BYTES`, text that is not UTF-8, and (in :func:`check_depth`) nesting
deeper than :data:`MAX_DEPTH`. :func:`text_problems` finds control characters and Unicode
non-characters in parsed data, so that no output (DOCX, XLSX, HTML) can fail on them
later. The ceilings are documented in ``docs/scenario-format.md`` ("Limits").
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import AgreementError, Problem

__all__ = [
    "MAX_AMOUNT",
    "MAX_COUNT",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ITEMS",
    "MAX_TEXT",
    "bad_character",
    "check_depth",
    "read_text",
    "text_problems",
]

#: Largest input file read (bytes): scenarios, profiles, sweep specs.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deepest nesting of lists and mappings in an input file.
MAX_DEPTH = 64
#: Largest absolute amount of money in a scenario field (one trillion units, 1e12); sums
#: over members, years and products stay below 2**53 cents, so every shown cent is exact.
MAX_AMOUNT = 1e12
#: Largest count (employees, votes, days, months, seats).
MAX_COUNT = 10**9
#: Most entries of one list (members, tasks, contributions, results, products).
MAX_ITEMS = 10_000
#: Longest text field (characters).
MAX_TEXT = 100_000

# C0 and C1 controls except tab, newline and carriage return; lone surrogates;
# the Unicode non-characters (U+FDD0..U+FDEF and the last two code points of every plane).
_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)


def bad_character(text: str) -> str | None:
    """A description of the first control character or non-character in ``text``.

    >>> bad_character("Fosun"), bad_character("a\\x07b"), bad_character("x\\ufffe")
    (None, 'control character U+0007 at position 2', 'non-character U+FFFE at position 2')
    """
    found = _BAD.search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = ("surrogate" if 0xD800 <= code <= 0xDFFF
            else "control character" if code <= 0x9F else "non-character")
    return f"{kind} U+{code:04X} at position {found.start() + 1}"


def read_text(path: str | Path, what: str = "file") -> str:
    """The text of a UTF-8 file (a leading byte-order mark dropped), checked first.

    Raises
    ------
    AgreementError
        The path does not exist, is a folder, is not a regular file (FIFO, device: never
        opened, so nothing hangs), is larger than :data:`MAX_FILE_BYTES`, cannot be read,
        or is not UTF-8 text (binary).

    Notes
    -----
    One ``stat`` and one read of at most :data:`MAX_FILE_BYTES` + 1 bytes.

    Examples
    --------
    >>> read_text("/dev/zero", "scenario")
    Traceback (most recent call last):
    agreements.errors.AgreementError: /dev/zero: not a regular file (a device, FIFO or ...
    """
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise AgreementError(f"{p}: no such file") from None
    except OSError as exc:
        raise AgreementError(f"{p}: cannot read the file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise AgreementError(f"{p}: is a directory, expected a {what} file")
    if not stat.S_ISREG(info.st_mode):
        raise AgreementError(f"{p}: not a regular file (a device, FIFO or socket); "
                             f"expected a {what} file")
    if info.st_size > MAX_FILE_BYTES:
        raise AgreementError(f"{p}: {info.st_size:,} bytes; a {what} file may have at most "
                             f"{MAX_FILE_BYTES:,} bytes (5 MiB)")
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AgreementError(f"{p}: cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise AgreementError(f"{p}: a {what} file may have at most {MAX_FILE_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AgreementError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                             f"expected a {what} file (YAML or JSON)") from None


_JSON_STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def nesting_depth(text: str, fmt: str = "yaml") -> int:
    """The deepest nesting of lists and mappings in YAML or JSON text, without building it
    (and without recursion): a count of brackets outside strings for JSON, the parser's
    events for YAML (stopping early past :data:`MAX_DEPTH`).

    >>> nesting_depth('{"a": [1, {"b": "[[["}]}', "json"), nesting_depth("a:\\n  - [1, 2]\\n")
    (3, 3)
    """
    if fmt == "json":
        deepest = depth = 0
        for ch in re.sub(r"[^\[\]{}]", "", _JSON_STRING.sub("", text)):
            depth += 1 if ch in "[{" else -1
            deepest = max(deepest, depth)
        return deepest
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    deepest = depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_DEPTH:
                    break
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:  # a syntax error: the parser reports it with its line
        if "nesting depth" in str(exc):  # libyaml's own ceiling (deeper than ours)
            deepest = MAX_DEPTH + 1
    finally:
        loader.dispose()
    return deepest


def check_depth(text: str, fmt: str, source: str) -> None:
    """Refuse text nested deeper than :data:`MAX_DEPTH` (before it is parsed, so no
    parser or validator can run out of stack).

    Raises
    ------
    AgreementError
        Naming the file, the depth found and the limit.
    """
    depth = nesting_depth(text, fmt)
    if depth > MAX_DEPTH:
        raise AgreementError(f"{source}: lists and mappings are nested more than "
                             f"{MAX_DEPTH} deep (scenarios, profiles and sweep specs "
                             "need fewer than 10 levels); is this the right file?")


def _strings(data: Any, parts: tuple = ()) -> Iterator[tuple[tuple, str]]:
    stack = [(parts, data)]
    seen: set[int] = set()  # YAML aliases share nodes: each is walked once
    while stack:  # iterative: any depth the parser accepted
        where, node = stack.pop()
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                continue
            seen.add(id(node))
        if isinstance(node, str):
            yield where, node
        elif isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str):
                    yield (*where, k), k
                stack.append(((*where, k), v))
        elif isinstance(node, list):
            stack.extend(((*where, i), v) for i, v in enumerate(node))


def text_problems(data: Any) -> list[tuple[tuple, str]]:
    """``(path, message)`` for each text (key or value) holding a control character or a
    non-character, or longer than :data:`MAX_TEXT`.

    >>> text_problems({"members": [{"name": {"en": "A\\x00"}}]})
    [(('members', 0, 'name', 'en'), 'control character U+0000 at position 2 is not ...')]
    """
    out = []
    for where, text in _strings(data):
        bad = bad_character(text)
        if bad:
            out.append((where, f"{bad} is not allowed in text; remove it"))
        elif len(text) > MAX_TEXT:
            out.append((where, f"text of {len(text):,} characters; at most {MAX_TEXT:,}"))
    return sorted(out, key=lambda x: [str(p) for p in x[0]])


def problem_list(found: list[tuple[tuple, str]], source: str,
                 lines: dict | None = None) -> list[Problem]:
    """:func:`text_problems` as :class:`Problem` objects with their lines."""
    from .validation import format_path

    lines = lines or {}
    out = []
    for parts, msg in found:
        line = next((lines[parts[:k]] for k in range(len(parts), -1, -1)
                     if parts[:k] in lines), None)
        out.append(Problem(format_path(parts), msg, line, source))
    return out
