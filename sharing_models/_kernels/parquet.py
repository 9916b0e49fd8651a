"""Streaming DataFrames to one Parquet file, chunk by chunk.

Shared by the risk simulation (:mod:`sharing_models.risk.simulate`, one chunk of draws
at a time) and the generic sweep (:mod:`sharing_models.sweep`, one batch of points at a
time); it lives here so that ``sweep`` does not import ``risk`` (``risk.sweep`` builds on
``sweep``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["ParquetSink"]


class ParquetSink:
    """Append DataFrames to one Parquet file (no-op when ``path`` is None)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = path
        self.writer: Any = None

    def __enter__(self) -> ParquetSink:
        return self

    def write(self, df: pd.DataFrame) -> None:
        if self.path is None:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            table = pa.Table.from_pandas(df, preserve_index=False)
            self.writer = pq.ParquetWriter(str(self.path), table.schema)
        else:  # later chunks follow the first chunk's schema (e.g. int -> float)
            table = pa.Table.from_pandas(df, schema=self.writer.schema, preserve_index=False)
        self.writer.write_table(table)

    def __exit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()
