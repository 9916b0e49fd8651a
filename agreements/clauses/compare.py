"""Redline two versions of an agreement: the clauses that differ, word by word.

Negotiators trade versions of a scenario; :func:`compare` lines up the clause tables of
two versions by what each clause is about (a member, a work package, a result, a rule),
not by clause number, so a clause that moves because a member joined is not reported as
changed. Each changed clause shows both versions and a redline in the ``git diff
--word-diff`` convention: ``[-deleted-]`` and ``{+inserted+}``.
"""

from __future__ import annotations

import difflib
import re
from os import PathLike
from typing import Any

import pandas as pd

from ..scenario.model import Agreement
from .table import as_agreement, clause_table, column_label
from .wording import check_lang, term

__all__ = ["compare", "redline", "redline_segments"]

_CJK = "\u3000-\u9fff\uff00-\uffef"
_TOKENS = re.compile(rf"\s+|[{_CJK}]|[;:()\[\]]|[^\s{_CJK};:()\[\]]+")


def redline(old: str, new: str) -> str:
    """Word-level redline of ``old`` -> ``new`` (Chinese: character by character).

    >>> redline("remedy within 30 days", "remedy within 60 days")
    'remedy within [-30-]{+60+} days'
    >>> redline("违约金30%", "违约金50%")
    '违约金[-30%-]{+50%+}'
    """
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(out)


_MARKS = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.DOTALL)


def redline_segments(marked: str) -> list[tuple[str, str]]:
    """A redline cut into ``(text, kind)`` runs, kind ``"same"``, ``"del"`` or ``"ins"``,
    for exporters that show deletions struck through and insertions underlined.

    >>> redline_segments("within [-30-]{+60+} days")
    [('within ', 'same'), ('30', 'del'), ('60', 'ins'), (' days', 'same')]
    """
    out, pos = [], 0
    for m in _MARKS.finditer(marked):
        if m.start() > pos:
            out.append((marked[pos:m.start()], "same"))
        out.append((m.group(1), "del") if m.group(1) is not None else (m.group(2), "ins"))
        pos = m.end()
    if pos < len(marked):
        out.append((marked[pos:], "same"))
    return out


def _texts(table: pd.DataFrame, lang: str) -> dict[str, tuple[str, str, str]]:
    """Clause key -> (clause number, heading, full text) of one version."""
    one = "en" if lang == "zh+en" else lang
    cols = [term(f"columns.{f}", one) for f in ("rule", "figures", "formula")]
    heading = term("columns.heading", one)
    out = {}
    for key, (number, r) in zip(table.attrs["keys"], table.iterrows(), strict=True):
        text = "\n".join(str(r[c]) for c in cols if str(r[c]))
        out[key] = (str(number), str(r[heading]), text)
    return out


def compare(agreement_a: Agreement | str | PathLike[str],
            agreement_b: Agreement | str | PathLike[str], *, lang: str = "en",
            allocation_a: Any = None, allocation_b: Any = None) -> pd.DataFrame:
    """The clauses that differ between two versions of an agreement, redlined.

    Parameters
    ----------
    agreement_a, agreement_b
        The two versions (agreements or scenario paths), old then new.
    lang
        Language of the compared wording; ``"zh+en"`` compares both, the Chinese
        columns (suffix " (中文)") beside the English ones.
    allocation_a, allocation_b
        Computed shares for each version, as for :func:`clause_table`.

    Returns
    -------
    pandas.DataFrame
        One row per added, removed or changed clause, in the new version's order (removed
        clauses last), indexed by clause key; columns clause number in A and in B,
        heading, change (added / removed / changed), text in A, text in B and the redline.
        Empty when the versions agree clause for clause.

    Raises
    ------
    InvalidInputError
        Unknown ``lang`` or a malformed allocation.

    Examples
    --------
    >>> from agreements.scenario.loader import safe_load
    >>> data = safe_load(open("scenarios/baoshan_medical_devices.yaml"))
    >>> data["default"]["remedy_days"] = 60
    >>> b = Agreement.model_validate(data)
    >>> diff = compare("scenarios/baoshan_medical_devices.yaml", b)
    >>> diff.index.tolist()
    ['default.notice_days, default.remedy_days']
    >>> diff.iloc[0]["Redline"].split("\\n")[0]
    'A party in breach receives formal notice and has [-30-]{+60+} days to remedy it; ...'

    Notes
    -----
    Builds both clause tables, then one :class:`difflib.SequenceMatcher` per changed
    clause (quadratic in its words at worst).
    """
    check_lang(lang)
    if lang == "zh+en":  # both languages: the Chinese columns beside the English ones
        zh = compare(agreement_a, agreement_b, lang="zh", allocation_a=allocation_a,
                     allocation_b=allocation_b)
        en = compare(agreement_a, agreement_b, lang="en", allocation_a=allocation_a,
                     allocation_b=allocation_b)
        texts = list(zh.columns[2:])  # heading, change, versions, redline
        both = en.join(zh[texts].rename(columns=lambda c: f"{c} (中文)" if c in en.columns
                                        else c), how="outer")
        both.attrs = dict(en.attrs)
        both.attrs["lang"] = "zh+en"
        both.attrs["column_fields"] = {"Redline": "redline", "Redline (中文)": "redline"}
        return both
    one = lang
    a, trace_a = as_agreement(agreement_a)
    b, trace_b = as_agreement(agreement_b)
    old = _texts(clause_table(a, allocation_a, lang=one), one)
    new = _texts(clause_table(b, allocation_b, lang=one), one)
    words = {k: term(f"labels.{k}", one) for k in ("added", "removed", "changed")}
    rows = []
    for key in [*new, *(k for k in old if k not in new)]:
        (na, ha, ta), (nb, hb, tb) = old.get(key, ("", "", "")), new.get(key, ("", "", ""))
        if ta == tb and ha == hb:
            continue
        change = words["added"] if key not in old else words["removed"] if key not in new \
            else words["changed"]
        rows.append((key, na, nb, hb or ha, change, ta, tb, redline(ta, tb)))
    columns = [f"{column_label('clause', one)} A", f"{column_label('clause', one)} B",
               column_label("heading", one), column_label("change", one),
               column_label("version_a", one), column_label("version_b", one), "Redline"]
    frame = pd.DataFrame([r[1:] for r in rows], columns=columns,
                         index=pd.Index([r[0] for r in rows], name="key"), dtype=object)
    frame.attrs["column_fields"] = {"Redline": "redline"}
    frame.attrs.update({"title": f"{b.name.en}: {a.id} → {b.id}", "kind": "compare",
                        "lang": one, "date": b.date or "",
                        "sha256": f"{trace_a['sha256']} → {trace_b['sha256']}",
                        "hash_of": trace_b["hash_of"],
                        "source": f"{trace_a['source']} → {trace_b['source']}"})
    return frame
