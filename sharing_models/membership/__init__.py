"""Membership economics: tiers, fees, fee-based rights and revenue waterfalls.

:mod:`.fees` (fee rules), :mod:`.tiers` (tier schedules and the rights they carry),
:mod:`.fee_rights` (what a fee buys), :mod:`.waterfall` (revenue distribution) and
:mod:`.tier_vs_contribution` (tier fees against contributions). Reached as
``sharing_models.fees``, ``sharing_models.tiers``, ... Builds on
:mod:`sharing_models.division` (voting power of tiers).
"""
