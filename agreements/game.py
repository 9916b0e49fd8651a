"""The agreement's cooperative game: what each coalition of members can realise alone.

The worth of a coalition :math:`S` is the best expected net value :math:`S` can make on
its own: it picks the products to make and, for each, one way ("recipe") of meeting
its needs; it pays for every input of the chosen recipes once (a shared input is paid
once), its own contributions at their cost, missing contributions at their market
substitute price when they have one; contributions of outsiders without a substitute
are out of reach. The definition, with a worked example, is in ``docs/agreement-game.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from sharing_models import Game, TooLargeError

from .errors import AgreementError
from .model import Agreement, Needs, Product

__all__ = [
    "MAX_MEMBERS",
    "MAX_RECIPES",
    "MAX_UNIONS",
    "agreement_game",
    "coalition_worth",
    "expected_value",
    "product_recipes",
]

#: Most members for which the full game (2^n worths) is built.
MAX_MEMBERS = 24
#: Most minimal recipes per product (and per intermediate result).
MAX_RECIPES = 512
#: Most distinct input sets (unions of recipes) evaluated for one game.
MAX_UNIONS = 20_000


def expected_value(product: Product, exact: bool = False) -> Any:
    """Expected net value of a product over its life.

    .. math::

        EV(p) = R_p \\, m_p \\, \\pi_p \\sum_{t=1}^{T_p} (1 + r_p)^{-t}

    with expected annual revenue :math:`R_p`, operating margin :math:`m_p`, success
    probability :math:`\\pi_p`, years :math:`T_p` and discount rate :math:`r_p`.

    >>> from agreements.model import Product
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


# ---------------------------------------------------------------------- recipes
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


def _recipe_masks(agreement: Agreement, inputs: _Inputs) -> dict[str, list[int]]:
    memo: dict[str, list[int]] = {}
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


# ---------------------------------------------------------------------- unions
def _unions(agreement: Agreement, inputs: _Inputs, exact: bool) -> dict[int, Any]:
    """Best expected value per distinct input set (union of one recipe per chosen product).

    Input sets whose value is no better than a subset's are dropped: costs only grow
    with the input set, so they can never be optimal.
    """
    recipes = _recipe_masks(agreement, inputs)
    best: dict[int, Any] = {0: Fraction(0) if exact else 0.0}
    for product in agreement.products:
        ev = expected_value(product, exact)
        if ev <= 0:
            continue
        grown = dict(best)
        for u, value in best.items():
            for r in recipes[product.id]:
                if grown.get(u | r, -1) < value + ev:
                    grown[u | r] = value + ev
        best = _undominated(grown)
        if len(best) > MAX_UNIONS:
            raise TooLargeError(
                f"more than {MAX_UNIONS} distinct input sets across products; "
                "the agreement has too many alternative ways of making its products"
            )
    return best


def _undominated(best: dict[int, Any]) -> dict[int, Any]:
    kept: dict[int, Any] = {}
    for u in sorted(best, key=lambda m: (m.bit_count(), m)):
        if not any(k & u == k and kv >= best[u] for k, kv in kept.items()):
            kept[u] = best[u]
    return kept


