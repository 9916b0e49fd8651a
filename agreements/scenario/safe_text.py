"""Text from a scenario made safe for spreadsheets: the one formula-injection guard.

A spreadsheet program evaluates a CSV field, or a text typed into a cell, that starts
with ``=``, ``+``, ``-`` or ``@`` (and some also after a leading tab or carriage
return), so a member named ``=HYPERLINK("http://x", "y")`` would become a live formula
in the CSV or XLSX the toolkit writes. Following the OWASP guidance on CSV injection,
every such *string* is prefixed with an apostrophe (``'``), which spreadsheets show as
text. Numbers are never touched: a float or int cell stays a number, and a string that
is just a number (``-1234.56``, ``-1,234.56``, ``12.5%``, an exact ``-1/3``) is left as
it is, since a spreadsheet reads it as that number and nothing else.

Every CSV and XLSX writer of the toolkit (``agreements.cli.common.format_table`` and
``agreements.clauses.export``) passes its table through :func:`spreadsheet_safe_frame`.
It lives at the scenario layer so that every layer above may import it.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "spreadsheet_safe", "spreadsheet_safe_frame"]

#: First characters that make a spreadsheet evaluate a field (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: A plain number as text: sign, digits (thousands commas or underscores), decimals,
#: exponent, percent; or an exact fraction ``p/q``.
_NUMBER = re.compile(r"[+-]?(?:\d[\d,_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?|[+-]?\d+/\d+")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` with a leading apostrophe if it is a string a spreadsheet would evaluate;
    anything else (numbers, plain numeric text, other text) unchanged.

    >>> spreadsheet_safe('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> [spreadsheet_safe(x) for x in ("+1+1", "@SUM(A1)", "\\t=1", "Acme", -2.5, "-2.5")]
    ["'+1+1", "'@SUM(A1)", "'\\t=1", 'Acme', -2.5, '-2.5']
    """
    if (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
            and not _NUMBER.fullmatch(value)):
        return "'" + value
    return value


def _safe_index(index: pd.Index, fix: Any) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        levels = [_safe_index(level, fix) for level in index.levels]
        return index.set_levels(levels, verify_integrity=False).set_names(
            [fix(n) for n in index.names])
    if not _texty(index.dtype):
        return index.rename(fix(index.name))
    return pd.Index([fix(x) for x in index], dtype=index.dtype, name=fix(index.name))


def _texty(dtype: Any) -> bool:
    """Whether a column or index of this dtype may hold text (object or string)."""
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _csv_text(value: Any) -> Any:
    """A line break in text as ``\\n``: Python's csv writer quotes a field holding the
    line terminator's characters only, so a bare carriage return would split a row."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def spreadsheet_safe_frame(frame: pd.DataFrame, *, csv: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`spreadsheet_safe` applied to every text cell, index
    label and column label (numeric columns keep their dtype); ``attrs`` are kept. With
    ``csv=True`` (for ``to_csv(lineterminator="\\n")``) carriage returns in text also
    become ``\\n``, so that the writer quotes the field instead of splitting the row.

    >>> df = pd.DataFrame({"name": ["=1+1", "ok"], "gain": [-2.0, 3.0]},
    ...                   index=pd.Index(["@a", "-1"], name="member"))
    >>> out = spreadsheet_safe_frame(df)
    >>> out["name"].tolist(), out["gain"].tolist(), out.index.tolist()
    (["'=1+1", 'ok'], [-2.0, 3.0], ["'@a", '-1'])
    """
    def fix(value: Any) -> Any:
        value = spreadsheet_safe(value)
        return _csv_text(value) if csv else value

    out = frame.copy()
    for k in range(out.shape[1]):
        column = out.iloc[:, k]
        if _texty(column.dtype):
            out.isetitem(k, column.map(fix))
    out.index = _safe_index(out.index, fix)
    out.columns = _safe_index(out.columns, fix)
    out.attrs = dict(frame.attrs)
    return out
