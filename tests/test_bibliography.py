"""Every ``[Key]_`` citation in the code is defined in ``docs/bibliography.md``.

Also checks that each solution concept named in issue 2 documents itself as the style
guide asks: a ``.. math::`` definition, a literature reference, its cost under Notes and
a doctest example.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import sharing_models
from sharing_models import claims, cost, power
from sharing_models.games.game import Game

ROOT = Path(__file__).resolve().parent.parent
BIBLIOGRAPHY = ROOT / "docs" / "bibliography.md"
CITATION = re.compile(r"\[([A-Za-z][A-Za-z0-9]*)\]_")
ENTRY = re.compile(r"^- \*\*\[([A-Za-z][A-Za-z0-9]*)\]\*\*", re.MULTILINE)


def defined_keys() -> set[str]:
    return set(ENTRY.findall(BIBLIOGRAPHY.read_text(encoding="utf-8")))


def citations() -> dict[str, list[str]]:
    """Map each cited key to the files citing it (Python sources and docs pages)."""
    found: dict[str, list[str]] = {}
    files = [
        *sorted((ROOT / "sharing_models").rglob("*.py")),
        *sorted((ROOT / "agreements").rglob("*.py")),
        *sorted((ROOT / "docs").rglob("*.md")),
    ]
    for path in files:
        for key in CITATION.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, []).append(str(path.relative_to(ROOT)))
    return found


def test_citation_pattern_finds_known_and_unknown_keys() -> None:
    """The scanner itself: a defined and an undefined key are both picked up."""
    text = "as in [Shapley1953]_ and [NoSuchPaper2099]_, not [Plain] or [x]"
    assert CITATION.findall(text) == ["Shapley1953", "NoSuchPaper2099"]
    assert "Shapley1953" in defined_keys()
    assert "NoSuchPaper2099" not in defined_keys()


def test_bibliography_entries_unique_and_sorted() -> None:
    keys = ENTRY.findall(BIBLIOGRAPHY.read_text(encoding="utf-8"))
    assert len(keys) == len(set(keys)), "duplicate bibliography keys"
    assert keys == sorted(keys, key=str.lower), "bibliography not in alphabetical order"


def test_every_citation_is_defined() -> None:
    cited = citations()
    assert len(cited) >= 20  # the scan really reads the sources
    undefined = {k: v for k, v in cited.items() if k not in defined_keys()}
    assert not undefined, f"citations missing from docs/bibliography.md: {undefined}"


CONCEPTS = [
    sharing_models.shapley,
    sharing_models.shapley_sample,
    sharing_models.banzhaf,
    sharing_models.in_core,
    sharing_models.core_is_empty,
    sharing_models.least_core,
    sharing_models.nucleolus,
    sharing_models.prenucleolus,
    sharing_models.owen,
    sharing_models.myerson,
    sharing_models.weighted_shapley,
    claims.proportional,
    claims.constrained_equal_awards,
    claims.constrained_equal_losses,
    claims.talmud,
    claims.random_arrival,
    power.shapley_shubik,
    power.banzhaf_index,
    cost.airport,
    Game.weighted_voting,
    Game.bankruptcy,
    Game.airport,
]


@pytest.mark.parametrize("func", CONCEPTS, ids=lambda f: f.__qualname__)
def test_concept_docstring_has_math_reference_cost_and_example(func) -> None:
    doc = inspect.getdoc(func) or ""
    assert ".. math::" in doc, "no .. math:: definition"
    keys = CITATION.findall(doc)
    assert keys, "no [Key]_ literature reference"
    assert set(keys) <= defined_keys()
    assert re.search(r"^Notes\n-----\n", doc, re.MULTILINE), "no Notes section"
    notes = doc.split("Notes\n-----\n", 1)[1]
    assert re.search(r"O\(|cost|time|ms\b|linear|pass", notes), "Notes do not state the cost"
    assert ">>> " in doc, "no doctest example"
