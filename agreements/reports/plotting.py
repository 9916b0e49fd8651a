"""Plot helpers shared by the CLI, the report and the notebooks, and the drawing of the
contribution graph (:func:`draw_graph`).

Chinese labels need a CJK font. :func:`use_cjk_font` registers the Noto Sans CJK SC
font shipped by the ``mplfonts`` package with matplotlib, so labels such as
``复星诊断`` render on a machine without system CJK fonts (no missing-glyph boxes).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import matplotlib as mpl
import networkx as nx
from matplotlib import font_manager
from matplotlib.lines import Line2D

from ..errors import AgreementError
from ..scenario.model import Agreement
from ..valuation.graph import contribution_graph

__all__ = ["MEMBER_KIND_COLOURS", "NODE_COLOURS", "cjk_font_path", "draw_graph", "use_cjk_font"]

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
        _, ax = plt.subplots(figsize=(width, height))
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
