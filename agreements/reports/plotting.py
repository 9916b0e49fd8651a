"""Plot helpers shared by the CLI, the report and the notebooks, and the drawing of the
contribution graph (:func:`draw_graph`).

Chinese labels need a CJK font. :func:`use_cjk_font` registers the Noto Sans CJK SC
font shipped by the ``mplfonts`` package with matplotlib, so labels such as
``复星诊断`` render on a machine without system CJK fonts (no missing-glyph boxes).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import networkx as nx
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from ..errors import AgreementError
from ..scenario.model import Agreement
from ..valuation.graph import contribution_graph

__all__ = ["MEMBER_KIND_COLOURS", "NODE_COLOURS", "cjk_font_path", "draw_graph", "plot_zone",
           "use_cjk_font"]

#: Colour per member kind, used by every plot that colours members.
MEMBER_KIND_COLOURS: dict[str, str] = {
    "lead_enterprise": "#c0392b",
    "enterprise": "#e67e22",
    "university": "#2e86c1",
    "research_institute": "#17a589",
    "hospital": "#8e44ad",
    "government": "#7f8c8d",
    "investor": "#b7950b",
    "industrial_park": "#5d6d7e",
}

#: Fill colour of non-member nodes in :func:`draw_graph` (members: by member kind).
NODE_COLOURS = {"contribution": "#d5dbdb", "task": "#f9e79f", "result": "#a9dfbf",
                "product": "#f5b7b1"}
_SHAPES = {"member": "o", "contribution": "s", "task": "D", "result": "h", "product": "*"}

_FONT_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf")


def cjk_font_path() -> Path | None:
    """Path of a bundled CJK font file, or ``None`` if ``mplfonts`` is not installed."""
    try:
        import mplfonts
    except ImportError:
        return None
    folder = Path(mplfonts.__file__).parent / "fonts"
    for name in _FONT_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


@functools.cache
def use_cjk_font() -> str | None:
    """Register a CJK font with matplotlib and put it first in the sans-serif list.

    Returns the font family name, or ``None`` when no CJK font is available (labels
    then fall back to the default font). Safe to call many times.

    >>> name = use_cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    path = cjk_font_path()
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    current = [f for f in mpl.rcParams["font.sans-serif"] if f != family]
    mpl.rcParams["font.sans-serif"] = [family, *current]
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["axes.unicode_minus"] = False
    return family


def _layout(g: nx.DiGraph) -> dict[str, tuple[float, float]]:
    pos: dict[str, tuple[float, float]] = {}
    order = {node: i for i, node in enumerate(g.nodes)}
    for x, layer in enumerate(nx.topological_generations(g)):
        layer = sorted(layer, key=order.__getitem__)
        for k, node in enumerate(layer):
            pos[node] = (float(x), (len(layer) - 1) / 2.0 - k)
    return pos


def draw_graph(agreement: Agreement, ax: Any = None, lang: str = "auto") -> Any:
    """Draw the contribution graph in layers, left to right; members coloured by kind.

    Parameters
    ----------
    agreement : Agreement
    ax : matplotlib Axes, optional
        Drawn into a new figure when omitted.
    lang : {"auto", "en", "zh"}
        Label language; Chinese names need a CJK font and fall back to English
        without one (``auto`` and ``zh`` differ only in intent).

    Returns
    -------
    matplotlib.axes.Axes

    >>> import agreements
    >>> ax = draw_graph(agreements.load("scenarios/baoshan_medical_devices.yaml"), lang="en")
    >>> ax.get_legend() is not None
    True
    """
    import matplotlib.pyplot as plt  # pyplot only when drawing (it picks a backend)

    if lang not in ("auto", "en", "zh"):
        raise AgreementError(f"lang must be 'auto', 'en' or 'zh'; got {lang!r}")
    zh = lang != "en" and use_cjk_font() is not None  # no CJK font: English labels
    g = contribution_graph(agreement)
    pos = _layout(g)
    if ax is None:
        width = 3.0 + 2.2 * (max((p[0] for p in pos.values()), default=0) + 1)
        height = 2.0 + 0.6 * max((abs(p[1]) for p in pos.values()), default=1) * 2
        # at most 60 x 40 inches (9,000 x 6,000 pixels at 150 dpi) however long the chain
        _, ax = plt.subplots(figsize=(min(width, 60.0), min(height, 40.0)))
    nx.draw_networkx_edges(g, pos, ax=ax, edge_color="#7f8c8d", arrows=True, arrowsize=10,
                           node_size=900)
    for kind, shape in _SHAPES.items():
        nodes = [v for v, d in g.nodes(data=True) if d["kind"] == kind]
        colours = [MEMBER_KIND_COLOURS.get(g.nodes[v].get("member_kind", ""), "#95a5a6")
                   if kind == "member" else NODE_COLOURS[kind] for v in nodes]
        nx.draw_networkx_nodes(g, pos, nodelist=nodes, node_color=colours, node_shape=shape,
                               node_size=900, ax=ax, edgecolors="#2c3e50", linewidths=0.6)
    labels = {v: (d.get("label_zh") if zh and d.get("label_zh") else v)
              for v, d in g.nodes(data=True)}
    nx.draw_networkx_labels(g, pos, labels=labels, font_size=7, ax=ax)
    kinds = dict.fromkeys(d["member_kind"] for _, d in g.nodes(data=True)
                          if d["kind"] == "member")
    handles = [Line2D([], [], marker="o", ls="", color=MEMBER_KIND_COLOURS.get(k, "#95a5a6"),
                      label=k.replace("_", " ")) for k in kinds]
    handles += [Line2D([], [], marker=_SHAPES[k], ls="", color=c, markeredgecolor="#2c3e50",
                       label=k) for k, c in NODE_COLOURS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7,
              frameon=False)
    title = agreement.name.zh if zh and agreement.name.zh else agreement.name.en
    ax.set_title(title)
    ax.set_axis_off()
    return ax


