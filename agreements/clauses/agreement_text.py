"""The draft agreement (and its redline) as Markdown or HTML, through Jinja2 templates.

Both formats are rendered by a sandboxed Jinja2 environment that escapes every value:
HTML by autoescaping, Markdown by escaping its markup characters and ``<``, ``>``, ``&``
(so a member called ``<script>`` or ``**x**`` stays text). Tracked changes become
``<ins>`` and ``<del>`` elements, the only markup the toolkit itself adds. A provenance
footer closes the document.
"""

from __future__ import annotations

import html
import re
from importlib import resources
from typing import Any

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .agreement_docx import Segments, _merge_keys, _table_segments, diff_segments
from .document import Document

__all__ = ["agreement_text", "md_escape"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md_escape(text: str) -> str:
    """Markdown-safe text: markup characters backslash-escaped, ``<>&`` as entities.

    >>> print(md_escape("**x** <b> a.b"))
    \\*\\*x\\*\\* &lt;b&gt; a.b
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _segs(fmt: str, segments: Segments) -> Markup:
    esc = md_escape if fmt == "md" else (lambda t: html.escape(t, quote=True))
    parts = []
    for text, kind in segments:
        body = esc(text)
        parts.append(f"<{kind}>{body}</{kind}>" if kind else body)
    return Markup("".join(parts))




def _env(fmt: str) -> SandboxedEnvironment:
    if fmt == "html":
        return SandboxedEnvironment(autoescape=True)
    env = SandboxedEnvironment(autoescape=False, finalize=lambda v: v if isinstance(
        v, Markup) else md_escape(str(v)) if isinstance(v, str) else v)
    return env


def agreement_text(new: Document, fmt: str = "md", old: Document | None = None,
                   footer: str = "") -> str:
    """The draft agreement as Markdown (``fmt="md"``) or HTML; with ``old``, a redline.

    Parameters
    ----------
    new : Document
        The draft (:func:`~agreements.clauses.document.agreement_document`).
    fmt : {"md", "html"}
        Output format; both are rendered by the packaged Jinja2 templates
        ``templates/agreement.md.j2`` and ``templates/agreement.html.j2``.
    old : Document, optional
        An earlier version: changed phrases are marked ``<del>``/``<ins>``
        (:func:`~agreements.clauses.agreement_docx.diff_segments`).
    footer : str
        The closing line, e.g. the provenance footer.

    Returns
    -------
    str
        The document; every scenario text escaped for the format.

    Notes
    -----
    Cost: linear in the text, plus one word-level diff per changed clause with ``old``.

    Examples
    --------
    >>> from agreements import load
    >>> from agreements.clauses.document import agreement_document
    >>> doc = agreement_document(load("scenarios/baoshan_medical_devices.yaml"), "en")
    >>> agreement_text(doc, "html").startswith("<!DOCTYPE html>")
    True
    """
    langs = new.langs
    tracked = old is not None
    cell_sep = Markup("<br>" if fmt == "html" else " / ")
    ref_old = old if old is not None else new

    def seg(a: dict[str, str] | None, b: dict[str, str] | None) -> list[Markup]:
        return [_segs(fmt, diff_segments(None if a is None else a[lg],
                                         None if b is None else b[lg]) if tracked
                      else [((b or a or {})[lg], None)]) for lg in langs]

    old_blocks = {b.key: b for b in ref_old.blocks}
    new_blocks = {b.key: b for b in new.blocks}
    preamble: list[list[Markup]] = []
    articles: list[dict[str, Any]] = []
    for key in _merge_keys(list(old_blocks), list(new_blocks)):
        a, b = old_blocks.get(key), new_blocks.get(key)
        ref = b or a
        assert ref is not None
        texts = seg(a.text if a else None, b.text if b else None)
        if ref.kind == "article":
            articles.append({"heading": Markup("  ").join(texts), "clauses": []})
        elif ref.kind == "clause" and articles:
            articles[-1]["clauses"].append(texts)
        else:
            preamble.append(texts)
    old_t = {t.key: t for t in ref_old.schedules}
    new_t = {t.key: t for t in new.schedules}
    schedules = []
    for key in _merge_keys(list(old_t), list(new_t)):
        a_t, b_t = old_t.get(key), new_t.get(key)
        ref_t = b_t or a_t
        assert ref_t is not None
        rows, header, title = _table_segments(a_t, b_t, langs, tracked)
        numeric = [any(r[j].kind != "text" for _, r in ref_t.rows if j < len(r))
                   for j in range(len(ref_t.columns))]
        schedules.append({
            "title": Markup("  ").join(_segs(fmt, title[lg]) for lg in langs),
            "header": [cell_sep.join(_dedupe([_segs(fmt, h[lg]) for lg in langs]))
                       for h in header],
            "numeric": numeric,
            "rows": [{"total": k == ref_t.total_key,
                      "cells": [cell_sep.join(_dedupe([_segs(fmt, c[lg]) for lg in langs]))
                                for c in cells]}
                     for k, cells in rows]})

    source = resources.files("agreements.clauses").joinpath(
        f"templates/agreement.{'html' if fmt == 'html' else 'md'}.j2").read_text("utf-8")
    template = _env(fmt).from_string(source)
    meta = new.meta
    return template.render(
        langs=langs, title=[new.title[lg] for lg in langs],
        title_plain=" / ".join(new.title[lg] for lg in langs),
        preamble=preamble, articles=articles, schedules=schedules,
        signatures=[cell_sep.join(_dedupe([_segs(fmt, [(n[lg], None)]) for lg in langs]))
                    for _, n in new.signatures],
        signature_heading=" / ".join(meta[lg]["signature"] for lg in langs),
        schedules_heading=" / ".join(meta[lg]["schedules_heading"] for lg in langs),
        footer=footer)


def _dedupe(values: list[Markup]) -> list[Markup]:
    return values[:1] if len(values) > 1 and all(v == values[0] for v in values) else values
