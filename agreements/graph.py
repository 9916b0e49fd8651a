"""The contribution graph: who brings what, which tasks need it, what they make.

Nodes are typed by the ``kind`` attribute (``member``, ``contribution``, ``task``,
``result``, ``product``) and carry ``label_en``/``label_zh``; edges by ``relation``:

- ``provides``: member -> contribution;
- ``performs``: member -> task (``role`` = ``lead`` or ``member``);
- ``needed_by``: contribution or result -> task, contribution -> product
  (``group`` = ``all_of`` or ``any_of[k]``);
- ``produces``: task -> result;
- ``embodied_in``: result -> product.

Queries: :func:`essential_members` (veto players per product),
:func:`substitutable_contributions`, :func:`dependency_layers`; and a layered drawing,
:func:`draw_graph`.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

from .game import product_recipes
from .model import Agreement, Needs

__all__ = [
    "NODE_COLOURS",
    "contribution_graph",
    "dependency_layers",
    "draw_graph",
    "essential_members",
    "substitutable_contributions",
]

#: Fill colour of non-member nodes in :func:`draw_graph` (members: by member kind).
NODE_COLOURS = {"contribution": "#d5dbdb", "task": "#f9e79f", "result": "#a9dfbf",
                "product": "#f5b7b1"}
_SHAPES = {"member": "o", "contribution": "s", "task": "D", "result": "h", "product": "*"}


def _labels(obj: Any) -> dict[str, str | None]:
    name = getattr(obj, "name", None)
    return {"label_en": name.en if name else obj.id, "label_zh": name.zh if name else None}


def _add_needs(g: nx.DiGraph, needs: Needs, target: str, results: set[str]) -> None:
    groups = [("all_of", x) for x in needs.all_of]
    groups += [(f"any_of[{k}]", x) for k, grp in enumerate(needs.any_of) for x in grp]
    for group, x in groups:
        relation = "embodied_in" if x in results and g.nodes[target]["kind"] == "product" \
            else "needed_by"
        g.add_edge(x, target, relation=relation, group=group)


def contribution_graph(agreement: Agreement) -> nx.DiGraph:
    """Typed directed graph of members, contributions, tasks, results and products.

    Returns
    -------
    networkx.DiGraph
        Node ``kind`` and ``label_en``/``label_zh``; edge ``relation`` (see module doc).

    Examples
    --------
    >>> import agreements
    >>> g = contribution_graph(agreements.load("scenarios/baoshan_medical_devices.yaml"))
    >>> g.nodes["shu"]["kind"], g.edges["shu", "shu_ai_team"]["relation"]
    ('member', 'provides')
    >>> g.edges["r_validated_system", "p_smart_lab"]["relation"]
    'embodied_in'
    """
    g = nx.DiGraph(name=agreement.id)
    for m in agreement.members:
        g.add_node(m.id, kind="member", member_kind=str(m.kind), layer=str(m.layer),
                   **_labels(m))
    for c in agreement.contributions:
        g.add_node(c.id, kind="contribution", member=c.member, contribution_kind=str(c.kind),
                   valuation=c.valuation, cost=c.cost, substitute_price=c.substitute_price,
                   description=c.description, label_en=c.id, label_zh=None)
        g.add_edge(c.member, c.id, relation="provides")
    for r in agreement.results:
        g.add_node(r.id, kind="result", ownership=str(r.ownership), owners=list(r.owners),
                   **_labels(r))
    for p in agreement.products:
        g.add_node(p.id, kind="product", expected_revenue=p.revenue.expected, **_labels(p))
    results = {r.id for r in agreement.results}
    for t in agreement.tasks:
        g.add_node(t.id, kind="task", cost=t.cost, **_labels(t))
        for mid in dict.fromkeys([*([t.lead] if t.lead else []), *t.members]):
            g.add_edge(mid, t.id, relation="performs",
                       role="lead" if mid == t.lead else "member")
        for r in t.produces:
            g.add_edge(t.id, r, relation="produces")
    for t in agreement.tasks:
        _add_needs(g, t.needs, t.id, results)
    for p in agreement.products:
        _add_needs(g, p.needs, p.id, results)
    return g


def essential_members(agreement: Agreement, product: str | None = None) -> Any:
    """Veto members: without them a product cannot be made, even buying substitutes.

    A member is essential for a product when every minimal recipe of the product
    (:func:`agreements.game.product_recipes`) uses a contribution of that member that
    has no market substitute.

    Parameters
    ----------
    agreement : Agreement
    product : str, optional
        A product id; by default all products.

    Returns
    -------
    list of str or dict
        Member ids (file order) for one product; ``{product id: [member ids]}`` for all.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> essential_members(a, "p_smart_lab")
    ['fosun_dx', 'wusong_hospital']
    """
    recipes = product_recipes(agreement)
    if product is not None and product not in recipes:
        from .errors import AgreementError

        raise AgreementError(f"unknown product {product!r}; products are {list(recipes)}")
    owner = {c.id: c.member for c in agreement.contributions if c.substitute_price is None}
    out: dict[str, list[str]] = {}
    for pid, rs in recipes.items():
        vetoes = set.intersection(*({owner[x] for x in r if x in owner} for r in rs))
        out[pid] = [m for m in agreement.member_ids if m in vetoes]
    return out[product] if product is not None else out


def substitutable_contributions(agreement: Agreement) -> pd.DataFrame:
    """Contributions with their owner, cost and market substitute (if any).

    Returns
    -------
    pandas.DataFrame
        Indexed by contribution id: ``member``, ``kind``, ``valuation``, ``cost``,
        ``substitute_price`` (NaN: none), ``substitutable`` and ``premium`` (what buying
        it costs over the owner's cost).

    >>> import agreements
    >>> df = substitutable_contributions(
    ...     agreements.load("scenarios/baoshan_medical_devices.yaml"))
    >>> df.index[df.substitutable].tolist()
    ['shu_ai_team', 'zecheng_reagents']
    """
    rows = [{"contribution": c.id, "member": c.member, "kind": str(c.kind),
             "valuation": c.valuation, "cost": c.cost,
             "substitute_price": float("nan") if c.substitute_price is None
             else c.substitute_price} for c in agreement.contributions]
    cols = ["member", "kind", "valuation", "cost", "substitute_price"]
    df = pd.DataFrame(rows, columns=["contribution", *cols]).set_index("contribution")
    df["substitutable"] = df["substitute_price"].notna()
    df["premium"] = df["substitute_price"] - df["cost"]
    return df


def dependency_layers(agreement: Agreement) -> list[list[str]]:
    """Topological generations of the contribution graph (members first, products last).

    >>> import agreements
    >>> layers = dependency_layers(agreements.load("scenarios/baoshan_medical_devices.yaml"))
    >>> layers[0]
    ['fosun_dx', 'shu', 'wusong_hospital', 'zecheng']
    >>> layers[-1]
    ['p_smart_lab']
    """
    g = contribution_graph(agreement)
    order = {node: i for i, node in enumerate(g.nodes)}
    return [sorted(layer, key=order.__getitem__) for layer in nx.topological_generations(g)]


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
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from .plotting import MEMBER_KIND_COLOURS, use_cjk_font

    if lang not in ("auto", "en", "zh"):
        from .errors import AgreementError

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
