"""``consortium simulate``, ``consortium formation`` and ``consortium sweep``.

::

    consortium simulate FILE --draws N --seed S [--lever subsidy=0.3 ...] [--format ...]
    consortium formation FILE [--view rules|members] [--lever ...] [--format ...]
    consortium sweep SPEC.yaml -o results.parquet [--scheduler ADDRESS] [--workers 2]

Levers (``--lever KEY=VALUE``, repeatable): ``subsidy`` (share of stage costs paid),
``insurance`` (share of a failed stage's cost paid) with ``premium``, ``floor``
(procurement floor on the first product's revenue), ``award:<task>`` (milestone award),
and the scenario knobs ``probability_scale``, ``default_probability`` and
``without:<member>=1`` (the member stays out; the others take over its shares). stdout holds
only the result table (identical for the same seed); timings and progress go to stderr.
The sweep specification is documented in ``docs/sweeps.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    CliError,
    add_format_argument,
    atomic_output,
    bounded,
    emit_table,
    load_or_fail,
    note,
    output_provenance,
)
from .plot import check_image_path, plot_to_file

if TYPE_CHECKING:  # imported where used, so that `consortium --help` stays quick
    import pandas as pd

    from ..outcomes.risk import RiskCase

#: Most Monte Carlo draws of ``simulate`` and ``formation`` (as of a sweep point).
MAX_DRAWS = 10_000_000

__all__ = ["SweepSpec", "load_sweep_spec", "parse_levers", "shown_rule_shares"]

#: ``simulate`` shows a progress bar (on any stderr) from this many draws.
PROGRESS_DRAWS = 200_000

_KNOBS = ("subsidy", "insurance", "premium", "floor", "probability_scale",
          "default_probability")


def parse_levers(items: list[str] | None) -> dict[str, float]:
    """``["subsidy=0.3", "award:t1=2e6"]`` -> ``{"subsidy": 0.3, "award:t1": 2000000.0}``.

    >>> parse_levers(["subsidy=0.3", "award:t_clinical=2e6"])
    {'subsidy': 0.3, 'award:t_clinical': 2000000.0}
    """
    point: dict[str, float] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        prefixed = key.partition(":")[0] in ("award", "without") and key.partition(":")[2]
        if not sep or not (key in _KNOBS or prefixed):
            raise CliError(f"bad --lever {item!r}: expected KEY=VALUE with KEY one of "
                           f"{', '.join(_KNOBS)}, award:<task> or without:<member>", 2)
        try:
            point[key] = float(value)
        except ValueError:
            raise CliError(f"bad --lever {item!r}: {value!r} is not a number", 2) from None
    return point


def _case(args: argparse.Namespace) -> tuple[Any, RiskCase, dict[str, float]]:
    """The agreement, its risk case with the scenario knobs applied, and the lever point."""
    from sharing_models import SuspiciousResultWarning
    from sharing_models.risk.sweep import adjust_project, without_members

    from ..outcomes.risk import RiskCase, risk_case

    agreement = load_or_fail(args.file)
    point = parse_levers(args.lever)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SuspiciousResultWarning)
        case = risk_case(agreement, args.method,
                         risk_neutral=bool(getattr(args, "risk_neutral", False)))
    for w in caught:
        note(f"consortium {args.command}: {w.message}")
    leaving = [k.split(":", 1)[1] for k, v in point.items() if k.startswith("without:") and v]
    project, shares, costs = without_members(case.project, case.shares, case.cost_shares,
                                             leaving)
    return agreement, RiskCase(adjust_project(project, point), shares, costs,
                                case.currency), point


def _add_common(p: argparse.ArgumentParser, draws: int) -> None:
    p.add_argument("file", help="scenario file (YAML or JSON)")
    p.add_argument("--draws", type=bounded(int, 1, MAX_DRAWS, "for more, run `consortium "
                                           "sweep` with several seeds"), default=draws,
                   help=f"Monte Carlo draws ({draws}; at most {MAX_DRAWS:,})")
    p.add_argument("--seed", type=bounded(int, 0, 2**63 - 1), default=0, help="random seed (0)")
    p.add_argument("--lever", action="append", metavar="KEY=VALUE",
                   help="policy lever, repeatable: subsidy=0.3, insurance=0.8, premium=1e5, "
                        "floor=1e7, award:<task>=2e6, probability_scale=0.9, "
                        "default_probability=0.1, without:<member>=1")
    p.add_argument("--method", action="append", metavar="RULE",
                   help="sharing rule, repeatable: fixed, equal, proportional, borch, "
                        "shapley, banzhaf, nucleolus, owen (default: the agreement's own, "
                        "shapley and borch)")
    p.add_argument("--risk-neutral", action="store_true",
                   help="every member risk-neutral and no defaults: the setting of the "
                        "agreement's game, where mean payoffs equal the rules' shares")
    add_format_argument(p)


# ---------------------------------------------------------------------- simulate
def add_simulate_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium simulate``."""
    p = subparsers.add_parser("simulate", help="Monte Carlo of members' payoffs and risk "
                                               "under each sharing rule")
    _add_common(p, 10_000)
    p.add_argument("--level", type=bounded(float, 0.5, 0.9999), default=0.95,
                   help="VaR/CVaR level (0.95)")
    p.add_argument("--out", help="also write every draw to this Parquet file")
    p.add_argument("--plot", metavar="FIG", help="also draw the payoff distributions to "
                                                 "this image (.png, .svg, .pdf)")
    p.set_defaults(func=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
    """Print each member's risk metrics under each rule, beside the rule's shown share
    (``share``, money; ``share_pct``) from the one sharing path."""
    from sharing_models.risk import risk_summary, simulate
    from sharing_models.risk.sweep import levers_from_point

    if args.plot:
        check_image_path(args.plot)
        if args.out and Path(args.plot).resolve() == Path(args.out).resolve():
            raise CliError("--plot and --out name the same file", 2)
    agreement, case, point = _case(args)
    start = time.perf_counter()
    # the Parquet file never over the input, and all or nothing
    output = atomic_output(args.out, [args.file]) if args.out else contextlib.nullcontext()
    record = output_provenance(args, [args.file], seed=args.seed, levers=point,
                               draws=args.draws, rules=",".join(case.shares.columns),
                               risk_neutral=bool(args.risk_neutral),
                               currency=agreement.currency) if args.out else None
    with _writing(args.out), output as tmp:
        sim = simulate(case.project, case.shares, case.cost_shares, draws=args.draws,
                       seed=args.seed, levers=levers_from_point(point, case.project),
                       out=tmp, progress=args.draws >= PROGRESS_DRAWS, metadata=record,
                       unit=_money_suffix(agreement.currency))
    table = risk_summary(sim, levels=(args.level,))
    table["accepts"] = table["certainty_equivalent"] >= table["outside_option"]
    table = table.join(shown_rule_shares(agreement, list(sim.rules), args.format))
    table = table.rename(columns=_unit_names(table.columns, agreement.currency))
    written = (f"; {sim.draws * len(sim.members) * len(sim.rules):,} rows written to "
               f"{args.out}" if args.out else "")
    note(f"consortium simulate: {args.draws:,} draws x {len(sim.members)} members x "
         f"{len(sim.rules)} rules in {time.perf_counter() - start:.2f} s{written}")
    emit_table(table, args.format)
    if args.plot:
        from ..reports.figures import plot_payoffs

        plot_to_file(plot_payoffs(sim.to_frame(), unit=agreement.currency), args.plot,
                     [args.file], output_provenance(
                         args, [args.file], seed=args.seed, levers=point, draws=args.draws,
                         rules=",".join(sim.rules), currency=agreement.currency))
    return 0


#: Columns of the ``simulate`` table that are money in the scenario's currency.
_MONEY = ("expected", "expected_se", "std", "certainty_equivalent",
          "certainty_equivalent_se", "outside_option", "ce_surplus", "share")


def _money_suffix(currency: str) -> str:
    """``"CNY"`` -> ``"cny"``, ``"CNY (millions)"`` -> ``"cny_millions"``."""
    return "_".join(currency.lower().replace("(", " ").replace(")", " ").split()) or "money"


def _unit_names(columns: Any, currency: str) -> dict[str, str]:
    """Money columns named with their unit: ``expected`` -> ``expected_cny``,
    ``expected_se`` -> ``expected_cny_se``, ``VaR_0.95`` -> ``VaR_0.95_cny``; a currency
    counted in millions keeps its scale in the name (``cny_millions``)."""
    unit = _money_suffix(currency)
    names = {}
    for c in columns:
        if c in _MONEY or str(c).startswith(("VaR_", "CVaR_")):
            base, se = (c[:-3], "_se") if c.endswith("_se") else (c, "")
            names[c] = f"{base}_{unit}{se}"
    return names


def shown_rule_shares(agreement: Any, rules: list[str], fmt: str = "csv") -> pd.DataFrame:
    """Shown shares (``share`` in money, ``share_pct``) by (rule, member) as text with
    their fixed decimals (thousands separators in a ``table``), the figures of
    :func:`agreements.sharing.compare.shown_shares`; rules it cannot show are left out."""
    import pandas as pd

    from ..sharing import RULES, format_fixed
    from ..sharing.compare import shown_shares

    known = [r for r in rules if r in RULES]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = shown_shares(agreement, known).drop(index="total")
    rows = [(r, m, df.loc[m, r], df.loc[m, f"{r}_pct"])
            for r in known if r in df.columns for m in df.index]
    out = pd.DataFrame(rows, columns=["rule", "member", "share", "share_pct"])
    out[["share", "share_pct"]] = out[["share", "share_pct"]].map(
        lambda x: "" if x is None else format_fixed(x, 2, thousands=fmt == "table"))
    return out.set_index(["rule", "member"])


# ---------------------------------------------------------------------- formation
def add_formation_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium formation``."""
    p = subparsers.add_parser("formation", help="who accepts each rule, blocking coalitions, "
                                                "Borch and Nash benchmarks, least subsidy")
    _add_common(p, 5_000)
    p.add_argument("--view", choices=("rules", "members"), default="rules",
                   help="one row per rule (default) or per member")
    p.set_defaults(func=cmd_formation)


def cmd_formation(args: argparse.Namespace) -> int:
    """Print the formation analysis of an agreement."""
    from sharing_models.risk import simulate
    from sharing_models.risk.sweep import levers_from_point

    agreement, case, point = _case(args)
    levers = levers_from_point(point, case.project)
    start = time.perf_counter()
    sim = simulate(case.project, case.shares, case.cost_shares, draws=args.draws,
                   seed=args.seed, levers=levers)
    game = _game(agreement)
    if args.view == "members":
        table = _members_view(agreement, sim, game, args.format)
    else:
        table = _rules_view(case, sim, game, levers, args)
        if game is None:
            table = _large_core_columns(agreement, case, table)
    note(f"consortium formation: {args.draws:,} draws in {time.perf_counter() - start:.2f} s")
    emit_table(table, args.format)
    return 0


def _game(agreement: Any) -> Any:
    from sharing_models import ConsortiumError

    from ..sharing.structure import GAME_MEMBERS
    from ..valuation.game import agreement_game

    n = len(agreement.members)
    if n > GAME_MEMBERS:  # the whole game is not built: core columns from core_check
        note(f"consortium formation: {n} members, so the 2^{n} coalition worths are not "
             "built: blocking_coalitions and cost_of_stability are omitted; in_core and "
             "max_excess come from a search over the agreement's structure "
             "(docs/large-consortia.md)")
        return None
    try:
        return agreement_game(agreement)
    except ConsortiumError as exc:  # v(N) <= 0, ...: the game columns are left out
        note(f"consortium formation: no coalition game ({exc}); core columns omitted")
        return None


def _large_core_columns(agreement: Any, case: RiskCase, table: pd.DataFrame) -> pd.DataFrame:
    """``in_core`` and ``max_excess`` of each rule's allocation of :math:`v(N)` on an
    agreement too large for the whole game, from
    :func:`agreements.sharing.stability.core_check` (no enumeration); a result the
    solver could not close (time limit) is a bound and is said so on stderr."""
    import pandas as pd

    from ..sharing.stability import core_check
    from ..sharing.structure import GAME_MEMBERS, grand_value

    if len(agreement.members) <= GAME_MEMBERS:  # the game failed for another reason
        return table
    grand = float(grand_value(agreement))
    if len(agreement.members) > len(case.shares.index):  # without:<member>: a subgame
        note("consortium formation: members left out (without:); core columns omitted")
        return table
    in_core: dict[str, Any] = {}
    excess: dict[str, float] = {}
    for rule in table.index:
        check = core_check(agreement, case.shares[rule] * grand)
        in_core[rule], excess[rule] = check.in_core, check.excess
        if not check.exact:
            note(f"consortium formation: {rule}: the blocking-coalition search stopped at "
                 f"its time limit; max_excess {check.excess:.6g} is a lower bound (the "
                 f"largest excess is at most {check.upper:.6g})"
                 + ("; in_core undecided" if check.in_core is None else ""))
    at = list(table.columns).index("worst_member") + 1 if "worst_member" in table.columns \
        else len(table.columns)
    table.insert(at, "in_core", pd.Series(in_core, dtype=object))
    table.insert(at + 1, "max_excess", pd.Series(excess))
    return table


def _rules_view(case: RiskCase, sim: Any, game: Any, levers: list, args: Any) -> pd.DataFrame:
    from sharing_models.risk import (
        CostSubsidy,
        cost_of_stability,
        dispute_summary,
        distance_from_borch,
        least_subsidy_rate,
    )

    alloc = None
    if game is not None:
        alloc = case.shares * float(game.grand_value)
    table = dispute_summary(sim, game, alloc)
    others = [lv for lv in levers if not isinstance(lv, CostSubsidy)]
    least = least_subsidy_rate(case.project, case.shares, case.cost_shares, levers=others,
                               draws=args.draws, seed=args.seed)
    table["least_subsidy_rate"] = least["rate"]
    table["subsidy_cost"] = least["government_cost"]
    table = table.join(distance_from_borch(sim))
    if game is not None:
        table["cost_of_stability"] = float(cost_of_stability(game))
    return table


def _members_view(agreement: Any, sim: Any, game: Any, fmt: str) -> pd.DataFrame:
    """One row per member: risk tolerance, outside option, the Borch rule and its side
    payments, the Nash bargaining solution of the game, and ``<rule>_pct``, the shown
    percentage of each simulated rule (:func:`shown_rule_shares`, the figures every
    output shows)."""
    from sharing_models import ConsortiumError, SuspiciousResultWarning
    from sharing_models.risk import borch_rule, nash_bargaining_game

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SuspiciousResultWarning)
        rule = borch_rule(sim)
    for w in caught:
        note(f"consortium formation: {w.message}")
    table = rule.to_frame().rename(columns={
        "share": "borch_share", "side_payment": "borch_side_payment",
        "lower": "side_payment_min", "upper": "side_payment_max",
        "certainty_equivalent": "borch_nash_ce"})
    table.insert(0, "risk_tolerance", sim.risk_tolerance)
    table.insert(1, "outside_option", sim.outside_option)
    if game is not None:
        try:
            table["nash_bargaining_game"] = nash_bargaining_game(game)
        except ConsortiumError as exc:  # no agreement in the game: say so, keep the rest
            note(f"consortium formation: Nash bargaining on the game: {exc}")
    shown = shown_rule_shares(agreement, list(sim.rules), fmt)["share_pct"]
    for r in dict.fromkeys(shown.index.get_level_values("rule")):
        table[f"{r}_pct"] = shown.loc[r].reindex(table.index)
    table.index.name = "member"
    return table


# ---------------------------------------------------------------------- sweep
@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep specification (see ``docs/sweeps.md``)."""

    cases: dict[str, RiskCase]
    points: list[dict[str, Any]]
    draws: int
    seed: int
    n_workers: int
    #: The spec file and every scenario file it names (never overwritten by ``-o``).
    inputs: tuple[Path, ...] = ()
    #: The spec's ``grid`` and ``random`` sections, as written (for the provenance record).
    levers: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def _writing(out: str | None) -> Any:
    """Turn an ``OSError`` about a file (no permission, disk full) while writing ``out``
    into a :class:`CliError` that names ``out``; other errors (a scheduler that cannot be
    reached) pass on."""
    try:
        yield
    except OSError as exc:
        if out is None or (exc.filename is None and ".partial" not in str(exc)):
            raise
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None


def load_sweep_spec(path: str | Path) -> SweepSpec:
    """Read a sweep specification; every problem is reported at once
    (:func:`agreements.scenario.sweep_spec.read_sweep_spec` checks keys, types and
    ceilings)."""
    from ..errors import AgreementError
    from ..scenario.sweep_spec import read_sweep_spec, resolve_scenario

    path = Path(path)
    try:
        spec = read_sweep_spec(path)
    except AgreementError as exc:
        raise CliError(str(exc)) from None
    files = [resolve_scenario(path, rel) for rel in spec.scenarios]
    cases = _spec_cases(spec, files, path)
    points = _spec_points(spec, path)
    full = [{"scenario": name, **p} for name in cases for p in points]
    levers: dict[str, Any] = {}
    if spec.grid:
        levers["grid"] = spec.grid
    if spec.random:
        levers["random"] = (spec.random.model_dump(mode="json")
                            if hasattr(spec.random, "model_dump") else spec.random)
    return SweepSpec(cases, full, spec.draws, spec.seed, spec.workers, (path, *files), levers)


def _spec_cases(spec: Any, files: list[Path], path: Path) -> dict[str, RiskCase]:
    from sharing_models import SuspiciousResultWarning

    from ..outcomes.risk import risk_case
    from ..scenario.synthetic import SyntheticConfig, synthetic_agreements

    cases: dict[str, RiskCase] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousResultWarning)
        for file in files:
            agreement = load_or_fail(file)
            cases[agreement.id] = risk_case(agreement, spec.methods)
        syn = spec.synthetic
        if syn:
            opts = {k: tuple(v) if isinstance(v, list) else v for k, v in syn.items()
                    if k not in ("count", "seed")}
            count, seed = syn.get("count", 10), syn.get("seed")
            if not (isinstance(count, int) and not isinstance(count, bool)
                    and 1 <= count <= 10_000):
                raise CliError(f"{path}: synthetic.count must be a whole number from 1 to "
                               f"10,000; got {count!r}")
            if seed is not None and not (isinstance(seed, int) and not isinstance(seed, bool)
                                         and seed >= 0):
                raise CliError(f"{path}: synthetic.seed must be a whole number >= 0; "
                               f"got {seed!r}")
            for key, value in opts.items():
                if isinstance(value, tuple) and len(value) != 2:
                    raise CliError(f"{path}: synthetic.{key} must be a range [low, high]; "
                                   f"got {list(value)!r}")
            try:
                config = SyntheticConfig(**opts)
                generated = synthetic_agreements(count, seed, config)
            except (TypeError, ValueError) as exc:
                raise CliError(f"{path}: synthetic: {exc}") from None
            for a in generated:
                cases[a.id] = risk_case(a, spec.methods)
    return cases


