"""``consortium init``: write a commented, valid starting scenario.

::

    consortium init [--members N] [-o FILE] [--force]

Without ``-o`` the scenario goes to stdout. An existing file is never replaced unless
``--force`` is given; the file is written all or nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import CliError, atomic_output, note

__all__ = ["add_init_parser"]


def cmd_init(args: argparse.Namespace) -> int:
    """Render the template, check that it loads, and write it."""
    from ..errors import AgreementError
    from ..scenario.loader import loads
    from ..scenario.template import starter_scenario

    name = Path(args.output).name if args.output else "scenario.yaml"
    try:
        text = starter_scenario(args.members, filename=name)
    except AgreementError as exc:
        raise CliError(str(exc), 2) from None
    loads(text, source="<template>")  # the template's own check: always valid
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    target = Path(args.output)
    if target.exists() and not args.force:
        raise CliError(f"{target} exists; not replacing it (use --force to overwrite)")
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    note(f"wrote {target}: a starting scenario with {args.members} members; edit it, then "
         f"run `consortium validate {target}`")
    return 0


def add_init_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``init``."""
    from ..scenario.template import MAX_MEMBERS, MIN_MEMBERS  # light: no heavy imports

    p = sub.add_parser("init", help="write a commented starting scenario to edit",
                       description="Write a commented, valid starting scenario (bilingual "
                       "names, one task, one product, a sharing rule) to edit into your "
                       "own consortium.")
    p.add_argument("--members", "-n", type=int, default=3, metavar="N",
                   help=f"number of members, {MIN_MEMBERS} to {MAX_MEMBERS} (default: 3)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="scenario file to write (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=cmd_init)
