"""Each member's share of the agreement's value under several sharing rules, side by side.

The value to share is :math:`v(N)`, the worth of the grand coalition in
:func:`agreements.valuation.game.agreement_game`. Every rule's shares come from the one sharing
path, :func:`agreements.sharing.allocate`; this module lays them side by side and says,
for every rule, whether the allocation is in the core (no coalition does better alone)
and what each member gains over its outside option.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
from typing import Any

import pandas as pd

import sharing_models as sm
from sharing_models import Game, GameError, SuspiciousResultWarning

from ..errors import AgreementError
from ..scenario.model import Agreement
from ..valuation.game import agreement_game, coalition_worth
from . import GAME_RULES, RULES, allocate, default_exact, layer_unions, rounded, shown_figures
from . import exact as exact_fraction
from .stability import CoreCheck, core_check
from .structure import GAME_MEMBERS, LINEAR_RULES, grand_value

__all__ = ["METHODS", "compare_shares", "layer_unions", "shown_shares"]

#: Sharing rules :func:`compare_shares` shows by default, in column order (any of
#: :data:`agreements.sharing.RULES` may be asked for).
METHODS = ("shapley", "banzhaf", "nucleolus", "owen", "proportional", "equal", "fixed")


def _methods(agreement: Agreement, methods: Any) -> list[str]:
    if methods is None:
        chosen = [m for m in METHODS if m != "fixed" or agreement.sharing.fixed_shares]
    else:
        chosen = [methods] if isinstance(methods, str) else list(methods)
    unknown = [m for m in chosen if m not in RULES]
    if unknown:
        raise AgreementError(f"unknown sharing method(s) {unknown}; expected some of "
                             f"{', '.join(RULES)}")
    return list(dict.fromkeys(chosen))


def compare_shares(agreement: Agreement, methods: Any = None, exact: bool | None = None,
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
        Any of :data:`agreements.sharing.RULES`; default :data:`METHODS` (``fixed``
        only when the agreement has fixed shares).
    exact : bool, optional
        Fractions throughout; default exact up to
        :data:`agreements.sharing.EXACT_MEMBERS` members (the one exactness policy of
        :func:`agreements.sharing.allocate`).
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
    Cost is that of building the game (:func:`agreements.valuation.game.agreement_game`) plus
    each rule's; Shapley, Banzhaf, Owen and the core test are :math:`O(n 2^n)`, the
    nucleolus solves a sequence of LPs. References: [Shapley1953]_, [Gillies1959]_.
    """
    chosen = _methods(agreement, methods)
    exact = default_exact(agreement) if exact is None else exact
    large = game is None and len(agreement.members) > GAME_MEMBERS
    if large and methods is None:  # rules that need the whole game are left out
        chosen = [m for m in chosen if m not in GAME_RULES or m in LINEAR_RULES]
    if not large:
        game = game if game is not None else agreement_game(agreement, exact=exact)
    columns: dict[str, pd.Series] = {}
    for m in chosen:
        try:
            columns[m] = allocate(agreement, m, exact=exact, game=game)["amount"]
        except GameError as exc:
            warnings.warn(f"method {m!r} omitted: {exc}", SuspiciousResultWarning, stacklevel=2)
    return _assemble(agreement, game, columns, exact, as_percent)


def _num(exact: bool) -> Any:
    return exact_fraction if exact else float


def _assemble(agreement: Agreement, game: Game | None, columns: dict[str, pd.Series],
              exact: bool, as_percent: bool) -> pd.DataFrame:
    num = _num(exact)
    grand = game.grand_value if game is not None else grand_value(agreement, exact)
    outside = pd.Series([num(m.outside_option) for m in agreement.members],
                        index=agreement.member_ids)
    df = pd.DataFrame(index=pd.Index(agreement.member_ids, name="member"))
    for m, s in columns.items():
        df[m] = s * 100 / grand if as_percent and grand != 0 else s
        if as_percent and grand == 0:
            df[m] = float("nan")
    for m, s in columns.items():
        df[f"{m}_in_core"] = sm.in_core(game, s.tolist()) if game is not None \
            else core_check(agreement, s).in_core
    for m, s in columns.items():
        df[f"{m}_gain"] = s - outside
    df.attrs["grand_value"] = grand
    return df


