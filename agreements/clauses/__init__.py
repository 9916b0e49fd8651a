"""Clause tables for lawyers: the agreement's clauses and schedules, exact and bilingual.

:func:`clause_table` turns an agreement (and its computed shares) into one row per clause
under the DESCA headings; :func:`schedules` gives the annexes; :func:`compare` redlines
two versions; :func:`export` writes any of these tables to Markdown, HTML, LaTeX, CSV,
XLSX or Word; :func:`share_formulas` writes each party's Shapley value as an exact
formula of one parameter. Wording in English and Chinese comes from
``agreements/terms/terms.yaml``.
"""

from ..sharing.display import format_fixed, largest_remainder
from .compare import compare, redline
from .export import FORMATS, export
from .schedules import SCHEDULE_KEYS, schedules
from .sensitivity import share_formulas
from .table import clause_table

__all__ = [
    "FORMATS",
    "SCHEDULE_KEYS",
    "clause_table",
    "compare",
    "export",
    "format_fixed",
    "largest_remainder",
    "redline",
    "schedules",
    "share_formulas",
]
