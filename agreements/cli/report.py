"""``consortium report``: one self-contained HTML page about an agreement.

::

    consortium report FILE -o report.html [--draws N] [--seed S] [--lang auto|en|zh|zh+en]

The page (see :func:`agreements.reports.report.build_report`) embeds its plots and CSS, so it
can be sent to the other parties as one file and opened without a network.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .common import CliError, atomic_output, bounded, load_or_fail, note, output_provenance

__all__: list[str] = []  # commands only: registered by agreements.cli


def add_report_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium report``."""
    p = subparsers.add_parser(
        "report", help="one self-contained HTML page: graph, shares, walk-aways, risk, "
                       "clauses",
        description="Write one HTML page (plots embedded, no network needed) with the "
                    "contribution graph, shares under each rule, who would walk away, "
                    "each member's risk profile and the clause table.")
    p.add_argument("file", metavar="FILE", help="scenario file (YAML or JSON)")
    p.add_argument("-o", "--output", required=True, help="output HTML file")
    p.add_argument("--draws", type=bounded(int, 100, 1_000_000), default=20_000,
                   help="Monte Carlo draws of the risk section (20000)")
    p.add_argument("--seed", type=bounded(int, 0, 2**63 - 1), default=0, help="random seed (0)")
    p.add_argument("--lang", choices=("auto", "en", "zh", "zh+en"), default="auto",
                   help="clause table language (auto: zh+en when the agreement has a "
                        "Chinese name)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Build the report of ``args.file`` into ``args.output``."""
    import matplotlib

    matplotlib.use("Agg")
    from ..reports.report import build_report

    out = Path(args.output)
    if out.suffix.lower() not in (".html", ".htm"):
        raise CliError(f"output must end in .html or .htm; got {out.name!r}", 2)
    if args.draws < 100:
        raise CliError(f"--draws must be at least 100; got {args.draws}", 2)
    load_or_fail(args.file)  # every problem of an invalid file on stderr, exit 1
    start = time.perf_counter()
    try:
        with atomic_output(out, [args.file]) as tmp:  # never over the input; all or nothing
            page = build_report(args.file, tmp, draws=args.draws, seed=args.seed,
                                lang=args.lang, provenance=output_provenance(
                                    args, [args.file], seed=args.seed, draws=args.draws))
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    note(f"wrote {out} ({len(page.encode('utf-8')) / 1024:,.0f} KiB) in "
         f"{time.perf_counter() - start:.1f} s")
    return 0