#: Colours of :func:`plot_zone`: what member a accepts, what b accepts, the zone, the gap.
ZONE_COLOURS = {"a": "#2e86c1", "b": "#e67e22", "zone": "#27ae60", "gap": "#c0392b"}


def plot_zone(zone: Any, ax: Any = None,
              labels: Mapping[str, str] | Sequence[str] | None = None) -> Any:
    """Draw a two-member zone of agreement (:class:`agreements.negotiation.Zone`).

    The horizontal axis is member ``a``'s share of the outcome, over the pool ``a`` and
    ``b`` divide (``[0, pool]``, widened to show a range that falls outside it). Three
    bars: the shares ``a`` accepts (``x >= low``), the shares ``b`` accepts
    (``x <= high``), and their overlap (the zone) or, when there is none, the gap
    between them (the belief gap a fixed split cannot close). When a member expects the
    outcome to be a loss (``zone.expects_loss``) no share makes it accept: the chart
    says so in a note.

    Parameters
    ----------
    zone : Zone
        From :func:`agreements.negotiation.negotiate` with ``zone=(a, b)``.
    ax : matplotlib Axes, optional
        Drawn into a new figure (not managed by pyplot) when omitted.
    labels : mapping member id -> label, or two labels (a, b), optional
        Names shown for the two members (default: their ids).

    Returns
    -------
    matplotlib.axes.Axes
    """
    a, b = zone.members
    if labels is None:
        name_a, name_b = a, b
    elif isinstance(labels, Mapping):
        name_a, name_b = labels.get(a, a), labels.get(b, b)
    else:
        name_a, name_b = (str(x) for x in labels)
    if ax is None:
        ax = Figure(figsize=(7.5, 2.6), layout="constrained").add_subplot()
    pool = float(zone.pool)
    right = pool if pool > 0 else 1.0
    ax.set_title(f"Zone of agreement: {name_a} / {name_b}\n({name_a}'s share of the "
                 f"outcome; their pool is {pool:.2%})", fontsize=10)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel(f"{name_a}'s share of the outcome")
    ax.set_yticks([2, 1, 0], [f"{name_a} accepts", f"{name_b} accepts",
                              "zone" if zone.exists else "gap"])
    ax.set_ylim(-0.9, 2.5)
    if zone.expects_loss:
        names = {a: name_a, b: name_b}
        ax.set_xlim(0.0, right)
        ax.text(0.5, 0.5, f"no zone: {', '.join(names.get(m, m) for m in zone.expects_loss)}"
                f"\nexpect{'s' if len(zone.expects_loss) == 1 else ''} a loss whatever the "
                "share", transform=ax.transAxes, ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "facecolor": "#fdedec",
                      "edgecolor": ZONE_COLOURS["gap"]})
        return ax
    low, high = float(zone.low), float(zone.high)
    left, right = min(0.0, high), max(right, low)
    ax.set_xlim(left - 0.02 * (right - left), right + 0.02 * (right - left))
    ax.barh(2, right - low, left=low, height=0.6, color=ZONE_COLOURS["a"], alpha=0.8)
    ax.barh(1, high - left, left=left, height=0.6, color=ZONE_COLOURS["b"], alpha=0.8)
    if zone.exists:
        ax.barh(0, high - low, left=low, height=0.6, color=ZONE_COLOURS["zone"])
        text = f"{low:.2%} to {high:.2%}"
    else:
        ax.barh(0, low - high, left=high, height=0.6, color="none", hatch="//",
                edgecolor=ZONE_COLOURS["gap"])
        text = f"gap {zone.gap:.2%} of the outcome"
    ax.text((low + high) / 2, -0.38, text, ha="center", va="top", fontsize=8)
    for x in (0.0, pool):
        ax.axvline(x, color="#7f8c8d", lw=0.8, ls=":")
    ax.legend(handles=[Patch(color=ZONE_COLOURS["a"], label=f"{name_a}: x >= {low:.2%}"),
                       Patch(color=ZONE_COLOURS["b"], label=f"{name_b}: x <= {high:.2%}")],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    return ax
