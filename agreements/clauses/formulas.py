r"""Formulas of rule-based clauses, rendered from sympy as text and as LaTeX.

A clause that follows a rule carries the rule itself, so that the contract and the model
cannot drift apart: the SEMATECH dues [IrwinKlenow1996]_ print as
``fee = min(max(1% × R, 1,000,000), 15,000,000)`` and as
:math:`\mathit{fee} = \min\left(\max\left(1\% \cdot R, 1{,}000{,}000\right),
15{,}000{,}000\right)`. Arguments of ``min``/``max`` are ordered the way a lawyer reads
them (the expression first, then the bounds), whole numbers get thousands separators
and exact rates print as percentages.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

__all__ = ["formula_latex", "formula_text", "rule_formula", "share_formula"]


def _terminating(q: sp.Rational) -> bool:
    d = int(q.q)
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _decimal(q: sp.Rational) -> str:
    """A terminating rational as a decimal string with thousands separators."""
    frac = Fraction(int(q.p), int(q.q))
    places = 0
    while (frac * 10**places).denominator != 1:
        places += 1
    units = int(frac * 10**places)
    sign, units = ("-" if units < 0 else ""), abs(units)
    whole, rest = divmod(units, 10**places)
    return sign + f"{whole:,}" + (f".{str(rest).zfill(places)}" if places else "")


def _ordered(args: tuple[sp.Expr, ...]) -> list[sp.Expr]:
    symbolic = sorted((a for a in args if a.free_symbols), key=sp.default_sort_key)
    numbers = sorted((a for a in args if not a.free_symbols), key=lambda a: float(a))
    return symbolic + numbers


def _percent_split(e: sp.Mul) -> tuple[str, sp.Expr] | None:
    coeff, rest = e.as_coeff_Mul()
    if isinstance(coeff, sp.Rational) and coeff != 1 and 0 < coeff < 1 and rest != 1:
        pct = coeff * 100
        if _terminating(pct):
            return _decimal(pct), rest
    return None


class _TextPrinter(StrPrinter):
    def _print_Integer(self, e: sp.Integer) -> str:
        return f"{int(e):,}"

    def _print_Rational(self, e: sp.Rational) -> str:
        return _decimal(e) if _terminating(e) else f"{e.p:,}/{e.q:,}"

    def _print_Float(self, e: sp.Float) -> str:
        return self._print_Rational(sp.Rational(str(e)))

    def _print_Mul(self, e: sp.Mul) -> str:
        split = _percent_split(e)
        if split is None:
            return super()._print_Mul(e).replace("*", " × ")
        return f"{split[0]}% × {self.parenthesize(split[1], 50)}"

    def _minmax(self, name: str, e: sp.Expr) -> str:
        return f"{name}(" + ", ".join(self._print(a) for a in _ordered(e.args)) + ")"

    def _print_Min(self, e: sp.Min) -> str:
        return self._minmax("min", e)

    def _print_Max(self, e: sp.Max) -> str:
        return self._minmax("max", e)


class _LatexPrinter(LatexPrinter):
    def _print_Integer(self, e: sp.Integer) -> str:
        return f"{int(e):,}".replace(",", "{,}")

    def _print_Rational(self, e: sp.Rational) -> str:
        if _terminating(e):
            return _decimal(e).replace(",", "{,}")
        return super()._print_Rational(e)

    def _print_Float(self, e: sp.Float) -> str:
        return self._print_Rational(sp.Rational(str(e)))

    def _print_Mul(self, e: sp.Mul) -> str:
        split = _percent_split(e)
        if split is None:
            return super()._print_Mul(e)
        return split[0].replace(",", "{,}") + r"\% \cdot " + self.parenthesize(split[1], 50)

    def _minmax(self, name: str, e: sp.Expr) -> str:
        inner = ", ".join(self._print(a) for a in _ordered(e.args))
        return rf"\{name}\left({inner}\right)"

    def _print_Min(self, e: sp.Min, exp: Any = None) -> str:
        return self._minmax("min", e)

    def _print_Max(self, e: sp.Max, exp: Any = None) -> str:
        return self._minmax("max", e)


def formula_text(expr: Any, lhs: str | None = None) -> str:
    """A sympy expression as plain text a contract can print.

    >>> R = sp.Symbol("R")
    >>> formula_text(sp.Min(sp.Max(R / 100, 1_000_000), 15_000_000), "fee")
    'fee = min(max(1% × R, 1,000,000), 15,000,000)'
    """
    text = _TextPrinter().doprint(sp.sympify(expr))
    return f"{lhs} = {text}" if lhs else text


def formula_latex(expr: Any, lhs: str | None = None) -> str:
    r"""A sympy expression as LaTeX (math mode, no delimiters).

    >>> R = sp.Symbol("R")
    >>> formula_latex(sp.Min(sp.Max(R / 100, 1_000_000), 15_000_000), "fee")
    '\\mathit{fee} = \\min\\left(\\max\\left(1\\% \\cdot R, 1{,}000{,}000\\right),
    15{,}000{,}000\\right)'
    """
    text = _LatexPrinter().doprint(sp.sympify(expr))
    if not lhs:
        return text
    return (rf"\mathit{{{lhs}}}" if len(lhs) > 1 else lhs) + " = " + text


def rule_formula(rule: Any, lhs: str = "fee") -> tuple[str, str]:
    """Text and LaTeX of a rule object with a ``formula()`` method (e.g. a fee rule).

    >>> from sharing_models.membership.fees import sematech
    >>> rule_formula(sematech())[0]
    'fee = min(max(1% × R, 1,000,000), 15,000,000)'
    """
    expr = rule.formula()
    return formula_text(expr, lhs), formula_latex(expr, lhs)


def share_formula(method: str) -> tuple[str, str] | None:
    r"""The general formula of member ``i``'s share under a sharing ``method``.

    Returns ``None`` for rules with no closed formula here (``fixed`` shares are a table,
    ``nucleolus`` is the solution of linear programmes).

    >>> share_formula("proportional")[0]
    's_i = c_i / Σ_j c_j'
    """
    forms = {
        "proportional": ("s_i = c_i / Σ_j c_j", r"s_i = \frac{c_i}{\sum_j c_j}"),
        "equal": ("s_i = 1 / n", r"s_i = \frac{1}{n}"),
        "shapley": (
            "φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! × (v(S ∪ {i}) − v(S))",
            r"\phi_i = \sum_{S \subseteq N \setminus \{i\}} \frac{|S|!\,(n-|S|-1)!}{n!}"
            r"\left(v(S \cup \{i\}) - v(S)\right)",
        ),
        "banzhaf": (
            "β_i ∝ Σ_{S ⊆ N∖{i}} (v(S ∪ {i}) − v(S)) / 2^(n−1)",
            r"\beta_i \propto \frac{1}{2^{n-1}} \sum_{S \subseteq N \setminus \{i\}}"
            r"\left(v(S \cup \{i\}) - v(S)\right)",
        ),
        "fee_based": ("s_i = f_i / Σ_j f_j", r"s_i = \frac{f_i}{\sum_j f_j}"),
    }
    return forms.get(method)
