"""Input handling for the claims rules: validation, labels, and the exact/float/symbolic mode.

:func:`_prepare` turns an estate and claims into plain values plus a *mode*: ``"exact"``
(``Fraction``), ``"float"`` or ``"symbolic"`` (sympy); the small helpers below (sums,
zero, the result ``Series``) follow that mode.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..._kernels.inputs import FLOAT, OBJECT, per_player, player_index
from ...exceptions import InvalidInputError


def _prepare(
    estate: Any, claims: Any, players: Iterable[Any] | None = None
) -> tuple[Any, list[Any], list[Any], str]:
    """Validate; return estate, claims, labels and the mode exact/float/symbolic."""
    labels, raw = _labelled(claims, players)
    e = _number(estate, "estate")
    values = None
    raw_types = set(map(type, raw))
    if raw_types <= {float, int, np.float64, np.int64}:  # fast common case
        values = _plain_numbers(raw, labels, raw_types)
    if values is None:
        values = [_number(x, f"claim of {lab!r}") for x, lab in zip(raw, labels, strict=True)]
        kinds = set(map(type, values)) | {type(e)}
    else:
        kinds = (raw_types - {np.float64, np.int64}) | {type(e)}
        kinds |= {float} if np.float64 in raw_types else set()
        kinds |= {int} if np.int64 in raw_types else set()
    if any(_is_symbolic_type(t) for t in kinds):
        import sympy

        mode = "symbolic"
        e, *values = (x if _is_symbolic(x) else sympy.nsimplify(x) for x in [e, *values])
    elif float in kinds:
        mode = "float"
        e, values = float(e), (values if kinds - {type(e)} <= {float} and type(e) is float
                               else np.asarray(values, dtype=float).tolist())
    else:
        mode = "exact"
        e, values = Fraction(e), [Fraction(x) for x in values]
    _check_bounds(e, values, labels, mode)
    if mode == "float":
        e = min(e, math.fsum(values))  # absorb rounding in a total computed elsewhere
    return e, values, labels, mode


def _labelled(claims: Any, players: Iterable[Any] | None = None) -> tuple[list[Any], list[Any]]:
    labels, raw = per_player(claims, players=players, what="claims", who="claimant")
    return list(labels), raw


def _plain_numbers(raw: list[Any], labels: list[Any],
                   types: set[type] | None = None) -> list[Any] | None:
    """Python/numpy ints and floats, checked finite in one vectorised pass (None when an
    int is too large for a float: the caller checks one by one)."""
    try:
        arr = np.asarray(raw, dtype=float)
    except OverflowError:
        return None
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        raise InvalidInputError(f"claim of {labels[i]!r} must be finite; got {raw[i]}")
    if types == {float}:
        return raw
    return [float(x) if isinstance(x, float) else int(x) for x in raw]


def _number(x: Any, what: str) -> Any:
    """Plain ``int``/``Fraction``/``float`` or a sympy expression; anything else is an error."""
    if _is_symbolic(x):
        if getattr(x, "is_Rational", False):
            return Fraction(int(x.p), int(x.q))
        if getattr(x, "is_Float", False):
            return float(x)
        return x
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise InvalidInputError(f"{what} must be a number; got {x!r}")
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, Fraction):
        return x
    x = float(x)
    if not math.isfinite(x):
        raise InvalidInputError(f"{what} must be finite; got {x}")
    return x


def _check_bounds(e: Any, c: list[Any], labels: list[Any], mode: str) -> None:
    if mode == "float":
        negative = np.flatnonzero(np.asarray(c, dtype=float) < 0)
        first = int(negative[0]) if negative.size else None
    else:
        first = next((i for i, x in enumerate(c) if _known(x < 0)), None)
    if first is not None:
        raise InvalidInputError(
            f"claim of {labels[first]!r} is negative ({c[first]}); claims must be >= 0"
        )
    if _known(e < 0):
        raise InvalidInputError(f"estate must be non-negative; got {e}")
    total = _sum(c, mode)
    slack = 1e-12 * max(1.0, abs(total)) if mode == "float" else 0
    if _known(e > total + slack):
        raise InvalidInputError(
            f"estate {e} exceeds the total claims {total}; a claims problem needs "
            "0 <= estate <= sum of claims (pay every claim in full instead)"
        )


def _known(relation: Any) -> bool:
    """True only when a (possibly sympy) comparison is decidably true."""
    try:
        return bool(relation)
    except TypeError:
        return False


def _require_numeric_claims(c: list[Any], mode: str, rule: str) -> None:
    if mode == "symbolic" and not all(x.is_number for x in c):
        raise InvalidInputError(
            f"{rule} compares claims, so claims must be numbers; only the estate may be "
            "symbolic (proportional accepts symbolic claims)"
        )


def _is_symbolic(x: Any) -> bool:
    return _is_symbolic_type(type(x))


def _is_symbolic_type(t: type) -> bool:
    return t.__module__.startswith("sympy")


def _sum(c: list[Any], mode: str) -> Any:
    if mode == "float":
        return math.fsum(c)
    return sum(c, Fraction(0)) if mode == "exact" else sum(c)


def _zero(mode: str) -> Any:
    return 0.0 if mode == "float" else Fraction(0)


def _is_zero(x: Any) -> bool:
    return _known(x == 0)


def _series(awards: Any, labels: list[Any], name: str, mode: str) -> pd.Series:
    index = player_index(labels)
    if mode == "float":
        out = pd.Series(awards, index=index, name=name, dtype=FLOAT)
    else:
        out = pd.Series(awards, index=index, name=name, dtype=OBJECT)
    out.attrs.update(method=name, exact=mode != "float")
    return out
