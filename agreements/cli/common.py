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
import contextvars
import errno
import json
import math
import os
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # imported where used, so that `consortium --help` stays quick
    import pandas as pd

    from ..scenario.model import Agreement

__all__ = [
    "FORMATS",
    "CliError",
    "add_format_argument",
    "atomic_output",
    "emit_table",
    "fit_columns",
    "format_table",
    "load_or_fail",
    "note",
    "output_provenance",
    "parse_pairs",
    "set_wide",
    "table_width",
    "write_sidecar",
]

#: Output formats of every command that prints a table.
FORMATS = ("table", "csv", "json")
#: How a missing value shows in a ``table``, and the footnote that explains it.
MISSING = "n/a"
MISSING_NOTE = "n/a: no value (not defined or not computed for this row)"


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
    parser.add_argument("--wide", action="store_true",
                        help="do not split tables to fit the terminal's width")


def format_table(data: pd.DataFrame | pd.Series, fmt: str = "table",
                 width: int | None = None, missing: str = MISSING_NOTE) -> str:
    """Render a table as text: an aligned ``table``, ``csv``, or ``json`` records.

    ``table`` is for people: each float column has one format (``1,234,567.89``; more
    decimals, or scientific notation, only for a column whose largest value is tiny), a
    missing value shows as ``n/a`` with a footnote saying so (``missing``), and when the
    table is wider than ``width`` characters its columns are split into blocks that fit,
    each repeating the row labels. ``csv`` and ``json`` keep full precision for programs.

    JSON is a list of row objects; the index becomes the first field (named after the
    index, or ``id``). Missing values become ``null``; exact numbers (fractions) become
    strings: their decimal when it terminates (``"72.5"``), else ``"p/q"``.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"share": [60.0, 40.0]}, index=pd.Index(["a", "b"], name="member"))
    >>> print(format_table(df, "csv"), end="")
    member,share
    a,60.0
    b,40.0
    >>> print(format_table(df, "json"))
    [{"member": "a", "share": 60.0}, {"member": "b", "share": 40.0}]
    >>> df = pd.DataFrame({"amount": [8026557.371, 2.98e-08], "p": [0.0012, None]},
    ...                   index=["a", "b"])
    >>> print(format_table(df), end="")
             amount        p
    a  8,026,557.37 0.001200
    b          0.00      n/a
    <BLANKLINE>
    n/a: no value (not defined or not computed for this row)
    >>> print(format_table(df, width=16), end="")
             amount
    a  8,026,557.37
    b          0.00
    <BLANKLINE>
              p
    a  0.001200
    b       n/a
    <BLANKLINE>
    n/a: no value (not defined or not computed for this row)
    """
    import pandas as pd

    from ..scenario.safe_text import spreadsheet_safe_frame

    if fmt not in FORMATS:
        raise CliError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", 2)
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    if fmt == "table":
        shown, gaps = _display_frame(frame)
        text = fit_columns(shown, width)
        return text + (f"\n{missing}\n" if gaps else "")
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


