"""The consortium's outcome by observable state, exactly, under one view.

The consortium carries out its plan (:func:`agreements.valuation.game.grand_plan` of the
agreement as written). An *event* is whether a product of the plan launches (its tasks
succeed and it then succeeds on the market); a *state* is the set of products that
launch. Under a view (the agreement with one member's figures) the project's stage and
market outcomes are enumerated exactly, with the same rules as the simulation
(:mod:`sharing_models.risk.kernel`), giving for every state :math:`s`

.. math::

    \\pi(s) = P(S = s), \\qquad m(s) = E[X \\, 1\\{S = s\\}],

where :math:`X` is the discounted net outcome (revenue of launched products less the
cost of attempted tasks and the contributions paid up front), as in the agreement's
game: :math:`\\sum_s m(s) = E[X]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product as cartesian

import numpy as np

from sharing_models import InvalidInputError, TooLargeError
from sharing_models.risk.kernel import _met

from ..scenario.model import Agreement
from ..valuation.game import grand_plan
from ..valuation.project import Plan, project_from_agreement

__all__ = ["MAX_UNCERTAIN", "StateTable", "state_table"]

#: Most uncertain stage and market outcomes enumerated for one view.
MAX_UNCERTAIN = 20


@dataclass(frozen=True)
class StateTable:
    """``events`` (product ids), ``states`` (tuples of 0/1 per event), and per state the
    probability ``prob`` and ``mass`` :math:`E[X 1\\{S=s\\}]`; ``expected`` is
    :math:`E[X]`; ``launch`` is every plan product's launch probability."""

    events: tuple[str, ...]
    states: tuple[tuple[int, ...], ...]
    prob: np.ndarray
    mass: np.ndarray
    launch: dict[str, float] = field(default_factory=dict)  # P(launch) of every product

    @property
    def expected(self) -> float:
        """The view's expected net outcome of the plan."""
        return float(self.mass.sum())

    def conditional(self) -> np.ndarray:
        """:math:`E[X \\mid S = s]` (0 where the state has probability 0)."""
        return np.divide(self.mass, self.prob, out=np.zeros_like(self.mass),
                         where=self.prob > 0)


def state_table(view: Agreement, plan: Plan | None = None,
                events: tuple[str, ...] | None = None) -> StateTable:
    """Probabilities and outcome masses of each launch state of ``plan`` under ``view``.

    Parameters
    ----------
    view : Agreement
        The agreement with one member's figures (:func:`agreements.negotiation.with_view`).
    plan : Plan, optional
        What the consortium carries out; default the grand plan of ``view`` itself.
    events : tuple of product ids, optional
        The products whose launch the states distinguish (default: every product of
        the plan); the others' launches are averaged within each state.

    Returns
    -------
    StateTable

    Raises
    ------
    TooLargeError
        More than :data:`MAX_UNCERTAIN` uncertain stage and market outcomes.

    Notes
    -----
    Cost :math:`O(2^u (K + P))` for :math:`u` uncertain outcomes, :math:`K` stages and
    :math:`P` products.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> t = state_table(a)
    >>> t.events, len(t.states), round(float(t.prob.sum()), 12)
    (('p_smart_lab', 'p_software_licence'), 4, 1.0)
    >>> abs(t.expected - float(a.game().grand_value)) < 1e-6 * t.expected
    True
    """
    plan = plan if plan is not None else grand_plan(view)
    project = project_from_agreement(view, plan=plan, default_probability=0.0)
    stages, products = project.stages, project.products
    p_stage = [s.probability for s in stages]
    p_market = [x.probability for x in products]
    free = [("s", j) for j, q in enumerate(p_stage) if 0 < q < 1]
    free += [("m", k) for k, q in enumerate(p_market) if 0 < q < 1]
    if len(free) > MAX_UNCERTAIN:
        raise TooLargeError(f"negotiation enumerates 2^u outcomes, up to u = {MAX_UNCERTAIN}; "
                            f"this plan has {len(free)} uncertain task and market outcomes")
    rate = project.discount_rate
    stage_cost = np.array([s.cost * s.overrun.mean * (1 + rate) ** -s.year for s in stages])
    revenue = np.array([x.revenue.mean * (1 + rate) ** -x.year for x in products])
    n = 1 << len(free)
    bits = (np.arange(n)[:, None] >> np.arange(len(free))[None, :]) & 1 == 1
    draw_s = np.tile(np.array(p_stage, dtype=float) >= 1, (n, 1))
    draw_m = np.tile(np.array(p_market, dtype=float) >= 1, (n, 1))
    weight = np.ones(n)
    for c, (kind, idx) in enumerate(free):
        q = p_stage[idx] if kind == "s" else p_market[idx]
        (draw_s if kind == "s" else draw_m)[:, idx] = bits[:, c]
        weight *= np.where(bits[:, c], q, 1 - q)
    success = np.zeros((n, len(stages)), dtype=bool)
    attempted = np.zeros_like(success)
    for j, reqs in enumerate(project.requirements):
        attempted[:, j] = _met(success, reqs)
        success[:, j] = attempted[:, j] & draw_s[:, j]
    launched = np.column_stack([_met(success, project.product_stages(x)) & draw_m[:, k]
                                for k, x in enumerate(products)]) if products else \
        np.zeros((n, 0), dtype=bool)
    outcome = launched @ revenue - attempted @ stage_cost - project.upfront_cost
    names = [x.name for x in products]
    events = tuple(names) if events is None else tuple(events)
    unknown = [e for e in events if e not in names]
    if unknown:
        raise InvalidInputError(f"events {unknown} are not products of the plan {names}")
    chosen = launched[:, [names.index(e) for e in events]] if events else \
        np.zeros((n, 0), dtype=bool)
    states = tuple(cartesian((0, 1), repeat=len(events)))
    code = chosen.astype(np.int64) @ (1 << np.arange(len(events)))[::-1] if events else \
        np.zeros(n, dtype=np.int64)
    prob = np.bincount(code, weights=weight, minlength=len(states))
    mass = np.bincount(code, weights=weight * outcome, minlength=len(states))
    launch = weight @ launched if names else np.zeros(0)
    return StateTable(events, states, prob, mass, dict(zip(names, launch.tolist(), strict=True)))
