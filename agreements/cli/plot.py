"""``consortium plot``: the first-look figure of a simulation, a sweep or a scenario.

::

    consortium plot draws.parquet -o payoffs.png      # simulate --out: payoff distributions
    consortium plot levers.parquet -o heat.svg        # sweep: formation rate over two levers
    consortium plot FILE.yaml -o payoffs.pdf [--draws N] [--seed S] [--method RULE ...]

The figure is written all or nothing, never over an input, with a provenance record in
its metadata (the Parquet file's own record as ``source_*``). See ``docs/risk.md``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from .common import CliError, atomic_output, load_or_fail, note, output_provenance

__all__ = ["plot_to_file"]

_SUFFIXES = (".png", ".svg", ".pdf")


def add_plot_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium plot``."""
    p = subparsers.add_parser(
        "plot", help="first-look figure: payoff distributions (simulate --out or a "
                     "scenario) or lever heat maps (sweep output)",
        description="Draw payoff distributions per member and rule from a `simulate --out` "
                    "Parquet file or a scenario, or the formation rate of a `sweep` "
                    "Parquet file over two levers. PNG, SVG or PDF by the -o suffix.")
    p.add_argument("input", metavar="INPUT",
                   help="simulate --out or sweep Parquet file, or a scenario (YAML/JSON)")
    p.add_argument("-o", "--output", required=True, help="image file (.png, .svg, .pdf)")
    p.add_argument("--x", help="sweep: lever on the x axis (default: the one with most values)")
    p.add_argument("--y", help="sweep: lever on the y axis (default: the next)")
    p.add_argument("--value", help="sweep: column to average per cell (default: the "
                                   "share of points where every member accepts)")
    p.add_argument("--draws", type=int, default=10_000,
                   help="scenario: Monte Carlo draws (10000)")
    p.add_argument("--seed", type=int, default=0, help="scenario: random seed (0)")
    p.add_argument("--method", action="append", metavar="RULE",
                   help="scenario: sharing rule, repeatable (default: the agreement's own, "
                        "equal, proportional, shapley, borch)")
    p.add_argument("--dpi", type=int, default=150, help="PNG resolution (150; at most 600)")
    p.set_defaults(func=cmd_plot)


def check_image_path(path: str | Path) -> Path:
    """An output image path with a known suffix, else a usage error (exit 2)."""
    out = Path(path)
    if out.suffix.lower() not in _SUFFIXES:
        raise CliError(f"output must end in .png, .svg or .pdf; got {out.name!r}", 2)
    return out


def plot_to_file(fig: Any, output: str | Path, inputs: list[str | Path],
                 record: dict[str, str], dpi: int = 150) -> None:
    """Save ``fig`` to ``output`` with ``record`` in its metadata, all or nothing and
    never over one of ``inputs``; close the figure."""
    from ..reports.figures import save_figure

    out = check_image_path(output)
    try:
        with atomic_output(out, inputs) as tmp:
            save_figure(fig, tmp, record, fmt=out.suffix.lower().lstrip("."), dpi=dpi)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    note(f"wrote {out}")


def _parquet(path: Path) -> tuple[Any, dict[str, str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..reports.figures import payoff_column

    try:
        schema = pq.read_schema(path)
        payoff = payoff_column(schema.names)
        columns = (["member", "rule", payoff] if "draw" in schema.names and payoff
                   else None)  # a table of draws can be large: only what is drawn
        table = pq.read_table(path, columns=columns).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise CliError(f"cannot read {path} as Parquet: {exc}") from None
    meta = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace")
            for k, v in (schema.metadata or {}).items() if k != b"pandas"}
    return table, meta


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw the figure of ``args.input`` into ``args.output``."""
    import matplotlib

    matplotlib.use("Agg")
    from ..errors import AgreementError
    from ..reports.figures import payoff_column, plot_lever_heatmap, plot_payoffs, sweep_unit

    out = check_image_path(args.output)
    if not 10 <= args.dpi <= 600:
        raise CliError(f"--dpi must be between 10 and 600; got {args.dpi}", 2)
    source = Path(args.input)
    start = time.perf_counter()
    fields: dict[str, Any] = {}
    try:
        if source.suffix.lower() == ".parquet":
            table, meta = _parquet(source)
            fields = {f"source_{k}": v for k, v in meta.items()}
            if payoff_column(table.columns) and "member" in table.columns:  # draws
                fig = plot_payoffs(table, unit=meta.get("currency", ""))
            else:
                fig = plot_lever_heatmap(table, x=args.x, y=args.y, value=args.value)
                fields["unit"] = sweep_unit(table.columns)
        else:
            fig, fields = _scenario_figure(args)
    except AgreementError as exc:
        raise CliError(f"{source}: {exc}") from None
    record = output_provenance(args, [source], **fields)
    plot_to_file(fig, out, [source], record, args.dpi)
    note(f"consortium plot: {out} in {time.perf_counter() - start:.1f} s")
    return 0


def _scenario_figure(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """Simulate a scenario on the spot and draw its payoff distributions."""
    from sharing_models.risk import simulate

    from ..outcomes.risk import risk_case
    from ..reports.figures import plot_payoffs

    agreement = load_or_fail(args.input)
    if args.draws < 1:
        raise CliError(f"--draws must be positive; got {args.draws}", 2)
    case = risk_case(agreement, args.method)
    sim = simulate(case.project, case.shares, case.cost_shares, draws=args.draws,
                   seed=args.seed)
    fig = plot_payoffs(sim.to_frame(), unit=agreement.currency)
    return fig, {"seed": args.seed, "draws": args.draws, "rules": ",".join(sim.rules),
                 "currency": agreement.currency}
