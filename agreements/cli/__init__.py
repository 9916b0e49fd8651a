"""The ``consortium`` command line: every command, registered from one explicit list.

Exit codes: 0 ok, 1 findings or invalid input (or an internal error, reported in one
line; ``CONSORTIUM_DEBUG=1`` shows its traceback), 2 usage error. Results go to stdout,
messages to stderr. A command module that cannot be imported fails the whole command
line loudly (an ImportError), never silently dropping the command. Each command's
function imports the heavy modules it needs when it runs, so ``--help`` stays quick
(``tests/test_fast_start.py`` fails if ``--help`` or ``validate`` loads pandas, numpy, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence

from sharing_models.exceptions import ConsortiumError

from .agreement import add_agreement_parser
from .clauses import add_clauses_parser, add_redline_parser
from .common import CliError, note, set_wide
from .core import add_core_parsers
from .fees import add_fees_parser, add_waterfall_parser
from .init import add_init_parser
from .lifecycle import add_lifecycle_parsers
from .negotiate import add_negotiate_parser
from .plot import add_plot_parser
from .report import add_report_parser
from .risk import add_formation_parser, add_simulate_parser, add_sweep_parser

__all__ = ["COMMANDS", "build_parser", "main"]

#: Every subcommand's registration, in help order.
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    add_init_parser, add_core_parsers, add_fees_parser, add_waterfall_parser, add_simulate_parser,
    add_formation_parser, add_negotiate_parser, add_sweep_parser, add_clauses_parser,
    add_redline_parser, add_agreement_parser, add_report_parser, add_lifecycle_parsers,
    add_plot_parser,
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("consortium-toolkit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "(not installed)"


class _VersionAction(argparse.Action):
    """``--version``: looks the installed version up only when asked (the package
    metadata costs a few hundredths of a second to read)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS,
                 help: str = "show program's version number and exit") -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default,
                         nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The ``consortium`` argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="consortium",
        description="Model innovation-consortium agreements: validate scenarios, share "
                    "value, draw the contribution graph, check formation rules.",
        epilog="Exit codes: 0 ok, 1 findings or invalid input, 2 usage error.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(sub)
    return parser


@contextlib.contextmanager
def _c_output_to_stderr() -> Iterator[None]:
    """Send writes to file descriptor 1 from C libraries (solver banners) to stderr.

    Python's ``sys.stdout`` keeps writing to the real stdout, so stdout holds only the
    result. A no-op when stdout is not a real file (e.g. captured by a test).
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation, ValueError):
        fd = -1
    if fd != 1:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    original = sys.stdout
    sys.stdout = open(saved, "w", encoding=original.encoding or "utf-8",  # noqa: SIM115
                      errors=original.errors or "strict", closefd=False)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        sys.stdout = original


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``consortium`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    set_wide(getattr(args, "wide", False))
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for outputs' provenance
    # Exact shares of float inputs are fractions whose terms can pass Python's default
    # 4,300-digit limit on int-to-text conversion; the inputs bound them, so lift it.
    sys.set_int_max_str_digits(0)
    try:
        with _c_output_to_stderr():
            return int(args.func(args))
    except CliError as exc:
        note(f"consortium {args.command}: {exc.message}")
        return exc.code
    except ConsortiumError as exc:
        note(f"consortium {args.command}: {exc}")
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piped into `head`
        return 0
    except KeyboardInterrupt:  # Ctrl-C: one line, no traceback; outputs are all or nothing
        note(f"consortium {args.command}: interrupted; no output file was written")
        return 130
    except RecursionError:  # input nested beyond what a library walks recursively
        note(f"consortium {args.command}: the input is nested too deeply to process")
        return 1
    except MemoryError:
        note(f"consortium {args.command}: out of memory; try a smaller problem (fewer "
             "draws, members or points)")
        return 1
    except Exception as exc:  # a bug: one line for the user, never a traceback or a file
        if os.environ.get("CONSORTIUM_DEBUG"):
            raise
        note(f"consortium {args.command}: internal error ({type(exc).__name__}: "
             f"{str(exc).splitlines()[0] if str(exc) else ''}); no output file was "
             "written. Please report it with the input file; CONSORTIUM_DEBUG=1 shows "
             "the traceback")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
