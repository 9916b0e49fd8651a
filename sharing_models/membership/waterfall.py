"""Revenue waterfall: how a year's income from results flows to cost recovery, the
people who made the result, a reserve fund and the members, with every cent accounted for.

Each year, in this order:

1. **Income** from licences, transfers (assignments) and own implementation (operating
   profit of products using the result).
2. **Cost recovery**: agreed cost items are repaid in the agreed order until recovered;
   what a year cannot repay carries over. Costs are taken from licence and transfer
   income first, then from implementation profit.
3. **Reward to the people who made the result** on what remains of each stream. The
   Chinese statutory default [PRC2015]_ (Art. 45, when the unit has no rules and no
   agreement): at least 50% of net licence/transfer income, and at least 5% of operating
   profit in each of 3-5 consecutive years after implementation starts.
4. **Reserve fund**: a share of what is left.
5. **Distribution** of the rest to members by the agreed shares (fixed, proportional,
   tiered, Shapley, or a blend; see :func:`blend_shares`, :func:`tiered_shares`).

.. math::

    I_t = C_t + W_t + F_t + \\sum_i D_{i,t} \\quad \\text{exactly, every year } t.

Money is exact: with ``unit=Fraction(1, 100)`` (cents, the default) every amount is a
whole number of cents (rewards rounded up, since the law sets a minimum; the reserve
rounded down; the distribution apportioned by largest remainders [BalinskiYoung2001]_),
shown as :class:`~decimal.Decimal`; with ``unit=None`` amounts are exact
:class:`~fractions.Fraction`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from .fees import exact_number

__all__ = [
    "STAGES",
    "STREAMS",
    "InventorReward",
    "apportion",
    "blend_shares",
    "conservation",
    "tiered_shares",
    "waterfall",
    "waterfall_summary",
]

#: Income streams: licence fees, transfer (assignment) prices, implementation profit.
STREAMS = ("licence", "transfer", "implementation")
#: Stages of the waterfall, in order.
STAGES = ("income", "cost_recovery", "inventor_reward", "reserve", "distribution")


@dataclass(frozen=True)
class InventorReward:
    """Reward to the people who made a result, as shares of net income.

    Parameters
    ----------
    transfer_rate : number
        Share of net licence and transfer income.
    implementation_rate : number
        Share of operating profit from implementation ...
    implementation_years : int
        ... in each of this many years from the first year with implementation profit.
    """

    transfer_rate: Any = Fraction(1, 2)
    implementation_rate: Any = Fraction(1, 20)
    implementation_years: int = 3

    def __post_init__(self) -> None:
        for name in ("transfer_rate", "implementation_rate"):
            v = exact_number(getattr(self, name), name)
            if not 0 <= v <= 1:
                raise InvalidInputError(f"{name} must lie in [0, 1]; got {v}")
            object.__setattr__(self, name, v)
        years = self.implementation_years
        if isinstance(years, bool) or not isinstance(years, int) or years < 0:
            raise InvalidInputError(f"implementation_years must be an integer >= 0; got {years!r}")

    @classmethod
    def statutory(cls, implementation_years: int = 3) -> InventorReward:
        """The Chinese default [PRC2015]_ Art. 45: 50% of net licence/transfer income, 5% of
        operating profit for 3-5 years (3 by default: the least the law allows)."""
        if not 3 <= implementation_years <= 5:
            raise InvalidInputError("the statutory reward runs for 3 to 5 years; got "
                                    f"{implementation_years}")
        return cls(Fraction(1, 2), Fraction(1, 20), implementation_years)

    @classmethod
    def none(cls) -> InventorReward:
        """No reward (a unit whose own rules set none; check they are lawful)."""
        return cls(0, 0, 0)


def apportion(total: int, weights: Sequence[Any]) -> list[int]:
    """Split ``total`` whole units in proportion to ``weights`` by largest remainders.

    Every part is the floor of its quota or one more, and the parts sum to ``total``;
    ties go to the earlier weight (Hamilton's method [BalinskiYoung2001]_).

    >>> apportion(100, [1, 1, 1])
    [34, 33, 33]
    >>> apportion(7, [Fraction(1, 2), 0, Fraction(1, 2)])
    [4, 0, 3]
    """
    w = [exact_number(x, "weight") for x in weights]
    if not w or any(x < 0 for x in w) or sum(w) == 0:
        raise InvalidInputError(f"weights must be >= 0 with a positive sum; got {list(weights)}")
    s = sum(w)
    quotas = [Fraction(total) * x / s for x in w]
    parts = [math.floor(q) for q in quotas]
    left = total - sum(parts)
    order = sorted(range(len(w)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def blend_shares(shares: Mapping[str, pd.Series], weights: Mapping[str, Any]) -> pd.Series:
    """Blend of several share rules: :math:`s_i = \\sum_r w_r s^r_i / \\sum_r w_r`.

    Each rule's shares are normalised to sum to 1 first.

    >>> fixed = pd.Series({"a": 60, "b": 40})
    >>> shap = pd.Series({"a": Fraction(1, 2), "b": Fraction(1, 2)})
    >>> blend_shares({"fixed": fixed, "shapley": shap}, {"fixed": 1, "shapley": 1}).tolist()
    [Fraction(11, 20), Fraction(9, 20)]
    """
    unknown = sorted(set(weights) - set(shares))
    if unknown or not weights:
        raise InvalidInputError(f"blend weights name rules without shares: {unknown}")
    w = {k: exact_number(v, f"blend weight {k!r}") for k, v in weights.items()}
    if any(v < 0 for v in w.values()) or sum(w.values()) == 0:
        raise InvalidInputError("blend weights must be >= 0 with a positive sum")
    total = sum(w.values())
    out: pd.Series | None = None
    for k, v in w.items():
        part = _normalised(shares[k]) * (v / total)  # type: ignore[type-var]
        out = part if out is None else out.add(part, fill_value=Fraction(0))  # type: ignore[call-overload]
    assert out is not None
    return out.rename("share")


def tiered_shares(tiers: pd.Series, tier_shares: Mapping[str, Any]) -> pd.Series:
    """Members' shares when each tier gets ``tier_shares[tier]``, split equally inside it.

    >>> tiered_shares(pd.Series({"a": "gold", "b": "silver", "c": "silver"}),
    ...               {"gold": 0.5, "silver": 0.5}).tolist()
    [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    """
    shares = {t: exact_number(v, f"share of tier {t!r}") for t, v in tier_shares.items()}
    missing = sorted(set(tiers) - set(shares))
    if missing:
        raise InvalidInputError(f"no share given for tiers {missing}")
    counts = tiers.value_counts()
    return pd.Series([shares[t] / int(counts[t]) for t in tiers], index=tiers.index,
                     name="share", dtype=object)


def _normalised(shares: Any) -> pd.Series:
    s = pd.Series(shares, dtype=object)
    if s.empty:
        raise InvalidInputError("distribution shares name no member")
    vals = [exact_number(v, f"share of {k!r}") for k, v in s.items()]
    if any(v < 0 for v in vals) or sum(vals) == 0:
        raise InvalidInputError(f"distribution shares must be >= 0 with a positive sum; got "
                                f"{s.to_dict()}")
    total = sum(vals)
    return pd.Series([v / total for v in vals], index=s.index, dtype=object)


def waterfall(income: Any, shares: Any, *, costs: Any = None,
              reward: InventorReward | None = None, reserve: Any = 0,
              unit: Any = Fraction(1, 100)) -> pd.DataFrame:
    """Year-by-year revenue waterfall as a tidy table in which income equals outflows exactly.

    Parameters
    ----------
    income : pandas.DataFrame or mapping
        Income per year by stream (:data:`STREAMS`): a DataFrame indexed by year with
        stream columns, or a mapping ``stream -> sequence`` (years ``1..n``).
    shares : pandas.Series or mapping
        Member -> share of what is distributed (any non-negative weights; normalised).
        Build tiered or blended shares with :func:`tiered_shares`, :func:`blend_shares`.
    costs : mapping or sequence, optional
        Costs recovered in order: ``{item: amount}`` (recipient = item) or
        ``[(item, recipient, amount), ...]``. Unrecovered amounts carry over.
    reward : InventorReward, optional
        Reward to the people who made the result; default the statutory minimum
        :meth:`InventorReward.statutory`. Use :meth:`InventorReward.none` for none.
    reserve : number
        Share of what is left after rewards paid into the reserve fund.
    unit : Fraction or None
        Smallest money unit (cents by default); ``None`` for exact fractions.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, stage, item, recipient, amount``; ``attrs["outstanding_costs"]``
        holds costs still to recover after the last year.

    Raises
    ------
    InvalidInputError
        Unknown stream, negative or non-finite income, income not a whole number of
        units, bad shares, costs or rates.

    Examples
    --------
    >>> wf = waterfall({"licence": [1_000_000]}, {"a": 2, "b": 1},
    ...                costs={"prototype": 400_000}, reserve=0.1)
    >>> wf[["stage", "recipient", "amount"]]
                 stage  recipient     amount
    0           income consortium 1000000.00
    1    cost_recovery  prototype  400000.00
    2  inventor_reward  inventors  300000.00
    3          reserve    reserve   30000.00
    4     distribution          a  180000.00
    5     distribution          b   90000.00
    >>> conservation(wf).tolist()
    [Decimal('0.00')]

    Notes
    -----
    Linear in years x (streams + costs + members); the largest-remainder split sorts the
    members once per year.
    """
    table = _income_table(income)
    share = _normalised(shares)
    items = _cost_items(costs)
    reward = InventorReward.statutory() if reward is None else reward
    rate = exact_number(reserve, "reserve")
    if not 0 <= rate <= 1:
        raise InvalidInputError(f"reserve must be a share in [0, 1]; got {reserve}")
    money = _Money(unit)
    outstanding = [money.units(a, f"cost {it!r}") for it, _, a in items]
    rows: list[tuple[Any, str, str, str, Any]] = []
    start: int | None = None
    for t, (year, flows) in enumerate(table.iterrows()):
        u = {s: money.units(flows.get(s, 0), f"{s} income in year {year}") for s in STREAMS}
        rows += [(year, "income", s, "consortium", u[s]) for s in STREAMS if s in table]
        avail = [u["licence"] + u["transfer"], u["implementation"]]
        for k, (item, who, _) in enumerate(items):
            take = min(outstanding[k], avail[0] + avail[1])
            first = min(take, avail[0])
            avail = [avail[0] - first, avail[1] - (take - first)]
            outstanding[k] -= take
            rows.append((year, "cost_recovery", item, who, take))
        if start is None and u["implementation"] > 0:
            start = t
        active = start is not None and t - start < reward.implementation_years
        r_lt = min(money.up(reward.transfer_rate * avail[0]), avail[0])
        r_p = min(money.up(reward.implementation_rate * avail[1]), avail[1]) if active else 0
        if reward.transfer_rate and ("licence" in table or "transfer" in table):
            rows.append((year, "inventor_reward", "licence/transfer", "inventors", r_lt))
        if reward.implementation_rate and "implementation" in table:
            rows.append((year, "inventor_reward", "implementation", "inventors", r_p))
        rest = avail[0] + avail[1] - r_lt - r_p
        fund = money.down(rate * rest)
        if rate:
            rows.append((year, "reserve", "reserve fund", "reserve", fund))
        parts = money.split(rest - fund, list(share))
        rows += [(year, "distribution", "distribution", str(m), p)
                 for m, p in zip(share.index, parts, strict=True)]
    df = pd.DataFrame(rows, columns=["year", "stage", "item", "recipient", "amount"])
    df["amount"] = [money.out(a) for a in df["amount"]]
    df.attrs["outstanding_costs"] = {it: money.out(o) for (it, _, _), o
                                     in zip(items, outstanding, strict=True)}
    return df


class _Money:
    """Amounts as whole numbers of ``unit`` (int) or, with no unit, exact Fractions."""

    def __init__(self, unit: Any) -> None:
        self.unit = None if unit is None else exact_number(unit, "unit")
        if self.unit is not None and self.unit <= 0:
            raise InvalidInputError(f"unit must be > 0; got {unit}")
        places = 0
        while self.unit is not None and places < 12 and self.unit * 10**places != 1:
            places += 1
        self.places = places if self.unit is not None and self.unit * 10**places == 1 else None

    def units(self, x: Any, what: str) -> Any:
        v = exact_number(x, what)
        if v < 0:
            raise InvalidInputError(f"{what} must be >= 0; got {x}")
        if self.unit is None:
            return v
        q = v / self.unit
        if q.denominator != 1:
            raise InvalidInputError(f"{what} ({x}) is not a whole number of units of {self.unit};"
                                    " round it first or pass unit=None for exact fractions")
        return int(q)

    def up(self, x: Fraction) -> Any:
        return x if self.unit is None else math.ceil(x)

    def down(self, x: Fraction) -> Any:
        return x if self.unit is None else math.floor(x)

    def split(self, total: Any, shares: list[Fraction]) -> list[Any]:
        if self.unit is None:
            parts = [total * s for s in shares]
            parts[-1] = total - sum(parts[:-1], Fraction(0))
            return parts
        return apportion(int(total), shares)

    def out(self, x: Any) -> Any:
        if self.unit is None:
            return Fraction(x)
        if self.places is not None:
            return Decimal(int(x)).scaleb(-self.places)
        return Fraction(x) * self.unit


def _income_table(income: Any) -> pd.DataFrame:
    if isinstance(income, pd.DataFrame):
        table = income
    elif isinstance(income, Mapping):
        cols = {k: (list(v.values()) if isinstance(v, Mapping) else list(np.atleast_1d(v)))
                for k, v in income.items()}
        lengths = {len(v) for v in cols.values()}
        if len(lengths) != 1:
            raise InvalidInputError(f"income streams cover different numbers of years: "
                                    f"{ {k: len(v) for k, v in cols.items()} }")
        first = next(iter(income.values()), None)
        index = list(first.keys()) if isinstance(first, Mapping) else range(1, lengths.pop() + 1)
        table = pd.DataFrame(cols, index=index, dtype=object)
    else:
        raise InvalidInputError("income must be a DataFrame (years x streams) or a mapping "
                                f"stream -> amounts per year; got {type(income).__name__}")
    unknown = sorted(set(map(str, table.columns)) - set(STREAMS))
    if unknown or table.empty:
        raise InvalidInputError(f"income streams must be among {STREAMS}; got {unknown or 'none'}")
    return table.rename_axis("year")


def _cost_items(costs: Any) -> list[tuple[str, str, Any]]:
    if costs is None:
        return []
    if isinstance(costs, Mapping):
        return [(str(k), str(k), v) for k, v in costs.items()]
    items = []
    for c in costs:
        if not isinstance(c, Sequence) or len(c) != 3:
            raise InvalidInputError(f"each cost must be (item, recipient, amount); got {c!r}")
        items.append((str(c[0]), str(c[1]), c[2]))
    return items


def conservation(table: pd.DataFrame) -> pd.Series:
    """Income minus all outflows per year (zero, exactly, for a :func:`waterfall` table)."""
    sign = np.where(table["stage"] == "income", 1, -1)
    signed = pd.Series([a * int(s) for a, s in zip(table["amount"], sign, strict=True)],
                       index=table.index, dtype=object)
    return signed.groupby(table["year"]).sum().rename("income_minus_outflows")


def waterfall_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Year x recipient totals of a :func:`waterfall` table, income first.

    >>> wf = waterfall({"transfer": [100, 300]}, {"a": 1}, reward=InventorReward.none())
    >>> waterfall_summary(wf)
          income       a
    year
    1     100.00  100.00
    2     300.00  300.00
    """
    inflow = table[table["stage"] == "income"].groupby("year")["amount"].sum().rename("income")
    out = table[table["stage"] != "income"]
    order = list(dict.fromkeys(out["recipient"]))
    wide = out.groupby(["year", "recipient"], sort=False)["amount"].sum().unstack("recipient")
    return pd.concat([inflow, wide[order]], axis=1).rename_axis(columns=None)
