"""The core ``consortium`` commands: ``validate``, ``shares``, ``graph``, ``check``,
``schema``.

::

    consortium validate FILE...          check scenario files; every problem on stderr
    consortium shares FILE [--method M ...] [--format table|csv|json] [--percent] [--details]
    consortium graph FILE -o out.png|svg
    consortium check FILE --profile qingdao [--format ...] [--details]
    consortium schema                    the scenario format as JSON Schema
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    MISSING,
    MISSING_NOTE,
    CliError,
    add_format_argument,
    atomic_output,
    bounded,
    emit_table,
    fit_columns,
    load_or_fail,
    note,
    table_width,
)

if TYPE_CHECKING:  # imported where used, so that `consortium --help` stays quick
    import pandas as pd


__all__ = ["EXACT_MEMBERS", "shares_blocks", "shown_columns"]

#: Most nodes (members, contributions, tasks, results, products) ``graph`` draws.
GRAPH_NODES = 400
#: Most members of ``shares --exact`` (20 members: about 20 s and 0.5 GB).
EXACT_MEMBERS = 20


# ---------------------------------------------------------------------- commands
def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            a = load_or_fail(path)
        except CliError as exc:
            note(exc.message)
            failed += 1
            continue
        warnings = _warnings(a, path)
        for w in warnings:
            note(f"{'error' if args.strict else 'warning'}: {w}")
        if warnings and args.strict:
            note(f"{path}: {len(warnings)} warning(s), errors under --strict")
            failed += 1
            continue
        print(f"ok: {len(a.members)} members, {len(a.contributions)} contributions, "
              f"{len(a.tasks)} tasks, {len(a.results)} results, {len(a.products)} products "
              f"({path})" + (f"; {len(warnings)} warning(s) on stderr" if warnings else ""))
    return 1 if failed else 0


def _warnings(agreement: Any, path: str) -> list[Any]:
    """The scenario's warnings, with the line of each field where the file has one."""
    from ..errors import AgreementError
    from ..scenario.loader import parse_yaml
    from ..scenario.validation import scenario_warnings

    lines: dict[Any, int] = {}
    if Path(path).is_file():  # never read a FIFO or device twice
        with contextlib.suppress(AgreementError, OSError, UnicodeDecodeError):  # a bonus
            _, lines, _ = parse_yaml(Path(path).read_text(encoding="utf-8"), str(path))
    return scenario_warnings(agreement, lines=lines, source=str(path))


def cmd_shares(args: argparse.Namespace) -> int:
    import warnings

    from ..errors import AgreementError
    from ..sharing.compare import shown_shares
    from ..sharing.display import format_fixed
    from ..sharing.structure import GAME_MEMBERS, cannot_be_exact

    agreement = load_or_fail(args.file)
    if args.exact and len(agreement.members) > GAME_MEMBERS:
        for rule in args.method or ["shapley"]:
            reason = cannot_be_exact(agreement, rule) if rule in (
                "shapley", "banzhaf", "owen", "nucleolus", "prenucleolus", "myerson") else ""
            if reason:
                raise CliError(f"--exact: {args.file}: {reason}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df = shown_shares(agreement, methods=args.method,
                              exact=True if args.exact else None, decimals=args.decimals,
                              seed=args.seed, tolerance=args.tolerance,
                              samples=args.samples)
        except AgreementError as exc:
            raise CliError(f"{args.file}: {exc}") from None
    for w in caught:
        note(f"warning: {w.message}")
    methods = df.attrs.get("methods", {})
    if methods and set(methods.values()) == {"exact"}:
        note(f"method: exact (the whole game of {len(agreement.members)} members)")
    else:
        for rule, how in methods.items():
            detail = df.attrs.get("details", {}).get(rule, "")
            extra = "; 95% intervals in the _low/_high columns" if how == "sampled" else ""
            note(f"{rule}: {how} ({detail}{extra})")
    if not args.shares_only:
        for rule, text in df.attrs.get("core", {}).items():
            note(f"{rule}, core check by a search over the agreement's structure: {text}")
    grand = df.attrs.get("grand_value", 0)
    if grand == 0:
        note("note: v(N) = 0: no coalition's expected revenue covers its costs, so every "
             "rule shares nothing (see docs/agreement-game.md)")
    elif args.format == "table":
        note(f"v(N) = {format_fixed(grand, 2)} {agreement.currency} to share among "
             f"{len(agreement.members)} members")
    if args.shares_only:
        df = df[[c for c in df.columns if not c.endswith(("_in_core", "_gain"))]]
    if args.format == "table":
        sys.stdout.write(shares_blocks(df, agreement.currency, args.percent, args.decimals,
                                       details=args.details, width=table_width()))
    else:
        emit_table(shown_columns(df, args.decimals, args.format), args.format)
    return 0


