"""The one sharing path: an agreement and a rule give each member's share
(:mod:`.rules`), and one rounding gives the figures every output shows
(:mod:`.display`)."""

from .display import exact, format_fixed, largest_remainder, rounded, shown_figures
from .rules import (
    EXACT_MEMBERS,
    GAME_RULES,
    RULES,
    WEIGHT_RULES,
    agreed_rule,
    allocate,
    allocations,
    default_exact,
    layer_unions,
)

__all__ = [
    "EXACT_MEMBERS",
    "GAME_RULES",
    "RULES",
    "WEIGHT_RULES",
    "agreed_rule",
    "allocate",
    "allocations",
    "default_exact",
    "exact",
    "format_fixed",
    "largest_remainder",
    "layer_unions",
    "rounded",
    "shown_figures",
]
