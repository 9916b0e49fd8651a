"""Tier outcomes against contribution in scenario files.

:func:`tier_vs_contribution` sets what each member gets under the agreement's tier rule
(tier income shares, or pro rata to fees, as
:func:`agreements.outcomes.waterfall.distribution_shares` splits income) against its
Shapley value [Shapley1953]_ and its outside option, with its fee and net outcome; the
comparison itself is
:func:`sharing_models.tier_vs_contribution.tier_vs_contribution`.
"""

from __future__ import annotations

import pandas as pd

from sharing_models import tier_vs_contribution as tvc
from sharing_models.membership.fees import exact_number

from ..errors import AgreementError
from ..membership.tiers import fee_table, tier_schedule
from ..scenario.model import Agreement
from ..sharing.compare import compare_shares
from .waterfall import distribution_shares

__all__ = ["tier_vs_contribution"]


def tier_vs_contribution(agreement: Agreement, method: str = "shapley") -> pd.DataFrame:
    """What each member gets under the tier rule against its Shapley value, per year.

    The value shared is :math:`v(N)` of the agreement's game; the tier rule splits it as
    the waterfall's distribution would (tier income shares, or pro rata to fees), and the
    comparison is with each member's ``method`` share (Shapley by default) and its outside
    option. ``fee`` and ``net`` (tier outcome minus fee) are shown alongside.

    >>> from agreements.scenario.loader import load
    >>> t = tier_vs_contribution(load("scenarios/asrc_storage_tiers.yaml"))
    >>> bool(sum(t["subsidy"]) == 0)
    True
    """
    schedule = tier_schedule(agreement)
    if schedule is None:
        raise AgreementError(f"{agreement.id}: no sharing.tiers or sharing.fees to compare")
    exact = len(agreement.members) <= 12
    shares = compare_shares(agreement, methods=[method], exact=exact)
    grand = exact_number(shares.attrs["grand_value"])
    has_shares = any(t.rights.income_share is not None for t in schedule.tiers)
    rule = distribution_shares(agreement, "tiered" if has_shares else "fee_based")
    fees = fee_table(agreement)
    outcome = rule * grand
    phi = shares[method].map(exact_number)
    outside = {m.id: m.outside_option for m in agreement.members}
    table = tvc.tier_vs_contribution(outcome, phi, outside, tiers=fees["tier"],
                                     total=grand if sum(phi) != 0 else None)
    table.insert(1, "fee", fees["fee"].reindex(table.index))
    table["net"] = table["tier_outcome"] - table["fee"]
    return table
