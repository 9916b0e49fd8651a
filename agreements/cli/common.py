"""Helpers shared by every ``consortium`` subcommand.

Conventions for subcommand modules (``cli_fees.py``, ``cli_risk.py``, ...):

- register with ``add_<name>_parser(subparsers)`` and set the handler with
  ``parser.set_defaults(func=handler)``; ``handler(args) -> int`` returns the exit code
  (0 ok, 1 findings or invalid input; argparse itself exits 2 on usage errors);
- load a scenario with :func:`load_or_fail` (prints every problem on stderr and makes the
  command exit 1);
- print tables with :func:`emit_table` and add the option with
  :func:`add_format_argument`, so every table command takes ``--format table|csv|json``;
- stdout holds only the result; messages go to stderr (:func:`note`), and a failure is
  signalled by raising :class:`CliError` (``main`` prints it and returns its code).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import IO

import pandas as pd

from ..errors import AgreementError
from ..scenario.model import Agreement
from ..scenario.safe_text import spreadsheet_safe_frame
from ..sharing.display import format_fixed

__all__ = [
    "FORMATS",
    "CliError",
    "add_format_argument",
    "atomic_output",
    "emit_table",
    "format_table",
    "load_or_fail",
    "note",
    "parse_pairs",
]

#: Output formats of every command that prints a table.
FORMATS = ("table", "csv", "json")


class CliError(Exception):
    """A command failed; ``main`` prints ``message`` on stderr and exits with ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def add_format_argument(parser: argparse.ArgumentParser, default: str = "table") -> None:
    """Add ``--format table|csv|json`` to a subcommand's parser."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=default,
        help=f"output format (default: {default})",
    )


def format_table(data: pd.DataFrame | pd.Series, fmt: str = "table") -> str:
    """Render a table as text: an aligned ``table``, ``csv``, or ``json`` records.

    ``table`` is for people (floats as ``1,234,567.89``); ``csv`` and ``json`` keep full
    precision for programs.

    JSON is a list of row objects; the index becomes the first field (named after the
    index, or ``id``). Missing values become ``null``; exact numbers (fractions) become
    strings: their decimal when it terminates (``"72.5"``), else ``"p/q"``.

    >>> df = pd.DataFrame({"share": [60.0, 40.0]}, index=pd.Index(["a", "b"], name="member"))
    >>> print(format_table(df, "csv"), end="")
    member,share
    a,60.0
    b,40.0
    >>> print(format_table(df, "json"))
    [{"member": "a", "share": 60.0}, {"member": "b", "share": 40.0}]
    """
    if fmt not in FORMATS:
        raise CliError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", 2)
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    if fmt == "table":
        return frame.to_string(float_format=_human) + "\n"
    flat = frame.copy()
    for col in [c for c in flat.columns if flat[c].dtype == "object"]:  # exact numbers
        flat[col] = [_exact_text(x) for x in flat[col]]
    if fmt == "csv":  # text a spreadsheet would evaluate gets a leading apostrophe
        return spreadsheet_safe_frame(flat, csv=True).to_csv(lineterminator="\n")
    if flat.index.name is None and not isinstance(flat.index, pd.RangeIndex):
        flat.index.name = "id"
    if not isinstance(flat.index, pd.RangeIndex):
        flat = flat.reset_index()
    return json.dumps(json.loads(flat.to_json(orient="records", force_ascii=False)),
                      ensure_ascii=False)


def _exact_text(x: object) -> object:
    """An exact number as text: its decimal when it has one (``Fraction(259494027, 100)``
    -> ``2594940.27``), else ``p/q``.

    >>> _exact_text(Fraction(259494027, 100)), _exact_text(Fraction(1, 3))
    ('2594940.27', '1/3')
    """
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    if isinstance(x, Fraction):
        d = x.denominator
        places = next((k for k in range(13) if 10**k % d == 0), None)
        if places is not None:
            return format_fixed(x, places, thousands=False)
    return str(x)


def _human(x: float) -> str:
    """Readable float for tables: ``1,234,567.89``, ``0.05``, ``0.001234``.

    >>> [_human(x) for x in (1234567.891, -0.0, 0.05, 0.001234)]
    ['1,234,567.89', '0.00', '0.05', '0.001234']
    """
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == 0 or abs(x) >= 0.01:
        return f"{x + 0.0:,.2f}"
    return f"{x:.4g}"


def emit_table(
    data: pd.DataFrame | pd.Series, fmt: str = "table", stream: IO[str] | None = None
) -> None:
    """Write a table to stdout (or ``stream``) in ``fmt`` (``table``, ``csv`` or ``json``)."""
    out = stream if stream is not None else sys.stdout
    text = format_table(data, fmt)
    out.write(text if text.endswith("\n") else text + "\n")


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, RuntimeError):  # unreadable, or a symlink loop
        return False


@contextlib.contextmanager
def atomic_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Write an output file all or nothing, never over an input.

    Refuses (:class:`CliError`, exit 2) an output that is the same file as any of
    ``inputs`` (after resolving both, so ``./a.yaml``, a symlink or a hard link to the
    input count too). Yields a temporary path in the output's folder, with the output's
    suffix so that writers choosing a format by suffix still do; when the ``with`` block
    ends normally the temporary file is renamed to ``path`` (``os.replace``, atomic on
    one file system), and on an error or interrupt it is deleted, so ``path`` is either
    complete or untouched. A writer that writes nothing leaves nothing.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_output(folder / "a.txt", [folder / "in.yaml"]) as tmp:
    ...     _ = tmp.write_text("done")
    >>> sorted(p.name for p in folder.iterdir()), (folder / "a.txt").read_text()
    (['a.txt'], 'done')
    >>> with atomic_output(folder / "in.yaml", [str(folder / "x" / ".." / "in.yaml")]):
    ...     pass
    Traceback (most recent call last):
    agreements.cli.common.CliError: refusing to write .../in.yaml: it is the input ...
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise CliError(f"cannot write {target}: {os.strerror(errno.ENOENT)}")  # no folder
    for source in inputs:
        if _same_file(target, Path(source)):
            raise CliError(f"refusing to write {target}: it is the input {source}; "
                           "choose another output file", 2)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.partial{target.suffix}")
    try:
        yield tmp
        if tmp.exists():
            try:
                os.replace(tmp, target)
            except OSError as exc:  # e.g. the output is a directory
                raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def note(message: str) -> None:
    """Print a message for the user on stderr (stdout is reserved for results)."""
    print(message, file=sys.stderr)


def load_or_fail(path: str | Path) -> Agreement:
    """Load a scenario file; on any problem raise :class:`CliError` (exit code 1).

    The error message lists every problem found, one per line, as
    ``file:line: field.path: message``.
    """
    from ..scenario.loader import load

    try:
        return load(path)
    except AgreementError as exc:
        raise CliError(str(exc), 1) from None


def parse_pairs(items: list[str], what: str) -> dict[str, str]:
    """``["a=x", "b=y"]`` -> ``{"a": "x", "b": "y"}``; exit 2 on a malformed item.

    >>> parse_pairs(["shu=view.yaml"], "--view")
    {'shu': 'view.yaml'}
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise CliError(f"bad {what} {item!r}: expected MEMBER=VALUE", 2)
        out[key.strip()] = value.strip()
    return out


def bounded(kind: type, low: float, high: float, instead: str = "") -> object:
    """An argparse ``type`` for a number within ``[low, high]``: anything else is a usage
    error (exit 2) naming the range and, with ``instead``, what to do instead.

    >>> draws = bounded(int, 1, 1_000_000, "run a sweep with several seeds")
    >>> draws("5000")
    5000
    >>> draws("10000000000")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: 10000000000 is above the limit of 1,000,000; run a sweep ...
    """
    import math

    word = "a whole number" if kind is int else "a number"

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"expected {word}, got {text!r}") from None
        if kind is float and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if value < low:
            raise argparse.ArgumentTypeError(f"{text} is below the minimum of {low:,}")
        if value > high:
            tail = f"; {instead}" if instead else ""
            raise argparse.ArgumentTypeError(f"{text} is above the limit of {high:,}{tail}")
        return value

    parse.__name__ = word  # argparse names the type in its messages
    return parse
