r"""A Shapley share as a formula of one parameter of the agreement, exactly.

Negotiators ask "what is my share if the substitute for my contribution costs p?". The
worth :math:`v_p(S)` of every coalition (:func:`agreements.valuation.game.agreement_game`) is a
maximum over products and recipes of expected value minus acquisition costs, each cost
affine or concave (``min(cost, price)``) in a contribution's price or cost, a task's
cost or a product's expected revenue; so :math:`p \mapsto v_p(S)` is convex and
piecewise linear. On an interval where every :math:`v_p(S)` is affine, the Shapley value
[Shapley1953]_ (linear in :math:`v`) is affine too:

.. math:: \phi_i(p) = a_i + b_i\, p, \qquad p \in [p_-, p_+].

A convex function that meets its chord at the midpoint is affine on the whole interval,
so three exact evaluations of the game decide whether an interval is affine; the interval
around the scenario's value is found by halving.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import Any

import pandas as pd

from sharing_models.exceptions import InvalidInputError
from sharing_models.games.shapley import shapley

from ..scenario.model import Agreement
from ..sharing.display import exact, format_fixed
from ..valuation.game import agreement_game

__all__ = ["PARAMETER_FIELDS", "share_formulas"]

#: Parameters a formula may be written in: ``<id>.<field>`` of these objects.
PARAMETER_FIELDS = {"contributions": ("cost", "substitute_price"), "tasks": ("cost",),
                    "products": ("revenue",)}


def _locate(agreement: Agreement, parameter: str) -> tuple[str, int, str]:
    item, _, field = parameter.rpartition(".")
    for kind, fields in PARAMETER_FIELDS.items():
        for k, obj in enumerate(getattr(agreement, kind)):
            if obj.id == item:
                if field not in fields:
                    raise InvalidInputError(
                        f"parameter {parameter!r}: {kind} can vary {', '.join(fields)}, "
                        f"not {field!r}")
                return kind, k, field
    choices = [f"{o.id}.{f}" for kind, fs in PARAMETER_FIELDS.items()
               for o in getattr(agreement, kind) for f in fs]
    raise InvalidInputError(f"unknown parameter {parameter!r}; expected one of "
                            f"{', '.join(choices[:12])}{', ...' if len(choices) > 12 else ''}")


def _value(agreement: Agreement, kind: str, k: int, field: str) -> Fraction:
    obj = getattr(agreement, kind)[k]
    value = obj.revenue.expected if field == "revenue" else getattr(obj, field)
    if value is None:
        raise InvalidInputError(f"{kind}[{obj.id}].{field} is not set; give it a value first")
    return exact(value)


def _with(agreement: Agreement, kind: str, k: int, field: str, p: Fraction) -> Agreement:
    items = list(getattr(agreement, kind))
    obj = items[k]
    if field == "revenue":
        items[k] = obj.model_copy(update={"revenue": obj.revenue.model_copy(
            update={"expected": p})})
    else:
        items[k] = obj.model_copy(update={field: p})
    return agreement.model_copy(update={kind: items})


def share_formulas(agreement: Agreement, parameter: str, *, low: Any = None,
                   high: Any = None, steps: int = 12) -> pd.DataFrame:
    r"""Each member's Shapley share as an exact affine formula of one parameter.

    .. math:: \phi_i(p) = \phi_i(p_0) + b_i\,(p - p_0), \quad
              b_i = \frac{\phi_i(p_1) - \phi_i(p_0)}{p_1 - p_0}

    Parameters
    ----------
    agreement
        The agreement (exact game: keep to about 12 members).
    parameter
        ``"<id>.<field>"``: a contribution's ``cost`` or ``substitute_price``, a task's
        ``cost`` or a product's ``revenue`` (expected annual revenue).
    low, high
        Widest interval to look at (default half to one and a half times the value).
    steps
        Halvings allowed on each side while searching for the affine piece.

    Returns
    -------
    pandas.DataFrame
        Indexed by member id: ``intercept`` and ``slope`` (Fractions), ``valid_from`` and
        ``valid_to`` (the affine piece around the scenario's value), ``formula`` (text)
        and ``latex``. ``attrs["parameter"]`` names the parameter.

    Raises
    ------
    InvalidInputError
        Unknown parameter, unset value, or ``low > value`` / ``high < value``.

    Examples
    --------
    >>> from agreements import load
    >>> a = load("scenarios/synthetic_biology_baoshan.yaml")
    >>> f = share_formulas(a, "p_hts_services.revenue")
    >>> f.loc["baoji", "formula"]
    'φ_baoji(p) ≈ 1,957,589.85 + 0.565634 × p'
    >>> f.loc["sioc", ["formula", "valid_from", "valid_to"]].tolist()
    ['φ_sioc(p) ≈ 4,293,024.30 + 0.282817 × p', Fraction(10500000, 1), Fraction(15000000, 1)]

    Notes
    -----
    Three exact games per tried interval, each :math:`O(2^n)` worths plus an exact
    Shapley value :math:`O(n 2^n)`; at most ``2 * steps`` intervals.
    """
    kind, k, field = _locate(agreement, parameter)
    p0 = _value(agreement, kind, k, field)
    lo = exact(low) if low is not None else p0 / 2
    hi = exact(high) if high is not None else p0 * Fraction(3, 2)
    if lo == hi:
        raise InvalidInputError(f"{parameter} = {float(p0):g}: the interval [low, high] is "
                                "a single point; give low and high")
    if not lo <= p0 <= hi:
        raise InvalidInputError(f"need low <= {parameter} = {float(p0):g} <= high; "
                                f"got [{float(lo):g}, {float(hi):g}]")

    def game_values(p: Fraction) -> tuple[Any, ...]:
        return tuple(agreement_game(_with(agreement, kind, k, field, p), exact=True).values)

    values = cache(game_values)

    def affine(a: Fraction, b: Fraction) -> bool:
        if a == b:
            return True
        m = (a + b) / 2
        return all(2 * vm == va + vb for va, vm, vb in
                   zip(values(a), values(m), values(b), strict=True))

    def piece(end: Fraction) -> Fraction:
        for _ in range(steps):
            if affine(min(p0, end), max(p0, end)):
                return end
            end = (p0 + end) / 2
        return p0

    left, right = piece(lo), piece(hi)
    if right == p0 and left == p0:
        raise InvalidInputError(f"{parameter}: no affine piece found around {float(p0):g} "
                                f"within {steps} halvings; narrow [low, high]")
    if right == p0:
        a, b = left, p0
    elif left == p0 or not affine(left, right):
        a, b = p0, right  # p0 is a breakpoint: give the piece to its right
    else:
        a, b = left, right
    phi = {q: shapley(agreement_game(_with(agreement, kind, k, field, q), exact=True),
                      exact=True) for q in (a, b)}
    return _frame(agreement, phi, a, b, parameter)


def _number(x: Fraction, places: int) -> str:
    """Exact decimal when it terminates within ``places``, else rounded with "≈"."""
    shown = format_fixed(x, places)
    return shown if exact(shown.replace(",", "")) == x else f"≈{shown}"


def _texts(member: str, intercept: Fraction, slope: Fraction) -> tuple[str, str]:
    """``φ_m(p) = a + b × p`` as text and LaTeX (money to the cent, slope to 6 places);
    ``≈`` instead of ``=`` when a figure is rounded (the exact ones are in the frame)."""
    a, b = _number(intercept, 2), _number(abs(slope), 6)
    rel = "≈" if "≈" in a + (b if slope else "") else "="
    a, b = a.lstrip("≈"), b.lstrip("≈")
    sign = "-" if slope < 0 else "+"
    text = f"φ_{member}(p) {rel} {a}" + (f" {sign} {b} × p" if slope else "")
    name = member.replace("_", r"\_")
    tex_rel = "=" if rel == "=" else r"\approx"
    tex = rf"\phi_{{\mathrm{{{name}}}}}(p) {tex_rel} " + a.replace(",", "{,}")
    if slope:
        tex += f" {sign} " + b.replace(",", "{,}") + r"\,p"
    return text, tex


def _frame(agreement: Agreement, phi: dict[Fraction, pd.Series], a: Fraction, b: Fraction,
           parameter: str) -> pd.DataFrame:
    rows = []
    for m in agreement.member_ids:
        slope = exact((phi[b][m] - phi[a][m]) / (b - a))
        intercept = exact(phi[a][m] - slope * a)
        text, tex = _texts(m, intercept, slope)
        rows.append({"intercept": intercept, "slope": slope, "valid_from": a, "valid_to": b,
                     "formula": text, "latex": tex})
    frame = pd.DataFrame(rows, index=pd.Index(agreement.member_ids, name="member"))
    frame.attrs["parameter"] = parameter
    return frame
