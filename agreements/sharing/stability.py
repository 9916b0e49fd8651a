"""Core membership at scale: the largest excess of a coalition over an allocation.

For an allocation :math:`x` with :math:`x(N) = v(N)`, the excess of a coalition is
:math:`e(S) = v(S) - x(S)`; :math:`x` is in the core iff no coalition has positive
excess. For agreements too large for the whole game, the search uses the structure:

- the game is a sum of part games (:mod:`agreements.valuation.decompose`); grouping
  parts that share members into *components* :math:`M_c`, the excess separates,
  :math:`e(S) = \\sum_c e_c(S \\cap M_c) - x(S \\cap Z)` (:math:`Z` the null members),
  so :math:`\\max_S e(S)` is found component by component;
- a component of at most :data:`~agreements.sharing.structure.GAME_MEMBERS` members is
  searched exhaustively (its :math:`2^{|M_c|}` worths);
- a larger one by a mixed-integer program over the agreement's own structure (members
  in or out, inputs acquired, owned inputs used, one recipe per product), solved by
  HiGHS through :func:`scipy.optimize.milp`; when the solver stops at its time limit
  the result is a bound (``exact=False``), with the best coalition found.

The largest excess is the least-core value of :math:`x`: the smallest
:math:`\\varepsilon` with :math:`x(S) \\ge v(S) - \\varepsilon` for all :math:`S`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.model import Agreement
from ..valuation.decompose import Decomposition, Part, decompose
from ..valuation.game import _Costs, part_game
from ..valuation.recipes import _Inputs, _recipe_masks, expected_value
from .structure import GAME_MEMBERS

__all__ = ["CoreCheck", "core_check"]


@dataclass(frozen=True)
class CoreCheck:
    """The result of :func:`core_check`.

    ``in_core`` is None when undecided (the solver stopped between its bounds);
    ``excess`` the largest excess found, ``upper`` an upper bound on the largest excess
    (equal to ``excess`` when ``exact``); ``coalition`` a coalition with that excess.
    """

    in_core: bool | None
    excess: float
    upper: float
    coalition: tuple[str, ...]
    exact: bool
    method: str


def core_check(agreement: Agreement, amount: pd.Series | dict[str, Any], *,
               tol: float = 1e-9, time_limit: float = 60.0) -> CoreCheck:
    """Whether an allocation is in the core of a (large) agreement's game, by searching
    for a blocking coalition over the agreement's structure.

    .. math:: \\varepsilon^* = \\max_{\\emptyset \\ne S \\subseteq N} v(S) - x(S),
        \\qquad x \\in C(v) \\iff x(N) = v(N) \\text{ and } \\varepsilon^* \\le 0.

    Parameters
    ----------
    agreement : Agreement
    amount : Series or dict
        Each member's amount (member id -> money); sums to :math:`v(N)`.
    tol : float
        Excess tolerated, relative to :math:`\\max(1, |v(N)|)`.
    time_limit : float
        Seconds per mixed-integer program.

    Returns
    -------
    CoreCheck

    Examples
    --------
    >>> import agreements
    >>> from agreements.sharing import allocate
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> c = core_check(a, allocate(a, "shapley", exact=False)["amount"])
    >>> c.in_core, c.exact
    (True, True)

    Notes
    -----
    Cost: :math:`O(2^{m})` per component of :math:`m \\le 20` members; a MILP (NP-hard
    in general, fast on loosely coupled agreements) per larger one. References:
    [Gillies1959]_, [MaschlerPelegShapley1979]_.
    """
    x = {m: float(v) for m, v in dict(amount).items()}
    d = decompose(agreement)
    total = sum(x.values())
    scale = max(1.0, abs(total))
    best: list[tuple[float, float, tuple[str, ...], bool, str]] = []
    for comp_parts, members in _components(d):
        if len(members) <= GAME_MEMBERS:
            best.append(_enumerate(agreement, d, comp_parts, members, x))
        else:
            best.append(_milp(agreement, d, comp_parts, members, x, time_limit))
    for m in d.null:
        best.append((-x.get(m, 0.0), -x.get(m, 0.0), (m,), True, "null member"))
    if not best:
        return CoreCheck(True, 0.0, 0.0, (), True, "nothing to share")
    # a union of components' best coalitions adds their positive excesses
    pos = [b for b in best if b[0] > 0]
    if pos:
        excess = sum(b[0] for b in pos)
        coalition = tuple(m for b in pos for m in b[2])
    else:
        top = max(best, key=lambda b: b[0])
        excess, coalition = top[0], top[2]
    upper = sum(max(0.0, b[1]) for b in best) if any(b[1] > 0 for b in best) \
        else max(b[1] for b in best)
    exact = all(b[3] for b in best)
    limit = tol * scale
    in_core: bool | None = excess <= limit if (exact or excess > limit) else (
        True if upper <= limit else None)
    methods = sorted({b[4] for b in best})
    return CoreCheck(in_core, excess, upper, coalition, exact, ", ".join(methods))


def _components(d: Decomposition) -> list[tuple[list[Part], list[str]]]:
    """Parts grouped by shared members (union-find), with their members."""
    groups: list[tuple[list[Part], set[str]]] = []
    for p in d.parts:
        joined = [g for g in groups if g[1] & set(p.members)]
        parts, members = [p], set(p.members)
        for g in joined:
            parts += g[0]
            members |= g[1]
            groups.remove(g)
        groups.append((parts, members))
    order = {m: i for i, m in enumerate(m for p in d.parts for m in p.members)}
    return [(parts, sorted(members, key=order.__getitem__)) for parts, members in groups]


def _enumerate(agreement: Agreement, d: Decomposition, parts: list[Part],
               members: list[str], x: dict[str, float]
               ) -> tuple[float, float, tuple[str, ...], bool, str]:
    n = len(members)
    masks = np.arange(1 << n, dtype=np.int64)
    col = {m: j for j, m in enumerate(members)}
    v = np.zeros(1 << n)
    for p in parts:
        g = part_game(agreement, list(p.members), p.products, weights=d.weights)
        local = np.zeros(1 << n, dtype=np.int64)
        for j, m in enumerate(p.members):
            local |= ((masks >> col[m]) & 1) << j
        v += np.asarray(g.values, dtype=float)[local]
    xs = np.zeros(1 << n)
    for j, m in enumerate(members):
        xs[1 << j: 2 << j] = xs[: 1 << j] + x.get(m, 0.0)
    e = v - xs
    e[0] = -np.inf
    k = int(np.argmax(e))
    return float(e[k]), float(e[k]), tuple(m for j, m in enumerate(members) if k >> j & 1), \
        True, "enumeration"


def _milp(agreement: Agreement, d: Decomposition, parts: list[Part], members: list[str],
          x: dict[str, float], time_limit: float
          ) -> tuple[float, float, tuple[str, ...], bool, str]:
    """max_S v(S) - x(S) over one component as a MILP (module docstring)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    inputs = _Inputs.of(agreement)
    recipes = _recipe_masks(agreement, inputs)
    index = {m: i for i, m in enumerate(members)}
    costs = _Costs.of(agreement, False, d.weights, index)
    products = [p for p in agreement.products if p.id in {q for pt in parts for q in pt.products}]
    atoms = sorted({i for p in products for r in recipes[p.id]
                    for i in range(r.bit_length()) if r >> i & 1})
    # variables: z (members), u (atoms), w (owned substitutable atoms), y (recipes)
    nz, na = len(members), len(atoms)
    owned = [a for a in atoms if costs.owner[a] >= 0 and costs.price[a] is not None]
    nw = len(owned)
    ys = [(p, r) for p in products for r in recipes[p.id]]
    ny = len(ys)
    nv = nz + na + nw + ny
    c = np.zeros(nv)
    for m, i in index.items():
        c[i] = x.get(m, 0.0)  # minimise -(objective)
    upos = {a: nz + k for k, a in enumerate(atoms)}
    for a in atoms:
        c[upos[a]] = float(costs.price[a] if costs.price[a] is not None else costs.own_cost[a])
    wpos = {a: nz + na + k for k, a in enumerate(owned)}
    for a in owned:
        c[wpos[a]] = -float(costs.price[a] - costs.own_cost[a])
    ev = {p.id: float(expected_value(p) * d.weights.product[p.id]) for p in products}
    for k, (p, _) in enumerate(ys):
        c[nz + na + nw + k] = -ev[p.id]
    entries: list[tuple[int, int, float]] = []
    lo: list[float] = []
    hi: list[float] = []

    def add(coefs: dict[int, float], low: float, high: float) -> None:
        entries.extend((len(lo), j, val) for j, val in coefs.items())
        lo.append(low)
        hi.append(high)

    for a in atoms:
        o = costs.owner[a]
        if o >= 0 and costs.price[a] is None:
            add({upos[a]: 1, o: -1}, -np.inf, 0)  # needs its owner
    for a in owned:
        add({wpos[a]: 1, upos[a]: -1}, -np.inf, 0)
        add({wpos[a]: 1, costs.owner[a]: -1}, -np.inf, 0)
    for k, (_, r) in enumerate(ys):
        yk = nz + na + nw + k
        owners = set()
        for i in range(r.bit_length()):
            if r >> i & 1:
                add({yk: 1, upos[i]: -1}, -np.inf, 0)
                if costs.owner[i] >= 0:
                    owners.add(costs.owner[i])
        add({yk: 1, **{o: -1 for o in owners}}, -np.inf, 0)
    for p in products:
        add({nz + na + nw + k: 1 for k, (q, _) in enumerate(ys) if q.id == p.id}, -np.inf, 1)
    add(dict.fromkeys(range(nz), 1), 1, np.inf)  # non-empty
    r_idx, c_idx, vals = zip(*entries, strict=True)
    a_mat = coo_matrix((vals, (r_idx, c_idx)), shape=(len(lo), nv)).tocsr()
    res = milp(c, integrality=np.ones(nv), bounds=Bounds(0, 1),
               constraints=LinearConstraint(a_mat, lo, hi),
               options={"time_limit": time_limit, "disp": False})
    if res.x is None:
        return -np.inf, np.inf, (), False, "MILP (no solution found)"
    found = -float(res.fun)
    bound = -float(getattr(res, "mip_dual_bound", res.fun) or res.fun)
    exact = res.status == 0
    coalition = tuple(m for m, i in index.items() if res.x[i] > 0.5)
    return found, found if exact else max(found, bound), coalition, exact, \
        "MILP" if exact else "MILP (time limit: bound)"