@dataclass(frozen=True)
class _Costs:
    """Per-atom cost data: owner bit, cost if owned, substitute price (None: none)."""

    owner: list[int]  # -1 for tasks
    own_cost: list[Any]
    price: list[Any]

    @classmethod
    def of(cls, agreement: Agreement, exact: bool) -> _Costs:
        num = (lambda x: Fraction(str(x))) if exact else float
        index = {m: i for i, m in enumerate(agreement.member_ids)}
        owner, own, price = [], [], []
        for c in agreement.contributions:
            owner.append(index[c.member])
            sub = None if c.substitute_price is None else num(c.substitute_price)
            own.append(num(c.cost) if sub is None else min(num(c.cost), sub))
            price.append(sub)
        for t in agreement.tasks:
            owner.append(-1)
            own.append(num(t.cost))
            price.append(num(t.cost))
        return cls(owner, own, price)

    def split(self, union: int, n: int, exact: bool) -> tuple[Any, list[Any], int, int]:
        """``(base, d, required, owners)`` of an input set.

        cost(S) = base - sum_{m in S} d[m]; ``d[m] >= 0`` is what member ``m`` saves the
        coalition by bringing its own contributions instead of buying substitutes. S can
        use the input set when ``required`` (owners of unsubstitutable inputs) ⊆ S and S
        meets ``owners`` (owners of any input): see :func:`_usable`.
        """
        base: Any = Fraction(0) if exact else 0.0
        d: list[Any] = [base] * n
        required = owners = 0
        for i in range(union.bit_length()):
            if not union >> i & 1:
                continue
            o, own, price = self.owner[i], self.own_cost[i], self.price[i]
            if o >= 0:
                owners |= 1 << o
            if price is None:
                required |= 1 << o
                base += own
            else:
                base += price
                if o >= 0:
                    d[o] += price - own
        return base, d, required, owners


def _usable(mask: int, required: int, owners: int) -> bool:
    """A coalition can carry out a plan when it owns every unsubstitutable input and
    brings at least one input itself."""
    return mask & required == required and mask & owners != 0


# ---------------------------------------------------------------------- the game
def agreement_game(agreement: Agreement, exact: bool = False) -> Game:
    """The agreement's TU game: worth of each coalition of members acting alone.

    .. math::

        v(S) = \\max\\Big(0, \\max_{Q \\subseteq P,\\; \\rho \\in \\prod_{p \\in Q} R_p}
        \\sum_{p \\in Q} EV(p) - \\sum_{x \\in \\bigcup_{p \\in Q} \\rho_p} k_S(x)\\Big)

    over sets :math:`Q` of products and a recipe :math:`\\rho_p` (minimal set of
    contributions and tasks, see :func:`product_recipes`) for each; :math:`EV` is
    :func:`expected_value`. The acquisition cost :math:`k_S(x)` of a task is its cost;
    of a contribution owned by :math:`o(x)` it is ``min(cost, substitute_price)`` when
    :math:`o(x) \\in S`, the substitute price when :math:`o(x) \\notin S`, and infinite
    (unavailable) when it has no substitute and :math:`o(x) \\notin S`. A coalition
    must also bring at least one contribution of the plan itself: a plan made wholly of
    bought inputs is open to anyone and is not the consortium's. So a member who brings
    nothing is a null player, and :math:`v(\\emptyset) = 0`.

    Parameters
    ----------
    agreement : Agreement
    exact : bool, default False
        Worths as :class:`fractions.Fraction` (each figure read as its decimal).

    Returns
    -------
    Game
        Players are member ids in file order.

    Raises
    ------
    TooLargeError
        More than :data:`MAX_MEMBERS` members, or too many recipes or input sets.

    Examples
    --------
    A university with an invention (cost 2, no substitute), a firm with cash (cost 10,
    or 12 from a bank) and a lab with lab time (cost 3, or 8 on the market); a
    development task (cost 20) needs all three and makes a product worth 100:

    >>> import agreements
    >>> a = agreements.Agreement.from_mapping({
    ...     "id": "demo", "name": {"en": "Demo"},
    ...     "members": [{"id": m, "name": {"en": m}, "kind": "enterprise"}
    ...                 for m in ("uni", "firm", "lab")],
    ...     "contributions": [
    ...         {"id": "ip", "member": "uni", "kind": "background_ip", "valuation": 5,
    ...          "cost": 2},
    ...         {"id": "cash", "member": "firm", "kind": "cash", "valuation": 10,
    ...          "cost": 10, "substitute_price": 12},
    ...         {"id": "time", "member": "lab", "kind": "facility", "valuation": 3,
    ...          "cost": 3, "substitute_price": 8}],
    ...     "tasks": [{"id": "dev", "needs": {"all_of": ["ip", "cash", "time"]},
    ...                "produces": ["device"], "cost": 20}],
    ...     "results": [{"id": "device"}],
    ...     "products": [{"id": "sales", "needs": {"all_of": ["device"]},
    ...                   "revenue": {"expected": 100}}]})
    >>> g = agreement_game(a)
    >>> [float(g.value(s)) for s in (["uni"], ["uni", "firm"], ["firm", "lab"], g.players)]
    [58.0, 60.0, 0.0, 65.0]

    The university alone buys cash and lab time: 100 - (2 + 12 + 8 + 20) = 58. Without
    the university nothing can be made: its invention has no substitute.

    Notes
    -----
    Recipes and input sets are enumerated once; for each distinct input set :math:`U`
    the cost for all :math:`2^n` coalitions at once is
    :math:`\\text{base}(U) - \\sum_{m \\in S} d_m(U)`, a subset sum built by doubling,
    masked where :math:`S` lacks an owner of an unsubstitutable input. Cost
    :math:`O(|\\mathcal{U}| \\, 2^n)` numpy work; ``exact=True`` uses Python fractions
    and is for small agreements.
    """
    n = len(agreement.members)
    if n > MAX_MEMBERS:
        raise TooLargeError(
            f"agreement_game builds all 2^n coalition worths, supported up to {MAX_MEMBERS} "
            f"members; this agreement has {n}. Use coalition_worth() for single coalitions."
        )
    inputs = _Inputs.of(agreement)
    unions = _unions(agreement, inputs, exact)
    costs = _Costs.of(agreement, exact)
    values = _exact_values(unions, costs, n) if exact else _float_values(unions, costs, n)
    return Game(agreement.member_ids, values)