def _shown_text(df: pd.DataFrame, decimals: int) -> pd.DataFrame:
    """Shown columns as text: money to the cent, percentages to ``decimals`` places."""
    import pandas as pd

    from ..sharing.display import format_fixed

    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        if str(c).endswith("_in_core"):
            out[c] = df[c].map(lambda x: "undecided" if x is None else "yes" if x else "no")
        elif str(c).endswith("_exact"):
            out[c] = df[c].map(str)
        else:
            places = decimals if str(c).endswith("_pct") else 2
            out[c] = df[c].map(lambda x, p=places: MISSING if x is None or x != x
                               else format_fixed(x, p))
    return out


def shown_columns(df: pd.DataFrame, decimals: int, fmt: str) -> pd.DataFrame:
    """The table of :func:`agreements.sharing.compare.shown_shares` for CSV/JSON: shown figures as
    decimals (numbers in JSON, text without thousands separators in CSV), exact amounts
    as text (``p/q``), core flags as booleans."""
    import pandas as pd

    from ..sharing.display import format_fixed

    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        name = str(c)
        if name.endswith("_in_core"):
            out[c] = df[c].astype("boolean")  # None (undecided) stays missing
        elif name.endswith("_exact"):
            out[c] = df[c].map(str)
        else:
            places = decimals if name.endswith("_pct") else 2
            text = df[c].map(lambda x, p=places: None if x is None or x != x
                             else format_fixed(x, p, thousands=False))
            out[c] = text if fmt == "csv" else text.map(
                lambda t: None if t is None else float(t))
    return out


