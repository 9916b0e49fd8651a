"""Streaming DataFrames to one Parquet file, chunk by chunk, all or nothing.

Shared by the risk simulation (:mod:`sharing_models.risk.simulate`, one chunk of draws
at a time) and the generic sweep (:mod:`sharing_models.sweep`, one batch of points at a
time); it lives here so that ``sweep`` does not import ``risk`` (``risk.sweep`` builds on
``sweep``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["ParquetSink", "partial_path"]


def partial_path(path: str | Path) -> Path:
    """The temporary file written beside ``path`` until it is complete: hidden, in the
    same folder (so the final rename is atomic), named after the target and this process.

    >>> partial_path("out/x.parquet").name.startswith(".x.parquet.")
    True
    """
    target = Path(path)
    return target.with_name(f".{target.name}.{os.getpid()}.partial")


class ParquetSink:
    """Append DataFrames to one Parquet file (no-op when ``path`` is None).

    The chunks go to a temporary file beside ``path`` (:func:`partial_path`), renamed to
    ``path`` (``os.replace``) when the ``with`` block ends normally; on an exception or an
    interrupt the temporary file is deleted, so ``path`` is either complete or untouched.

    ``metadata`` (string keys and values, e.g. a provenance record: seed, levers, input
    hashes, version) goes into the file's key-value metadata, beside pandas' own; read it
    back with ``pyarrow.parquet.read_schema(path).metadata``. The writer adds nothing
    that changes from run to run, so the same chunks and metadata give the same bytes.
    """

    def __init__(self, path: str | Path | None,
                 metadata: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.metadata = {str(k): str(v) for k, v in (metadata or {}).items()}
        self.writer: Any = None
        self.partial: Path | None = None

    def __enter__(self) -> ParquetSink:
        return self

    def write(self, df: pd.DataFrame) -> None:
        if self.path is None:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            table = pa.Table.from_pandas(df, preserve_index=False)
            if self.metadata:
                table = table.replace_schema_metadata(
                    {**(table.schema.metadata or {}),
                     **{k.encode(): v.encode() for k, v in self.metadata.items()}})
            self.partial = partial_path(self.path)
            self.writer = pq.ParquetWriter(str(self.partial), table.schema)
        else:  # later chunks follow the first chunk's schema (e.g. int -> float)
            table = pa.Table.from_pandas(df, schema=self.writer.schema, preserve_index=False)
        self.writer.write_table(table)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.writer is None or self.partial is None or self.path is None:
            return
        try:
            self.writer.close()
            if exc_type is None:
                os.replace(self.partial, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self.partial.unlink()
