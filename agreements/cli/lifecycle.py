"""Life after signing: ``consortium settle``, ``admit``, ``withdraw`` and ``review``.

::

    consortium settle FILE --actuals CSV [--format table|csv|json|docx|md|html|xlsx] [-o OUT]
    consortium admit FILE NEW.yaml [--format ...] [-o OUT]
    consortium withdraw FILE MEMBER [--milestone M] [--format ...] [-o OUT]
    consortium review FILE --actuals CSV --profile NAME [--format ...] [-o OUT]

``table``, ``csv`` and ``json`` print the figures; ``docx``, ``md``, ``html`` and
``xlsx`` write the clause-ready schedule (bilingual by default, ``--lang``) through the
clauses exporter (Word and Excel need ``-o``). See ``docs/after-signing.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import CliError, atomic_output, emit_table, load_or_fail, note

__all__: list[str] = []  # commands only: registered by agreements.cli

_DATA = ("table", "csv", "json")
_DOCS = ("docx", "md", "html", "xlsx")


def _cents(x: Any) -> Any:
    """A shown figure for CSV/JSON: text with two decimals (CSV) or a number (JSON)."""
    from ..sharing.display import format_fixed

    if x is None or x != x:  # missing (None or NaN)
        return None
    return format_fixed(x, 2, thousands=False)


def _emit(frame: Any, fmt: str) -> None:
    """A shown table: figures to two decimals (numbers in JSON, text in CSV)."""
    out = frame.map(_cents)
    if fmt == "json":
        out = out.map(lambda t: None if t is None else float(t))
    elif fmt == "table":
        out = out.astype(object).where(out.notna(), "")
    emit_table(out, fmt)


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _number(x: Any) -> float | None:
    return None if x is None else float(_cents(x))


def _schedule(args: argparse.Namespace, tables: list[Any], inputs: list[str]) -> None:
    """Write clause-ready schedules with the clauses exporter (all or nothing)."""
    from ..clauses import export
    from ..scenario.provenance import provenance

    record = provenance(inputs)
    for t in tables:  # the title block of every schedule names its inputs and the tool
        t.attrs["provenance"] = record
    if args.output is None:
        if args.format in ("docx", "xlsx"):
            raise CliError(f"--format {args.format} is a binary file: give -o OUT", 2)
        text = export(tables, args.format)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        with atomic_output(args.output, inputs) as tmp:
            export(tables, tmp, format=args.format)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    note(f"wrote {args.output}")


def _trace(path: str) -> dict[str, str]:
    from ..clauses.table import as_agreement

    return as_agreement(path)[1]


def _fail(exc: Exception) -> CliError:
    return CliError(str(exc), 1)


# ---------------------------------------------------------------------- commands
def cmd_settle(args: argparse.Namespace) -> int:
    from ..errors import AgreementError
    from ..lifecycle import read_actuals, settle
    from ..lifecycle.schedule import settlement_schedules, shown_settlement

    agreement = load_or_fail(args.file)
    try:
        s = settle(agreement, read_actuals(agreement, args.actuals), rule=args.method)
    except AgreementError as exc:
        raise _fail(exc) from None
    if args.format in _DOCS:
        _schedule(args, settlement_schedules(s, agreement, args.lang, _trace(args.file)),
                  [args.file, args.actuals])
        return 0
    shown = shown_settlement(s)
    cur, attrs = agreement.currency, s.table.attrs
    if args.format == "json":
        _json({"rule": attrs["rule"], "currency": cur,
               "planned_value": _number(attrs["planned_value"]),
               "delivered_value": _number(attrs["delivered_value"]),
               "members": {m: {k: _number(v) for k, v in row.items()}
                           for m, row in shown.iterrows()},
               "payments": [{"payer": r.payer, "payee": r.payee, "amount": _number(r.amount)}
                            for r in s.payments.itertuples()],
               "shortfalls": {c: {"member": r["member"], "delivered": float(r["delivered"]),
                                  "replacement_cost": _number(r["replacement_cost"]),
                                  "option": r["option"]}
                              for c, r in s.shortfalls.iterrows()}})
        return 0
    if args.format == "csv":
        _emit(shown, "csv")
        return 0
    from ..sharing.display import format_fixed

    note(f"rule {attrs['rule']}: v(N) planned {format_fixed(attrs['planned_value'])} {cur}, "
         f"as delivered {format_fixed(attrs['delivered_value'])} {cur}")
    if attrs["delivered_value"] == 0:
        note("note: as delivered, no coalition's expected revenue covers its costs: there "
             "is nothing to share, so no transfers (see docs/after-signing.md)")
    _emit(shown, "table")
    print("\npayments (" + cur + ")")
    if len(s.payments):
        for r in s.payments.itertuples():
            print(f"  {r.payer} pays {r.payee} {format_fixed(r.amount)}")
    else:
        print("  none: delivered as planned" if not len(s.shortfalls) else "  none")
    if len(s.shortfalls):
        print("\nshortfalls")
        for c, r in s.shortfalls.iterrows():
            cost = ("" if r["replacement_cost"] is None
                    else f" at {format_fixed(r['replacement_cost'])} {cur}")
            print(f"  {c} ({r['member']}): {format_fixed(100 * r['delivered'])}% delivered; "
                  f"{r['option']}{cost}")
    return 0


def cmd_admit(args: argparse.Namespace) -> int:
    from ..errors import AgreementError
    from ..lifecycle import admit
    from ..lifecycle.schedule import admission_schedules, shown_admission

    agreement = load_or_fail(args.file)
    try:
        adm = admit(agreement, args.newcomer, rule=args.method)
    except AgreementError as exc:
        raise _fail(exc) from None
    if args.format in _DOCS:
        _schedule(args, admission_schedules(adm, agreement, args.lang, _trace(args.file)),
                  [args.file, args.newcomer])
        return 0
    shown = shown_admission(adm)
    new = adm.newcomer
    if args.format == "json":
        _json({"rule": adm.rule, "currency": agreement.currency,
               "admission_price": _number(adm.price), "max_price": _number(adm.max_price),
               "feasible": adm.feasible, "why": adm.why or None,
               "incumbents": {m: {"before": _number(r["before"]),
                                  "after": _number(r["after_with_price"]),
                                  "after_without_price": _number(r["after"]),
                                  "price_part": _number(r["price_part"])}
                              for m, r in shown.iterrows() if m != new},
               "newcomer": {"id": new, "share": _number(shown.at[new, "after"]),
                            "outside_option": agreement_outside(adm),
                            "max_price": _number(adm.max_price)}})
    else:
        _emit(shown, args.format)
    if args.format == "table":
        from ..sharing.display import format_fixed

        note(f"admission price {format_fixed(adm.price)} {agreement.currency}; the newcomer "
             f"pays at most {format_fixed(adm.max_price)}")
    if not adm.feasible:
        note(adm.why)
    return 0


def agreement_outside(adm: Any) -> float:
    return float(adm.agreement.member(adm.newcomer).outside_option)


def cmd_withdraw(args: argparse.Namespace) -> int:
    from ..errors import AgreementError
    from ..lifecycle import withdraw
    from ..lifecycle.schedule import shown_withdrawal, withdrawal_schedules

    agreement = load_or_fail(args.file)
    try:
        w = withdraw(agreement, args.member, args.milestone, rule=args.method)
    except AgreementError as exc:
        raise CliError(f"{args.file}: {exc}", 1) from None
    if args.format in _DOCS:
        _schedule(args, withdrawal_schedules(w, agreement, args.lang, _trace(args.file)),
                  [args.file])
        return 0
    shown = shown_withdrawal(w)
    if args.format == "json":
        _json({"member": w.member, "rule": w.rule, "currency": agreement.currency,
               "milestone": w.milestone, "progress": float(w.progress),
               "planned": _number(w.planned), "owed": _number(w.owed),
               "remaining_value": _number(w.remaining_value),
               "remaining": {m: {k: _number(v) for k, v in row.items()}
                             for m, row in shown.iterrows()},
               "failing_products": w.failing,
               "takeover": {i: {"kind": r["kind"], "by": r["by"], "how": r["how"]}
                            for i, r in w.takeover.iterrows()},
               "results": {i: {"owner": bool(r["owner"]), "produced": bool(r["produced"]),
                               "keeps": r["keeps"]} for i, r in w.results.iterrows()}})
        return 0
    _emit(shown, args.format)
    if args.format == "table":
        from ..sharing.display import format_fixed

        cur = agreement.currency
        print(f"\n{w.member} leaves at progress {format_fixed(100 * w.progress)}%: owed "
              f"{format_fixed(w.owed)} {cur} (planned {format_fixed(w.planned)} {cur})")
        print("products that fail without it: " + (", ".join(w.failing) or "none"))
        print("takeover")
        for i, r in w.takeover.iterrows():
            print(f"  {i} ({r['kind']}): {r['how']}")
        print("rights to results")
        for i, r in w.results.iterrows():
            print(f"  {i}: {r['keeps']}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from ..errors import AgreementError
    from ..lifecycle import read_actuals, review
    from ..lifecycle.schedule import review_schedules

    agreement = load_or_fail(args.file)
    try:
        r = review(agreement, read_actuals(agreement, args.actuals), args.profile)
    except AgreementError as exc:
        raise _fail(exc) from None
    if args.format in _DOCS:
        _schedule(args, review_schedules(r, agreement, args.lang, _trace(args.file)),
                  [args.file, args.actuals])
        return 0
    criteria = r.criteria.copy()
    criteria["ratio"] = criteria["ratio"].map(lambda x: None if x is None else float(x))
    if args.format == "json":
        _json({"overall": r.overall, "refile": r.refile, "profile": r.profile.attrs.get(
            "profile"), "criteria": {k: {"measured": row["measured"], "ratio": row["ratio"],
                                         "verdict": row["verdict"]}
                                     for k, row in criteria.iterrows()},
               "profile_findings": {row["rule"]: bool(row["passed"])
                                    for _, row in r.profile.iterrows()}})
        return 0
    emit_table(criteria, args.format)
    if args.format == "table":
        print(f"\noverall: {r.overall}")
        print(f"formation profile {r.profile.attrs.get('profile')}: "
              + ("met: may be re-filed" if r.refile else "not met: "
                 + ", ".join(r.profile.loc[~r.profile["passed"].astype(bool), "rule"])))
    return 0


# ---------------------------------------------------------------------- parsers
def _common(p: argparse.ArgumentParser, method: bool = True) -> None:
    p.add_argument("--format", "-f", choices=_DATA + _DOCS, default="table",
                   help="table, csv or json: the figures; docx, md, html or xlsx: the "
                        "clause-ready schedule (default: table)")
    p.add_argument("-o", "--output", default=None,
                   help="schedule file (docx/xlsx need it; md/html default to stdout)")
    p.add_argument("--lang", choices=("en", "zh", "zh+en"), default="zh+en",
                   help="schedule language (default: zh+en, bilingual)")
    if method:
        p.add_argument("--method", "-m", default=None, metavar="M",
                       help="sharing rule (default: the agreed one, else shapley)")


def add_lifecycle_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``settle``, ``admit``, ``withdraw`` and ``review``."""
    p = sub.add_parser("settle", help="settle against what was actually delivered",
                       description="Shares recomputed on the delivered game, the balancing "
                       "transfers (summing to exactly 0.00) and who pays whom.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("--actuals", required=True, metavar="CSV",
                   help="CSV: milestone, contribution, delivered (0..1)[, task, succeeded, "
                        "spent]")
    _common(p)
    p.set_defaults(func=cmd_settle)

    p = sub.add_parser("admit", help="admission price of a new member",
                       description="The newcomer's share, incumbents' shares before and "
                       "after, and the price that leaves no incumbent worse off.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("newcomer", metavar="NEW.yaml",
                   help="fragment: member (and contributions, tasks, results, products)")
    _common(p)
    p.set_defaults(func=cmd_admit)

    p = sub.add_parser("withdraw", help="settle a member's withdrawal",
                       description="What the leaving member is owed, who takes over its "
                       "work, the remaining shares and its rights to results.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("member", metavar="MEMBER", help="the leaving member's id")
    p.add_argument("--milestone", default=None, metavar="M",
                   help="last milestone reached (task id or milestone text)")
    _common(p)
    p.set_defaults(func=cmd_withdraw)

    p = sub.add_parser("review", help="term review and re-filing check",
                       description="Performance evaluation at the end of the term (tasks, "
                       "milestones, contributions, funding, results) and the formation "
                       "profile re-checked.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("--actuals", required=True, metavar="CSV", help="actuals at term end")
    p.add_argument("--profile", "-p", required=True, help="formation profile name or YAML")
    _common(p, method=False)
    p.set_defaults(func=cmd_review)