def shares_blocks(df: pd.DataFrame, currency: str = "", percent: bool = False,
                  decimals: int = 2, details: bool = False, width: int | None = None) -> str:
    """The readable ``table`` view of :func:`agreements.sharing.compare.shown_shares`' result.

    The shares block (members x rules, money or, with ``percent``, percent of
    :math:`v(N)`, with the ``total`` row), then each member's gain over its outside
    option, then one line naming the rules whose allocation is in the core.
    ``details``: one wide table of every column. Tables wider than ``width`` are split
    into blocks of columns (:func:`agreements.cli.common.fit_columns`).

    >>> import pandas as pd
    >>> from fractions import Fraction as F
    >>> df = pd.DataFrame({"equal": [F(5), F(5), F(10)], "equal_pct": [F(50), F(50), F(100)],
    ...                    "equal_exact": [F(5), F(5), F(10)],
    ...                    "equal_in_core": [True] * 3, "equal_gain": [F(4), F(1), F(5)]},
    ...                   index=pd.Index(["a", "b", "total"], name="member"))
    >>> print(shares_blocks(df, "EUR"), end="")
    shares (EUR)
           equal
    member
    a       5.00
    b       5.00
    total  10.00
    <BLANKLINE>
    gain over outside option (EUR)
           equal
    member
    a       4.00
    b       1.00
    total   5.00
    <BLANKLINE>
    in the core: equal
    """
    text = _shown_text(df, decimals)
    footnote = f"\n{MISSING_NOTE}\n" if (text == MISSING).to_numpy().any() else ""
    if details:
        return fit_columns(text, width) + footnote
    flags = ("_in_core", "_gain", "_pct", "_exact", "_low", "_high")
    rules = [c for c in df.columns if not str(c).endswith(flags)]
    cols = [f"{r}_pct" for r in rules] if percent else rules
    block = text[cols].rename(columns=lambda c: c.removesuffix("_pct"))
    unit = f" ({currency})" if currency else ""
    parts = [f"shares{' (% of v(N))' if percent else unit}\n{fit_columns(block, width)}"]
    sampled = [r for r in rules if f"{r}_low" in df.columns]
    if sampled:
        import pandas as pd

        iv = pd.DataFrame({r: text[f"{r}_low"] + " to " + text[f"{r}_high"]
                           for r in sampled}).drop(index="total", errors="ignore")
        parts.append(f"95% intervals of sampled shares{unit}\n{fit_columns(iv, width)}")
    gains = [f"{r}_gain" for r in rules if f"{r}_gain" in df.columns]
    cores = [r for r in rules if f"{r}_in_core" in df.columns]
    if gains:
        g = text[gains].rename(columns=lambda c: c.removesuffix("_gain"))
        parts.append(f"gain over outside option{unit}\n{fit_columns(g, width)}")
    if cores:
        undecided = [r for r in cores if df[f"{r}_in_core"].isna().any()]
        inside = [r for r in cores if r not in undecided and bool(df[f"{r}_in_core"].all())]
        outside = [r for r in cores if r not in inside and r not in undecided]
        lines = [f"in the core: {', '.join(inside) or '(none)'}"]
        if outside:
            lines.append(f"not in the core: {', '.join(outside)}")
        if undecided:
            lines.append(f"undecided (the blocking-coalition search stopped at its time "
                         f"limit): {', '.join(undecided)}")
        bounds = [r for r, t in df.attrs.get("core", {}).items()
                  if r in cores and "a bound" in t]
        if bounds:
            lines.append(f"core verdicts from bounds, not exact: {', '.join(bounds)}")
        if width:
            import textwrap

            lines = [textwrap.fill(line, width, subsequent_indent="  ") for line in lines]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts) + footnote


