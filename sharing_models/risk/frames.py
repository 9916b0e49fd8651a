"""Tables in and out of the simulation: share tables, side payments, tidy Parquet.

Inputs are members x rules tables (:func:`as_rules`); outputs are tidy frames with one
row per draw, member and rule, streamed to Parquet chunk by chunk (:class:`ParquetSink`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError

__all__ = ["as_rules", "members_frame", "tidy", "transfers_array"]


def as_rules(shares: Any, members: Sequence[str], what: str = "shares") -> pd.DataFrame:
    """Check and order a members x rules share table (a Series is one rule).

    Shares must be non-negative and sum to 1 in every rule.

    >>> as_rules(pd.Series({"b": 0.25, "a": 0.75}, name="r"), ["a", "b"])["r"].tolist()
    [0.75, 0.25]
    """
    df = members_frame(shares, members, what)
    if (df.to_numpy() < 0).any():
        raise InvalidInputError(f"{what} must be non-negative")
    sums = df.sum(axis=0)
    bad = sums[(sums - 1.0).abs() > 1e-6]
    if len(bad):
        raise InvalidInputError(f"{what} must sum to 1 in every rule; got {bad.to_dict()}")
    return df


def tidy(payoff: np.ndarray, outcome: np.ndarray, members: Sequence[str],
          rules: Sequence[str], start: int, unit: str = "") -> pd.DataFrame:
    """One row per draw, member and rule: ``draw``, ``member``, ``rule``, ``payoff`` and
    the draw's ``outcome`` (money columns named ``payoff_<unit>``, ``outcome_<unit>``
    when a ``unit`` is given)."""
    b, m, r = payoff.shape
    suffix = f"_{unit}" if unit else ""
    draw = np.repeat(np.arange(start, start + b), m * r)
    return pd.DataFrame({
        "draw": draw,
        "member": pd.Categorical.from_codes(  # type: ignore[call-overload]
            np.tile(np.repeat(np.arange(m), r), b), categories=list(members)),
        "rule": pd.Categorical.from_codes(  # type: ignore[call-overload]
            np.tile(np.arange(r), b * m), categories=list(rules)),
        f"payoff{suffix}": payoff.reshape(-1),
        f"outcome{suffix}": np.repeat(outcome, m * r),
    })


def members_frame(data: Any, members: Sequence[str], what: str) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        df = data.to_frame(name=data.name if data.name is not None else "rule")
    elif isinstance(data, pd.DataFrame):
        df = data
    elif isinstance(data, Mapping):
        df = pd.DataFrame(dict(data))
    else:
        raise InvalidInputError(f"{what} must be a DataFrame (members x rules), a Series "
                                f"or a mapping; got {type(data).__name__}")
    idx = [str(i) for i in df.index]
    missing = [x for x in members if x not in idx]
    extra = [x for x in idx if x not in members]
    if missing or extra or len(idx) != len(members):
        raise InvalidInputError(
            f"{what} must have one row per member {list(members)}; "
            f"missing {missing}, unknown {extra}")
    df = df.copy()
    df.index = idx
    try:
        df = df.loc[list(members)].astype(float)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} must be numbers: {exc}") from None
    if not np.isfinite(df.to_numpy()).all():
        raise InvalidInputError(f"{what} must be finite numbers")
    return df


def transfers_array(data: Any, members: Sequence[str], rules: pd.Index) -> np.ndarray:
    if data is None:
        return np.zeros((len(members), len(rules)))
    df = members_frame(data, members, "transfers")
    if list(df.columns) != list(rules):
        df = df.reindex(columns=rules)
        if df.isna().to_numpy().any():
            raise InvalidInputError(f"transfers need one column per rule {list(rules)}")
    sums = df.sum(axis=0)
    if (sums.abs() > 1e-6 * max(1.0, float(df.abs().to_numpy().max()))).any():
        raise InvalidInputError(f"transfers must sum to 0 in every rule; got {sums.to_dict()}")
    return df.to_numpy(dtype=float)