def shown_shares(agreement: Agreement, methods: Any = None, exact: bool | None = None,
                 decimals: int = 2, game: Game | None = None, *, seed: Any = 0,
                 tolerance: float | None = None, samples: int | None = None) -> pd.DataFrame:
    """The figures every output shows: per rule the shown amount (``<rule>``, money to
    the cent), the shown percentage (``<rule>_pct``, ``decimals`` places), the exact
    amount (``<rule>_exact``), core membership (``<rule>_in_core``) and the shown gain
    over the outside option (``<rule>_gain``); a sampled rule adds its 95% interval
    (``<rule>_low``, ``<rule>_high``, money to the cent). The last row, ``total``,
    holds each column's total (shown columns sum exactly to it).

    All shown figures come from :func:`agreements.sharing.display.shown_figures`
    (largest remainder), so terminal, CSV, JSON, clause tables and the report agree.
    Large agreements (more than
    :data:`~agreements.sharing.structure.GAME_MEMBERS` members) go part by part or are
    sampled (``seed``, ``tolerance``, ``samples``: see
    :func:`agreements.sharing.allocate`); by default the rules that need the whole
    game are then left out with a warning; core membership comes from
    :func:`agreements.sharing.stability.core_check`. ``attrs["methods"]`` maps each
    rule to how it was computed (``exact``, ``exact by structure``, ``sampled``) and
    ``attrs["details"]`` to a line saying so.

    >>> import agreements
    >>> df = shown_shares(agreements.load("scenarios/baoshan_medical_devices.yaml"),
    ...                   ["equal"])
    >>> df.loc["total", "equal_pct"], sum(df["equal_pct"].iloc[:-1]) == 100
    (Fraction(100, 1), True)
    """
    large = game is None and len(agreement.members) > GAME_MEMBERS
    chosen = _methods(agreement, methods)
    if large and methods is None:
        dropped = [m for m in chosen if m in GAME_RULES and m not in LINEAR_RULES]
        for m in dropped:
            warnings.warn(f"method {m!r} omitted: it needs the whole game, built up to "
                          f"{GAME_MEMBERS} members", SuspiciousResultWarning, stacklevel=2)
        chosen = [m for m in chosen if m not in dropped]
    exact = default_exact(agreement) if exact is None else exact
    if not large:
        game = game if game is not None else agreement_game(agreement, exact=exact)
    outside = {m.id: exact_fraction(m.outside_option) for m in agreement.members}
    ids = agreement.member_ids
    cols: dict[str, list[Any]] = {}
    methods_used: dict[str, str] = {}
    details: dict[str, str] = {}
    core_notes: dict[str, str] = {}
    grand: Any = game.grand_value if game is not None else None
    for m in chosen:
        try:
            alloc = allocate(agreement, m, exact=exact, game=game, seed=seed,
                             tolerance=tolerance, samples=samples)
        except GameError as exc:
            warnings.warn(f"method {m!r} omitted: {exc}", SuspiciousResultWarning, stacklevel=2)
            continue
        grand = alloc.attrs["grand_value"] if grand is None else grand
        methods_used[m] = alloc.attrs.get("method", "exact")
        details[m] = alloc.attrs.get("detail", "")
        money = shown_figures(alloc, "money", 2)
        pct = shown_figures(alloc, "percent", decimals)
        if game is not None:
            in_core: bool | None = bool(sm.in_core(game, alloc["amount"].tolist()))
        else:
            check = core_check(agreement, alloc["amount"])
            in_core = check.in_core
            core_notes[m] = core_note(check, methods_used[m] == "sampled")
        cols[m] = [*money, rounded(grand, 2)]
        if "low" in alloc.columns:
            cols[f"{m}_low"] = [*(rounded(v, 2) for v in alloc["low"]), None]
            cols[f"{m}_high"] = [*(rounded(v, 2) for v in alloc["high"]), None]
        cols[f"{m}_pct"] = [*pct, None if pct.isna().any() else Fraction(100)]
        cols[f"{m}_exact"] = [*alloc["amount"], grand]
        cols[f"{m}_in_core"] = [in_core] * (len(ids) + 1)
        gains = [money[i] - outside[i] for i in ids]
        cols[f"{m}_gain"] = [*gains, sum(gains, Fraction(0))]
    df = pd.DataFrame(cols, index=pd.Index([*ids, "total"], name="member"))
    if grand is None:
        grand = grand_value(agreement, exact) if large else coalition_worth(agreement, ids,
                                                                            exact=exact)
    df.attrs["grand_value"] = grand
    df.attrs["methods"] = methods_used
    df.attrs["details"] = details
    df.attrs["core"] = core_notes
    return df


def core_note(check: CoreCheck, sampled: bool = False) -> str:
    """How far a large agreement's core verdict (:func:`core_check`) can be trusted, in
    one line: exact, or a bound (the solver's time limit), and whether the allocation
    checked is a sampled estimate.

    >>> from agreements.sharing.stability import CoreCheck
    >>> core_note(CoreCheck(None, -0.5, 2.0, ("a",), False, "mixed-integer program"))
    'undecided, a bound: the blocking-coalition search (mixed-integer program) stopped at \
its time limit; the largest excess is between -0.5 and 2'
    >>> core_note(CoreCheck(False, 3.0, 3.0, ("a",), True, "enumeration"), sampled=True)
    'exact (enumeration; largest excess 3), for the sampled estimate: the exact shares \
may differ within their intervals'
    """
    verdict = {True: "in the core", False: "not in the core", None: "undecided"}
    if check.exact:
        text = f"exact ({check.method}; largest excess {check.excess:.6g})"
    else:
        text = (f"{verdict[check.in_core] + ', ' if check.in_core is None else ''}"
                f"a bound: the blocking-coalition search ({check.method}) stopped at its "
                f"time limit; the largest excess is between {check.excess:.6g} and "
                f"{check.upper:.6g}")
    if sampled:
        text += (", for the sampled estimate: the exact shares may differ within their "
                 "intervals")
    return text
