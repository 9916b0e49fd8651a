"""The one base class of every scenario model: strict (unknown keys are errors), frozen,
and without inf/nan (YAML ``.inf`` or JSON ``Infinity`` is a mistake, not an amount),
and the number types of the scenario format.

Numbers are strict: ``true``, ``"1e6"`` or ``" 12 "`` where a number belongs are errors,
not silently converted (a whole number is accepted where a decimal one belongs). Every
amount is finite and at most :data:`~agreements.scenario.limits.MAX_AMOUNT` in size.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from .limits import MAX_AMOUNT, MAX_COUNT

__all__ = ["MAX_TOLERANCE", "Count", "Money", "SignedMoney", "StrictModel"]

#: Largest risk tolerance (a very large one means risk-neutral).
MAX_TOLERANCE = 1e15

#: A non-negative amount of money, at most ``MAX_AMOUNT``.
Money = Annotated[StrictFloat, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
#: An amount of money that may be negative (an outside option), at most ``MAX_AMOUNT`` in size.
SignedMoney = Annotated[StrictFloat, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False)]
#: A whole number from 0 to ``MAX_COUNT`` (employees, votes, seats).
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]


class StrictModel(BaseModel):
    """Base of the scenario's pydantic models."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)
