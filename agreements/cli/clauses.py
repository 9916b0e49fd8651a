"""``consortium clauses`` and ``consortium redline``: clause tables for lawyers.

::

    consortium clauses FILE [--format docx|md|html|tex|csv|xlsx] [--lang en|zh|zh+en]
                            [-o OUT] [--method M] [--total AMOUNT] [--table NAME]
                            [--parameter ID.FIELD]
    consortium redline OLD NEW [--format ...] [--lang ...] [-o OUT]

Word and Excel need ``-o``; text formats go to stdout without it. The document holds
the clause table and the schedules (``--table`` picks one; CSV holds one table, the
clause table by default).
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from sharing_models.exceptions import ConsortiumError

from .common import CliError, atomic_output, bounded, load_or_fail, note, parse_pairs

#: Largest ``--total`` to divide (figures stay exact to the cent).
MAX_TOTAL = Decimal("1e15")

__all__: list[str] = []  # commands only: registered by agreements.cli

_FORMATS = ("docx", "md", "html", "tex", "csv", "xlsx")
_TABLES = ("all", "clauses", "contributions", "revenue_shares", "fees", "voting", "results")


def _amount(text: str) -> Fraction:
    """``--total``: an exact amount such as ``1000000``, ``1e6`` or ``2500000.50``."""
    try:
        value = Decimal(text.replace(",", "").replace("_", ""))
    except (InvalidOperation, ValueError):
        raise argparse.ArgumentTypeError(f"expected an amount such as 1000000 or 1e6, "
                                         f"got {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"expected a finite amount, got {text!r}")
    if abs(value) > MAX_TOTAL:
        raise argparse.ArgumentTypeError(f"{text} is above the limit of {MAX_TOTAL:,.0f}")
    return Fraction(value)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.output:
        suffix = Path(args.output).suffix.lower().lstrip(".")
        fmt = {"markdown": "md", "htm": "html"}.get(suffix, suffix)
        if fmt in _FORMATS:
            return fmt
        raise CliError(f"cannot tell the format from {args.output!r}; use --format "
                       f"{'|'.join(_FORMATS)}", 2)
    return "md"


def _write(tables: Any, fmt: str, output: str | None, inputs: list[str]) -> None:
    from ..clauses import export

    if output is None:
        if fmt in ("docx", "xlsx"):
            raise CliError(f"--format {fmt} is a binary file: give -o OUT", 2)
        text = export(tables, fmt)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        with atomic_output(output, inputs) as tmp:  # never over an input; all or nothing
            export(tables, tmp, format=fmt)
    except OSError as exc:  # missing directory, no permission, a directory given as OUT
        raise CliError(f"cannot write {output}: {exc.strerror or exc}", 1) from None
    note(f"wrote {output}")


def _allocation(path: str, method: str | None) -> Any:
    if method is None:
        return None
    from ..sharing import allocate

    agreement = load_or_fail(path)
    try:
        column = allocate(agreement, method)["amount"]
    except ConsortiumError as exc:
        raise CliError(f"sharing rule {method!r} gave no result for this agreement: "
                       f"{str(exc).splitlines()[0]}", 1) from None
    if sum(column.tolist()) == 0:
        raise CliError(f"the {method} shares of this agreement are all zero (the consortium "
                       "creates no value in its game): there is nothing to divide", 1)
    return column


def cmd_clauses(args: argparse.Namespace) -> int:
    """Write the clause table (and schedules) of one scenario."""
    from ..clauses import clause_table, schedules
    from ..negotiation import negotiate

    load_or_fail(args.file)  # every problem of an invalid file, on stderr
    fmt = _format(args)
    allocation = _allocation(args.file, args.method)
    total = args.total
    views = parse_pairs(args.view, "--view")
    contingent = negotiate(load_or_fail(args.file), views).contingent if views else None
    table = clause_table(args.file, allocation, lang=args.lang, decimals=args.decimals,
                         parameter=args.parameter, jurisdiction=args.jurisdiction,
                         contingent=contingent)
    annexes = schedules(args.file, allocation, lang=args.lang, total=total,
                        decimals=args.decimals)
    choice = args.table or ("clauses" if fmt == "csv" else "all")
    if choice == "all":
        tables: Any = [table, *annexes.values()]
    else:
        tables = table if choice == "clauses" else annexes[choice]
    _write(tables, fmt, args.output, [args.file, *views.values()])
    return 0


def cmd_redline(args: argparse.Namespace) -> int:
    """Write the clauses that differ between two versions of a scenario."""
    from ..clauses import compare

    load_or_fail(args.old)
    load_or_fail(args.new)
    diff = compare(args.old, args.new, lang=args.lang)
    if diff.empty:
        note("the two versions agree clause for clause")
    _write(diff, _format(args), args.output, [args.old, args.new])
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=_FORMATS, default=None,
                   help="output format (default: from the -o suffix, else md)")
    p.add_argument("--lang", choices=("en", "zh", "zh+en"), default="en",
                   help="language: en, zh, or zh+en side by side (default: en)")
    p.add_argument("-o", "--output", default=None, help="output file (default: stdout)")


def add_clauses_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium clauses``."""
    p = subparsers.add_parser(
        "clauses", help="clause table and schedules for the formation agreement",
        description="Write the agreement's clauses (DESCA headings) and schedules with "
                    "exact shares, in Word, Excel, Markdown, HTML, LaTeX or CSV.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    _common(p)
    p.add_argument("--method", "-m", default=None, metavar="M",
                   help="state shares computed by this rule (e.g. shapley) instead of "
                        "the agreed one")
    p.add_argument("--total", type=_amount, default=None, metavar="AMOUNT",
                   help="amount to divide in the revenue-shares schedule, e.g. 1000000")
    p.add_argument("--decimals", type=bounded(int, 0, 10), default=2,
                   help="decimals of percentages (0 to 10)")
    p.add_argument("--parameter", default=None, metavar="ID.FIELD",
                   help="add each party's Shapley value as a formula of this parameter, "
                        "e.g. p_smart_lab.revenue or shu_ai_team.substitute_price")
    p.add_argument("--jurisdiction", choices=("cn", "eu"), default=None,
                   help="whose statutory fallbacks to name (default: from members' countries)")
    p.add_argument("--table", choices=_TABLES, default=None,
                   help="only this table (default: all; csv: clauses)")
    p.add_argument("--view", action="append", metavar="MEMBER=OVERLAY", default=[],
                   help="a member's own figures (repeatable): add the clause of the "
                        "contract contingent on which products launch that maximises the "
                        "smallest surplus by every member's view (see consortium negotiate)")
    p.set_defaults(func=cmd_clauses)


def add_redline_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium redline``."""
    p = subparsers.add_parser(
        "redline", help="clauses that differ between two versions of a scenario",
        description="Compare two versions of a scenario clause by clause and redline "
                    "the wording that changed.")
    p.add_argument("old", metavar="OLD", help="earlier scenario file")
    p.add_argument("new", metavar="NEW", help="later scenario file")
    _common(p)
    p.set_defaults(func=cmd_redline)
