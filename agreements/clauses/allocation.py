"""Exact revenue shares for clause tables: from a given allocation or the agreed rule.

A clause table states each party's share of distributable income. The shares are
taken from the ``allocation`` the caller passes (e.g. computed Shapley values), else
from the one sharing path, :func:`agreements.sharing.allocate`, under the agreed rule.
Every share is an exact :class:`~fractions.Fraction` and the shares sum to exactly 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from sharing_models.exceptions import ConsortiumError, InvalidInputError

from ..scenario.model import Agreement
from ..sharing import agreed_rule, allocate
from ..sharing.display import exact

__all__ = ["Shares", "contribution_totals", "resolve_shares"]


@dataclass(frozen=True)
class Shares:
    """Exact shares (summing to 1) by member id, or ``None`` with the reason why."""

    values: pd.Series | None
    method: str | None
    why_missing: str | None = None
    #: How the shares were computed when not from the whole game: the ``attrs`` of
    #: :func:`agreements.sharing.allocate` (``method``, ``detail``, and for sampled
    #: shares ``samples``, ``seed`` and ``half_width``, a fraction of v(N)).
    how: dict[str, Any] | None = None


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
    method = agreed_rule(agreement)
    if allocation is not None:
        return Shares(_from_allocation(agreement, allocation), method)
    if method is None:
        return Shares(None, None, "sharing.method is absent")
    try:
        alloc = allocate(agreement, method, seed=0)
    except ConsortiumError as exc:  # the agreement does not support its own rule
        return Shares(None, method, str(exc).splitlines()[0])
    share = alloc["share"]
    how = None
    if alloc.attrs.get("method") == "sampled":
        grand = float(alloc.attrs["grand_value"]) or 1.0
        how = {"method": "sampled", "samples": alloc.attrs["samples"], "seed": 0,
               "half_width": float((alloc["high"] - alloc["low"]).max()) / 2 / abs(grand)}
    elif alloc.attrs.get("method") == "exact by structure" and method in (
            "shapley", "banzhaf", "owen"):
        how = {"method": "exact by structure", "detail": alloc.attrs.get("detail", "")}
    if share.isna().any():
        return Shares(None, method, "the consortium's expected value v(N) is 0, so the "
                                    "rule gives no shares")
    return Shares(share.map(exact).rename("share"), method, how=how)
