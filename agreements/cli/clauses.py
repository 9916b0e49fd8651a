"""``consortium clauses`` and ``consortium redline``: clause tables for lawyers.

::

    consortium clauses FILE [--format docx|md|html|tex|csv|xlsx] [--lang en|zh|zh+en]
                            [-o OUT] [--method M] [--total AMOUNT] [--table NAME]
                            [--parameter ID.FIELD]
    consortium redline OLD NEW [--format docx|pdf|md|html|tex|csv|xlsx] [--lang ...]
                               [-o OUT] [--template firm.docx]

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

from .common import (
    CliError,
    atomic_output,
    bounded,
    load_or_fail,
    note,
    output_provenance,
    parse_pairs,
    write_sidecar,
)

#: Largest ``--total`` to divide (figures stay exact to the cent).
MAX_TOTAL = Decimal("1e15")

__all__: list[str] = []  # commands only: registered by agreements.cli

_FORMATS = ("docx", "md", "html", "tex", "csv", "xlsx")
_REDLINE_FORMATS = (*_FORMATS, "pdf")
#: Redline formats written as the whole new draft agreement with tracked changes.
_DOCUMENT_FORMATS = ("docx", "pdf", "md", "html")
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
        if fmt in _FORMATS or (fmt == "pdf" and args.command == "redline"):
            return fmt
        raise CliError(f"cannot tell the format from {args.output!r}; use --format "
                       f"{'|'.join(_FORMATS)}", 2)
    return "md"


def _write(tables: Any, fmt: str, output: str | None, inputs: list[str],
           args: argparse.Namespace | None = None) -> None:
    from ..clauses import export
    from ..clauses.export import with_provenance

    if output is None:
        if fmt in ("docx", "xlsx"):
            raise CliError(f"--format {fmt} is a binary file: give -o OUT", 2)
        text = export(tables, fmt)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    record = output_provenance(args or argparse.Namespace(), inputs)
    try:
        with atomic_output(output, inputs) as tmp:  # never over an input; all or nothing
            export(tables, tmp, format=fmt)
            if fmt in ("md", "html", "tex"):  # a footer says where the document came from
                tmp.write_text(with_provenance(tmp.read_text(encoding="utf-8"), fmt, record),
                               encoding="utf-8")
        if fmt == "csv":  # CSV holds no metadata: a JSON file beside it, once it is whole
            write_sidecar(output, record, inputs)
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
    _write(tables, fmt, args.output, [args.file, *views.values()], args)
    return 0


def cmd_redline(args: argparse.Namespace) -> int:
    """Redline two versions of a scenario: the new draft agreement with tracked changes
    (docx, pdf, md, html) or the table of changed clauses (tex, csv, xlsx)."""
    from ..scenario.provenance import file_sha256, provenance

    load_or_fail(args.old)
    load_or_fail(args.new)
    for label, path in (("old", args.old), ("new", args.new)):
        note(f"SHA-256 ({label}) {file_sha256(path)}  {path}")
    fmt = _format(args)
    if fmt in _DOCUMENT_FORMATS:
        from .agreement import _check_template, document, render, write

        _check_template(args.template)
        lang = args.lang or "zh+en"
        old, new = document(args.old, lang), document(args.new, lang)
        if old.blocks == new.blocks and old.schedules == new.schedules:
            note("the two versions agree clause for clause")
        record = provenance([args.old, args.new], lang=lang)
        write(render(fmt, new, old=old, template=args.template, record=record), fmt,
              args.output, [args.old, args.new])
        return 0
    from ..clauses import compare

    diff = compare(args.old, args.new, lang=args.lang or "en")
    if diff.empty:
        note("the two versions agree clause for clause")
    _write(diff, fmt, args.output, [args.old, args.new], args)
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
    p.add_argument("--format", "-f", choices=_REDLINE_FORMATS, default=None,
                   help="docx/pdf/md/html: the new draft agreement with tracked changes "
                        "(w:ins/w:del, <ins>/<del>); tex/csv/xlsx: the changed clauses as "
                        "a table (default: from the -o suffix, else md)")
    p.add_argument("--lang", choices=("en", "zh", "zh+en"), default=None,
                   help="language (default: zh+en for the draft agreement, en for tables)")
    p.add_argument("-o", "--output", default=None, help="output file (default: stdout)")
    p.add_argument("--template", default=None, metavar="FIRM.docx",
                   help="a firm's Word template for the docx/pdf redline")
    p.set_defaults(func=cmd_redline)
