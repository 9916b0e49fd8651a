"""Largest-remainder rounding: shown figures that add up exactly.

A column of percentages rounded one by one can add up to 99.99% or 100.01%, and a
column of amounts to a cent more or less than the sum to be paid: a classic source of
disputes over signed tables. :func:`largest_remainder` rounds exact shares so that the
shown figures sum exactly to the total, and no figure moves by a unit of the last shown
decimal or more [BalinskiYoung2001]_.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from numbers import Rational, Real

import pandas as pd

from sharing_models.exceptions import InvalidInputError

__all__ = ["exact", "format_fixed", "largest_remainder", "rounded", "shown_figures"]


def exact(x: object) -> Fraction:
    """``x`` as an exact :class:`~fractions.Fraction`.

    Floats are read as the decimal they print as (``0.1`` is ``1/10``, not the binary
    value nearest to it), which is what a figure typed in a scenario file means.

    >>> exact(0.1), exact(Fraction(1, 3)), exact(7)
    (Fraction(1, 10), Fraction(1, 3), Fraction(7, 1))
    """
    if isinstance(x, bool):
        raise InvalidInputError(f"expected a number, got the boolean {x!r}")
    if isinstance(x, Fraction | Rational):
        return Fraction(x)
    if isinstance(x, Decimal):
        return Fraction(x)
    if isinstance(x, Real):
        f = float(x)
        if not math.isfinite(f):
            raise InvalidInputError(f"expected a finite number, got {x!r}")
        return Fraction(repr(f))
    try:  # sympy numbers and numpy scalars
        return Fraction(str(x))
    except (TypeError, ValueError):
        raise InvalidInputError(f"expected a number, got {x!r}") from None


def largest_remainder(
    values: Sequence[object] | pd.Series, total: object = 100, decimals: int = 2
) -> list[Fraction] | pd.Series:
    r"""Round ``values``, scaled to ``total``, to ``decimals`` places summing to ``total``.

    With unit :math:`u = 10^{-d}` and exact targets :math:`q_i = T v_i / \sum_j v_j`, each
    shown figure is :math:`r_i = u\lfloor q_i/u \rfloor` plus one unit for the
    :math:`k = (T - \sum_i r_i)/u` figures with the largest remainders
    :math:`q_i - r_i` (ties: larger :math:`q_i` first, then order of appearance):

    .. math:: \sum_i r_i = T, \qquad |r_i - q_i| < u.

    Parameters
    ----------
    values
        Exact or float weights (a Series keeps its index). Their sum must not be 0.
        Floats are read as the decimals they print as.
    total
        What the shown figures must add up to (100 for percentages, the amount for
        money). Must be a whole number of units ``10**-decimals``.
    decimals
        Decimal places shown (0 to 12).

    Returns
    -------
    list of Fraction or pandas.Series
        Multiples of ``10**-decimals`` summing exactly to ``total``.

    Raises
    ------
    InvalidInputError
        If ``values`` is empty or sums to 0, ``decimals`` is out of range, or ``total``
        is not a whole number of units.

    Examples
    --------
    >>> sum(largest_remainder([1, 1, 1], 100, 2))
    Fraction(100, 1)
    >>> [format_fixed(x, 2) for x in largest_remainder([1, 1, 1], 100, 2)]
    ['33.34', '33.33', '33.33']

    Notes
    -----
    :math:`O(n \log n)` for the sort of remainders; all arithmetic is exact. This is
    Hamilton's method of apportionment applied to units of the last decimal.

    References
    ----------
    [BalinskiYoung2001]_
    """
    index = values.index if isinstance(values, pd.Series) else None
    weights = [exact(v) for v in (values.tolist() if index is not None else values)]
    if not weights:
        raise InvalidInputError("largest_remainder needs at least one value")
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 12:
        raise InvalidInputError(f"decimals must be an integer from 0 to 12, got {decimals!r}")
    whole = sum(weights, Fraction(0))
    if whole == 0:
        raise InvalidInputError("largest_remainder: the values sum to 0; nothing to share")
    scale = 10**decimals
    units_total = exact(total) * scale
    if units_total.denominator != 1:
        raise InvalidInputError(
            f"total {float(exact(total))!r} is not a whole number of units of {Fraction(1, scale)} "
            f"(decimals={decimals}); round the total first"
        )
    targets = [w * units_total / whole for w in weights]
    floors = [math.floor(t) for t in targets]
    missing = int(units_total) - sum(floors)
    order = sorted(
        range(len(targets)), key=lambda i: (-(targets[i] - floors[i]), -targets[i], i)
    )
    for i in order[:missing]:
        floors[i] += 1
    shown = [Fraction(f, scale) for f in floors]
    return pd.Series(shown, index=index, name=values.name) if index is not None else shown


def format_fixed(x: object, decimals: int = 2, *, thousands: bool = True) -> str:
    """``x`` as text with exactly ``decimals`` places, rounding half away from zero.

    >>> format_fixed(Fraction(3334, 100)), format_fixed(1234567.5, 0), format_fixed(-0.005)
    ('33.34', '1,234,568', '-0.01')
    """
    q = exact(x)
    scale = 10**decimals
    units = abs(q) * scale
    n = math.floor(units)
    if units - n >= Fraction(1, 2):
        n += 1
    sign = "-" if q < 0 and n else ""
    whole, frac = divmod(n, scale)
    text = f"{whole:,}" if thousands else str(whole)
    if decimals:
        text += "." + str(frac).zfill(decimals)
    return sign + text


def shown_figures(allocation: pd.DataFrame, unit: str = "money",
                  decimals: int = 2) -> pd.Series:
    """The figures every output shows for one allocation of
    :func:`agreements.sharing.allocate`: the one presentation rounding.

    ``unit="money"``: amounts to ``decimals`` places summing exactly to :math:`v(N)`
    rounded to those places; ``unit="percent"``: percentages of :math:`v(N)` summing
    exactly to 100 (``None`` for every member when the rule gives no shares). Both by
    :func:`largest_remainder`.

    >>> alloc = pd.DataFrame({"share": [Fraction(1, 3)] * 3, "amount": [Fraction(10, 3)] * 3},
    ...                      index=["a", "b", "c"])
    >>> alloc.attrs["grand_value"] = Fraction(10)
    >>> [format_fixed(x) for x in shown_figures(alloc, "percent")]
    ['33.34', '33.33', '33.33']
    >>> [format_fixed(x) for x in shown_figures(alloc)]
    ['3.34', '3.33', '3.33']
    """
    if unit not in ("money", "percent"):
        raise InvalidInputError(f"unit must be 'money' or 'percent'; got {unit!r}")
    index = allocation.index
    if unit == "percent":
        share = allocation["share"]
        if share.isna().any():
            return pd.Series([None] * len(index), index=index, dtype=object)
        return largest_remainder(share, 100, decimals).rename(None)
    amount = allocation["amount"]
    total = rounded(allocation.attrs.get("grand_value", sum(exact(a) for a in amount)),
                    decimals)
    if all(exact(a) == 0 for a in amount):
        return pd.Series([Fraction(0)] * len(index), index=index, dtype=object)
    return largest_remainder(amount, total, decimals).rename(None)


def rounded(x: object, decimals: int = 2) -> Fraction:
    """``x`` rounded to ``decimals`` places, half away from zero, exactly.

    >>> rounded(2.675), rounded(Fraction(-1, 200))
    (Fraction(67, 25), Fraction(-1, 100))
    """
    q = exact(x)
    scale = 10**decimals
    n = math.floor(abs(q) * scale + Fraction(1, 2))
    return Fraction(n if q >= 0 else -n, scale)
