"""The rule's amounts for the lifecycle computations: :func:`agreements.sharing.allocate`,
except that a blend of rules on a game worth nothing gives every member nothing (its
game-rule parts have no shares then, and ``allocate`` refuses)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pandas as pd

from ..scenario.model import Agreement
from ..sharing.rules import allocate
from ..valuation.game import coalition_worth

__all__ = ["amounts"]


def amounts(agreement: Agreement, rule: str, exact: bool, game: Any = None) -> pd.DataFrame:
    """:func:`~agreements.sharing.allocate`, or zeros (``share`` None) for ``blend``
    when :math:`v(N) = 0`.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> amounts(a, "fixed", True)["share"].tolist()
    [Fraction(11, 20), Fraction(1, 5), Fraction(3, 20), Fraction(1, 10)]
    """
    if rule != "blend":
        return allocate(agreement, rule, exact=exact, game=game)
    grand = (game.grand_value if game is not None
             else coalition_worth(agreement, agreement.member_ids, exact=exact))
    if grand != 0:
        return allocate(agreement, rule, exact=exact, game=game)
    ids = agreement.member_ids
    zero = Fraction(0) if exact else 0.0
    out = pd.DataFrame({"share": pd.Series([None] * len(ids), index=ids, dtype=object),
                        "amount": pd.Series([zero] * len(ids), index=ids,
                                            dtype=object if exact else float)})
    out.index.name = "member"
    out.attrs.update(rule=rule, grand_value=zero, exact=exact)
    return out
