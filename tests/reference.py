"""Reference implementations from the definitions, for cross-checking fast code on small n."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from sharing_models import Game


def brute_shapley(game: Game) -> list[Fraction]:
    """The textbook Shapley value: average marginal contribution over all n! orders."""
    n, v = game.n, game.values
    phi = [Fraction(0)] * n
    for order in itertools.permutations(range(n)):
        mask = 0
        for p in order:
            phi[p] += Fraction(v[mask | 1 << p]) - Fraction(v[mask])
            mask |= 1 << p
    return [x / math.factorial(n) for x in phi]
