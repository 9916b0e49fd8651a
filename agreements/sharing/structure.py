"""Shares of large agreements: exact by structure, sampled with 95% intervals otherwise.

Used only by :func:`agreements.sharing.allocate` (the one sharing path) when an
agreement has too many members for its whole game (:data:`GAME_MEMBERS`). The game is
split into independent parts (:func:`agreements.valuation.decompose.decompose`); a
linear rule is the sum of the rule on each part. A part of at most
:data:`PART_MEMBERS` members (:data:`EXACT_PART_MEMBERS` with Fractions) is computed
exactly from its own small game; a larger part is sampled
(:func:`sharing_models.shapley_estimate`, :func:`sharing_models.banzhaf_estimate`)
through the agreement's worth function, each part with its own child seed. See
``docs/large-consortia.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

import sharing_models as sm
from sharing_models.games.sampling import Z95, efficiency_adjust

from ..errors import AgreementError
from ..scenario.model import Agreement
from ..valuation.decompose import Decomposition, decompose
from ..valuation.game import part_game, part_worth, worth_function

__all__ = [
    "EXACT_PART_MEMBERS",
    "GAME_MEMBERS",
    "LINEAR_RULES",
    "PART_MEMBERS",
    "SAMPLED_RULES",
    "Z95",
    "Structured",
    "cannot_be_exact",
    "grand_value",
    "structured_amounts",
]

#: Most members for which allocate builds the whole game (2^n worths).
GAME_MEMBERS = 20
#: Most members of a part whose game is built in floats (exact by structure).
PART_MEMBERS = 20
#: Most members of a part whose game is built in Fractions.
EXACT_PART_MEMBERS = 16
#: Rules computed part by part (linear, null player).
LINEAR_RULES = ("shapley", "banzhaf", "owen")
#: Rules that can be sampled when a part is too large.
SAMPLED_RULES = ("shapley", "banzhaf")


@dataclass
class Structured:
    """Amounts of a linear rule over the parts, and how they were found."""

    amount: dict[str, Any]
    grand: Any
    method: str  # "exact by structure" or "sampled"
    detail: str
    std_error: dict[str, float] = field(default_factory=dict)
    samples: int = 0
    reached: bool = True


#: Why the (pre)nucleolus is refused on agreements too large for the whole game.
_NOT_ADDITIVE = (
    "unlike the linear rules, the nucleolus is not the sum of the parts' nucleoli "
    "(it minimises the excesses of all coalitions lexicographically, and a coalition "
    "spanning parts has the sum of their excesses, so shifting money between parts "
    "changes the order)")


def _limit(exact: bool) -> int:
    return EXACT_PART_MEMBERS if exact else PART_MEMBERS


def cannot_be_exact(agreement: Agreement, rule: str, d: Decomposition | None = None) -> str:
    """Why ``rule`` cannot be exact on this agreement ('' when it can)."""
    n = len(agreement.members)
    if rule not in LINEAR_RULES:
        why = {
            "nucleolus": _NOT_ADDITIVE, "prenucleolus": _NOT_ADDITIVE,
            "myerson": "the Myerson value is that of the graph-restricted game, whose "
                       "worths follow the cooperation graph's components, not the "
                       "agreement's parts",
        }.get(rule, "")
        return (f"rule {rule!r} needs the whole game (2^n worths), built up to "
                f"{GAME_MEMBERS} members; this agreement has {n}"
                + (f", and it cannot be computed part by part: {why}" if why else "")
                + ". Use shapley, banzhaf or owen (computed part by part), or a weight rule "
                "such as proportional"
                + ("; for stability, `consortium shares` checks each rule's allocation "
                   "against the core without enumeration (core_check)"
                   if rule in ("nucleolus", "prenucleolus") else ""))
    d = d or decompose(agreement)
    if d.largest > EXACT_PART_MEMBERS:
        big = max(d.parts, key=lambda p: len(p.members))
        return (f"the agreement's worth does not split into parts of at most "
                f"{EXACT_PART_MEMBERS} members: products {', '.join(big.products[:5])}"
                f"{' ...' if len(big.products) > 5 else ''} share inputs across "
                f"{len(big.members)} members. Drop --exact to sample "
                f"{' or '.join(SAMPLED_RULES)} with 95% intervals (--tolerance, --samples)")
    return ""


def structured_amounts(agreement: Agreement, rule: str, exact: bool, unions: list[list[str]],
                       *, seed: Any = None, tolerance: float | None = None,
                       samples: int | None = None) -> Structured:
    """Each member's amount under a linear ``rule``, part by part.

    .. math:: \\varphi_i(v) = \\sum_k \\varphi_i(v_k), \\qquad
        x^{\\text{Banzhaf}}_i = v(N) \\frac{\\sum_k \\beta_i(v_k)}{\\sum_j \\sum_k
        \\beta_j(v_k)}

    Parameters
    ----------
    agreement : Agreement
    rule : str
        One of :data:`LINEAR_RULES`.
    exact : bool
        Fractions (every part at most :data:`EXACT_PART_MEMBERS` members).
    unions : list of list of str
        Owen's unions (the agreement's layers), restricted to each part.
    seed, tolerance, samples
        For sampled parts: see :func:`sharing_models.shapley_estimate`.

    Returns
    -------
    Structured

    Raises
    ------
    AgreementError
        The rule is not linear, or a part is too large to be exact and ``exact`` is
        set or the rule cannot be sampled (the message names the alternative).

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> s = structured_amounts(a, "shapley", False, [])
    >>> s.method, round(sum(s.amount.values()) - s.grand, 9)
    ('exact by structure', 0.0)

    Notes
    -----
    Cost: :math:`O(n_k 2^{n_k})` per exact part of :math:`n_k` members; a sampled part
    :math:`n_k + 1` coalition evaluations per order (Shapley) or coalition drawn
    (Banzhaf), each :math:`O(n_k)` per input set. References: [Shapley1953]_,
    [Banzhaf1965]_, [Owen1977]_, [CastroGomezTejada2009]_, [Mitchell2022]_.
    """
    d = decompose(agreement, exact)
    zero: Any = Fraction(0) if exact else 0.0
    amount = dict.fromkeys(agreement.member_ids, zero)
    var = dict.fromkeys(agreement.member_ids, 0.0)
    cov_sum = dict.fromkeys(agreement.member_ids, 0.0)
    var_sum, grand, drawn, reached = 0.0, zero, 0, True
    big = [p for p in d.parts if len(p.members) > _limit(exact)]
    if big and (exact or rule not in SAMPLED_RULES):
        reason = cannot_be_exact(agreement, rule, d) if exact else (
            f"rule {rule!r} cannot be sampled; a part of {len(big[0].members)} members is "
            f"too large for its game (at most {PART_MEMBERS}). Use "
            f"{' or '.join(SAMPLED_RULES)}, or a weight rule such as proportional")
        raise AgreementError(reason)
    seeds = iter(np.random.default_rng(seed).bit_generator.seed_seq.spawn(len(d.parts)))
    for part in d.parts:
        child = next(seeds)
        members = list(part.members)
        if len(members) <= _limit(exact):
            g = part_game(agreement, members, part.products, exact=exact, weights=d.weights)
            grand += g.grand_value if exact else float(g.grand_value)
            if rule == "shapley":
                values = sm.shapley(g, exact=exact)
            elif rule == "banzhaf":
                values = sm.banzhaf(g, normalized=False, exact=exact)
            else:
                inside = [[m for m in u if m in part.members] for u in unions]
                values = sm.owen(g, [u for u in inside if u] or [members], exact=exact)
            for m in members:
                amount[m] += values[m] if exact else float(values[m])
            continue
        fn = worth_function(agreement, members, part.products, d.weights)
        estimate = (sm.shapley_estimate if rule == "shapley" else sm.banzhaf_estimate)
        kwargs: dict[str, Any] = {"normalized": False} if rule == "banzhaf" else {}
        est = estimate(fn, members, tolerance=tolerance if samples is None else None,
                       samples=samples, seed=np.random.default_rng(child), **kwargs)
        grand += est.attrs["grand_value"]
        drawn = max(drawn, int(est.attrs["samples"]))
        reached = reached and bool(est.attrs["reached"])
        for m in members:
            amount[m] += float(est.loc[m, rule])
            var[m] += float(est.loc[m, "std_error"]) ** 2
            if rule == "banzhaf":
                cov_sum[m] += float(est.loc[m, "cov_sum"])
        if rule == "banzhaf":
            var_sum += est.attrs["var_sum"]
    ids = agreement.member_ids
    if rule == "banzhaf":
        total = sum(amount.values(), zero)
        raw = dict(amount)
        amount = {m: (raw[m] * grand / total if total != 0 else zero) for m in ids}
        if big and total != 0:  # delta method over the whole sum (docs/large-consortia.md)
            c = float(grand) / float(total)
            var = {m: c**2 * max(0.0, var[m] - 2 * (float(amount[m]) / float(grand))
                                 * cov_sum[m] + (float(amount[m]) / float(grand))**2
                                 * var_sum) for m in ids}
    parts = f"{len(d.parts)} part{'s' * (len(d.parts) != 1)}, largest {d.largest} members"
    if not big:
        return Structured(amount, grand, "exact by structure", parts)
    se = {m: float(np.sqrt(var[m])) for m in ids}
    x = efficiency_adjust(np.array([float(amount[m]) for m in ids]),
                                     np.array([se[m] for m in ids]), float(grand))
    amount = dict(zip(ids, x.tolist(), strict=True))
    how = f"{parts}; {len(big)} sampled, {drawn} draws{'' if reached else ' (cap reached)'}"
    return Structured(amount, grand, "sampled", how, se, drawn, reached)


def grand_value(agreement: Agreement, exact: bool = False) -> Any:
    r""":math:`v(N) = \sum_k v_k(N_k)`, part by part (any number of members).

    >>> import agreements
    >>> from agreements.valuation.game import coalition_worth
    >>> a = agreements.load("scenarios/lingang_eda.yaml")
    >>> grand_value(a, exact=True) == coalition_worth(a, a.member_ids, exact=True)
    True
    """
    d = decompose(agreement, exact)
    zero: Any = Fraction(0) if exact else 0.0
    return sum((part_worth(agreement, list(p.members), p.products, exact=exact,
                           weights=d.weights) for p in d.parts), zero)


def interval(value: float, se: float) -> tuple[float, float]:
    """The 95% normal interval ``value +- 1.96 se``."""
    return value - Z95 * se, value + Z95 * se
