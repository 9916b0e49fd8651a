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

from ..errors import AgreementError
from ..scenario.model import Agreement
from .project import Plan, RiskWeights, risk_weights
from .recipes import (
    MAX_RECIPES,
    _Inputs,
    _recipe_masks,
    expected_value,
    interacting_groups,
    product_recipes,
)

__all__ = [
    "MAX_BASES",
    "MAX_MEMBERS",
    "MAX_PLANS",
    "MAX_RECIPES",
    "agreement_game",
    "coalition_worth",
    "expected_value",
    "grand_plan",
    "part_game",
    "part_worth",
    "product_recipes",
    "worth_function",
]

#: Most members for which the full game (2^n worths) is built.
MAX_MEMBERS = 24
#: Most distinct plans (input sets) evaluated one by one; beyond, shared-input sets are.
MAX_PLANS = 256
#: Most candidate sets of inputs shared between products evaluated for one game.
MAX_BASES = 4096


@dataclass(frozen=True)
class _Costs:
    """Per-atom cost data: owner bit, cost if owned, substitute price (None: none)."""

    owner: list[int]  # -1 for tasks
    own_cost: list[Any]
    price: list[Any]

    @classmethod
    def of(cls, agreement: Agreement, exact: bool, weights: RiskWeights,
           index: dict[str, int]) -> _Costs:
        """``index``: bit of each member taking part (other members' contributions get
        owner -1 and must not appear in the recipes evaluated)."""
        num = (lambda x: Fraction(str(x))) if exact else float
        owner, own, price = [], [], []
        for c in agreement.contributions:
            owner.append(index.get(c.member, -1))
            sub = None if c.substitute_price is None else num(c.substitute_price)
            own.append(num(c.cost) if sub is None else min(num(c.cost), sub))
            price.append(sub)
        for t in agreement.tasks:
            owner.append(-1)
            own.append(num(t.cost) * weights.task[t.id])
            price.append(own[-1])
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


# ---------------------------------------------------------------------- evaluation
class _Space:
    """The coalitions evaluated: all ``2**n`` masks, or a single coalition."""

    def __init__(self, n: int, exact: bool, coalition: int | None = None) -> None:
        self.n, self.exact = n, exact
        self.zero: Any = Fraction(0) if exact else 0.0
        self.dtype: Any = object if exact else float
        if coalition is None:
            self.masks = np.arange(1 << n, dtype=np.int64)
        else:
            self.masks = np.array([coalition], dtype=np.int64 if n < 63 else object)
        self.full = coalition is None

    def zeros(self) -> np.ndarray:
        return np.full(len(self.masks), self.zero, dtype=self.dtype)

    def linear(self, const: Any, d: list[Any]) -> np.ndarray:
        """``const + sum_{m in S} d[m]`` for every coalition ``S`` (doubling over bits)."""
        if not self.full:
            m = int(self.masks[0])
            total = sum((d[i] for i in range(self.n) if m >> i & 1), const)
            return np.array([total], dtype=self.dtype)
        out = np.empty(1 << self.n, dtype=self.dtype)
        out[0] = const
        for i in range(self.n):
            np.add(out[: 1 << i], d[i], out=out[1 << i: 2 << i])
        return out

    def lacking(self, required: int) -> np.ndarray:
        """Coalitions that do not contain every member of ``required``."""
        return (self.masks & required) != required

    def meets_none(self, members: int) -> np.ndarray:
        """Coalitions that contain no member of ``members``."""
        return (self.masks & members) == 0

    def empty(self) -> np.ndarray:
        """The empty coalition."""
        return self.masks == 0


class _Batch:
    """A batch of coalitions as boolean rows over the players (floats only): the worth
    function of agreements too large for ``2**n`` arrays. Same interface as
    :class:`_Space`; each coalition costs :math:`O(n)` per input set evaluated."""

    exact = False
    zero = 0.0
    dtype = float
    full = False

    def __init__(self, members: np.ndarray) -> None:
        self.members = np.asarray(members, dtype=bool)
        self.rows, self.n = self.members.shape
        self._floats: np.ndarray | None = None

    def _columns(self, bits: int) -> np.ndarray:
        return np.array([i for i in range(bits.bit_length()) if bits >> i & 1], dtype=np.int64)

    def zeros(self) -> np.ndarray:
        return np.zeros(self.rows)

    def linear(self, const: Any, d: list[Any]) -> np.ndarray:
        """``const + members @ d``. ``d`` is nonzero only for the owners of the inputs
        involved, usually a few of the n members: those columns alone are summed (the
        matrix is stored by column, so each is contiguous)."""
        if self._floats is None:
            self._floats = np.asfortranarray(self.members, dtype=float)
        dv = np.asarray(d, dtype=float)
        nz = np.flatnonzero(dv)
        if 4 * len(nz) >= self.n:
            return float(const) + self._floats @ dv
        out = np.full(self.rows, float(const))
        for j in nz:
            out += dv[j] * self._floats[:, j]
        return out

    def lacking(self, required: int) -> np.ndarray:
        return ~self.members[:, self._columns(required)].all(axis=1)

    def meets_none(self, members: int) -> np.ndarray:
        return ~self.members[:, self._columns(members)].any(axis=1)

    def empty(self) -> np.ndarray:
        return ~self.members.any(axis=1)