def _float_values(unions: dict[int, float], costs: _Costs, n: int) -> np.ndarray:
    masks = np.arange(1 << n, dtype=np.int64)
    best = np.zeros(1 << n)
    sums = np.empty(1 << n)
    for u, revenue in unions.items():
        base, d, required, owners = costs.split(u, n, exact=False)
        if revenue - base + sum(d) <= 0:
            continue  # cannot beat 0 for any coalition
        sums[0] = revenue - base
        for i in range(n):
            np.add(sums[: 1 << i], d[i], out=sums[1 << i: 2 << i])
        if required:
            sums[(masks & required) != required] = 0.0
        else:
            sums[(masks & owners) == 0] = 0.0
        np.maximum(best, sums, out=best)
    best[0] = 0.0  # the empty coalition makes nothing, even from bought inputs
    return best


def _exact_values(unions: dict[int, Any], costs: _Costs, n: int) -> list[Fraction]:
    best = [Fraction(0)] * (1 << n)
    for u, revenue in unions.items():
        base, d, required, owners = costs.split(u, n, exact=True)
        sums = [revenue - base]
        for i in range(n):
            sums += [s + d[i] for s in sums]
        for m, value in enumerate(sums):
            if value > best[m] and _usable(m, required, owners):
                best[m] = value
    best[0] = Fraction(0)
    return best


def coalition_worth(agreement: Agreement, coalition: Iterable[str],
                    exact: bool = False) -> Any:
    """Worth of one coalition (member ids) without building the whole game.

    Works for any number of members; cost is :math:`O(|\\mathcal{U}| \\, n)`.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> bool(coalition_worth(a, a.member_ids) == agreement_game(a).grand_value)
    True
    """
    index = {m: i for i, m in enumerate(agreement.member_ids)}
    unknown = [m for m in coalition if m not in index]
    if unknown:
        raise AgreementError(f"unknown member(s) {unknown}; members are {agreement.member_ids}")
    s = sum(1 << index[m] for m in set(coalition))
    n = len(index)
    costs = _Costs.of(agreement, exact)
    best: Any = Fraction(0) if exact else 0.0
    if s == 0:
        return best
    for u, revenue in _unions(agreement, _Inputs.of(agreement), exact).items():
        base, d, required, owners = costs.split(u, n, exact)
        if _usable(s, required, owners):
            best = max(best, revenue - base + sum(d[i] for i in range(n) if s >> i & 1))
    return best if exact else float(best)
