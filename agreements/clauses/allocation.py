"""Exact revenue shares for clause tables: from a given allocation or the agreed rule.

A clause table states each party's share of distributable income. The shares are
taken, in this order, from the ``allocation`` the caller passes (e.g. computed Shapley
values), from rules that need no game (``fixed``, ``equal``, ``proportional``), or from
:meth:`agreements.Agreement.shares` for game-based rules. Every share is an exact
:class:`~fractions.Fraction` and the shares sum to exactly 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from sharing_models.exceptions import InvalidInputError

from ..model import Agreement, SharingMethod
from .rounding import exact

__all__ = ["Shares", "contribution_totals", "distribution_method", "resolve_shares"]


@dataclass(frozen=True)
class Shares:
    """Exact shares (summing to 1) by member id, or ``None`` with the reason why."""

    values: pd.Series | None
    method: str | None
    why_missing: str | None = None


def contribution_totals(agreement: Agreement, field: str = "valuation") -> pd.Series:
    """Sum of contributions' ``valuation`` (or ``cost``) per member, exact, file order.

    >>> from agreements import load
    >>> a = load("scenarios/baoshan_medical_devices.yaml")
    >>> contribution_totals(a)["fosun_dx"]
    Fraction(90000000, 1)
    """
    totals = dict.fromkeys(agreement.member_ids, Fraction(0))
    for c in agreement.contributions:
        totals[c.member] += exact(getattr(c, field))
    return pd.Series(totals, dtype=object, name=field)


def _normalise(values: pd.Series, what: str) -> pd.Series:
    total = sum(values.tolist(), Fraction(0))
    if total == 0:
        raise InvalidInputError(f"{what} sums to 0; expected shares with a non-zero total")
    return (values / total).rename("share")


def _from_allocation(agreement: Agreement, allocation: Any) -> pd.Series:
    if isinstance(allocation, pd.DataFrame):
        if allocation.shape[1] != 1:
            raise InvalidInputError(
                "allocation is a DataFrame with several columns; pass one column (a Series)"
            )
        allocation = allocation.iloc[:, 0]
    if isinstance(allocation, Mapping):
        allocation = pd.Series(dict(allocation))
    if not isinstance(allocation, pd.Series):
        raise InvalidInputError(
            f"allocation must be a pandas Series or mapping member id -> amount, "
            f"got {type(allocation).__name__}"
        )
    ids = agreement.member_ids
    unknown = sorted(set(map(str, allocation.index)) - set(ids))
    missing = [i for i in ids if i not in set(map(str, allocation.index))]
    if unknown or missing:
        raise InvalidInputError(
            f"allocation must give one figure per member id ({', '.join(ids)}); "
            f"unknown: {unknown or 'none'}, missing: {missing or 'none'}"
        )
    values = pd.Series([exact(allocation[i]) for i in ids], index=ids, dtype=object)
    return _normalise(values, "allocation")


def _rule_shares(agreement: Agreement, method: SharingMethod) -> pd.Series | None:
    ids = agreement.member_ids
    if method is SharingMethod.FIXED and agreement.sharing.fixed_shares:
        fixed = agreement.sharing.fixed_shares
        values = [exact(fixed.get(i, 0)) for i in ids]
        return _normalise(pd.Series(values, index=ids, dtype=object), "sharing.fixed_shares")
    if method is SharingMethod.EQUAL:
        return pd.Series([Fraction(1, len(ids))] * len(ids), index=ids, dtype=object,
                         name="share")
    if method is SharingMethod.PROPORTIONAL:
        return _normalise(contribution_totals(agreement), "contribution valuations")
    return None


#: Rules whose shares :func:`agreements.waterfall.distribution_shares` computes.
_TIERING = ("tiered", "fee_based", "blend")

#: Largest number of members for which game-based shares are computed exactly.
EXACT_MEMBERS = 10


def _computed_shares(agreement: Agreement, method: str) -> pd.Series:
    if method in _TIERING:
        from ..waterfall import distribution_shares

        return _from_allocation(agreement, distribution_shares(agreement, method))
    exact_game = len(agreement.members) <= EXACT_MEMBERS
    table = agreement.shares(methods=[method], exact=exact_game)
    if isinstance(table, pd.DataFrame):
        column = method if method in table.columns else table.columns[0]
        table = table[column]
    return _from_allocation(agreement, table)


def resolve_shares(agreement: Agreement, allocation: Any = None) -> Shares:
    """The exact shares a clause table states, and the rule they come from.

    Raises :class:`~sharing_models.exceptions.InvalidInputError` for a malformed
    ``allocation``; a rule that cannot be computed here (a missing optional piece)
    gives ``Shares(None, method, why_missing)`` so the clause can say so.

    >>> from agreements import load
    >>> a = load("scenarios/baoshan_medical_devices.yaml")
    >>> resolve_shares(a).values.tolist()
    [Fraction(11, 20), Fraction(1, 5), Fraction(3, 20), Fraction(1, 10)]
    """
    method = distribution_method(agreement)
    if allocation is not None:
        return Shares(_from_allocation(agreement, allocation), method)
    if method is None:
        return Shares(None, None, "sharing.method is absent")
    shares = _rule_shares(agreement, SharingMethod(method))  # no game needed
    if shares is not None:
        return Shares(shares, method)
    try:
        return Shares(_computed_shares(agreement, method), method)
    except Exception as exc:  # an optional piece is missing or cannot handle this case
        return Shares(None, method, f"{type(exc).__name__}: {exc}".splitlines()[0])


def distribution_method(agreement: Agreement) -> str | None:
    """The rule dividing income: ``sharing.waterfall.distribution``, else
    ``sharing.method`` (as :func:`agreements.waterfall.distribution_shares` reads them)."""
    spec = agreement.sharing.waterfall
    if spec is not None and spec.distribution is not None:
        return str(spec.distribution)
    return agreement.sharing.method.value if agreement.sharing.method else None
