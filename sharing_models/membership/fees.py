"""Membership fee rules: flat, percentage with floor and cap, piecewise-linear by band,
country multipliers, small-member discounts and proration for partial years.

A fee rule maps a member's data (its revenue in the field, employees, country income
class, months of membership) to the fee it pays for one year. The SEMATECH dues
[IrwinKlenow1996]_ are the classic percentage rule with a floor and a cap,

.. math::

    f(R) = \\min\\bigl(\\max(r R,\\ \\underline{f}),\\ \\overline{f}\\bigr),
    \\qquad r = 1\\%,\\ \\underline{f} = \\$1\\text{M},\\ \\overline{f} = \\$15\\text{M},

and the general revenue-band form (ACIL) is piecewise linear,
:math:`f(R) = (R - a_k) b_k + c_k` for :math:`a_k \\le R < a_{k+1}`, with a cap.

Every rule is evaluated

* **exactly**: ``int``, :class:`~fractions.Fraction`, :class:`~decimal.Decimal` (or a
  numeric string) in, :class:`~fractions.Fraction` out; floats in, floats out. Rule
  parameters given as floats are read as the decimal they print as (``0.01`` is
  exactly 1/100), so a clause and its arithmetic agree;
* **vectorised** over an array of members (numpy ``float64`` or ``object`` arrays);
* **as a formula**: :meth:`FeeRule.formula` gives the sympy expression a clause prints,
  e.g. ``Min(15000000, Max(1000000, R/100))``.

A rule is called with a scalar or an array of its metric, or with a mapping /
:class:`pandas.DataFrame` of columns (``revenue``, ``employees``, ``income_class``,
``months``) when it reads several.
"""

from __future__ import annotations

import itertools
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp

from ..exceptions import InvalidInputError

__all__ = [
    "CountryMultiplier",
    "FeeRule",
    "Flat",
    "Percentage",
    "PiecewiseLinear",
    "Prorated",
    "SmallMemberDiscount",
    "exact_number",
    "prorate",
    "sematech",
]

Number = int | float | Fraction | Decimal


def exact_number(x: Any, what: str = "value") -> Fraction:
    """Read ``x`` as an exact :class:`~fractions.Fraction` (floats by their printed decimal).

    >>> exact_number(0.01), exact_number("1.5e6"), exact_number(Decimal("2.50"))
    (Fraction(1, 100), Fraction(1500000, 1), Fraction(5, 2))
    """
    if isinstance(x, bool):
        raise InvalidInputError(f"{what} must be a number, got a bool ({x!r})")
    try:
        if isinstance(x, float | np.floating):
            if not np.isfinite(x):
                raise InvalidInputError(f"{what} must be a finite number, got {x!r}")
            return Fraction(repr(float(x)))
        if isinstance(x, numbers.Rational | Decimal | str | np.integer):
            return Fraction(x if not isinstance(x, np.integer) else int(x))
    except (ValueError, ZeroDivisionError) as exc:
        raise InvalidInputError(f"{what} must be a number, got {x!r} ({exc})") from None
    if isinstance(x, sp.Rational):
        return Fraction(int(x.p), int(x.q))
    raise InvalidInputError(f"{what} must be a number, got {type(x).__name__} {x!r}")


def _non_negative(x: Any, what: str) -> Fraction:
    v = exact_number(x, what)
    if v < 0:
        raise InvalidInputError(f"{what} must be >= 0, got {x!r}")
    return v


def _column(x: Any, name: str) -> tuple[np.ndarray, bool]:
    """The metric ``name`` as a 1-d array and whether it is exact (object of Fraction)."""
    if isinstance(x, pd.DataFrame | Mapping):
        if name not in x:
            have = list(x.columns if isinstance(x, pd.DataFrame) else x.keys())
            raise InvalidInputError(f"the fee rule needs column {name!r}; got columns {have}")
        x = x[name]
    seq = np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x, dtype=object).ravel()
    if seq.size and all(isinstance(v, float | np.floating) for v in seq):
        arr = seq.astype(float)
        if not np.all(np.isfinite(arr)):
            raise InvalidInputError(f"{name} must be finite numbers (found NaN or infinity)")
        return arr, False
    if seq.size and any(isinstance(v, float | np.floating) for v in seq):
        try:
            arr = seq.astype(float)
        except (TypeError, ValueError):
            raise InvalidInputError(f"{name} must be numbers; got {list(seq)[:5]}") from None
        return arr, False
    out = np.empty(seq.size, dtype=object)
    out[:] = [exact_number(v, name) for v in seq]
    return out, True


def _p(value: Fraction, exact: bool) -> Any:
    """A rule parameter in the arithmetic of the input (Fraction or float)."""
    return value if exact else float(value)


