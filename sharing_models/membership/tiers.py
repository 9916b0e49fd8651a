"""Tiered membership: tier schedules, assignment of members to tiers, and the rights
(votes, board seats, access to results, licence terms, income) that go with each tier.

A *tier schedule* splits members into classes, either by bands of a member metric
(revenue in the field, employees, ...) or by an explicit class, and gives each tier a fee
rule (:mod:`sharing_models.fees`) and a bundle of :class:`Rights`. Bands are half-open,

.. math::

    \\text{tier}(x) = k \\iff a_k \\le x < a_{k+1}, \\qquad a_0 = 0,\\ a_{K} = \\infty,

and must tile :math:`[0, \\infty)`: a gap or an overlap is an error. ASRC tiers its
members by storage revenue; SEMATECH [IrwinKlenow1996]_ and foundations such as
OpenPOWER [OpenPOWER2023]_ tie fees and board seats to levels. Board seats may be
held by each member of a tier, elected one per ``k`` members of a tier (OpenPOWER Gold:
one director per three Gold members), or elected by all members of a tier together
(OpenPOWER Silver: one director).

Per-member accounts (:func:`tier_accounts`)
combine fees, seats, real voting power and income year by year.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..division.power import banzhaf_index, shapley_shubik
from ..exceptions import InvalidInputError
from .fees import FeeRule, Flat, exact_number

__all__ = [
    "ACCESS_LEVELS",
    "LICENCE_TERMS",
    "Rights",
    "Tier",
    "TierSchedule",
    "assign",
    "board_seats",
    "seat_weights",
    "tier_accounts",
    "tier_fees",
    "voting_power",
]

#: Access to results a tier may hold: all foreground, foreground in named fields, none.
ACCESS_LEVELS = ("full", "field", "none")
#: Licence terms to foreground IP.
LICENCE_TERMS = ("royalty_free", "fair_and_reasonable", "royalty", "none")


@dataclass(frozen=True)
class Rights:
    """What each member of a tier gets.

    Parameters
    ----------
    votes : int
        Votes of each member in the general assembly.
    seats : int
        Board seats held by each member of the tier (OpenPOWER Platinum: 1).
    seats_per : int or None
        One director elected per ``seats_per`` members of the tier (OpenPOWER Gold: 3).
    tier_seats : int
        Directors elected by all members of the tier together (OpenPOWER Silver: 1).
    access : {"full", "field", "none"}
        Access to results; ``access_fields`` names the fields when ``"field"``.
    access_delay_months : int
        Months after non-delayed tiers before access starts (SEMATECH members saw
        equipment 6-9 months before non-members).
    licence : {"royalty_free", "fair_and_reasonable", "royalty", "none"}
        Licence terms to foreground IP; ``royalty_rate`` when ``"royalty"``.
    income_share : number or None
        The tier's share of distributed income, split equally among its members. When no
        tier sets one, income is shared pro rata to fees paid.
    """

    votes: int = 1
    seats: int = 0
    seats_per: int | None = None
    tier_seats: int = 0
    access: str = "full"
    access_fields: tuple[str, ...] = ()
    access_delay_months: int = 0
    licence: str = "royalty_free"
    royalty_rate: Any = None
    income_share: Any = None

    def __post_init__(self) -> None:
        for name in ("votes", "seats", "tier_seats", "access_delay_months"):
            _count(getattr(self, name), name)
        if self.seats_per is not None and _count(self.seats_per, "seats_per") == 0:
            raise InvalidInputError("seats_per must be >= 1 (one director per k members)")
        if self.access not in ACCESS_LEVELS:
            raise InvalidInputError(f"access must be one of {ACCESS_LEVELS}; got {self.access!r}")
        if self.access == "field" and not self.access_fields:
            raise InvalidInputError("access 'field' needs the fields in access_fields")
        object.__setattr__(self, "access_fields", tuple(self.access_fields))
        if self.licence not in LICENCE_TERMS:
            raise InvalidInputError(
                f"licence must be one of {LICENCE_TERMS}; got {self.licence!r}")
        if self.royalty_rate is not None:
            rate = exact_number(self.royalty_rate, "royalty_rate")
            if not 0 <= rate <= 1:
                raise InvalidInputError(f"royalty_rate must lie in [0, 1]; got {rate}")
            object.__setattr__(self, "royalty_rate", rate)
        elif self.licence == "royalty":
            raise InvalidInputError("licence 'royalty' needs a royalty_rate")
        if self.income_share is not None:
            share = exact_number(self.income_share, "income_share")
            if not 0 <= share <= 1:
                raise InvalidInputError(f"income_share must lie in [0, 1]; got {share}")
            object.__setattr__(self, "income_share", share)


def _count(x: Any, name: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < 0:
        raise InvalidInputError(f"{name} must be a non-negative integer; got {x!r}")
    return int(x)


@dataclass(frozen=True)
class Tier:
    """A membership class: name, band ``[lower, upper)`` of the metric, fee rule, rights.

    ``lower=None`` makes a tier that members join only by explicit class.
    """

    name: str
    fee: FeeRule = field(default_factory=lambda: Flat(0))
    rights: Rights = field(default_factory=Rights)
    lower: Any = None
    upper: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidInputError(f"a tier needs a non-empty name; got {self.name!r}")
        if not isinstance(self.fee, FeeRule):
            raise InvalidInputError(f"tier {self.name!r}: fee must be a FeeRule; got "
                                    f"{type(self.fee).__name__}")
        for end in ("lower", "upper"):
            v = getattr(self, end)
            if v is not None:
                v = exact_number(v, f"tier {self.name!r} {end} bound")
                if v < 0:
                    raise InvalidInputError(f"tier {self.name!r}: {end} bound must be >= 0")
                object.__setattr__(self, end, v)
        if self.upper is not None and self.lower is None:
            raise InvalidInputError(f"tier {self.name!r} has an upper bound but no lower bound")
        if self.upper is not None and self.upper <= self.lower:
            raise InvalidInputError(f"tier {self.name!r}: upper bound {self.upper} must exceed "
                                    f"lower bound {self.lower}")


@dataclass(frozen=True)
class TierSchedule:
    """Tiers with their bands of ``metric``; banded tiers must tile ``[0, inf)``.

    Examples
    --------
    >>> s = TierSchedule([Tier("small", Flat(1_000), lower=0, upper=10**6),
    ...                   Tier("large", Flat(9_000), lower=10**6)])
    >>> [t.name for t in s.tiers]
    ['small', 'large']
    >>> TierSchedule([Tier("a", lower=0, upper=5), Tier("b", lower=4)])
    Traceback (most recent call last):
    ...
    sharing_models.exceptions.InvalidInputError: tier bands overlap: 'a' ends at 5 but 'b'
    starts at 4
    """

    tiers: Sequence[Tier]
    metric: str | None = "revenue"

    def __post_init__(self) -> None:
        tiers = tuple(self.tiers)
        if not tiers:
            raise InvalidInputError("a tier schedule needs at least one tier")
        names = [t.name for t in tiers]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InvalidInputError(f"tier names must be unique; repeated: {dup}")
        banded = sorted((t for t in tiers if t.lower is not None), key=lambda t: t.lower)
        if banded and self.metric is None:
            raise InvalidInputError("tiers have bands but the schedule names no metric")
        _check_tiling(banded)
        shares = [t.rights.income_share for t in tiers if t.rights.income_share is not None]
        if shares and sum(shares) != 1:
            raise InvalidInputError(f"tier income shares must sum to 1; they sum to {sum(shares)}"
                                    " (give every tier a share, 0 where it gets none)")
        object.__setattr__(self, "tiers", tiers)

    def tier(self, name: str) -> Tier:
        """The tier called ``name``."""
        for t in self.tiers:
            if t.name == name:
                return t
        raise InvalidInputError(f"unknown tier {name!r}; tiers: {[t.name for t in self.tiers]}")

    @property
    def edges(self) -> list[Fraction]:
        """Band starts above 0 (where a member moves up a tier)."""
        return sorted(t.lower for t in self.tiers if t.lower is not None and t.lower > 0)


def _check_tiling(banded: list[Tier]) -> None:
    if not banded:
        return
    if banded[0].lower != 0:
        raise InvalidInputError(f"tier bands leave a gap: nothing covers [0, {banded[0].lower})")
    for lo, hi in itertools.pairwise(banded):
        if lo.upper is None or lo.upper > hi.lower:
            end = "infinity" if lo.upper is None else lo.upper
            raise InvalidInputError(f"tier bands overlap: {lo.name!r} ends at {end} but "
                                    f"{hi.name!r} starts at {hi.lower}")
        if lo.upper < hi.lower:
            raise InvalidInputError(f"tier bands leave a gap: {lo.name!r} ends at {lo.upper} but "
                                    f"{hi.name!r} starts at {hi.lower}")
    if banded[-1].upper is not None:
        raise InvalidInputError(f"tier bands leave a gap: nothing covers values >= "
                                f"{banded[-1].upper} (leave the top tier's upper bound open)")


def assign(schedule: TierSchedule, members: Any) -> pd.Series:
    """Tier of every member: its explicit ``tier`` if given, else by the band of its metric.

    Parameters
    ----------
    schedule : TierSchedule
    members : pandas.DataFrame, pandas.Series or mapping
        Indexed by member id: a table with the schedule's metric column and optionally a
        ``tier`` column (explicit class, overriding the bands), or a Series / mapping
        ``member -> metric``.

    Returns
    -------
    pandas.Series
        ``name="tier"``, indexed by member id.

    Raises
    ------
    InvalidInputError
        Unknown explicit tier, a member with neither a tier nor the metric, negative metric.

    Examples
    --------
    >>> s = TierSchedule([Tier("small", lower=0, upper=10**6), Tier("large", lower=10**6)])
    >>> assign(s, {"a": 5e5, "b": 10**6, "c": 3e9}).tolist()
    ['small', 'large', 'large']

    Notes
    -----
    One ``searchsorted`` over the band starts: :math:`O(m \\log K)` for ``m`` members.
    """
    table = _as_table(members, schedule.metric)
    explicit = table["tier"] if "tier" in table else pd.Series(None, index=table.index)
    banded = sorted((t for t in schedule.tiers if t.lower is not None), key=lambda t: t.lower)
    out = pd.Series(None, index=table.index, name="tier", dtype=object)
    has = explicit.notna() & (explicit.astype(str) != "")
    known = {t.name for t in schedule.tiers}
    bad = sorted(set(explicit[has].astype(str)) - known)
    if bad:
        raise InvalidInputError(f"unknown tier {bad}; the schedule has {sorted(known)}")
    out[has] = explicit[has].astype(str)
    need = ~has
    if need.any():
        if not banded or schedule.metric not in table:
            raise InvalidInputError(
                f"members {list(table.index[need])} have no explicit tier and the schedule "
                f"cannot place them by {schedule.metric!r}")
        x = table.loc[need, schedule.metric]
        if x.isna().any():
            raise InvalidInputError(f"members {list(x.index[x.isna()])} have neither a tier nor "
                                    f"a {schedule.metric!r} value")
        metric = str(schedule.metric)
        exact: np.ndarray = np.asarray([exact_number(v, metric) for v in x], dtype=object)
        if (exact < 0).any():
            raise InvalidInputError(f"{schedule.metric} must be >= 0; got "
                                    f"{x[exact < 0].to_dict()}")
        starts = np.array([t.lower for t in banded], dtype=object)
        k = np.searchsorted(starts, exact, side="right") - 1
        out[need] = [banded[i].name for i in k]
    return out


def _as_table(members: Any, metric: str | None) -> pd.DataFrame:
    if isinstance(members, pd.DataFrame):
        table = members
    elif isinstance(members, pd.Series | Mapping):
        table = pd.Series(members, dtype=object).to_frame(metric or "tier")
    else:
        raise InvalidInputError("members must be a DataFrame, Series or mapping indexed by "
                                f"member id; got {type(members).__name__}")
    if not table.index.is_unique:
        raise InvalidInputError("member ids must be unique")
    return table


def board_seats(schedule: TierSchedule, tiers: pd.Series) -> pd.DataFrame:
    """Board seats by tier: held directly by members, and elected by the tier.

    A tier with ``m`` members holds ``m * seats`` direct seats and elects
    ``floor(m / seats_per) + tier_seats`` directors (when it has members).

    Examples
    --------
    OpenPOWER Gold [OpenPOWER2023]_: one director per three members; seven elect two.

    >>> gold = Tier("gold", rights=Rights(seats_per=3))
    >>> board_seats(TierSchedule([gold], metric=None), pd.Series(["gold"] * 7))
          members  direct  elected
    gold        7       0        2
    """
    counts = tiers.value_counts()
    rows = {}
    for t in schedule.tiers:
        m = int(counts.get(t.name, 0))
        r = t.rights
        elected = (m // r.seats_per if r.seats_per else 0) + (r.tier_seats if m else 0)
        rows[t.name] = {"members": m, "direct": m * r.seats, "elected": elected}
    return pd.DataFrame.from_dict(rows, orient="index")


def seat_weights(schedule: TierSchedule, tiers: pd.Series) -> dict[str, int]:
    """Board voters and their seats: members with direct seats and one bloc per electing tier.

    The bloc ``"<tier> (elected)"`` holds the directors a tier elects.
    """
    seats = board_seats(schedule, tiers)
    weights = {str(m): schedule.tier(t).rights.seats for m, t in tiers.items()
               if schedule.tier(t).rights.seats}
    weights.update({f"{t} (elected)": int(e) for t, e in seats["elected"].items() if e})
    return weights


def tier_fees(schedule: TierSchedule, members: pd.DataFrame, tiers: pd.Series | None = None,
              *, exact: bool = True) -> pd.Series:
    """Fee each member pays for one year under its tier's rule (``name="fee"``).

    With ``exact=True`` numeric member data are read as exact decimals first, so fees
    are :class:`~fractions.Fraction`.

    >>> s = TierSchedule([Tier("small", Flat(1_000), lower=0, upper=10**6),
    ...                   Tier("large", Flat(9_000), lower=10**6)])
    >>> tier_fees(s, pd.DataFrame({"revenue": [5e5, 2e6]}, index=["a", "b"])).tolist()
    [Fraction(1000, 1), Fraction(9000, 1)]
    """
    table = _as_table(members, schedule.metric)
    tiers = assign(schedule, table) if tiers is None else tiers
    if exact:
        table = table.apply(lambda col: col.map(_exact_or_same) if col.dtype != object
                            or col.map(_is_number).all() else col)
    fee = pd.Series(Fraction(0), index=table.index, name="fee", dtype=object)
    for t in schedule.tiers:
        rows = tiers.index[tiers == t.name]
        if len(rows):
            fee[rows] = list(t.fee.evaluate(table.loc[rows]))
    return fee


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | Fraction | np.number) and not isinstance(v, bool)


def _exact_or_same(v: Any) -> Any:
    if _is_number(v) and not (isinstance(v, float) and math.isnan(v)):
        return exact_number(v)
    return v


def voting_power(weights: Mapping[str, int], quota: Any = Fraction(1, 2)) -> pd.DataFrame:
    """Shapley-Shubik and Banzhaf power of a weighted body where a motion needs strictly
    more than ``quota`` of all votes (``1/2``: simple majority).

    The integer quota is :math:`\\lfloor q W \\rfloor + 1`; voters with no weight, or a
    body with no votes at all, have power 0.

    >>> voting_power({"a": 2, "b": 1, "c": 1})["banzhaf"].tolist()
    [Fraction(3, 5), Fraction(1, 5), Fraction(1, 5)]
    """
    q = exact_number(quota, "quota")
    if not 0 <= q < 1:
        raise InvalidInputError(f"quota must be a share of votes in [0, 1); got {quota}")
    total = sum(int(w) for w in weights.values())
    cols = {"shapley_shubik": Fraction(0), "banzhaf": Fraction(0)}
    out = pd.DataFrame(cols, index=list(weights), dtype=object)
    if total == 0:
        return out
    need = math.floor(q * total) + 1
    out["shapley_shubik"] = shapley_shubik(dict(weights), need)
    out["banzhaf"] = banzhaf_index(dict(weights), need)
    return out


def _member_power(schedule: TierSchedule, tiers: pd.Series, body: str,
                  quota: Any) -> pd.DataFrame:
    if body == "assembly":
        votes: dict[Any, int] = {m: schedule.tier(t).rights.votes for m, t in tiers.items()}
        return voting_power(votes, quota)
    if body != "board":
        raise InvalidInputError(f"body must be 'assembly' or 'board'; got {body!r}")
    bloc = voting_power(seat_weights(schedule, tiers), quota)
    counts = tiers.map(tiers.value_counts()).astype(int)
    keys = tiers.index.astype(str)
    elected = (tiers.astype(str) + " (elected)").tolist()
    out = pd.DataFrame(index=tiers.index)
    for col in bloc.columns:
        own = bloc[col].reindex(keys, fill_value=Fraction(0)).to_numpy()  # type: ignore[arg-type]
        part = bloc[col].reindex(elected, fill_value=Fraction(0)).to_numpy()  # type: ignore[arg-type]
        out[col] = pd.Series(own + part / counts.to_numpy(), index=tiers.index, dtype=object)
    return out


def tier_accounts(schedule: TierSchedule, members: pd.DataFrame, years: Any = 1, *,
                  income: Any = 0, quota: Any = Fraction(1, 2), body: str = "assembly",
                  exact: bool = True, power: bool = True) -> pd.DataFrame:
    """Per-member, per-year account of a tier schedule.

    For each year: tier, fee paid, votes, board seats (direct plus an equal part of the
    directors its tier elects), real voting power of the member on ``body`` (Shapley-Shubik
    [ShapleyShubik1954]_ and Banzhaf [Banzhaf1965]_ from :mod:`sharing_models.power`),
    access to results, licence terms, income received and net = income - fee. Income of
    the year is split by tier ``income_share`` (equally inside a tier) or, when no tier
    sets one, pro rata to fees paid (shares of tiers with no members that year go to the
    other tiers in proportion to their shares):

    .. math::

        y_i = I \\, \\frac{f_i}{\\sum_j f_j}.

    Parameters
    ----------
    schedule : TierSchedule
    members : pandas.DataFrame
        Member data indexed by id (the same every year) or by ``(year, member)``.
    years : int or sequence
        ``n`` (years ``1..n``) or year labels; ignored when ``members`` is indexed by year.
    income : number, sequence or mapping year -> number
        Income distributed to members each year.
    quota : number
        Share of votes (or seats) a motion must exceed.
    body : {"assembly", "board"}
        Weighted body for voting power: members' votes, or board seats with each tier's
        elected directors voting as one bloc whose power is split among its members.
    exact : bool
        Fractions throughout (default) or floats.
    power : bool
        Compute the voting-power columns (default). Exact power of an assembly of
        ``n`` voters costs :math:`O(n^2 q)`: about a second for 300 members; pass
        ``False`` for thousands of members, or use ``body="board"`` (few voters).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(year, member)``.

    Examples
    --------
    >>> s = TierSchedule([Tier("small", Flat(1_000), Rights(votes=1), lower=0, upper=10**6),
    ...                   Tier("large", Flat(3_000), Rights(votes=2), lower=10**6)])
    >>> acc = tier_accounts(s, pd.DataFrame({"revenue": [5e5, 5e5, 2e6]}, index=list("abc")),
    ...                     income=10_000)
    >>> acc.loc[1, ["tier", "fee", "votes", "banzhaf", "income"]]
            tier   fee votes banzhaf income
    member
    a      small  1000     1     1/5   2000
    b      small  1000     1     1/5   2000
    c      large  3000     2     3/5   6000

    Notes
    -----
    Fees are vectorised per tier; voting power costs :math:`O(n^2 q)` per year
    (generating functions, see :mod:`sharing_models.power`).
    """
    frames = _yearly(members, years)
    incomes = _incomes(income, list(frames))
    out = [_one_year(schedule, table, incomes[y], quota, body, power).assign(year=y)
           for y, table in frames.items()]
    df = pd.concat(out).rename_axis("member").reset_index().set_index(["year", "member"])
    if not exact:
        num = [c for c in ("fee", "seats", "shapley_shubik", "banzhaf", "income", "net")
               if c in df]
        df[num] = df[num].astype(float)
    return df


def _yearly(members: Any, years: Any) -> dict[Any, pd.DataFrame]:
    if not isinstance(members, pd.DataFrame):
        raise InvalidInputError("members must be a DataFrame indexed by member id")
    if isinstance(members.index, pd.MultiIndex):
        return {y: pd.DataFrame(members.xs(y, level=0)) for y in members.index.unique(level=0)}
    if isinstance(years, int | np.integer) and not isinstance(years, bool):
        if years < 1:
            raise InvalidInputError(f"years must be >= 1; got {years}")
        years = range(1, int(years) + 1)
    return {y: members for y in years}


def _incomes(income: Any, years: list[Any]) -> dict[Any, Fraction]:
    if isinstance(income, Mapping | pd.Series):
        missing = [y for y in years if y not in income]
        if missing:
            raise InvalidInputError(f"income missing for years {missing}")
        vals = {y: income[y] for y in years}
    elif np.ndim(income) == 0:
        vals = dict.fromkeys(years, income)
    else:
        seq = list(income)
        if len(seq) != len(years):
            raise InvalidInputError(f"income has {len(seq)} values for {len(years)} years")
        vals = dict(zip(years, seq, strict=True))
    out = {y: exact_number(v, f"income of year {y}") for y, v in vals.items()}
    if any(v < 0 for v in out.values()):
        raise InvalidInputError("distributed income must be >= 0")
    return out


def _one_year(schedule: TierSchedule, table: pd.DataFrame, income: Fraction, quota: Any,
              body: str, power: bool) -> pd.DataFrame:
    tiers = assign(schedule, table)
    fee = tier_fees(schedule, table, tiers, exact=True)
    rights = [schedule.tier(t).rights for t in tiers]
    counts = tiers.value_counts()
    seats = board_seats(schedule, tiers)
    df = pd.DataFrame({"tier": tiers, "fee": fee}, index=tiers.index)
    df["votes"] = [r.votes for r in rights]
    share = {t: Fraction(int(e), int(counts[t]))  # type: ignore[call-overload]
             for t, e in seats["elected"].items() if t in counts.index}
    df["seats"] = [r.seats + share[t]  # type: ignore[assignment]
                   for r, t in zip(rights, tiers, strict=True)]
    if body not in ("assembly", "board"):
        raise InvalidInputError(f"body must be 'assembly' or 'board'; got {body!r}")
    if power:
        df = df.join(_member_power(schedule, tiers, body, quota))
    df["access"] = [r.access if r.access != "field" else "field: " + ", ".join(r.access_fields)
                    for r in rights]
    df["access_delay_months"] = [r.access_delay_months for r in rights]
    df["licence"] = [r.licence for r in rights]
    df["royalty_rate"] = [r.royalty_rate for r in rights]
    df["income"] = _split_income(schedule, tiers, fee, income)  # type: ignore[assignment]
    df["net"] = df["income"] - df["fee"]
    return df


def _split_income(schedule: TierSchedule, tiers: pd.Series, fee: pd.Series,
                  income: Fraction) -> list[Fraction]:
    counts = tiers.value_counts()
    share = {t: schedule.tier(t).rights.income_share or Fraction(0) for t in counts.index}
    present = sum(share.values(), Fraction(0))
    if any(t.rights.income_share is not None for t in schedule.tiers) and present > 0:
        return [income * share[t] / present / int(counts[t]) for t in tiers]
    total = sum(fee, Fraction(0))
    if total == 0:
        return [income / len(fee)] * len(fee)
    return [income * f / total for f in fee]