def _spec_points(spec: Any, path: Path) -> list[dict[str, Any]]:
    from sharing_models.sweep import grid, random_points

    points: list[dict[str, Any]] = []
    if spec.grid:
        points += grid(**spec.grid)
    if spec.random:
        axes: dict[str, Any] = {}
        for name, ax in spec.random.axes.items():
            axes[name] = list(ax.choices) if hasattr(ax, "choices") else (ax.low, ax.high)
        points += random_points(spec.random.n, spec.random.seed, **axes)
    return points or [{}]


def add_sweep_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium sweep``."""
    p = subparsers.add_parser("sweep", help="run a grid or random sample of levers over "
                                            "scenarios on Dask; results to Parquet")
    p.add_argument("spec", help="sweep specification (YAML, see docs/sweeps.md)")
    p.add_argument("-o", "--out", required=True, help="Parquet file for the results")
    p.add_argument("--scheduler", help="dask.distributed scheduler address (default: a "
                                       "local cluster); 'inline' runs in this process")
    p.add_argument("--workers", type=bounded(int, 1, 256),
                   help="local cluster workers (spec, else 2; 1 to 256)")
    p.add_argument("--plot", metavar="FIG", help="also draw the formation rate over the "
                                                 "levers to this image (.png, .svg, .pdf)")
    add_format_argument(p)
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep; print a per-scenario, per-rule summary."""
    from sharing_models.sweep import sweep

    from ..outcomes.risk import money_unit, scenario_point

    if args.plot:
        check_image_path(args.plot)
        if Path(args.plot).resolve() == Path(args.out).resolve():
            raise CliError("--plot and -o name the same file", 2)
    spec = load_sweep_spec(args.spec)
    units = {money_unit(case.currency)[0] for case in spec.cases.values()}
    if len(units) > 1:
        raise CliError(f"{args.spec}: the scenarios count money in different currencies "
                       f"({', '.join(sorted(units))}); a column holds one unit, so sweep "
                       "each currency separately")
    (unit,) = units
    fn = functools.partial(scenario_point, cases=spec.cases, draws=spec.draws)
    where = (f"on {args.scheduler}" if args.scheduler else
             f"on a local Dask cluster of {args.workers or spec.n_workers} workers")
    note(f"consortium sweep: {len(spec.points):,} points x {len(spec.cases)} scenarios "
         f"x {spec.draws:,} draws {where}; progress below")
    start = time.perf_counter()
    # never over the spec or a scenario, and all or nothing
    record = output_provenance(args, spec.inputs, seed=spec.seed, levers=spec.levers,
                               draws=spec.draws, points=len(spec.points),
                               scenario_ids=",".join(spec.cases))
    with _writing(args.out), atomic_output(args.out, spec.inputs) as tmp:
        res = sweep(fn, spec.points, seed=spec.seed, scheduler=args.scheduler,
                    n_workers=args.workers or spec.n_workers, out=tmp, progress=True,
                    metadata=record)
    note(f"consortium sweep: {len(spec.points):,} points ({len(spec.cases)} scenarios) in "
         f"{time.perf_counter() - start:.1f} s; {len(res):,} rows written to {args.out}")
    res["all_accept"] = res["refusing"] == ""
    summary = res.groupby(["scenario", "rule"], sort=False).agg(**{
        "points": ("point", "nunique"), "members": ("members", "max"),
        "members_accepting": ("members_accepting", "mean"),
        "all_accept": ("all_accept", "mean"),
        f"government_cost_{unit}": (f"government_cost_{unit}", "mean"),
        f"expected_outcome_{unit}": (f"expected_outcome_{unit}", "mean")})
    summary = summary.map(lambda x: round(x, 6) if isinstance(x, float)
                          and math.isfinite(x) else x)
    emit_table(summary, args.format)
    if args.plot:
        _sweep_plot(res.drop(columns="all_accept"), args, spec.inputs, record)
    return 0


def _sweep_plot(res: pd.DataFrame, args: argparse.Namespace, inputs: tuple[Path, ...],
                record: dict[str, str]) -> None:
    """``sweep --plot``: the lever heat map of the results just written."""
    import matplotlib

    matplotlib.use("Agg")
    from ..errors import AgreementError
    from ..reports.figures import plot_lever_heatmap

    try:
        fig = plot_lever_heatmap(res)
    except AgreementError as exc:  # e.g. no lever varies: the results stand, no figure
        note(f"consortium sweep: no plot: {exc}")
        return
    plot_to_file(fig, args.plot, [*inputs, args.out], {
        **output_provenance(args, inputs), **{f"source_{k}": v for k, v in record.items()}})