def _sym(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


@dataclass(frozen=True)
class FeeRule(ABC):
    """Base class: a yearly fee as a function of a member's data.

    Subclasses implement :meth:`evaluate` (vectorised) and :meth:`formula`.
    """

    def __call__(self, data: Any) -> Any:
        """Fee for a scalar metric (scalar out), an array, or a table of columns (array)."""
        scalar = not isinstance(data, pd.DataFrame | Mapping | pd.Series) and np.ndim(data) == 0
        out = self.evaluate(data if not scalar else [data])
        if not scalar:
            return out
        return out[0].item() if isinstance(out[0], np.generic) else out[0]

    @abstractmethod
    def evaluate(self, data: Any) -> np.ndarray:
        """Fees for every member in ``data`` (float64 or object array of Fraction)."""

    @abstractmethod
    def formula(self) -> sp.Expr:
        """The rule as a sympy expression in the symbols of its metrics."""

    def metrics(self) -> tuple[str, ...]:
        """Names of the member data columns the rule reads."""
        return ()


_SYMBOLS = {"revenue": "R", "employees": "E", "months": "M", "income_class": "m",
            "fee_class": "m"}


def _symbol(metric: str) -> sp.Symbol:
    return sp.Symbol(_SYMBOLS.get(metric, metric), nonnegative=True)


@dataclass(frozen=True)
class Flat(FeeRule):
    """The same fee for every member: :math:`f = c`.

    >>> Flat(60_000)(123), Flat(60_000).formula()
    (Fraction(60000, 1), 60000)
    """

    amount: Any

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _non_negative(self.amount, "flat fee"))

    def evaluate(self, data: Any) -> np.ndarray:
        if isinstance(data, pd.DataFrame | Mapping):
            n, exact = len(next(iter(data.values()), [])) if isinstance(data, Mapping) \
                else len(data), True
        else:
            x, exact = _column(data, "metric")
            n = len(x)
        out = np.empty(n, dtype=object) if exact else np.empty(n)
        out[:] = _p(self.amount, exact)
        return out

    def formula(self) -> sp.Expr:
        return _sym(self.amount)


@dataclass(frozen=True)
class Percentage(FeeRule):
    """A share of a metric with a floor and a cap: :math:`\\min(\\max(rR, f_0), f_1)`.

    >>> rule = Percentage(0.01, floor=1_000_000, cap=15_000_000)
    >>> rule(100_000_000), rule(2_000_000_000), rule(99_999_999.0)
    (Fraction(1000000, 1), Fraction(15000000, 1), 1000000.0)
    >>> rule.formula()
    Min(15000000, Max(1000000, R/100))
    """

    rate: Any
    floor: Any = 0
    cap: Any = None
    metric: str = "revenue"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", _non_negative(self.rate, "fee rate"))
        object.__setattr__(self, "floor", _non_negative(self.floor, "fee floor"))
        if self.cap is not None:
            cap = _non_negative(self.cap, "fee cap")
            if cap < self.floor:
                raise InvalidInputError(
                    f"fee cap {self.cap} is below the floor {self.floor}; expected cap >= floor"
                )
            object.__setattr__(self, "cap", cap)

    def evaluate(self, data: Any) -> np.ndarray:
        x, exact = _column(data, self.metric)
        out = np.maximum(x * _p(self.rate, exact), _p(self.floor, exact))
        if self.cap is not None:
            out = np.minimum(out, _p(self.cap, exact))
        return np.asarray(out)

    def formula(self) -> sp.Expr:
        expr = sp.Max(_sym(self.rate) * _symbol(self.metric), _sym(self.floor))
        return sp.Min(expr, _sym(self.cap)) if self.cap is not None else expr

    def metrics(self) -> tuple[str, ...]:
        return (self.metric,)


def sematech() -> Percentage:
    """SEMATECH dues [IrwinKlenow1996]_: 1% of semiconductor sales, $1M floor, $15M cap.

    >>> sematech()(Fraction(700_000_000))
    Fraction(7000000, 1)
    """
    return Percentage(Fraction(1, 100), floor=1_000_000, cap=15_000_000)


