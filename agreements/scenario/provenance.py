"""Where an output came from: the record every file the toolkit writes carries.

A provenance record is a flat mapping of strings, so it fits everywhere a file format
keeps metadata: Parquet key-value metadata, DOCX/XLSX document properties, an HTML or
Markdown footer, or a JSON sidecar beside a CSV file. Standard library only, so the
lowest layer can use it.

Keys: ``tool``, ``version``, ``created`` (UTC, ISO 8601; ``SOURCE_DATE_EPOCH`` fixes it
for reproducible files), ``command`` (the command line, or the Python call), and where
given ``scenario`` with ``scenario_sha256`` (one entry per input file, ``;``-separated,
in order), ``seed`` and ``levers`` (JSON).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["TOOL", "file_sha256", "provenance", "provenance_footer", "tool_version"]

#: The distribution name recorded as ``tool``.
TOOL = "consortium-toolkit"


def tool_version() -> str:
    """The installed package's version, or ``"unknown"`` when run from a bare source tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(TOOL)
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        return "unknown"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _created() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit()
              else datetime.now(UTC))
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def provenance(
    sources: Iterable[str | os.PathLike[str]] = (),
    *,
    seed: int | None = None,
    levers: Mapping[str, Any] | None = None,
    command: str | None = None,
    **extra: Any,
) -> dict[str, str]:
    """The provenance record of an output made from ``sources``.

    Parameters
    ----------
    sources : iterable of path
        The input files (scenario, actuals, sweep spec...). Each is hashed; a path that
        is not a readable file (``-`` for stdin, say) is recorded by name only.
    seed : int, optional
        The random seed, for outputs of random work.
    levers : mapping, optional
        Policy levers or other settings, recorded as sorted JSON.
    command : str, optional
        How the output was made; default the running command line (``sys.argv``).
    **extra
        More string-convertible entries (``rule="shapley"``, ``draws=10000``).

    Returns
    -------
    dict of str to str
        Flat, ordered, all values strings.

    Examples
    --------
    >>> record = provenance(seed=7, command="consortium simulate x.yaml")
    >>> record["tool"], record["seed"], record["command"]
    ('consortium-toolkit', '7', 'consortium simulate x.yaml')
    """
    record = {"tool": TOOL, "version": tool_version(), "created": _created(),
              "command": command if command is not None else shlex.join(
                  [Path(sys.argv[0]).name or "python", *sys.argv[1:]])}
    names, hashes = [], []
    for source in sources:
        names.append(str(source))
        try:
            hashes.append(file_sha256(source) if Path(source).is_file() else "")
        except OSError:
            hashes.append("")
    if names:
        record["scenario"] = ";".join(names)
        record["scenario_sha256"] = ";".join(hashes)
    if seed is not None:
        record["seed"] = str(seed)
    if levers is not None:
        record["levers"] = json.dumps(dict(levers), sort_keys=True, default=str)
    record.update({key: str(value) for key, value in extra.items()})
    return record


def provenance_footer(record: Mapping[str, str]) -> str:
    """One plain-text line for a document footer: version, date, inputs' hashes, seed."""
    parts = [f"{record.get('tool', TOOL)} {record.get('version', '')}".strip(),
             record.get("created", "")]
    if record.get("scenario"):
        short = [h[:12] for h in record.get("scenario_sha256", "").split(";")]
        parts.append("from " + ", ".join(
            f"{Path(name).name} (sha256 {digest}…)" if digest else Path(name).name
            for name, digest in zip(record["scenario"].split(";"), short, strict=False)))
    if record.get("seed"):
        parts.append(f"seed {record['seed']}")
    return " · ".join(part for part in parts if part)
