"""Recipes: the minimal ways of making each product, and a product's expected value.

A product's ``needs`` name contributions and results; a result stands for the task that
produces it plus that task's needs. Expanding them gives the product's *recipes*:
minimal sets of contributions and tasks (``all_of`` takes unions, each ``any_of`` group
one alternative). Recipes are the inputs of the agreement's game
(:mod:`agreements.valuation.game`) and of the veto-member query (:mod:`agreements.valuation.graph`).
"""

from __future__ import annotations

import contextlib
import graphlib
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sharing_models import TooLargeError

from ..errors import AgreementError
from ..scenario.model import Agreement, Needs, Product

__all__ = ["MAX_RECIPES", "expected_value", "interacting_groups", "product_recipes"]

#: Most minimal recipes per product (and per intermediate result).
MAX_RECIPES = 512


def expected_value(product: Product, exact: bool = False) -> Any:
    """Expected net value of a product over its life.

    .. math::

        EV(p) = R_p \\, m_p \\, \\pi_p \\sum_{t=1}^{T_p} (1 + r_p)^{-t}

    with expected annual revenue :math:`R_p`, operating margin :math:`m_p`, success
    probability :math:`\\pi_p`, years :math:`T_p` and discount rate :math:`r_p`.

    >>> from agreements.scenario.model import Product
    >>> p = Product.model_validate({"id": "p", "needs": {}, "revenue": {"expected": 100},
    ...     "operating_margin": 0.5, "success_probability": 0.8, "years": 2,
    ...     "discount_rate": 0.25})
    >>> round(expected_value(p), 6)  # 100 * 0.5 * 0.8 * (0.8 + 0.64)
    57.6
    >>> expected_value(p, exact=True)
    Fraction(288, 5)
    """
    num = (lambda x: Fraction(str(x))) if exact else float
    r = num(product.discount_rate)
    annuity = sum(((1 + r) ** -t for t in range(1, product.years + 1)), num(0))
    return (num(product.revenue.expected) * num(product.operating_margin)
            * num(product.success_probability) * annuity)


@dataclass(frozen=True)
class _Inputs:
    """Atoms (contributions, then tasks) and the agreement's maps, built once."""

    atoms: tuple[str, ...]
    index: dict[str, int]
    producer: dict[str, str]  # result id -> task id
    task_needs: dict[str, Needs]

    @classmethod
    def of(cls, agreement: Agreement) -> _Inputs:
        atoms = [c.id for c in agreement.contributions] + [t.id for t in agreement.tasks]
        producer = {r: t.id for t in agreement.tasks for r in t.produces}
        return cls(tuple(atoms), {a: i for i, a in enumerate(atoms)}, producer,
                   {t.id: t.needs for t in agreement.tasks})


def _minimal(recipes: Iterable[int], what: str) -> list[int]:
    """Distinct recipes (atom bitmasks) that contain no other recipe, smallest first."""
    kept: list[int] = []
    for r in sorted(set(recipes), key=lambda m: (m.bit_count(), m)):
        if not any(k & r == k for k in kept):
            kept.append(r)
    if len(kept) > MAX_RECIPES:
        raise TooLargeError(
            f"{what} can be met in more than {MAX_RECIPES} minimal ways (any_of alternatives "
            "multiply); merge alternatives or split the product"
        )
    return kept


def _cross(a: list[int], b: list[int], what: str) -> list[int]:
    """All unions of one recipe of ``a`` with one of ``b`` (an all-of)."""
    return _minimal((x | y for x in a for y in b), what)


def _needs_recipes(needs: Needs, inputs: _Inputs, memo: dict[str, list[int]],
                   what: str, stack: tuple[str, ...]) -> list[int]:
    out = [0]
    for x in needs.all_of:
        out = _cross(out, _id_recipes(x, inputs, memo, stack), what)
    for group in needs.any_of:
        alts = [r for x in group for r in _id_recipes(x, inputs, memo, stack)]
        out = _cross(out, _minimal(alts, what), what)
    return out


def _id_recipes(x: str, inputs: _Inputs, memo: dict[str, list[int]],
                stack: tuple[str, ...]) -> list[int]:
    if x in memo:
        return memo[x]
    if x not in inputs.producer:  # a contribution
        if x not in inputs.index:
            raise AgreementError(f"{x!r} is neither a contribution nor a produced result")
        return [1 << inputs.index[x]]
    task = inputs.producer[x]
    if task in stack:
        raise AgreementError(f"task dependencies form a cycle through {task!r}")
    inner = _needs_recipes(inputs.task_needs[task], inputs, memo, f"result {x!r}",
                           (*stack, task))
    memo[x] = [r | 1 << inputs.index[task] for r in inner]
    return memo[x]


def _needed(needs: Needs) -> list[str]:
    return [*needs.all_of, *(x for group in needs.any_of for x in group)]


def _recipe_masks(agreement: Agreement, inputs: _Inputs) -> dict[str, list[int]]:
    produced = {t.id: t.produces for t in agreement.tasks}
    memo: dict[str, list[int]] = {}
    # Results in dependency order first, so that each expansion finds its inputs in the
    # memo: the recursion stays shallow for a chain of any length (cycles are left to
    # the recursive expansion, which reports them).
    graph = {t: {inputs.producer[x] for x in _needed(needs) if x in inputs.producer}
             for t, needs in inputs.task_needs.items()}
    with contextlib.suppress(graphlib.CycleError):
        for task in graphlib.TopologicalSorter(graph).static_order():
            for x in produced.get(task, ()):
                _id_recipes(x, inputs, memo, ())
    return {p.id: _needs_recipes(p.needs, inputs, memo, f"product {p.id!r}", ())
            for p in agreement.products}


def product_recipes(agreement: Agreement) -> dict[str, list[frozenset[str]]]:
    """Minimal recipes of each product: sets of contributions and tasks that make it.

    A result is replaced by the task producing it plus that task's needs; ``all_of``
    takes unions, each ``any_of`` group one alternative; recipes containing another
    recipe are dropped.

    Raises
    ------
    TooLargeError
        A product has more than :data:`MAX_RECIPES` minimal recipes.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> [sorted(r) for r in product_recipes(a)["p_software_licence"]]
    [['fosun_cash', 'fosun_platform_ip', 'shu_ai_team', 't_automation']]
    """
    inputs = _Inputs.of(agreement)
    return {
        pid: [frozenset(a for i, a in enumerate(inputs.atoms) if r >> i & 1) for r in rs]
        for pid, rs in _recipe_masks(agreement, inputs).items()
    }


def interacting_groups(used: dict[str, int]) -> list[list[str]]:
    """Products grouped by shared inputs (transitively): ``used`` maps each product to
    the bitmask of every input in any of its recipes. Groups in order of first product.

    >>> interacting_groups({"a": 0b011, "b": 0b100, "c": 0b110, "d": 0b1000})
    [['a', 'b', 'c'], ['d']]
    """
    names = list(used)
    parent = list(range(len(names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(names)):
        for j in range(i):
            if used[names[i]] & used[names[j]]:
                parent[find(i)] = find(j)
    groups: dict[int, list[str]] = {}
    for i, name in enumerate(names):
        groups.setdefault(find(i), []).append(name)
    return list(groups.values())
