r"""Settlement against actuals: shares recomputed on the delivered game, and the
balancing transfers that move the consortium from the plan to what happened.

With the agreed rule :math:`\varphi`, the planned shares :math:`s_i` (of the planned
game :math:`v`) and the delivered amounts :math:`y_i` (the rule on the delivered game
:math:`v^d`, :func:`~agreements.lifecycle.actuals.delivered_agreement`), member
:math:`i` receives the transfer

.. math::

    t_i = y_i - s_i\, v^d(N), \qquad \sum_i t_i = v^d(N) - v^d(N) = 0,

what the delivered rule gives it minus what the planned shares would give it of the
value actually realised. Weight rules that do not look at contributions (``fixed``,
``equal``, ``tiered``, ``fee_based``, ``borch``) scale each member's planned share by
its delivered fraction :math:`f_i` (:func:`~agreements.lifecycle.actuals.member_delivery`)
and renormalise: :math:`y_i \propto s_i f_i`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from ..scenario.model import Agreement
from ..sharing.display import exact as fraction
from ..sharing.display import largest_remainder, rounded
from ..sharing.rules import GAME_RULES, agreed_rule, default_exact
from .actuals import Actuals, delivered_agreement, member_delivery, read_actuals
from .amounts import amounts

__all__ = ["Settlement", "payments", "settle", "shown_transfers"]

#: Weight rules whose shares do not depend on what is contributed.
_BLIND_RULES = ("fixed", "equal", "tiered", "fee_based", "borch")


@dataclass(frozen=True)
class Settlement:
    """A settlement against actuals.

    ``table``: indexed by member: ``planned_share``, ``delivered_share``,
    ``planned_amount`` (:math:`s_i v^d(N)`), ``delivered_amount`` (:math:`y_i`),
    ``transfer`` (exact, :math:`t_i`, positive: the member receives) and
    ``transfer_shown`` (to the cent, summing to exactly 0). ``payments``: who pays
    whom (``payer``, ``payee``, ``amount``). ``shortfalls``: indexed by contribution,
    what was not delivered and what replacing it at the market substitute price costs.
    ``attrs`` of ``table``: ``rule``, ``planned_value``, ``delivered_value``,
    ``currency``.
    """

    table: pd.DataFrame
    payments: pd.DataFrame
    shortfalls: pd.DataFrame


def shown_transfers(transfers: pd.Series, decimals: int = 2) -> pd.Series:
    r"""Transfers rounded to ``decimals`` places, summing to exactly 0.

    Receipts and payments are each rounded by the largest-remainder method
    (:func:`agreements.sharing.display.largest_remainder`) to the same total
    :math:`T`, the rounded mean of what is received and what is paid (equal when the
    transfers are exact), so every shown figure is within one unit of its exact value
    and the shown column sums to 0 [BalinskiYoung2001]_.

    >>> from fractions import Fraction as F
    >>> s = shown_transfers(pd.Series([F(1, 3), F(1, 3), F(-2, 3)], index=list("abc")))
    >>> [str(x) for x in s], sum(s)
    (['17/50', '33/100', '-67/100'], Fraction(0, 1))
    """
    values = [fraction(x) for x in transfers.tolist()]
    plus = [max(v, Fraction(0)) for v in values]
    minus = [max(-v, Fraction(0)) for v in values]
    total = rounded((sum(plus, Fraction(0)) + sum(minus, Fraction(0))) / 2, decimals)
    if total == 0:
        return pd.Series([Fraction(0)] * len(values), index=transfers.index, dtype=object)
    up = largest_remainder(plus, total, decimals)
    down = largest_remainder(minus, total, decimals)
    return pd.Series([u - d for u, d in zip(up, down, strict=True)], index=transfers.index,
                     dtype=object)


def payments(transfers: pd.Series) -> pd.DataFrame:
    """A short list of payments settling net ``transfers`` (which sum to 0).

    Greedy: the largest payer pays the largest payee as much as one of them needs,
    until all are settled; at most :math:`n - 1` payments for :math:`n` members with
    non-zero transfers (finding the fewest possible is a partition problem, NP-hard in
    general). Amounts are exact, so they add up to the transfers exactly.

    >>> from fractions import Fraction as F
    >>> payments(pd.Series([F(5), F(-3), F(-2)], index=["a", "b", "c"]))
      payer payee amount
    0     b     a      3
    1     c     a      2
    """
    owe = sorted(((-fraction(v), m) for m, v in transfers.items() if fraction(v) < 0),
                 key=lambda p: (-p[0], str(p[1])))
    get = sorted(((fraction(v), m) for m, v in transfers.items() if fraction(v) > 0),
                 key=lambda p: (-p[0], str(p[1])))
    rows = []
    i = j = 0
    owe = [list(p) for p in owe]
    get = [list(p) for p in get]
    while i < len(owe) and j < len(get):
        amount = min(owe[i][0], get[j][0])
        rows.append({"payer": owe[i][1], "payee": get[j][1], "amount": amount})
        owe[i][0] -= amount
        get[j][0] -= amount
        i += owe[i][0] == 0
        j += get[j][0] == 0
    return pd.DataFrame(rows, columns=["payer", "payee", "amount"])


def _shortfalls(agreement: Agreement, actuals: Actuals) -> pd.DataFrame:
    rows = []
    for c in agreement.contributions:
        d = actuals.fraction(c.id)
        if d == 1:
            continue
        sub = None if c.substitute_price is None else fraction(c.substitute_price)
        rows.append({"contribution": c.id, "member": c.member, "delivered": d,
                     "shortfall": 1 - d, "valuation_short": (1 - d) * fraction(c.valuation),
                     "substitute_price": sub,
                     "replacement_cost": None if sub is None else (1 - d) * sub,
                     "option": "buy the shortfall on the market" if sub is not None
                     else "no market substitute: the work that needs it is at risk"})
    cols = ["member", "delivered", "shortfall", "valuation_short", "substitute_price",
            "replacement_cost", "option"]
    return pd.DataFrame(rows, columns=["contribution", *cols]).set_index("contribution")


def settle(agreement: Agreement, actuals: Any, *, rule: str | None = None,
           exact: bool | None = None) -> Settlement:
    r"""Settle the agreement against what was actually delivered.

    .. math::

        t_i = y_i - s_i\,v^d(N), \qquad y = \varphi(v^d), \quad s = \varphi(v)/v(N)

    (see the module docstring for weight rules that ignore contributions).

    Parameters
    ----------
    agreement : Agreement
    actuals : Actuals, path or rows
        What was delivered (:func:`~agreements.lifecycle.actuals.read_actuals`).
    rule : str, optional
        Sharing rule; default the agreed one
        (:func:`agreements.sharing.agreed_rule`), else ``shapley``.
    exact : bool, optional
        Fractions throughout; default :func:`agreements.sharing.default_exact`.

    Returns
    -------
    Settlement

    Raises
    ------
    ScenarioError
        Bad actuals (unknown milestone or contribution, fraction outside [0, 1]).

    Notes
    -----
    Two games (planned and delivered, :math:`O(2^n)` each) and the rule on each; the
    transfers and payments are linear. Every share comes from
    :func:`agreements.sharing.allocate` and every shown figure from
    :func:`agreements.sharing.display.largest_remainder` [BalinskiYoung2001]_; the
    game is the formation game [Shapley1953]_.

    Examples
    --------
    The Baoshan consortium (fixed shares) when the university delivers half its
    research team (the only contribution of its, so its share is halved):

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> s = settle(a, [{"milestone": "t_automation", "contribution": "shu_ai_team",
    ...                 "delivered": "0.5"}])
    >>> sum(s.table["transfer"]), sum(s.table["transfer_shown"])
    (Fraction(0, 1), Fraction(0, 1))
    >>> s.table.loc["shu", "delivered_share"]  # (20% x 1/2) / (100% - 10%)
    Fraction(1, 9)
    >>> s.payments["payer"].tolist()
    ['shu', 'shu', 'shu']
    >>> settle(a, []).table["transfer"].tolist()
    [Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1)]
    """
    acts = actuals if isinstance(actuals, Actuals) else read_actuals(agreement, actuals)
    rule = rule or agreed_rule(agreement) or "shapley"
    ex = default_exact(agreement) if exact is None else bool(exact)
    plan = amounts(agreement, rule, ex)
    derived = delivered_agreement(agreement, acts)
    if rule in _BLIND_RULES:
        f = member_delivery(agreement, acts)
        weights = {m: fraction(plan.at[m, "share"] or 0) * f[m] for m in agreement.member_ids}
        if sum(weights.values(), Fraction(0)) == 0:
            weights = dict.fromkeys(agreement.member_ids, Fraction(1))
        derived = derived.model_copy(update={"sharing": derived.sharing.model_copy(
            update={"fixed_shares": weights})})
        done = amounts(derived, "fixed", ex)
    else:
        done = amounts(derived, rule, ex)
    grand = done.attrs["grand_value"]
    num = fraction if ex else float
    ids = agreement.member_ids
    if plan["share"].isna().any() or done["share"].isna().any():
        planned_share = done["share"] if not done["share"].isna().any() else plan["share"]
        planned_amount = done["amount"]
    else:
        planned_share = plan["share"]
        planned_amount = pd.Series([num(s) * num(grand) for s in plan["share"]], index=ids)
    transfer = pd.Series([num(done.at[m, "amount"]) - num(planned_amount[m]) for m in ids],
                         index=ids, dtype=object)
    if ex:
        transfer = transfer.map(fraction)
    else:  # float rounding between share x v(N) and the rule's amount is not a transfer
        noise = 1e-9 * max(1.0, abs(float(grand)))
        transfer = transfer.map(lambda t: 0.0 if abs(t) <= noise else t)
    table = pd.DataFrame({"planned_share": planned_share.reindex(ids),
                          "delivered_share": done["share"],
                          "planned_amount": planned_amount.reindex(ids),
                          "delivered_amount": done["amount"],
                          "transfer": transfer}, index=pd.Index(ids, name="member"))
    table["transfer_shown"] = shown_transfers(table["transfer"])
    table.attrs.update(rule=rule, planned_value=plan.attrs["grand_value"],
                       delivered_value=grand, currency=agreement.currency, exact=ex,
                       game_rule=rule in GAME_RULES)
    return Settlement(table, payments(table["transfer_shown"]), _shortfalls(agreement, acts))