@dataclass(frozen=True)
class PiecewiseLinear(FeeRule):
    """Fee by band: :math:`f(R) = (R - a_k) b_k + c_k` for :math:`a_k \\le R < a_{k+1}`.

    ``bands`` is a sequence of ``(a_k, b_k, c_k)`` with strictly increasing starts
    :math:`a_k`, the first being 0; the last band is open-ended; ``cap`` bounds the fee.

    >>> rule = PiecewiseLinear([(0, 0, 1500), (1e6, 0.001, 5000)], cap=10_000)
    >>> rule([500_000, 3_000_000, 1e9]).tolist()
    [1500.0, 7000.0, 10000.0]
    >>> rule.formula()
    Min(10000, Piecewise((1500, R < 1000000), (R/1000 + 4000, True)))
    """

    bands: Sequence[tuple[Any, Any, Any]]
    cap: Any = None
    metric: str = "revenue"
    _a: tuple[Fraction, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        if len(self.bands) == 0:
            raise InvalidInputError("a piecewise-linear fee needs at least one band")
        rows = []
        for k, band in enumerate(self.bands):
            if len(band) != 3:
                raise InvalidInputError(f"band {k} must be (start, rate, base); got {band!r}")
            a, b, c = (_non_negative(v, f"band {k} {w}") for v, w in
                       zip(band, ("start", "rate", "base"), strict=True))
            rows.append((a, b, c))
        if rows[0][0] != 0:
            raise InvalidInputError(f"the first band must start at 0 (gap below {rows[0][0]})")
        for k in range(1, len(rows)):
            if rows[k][0] <= rows[k - 1][0]:
                raise InvalidInputError(
                    f"band starts must increase strictly: band {k} starts at {rows[k][0]}, "
                    f"band {k - 1} at {rows[k - 1][0]} (overlapping bands)"
                )
        object.__setattr__(self, "bands", tuple(rows))
        object.__setattr__(self, "_a", tuple(r[0] for r in rows))
        if self.cap is not None:
            cap = _non_negative(self.cap, "fee cap")
            if cap < rows[0][2]:
                raise InvalidInputError(
                    f"fee cap {self.cap} is below the lowest fee {rows[0][2]}; expected a cap "
                    "at least the first band's base fee"
                )
            object.__setattr__(self, "cap", cap)

    def evaluate(self, data: Any) -> np.ndarray:
        x, exact = _column(data, self.metric)
        starts = np.array([_p(a, exact) for a in self._a], dtype=object if exact else float)
        k = np.searchsorted(starts, x, side="right") - 1
        k = np.maximum(k, 0)
        b = np.array([_p(r[1], exact) for r in self.bands], dtype=starts.dtype)
        c = np.array([_p(r[2], exact) for r in self.bands], dtype=starts.dtype)
        out = (x - starts[k]) * b[k] + c[k]
        return np.asarray(np.minimum(out, _p(self.cap, exact)) if self.cap is not None else out)

    def formula(self) -> sp.Expr:
        R = _symbol(self.metric)
        pieces = [((R - _sym(a)) * _sym(b) + _sym(c), sp.StrictLessThan(R, _sym(nxt)))
                  for (a, b, c), nxt in zip(self.bands[:-1], self._a[1:], strict=True)]
        a, b, c = self.bands[-1]
        expr = sp.Piecewise(*pieces, ((R - _sym(a)) * _sym(b) + _sym(c), True))
        return sp.Min(expr, _sym(self.cap)) if self.cap is not None else expr

    def metrics(self) -> tuple[str, ...]:
        return (self.metric,)


@dataclass(frozen=True)
class CountryMultiplier(FeeRule):
    """A base fee times a multiplier by the member's country class (W3C [W3C2008]_).

    :math:`f = m_{c} \\cdot f_0`, where :math:`c` is the member's class (for W3C the World
    Bank income class of its country) read from column ``by``.

    >>> rule = CountryMultiplier(Flat(57_500), {"high": 1, "upper_middle": 0.5})
    >>> rule({"income_class": ["high", "upper_middle"]}).tolist()
    [Fraction(57500, 1), Fraction(28750, 1)]
    >>> rule.formula()
    57500*m
    """

    base: FeeRule
    multipliers: Mapping[str, Any]
    by: str = "income_class"

    def __post_init__(self) -> None:
        if not self.multipliers:
            raise InvalidInputError("a country multiplier rule needs at least one class")
        object.__setattr__(self, "multipliers", {
            str(k): _non_negative(v, f"multiplier of class {k!r}")
            for k, v in self.multipliers.items()})

    def evaluate(self, data: Any) -> np.ndarray:
        classes = _classes(data, self.by)
        unknown = sorted(set(classes) - set(self.multipliers))
        if unknown:
            raise InvalidInputError(f"no fee multiplier for {self.by} {unknown}; known classes: "
                                    f"{sorted(self.multipliers)}")
        fee = self.base.evaluate(data)
        exact = fee.dtype == object
        m = np.array([_p(self.multipliers[c], exact) for c in classes],
                     dtype=object if exact else float)
        return np.asarray(fee * m)

    def formula(self) -> sp.Expr:
        return self.base.formula() * _symbol(self.by)

    def metrics(self) -> tuple[str, ...]:
        return (*self.base.metrics(), self.by)


def _classes(data: Any, by: str) -> list[str]:
    if not isinstance(data, pd.DataFrame | Mapping) or by not in data:
        raise InvalidInputError(f"this fee rule needs a table with a {by!r} column")
    return [str(c) for c in data[by]]


@dataclass(frozen=True)
class SmallMemberDiscount(FeeRule):
    """A reduced fee for small members: below ``t_j`` employees pay ``d_j`` (OpenPOWER).

    ``thresholds`` maps an exclusive upper bound of the metric to the fee; the lowest
    bound met applies, otherwise the base rule. OpenPOWER Silver [OpenPOWER2023]_:
    $20k, $5k under 100 employees, $1k under 10.

    >>> silver = SmallMemberDiscount(Flat(20_000), {100: 5_000, 10: 1_000})
    >>> silver({"employees": [5, 50, 5000]}).tolist()
    [Fraction(1000, 1), Fraction(5000, 1), Fraction(20000, 1)]
    >>> silver.formula()
    Piecewise((1000, E < 10), (5000, E < 100), (20000, True))
    """

    base: FeeRule
    thresholds: Mapping[Any, Any]
    metric: str = "employees"

    def __post_init__(self) -> None:
        if not self.thresholds:
            raise InvalidInputError("a small-member discount needs at least one threshold")
        pairs = sorted((_non_negative(t, "discount threshold"),
                        _non_negative(f, f"discounted fee below {t}"))
                       for t, f in self.thresholds.items())
        for (t0, f0), (t1, f1) in itertools.pairwise(pairs):
            if f0 > f1:
                raise InvalidInputError(
                    f"members below {t0} pay {f0}, more than members below {t1} ({f1}); a "
                    "smaller member must not pay more"
                )
        object.__setattr__(self, "thresholds", dict(pairs))

    def evaluate(self, data: Any) -> np.ndarray:
        fee = self.base.evaluate(data)
        size, _ = _column(data, self.metric)
        exact = fee.dtype == object
        out = fee.copy()
        for t, f in sorted(self.thresholds.items(), reverse=True):
            out = np.where(size < _p(t, exact) if exact else size < float(t), _p(f, exact), out)
        return out

    def formula(self) -> sp.Expr:
        E = _symbol(self.metric)
        pieces = [(_sym(f), sp.StrictLessThan(E, _sym(t)))
                  for t, f in sorted(self.thresholds.items())]
        return sp.Piecewise(*pieces, (self.base.formula(), True))

    def metrics(self) -> tuple[str, ...]:
        return (*self.base.metrics(), self.metric)


@dataclass(frozen=True)
class Prorated(FeeRule):
    """A yearly fee prorated for a partial year: :math:`f \\cdot M / 12` (column ``months``).

    >>> Prorated(Flat(60_000))({"months": [12, 3]}).tolist()
    [Fraction(60000, 1), Fraction(15000, 1)]
    >>> Prorated(Flat(60_000)).formula()
    5000*M
    """

    base: FeeRule
    metric: str = "months"
    period: int = 12

    def __post_init__(self) -> None:
        if int(self.period) != self.period or self.period <= 0:
            raise InvalidInputError(f"proration period must be a positive integer; got "
                                    f"{self.period!r}")

    def evaluate(self, data: Any) -> np.ndarray:
        months, _ = _column(data, self.metric)
        return np.asarray(prorate(self.base.evaluate(data), months, self.period))

    def formula(self) -> sp.Expr:
        return self.base.formula() * _symbol(self.metric) / self.period

    def metrics(self) -> tuple[str, ...]:
        return (*self.base.metrics(), self.metric)


def prorate(fee: Any, months: Any, period: int = 12) -> Any:
    """Fee for ``months`` of a ``period``-month year: :math:`f \\cdot M / P`, exact for exact input.

    >>> prorate(Fraction(60_000), 5)
    Fraction(25000, 1)
    """
    scalar = np.ndim(months) == 0 and np.ndim(fee) == 0
    m = np.atleast_1d(np.asarray(months, dtype=None if isinstance(months, np.ndarray) else object))
    exact = m.dtype == object and not any(isinstance(v, float) for v in m)
    m = np.array([exact_number(v, "months") for v in m], dtype=object) if exact \
        else m.astype(float)
    if np.any(m < 0) or np.any(m > period):
        raise InvalidInputError(f"months of membership must lie in [0, {period}]; got "
                                f"{np.asarray(months).tolist()}")
    out = np.atleast_1d(np.asarray(fee, dtype=object if exact else None)) * m
    out = out / (Fraction(period) if exact else float(period))
    if not scalar:
        return out
    return out[0].item() if isinstance(out[0], np.generic) else out[0]
