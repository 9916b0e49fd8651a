"""Exact probabilities of a project's stage graph: the expectations the simulation samples.

A stage is attempted when every requirement is met and succeeds when it is attempted and
its own draw succeeds; a product is reached when its requirements are met and it then
succeeds on the market (:mod:`sharing_models.risk.kernel` plays the same rules out draw
by draw). :func:`reach_probabilities` computes those probabilities exactly, so an
expected-value model (the agreement's game) and the Monte Carlo simulation use one
definition of risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidInputError, TooLargeError
from .kernel import _met
from .model import Project

__all__ = ["MAX_UNCERTAIN_STAGES", "ReachProbabilities", "reach_probabilities"]

#: Most uncertain stages of a graph with OR-groups whose outcomes are enumerated.
MAX_UNCERTAIN_STAGES = 20


@dataclass(frozen=True)
class ReachProbabilities:
    """``attempted[j]``, ``succeeded[j]`` per stage; ``met[k]`` (requirements met) and
    ``reached[k]`` (met, then market success) per product; floats or Fractions."""

    attempted: tuple[Any, ...]
    succeeded: tuple[Any, ...]
    met: tuple[Any, ...]
    reached: tuple[Any, ...]


def _number(exact: bool) -> Any:
    return (lambda x: Fraction(repr(float(x)))) if exact else float


def reach_probabilities(project: Project, exact: bool = False) -> ReachProbabilities:
    r"""Exact probability that each stage is attempted and succeeds, and each product is
    reached, when nobody defaults.

    With independent stage draws :math:`D_j` (:math:`P(D_j) = p_j`), stage :math:`j`
    succeeds on the event :math:`S_j = A_j \cap D_j`, where the attempt event is

    .. math::

        A_j = \bigcap_{i \in \mathrm{req}(j)} S_i \;\cap
              \bigcap_{G \in \mathrm{or}(j)} \bigcup_{i \in G} S_i ,

    and product :math:`k` is reached on :math:`R_k \cap M_k` (its requirements met, then
    market success :math:`M_k` with probability :math:`\pi_k`). Without OR-groups
    :math:`S_j` is the event that every stage among :math:`j` and its ancestors draws a
    success, so :math:`P(A_j) = \prod_{i \in \mathrm{anc}(j)} p_i`; with OR-groups the
    :math:`2^u` outcomes of the :math:`u` uncertain stages are enumerated.

    Parameters
    ----------
    project : Project
        Its stage successes and market successes must be uncorrelated (the events'
        probabilities are then products of the marginals).
    exact : bool, default False
        Fractions (each probability read as the decimal it prints as) instead of floats.

    Returns
    -------
    ReachProbabilities

    Raises
    ------
    InvalidInputError
        If the project correlates a success or market variable.
    TooLargeError
        With OR-groups and more than :data:`MAX_UNCERTAIN_STAGES` uncertain stages.

    Notes
    -----
    Cost :math:`O(K^2)` without OR-groups, :math:`O(K\,2^u)` with them. Member defaults
    are not modelled here (they move money between members, not the project's total
    while any member is active). Reference: [Nelsen2006]_ for the copula the simulation
    draws through (independence here).

    Examples
    --------
    A AND (B OR C), each stage succeeding with probability 1/2:

    >>> from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage
    >>> p = Project(stages=(Stage("a", 0.5, 1.0, requires=()), Stage("b", 0.5, 1.0, requires=()),
    ...                     Stage("c", 0.5, 1.0, requires=())),
    ...             products=(Product("x", Fixed(1.0), after=("a", ("b", "c"))),),
    ...             members=(RiskMember("m"),))
    >>> reach_probabilities(p, exact=True).reached
    (Fraction(3, 8),)
    """
    correlated = {v for a, b, _ in project.correlations for v in (a, b)
                  if v.startswith(("success:", "market:"))}
    if correlated:
        raise InvalidInputError(f"reach_probabilities needs uncorrelated stage and market "
                                f"successes; correlated: {sorted(correlated)}")
    num = _number(exact)
    p = [num(s.probability) for s in project.stages]
    market = [num(x.probability) for x in project.products]
    requires = project.requirements
    after = [project.product_stages(x) for x in project.products]
    if not any(isinstance(e, tuple) for reqs in (*requires, *after) for e in reqs):
        return _and_only(p, market, requires, after, num)
    return _enumerated(p, market, requires, after, num, exact)


def _and_only(p: list[Any], market: list[Any], requires: Any, after: Any,
              num: Any) -> ReachProbabilities:
    """Ancestor closures: a stage succeeds iff it and all its ancestors draw success."""
    closure: list[set[int]] = []  # stage j and its ancestors
    for j, reqs in enumerate(requires):
        closure.append({j}.union(*(closure[i] for i in reqs)))

    def prob(stages: set[int]) -> Any:
        out = num(1)
        for i in sorted(stages):
            out *= p[i]
        return out

    attempted = tuple(prob(closure[j] - {j}) for j in range(len(p)))
    succeeded = tuple(prob(closure[j]) for j in range(len(p)))
    met = tuple(prob(set().union(*(closure[i] for i in reqs))) for reqs in after)
    return ReachProbabilities(attempted, succeeded, met, _times(met, market))


def _times(met: tuple[Any, ...], market: list[Any]) -> tuple[Any, ...]:
    return tuple(a * b for a, b in zip(met, market, strict=True))


def _enumerated(p: list[Any], market: list[Any], requires: Any, after: Any, num: Any,
                exact: bool) -> ReachProbabilities:
    """Every outcome of the uncertain stages, weighted by its probability."""
    uncertain = [j for j, q in enumerate(p) if 0 < q < 1]
    if len(uncertain) > MAX_UNCERTAIN_STAGES:
        raise TooLargeError(
            f"reach_probabilities enumerates 2^u outcomes of a graph with OR-groups, "
            f"supported up to u = {MAX_UNCERTAIN_STAGES} uncertain stages; this one has "
            f"{len(uncertain)}. Estimate with sharing_models.risk.simulate instead.")
    states = np.arange(1 << len(uncertain), dtype=np.int64)
    draws = np.empty((states.size, len(p)), dtype=bool)
    weight: Any = np.full(states.size, num(1), dtype=object if exact else float)
    for j, q in enumerate(p):
        if j in uncertain:
            bit = (states >> uncertain.index(j)) & 1 == 1
            draws[:, j] = bit
            weight = weight * np.where(bit, q, num(1) - q)
        else:
            draws[:, j] = q >= 1
    success = np.zeros_like(draws)
    attempted = np.zeros_like(draws)
    for j, reqs in enumerate(requires):
        attempted[:, j] = _met(success, reqs)
        success[:, j] = attempted[:, j] & draws[:, j]

    def prob(event: np.ndarray) -> Any:
        return sum(weight[event].tolist(), num(0))

    met = tuple(prob(_met(success, reqs)) for reqs in after)
    return ReachProbabilities(tuple(prob(attempted[:, j]) for j in range(len(p))),
                              tuple(prob(success[:, j]) for j in range(len(p))),
                              met, _times(met, market))
