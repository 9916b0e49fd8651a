"""Claims (bankruptcy) rules: dividing an estate ``E`` among claims ``c`` with ``E <= sum c``.

A claims problem [ONeill1982]_ arises when a consortium winds up, a shared budget falls
short of what partners requested, or a licence income must repay several funders. Every
rule here is *efficient* (awards sum to ``E``), *bounded* (``0 <= x_i <= c_i``) and
*order preserving* (larger claims get at least as much and lose at least as much); see
[Thomson2003]_ for the axioms and [AumannMaschler1985]_ for the Talmud rule.

Exact input (``int``, ``Fraction``, sympy rationals) gives ``Fraction`` awards; any float
makes the result float. A sympy *estate* (e.g. ``sympy.Symbol("E", nonnegative=True)``)
gives symbolic awards: :func:`proportional` accepts symbolic claims too; the
piecewise-linear rules (:func:`constrained_equal_awards`, :func:`constrained_equal_losses`,
:func:`talmud`, :func:`random_arrival`) return :class:`sympy.Piecewise` awards in the
estate and need numeric claims, since they compare claims.
With a symbolic estate the bounds ``0 <= E <= sum c`` are checked only when sympy can
decide them, and the formulas assume them.
"""

from .rules import (
    MAX_RANDOM_ARRIVAL,
    MAX_RANDOM_ARRIVAL_SYMBOLIC,
    RULES,
    compare_rules,
    constrained_equal_awards,
    constrained_equal_losses,
    proportional,
    random_arrival,
    talmud,
)

__all__ = [
    "MAX_RANDOM_ARRIVAL",
    "MAX_RANDOM_ARRIVAL_SYMBOLIC",
    "RULES",
    "compare_rules",
    "constrained_equal_awards",
    "constrained_equal_losses",
    "proportional",
    "random_arrival",
    "talmud",
]
