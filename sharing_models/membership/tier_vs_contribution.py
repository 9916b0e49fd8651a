"""Tier outcome against contribution: who subsidises whom under a tier schedule.

A member's *tier outcome* is what its tier gives it (income received plus the money value
of its rights) minus the fees it pays. Its *contribution* is its Shapley value
[Shapley1953]_ of the consortium game, and its *outside option* what it earns alone.
The difference

.. math::

    s_i = o_i - \\phi_i

is a subsidy **received** when positive and **paid** when negative. Paid subsidies are
traced to receivers in proportion to what each receives,

.. math::

    t_{p \\to r} = (-s_p) \\frac{s_r}{\\sum_{k: s_k > 0} s_k},

and a member with :math:`o_i < d_i` (its outside option) would rather leave.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pandas as pd

from ..exceptions import InvalidInputError
from .fees import exact_number

__all__ = ["subsidy_flows", "tier_vs_contribution"]


def _exact_series(s: Any, what: str) -> pd.Series:
    if isinstance(s, dict):
        s = pd.Series(s, dtype=object)
    if not isinstance(s, pd.Series) or s.empty:
        raise InvalidInputError(f"{what} must be a non-empty Series indexed by member id")
    return pd.Series([exact_number(v, f"{what} of {k!r}") for k, v in s.items()],
                     index=s.index.astype(str), dtype=object)


def tier_vs_contribution(outcome: Any, shapley: Any, outside: Any = None, *,
                         total: Any = None, tiers: Any = None) -> pd.DataFrame:
    """Each member's tier outcome against its Shapley value and outside option.

    Parameters
    ----------
    outcome : pandas.Series or mapping
        Member -> tier outcome (income + value of rights - fees), e.g. the sum over years
        of ``net`` in :func:`sharing_models.tiers.tier_accounts`.
    shapley : pandas.Series or mapping
        Member -> Shapley value (an amount), or shares when ``total`` is given.
    outside : pandas.Series or mapping, optional
        Member -> outside option (default 0).
    total : number, optional
        The value shared; when given, ``shapley`` is normalised to shares of it.
    tiers : pandas.Series, optional
        Member -> tier, shown as the first column.

    Returns
    -------
    pandas.DataFrame
        Indexed by member: ``tier_outcome``, ``shapley``, ``subsidy`` (received > 0, paid
        < 0), ``outside_option``, ``above_outside``.

    Raises
    ------
    InvalidInputError
        Members differ between the inputs, or values are not numbers.

    Examples
    --------
    >>> t = tier_vs_contribution({"a": 70, "b": 30}, {"a": 0.5, "b": 0.5}, total=100)
    >>> t[["tier_outcome", "shapley", "subsidy"]]
           tier_outcome shapley subsidy
    member
    a                70      50      20
    b                30      50     -20

    Notes
    -----
    Linear in the number of members.
    """
    o = _exact_series(outcome, "tier outcome")
    phi = _exact_series(shapley, "Shapley value")
    if set(phi.index) != set(o.index):
        raise InvalidInputError(f"tier outcomes name {sorted(o.index)} but Shapley values "
                                f"name {sorted(phi.index)}; expected the same members")
    phi = phi[o.index]
    if total is not None:
        t = exact_number(total, "total")
        if sum(phi) == 0:
            raise InvalidInputError("Shapley shares sum to 0; cannot scale them to a total")
        phi = phi * (t / sum(phi))
    d = (pd.Series(Fraction(0), index=o.index, dtype=object) if outside is None
         else _exact_series(outside, "outside option"))
    if outside is not None and set(d.index) != set(o.index):
        raise InvalidInputError("outside options must name the same members as the outcomes")
    df = pd.DataFrame({"tier_outcome": o, "shapley": phi, "subsidy": o - phi,
                       "outside_option": d[o.index]}, index=o.index)
    df["above_outside"] = [bool(x >= y) for x, y in zip(o, d[o.index], strict=True)]
    if tiers is not None:
        df.insert(0, "tier", pd.Series(tiers).rename(index=str).reindex(o.index))
    return df.rename_axis("member")


def subsidy_flows(table: pd.DataFrame) -> pd.DataFrame:
    """Who pays whom: each paid subsidy split over receivers in proportion to receipts.

    >>> t = tier_vs_contribution({"a": 80, "b": 10, "c": 10}, {"a": 50, "b": 30, "c": 20})
    >>> subsidy_flows(t)
      payer receiver amount
    0     b        a     20
    1     c        a     10
    """
    if "subsidy" not in table:
        raise InvalidInputError("expected a tier_vs_contribution table (with 'subsidy')")
    s = table["subsidy"]
    received = s[s > 0]
    paid = s[s < 0]
    total = sum(received, Fraction(0))
    rows = [(p, r, -sp * sr / total) for p, sp in paid.items() for r, sr in received.items()]
    return pd.DataFrame(rows, columns=["payer", "receiver", "amount"])
