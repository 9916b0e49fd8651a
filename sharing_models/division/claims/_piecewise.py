"""Symbolic estate: claims-rule awards as ``sympy.Piecewise`` functions of the estate.

The claims are numbers; only the estate ``e`` is a sympy expression. sympy is imported
lazily, inside each builder.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any


def _cea_pieces(e: Any, c: list[Any]) -> list[list[tuple[Any, Any]]]:
    """Per claimant, the ``(lambda(e), e <= end)`` pieces of CEA before its claim is met."""
    import sympy

    n = len(c)
    order = sorted(range(n), key=lambda i: c[i])
    segments: list[tuple[Any, Any]] = []  # (lambda on the segment, estate at its end)
    below = sympy.Integer(0)
    for pos, i in enumerate(order):
        lam = sympy.expand((e - below) / (n - pos))
        segments.append((lam, sympy.Le(e, below + (n - pos) * c[i])))
        below += c[i]
    out: list[list[tuple[Any, Any]]] = [[] for _ in range(n)]
    for pos, i in enumerate(order):
        out[i] = segments[: pos + 1]
    return out


def _cea_piecewise(e: Any, c: list[Any]) -> list[Any]:
    """CEA awards as ``Piecewise`` functions of a symbolic estate."""
    import sympy

    return [sympy.Piecewise(*pieces, (ci, True))
            for pieces, ci in zip(_cea_pieces(e, c), c, strict=True)]


def _cel_piecewise(e: Any, c: list[Any], total: Any) -> list[Any]:
    """CEL as ``c - CEA(sum c - e, c)``, built piece by piece (no nested Piecewise)."""
    import sympy

    return [sympy.Piecewise(*[(sympy.expand(ci - lam), cond) for lam, cond in pieces],
                            (0, True))
            for pieces, ci in zip(_cea_pieces(total - e, c), c, strict=True)]


def _talmud_piecewise(e: Any, c: list[Any], total: Any) -> list[Any]:
    """CEA on half-claims up to ``sum c / 2``, then the dual pieces, in one Piecewise."""
    import sympy

    half = [ci / 2 for ci in c]
    low = _cea_pieces(e, half)
    high = _cea_pieces(total - e, half)
    out = []
    for i, ci in enumerate(c):
        dual = [(sympy.expand(ci - lam), cond) for lam, cond in high[i]]
        out.append(sympy.Piecewise(*low[i], (half[i], sympy.Le(e, total / 2)), *dual,
                                   (half[i], True)))
    return out


def _random_arrival_piecewise(e: Any, c: list[Any]) -> list[Any]:
    """Random arrival awards as continuous piecewise-linear ``Piecewise`` in the estate."""
    import sympy

    def rat(x: Fraction) -> Any:
        return sympy.Rational(x.numerator, x.denominator)

    n = len(c)
    exact = [Fraction(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in c]
    total = sum(exact, Fraction(0))
    out = []
    for i in range(n):
        states: dict[tuple[int, Fraction], int] = {(0, Fraction(0)): 1}  # (|T|, c(T)) -> count
        for j in range(n):
            if j != i:
                for (k, p), cnt in list(states.items()):
                    states[k + 1, p + exact[j]] = states.get((k + 1, p + exact[j]), 0) + cnt
        step: dict[Fraction, Fraction] = {}  # slope change at each breakpoint
        for (k, p), cnt in states.items():
            w = Fraction(cnt * math.factorial(k) * math.factorial(n - 1 - k), math.factorial(n))
            step[p] = step.get(p, Fraction(0)) + w
            step[p + exact[i]] = step.get(p + exact[i], Fraction(0)) - w
        pieces: list[list[Fraction]] = []  # [start, value at start, slope, end]
        x0, y0, slope = Fraction(0), Fraction(0), step.get(Fraction(0), Fraction(0))
        for b in [*sorted(x for x in step if 0 < x < total), total]:
            if pieces and pieces[-1][2] == slope:
                pieces[-1][3] = b  # same line: extend the last piece
            else:
                pieces.append([x0, y0, slope, b])
            x0, y0 = b, y0 + slope * (b - x0)
            slope += step.get(b, Fraction(0))
        lines = [sympy.expand(rat(y) + rat(sl) * (e - rat(x))) for x, y, sl, _ in pieces]
        args = [(line, sympy.Le(e, rat(p[3]))) for line, p in zip(lines[:-1], pieces,
                                                                   strict=False)]
        out.append(sympy.Piecewise(*args, (lines[-1], True)))
    return out