def cmd_graph(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..reports.figures import save_figure
    from ..reports.plotting import draw_graph
    from .common import output_provenance

    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise CliError(f"output must end in .png, .svg or .pdf; got {out.name!r}", 2)
    agreement = load_or_fail(args.file)
    nodes = sum(len(x) for x in (agreement.members, agreement.contributions, agreement.tasks,
                                 agreement.results, agreement.products))
    if nodes > GRAPH_NODES:
        raise CliError(f"the contribution graph has {nodes:,} nodes; a drawing stays readable "
                       f"up to {GRAPH_NODES}: analyse it in Python instead "
                       "(agreements.load(FILE).graph() is a networkx graph)")
    ax = draw_graph(agreement, lang=args.lang)
    try:
        with atomic_output(out, [args.file]) as tmp:  # never over the input; all or nothing
            save_figure(ax.figure, tmp, output_provenance(args, [args.file]),
                        fmt=out.suffix.lower().lstrip("."), dpi=args.dpi)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        plt.close(ax.figure)
    note(f"wrote {out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from ..profiles import check

    agreement = load_or_fail(args.file)
    findings = check(agreement, args.profile, lang=args.lang)
    table = findings.set_index("rule")
    if args.format == "table" and not args.details:  # source and rule text: --details, csv
        table = table[[c for c in ("passed", "level", "detail") if c in table.columns]]
    emit_table(table, args.format)
    failed = findings[~findings["passed"].astype(bool)]
    if "level" in failed:
        failed = failed[failed["level"] == "required"]
    if len(failed):
        note(f"{len(failed)} required rule(s) of profile {args.profile!r} not met: "
             + ", ".join(map(str, failed["rule"])))
        return 1
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from ..scenario.schema import schema_json

    print(schema_json(indent=None if args.compact else 2))
    return 0


# ---------------------------------------------------------------------- parser
def _profiles() -> list[str]:
    try:
        from ..profiles.bundled import available_profiles

        return available_profiles()
    except Exception:  # pragma: no cover - profiles module missing or broken
        return []


def _fraction_0_1(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1); got {text!r}")
    return value


def _samples(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 4:
        raise argparse.ArgumentTypeError(f"must be an integer >= 4; got {text!r}")
    return value


def add_core_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``validate``, ``shares``, ``graph``, ``check`` and ``schema``."""
    p = sub.add_parser("validate", help="check scenario files and report every problem",
                       description="Load and validate scenario files (YAML or JSON). Prints "
                       "'ok: ...' per valid file; lists every problem on stderr, and warns "
                       "(still exit 0) about silent defaults such as a missing Chinese name "
                       "or risk tolerance.")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario file(s)")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings (missing Chinese names, risk tolerances and other "
                   "silent defaults) as errors: exit 1")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("shares", help="members' shares under several sharing rules",
                       description="Shares of v(N), the grand coalition's worth, per member "
                       "and rule, with core membership and gain over the outside option.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("--method", "-m", action="append", metavar="M",
                   help="rule to include (repeatable): shapley, banzhaf, nucleolus, owen, "
                        "proportional, equal, fixed; default all")
    add_format_argument(p)
    p.add_argument("--percent", action="store_true", help="shares in percent of v(N)")
    p.add_argument("--exact", action="store_true",
                   help="exact figures (fractions) or fail saying why (default: fractions "
                        "up to 12 members; large agreements exact by structure where their "
                        "worth splits into small parts, else sampled)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="random seed of sampled shares (0; same seed, same output, and "
                        "the estimate the clauses and simulations use)")
    p.add_argument("--tolerance", type=_fraction_0_1, default=None, metavar="T",
                   help="sampled shares: target half-width of every 95%% interval as a "
                        "fraction of v(N), in (0, 1) (default 0.001)")
    p.add_argument("--samples", type=_samples, default=None, metavar="N",
                   help="sampled shares: a fixed number of draws instead of --tolerance")
    p.add_argument("--decimals", type=int, default=2, choices=range(0, 7), metavar="D",
                   help="decimal places of shown percentages (default 2)")
    p.add_argument("--shares-only", action="store_true",
                   help="omit the <method>_in_core and <method>_gain columns")
    p.add_argument("--details", action="store_true",
                   help="table format: one wide table with every column, as in csv/json "
                        "(default: a shares block, a gain block and the core line)")
    p.set_defaults(func=cmd_shares)

    p = sub.add_parser("graph", help="draw the contribution graph",
                       description="Draw the contribution graph in dependency layers.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("-o", "--output", required=True, help="output image (.png, .svg, .pdf)")
    p.add_argument("--lang", choices=("auto", "en", "zh"), default="auto",
                   help="label language (default: Chinese when a CJK font is available)")
    p.add_argument("--dpi", type=bounded(int, 10, 1200, "for print quality, write .svg or .pdf"),
                   default=150, help="resolution of raster output (10 to 1200)")
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser("check", help="check formation rules of a profile",
                       description="Check the agreement against a formation-rule profile; "
                       "exit 1 when a required rule is not met.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    names = _profiles()
    p.add_argument("--profile", "-p", required=True,
                   help="profile name (" + ", ".join(names) + ") or a profile YAML path")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of rule text")
    add_format_argument(p)
    p.add_argument("--details", action="store_true",
                   help="table format: also each rule's source and full text (as csv/json)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("schema", help="print the scenario format as JSON Schema",
                       description="Print the JSON Schema of scenario files (format 1).")
    p.add_argument("--compact", action="store_true", help="one line, no indentation")
    p.set_defaults(func=cmd_schema)
