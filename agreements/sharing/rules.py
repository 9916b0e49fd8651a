"""The one road from an agreement and a sharing rule to each member's share.

Every output that shows a share (``consortium shares``, ``formation``, ``report``,
``clauses``, ``waterfall``, ``simulate``, ``sweep``, the notebooks) gets it from
:func:`allocate`; shown figures are then rounded by
:func:`agreements.sharing.display.largest_remainder`, so no two outputs can disagree.

Rules divide :math:`v(N)`, the worth of the grand coalition in the agreement's game
(:func:`agreements.valuation.game.agreement_game`, expected values under the task graph's risk):

- **game rules** give each member an amount :math:`x_i` with :math:`\\sum_i x_i = v(N)`:
  ``shapley``, ``banzhaf`` (normalised to :math:`v(N)`), ``nucleolus``,
  ``prenucleolus``, ``owen`` (unions: the agreement's layers), ``myerson`` (a
  communication graph must be given);
- **weight rules** give shares :math:`s_i \\ge 0` summing to 1 and :math:`x_i = s_i v(N)`:
  ``proportional`` (to contributions' valuation), ``equal``, ``fixed`` (as agreed),
  ``tiered`` (tier income shares), ``fee_based`` (pro rata to fees), ``blend`` (the
  agreed mix of rules) and ``borch`` (proportional to risk tolerance; risk-neutral
  members, with no tolerance given, take the whole risk in equal parts) [Borch1962]_.

**Exactness.** With at most :data:`EXACT_MEMBERS` members the game is built with
:class:`~fractions.Fraction` worths and every rule that has an exact algorithm returns
Fractions; above, floats. ``exact=`` overrides the default. A weight rule's shares are
the agreement's own figures and stay exact Fractions at every size (its amounts follow
the game).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import pandas as pd

import sharing_models as sm
from sharing_models import Game, GameError
from sharing_models import waterfall as wf

from ..errors import AgreementError, Problem, ScenarioError
from ..membership.tiers import fee_table, tier_schedule
from ..scenario.model import Agreement, Layer
from ..valuation.game import MAX_MEMBERS, agreement_game, coalition_worth
from .display import exact as exact_fraction
from .structure import (
    GAME_MEMBERS,
    LINEAR_RULES,
    Z95,
    cannot_be_exact,
    grand_value,
    structured_amounts,
)

__all__ = [
    "EXACT_MEMBERS",
    "GAME_RULES",
    "RULES",
    "WEIGHT_RULES",
    "agreed_rule",
    "allocate",
    "allocations",
    "default_exact",
    "layer_unions",
]

#: Most members for which shares are computed exactly by default (Fractions).
EXACT_MEMBERS = 12
#: Rules that divide the game's v(N) by a solution concept.
GAME_RULES = ("shapley", "banzhaf", "nucleolus", "prenucleolus", "owen", "myerson")
#: Rules that fix shares (summing to 1) from the agreement itself.
WEIGHT_RULES = ("proportional", "equal", "fixed", "tiered", "fee_based", "blend", "borch")
#: Every rule :func:`allocate` knows.
RULES = GAME_RULES + WEIGHT_RULES


def default_exact(agreement: Agreement) -> bool:
    """Whether shares are exact by default: at most :data:`EXACT_MEMBERS` members."""
    return len(agreement.members) <= EXACT_MEMBERS


def agreed_rule(agreement: Agreement) -> str | None:
    """The rule the agreement divides income by: ``sharing.waterfall.distribution``,
    else ``sharing.method`` (``None`` when neither is set).

    >>> import agreements
    >>> agreed_rule(agreements.load("scenarios/baoshan_medical_devices.yaml"))
    'fixed'
    """
    s = agreement.sharing
    if s.waterfall is not None and s.waterfall.distribution is not None:
        return str(s.waterfall.distribution)
    return s.method.value if s.method else None


def layer_unions(agreement: Agreement) -> list[list[str]]:
    """Members grouped by layer (lead, close, general), empty layers dropped.

    >>> import agreements
    >>> layer_unions(agreements.load("scenarios/baoshan_medical_devices.yaml"))
    [['fosun_dx'], ['shu', 'wusong_hospital'], ['zecheng']]
    """
    groups = [[m.id for m in agreement.members if m.layer == layer] for layer in Layer]
    return [g for g in groups if g]


# ---------------------------------------------------------------- weight rules
def _weights_fixed(agreement: Agreement, game: Game | None,
                 exact: bool) -> dict[str, Fraction]:
    fixed = agreement.sharing.fixed_shares
    if not fixed:
        raise ScenarioError([Problem("sharing.fixed_shares",
                                     "rule 'fixed' needs sharing.fixed_shares")])
    return {m: exact_fraction(fixed.get(m, 0)) for m in agreement.member_ids}


def _weights_equal(agreement: Agreement, game: Game | None,
                 exact: bool) -> dict[str, Fraction]:
    return dict.fromkeys(agreement.member_ids, Fraction(1))


def _weights_proportional(agreement: Agreement, game: Game | None,
                 exact: bool) -> dict[str, Fraction]:
    weights = dict.fromkeys(agreement.member_ids, Fraction(0))
    for c in agreement.contributions:
        weights[c.member] += exact_fraction(c.valuation)
    return weights


def _weights_tiered(agreement: Agreement, game: Game | None,
                 exact: bool) -> dict[str, Fraction]:
    schedule = tier_schedule(agreement)
    if schedule is None or all(t.rights.income_share is None for t in schedule.tiers):
        raise ScenarioError([Problem("sharing.tiers", "rule 'tiered' needs tiers with "
                                     "rights.income_share")])
    tiers = fee_table(agreement)["tier"]
    tiers = tiers[tiers != "exempt"]
    present = {t: schedule.tier(t).rights.income_share or 0 for t in set(tiers)}
    shares = wf.tiered_shares(tiers, present)
    return {m: exact_fraction(shares.get(m, 0)) for m in agreement.member_ids}


def _weights_fee_based(agreement: Agreement, game: Game | None,
                 exact: bool) -> dict[str, Fraction]:
    fees = fee_table(agreement)["fee"]
    return {m: exact_fraction(fees.get(m, 0)) for m in agreement.member_ids}


def _weights_borch(agreement: Agreement, game: Game | None,
                 exact: bool) -> dict[str, Fraction]:
    rho = [m.risk_tolerance for m in agreement.members]
    if any(r is None or math.isinf(r) for r in rho):  # risk-neutral members take it all
        return {m.id: Fraction(int(m.risk_tolerance is None or math.isinf(m.risk_tolerance)))
                for m in agreement.members}
    return {m.id: exact_fraction(m.risk_tolerance) for m in agreement.members}


def _weights_blend(agreement: Agreement, game: Game | None,
                 exact: bool) -> dict[str, Fraction]:
    blend = agreement.sharing.blend
    if not blend:
        raise ScenarioError([Problem("sharing.blend", "rule 'blend' needs sharing.blend "
                                     "weights per rule")])
    total = sum((exact_fraction(w) for w in blend.values()), Fraction(0))
    if total == 0:
        raise ScenarioError([Problem("sharing.blend", "the blend weights sum to 0")])
    out = dict.fromkeys(agreement.member_ids, Fraction(0))
    for rule, w in blend.items():
        part = allocate(agreement, str(rule.value), exact=exact, game=game)["share"]
        if part.isna().any():
            raise AgreementError(f"rule 'blend': its part {rule.value!r} has no shares "
                                 "(v(N) = 0)")
        for m in out:
            out[m] += exact_fraction(w) / total * exact_fraction(part[m])
    return out


_WEIGHTS: dict[str, Callable[[Agreement, Game | None, bool], dict[str, Fraction]]] = {
    "proportional": _weights_proportional,
    "equal": _weights_equal,
    "fixed": _weights_fixed,
    "tiered": _weights_tiered,
    "fee_based": _weights_fee_based,
    "blend": _weights_blend,
    "borch": _weights_borch,
}


# ---------------------------------------------------------------- game rules
def _game_amounts(agreement: Agreement, game: Game, rule: str, exact: bool,
                  graph: Any) -> pd.Series:
    if rule == "owen":
        return sm.owen(game, layer_unions(agreement), exact=exact)
    if rule == "myerson":
        if graph is None:
            raise AgreementError("rule 'myerson' needs a communication graph (graph=: a "
                                 "networkx.Graph or (member, member) edges)")
        return sm.myerson(game, graph, exact=exact)
    if rule == "banzhaf" and game.grand_value == 0:
        return pd.Series([Fraction(0) if exact else 0.0] * game.n, index=list(game.players))
    if rule == "banzhaf":  # shares divide v(N): the normalised Banzhaf value
        return sm.banzhaf(game, normalized=True, exact=exact)
    fn = {"shapley": sm.shapley, "nucleolus": sm.nucleolus,
          "prenucleolus": sm.prenucleolus}[rule]
    return fn(game, exact=exact)


def allocate(agreement: Agreement, rule: str, *, exact: bool | None = None,
             game: Game | None = None, graph: Any = None, seed: Any = 0,
             tolerance: float | None = None, samples: int | None = None) -> pd.DataFrame:
    r"""Each member's share of the agreement's value under one sharing rule.

    .. math::

        x_i = \varphi_i(v) \;\text{(game rules)}, \qquad
        x_i = s_i\, v(N),\; s_i = w_i / \textstyle\sum_j w_j \;\text{(weight rules)},

    and :math:`\text{share}_i = x_i / v(N)` for game rules (undefined when
    :math:`v(N) = 0`).

    Parameters
    ----------
    agreement : Agreement
    rule : str
        One of :data:`RULES`.
    exact : bool, optional
        Fractions throughout; default :func:`default_exact` (at most
        :data:`EXACT_MEMBERS` members).
    game : Game, optional
        The agreement's game, if already built (it must be exact when ``exact``).
    graph : networkx.Graph or iterable of edges, optional
        The communication graph of ``myerson``.
    seed, tolerance, samples : optional
        For sampled shares (large agreements whose worth does not split into small
        parts): the random seed (default 0, so that every output that does not choose
        one shows the same estimate; ``None`` for fresh entropy), the target half-width
        of every 95% interval as a
        fraction of :math:`v(N)` (default 0.001), or a fixed number of draws; see
        :func:`agreements.sharing.structure.structured_amounts`.

    Returns
    -------
    pandas.DataFrame
        Indexed by member id (``member``), columns ``share`` (summing to 1; ``None``
        when :math:`v(N) = 0` for a game rule) and ``amount`` (summing to
        :math:`v(N)`); Fractions when exact, else floats (a weight rule's ``share``
        is exact at every size). ``attrs``: ``rule``,
        ``grand_value`` (:math:`v(N)`), ``exact``, ``method`` (``exact``: the whole
        game; ``exact by structure``: part by part; ``sampled``) and ``detail``.
        Sampled shares add columns ``std_error``, ``low`` and ``high`` (the 95%
        interval of ``amount``) and ``attrs`` ``samples``, ``tolerance``, ``seed``.

    Large agreements (more than :data:`~agreements.sharing.structure.GAME_MEMBERS`
    members, no ``game`` given): Shapley, Banzhaf and Owen are computed part by part
    (``docs/large-consortia.md``), sampled where a part is too large; the other game
    rules need the whole game (up to
    :data:`~agreements.valuation.game.MAX_MEMBERS` members).

    Raises
    ------
    AgreementError
        Unknown rule, or a rule the agreement does not support (e.g. ``fixed`` without
        ``sharing.fixed_shares``, ``myerson`` without a graph).
    GameError
        The rule fails on this game (e.g. weights summing to zero).

    Notes
    -----
    Cost: building the game (:math:`O(2^n)` per plan) plus the rule's
    (:math:`O(n 2^n)` for Shapley, Banzhaf and Owen; a sequence of LPs for the
    nucleolus). References: [Shapley1953]_, [Schmeidler1969]_, [Owen1977]_.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> allocate(a, "fixed")["share"].tolist()
    [Fraction(11, 20), Fraction(1, 5), Fraction(3, 20), Fraction(1, 10)]
    >>> x = allocate(a, "shapley")
    >>> sum(x["amount"]) == x.attrs["grand_value"], x.attrs["exact"]
    (True, True)
    """
    if rule not in RULES:
        raise AgreementError(f"unknown sharing rule {rule!r}; expected one of "
                             f"{', '.join(RULES)}")
    exact = default_exact(agreement) if exact is None else bool(exact)
    num: Callable[[Any], Any] = exact_fraction if exact else float
    ids = agreement.member_ids
    n = len(ids)
    large = game is None and n > GAME_MEMBERS and not (
        rule in GAME_RULES and rule not in LINEAR_RULES and n <= MAX_MEMBERS)
    if large and rule in GAME_RULES:
        if rule not in LINEAR_RULES:
            raise AgreementError(cannot_be_exact(agreement, rule))
        return _structured(agreement, rule, exact, seed, tolerance, samples)
    if game is None and not large and (rule not in _WEIGHTS or rule == "blend"):
        game = agreement_game(agreement, exact=exact)
    # a weight rule needs only v(N): one coalition, at any number of members
    grand = num(game.grand_value if game is not None
                else grand_value(agreement, exact) if large
                else coalition_worth(agreement, ids, exact=exact))
    if rule in _WEIGHTS:
        weights = _WEIGHTS[rule](agreement, game, exact)
        total = sum(weights.values(), Fraction(0))
        if total <= 0 or any(w < 0 for w in weights.values()):
            raise GameError(f"rule {rule!r}: the weights {_show(weights)} cannot be read as "
                            "shares (they must be >= 0 with a positive total)")
        share = [weights[m] / total for m in ids]  # exact at every size
        amount = [num(s) * grand for s in share]
    else:
        values = _game_amounts(agreement, game, rule, exact, graph).reindex(ids)
        amount = [num(v) for v in values]
        if not exact:  # float and LP noise around zero is zero
            noise = 1e-12 * max(1.0, abs(grand))
            amount = [0.0 if abs(a) <= noise else a for a in amount]
        share = [a / grand for a in amount] if grand != 0 else [None] * len(ids)
    out = pd.DataFrame({"share": pd.Series(share, index=ids, dtype=object),
                        "amount": pd.Series(amount, index=ids, dtype=object)})
    if not exact:
        out["amount"] = out["amount"].astype(float)
        if rule not in _WEIGHTS:
            out["share"] = out["share"].astype(float)
    out.index.name = "member"
    out.attrs.update(rule=rule, grand_value=grand, exact=exact,
                     method="exact by structure" if large else "exact",
                     detail="weights from the agreement; v(N) of the grand coalition"
                     if rule in _WEIGHTS else "the whole game")
    return out


def _structured(agreement: Agreement, rule: str, exact: bool, seed: Any,
                tolerance: float | None, samples: int | None) -> pd.DataFrame:
    """A linear rule on a large agreement, part by part (see :mod:`.structure`)."""
    ids = agreement.member_ids
    s = structured_amounts(agreement, rule, exact, layer_unions(agreement), seed=seed,
                           tolerance=tolerance, samples=samples)
    amount = [s.amount[m] for m in ids]
    if not exact:
        noise = 1e-12 * max(1.0, abs(float(s.grand)))
        amount = [0.0 if abs(a) <= noise and not s.std_error else float(a) for a in amount]
    grand = s.grand if exact else float(s.grand)
    share = [a / grand for a in amount] if grand != 0 else [None] * len(ids)
    out = pd.DataFrame({"share": pd.Series(share, index=ids, dtype=object),
                        "amount": pd.Series(amount, index=ids, dtype=object)})
    if not exact:
        out = out.astype(float)
    if s.method == "sampled":
        se = pd.Series([s.std_error[m] for m in ids], index=ids, dtype=float)
        out["std_error"] = se
        out["low"] = out["amount"] - Z95 * se
        out["high"] = out["amount"] + Z95 * se
    out.index.name = "member"
    out.attrs.update(rule=rule, grand_value=grand, exact=exact, method=s.method,
                     detail=s.detail)
    if s.method == "sampled":
        out.attrs.update(samples=s.samples, tolerance=tolerance, seed=seed,
                         reached=s.reached)
    return out


def _show(weights: dict[str, Fraction]) -> str:
    return "{" + ", ".join(f"{k}: {float(v):g}" for k, v in weights.items()) + "}"


def allocations(agreement: Agreement, rules: Iterable[str], *,
                exact: bool | None = None, game: Game | None = None,
                graph: Any = None, seed: Any = 0, tolerance: float | None = None,
                samples: int | None = None) -> dict[str, pd.DataFrame]:
    """:func:`allocate` for several rules over one game (built once); ``seed``,
    ``tolerance`` and ``samples`` go to every sampled rule."""
    exact = default_exact(agreement) if exact is None else bool(exact)
    rules = list(rules)
    if game is None and len(agreement.members) <= GAME_MEMBERS and any(
            r not in _WEIGHTS or r == "blend" for r in rules):
        game = agreement_game(agreement, exact=exact)
    return {r: allocate(agreement, r, exact=exact, game=game, graph=graph, seed=seed,
                        tolerance=tolerance, samples=samples) for r in rules}
