"""The layout every clause export shares: title lines, the blocks a table is cut into,
and relative column widths (used by the Word and Excel writers alike)."""

from __future__ import annotations

import pandas as pd

from ..scenario.provenance import provenance_footer
from .wording import term

__all__ = ["MIN_COLUMN_CM", "blocks", "column_weights", "column_widths_cm", "title_lines",
           "with_index"]


def _word(key: str, table: pd.DataFrame) -> str:
    """Fixed wording in the table's language ("日期 / Date" for a bilingual table)."""
    lang = table.attrs.get("lang", "en")
    if lang == "zh+en":
        return f"{term(key, 'zh')} / {term(key, 'en')}"
    return term(key, lang if lang in ("en", "zh") else "en")


def title_lines(table: pd.DataFrame) -> list[str]:
    """The title block's lines: date, scenario SHA-256, illustrative note and provenance
    (if any)."""
    at = table.attrs
    lines = []
    if at.get("date"):
        lines.append(f"{_word('labels.date', table)}: {at['date']}")
    if at.get("sha256"):
        key = "labels.hash" if at.get("hash_of") == "file" else "labels.model_hash"
        lines.append(f"{_word(key, table)}: {at['sha256']} ({at.get('source', '')})")
    if at.get("illustrative"):
        lines.append(_word("labels.illustrative", table))
    if at.get("provenance"):  # the record of agreements.scenario.provenance, as one line
        lines.append(provenance_footer(at["provenance"]))
    return lines


def blocks(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """A table cut into ``(heading, rows)`` blocks: one per numbered section of a clause
    table (the section columns dropped); a schedule is one block under its title."""
    if table.attrs.get("kind") != "clauses":
        return [(str(table.attrs.get("title", "")), table)]
    fields = table.attrs.get("column_fields", {})
    section_cols = [c for c in table.columns if fields.get(c) == "section"]
    numbers = [str(i).split(".")[0] for i in table.index]
    out = []
    for number in dict.fromkeys(numbers):
        part = table.loc[[n == number for n in numbers]]
        name = " / ".join(dict.fromkeys(str(part[c].iloc[0]) for c in section_cols))
        out.append((f"{number} {name}".strip(), part.drop(columns=section_cols)))
    return out


def with_index(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its index as the first column (clause number or member id)."""
    if frame.attrs.get("kind") == "schedule":
        return frame.reset_index(drop=True)
    return frame.reset_index()


#: Narrowest column (cm): a clause number such as "10.12" or the header "条款 / Clause".
MIN_COLUMN_CM = 1.5

_FIELD_WEIGHT = {"clause": 0.6, "section": 1.5, "heading": 2.0, "rule": 4.0, "parties": 1.8,
                 "figures": 2.6, "formula": 1.8, "fallback": 3.2, "source": 1.6}


def column_weights(table: pd.DataFrame) -> list[float]:
    """Relative widths (summing to 1) of the index column and each column of ``table``.

    Clause tables weight columns by their field (the rule text widest); schedules give
    the member column twice the width of a figure column.
    """
    fields = table.attrs.get("column_fields", {})
    if table.attrs.get("kind") == "clauses":
        raw = [_FIELD_WEIGHT["clause"]] + [_FIELD_WEIGHT.get(fields.get(c, ""), 1.5)
                                           for c in table.columns]
    else:
        raw = [2.0] + [1.0] * (table.shape[1] - 1)
        raw = raw if table.attrs.get("kind") == "schedule" else [1.0, *raw]
    total = sum(raw)
    return [w / total for w in raw]


def column_widths_cm(weights: list[float], usable_cm: float,
                     floor_cm: float = MIN_COLUMN_CM) -> list[float]:
    """Column widths in cm: ``weights`` of ``usable_cm``, none narrower than ``floor_cm``.

    Columns below the floor are raised to it and the others shrink in proportion, so
    the table still spans exactly ``usable_cm`` (when the floors fit at all).

    >>> [round(w, 2) for w in column_widths_cm([0.02, 0.49, 0.49], 20.0)]
    [1.5, 9.25, 9.25]
    >>> [round(w, 2) for w in column_widths_cm([0.05, 0.08, 0.87], 20.0)]
    [1.5, 1.5, 17.0]
    """
    widths = [usable_cm * w for w in weights]
    if floor_cm * len(widths) >= usable_cm:
        return widths
    narrow = [False] * len(widths)
    while True:  # shrinking the others may push another column under the floor
        raised = [n or w < floor_cm - 1e-9 for w, n in zip(widths, narrow, strict=True)]
        if raised == narrow:
            return widths
        narrow = raised
        rest = sum(usable_cm * w for w, n in zip(weights, narrow, strict=True) if not n)
        scale = (usable_cm - floor_cm * sum(narrow)) / rest
        widths = [floor_cm if n else usable_cm * w * scale
                  for w, n in zip(weights, narrow, strict=True)]
