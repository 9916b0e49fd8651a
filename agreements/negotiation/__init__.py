"""Negotiation when the parties see the future differently: each member's own view (an
overlay of the figures it believes), its payoff under every rule by its own beliefs, the
best fixed split, contingent contracts that pay by what happens, and the zone of
agreement between two members."""

from .deal import (
    ContingentContract,
    FixedSplit,
    Negotiation,
    Zone,
    negotiate,
    simulated_payoffs,
    state_label,
)
from .states import StateTable, state_table
from .views import load_view, with_view

__all__ = [
    "ContingentContract",
    "FixedSplit",
    "Negotiation",
    "StateTable",
    "Zone",
    "load_view",
    "negotiate",
    "simulated_payoffs",
    "state_label",
    "state_table",
    "with_view",
]