def _shared_atoms(recipe_lists: list[list[int]]) -> int:
    """Atoms used by the recipes of two or more products."""
    seen = shared = 0
    for rs in recipe_lists:
        used = 0
        for r in rs:
            used |= r
        shared |= seen & used
        seen |= used
    return shared


def _bases(recipe_lists: list[list[int]], shared: int) -> list[int]:
    """Candidate sets ``B`` of shared atoms: unions of the shared parts of recipes."""
    bases = {0}
    for rs in recipe_lists:
        parts = {r & shared for r in rs} - {0}
        if parts:
            bases |= {b | p for b in bases for p in parts}
        if len(bases) > MAX_BASES:
            raise TooLargeError(
                f"more than {MAX_BASES} combinations of inputs shared between products; "
                "the agreement has too many alternative ways of making its products"
            )
    return sorted(bases, key=lambda m: (m.bit_count(), m))


class _Evaluator:
    """Worths over a :class:`_Space`; see the Notes of :func:`agreement_game`."""

    #: Bytes of per-recipe arrays kept between input sets.
    CACHE_BYTES = 256 * 2**20

    def __init__(self, agreement: Agreement, space: _Space | _Batch, *,
                 members: list[str] | None = None, products: Iterable[str] | None = None,
                 weights: RiskWeights | None = None) -> None:
        inputs = _Inputs.of(agreement)
        recipes = _recipe_masks(agreement, inputs)
        self.space: _Space | _Batch = space
        weights = risk_weights(agreement, space.exact) if weights is None else weights
        index = {m: i for i, m in enumerate(agreement.member_ids if members is None
                                            else members)}
        self.costs = _Costs.of(agreement, space.exact, weights, index)
        chosen = set(products) if products is not None else None
        evs = [(expected_value(p, space.exact) * weights.product[p.id], recipes[p.id], p.id)
               for p in agreement.products if chosen is None or p.id in chosen]
        self.products = [(ev, rs) for ev, rs, _ in evs if ev > 0]
        self.product_ids = [pid for ev, _, pid in evs if ev > 0]
        self.inputs = inputs
        self.shared = _shared_atoms([rs for _, rs in self.products])
        self.cache: dict[tuple[int, int], np.ndarray | None] = {}
        self.cached = 0
        self._plans: Any = self  # not yet computed

    def use(self, space: _Space | _Batch) -> None:
        """Evaluate another set of coalitions (same players and number type)."""
        self.space = space
        self.cache.clear()
        self.cached = 0

    def recipe_value(self, k: int, r: int) -> np.ndarray | None:
        """``max(0, EV - cost of the recipe's private inputs)`` where ``S`` can make it."""
        if (k, r) in self.cache:
            return self.cache[(k, r)]
        sp, ev = self.space, self.products[k][0]
        const, d, required, _ = self.costs.split(r & ~self.shared, sp.n, sp.exact)
        owners = self.costs.split(r, sp.n, sp.exact)[3]
        arr = None
        if ev - const + sum(d) > 0:
            arr = sp.linear(ev - const, d)
            arr[sp.lacking(required) | sp.meets_none(owners)] = sp.zero
            np.maximum(arr, sp.zero, out=arr)
        if arr is None or self.cached + arr.nbytes <= self.CACHE_BYTES:
            self.cache[(k, r)] = arr
            self.cached += 0 if arr is None else arr.nbytes
        return arr

    def base_value(self, b: int) -> np.ndarray | None:
        """Best value of plans whose shared inputs are ``b`` (None: nothing to make)."""
        sp = self.space
        const, d, required, _ = self.costs.split(b, sp.n, sp.exact)
        lacking = sp.lacking(required)
        if lacking.all():
            return None
        total, useful = sp.linear(-const, d), False
        for k, (_, rs) in enumerate(self.products):
            best = None
            for r in rs:
                arr = None if r & self.shared & ~b else self.recipe_value(k, r)
                if arr is not None:
                    best = arr if best is None else np.maximum(best, arr)
            if best is not None:
                total += best
                useful = True
        if not useful:
            return None
        total[lacking] = sp.zero
        return total

    # ------------------------------------------------------------ whole plans
    def _owners(self, atoms: int) -> tuple[int, int]:
        """``(required, owners)`` bit masks of an input set (see :meth:`_Costs.split`)."""
        required = owners = 0
        for i in range(atoms.bit_length()):
            if atoms >> i & 1 and self.costs.owner[i] >= 0:
                owners |= 1 << self.costs.owner[i]
                if self.costs.price[i] is None:
                    required |= 1 << self.costs.owner[i]
        return required, owners

    def _constraints(self, u: int, cs: tuple[int, ...]) -> tuple[int, ...]:
        """Owner constraints ("S meets c") not implied by ``u``'s required members."""
        required = self._owners(u)[0]
        live = sorted({c for c in cs if not c & required}, key=lambda c: (c.bit_count(), c))
        kept: list[int] = []
        for c in live:
            if not any(k & c == k for k in kept):
                kept.append(c)
        return tuple(kept)

    def plans(self) -> dict[tuple[int, tuple[int, ...]], Any] | None:
        """Best revenue per distinct (input set, owner constraints); None if too many."""
        if self._plans is self:
            self._plans = self._find_plans()
        return self._plans

    def _find_plans(self) -> dict[tuple[int, tuple[int, ...]], Any] | None:
        items: dict[tuple[int, tuple[int, ...]], Any] = {(0, ()): self.space.zero}
        for ev, rs in self.products:
            grown = dict(items)
            for (u, cs), revenue in items.items():
                for r in rs:
                    key = (u | r, self._constraints(u | r, (*cs, self._owners(r)[1])))
                    if key not in grown or grown[key] < revenue + ev:
                        grown[key] = revenue + ev
            if len(grown) > 4 * MAX_PLANS:
                return None
            items = self._undominated(grown)
            if len(items) > MAX_PLANS:
                return None
        return items

    def _undominated(self, items: dict[tuple[int, tuple[int, ...]], Any]
                     ) -> dict[tuple[int, tuple[int, ...]], Any]:
        """Drop plans another plan beats for every coalition (fewer inputs, weaker
        constraints, no less revenue)."""
        kept: dict[tuple[int, tuple[int, ...]], Any] = {}
        for u2, c2 in sorted(items, key=lambda k: (k[0].bit_count(), len(k[1]), k)):
            rev2, req2 = items[(u2, c2)], self._owners(u2)[0]
            if not any(u1 & u2 == u1 and rev1 >= rev2
                       and all(x & req2 or any(y & x == y for y in c2) for x in c1)
                       for (u1, c1), rev1 in kept.items()):
                kept[(u2, c2)] = rev2
        return kept

    def plan_value(self, u: int, cs: tuple[int, ...], revenue: Any) -> np.ndarray | None:
        sp = self.space
        const, d, required, _ = self.costs.split(u, sp.n, sp.exact)
        if revenue - const + sum(d) <= 0:
            return None
        arr = sp.linear(revenue - const, d)
        bad = sp.lacking(required)
        for c in cs:
            bad |= sp.meets_none(c)
        arr[bad] = sp.zero
        return arr

    def worths(self) -> np.ndarray:
        """Worths by whole plans when they are few, else by shared-input sets."""
        best = self.space.zeros()
        plans = self.plans()
        if plans is not None:
            values = (self.plan_value(u, cs, rev) for (u, cs), rev in plans.items())
        else:
            if not hasattr(self, "_bases"):
                self._bases = _bases([rs for _, rs in self.products], self.shared)
            values = (self.base_value(b) for b in self._bases)
        for value in values:
            if value is not None:
                np.maximum(best, value, out=best)
        best[self.space.empty()] = self.space.zero
        return best


    # ------------------------------------------------------------ the grand plan
    def grand_plan(self) -> Plan:
        """What the whole consortium carries out: the input set of greatest value for
        the grand coalition (every product whose recipe it holds is made)."""
        sp = self.space
        plans = self.plans()
        if plans is not None:
            unions = {u for u, _ in plans}
        else:
            unions = set()
            for b in _bases([rs for _, rs in self.products], self.shared):
                u = b
                for k, (_, rs) in enumerate(self.products):
                    options = [(self.recipe_value(k, r), r) for r in rs if not r & self.shared & ~b]
                    best = max(((float(a[0]), r) for a, r in options if a is not None),
                               default=(0.0, 0))
                    u |= best[1] if best[0] > 0 else 0
                unions.add(u)
        best_value, best_u, best_q = sp.zero, 0, ()
        for u in sorted(unions, key=lambda m: (m.bit_count(), m)):
            made = tuple(k for k, (_, rs) in enumerate(self.products)
                         if any(r & u == r for r in rs))
            base, d, _, _ = self.costs.split(u, sp.n, sp.exact)
            value = sum((self.products[k][0] for k in made), sp.zero) - base + sum(d, sp.zero)
            if value > best_value:
                best_value, best_u, best_q = value, u, made
        inputs, products = self.inputs, self.product_ids
        atoms = [a for i, a in enumerate(inputs.atoms) if best_u >> i & 1]
        tasks = frozenset(a for a in atoms if a in inputs.task_needs)
        upfront = sum((self.costs.own_cost[i] for i, a in enumerate(inputs.atoms)
                       if best_u >> i & 1 and a not in inputs.task_needs), sp.zero)
        return Plan(tasks, frozenset(products[k] for k in best_q), upfront)


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
    makes a product only if it brings at least one input of the recipe itself (making
    it wholly from bought inputs is open to anyone and is not the consortium's); so a
    member who brings nothing is a null player, and :math:`v(\\emptyset) = 0`.

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
    The cost of an input set :math:`U` for all :math:`2^n` coalitions at once is
    :math:`\\text{base}(U) - \\sum_{m \\in S} d_m(U)`, where :math:`d_m(U)` is what
    member :math:`m` saves by bringing its own inputs instead of buying them: a subset
    sum built by doubling in :math:`O(2^n)`, masked where :math:`S` lacks the owner of
    an unsubstitutable input. Two exact evaluation orders:

    - *plans*: distinct input sets of product choices (each with its best revenue,
      dominated ones dropped) are enumerated when there are at most
      :data:`MAX_PLANS`; cost :math:`O(\\#\\text{plans} \\cdot 2^n)`;
    - *shared inputs*: otherwise (many products), for each candidate set :math:`B`
      of inputs shared between products, every product independently takes its best
      recipe compatible with :math:`B`, paying only its private inputs, and :math:`B`
      is paid once; cost :math:`O(\\#B \\cdot \\#\\text{recipes} \\cdot 2^n)`.

    ``exact=True`` does the same with fractions in object arrays (small agreements).
    A 20-member agreement with four products builds in well under 2 s.
    """
    n = len(agreement.members)
    if n > MAX_MEMBERS:
        raise TooLargeError(
            f"agreement_game builds all 2^n coalition worths, supported up to {MAX_MEMBERS} "
            f"members; this agreement has {n}. Use coalition_worth() for single coalitions, "
            "worth_function() for batches, and agreements.sharing.allocate for shares "
            "(part by part or sampled; docs/large-consortia.md)."
        )
    values = _Evaluator(agreement, _Space(n, exact)).worths()
    return Game(agreement.member_ids, list(values) if exact else values)


def grand_plan(agreement: Agreement, exact: bool = False) -> Plan:
    """The plan of greatest expected value for the whole consortium: the tasks it carries
    out, the products it makes and the sure cost of the contributions it uses.

    Its value is :math:`v(N)`; the risk simulation plays this plan out, so under risk
    neutrality the simulated mean outcome is :math:`v(N)`.

    >>> import agreements
    >>> plan = grand_plan(agreements.load("scenarios/baoshan_medical_devices.yaml"))
    >>> sorted(plan.tasks), sorted(plan.products)
    (['t_analysers', 't_automation', 't_clinical'], ['p_smart_lab', 'p_software_licence'])
    """
    n = len(agreement.members)
    if n <= MAX_MEMBERS:
        return _Evaluator(agreement, _Space(n, exact, coalition=(1 << n) - 1)).grand_plan()
    # large agreements: the best plan of each group of interacting products (their
    # inputs are disjoint, so the plans add up; docs/large-consortia.md)
    inputs = _Inputs.of(agreement)
    recipes = _recipe_masks(agreement, inputs)
    weights = risk_weights(agreement, exact)
    used = {p.id: _union_of(recipes[p.id]) for p in agreement.products}
    tasks: set[str] = set()
    products: set[str] = set()
    upfront: Any = Fraction(0) if exact else 0.0
    for group in interacting_groups(used):
        plan = _Evaluator(agreement, _Space(n, exact, coalition=(1 << n) - 1),
                          products=group, weights=weights).grand_plan()
        tasks |= plan.tasks
        products |= plan.products
        upfront += plan.upfront_cost
    return Plan(frozenset(tasks), frozenset(products), upfront)


def _union_of(masks: list[int]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


def coalition_worth(agreement: Agreement, coalition: Iterable[str],
                    exact: bool = False) -> Any:
    """Worth of one coalition (member ids) without building the whole game.

    Works for any number of members, in time linear in the number of members per
    (input set, recipe) pair.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> bool(coalition_worth(a, a.member_ids) == agreement_game(a).grand_value)
    True
    """
    index = {m: i for i, m in enumerate(agreement.member_ids)}
    chosen = list(coalition)
    unknown = [m for m in chosen if m not in index]
    if unknown:
        raise AgreementError(f"unknown member(s) {unknown}; members are {agreement.member_ids}")
    mask = sum(1 << index[m] for m in set(chosen))
    value = _Evaluator(agreement, _Space(len(index), exact, coalition=mask)).worths()[0]
    return value if exact else float(value)


def part_game(agreement: Agreement, members: list[str], products: Iterable[str], *,
              exact: bool = False, weights: RiskWeights | None = None) -> Game:
    """The game of one part of an agreement: the given products only, over ``members``.

    .. math:: v_P(S) = \\max_{Q \\subseteq P, \\rho} \\sum_{p \\in Q} EV(p)
        - \\sum_{x \\in \\bigcup_p \\rho_p} k_S(x)

    as in :func:`agreement_game` but with products restricted to ``P``; ``members`` must
    own every contribution in the products' recipes (the owners of the part, see
    :func:`agreements.valuation.decompose.parts`). ``weights`` are the whole agreement's
    risk weights (default: computed), so that a part's figures are the agreement's.

    Raises
    ------
    TooLargeError
        More than :data:`MAX_MEMBERS` members.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> g = part_game(a, a.member_ids, [p.id for p in a.products])
    >>> bool(abs(g.grand_value - agreement_game(a).grand_value) < 1e-9)
    True
    """
    n = len(members)
    if n > MAX_MEMBERS:
        raise TooLargeError(f"a part of {n} members is too large for its 2^n worths "
                            f"(at most {MAX_MEMBERS})")
    ev = _Evaluator(agreement, _Space(n, exact), members=list(members), products=products,
                    weights=weights)
    values = ev.worths()
    return Game(list(members), list(values) if exact else values)


def worth_function(agreement: Agreement, members: list[str] | None = None,
                   products: Iterable[str] | None = None,
                   weights: RiskWeights | None = None) -> Any:
    """Worths of batches of coalitions, without ``2**n`` arrays (floats).

    Returns ``fn(rows) -> array``: ``rows`` a boolean array of shape ``(k, n)`` (row =
    coalition, column ``j`` = ``members[j]``, default every member in file order), the
    result the ``k`` worths of :func:`agreement_game`'s definition (restricted to
    ``products`` when given, as :func:`part_game`).

    Notes
    -----
    Each coalition costs :math:`O(n)` per input set (plan) evaluated, as a matrix
    product; plans are found once.

    >>> import numpy as np, agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> fn = worth_function(a)
    >>> rows = np.array([[True] * len(a.members), [False] * len(a.members)])
    >>> [round(float(x), 6) for x in fn(rows)] == [round(coalition_worth(a, a.member_ids), 6), 0]
    True
    """
    ids = agreement.member_ids if members is None else list(members)
    ev = _Evaluator(agreement, _Batch(np.zeros((1, len(ids)), dtype=bool)), members=ids,
                    products=products, weights=weights)

    def fn(rows: np.ndarray) -> np.ndarray:
        ev.use(_Batch(rows))
        return np.asarray(ev.worths(), dtype=float)

    return fn


def part_worth(agreement: Agreement, members: list[str], products: Iterable[str], *,
               exact: bool = False, weights: RiskWeights | None = None) -> Any:
    """Worth of the coalition ``members`` in the game of ``products`` only (one
    coalition; any size): :math:`v_P(N_P)` of :func:`part_game`.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> bool(part_worth(a, a.member_ids, [p.id for p in a.products], exact=True)
    ...      == coalition_worth(a, a.member_ids, exact=True))
    True
    """
    n = len(members)
    ev = _Evaluator(agreement, _Space(n, exact, coalition=(1 << n) - 1),
                    members=list(members), products=products, weights=weights)
    value = ev.worths()[0]
    return value if exact else float(value)
