"""The public claims rules, :data:`RULES` and :func:`compare_rules`.

Each rule validates its input (:mod:`._input`), then calls a numeric kernel
(:mod:`._numeric`) or, for a symbolic estate, a ``Piecewise`` builder (:mod:`._piecewise`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..._kernels.inputs import PerPlayer, per_player, player_index
from ...exceptions import InvalidInputError, TooLargeError
from ..power import MAX_TABLE_CELLS
from ._input import _is_zero, _prepare, _require_numeric_claims, _series, _sum, _zero
from ._numeric import _as_integers, _cea, _cel, _random_arrival, _random_arrival_tables
from ._piecewise import _random_arrival_piecewise, _talmud_piecewise

# The public names are listed once, in sharing_models.claims.__all__.

#: Most claimants for which :func:`random_arrival` enumerates all ``2**n`` coalitions (the
#: only method for float claims; exact claims beyond this use counting tables).
MAX_RANDOM_ARRIVAL = 22

#: Most claimants for a symbolic estate in :func:`random_arrival` (pieces grow as ``2**n``).
MAX_RANDOM_ARRIVAL_SYMBOLIC = 12


def proportional(
    estate: Any, claims: PerPlayer, *, players: Iterable[Any] | None = None
) -> pd.Series:
    """Proportional rule: awards in proportion to claims [Thomson2003]_.

    .. math:: x_i = \\frac{c_i}{\\sum_j c_j} E

    Parameters
    ----------
    estate : number or sympy expression
        Amount to divide, ``0 <= estate <= sum(claims)``.
    claims : mapping claimant -> number (or sympy expression), pandas.Series, or sequence
        Non-negative claims. Claimant labels may be any hashable and are kept in the
        result's index; a sequence is labelled by ``players`` or ``0..n-1``.
    players : sequence of hashable, optional
        Labels for a sequence of claims (or the order for a mapping/Series).

    Returns
    -------
    pandas.Series
        Awards indexed by claimant, ``name="proportional"``.

    Raises
    ------
    InvalidInputError
        Empty or negative claims, negative estate, estate above the total claims.

    Examples
    --------
    >>> proportional(200, {"a": 100, "b": 200, "c": 300}).tolist()
    [Fraction(100, 3), Fraction(200, 3), Fraction(100, 1)]

    Notes
    -----
    :math:`O(n)`. Works symbolically for any sympy estate and claims.
    """
    e, c, labels, mode = _prepare(estate, claims, players)
    total = _sum(c, mode)
    if _is_zero(total):
        awards: Any = [_zero(mode)] * len(c)
    elif mode == "float":
        awards = np.asarray(c, dtype=float) * (e / total)
    else:
        awards = [e * ci / total for ci in c]
    return _series(awards, labels, "proportional", mode)


def constrained_equal_awards(
    estate: Any, claims: PerPlayer, *, players: Iterable[Any] | None = None
) -> pd.Series:
    """Constrained equal awards: equal shares, capped by each claim (Maimonides).

    .. math:: x_i = \\min(c_i, \\lambda), \\qquad \\sum_i \\min(c_i, \\lambda) = E

    Parameters
    ----------
    estate : number or sympy expression
        Amount to divide, ``0 <= estate <= sum(claims)``.
    claims : mapping claimant -> number, pandas.Series, or sequence
        Non-negative numeric claims; labels kept in the result's index (see
        :func:`proportional`).
    players : sequence of hashable, optional
        Labels for a sequence of claims (see :func:`proportional`).

    Returns
    -------
    pandas.Series
        ``name="constrained_equal_awards"``.

    Examples
    --------
    >>> constrained_equal_awards(200, {"a": 100, "b": 200, "c": 300}).tolist()
    [Fraction(200, 3), Fraction(200, 3), Fraction(200, 3)]
    >>> import sympy
    >>> x = sympy.Symbol("x", nonnegative=True)
    >>> constrained_equal_awards(x, {"a": 100, "b": 200})["b"]
    Piecewise((x/2, x <= 200), (x - 100, x <= 300), (200, True))

    Notes
    -----
    :math:`O(n \\log n)` (sort the claims) [Thomson2003]_. With a symbolic estate each
    award is a ``Piecewise`` with a breakpoint where ``lambda`` reaches a smaller claim.
    """
    e, c, labels, mode = _prepare(estate, claims, players)
    _require_numeric_claims(c, mode, "constrained_equal_awards")
    return _series(_cea(e, c, mode), labels, "constrained_equal_awards", mode)


def constrained_equal_losses(
    estate: Any, claims: PerPlayer, *, players: Iterable[Any] | None = None
) -> pd.Series:
    """Constrained equal losses: equal losses, awards floored at zero.

    .. math:: x_i = \\max(0, c_i - \\mu), \\qquad \\sum_i \\max(0, c_i - \\mu) = E

    It is the dual of constrained equal awards:
    ``CEL(E, c) = c - CEA(sum(c) - E, c)`` [Thomson2003]_.

    Parameters
    ----------
    estate : number or sympy expression
        Amount to divide, ``0 <= estate <= sum(claims)``.
    claims : mapping claimant -> number, pandas.Series, or sequence
        Non-negative numeric claims; labels kept in the result's index (see
        :func:`proportional`).
    players : sequence of hashable, optional
        Labels for a sequence of claims (see :func:`proportional`).

    Returns
    -------
    pandas.Series
        ``name="constrained_equal_losses"``.

    Examples
    --------
    >>> constrained_equal_losses(200, {"a": 100, "b": 200, "c": 300}).tolist()
    [Fraction(0, 1), Fraction(50, 1), Fraction(150, 1)]

    Notes
    -----
    :math:`O(n \\log n)`. Parameters, errors and symbolic support as
    :func:`constrained_equal_awards`.
    """
    e, c, labels, mode = _prepare(estate, claims, players)
    _require_numeric_claims(c, mode, "constrained_equal_losses")
    return _series(_cel(e, c, mode), labels, "constrained_equal_losses", mode)


def talmud(
    estate: Any, claims: PerPlayer, *, players: Iterable[Any] | None = None
) -> pd.Series:
    """Talmud rule of Aumann and Maschler [AumannMaschler1985]_.

    .. math::

        x = \\begin{cases}
        \\mathrm{CEA}(E, c/2) & E \\le \\sum c / 2 \\\\
        c/2 + \\mathrm{CEL}(E - \\sum c / 2,\\ c/2) & \\text{otherwise}
        \\end{cases}

    It extends the contested-garment principle consistently to any number of claimants
    and is the nucleolus of the bankruptcy game.

    Parameters
    ----------
    estate : number or sympy expression
        Amount to divide, ``0 <= estate <= sum(claims)``.
    claims : mapping claimant -> number, pandas.Series, or sequence
        Non-negative numeric claims; labels kept in the result's index (see
        :func:`proportional`).
    players : sequence of hashable, optional
        Labels for a sequence of claims (see :func:`proportional`).

    Returns
    -------
    pandas.Series
        ``name="talmud"``.

    Examples
    --------
    The three estates of the Mishnah, Ketubot 93a:

    >>> [talmud(e, {"a": 100, "b": 200, "c": 300}).tolist() for e in (100, 200, 300)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [[Fraction(100, 3), Fraction(100, 3), Fraction(100, 3)],
     [Fraction(50, 1), Fraction(75, 1), Fraction(75, 1)],
     [Fraction(50, 1), Fraction(100, 1), Fraction(150, 1)]]

    Notes
    -----
    :math:`O(n \\log n)`. Parameters, errors and symbolic support as
    :func:`constrained_equal_awards`.
    """
    e, c, labels, mode = _prepare(estate, claims, players)
    _require_numeric_claims(c, mode, "talmud")
    total = _sum(c, mode)
    half: Any = np.asarray(c, dtype=float) / 2 if mode == "float" else [ci / 2 for ci in c]
    if mode == "symbolic":
        awards = _talmud_piecewise(e, c, total)
    elif e <= total / 2:
        awards = _cea(e, half, mode)
    elif mode == "float":
        awards = half + _cel(e - total / 2, half, mode)
    else:
        awards = [h + x for h, x in zip(half, _cel(e - total / 2, half, mode), strict=True)]
    return _series(awards, labels, "talmud", mode)


def random_arrival(
    estate: Any, claims: PerPlayer, *, players: Iterable[Any] | None = None
) -> pd.Series:
    """Random arrival rule [ONeill1982]_: claimants arrive in a uniformly random order and
    each is paid in full until the estate runs out; awards are the expected payments.

    It equals the Shapley value of the bankruptcy game
    :math:`v(S) = \\max(0, E - \\sum_{j \\notin S} c_j)`:

    .. math::

        x_i = \\sum_{T \\subseteq N \\setminus \\{i\\}} \\frac{|T|!\\,(n-|T|-1)!}{n!}
        \\min\\bigl(c_i, \\max(0, E - c(T))\\bigr)

    where ``T`` is the set of claimants arriving *after* ``i`` (their claims are what the
    estate must leave aside for ``i`` to be the marginal claimant).

    Parameters
    ----------
    estate : number or sympy expression
        Amount to divide, ``0 <= estate <= sum(claims)``.
    claims : mapping claimant -> number, pandas.Series, or sequence
        Non-negative numeric claims; labels kept in the result's index (see
        :func:`proportional`).
    players : sequence of hashable, optional
        Labels for a sequence of claims (see :func:`proportional`).

    Returns
    -------
    pandas.Series
        ``name="random_arrival"``.

    Raises
    ------
    InvalidInputError
        As :func:`proportional`; symbolic claims (a symbolic estate is fine).
    TooLargeError
        More than :data:`MAX_RANDOM_ARRIVAL` float claims, or exact claims whose
        counting table (claimants x estate in units of the gcd) is too large, or more
        than :data:`MAX_RANDOM_ARRIVAL_SYMBOLIC` claimants with a symbolic estate.

    Examples
    --------
    >>> random_arrival(200, {"a": 100, "b": 200, "c": 300}).tolist()
    [Fraction(100, 3), Fraction(250, 3), Fraction(250, 3)]

    With a symbolic estate each award is a continuous piecewise-linear ``Piecewise``:

    >>> import sympy
    >>> E = sympy.Symbol("E", nonnegative=True)
    >>> random_arrival(E, {"a": 100, "b": 200})["a"]
    Piecewise((E/2, E <= 100), (50, E <= 200), (E/2 - 50, True))

    Notes
    -----
    Two exact methods, whichever is cheaper. Enumeration: :math:`O(n\\, 2^n)` in ``int64``
    on claims scaled to integers (also floats; 22 claimants take about a second). Counting
    tables (``int``/``Fraction`` input): with claims and estate in units of their gcd,
    :math:`O(r\\, n^2 E)` by the generating functions of :mod:`sharing_models.power`
    (``sum_T min(c_i, E - c(T))^+`` by coalition size, from a doubly cumulative table),
    so 200 claimants with estate 3,000 units take well under a second. Symbolic estate:
    the award of ``i`` is :math:`\\sum_P w_P \\min(c_i, (E - P)^+)` over the distinct
    sums ``P`` of later arrivals' claims, so its slope steps up by ``w_P`` at ``E = P``
    and down at ``E = P + c_i``; one sweep over those breakpoints gives the pieces,
    :math:`O(n\\, 2^n)` at worst.
    """
    e, c, labels, mode = _prepare(estate, claims, players)
    if mode == "symbolic":
        _require_numeric_claims(c, mode, "random_arrival")
        if len(c) > MAX_RANDOM_ARRIVAL_SYMBOLIC:
            raise TooLargeError(
                f"random_arrival with a symbolic estate on {len(c)} claimants: at most "
                f"{MAX_RANDOM_ARRIVAL_SYMBOLIC} (the formula has up to 2**n pieces); "
                "substitute a number for the estate, or use talmud (O(n) pieces)"
            )
        return _series(_random_arrival_piecewise(e, c), labels, "random_arrival", mode)
    if mode == "exact":
        ints, estate_int, unit = _as_integers(e, c)
        if _prefer_tables(len(c), estate_int):
            return _series(_random_arrival_tables(ints, estate_int, unit), labels,
                           "random_arrival", mode)
    if len(c) > MAX_RANDOM_ARRIVAL:
        raise TooLargeError(
            f"random_arrival on {len(c)} claimants: enumerating 2**n coalitions allows at "
            f"most {MAX_RANDOM_ARRIVAL}, and the exact counting tables need int/Fraction "
            f"input with (claimants x estate in units of the claims' gcd) at most "
            f"{MAX_TABLE_CELLS:,}. Round the claims to a coarser unit, or use talmud "
            "(the nucleolus of the same game), which is O(n log n)."
        )
    return _series(_random_arrival(e, c, mode), labels, "random_arrival", mode)


def _prefer_tables(n: int, estate_int: int) -> bool:
    """Counting tables when they fit and cost less than enumerating ``2**n`` coalitions."""
    cells = n * estate_int
    if cells > MAX_TABLE_CELLS:
        return False
    return n > MAX_RANDOM_ARRIVAL or cells * n * (1 + n // 50) < n * 2**n


#: Every rule by name, e.g. for comparing them side by side in one DataFrame.
RULES: dict[str, Callable[..., pd.Series]] = {
    "proportional": proportional,
    "constrained_equal_awards": constrained_equal_awards,
    "constrained_equal_losses": constrained_equal_losses,
    "talmud": talmud,
    "random_arrival": random_arrival,
}


def compare_rules(
    estate: Any, claims: PerPlayer, rules: Iterable[str] | None = None, *,
    players: Iterable[Any] | None = None,
) -> pd.DataFrame:
    """Awards of several claims rules side by side, one column per rule.

    Parameters
    ----------
    estate, claims
        As :func:`proportional`.
    rules : iterable of str, optional
        Names from :data:`RULES` (default: all of them, in that order).
    players : sequence of hashable, optional
        As :func:`proportional`.

    Returns
    -------
    pandas.DataFrame
        Indexed by claimant, one column per rule.

    Raises
    ------
    InvalidInputError
        Unknown rule name, or any error of the rules themselves.

    Examples
    --------
    >>> compare_rules(200, {"a": 100, "b": 200, "c": 300}, ["talmud", "proportional"])
      talmud proportional
    a     50        100/3
    b     75        200/3
    c     75          100

    Notes
    -----
    The cost of the slowest rule requested (random arrival: :math:`O(n\\, 2^n)`).
    """
    names = list(RULES) if rules is None else list(rules)
    unknown = [r for r in names if r not in RULES]
    if unknown or not names:
        raise InvalidInputError(f"unknown claims rule(s) {unknown}; choose from {list(RULES)}")
    if players is not None:
        labels, values = per_player(claims, players=players, what="claims")
        claims = pd.Series(values, index=player_index(labels), dtype=object)
    return pd.concat([RULES[r](estate, claims) for r in names], axis=1)
