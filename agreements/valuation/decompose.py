"""Exact by structure: an agreement's game as a sum of small games on independent parts.

Two products *interact* when some recipe of one and some recipe of the other use a
common input (a contribution or a task): the input is paid once when both are made,
so their worths do not add. Grouping products by this relation (transitively) splits
them into *parts*; each part's *members* are the owners of the contributions its
recipes use. Then, for every coalition :math:`S`,

.. math:: v(S) = \\sum_k v_k(S \\cap N_k),

where :math:`v_k` is the agreement's game with only part :math:`k`'s products
(:func:`agreements.valuation.game.part_game`) and :math:`N_k` its members. The proof, and
why shared inputs, market substitutes, the max over product sets, risk weights and the
"bring one input yourself" condition keep it exact, is in ``docs/large-consortia.md``.
A member may belong to several parts (it owns inputs of each); a member in none is a
null player.

Every *linear* sharing rule with the null-player property is then the sum over parts
of the rule on each part's small game: Shapley, raw Banzhaf (normalised afterwards),
Owen (unions restricted to the part) and the weighted Shapley value.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scenario.model import Agreement
from .project import RiskWeights, risk_weights
from .recipes import _Inputs, _recipe_masks, expected_value, interacting_groups

__all__ = ["Decomposition", "Part", "decompose"]


@dataclass(frozen=True)
class Part:
    """Products whose inputs interact, and the members owning those inputs."""

    products: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class Decomposition:
    """The parts of an agreement, its null members and the risk weights used."""

    parts: tuple[Part, ...]
    null: tuple[str, ...]
    weights: RiskWeights

    @property
    def largest(self) -> int:
        """Members of the largest part (0 when nothing can be made)."""
        return max((len(p.members) for p in self.parts), default=0)


def decompose(agreement: Agreement, exact: bool = False) -> Decomposition:
    """Split an agreement's game into independent parts (see the module docstring).

    .. math::

        p \\sim q \\iff \\Big(\\bigcup_{r \\in R_p} r\\Big) \\cap
        \\Big(\\bigcup_{r \\in R_q} r\\Big) \\ne \\emptyset,

    parts are the classes of the transitive closure of :math:`\\sim` over products of
    positive risk-weighted expected value (the others are never made), :math:`R_p` the
    product's minimal recipes.

    Parameters
    ----------
    agreement : Agreement
    exact : bool, default False
        Risk weights as Fractions (for exact part games).

    Returns
    -------
    Decomposition
        ``parts`` (products in file order, members in file order), ``null`` (members
        in no part) and the agreement's risk ``weights``.

    Examples
    --------
    >>> import agreements
    >>> d = decompose(agreements.load("scenarios/baoshan_medical_devices.yaml"))
    >>> [(p.products, len(p.members)) for p in d.parts], d.null
    ([(('p_smart_lab', 'p_software_licence'), 4)], ())

    Notes
    -----
    Cost: the recipes (:func:`agreements.valuation.recipes.product_recipes`) plus a
    union-find over products, :math:`O(P^2)` bit operations. References: [Shapley1953]_
    (additivity), [Owen1977]_.
    """
    weights = risk_weights(agreement, exact)
    inputs = _Inputs.of(agreement)
    recipes = _recipe_masks(agreement, inputs)
    live = [p for p in agreement.products
            if expected_value(p, exact) * weights.product[p.id] > 0 and recipes[p.id]]
    used = {p.id: _union(recipes[p.id]) for p in live}
    owner = {inputs.index[c.id]: c.member for c in agreement.contributions}
    parts = []
    for products in interacting_groups(used):
        atoms = _union([used[p] for p in products])
        owners = {owner[i] for i in owner if atoms >> i & 1}
        members = tuple(m for m in agreement.member_ids if m in owners)
        if members:  # a part nobody can bring an input to is worth nothing
            parts.append(Part(tuple(products), members))
    inside = {m for p in parts for m in p.members}
    null = tuple(m for m in agreement.member_ids if m not in inside)
    return Decomposition(tuple(parts), null, weights)


def _union(masks: list[int]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out
