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

from ..errors import AgreementError
from ..scenario.model import Agreement, Needs
from .game import product_recipes

__all__ = [
    "contribution_graph",
    "dependency_layers",
    "essential_members",
    "substitutable_contributions",
]



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
    (:func:`agreements.valuation.game.product_recipes`) uses a contribution of that member that
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
