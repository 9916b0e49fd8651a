"""``consortium fees`` and ``consortium waterfall``: tier/fee tables and revenue waterfalls.

::

    consortium fees FILE [--years N] [--format table|csv|json]
    consortium waterfall FILE --income 1e8 [--years 5] [--summary] [--format table|csv|json]

stdout holds only the table. ``table`` output shows exact amounts as decimals (money to
the cent, power indices to six places); ``csv`` and ``json`` keep them exact (fractions
as text such as ``13/60``, money as ``2125000.00``), like every other command. Exit 0 ok,
1 invalid scenario or input, 2 usage error.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError
from .common import CliError, add_format_argument, emit_table, load_or_fail

if TYPE_CHECKING:  # imported where used, so that `consortium --help` stays quick
    import pandas as pd

#: Most years of ``fees --years`` and ``waterfall --years`` (a product lasts at most 50).
MAX_YEARS = 100
#: Largest ``waterfall --income`` per year (figures stay exact to the cent).
MAX_INCOME = Decimal("1e15")

__all__ = ["display"]

_MONEY = {"fee", "income", "net", "amount", "tier_outcome", "shapley", "subsidy",
          "outside_option"}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    if value > MAX_YEARS:
        raise argparse.ArgumentTypeError(f"{value} years is above the limit of {MAX_YEARS}")
    return value


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"expected an amount such as 1e8, got {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite amount >= 0, got {text!r}")
    if value > MAX_INCOME:
        raise argparse.ArgumentTypeError(f"{text} is above the limit of {MAX_INCOME:,.0f}")
    return value


def _shown(value: Any, money: bool) -> Any:
    if isinstance(value, Fraction | Decimal):
        if money:  # exact text to the cent: a float would lose cents from about 1e14
            from ..sharing.display import format_fixed

            return format_fixed(value, 2)
        return f"{round(float(value), 6):g}"  # text, so the table keeps all six places
    return value


def display(table: pd.DataFrame, money: Iterable[str] = ()) -> pd.DataFrame:
    """Exact amounts for printing: money as exact text to the cent (the one display path,
    :func:`agreements.sharing.display.format_fixed`, so the shown amounts add up at every
    accepted magnitude), shares to 6 places.

    Columns named like money (``fee``, ``income``, ...) and those in ``money`` (e.g. the
    per-member columns of a waterfall summary) are amounts; the others are shares.

    >>> display(pd.DataFrame({"fee": [Fraction(1, 3)], "banzhaf": [Fraction(1, 3)]}))
        fee   banzhaf
    0  0.33  0.333333
    >>> display(pd.DataFrame({"acme": [Fraction(10**17 + 1, 100)]}), money=["acme"])
                           acme
    0  1,000,000,000,000,000.01
    """
    import pandas as pd

    amounts = _MONEY | set(money)
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == object:
            shown = [_shown(v, col in amounts) for v in out[col]]
            # object dtype, so whole numbers next to a missing value stay whole (6, not 6.00)
            out[col] = pd.Series(shown, out.index, dtype=object)
    return out


def _computed(what: str, path: str, compute: Any) -> Any:
    """``compute()``; a problem it finds in a valid file is reported against ``path``.

    The file loaded fine (``consortium validate`` says ok), so it is not called invalid:
    the message says what the scenario lacks for this table, with the file and field.
    """
    try:
        return compute()
    except ScenarioError as exc:
        lines = [f"  - {p.file or path}{'' if p.line is None else f':{p.line}'}: "
                 f"{p.path or '<root>'}: {p.message}" for p in exc.problems]
        raise CliError(f"cannot compute the {what} of {path}:\n" + "\n".join(lines)) from None


def cmd_fees(args: argparse.Namespace) -> int:
    from ..membership.tiers import fee_table

    agreement = load_or_fail(args.file)
    table = _computed("fees", args.file, lambda: fee_table(agreement, years=args.years))
    emit_table(display(table) if args.format == "table" else table, args.format)
    return 0


def cmd_waterfall(args: argparse.Namespace) -> int:
    from sharing_models.membership.waterfall import conservation, waterfall_summary

    from ..outcomes.waterfall import waterfall_table

    agreement = load_or_fail(args.file)
    table = _computed("waterfall", args.file,
                      lambda: waterfall_table(agreement, args.income, years=args.years))
    if any(v != 0 for v in conservation(table)):  # pragma: no cover - guarded by tests
        raise CliError("internal error: the waterfall does not balance")
    out = waterfall_summary(table) if args.summary else table.set_index("year")
    shown = display(out, money=out.columns if args.summary else ())  # summary: all amounts
    emit_table(shown if args.format == "table" else out, args.format)
    return 0


def add_fees_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium fees``."""
    p = subparsers.add_parser(
        "fees", help="members' tiers, fees, votes, seats and voting power",
        description="Each member's tier, annual fee, votes, board seats, real voting power "
                    "(Shapley-Shubik, Banzhaf) and access to results, from the scenario's "
                    "sharing.fees / sharing.tiers sections.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("--years", type=_positive_int, default=1, help="years to show (default 1)")
    add_format_argument(p)
    p.set_defaults(func=cmd_fees)


def add_waterfall_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium waterfall``."""
    p = subparsers.add_parser(
        "waterfall", help="revenue waterfall: costs, inventor reward, reserve, members",
        description="Year-by-year revenue waterfall of INCOME a year: costs recovered, "
                    "reward to the people who made the result, reserve fund, distribution "
                    "to members. Income equals outflows exactly, to the cent.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("--income", type=_amount, required=True,
                   help="income per year from the waterfall's stream, e.g. 1e8")
    p.add_argument("--years", type=_positive_int, default=1, help="years (default 1)")
    p.add_argument("--summary", action="store_true",
                   help="one row per year, one column per recipient")
    add_format_argument(p)
    p.set_defaults(func=cmd_waterfall)

