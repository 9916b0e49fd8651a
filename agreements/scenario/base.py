"""The one base class of every scenario model: strict (unknown keys are errors), frozen,
and without inf/nan (YAML ``.inf`` or JSON ``Infinity`` is a mistake, not an amount)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["StrictModel"]


class StrictModel(BaseModel):
    """Base of the scenario's pydantic models."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)
