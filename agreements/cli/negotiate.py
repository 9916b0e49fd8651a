"""``consortium negotiate``: the deal every member accepts by its own view of the future.

::

    consortium negotiate FILE --view MEMBER=OVERLAY [--view ...] [--method RULE ...]
                         [--zone A,B] [--cap MEMBER=AMOUNT ...] [--draws N] [--seed S]
                         [--format table|csv|json]

Members without ``--view`` hold the file's own figures. Exit 0 when a contract every
member accepts exists, 1 when none does (the closest one and who is short by how much
on stderr), 2 on usage errors. See ``docs/negotiation.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .common import (
    CliError,
    add_format_argument,
    bounded,
    format_table,
    load_or_fail,
    note,
    parse_pairs,
    table_width,
)

if TYPE_CHECKING:  # imported where used, so that `consortium --help` stays quick
    import pandas as pd

__all__: list[str] = []  # commands only: registered by agreements.cli


def add_negotiate_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium negotiate``."""
    p = subparsers.add_parser(
        "negotiate", help="payoffs under each member's own view, the best fixed split and "
                          "contingent contracts",
        description="Each member's payoff and surplus by its own beliefs under each rule, "
                    "the fixed split and the contract contingent on which products launch "
                    "that maximise the smallest surplus, and a two-member zone of agreement.")
    p.add_argument("file", metavar="FILE", help="scenario file (YAML or JSON)")
    p.add_argument("--view", action="append", metavar="MEMBER=OVERLAY", default=[],
                   help="a member's own figures: a YAML/JSON overlay file (repeatable)")
    p.add_argument("--method", action="append", metavar="RULE",
                   help="rule whose payoffs to show (repeatable; default: the agreed rule, "
                        "shapley, proportional, equal)")
    p.add_argument("--zone", metavar="A,B", help="two members whose zone of agreement to show "
                   "(default: the two members with views, when exactly two have one)")
    p.add_argument("--cap", action="append", metavar="MEMBER=AMOUNT", default=[],
                   help="the most a member bears of a loss in any state (repeatable; "
                        "default: no cap beyond never taking a negative share)")
    p.add_argument("--draws", type=bounded(int, 0, 1_000_000), default=0,
                   help="also simulate each member's payoffs by its own view (Monte Carlo "
                        "check of the exact figures; 0: none)")
    p.add_argument("--seed", type=bounded(int, 0, 2**63 - 1), default=0,
                   help="random seed of --draws (0)")
    add_format_argument(p)
    p.set_defaults(func=cmd_negotiate)


def cmd_negotiate(args: argparse.Namespace) -> int:
    """Run the negotiation analysis and print it."""
    from ..negotiation import negotiate, simulated_payoffs

    agreement = load_or_fail(args.file)
    views = parse_pairs(args.view, "--view")
    caps: dict[str, float] = {}
    for m, v in parse_pairs(args.cap, "--cap").items():
        try:
            caps[m] = float(v)
        except ValueError:
            raise CliError(f"bad --cap {m}={v}: {v!r} is not an amount", 2) from None
    zone = None
    if args.zone:
        parts = [x.strip() for x in args.zone.split(",")]
        if len(parts) != 2:
            raise CliError(f"--zone takes two members A,B; got {args.zone!r}", 2)
        zone = (parts[0], parts[1])
    elif len(views) == 2:
        zone = tuple(views)  # type: ignore[assignment]
    if args.draws < 0:
        raise CliError("--draws must be >= 0", 2)
    deal = negotiate(agreement, views, rules=args.method, zone=zone, caps=caps)
    table = deal.views
    if args.draws:
        rules = list(dict.fromkeys(table.index.get_level_values("rule")))
        table = table.join(simulated_payoffs(agreement, views, rules, args.draws, args.seed))
    if args.format == "json":
        sys.stdout.write(json.dumps(_as_json(deal, table), ensure_ascii=False) + "\n")
    elif args.format == "csv":
        sys.stdout.write(format_table(_shares_table(deal), "csv"))
    else:
        sys.stdout.write(_text(deal, table, agreement.currency))
    if not deal.acceptable:
        short = deal.contingent.surplus[deal.contingent.surplus < 0]
        note("consortium negotiate: no contract every member accepts by its own view; the "
             "closest (contingent) leaves " + ", ".join(
                 f"{m} short by {-v:,.2f} {agreement.currency}" for m, v in short.items()))
        return 1
    return 0


