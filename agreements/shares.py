"""Each member's share of the agreement's value under several sharing rules, side by side.

The value to share is :math:`v(N)`, the worth of the grand coalition in
:func:`agreements.game.agreement_game`. Game-theoretic rules come from
:mod:`sharing_models`; the agreement's own rules (proportional to contributions'
valuation, equal, fixed shares as agreed) are computed here. For every rule the table
says whether the allocation is in the core (no coalition does better alone) and what
each member gains over its outside option.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
from typing import Any

import pandas as pd

import sharing_models as sm
from sharing_models import Game, GameError, SuspiciousResultWarning

from .errors import AgreementError
from .game import agreement_game
from .model import Agreement, Layer

__all__ = ["METHODS", "compare_shares", "layer_unions"]

#: Sharing rules :func:`compare_shares` knows, in column order.
METHODS = ("shapley", "banzhaf", "nucleolus", "owen", "proportional", "equal", "fixed")
#: Rules computed by a function of :mod:`sharing_models` (name -> function name).
_ENGINE = {"shapley": "shapley", "banzhaf": "banzhaf", "nucleolus": "nucleolus",
           "owen": "owen"}


def layer_unions(agreement: Agreement) -> list[list[str]]:
    """Members grouped by layer (lead, close, general), empty layers dropped.

    >>> import agreements
    >>> layer_unions(agreements.load("scenarios/baoshan_medical_devices.yaml"))
    [['fosun_dx'], ['shu', 'wusong_hospital'], ['zecheng']]
    """
    groups = [[m.id for m in agreement.members if m.layer == layer] for layer in Layer]
    return [g for g in groups if g]


def _num(exact: bool) -> Any:
    return (lambda x: Fraction(str(x))) if exact else float


def _own_rule(agreement: Agreement, method: str, grand: Any, exact: bool) -> pd.Series:
    """Proportional to valuation, equal, or fixed shares, as amounts of ``grand``."""
    num, ids = _num(exact), agreement.member_ids
    if method == "equal":
        weights = {m: num(1) for m in ids}
    elif method == "proportional":
        weights = {m: num(0) for m in ids}
        for c in agreement.contributions:
            weights[c.member] += num(c.valuation)
    else:
        fixed = agreement.sharing.fixed_shares
        if not fixed:
            raise AgreementError("method 'fixed' needs sharing.fixed_shares in the agreement")
        weights = {m: num(fixed.get(m, 0)) for m in ids}
    total = sum(weights.values(), num(0))
    if total == 0:
        raise GameError(f"method {method!r}: the weights sum to zero (no valuations given)")
    return pd.Series([grand * weights[m] / total for m in ids], index=ids, name=method)


def _engine_rule(game: Game, method: str, layers: list[list[str]], exact: bool) -> pd.Series:
    fn = getattr(sm, _ENGINE[method])
    if method == "nucleolus":
        return fn(game, exact=exact and game.n <= 12)
    if method == "owen":
        return fn(game, layers, exact=exact)
    if method == "banzhaf" and game.grand_value == 0:
        zero = Fraction(0) if exact else 0.0
        return pd.Series([zero] * game.n, index=list(game.players), name=method)
    return fn(game, exact=exact)


def _methods(agreement: Agreement, methods: Any) -> list[str]:
    if methods is None:
        chosen = [m for m in METHODS if m != "fixed" or agreement.sharing.fixed_shares]
    else:
        chosen = [methods] if isinstance(methods, str) else list(methods)
    unknown = [m for m in chosen if m not in METHODS]
    if unknown:
        raise AgreementError(f"unknown sharing method(s) {unknown}; expected some of "
                             f"{', '.join(METHODS)}")
    available = []
    for m in dict.fromkeys(chosen):
        if m in _ENGINE and not hasattr(sm, _ENGINE[m]):
            warnings.warn(f"method {m!r} is not available in this version of sharing_models; "
                          "its column is omitted", SuspiciousResultWarning, stacklevel=3)
        else:
            available.append(m)
    return available


def compare_shares(agreement: Agreement, methods: Any = None, exact: bool = False,
                   as_percent: bool = False, game: Game | None = None) -> pd.DataFrame:
    """Members' shares of :math:`v(N)` under several rules, with core and gain checks.

    For a rule giving allocation :math:`x`:

    .. math::

        x \\in C(v) \\iff x(N) = v(N),\\; x(S) \\ge v(S)\\ \\forall S, \\qquad
        \\text{gain}_i = x_i - o_i

    where :math:`o_i` is member :math:`i`'s outside option.

    Parameters
    ----------
    agreement : Agreement
    methods : list of str, optional
        Any of :data:`METHODS`; default all (``fixed`` only when the agreement has
        fixed shares).
    exact : bool, default False
        Fractions throughout (small agreements).
    as_percent : bool, default False
        Share columns in percent of :math:`v(N)` instead of money (gains stay money).
    game : Game, optional
        The agreement's game, if already built.

    Returns
    -------
    pandas.DataFrame
        Indexed by member id: one column per method, then ``<method>_in_core`` and
        ``<method>_gain`` per method. ``attrs["grand_value"]`` holds :math:`v(N)`.

    Raises
    ------
    AgreementError
        Unknown method, or ``fixed`` requested without fixed shares.

    Warns
    -----
    SuspiciousResultWarning
        A rule fails on this game (e.g. the nucleolus when no imputation exists, or a
        rule missing from :mod:`sharing_models`): its column is omitted.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> df = compare_shares(a, methods=["equal", "fixed"])
    >>> list(df.columns)
    ['equal', 'fixed', 'equal_in_core', 'fixed_in_core', 'equal_gain', 'fixed_gain']

    Notes
    -----
    Cost is that of building the game (:func:`agreements.game.agreement_game`) plus
    each rule's; Shapley, Banzhaf, Owen and the core test are :math:`O(n 2^n)`, the
    nucleolus solves a sequence of LPs. References: [Shapley1953]_, [Gillies1959]_.
    """
    chosen = _methods(agreement, methods)
    game = game if game is not None else agreement_game(agreement, exact=exact)
    grand = game.grand_value
    layers = layer_unions(agreement)
    columns: dict[str, pd.Series] = {}
    for m in chosen:
        try:
            s = (_engine_rule(game, m, layers, exact) if m in _ENGINE
                 else _own_rule(agreement, m, grand, exact))
        except GameError as exc:
            warnings.warn(f"method {m!r} omitted: {exc}", SuspiciousResultWarning, stacklevel=2)
            continue
        columns[m] = s.reindex(agreement.member_ids)
    return _assemble(agreement, game, columns, exact, as_percent)


def _assemble(agreement: Agreement, game: Game, columns: dict[str, pd.Series], exact: bool,
              as_percent: bool) -> pd.DataFrame:
    num, grand = _num(exact), game.grand_value
    outside = pd.Series([num(m.outside_option) for m in agreement.members],
                        index=agreement.member_ids)
    df = pd.DataFrame(index=pd.Index(agreement.member_ids, name="member"))
    for m, s in columns.items():
        df[m] = s * 100 / grand if as_percent and grand != 0 else s
        if as_percent and grand == 0:
            df[m] = float("nan")
    for m, s in columns.items():
        df[f"{m}_in_core"] = sm.in_core(game, s.tolist())
    for m, s in columns.items():
        df[f"{m}_gain"] = s - outside
    df.attrs["grand_value"] = grand
    return df