def _display_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Every cell as display text (one format per float column, ``n/a`` for a missing
    value, never a Python repr such as ``None``), and whether any cell was missing."""
    import pandas as pd

    shown = pd.DataFrame(index=frame.index)
    gaps = False
    for j in range(frame.shape[1]):
        col = frame.iloc[:, j]
        missing = col.isna().to_numpy()
        gaps = gaps or bool(missing.any())
        if pd.api.types.is_float_dtype(col.dtype):
            fmt = _float_format(col.to_numpy(dtype=float))
            cells = [MISSING if m else fmt(x) for x, m in zip(col, missing, strict=True)]
        elif pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype):
            cells = [MISSING if m else str(x) for x, m in zip(col, missing, strict=True)]
        else:
            cells = [MISSING if m else _cell_text(x) for x, m in zip(col, missing, strict=True)]
        shown[j] = cells
    shown.columns = frame.columns
    return shown, gaps


def _cell_text(x: object) -> str:
    if isinstance(x, float):
        return _float_format([x])(x)
    if isinstance(x, Fraction):
        return str(_exact_text(x))
    return str(x)


def _float_format(values: Iterable[float]) -> Callable[[float], str]:
    """One format for a whole float column, chosen by its largest finite magnitude.

    Two decimals with thousands separators (money, percentages), unless the column's
    largest value is below 0.01: then enough decimals for three significant figures of
    it, or scientific notation below 1e-6. A value that rounds to zero shows as ``0.00``
    (never ``-0.00``).

    >>> [_float_format([1e6, 3e-8])(x) for x in (8026557.371, 2.98e-08, -0.001)]
    ['8,026,557.37', '0.00', '0.00']
    >>> [_float_format([0.05, 0.001234])(x) for x in (0.05, 0.001234)]
    ['0.05', '0.00']
    >>> [_float_format([0.001234, 0.0001])(x) for x in (0.001234, 0.0001)]
    ['0.001234', '0.000100']
    >>> [_float_format([3e-9, 1e-10])(x) for x in (1e-10, 0.0)]
    ['1.00e-10', '0']
    """
    finite = [abs(v) for v in values if math.isfinite(v)]
    big = max(finite, default=0.0)
    if big == 0 or big >= 0.01:
        spec = ",.2f"
    elif big >= 1e-6:
        spec = f",.{2 - math.floor(math.log10(big)) + 1}f"
    else:
        spec = ".2e"

    def show(x: float) -> str:
        if not math.isfinite(x):
            return "inf" if x > 0 else "-inf" if x < 0 else MISSING
        if x == 0 and spec == ".2e":
            return "0"
        text = format(x, spec)
        return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text

    return show


def _display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (East Asian wide characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _rendered(frame: pd.DataFrame) -> str:
    return str(frame.to_string())


def fit_columns(frame: pd.DataFrame, width: int | None) -> str:
    """``frame.to_string()``, its columns split into blocks no wider than ``width``.

    Each block repeats the row labels; blocks are separated by a blank line. A single
    column wider than ``width`` stays whole. ``width=None`` (or 0) never splits.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"alpha": ["1.00"], "beta": ["2.00"], "gamma": ["3.00"]},
    ...                   index=["row"])
    >>> print(fit_columns(df, 16), end="")
        alpha  beta
    row  1.00  2.00
    <BLANKLINE>
        gamma
    row  3.00
    """
    text = _rendered(frame)
    if not width or frame.shape[1] <= 1 or _widest(text) <= width:
        return text + "\n"
    blocks: list[str] = []
    start = 0
    n = frame.shape[1]
    while start < n:
        stop = start + 1
        best = _rendered(frame.iloc[:, start:stop])
        while stop < n:
            wider = _rendered(frame.iloc[:, start:stop + 1])
            if _widest(wider) > width:
                break
            best, stop = wider, stop + 1
        blocks.append(best + "\n")
        start = stop
    return "\n".join(blocks)


def _widest(text: str) -> int:
    return max((_display_width(line) for line in text.splitlines()), default=0)


def _exact_text(x: object) -> object:
    """An exact number as text: its decimal when it has one (``Fraction(259494027, 100)``
    -> ``2594940.27``), else ``p/q``.

    >>> _exact_text(Fraction(259494027, 100)), _exact_text(Fraction(1, 3))
    ('2594940.27', '1/3')
    """
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    if isinstance(x, Fraction):
        from ..sharing.display import format_fixed

        d = x.denominator
        places = next((k for k in range(13) if 10**k % d == 0), None)
        if places is not None:
            return format_fixed(x, places, thousands=False)
    return str(x)


def emit_table(
    data: pd.DataFrame | pd.Series, fmt: str = "table", stream: IO[str] | None = None,
    missing: str = MISSING_NOTE,
) -> None:
    """Write a table to stdout (or ``stream``) in ``fmt`` (``table``, ``csv`` or ``json``);
    a ``table`` fits the terminal's width (:func:`table_width`)."""
    out = stream if stream is not None else sys.stdout
    text = format_table(data, fmt, width=table_width(out), missing=missing)
    out.write(text if text.endswith("\n") else text + "\n")


#: ``--wide`` was given: tables are never split to fit the terminal.
_WIDE = contextvars.ContextVar("consortium_wide_tables", default=False)


def set_wide(wide: bool) -> None:
    """Make :func:`table_width` return ``None`` (``--wide``) or the terminal's width."""
    _WIDE.set(bool(wide))


def table_width(stream: IO[str] | None = None) -> int | None:
    """Characters a table written to ``stream`` may take: the terminal's width when
    ``stream`` is a terminal, else ``$COLUMNS`` when set, else no limit (``None``, also
    under ``--wide``), so piped output and tests are never split unasked."""
    if _WIDE.get():
        return None
    out = stream if stream is not None else sys.stdout
    try:
        tty = out.isatty()
    except (AttributeError, ValueError, OSError):
        tty = False
    if tty:
        return shutil.get_terminal_size().columns
    try:
        return int(os.environ["COLUMNS"]) or None
    except (KeyError, ValueError):
        return None


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


def output_provenance(args: argparse.Namespace, sources: Iterable[str | Path] = (),
                      **fields: object) -> dict[str, str]:
    """The provenance record of a file a command writes: the command line as typed
    (``consortium ...``, from ``args.argv``), the inputs' SHA-256, and ``fields``
    (``seed=``, ``levers=``, ``draws=`` ...); see
    :func:`agreements.scenario.provenance.provenance`.

    >>> ns = argparse.Namespace(argv=["simulate", "a b.yaml", "--seed", "3"])
    >>> output_provenance(ns, seed=3)["command"]
    "consortium simulate 'a b.yaml' --seed 3"
    """
    import shlex

    from ..scenario.provenance import provenance

    argv = getattr(args, "argv", None)
    command = shlex.join(["consortium", *argv]) if argv is not None else None
    return provenance(sources, command=command, **fields)  # type: ignore[arg-type]


def write_sidecar(path: str | Path, record: dict[str, str],
                  inputs: Iterable[str | Path] = ()) -> Path:
    """Write ``record`` as ``<path>.provenance.json`` beside an output that cannot hold
    metadata itself (CSV), all or nothing (:func:`atomic_output`); return its path."""
    target = Path(f"{path}.provenance.json")
    with atomic_output(target, inputs) as tmp:
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
    return target


def note(message: str) -> None:
    """Print a message for the user on stderr (stdout is reserved for results).

    Whatever the command has already written to stdout is flushed first, so that on a
    terminal (or ``2>&1``) a message never lands in the middle of a table's last line.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdout.flush()
    print(message, file=sys.stderr)


def load_or_fail(path: str | Path) -> Agreement:
    """Load a scenario file; on any problem raise :class:`CliError` (exit code 1).

    The error message lists every problem found, one per line, as
    ``file:line: field.path: message``.
    """
    from ..errors import AgreementError
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
