"""JSON Schema of the scenario format, generated from the pydantic model.

Editors (VS Code's YAML extension, JetBrains) use it to complete and check scenario
files as they are typed: add ``# yaml-language-server: $schema=scenario.schema.json``
at the top of a file after ``consortium schema > scenario.schema.json``.
"""

from __future__ import annotations

import json
from typing import Any

from .model import Agreement

__all__ = ["SCHEMA_DIALECT", "json_schema", "schema_json"]

#: JSON Schema dialect of the exported schema.
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The scenario format (``format: 1``) as a JSON Schema mapping.

    Every object forbids unknown keys (``additionalProperties: false``), as loading does.

    >>> s = json_schema()
    >>> s["title"], s["properties"]["format"]["const"], "members" in s["required"]
    ('Agreement', 1, True)
    """
    schema = Agreement.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT,
            "$comment": "consortium-toolkit scenario format 1; generated from "
                        "agreements.scenario.model.Agreement by `consortium schema`",
            **schema}


def schema_json(indent: int | None = 2) -> str:
    """:func:`json_schema` as JSON text (UTF-8, Chinese kept as is)."""
    return json.dumps(json_schema(), indent=indent, ensure_ascii=False)
