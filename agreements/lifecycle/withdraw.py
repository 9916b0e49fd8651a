r"""Withdrawal of a member: its settlement, who takes over, the remaining shares, and
which results it keeps rights to.

The remaining consortium :math:`N \setminus \{j\}` plays the formation game restricted
to it: without :math:`j`, its contributions can only be bought at their market
substitute price, or not at all (the same game, fewer players). The remaining members
divide :math:`v(N \setminus \{j\})` by the agreed rule. The leaving member is owed its
planned amount pro rata to the work done when it leaves, and to the part of the value
that work still supports without it: with progress :math:`\pi` (the budget share of
the tasks up to and including the milestone reached, in plan order; 0 before the first
milestone),

.. math::

    \text{owed}_j = \pi\, x_j\, \frac{v(N \setminus \{j\})}{v(N)}

(nothing when the others can make nothing without it: its work then yields nothing),

paid by the remaining members in proportion to their new amounts (a negative amount
is owed by the leaver).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from ..clauses.context import owners_of
from ..errors import AgreementError
from ..scenario.model import Agreement
from ..sharing.display import exact as fraction
from ..sharing.rules import agreed_rule, default_exact
from ..valuation.game import agreement_game
from ..valuation.graph import essential_members
from .actuals import milestone_task
from .amounts import amounts

__all__ = ["Withdrawal", "progress", "withdraw"]


@dataclass(frozen=True)
class Withdrawal:
    """A withdrawal: ``table`` of the remaining members (``before``, ``after``,
    ``change``, ``pays``: its part of what the leaver is owed, ``net``); ``member``,
    ``planned`` (its planned amount), ``progress``, ``owed``; ``takeover`` (indexed by
    contribution or task: ``kind``, ``by``, ``how``); ``failing`` (products that cannot
    be made without it); ``results`` (indexed by result: ``owner``, ``produced``,
    ``keeps``); ``remaining_value``; ``rule``."""

    member: str
    table: pd.DataFrame
    planned: Any
    progress: Fraction
    owed: Any
    takeover: pd.DataFrame
    failing: list[str]
    results: pd.DataFrame
    remaining_value: Any
    rule: str
    milestone: str | None


def progress(agreement: Agreement, milestone: str | None) -> tuple[Fraction, list[str]]:
    """``(pi, done)``: the budget share of tasks up to and including ``milestone`` (plan
    order; equal weights when no task has a cost) and those tasks' ids.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> progress(a, "t_automation")
    (Fraction(15, 43), ['t_automation'])
    >>> progress(a, None)
    (Fraction(0, 1), [])
    """
    if milestone is None:
        return Fraction(0), []
    task = milestone_task(agreement, milestone)
    if task is None:
        known = ", ".join(t.id for t in agreement.tasks) or "(the agreement has no tasks)"
        raise AgreementError(f"unknown milestone {milestone!r}; expected a task id ({known}) "
                             "or a task's milestone text")
    ids = [t.id for t in agreement.tasks]
    done = ids[: ids.index(task) + 1]
    costs = {t.id: fraction(t.cost) for t in agreement.tasks}
    total = sum(costs.values(), Fraction(0))
    if total == 0:
        return Fraction(len(done), len(ids)), done
    return sum((costs[t] for t in done), Fraction(0)) / total, done


def _takeover(agreement: Agreement, member: str) -> pd.DataFrame:
    owner = {c.id: c.member for c in agreement.contributions}
    rows = []
    for c in agreement.contributions:
        if c.member != member:
            continue
        alts: list[str] = []
        for holder in [*agreement.tasks, *agreement.products]:
            for group in holder.needs.any_of:
                if c.id in group:
                    alts += [owner[x] for x in group if x in owner and owner[x] != member]
        alts = list(dict.fromkeys(alts))
        if alts:
            how = "an alternative of the same need: " + ", ".join(alts)
        elif c.substitute_price is not None:
            how = f"bought on the market at {c.substitute_price:g} {agreement.currency}"
        else:
            how = "nobody: no alternative and no market substitute"
        rows.append({"item": c.id, "kind": "contribution", "by": ", ".join(alts)
                     or ("market" if c.substitute_price is not None else ""), "how": how})
    for t in agreement.tasks:
        if t.lead != member and member not in t.members:
            continue
        team = [m for m in dict.fromkeys([*( [t.lead] if t.lead else []), *t.members])
                if m != member]
        rows.append({"item": t.id, "kind": "task", "by": ", ".join(team),
                     "how": "the rest of the task team" if team
                     else "nobody in the team: the remaining members must assign it"})
    return pd.DataFrame(rows, columns=["item", "kind", "by", "how"]).set_index("item")


def _results(agreement: Agreement, member: str, done: list[str]) -> pd.DataFrame:
    produced = {r for t in agreement.tasks if t.id in done for r in t.produces}
    rows = []
    for r in agreement.results:
        owner = member in owners_of(agreement, r.id)
        made = r.id in produced
        if owner and made:
            keeps = "its ownership (produced before it left)"
        elif made:
            keeps = f"access for exploitation on {r.access.exploitation.value} terms"
        else:
            keeps = ("none: not produced before it left; "
                     + ("its ownership lapses" if owner else "no access"))
        rows.append({"result": r.id, "owner": owner, "produced": made, "keeps": keeps})
    return pd.DataFrame(rows, columns=["result", "owner", "produced", "keeps"]
                        ).set_index("result")


def withdraw(agreement: Agreement, member: str, milestone: str | None = None, *,
             rule: str | None = None, exact: bool | None = None) -> Withdrawal:
    r"""Settle a member's withdrawal.

    .. math::

        y = \varphi\big(v|_{N \setminus \{j\}}\big), \qquad
        \sum_{i \ne j} y_i = v(N \setminus \{j\}), \qquad
        \text{owed}_j = \pi\, x_j\, v(N \setminus \{j\}) / v(N)

    Parameters
    ----------
    agreement : Agreement
    member : str
        The leaving member's id.
    milestone : str, optional
        The last milestone reached (a task id or its milestone text); default none.
    rule : str, optional
        Default the agreed rule, else ``shapley``.
    exact : bool, optional
        Default :func:`agreements.sharing.default_exact`.

    Returns
    -------
    Withdrawal

    Raises
    ------
    AgreementError
        Unknown member or milestone; the last member cannot withdraw.

    Notes
    -----
    One game (:math:`O(2^n)`), restricted to the remaining members in
    :math:`O(2^{n-1})`, and the rule twice. A member is essential for a product when
    every recipe needs one of its contributions without substitute
    (:func:`agreements.valuation.graph.essential_members`). Model agreements name a
    leaving party's rights to results but give no numbers [DESCA2021]_; the shares are
    the formation ones [Shapley1953]_.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> w = withdraw(a, "wusong_hospital", "t_automation")
    >>> w.failing
    ['p_smart_lab']
    >>> sum(w.table["after"]) == w.remaining_value
    True
    """
    if member not in agreement.member_ids:
        raise AgreementError(f"unknown member {member!r}; members are "
                             + ", ".join(agreement.member_ids))
    if len(agreement.members) == 1:
        raise AgreementError(f"{member!r} is the only member: there is no consortium left")
    pi, done = progress(agreement, milestone)
    rule = rule or agreed_rule(agreement) or "shapley"
    ex = default_exact(agreement) if exact is None else bool(exact)
    num = fraction if ex else float
    game = agreement_game(agreement, exact=ex)
    before = amounts(agreement, rule, ex, game)["amount"].map(num)
    rest = [m for m in agreement.member_ids if m != member]
    sub = game.restrict(rest)
    sharing = agreement.sharing
    if sharing.fixed_shares:
        sharing = sharing.model_copy(update={"fixed_shares": {
            m: v for m, v in sharing.fixed_shares.items() if m != member}})
    remaining = agreement.model_copy(update={
        "members": [m for m in agreement.members if m.id != member],
        "contributions": [c for c in agreement.contributions if c.member != member],
        "sharing": sharing})
    after_alloc = amounts(remaining, rule, ex, sub)
    after = after_alloc["amount"].map(num)
    planned = before[member]
    grand, rest_value = num(game.grand_value), num(after_alloc.attrs["grand_value"])
    owed = num(pi) * planned * rest_value / grand if grand != 0 else num(0)
    weights = after.clip(lower=0) if not ex else after.map(lambda x: max(x, Fraction(0)))
    total = sum(weights.tolist(), num(0))
    pays = (weights.map(lambda w: owed * w / total) if total != 0
            else pd.Series([owed / len(rest)] * len(rest), index=rest))
    table = pd.DataFrame({"before": before[rest], "after": after, "change": after - before[rest],
                          "pays": pays}, index=pd.Index(rest, name="member"), dtype=object)
    table["net"] = table["after"] - table["pays"]
    table.attrs.update(rule=rule, currency=agreement.currency, exact=ex, member=member,
                       remaining_value=after_alloc.attrs["grand_value"])
    failing = sorted(p for p, ms in essential_members(agreement).items() if member in ms)
    return Withdrawal(member, table, planned, pi, owed, _takeover(agreement, member),
                      failing, _results(agreement, member, done),
                      after_alloc.attrs["grand_value"], rule, milestone)