def _fraction_text(x: Fraction) -> str:
    return str(Fraction(x))


def _as_json(deal: Any, table: pd.DataFrame) -> dict[str, Any]:
    views: dict[str, dict[str, Any]] = {}
    for (member, rule), row in table.iterrows():
        views.setdefault(member, {})[rule] = {k: float(v) for k, v in row.items()}
    c = deal.contingent
    out: dict[str, Any] = {
        "views": views,
        "beliefs": {m: {e: float(p) for e, p in row.items()}
                    for m, row in deal.beliefs.iterrows()},
        "fixed_split": {"shares": {m: float(x) for m, x in deal.fixed.shares.items()},
                        "shares_exact": {m: _fraction_text(x)
                                         for m, x in deal.fixed.shares.items()},
                        "surplus": {m: float(x) for m, x in deal.fixed.surplus.items()},
                        "min_surplus": deal.fixed.min_surplus,
                        "acceptable": bool(deal.fixed.acceptable)},
        "contingent": {"events": list(c.events),
                       "shares": {s: {m: float(x) for m, x in row.items()}
                                  for s, row in c.shares.iterrows()},
                       "shares_exact": {s: {m: _fraction_text(x) for m, x in row.items()}
                                        for s, row in c.shares.iterrows()},
                       "surplus": {m: float(x) for m, x in c.surplus.items()},
                       "min_surplus": c.min_surplus, "gain_over_fixed": c.gain_over_fixed,
                       "acceptable": bool(c.acceptable)},
    }
    if deal.zone is not None:
        z = deal.zone
        out["zone"] = {"members": list(z.members), "pool": z.pool, "low": z.low,
                       "high": z.high, "exists": bool(z.exists), "gap": z.gap,
                       "expects_loss": list(z.expects_loss)}
    return out


def _shares_table(deal: Any) -> pd.DataFrame:
    """Shown percentages (largest remainder, each row 100): the fixed split, then the
    contingent contract's shares by state."""
    import pandas as pd

    from ..sharing.display import format_fixed, largest_remainder

    rows = {"fixed": deal.fixed.shares}
    rows |= {f"if {s}": row for s, row in deal.contingent.shares.iterrows()}
    shown = {k: [format_fixed(x, 2, thousands=False)
                 for x in largest_remainder(pd.Series(list(v)), 100, 2)]
             for k, v in rows.items()}
    df = pd.DataFrame.from_dict(shown, orient="index", columns=list(deal.fixed.shares.index))
    df.index.name = "contract"
    return df


def _text(deal: Any, table: pd.DataFrame, currency: str) -> str:
    order = list(dict.fromkeys(table.index.get_level_values("member")))
    rules = list(dict.fromkeys(table.index.get_level_values("rule")))
    surplus = table["surplus"].unstack("rule").reindex(index=order, columns=rules)
    parts = [f"surplus over the outside option, each member by its own view ({currency})\n"
             + format_table(surplus, "table", width=table_width()),
             "P(product launches), each member by its own view\n"
             + format_table(deal.beliefs, "table", width=table_width()),
             "shares of the outcome (% ; fixed split, then contingent on what launches)\n"
             + format_table(_shares_table(deal), "table", width=table_width())]
    c = deal.contingent
    lines = [f"best fixed split: smallest surplus {deal.fixed.min_surplus:,.2f} {currency}"
             f" ({'every member accepts' if deal.fixed.acceptable else 'not accepted'})",
             f"contingent contract: smallest surplus {c.min_surplus:,.2f} {currency}, "
             f"{c.gain_over_fixed:,.2f} more than the fixed split "
             f"({'every member accepts' if c.acceptable else 'not accepted'})"]
    if deal.zone is not None:
        z = deal.zone
        a, b = z.members
        head = f"zone of agreement {a} / {b} ({a}'s share of their pool of {z.pool:.2%}): "
        if z.expects_loss:
            lines.append(head + f"none: {', '.join(z.expects_loss)} expects a loss whatever "
                                "its share")
        elif z.exists:
            lines.append(head + f"{z.low:.2%} to {z.high:.2%}")
        else:
            lines.append(head + f"none (belief gap {z.gap:.2%} of the outcome)")
    parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
