"""First-look figures of simulations and sweeps, and figures that say where they came from.

:func:`plot_payoffs` draws each member's payoff distribution under each sharing rule
(from ``consortium simulate --out``, :meth:`~sharing_models.risk.Simulation.to_frame`);
:func:`plot_lever_heatmap` the formation rate of a sweep over two levers (from
``consortium sweep``); :func:`save_figure` writes any figure with a provenance record in
the image's metadata (PNG text chunks, SVG ``<metadata>``, PDF document information).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import AgreementError
from .plotting import use_cjk_font

__all__ = ["figure_metadata", "lever_columns", "payoff_column", "plot_lever_heatmap",
           "plot_payoffs", "save_figure", "sweep_unit"]

#: Image formats :func:`save_figure` writes, by suffix.
IMAGE_FORMATS = ("png", "svg", "pdf")


def plot_payoffs(draws: pd.DataFrame, *, unit: str = "", bins: int = 50) -> Figure:
    """Histograms of every member's payoff, one panel per member, one curve per rule.

    Parameters
    ----------
    draws : DataFrame
        One row per draw, member and rule, with ``member``, ``rule`` and ``payoff`` or
        ``payoff_<unit>`` (the table of ``consortium simulate --out`` or
        ``Simulation.to_frame()``).
    unit : str
        Currency of the payoffs, for the axis label (``"CNY"``).
    bins : int
        Histogram bins, shared by the rules of a panel.

    Returns
    -------
    matplotlib.figure.Figure
        The mean of each rule is marked with a dashed line of its colour.

    Raises
    ------
    AgreementError
        A table without those columns, or without rows.

    Examples
    --------
    >>> t = pd.DataFrame({"member": ["a", "b"] * 4, "rule": ["eq"] * 8,
    ...                   "payoff": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]})
    >>> len(plot_payoffs(t).axes)
    2

    Notes
    -----
    Linear in the number of rows (one ``numpy.histogram`` per member and rule).
    """
    column = payoff_column(draws.columns)
    missing = {"member", "rule", column or "payoff"} - set(draws.columns)
    if missing or draws.empty:
        raise AgreementError("payoff plot needs a table of draws with member, rule and "
                             f"payoff columns (consortium simulate --out); missing "
                             f"{sorted(missing) or 'rows'}")
    use_cjk_font()
    member_codes, member_names = pd.factorize(draws["member"], sort=False)
    rule_codes, rule_names = pd.factorize(draws["rule"], sort=False)
    members, rules = [str(m) for m in member_names], [str(r) for r in rule_names]
    cols = min(3, len(members))
    rows = math.ceil(len(members) / cols)
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    payoff = draws[column].to_numpy(dtype=float)
    for k, (ax, m) in enumerate(zip(axes, members, strict=False)):
        mine = member_codes == k
        values, codes = payoff[mine], rule_codes[mine]
        edges = np.histogram_bin_edges(values[np.isfinite(values)], bins=bins)
        for j, r in enumerate(rules):  # one numpy histogram per rule: fast at any size
            y = values[codes == j]
            if not len(y):
                continue
            counts, _ = np.histogram(y, bins=edges, density=True)
            ax.stairs(counts, edges, color=f"C{j % 10}", label=r)
            ax.axvline(float(y.mean()), color=f"C{j % 10}", linestyle="--", linewidth=0.8)
        ax.set_title(m)
        ax.set_xlabel(f"payoff ({unit})" if unit else "payoff")
        ax.set_yticks([])
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
    for ax in axes[len(members):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8, title="rule")
    fig.suptitle("Payoff distribution per member and rule (dashed: mean)")
    return fig


def payoff_column(columns: Any) -> str | None:
    """The payoff column of a table of draws: ``payoff`` or ``payoff_<unit>``.

    >>> payoff_column(["draw", "member", "payoff_cny"]), payoff_column(["x"])
    ('payoff_cny', None)
    """
    return next((str(c) for c in columns if str(c) == "payoff"
                 or str(c).startswith("payoff_")), None)


def lever_columns(results: pd.DataFrame) -> list[str]:
    """The numeric sweep parameters of a sweep table that vary (the columns between
    ``point`` and ``rule``, less ``scenario``): those set at most points first, then those
    with fewer values (grid axes before random ones).

    >>> t = pd.DataFrame({"point": [0, 1, 2], "scenario": "s", "subsidy": [0.0, 0.5, 0.5],
    ...                   "floor": [1.0, 1.0, 1.0], "scale": [None, 0.8, 0.9], "rule": "eq"})
    >>> lever_columns(t)
    ['subsidy', 'scale']
    """
    cols = list(results.columns)
    if "point" not in cols or "rule" not in cols:
        return []
    params = [c for c in cols[cols.index("point") + 1:cols.index("rule")] if c != "scenario"
              and pd.api.types.is_numeric_dtype(results[c])]
    varying = [c for c in params if results[c].nunique(dropna=True) > 1]
    return sorted(varying, key=lambda c: (-int(results[c].notna().sum()),
                                          results[c].nunique(dropna=True)))


#: A lever with more values than this is cut into this many bins of equal width.
MAX_CELLS = 10


def _binned(values: pd.Series) -> pd.Series:
    """``values`` as they are when few, else the midpoints of :data:`MAX_CELLS` bins."""
    if values.nunique(dropna=True) <= MAX_CELLS:
        return values
    cut = pd.cut(values, MAX_CELLS)
    return cut.map(lambda i: float(i.mid)).astype(float)


def plot_lever_heatmap(results: pd.DataFrame, *, x: str | None = None, y: str | None = None,
                       value: str | None = None) -> Figure:
    """One panel per rule: a sweep's formation rate (or the mean of ``value``) over two
    levers, as a heat map; over one lever, as a line.

    Parameters
    ----------
    results : DataFrame
        A sweep table (``consortium sweep``, :func:`sharing_models.sweep.sweep` of
        :func:`agreements.outcomes.risk.scenario_point`): ``point``, parameters, ``rule``,
        ``refusing`` and the result columns.
    x, y : str, optional
        The levers on the axes (default: the two that take most values).
    value : str, optional
        Column to average in each cell (default: ``formation rate``, the share of points
        and scenarios where nobody refuses).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    AgreementError
        Not a sweep table, an unknown column, or no lever that varies.

    Examples
    --------
    >>> t = pd.DataFrame({"point": [0, 0, 1, 1], "subsidy": [0.0, 0.0, 0.5, 0.5],
    ...                   "rule": ["eq", "pr"] * 2, "refusing": ["a", "", "", ""]})
    >>> [ax.get_title() for ax in plot_lever_heatmap(t).axes]
    ['eq', 'pr']

    Notes
    -----
    One ``groupby`` of the table: linear in its rows.
    """
    if not {"point", "rule", "refusing"} <= set(results.columns):
        raise AgreementError("lever plot needs a sweep table (point, parameters, rule, "
                             "refusing ...), as consortium sweep writes")
    levers = lever_columns(results)
    for name in (x, y, value):
        if name is not None and name not in results.columns:
            raise AgreementError(f"no column {name!r} in the sweep table; columns: "
                                 f"{', '.join(map(str, results.columns))}")
    x = x or (levers[0] if levers else None)
    if x is None:
        raise AgreementError("no sweep parameter varies: nothing to plot against")
    if y is None:
        y = next((c for c in levers if c != x), None)
    frame = results.dropna(subset=[c for c in (x, y) if c is not None]).copy()
    for axis in (x, y):
        if axis is not None:
            frame[axis] = _binned(frame[axis])
    label = value or "formation rate"
    frame[label] = (frame["refusing"].fillna("") == "") if value is None else frame[value]
    rules = list(dict.fromkeys(frame["rule"].astype(str)))
    use_cjk_font()
    fig = Figure(figsize=(4.0 * len(rules) + 1.0, 3.6), layout="constrained")
    axes = fig.subplots(1, len(rules), squeeze=False, sharey=True).ravel()
    if y is None:
        for ax, r in zip(axes, rules, strict=True):
            line = frame[frame["rule"].astype(str) == r].groupby(x)[label].mean()
            ax.plot(line.index, line.to_numpy(dtype=float), marker="o")
            ax.set_title(r)
            ax.set_xlabel(x)
        axes[0].set_ylabel(label)
    else:
        table = frame.pivot_table(index=["rule", y], columns=x, values=label, aggfunc="mean")
        low, high = np.nanmin(table.to_numpy(dtype=float)), np.nanmax(table.to_numpy(
            dtype=float))
        image = None
        for ax, r in zip(axes, rules, strict=True):
            part = table.loc[r]
            grid = part.to_numpy(dtype=float)
            image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis",
                              vmin=low, vmax=high if high > low else low + 1)
            ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in part.columns],
                          rotation=45)
            ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in part.index])
            for (i, j), v in np.ndenumerate(grid):
                if np.isfinite(v) and grid.size <= 150:
                    ax.text(j, i, f"{v:.0%}" if value is None else f"{v:.3g}",
                            ha="center", va="center", fontsize=7,
                            color="w" if v < low + 0.6 * (high - low) else "k")
            ax.set_title(r)
            ax.set_xlabel(x)
        axes[0].set_ylabel(y)
        fig.colorbar(image, ax=list(axes), label=label)
    fig.suptitle(f"{label} by sweep parameter")
    return fig


def figure_metadata(fmt: str, record: Mapping[str, str]) -> dict[str, Any]:
    """``savefig(metadata=...)`` for a provenance record in format ``fmt``: every entry
    as a PNG text chunk; in SVG and PDF the record as JSON in the description (SVG
    ``dc:description``, PDF ``Subject``), with the date and creating tool.

    >>> figure_metadata("svg", {"tool": "t", "version": "1", "created": "2020-01-01T00:00:00Z"})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'Creator': 't 1', 'Date': '2020-01-01T00:00:00Z',
     'Description': '{"created": "2020-01-01T00:00:00Z", "tool": "t", "version": "1"}'}
    """
    creator = f"{record.get('tool', '')} {record.get('version', '')}".strip()
    text = json.dumps(dict(record), ensure_ascii=False, sort_keys=True)
    created = record.get("created")
    if fmt == "png":
        return {**{str(k): str(v) for k, v in record.items()}, "Software": creator}
    if fmt == "svg":
        return {"Creator": creator, "Date": created, "Description": text}
    if fmt == "pdf":
        meta: dict[str, Any] = {"Creator": creator, "Subject": text,
                                "Keywords": "provenance"}
        if created:
            meta["CreationDate"] = datetime.fromisoformat(created.replace("Z", "+00:00"))
        return meta
    raise AgreementError(f"unknown image format {fmt!r}; expected one of "
                         f"{', '.join(IMAGE_FORMATS)}")


def save_figure(fig: Any, path: str | Path, record: Mapping[str, str] | None = None, *,
                fmt: str | None = None, dpi: float = 150) -> Path:
    """Write ``fig`` to ``path`` (format from ``fmt`` or the suffix), with ``record`` (a
    provenance record) in the image's metadata; return the path.

    >>> import tempfile
    >>> fig = Figure(); _ = fig.subplots().plot([0, 1])
    >>> out = save_figure(fig, Path(tempfile.mkdtemp()) / "x.png", {"seed": "3"})
    >>> from PIL import Image
    >>> Image.open(out).info["seed"]
    '3'
    """
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    meta = figure_metadata(fmt, record or {})
    fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", metadata=meta)
    return path


def sweep_unit(columns: Sequence[str]) -> str:
    """The currency suffix of a sweep table's money columns (``"cny"``), or ``""``.

    >>> sweep_unit(["point", "expected_outcome_cny", "expected_outcome_cny_se"])
    'cny'
    """
    for c in columns:
        if str(c).startswith("expected_outcome_") and not str(c).endswith("_se"):
            return str(c).removeprefix("expected_outcome_")
    return ""
