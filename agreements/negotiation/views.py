"""A member's own view of the future: an overlay of the figures it believes differently.

A view is a small YAML/JSON file (or a mapping) with the scenario's structure holding
only the fields that differ, matched by ``id``::

    products:
      - {id: p_smart_lab, success_probability: 0.2, revenue: {expected: 5.0e7}}
    tasks:
      - {id: t_clinical, success_probability: 0.5, cost: 1.0e7}
    contributions:
      - {id: shu_ai_team, valuation: 3.0e7}

:func:`with_view` merges it onto the agreement and validates the result like a
scenario; an unknown id, section or field, or a bad value, is reported with the view's
file, field path and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import AgreementError, Problem, ScenarioError
from ..scenario.limits import check_depth, read_text
from ..scenario.loader import agreement_from_mapping, parse_yaml
from ..scenario.model import Agreement, Contribution, Member, Product, Task
from ..scenario.validation import format_path, suggest

__all__ = ["SECTIONS", "load_view", "with_view"]

#: Sections a view may override, with the model of their items.
SECTIONS: dict[str, type] = {"products": Product, "tasks": Task,
                             "contributions": Contribution, "members": Member}


def load_view(path: str | Path) -> tuple[dict[str, Any], dict[Any, int], str]:
    """The overlay in a YAML or JSON file, the line of each field path, and its name."""
    p = Path(path)
    try:  # a regular UTF-8 file of at most 5 MiB, nested at most 64 deep
        text = read_text(p, "view")
        check_depth(text, "yaml", str(p))
    except AgreementError as exc:
        raise ScenarioError([Problem("", f"cannot read the view: {exc}", None, str(p))],
                            str(p)) from None
    data, lines, duplicates = parse_yaml(text, str(p))  # JSON is YAML
    if duplicates:
        raise ScenarioError(duplicates, str(p))
    return data if data is not None else {}, lines, str(p)


def _check_item(section: str, i: int, item: Any, known: dict[str, int],
                problems: list[tuple[tuple[Any, ...], str]]) -> None:
    where = (section, i)
    if not isinstance(item, Mapping):
        problems.append((where, f"expected a mapping with an 'id', got {type(item).__name__}"))
        return
    ident = item.get("id")
    if not isinstance(ident, str) or ident not in known:
        problems.append(((*where, "id"), f"unknown {section[:-1]} {ident!r}"
                         f"{suggest(ident, list(known))} (a view can only change what the "
                         f"agreement has)"))
    fields = SECTIONS[section].model_fields
    for key in item:
        if key not in fields:
            problems.append(((*where, key), f"unknown field {key!r}{suggest(key, list(fields))}"))


def _merged(base: Any, change: Any) -> Any:
    """``change`` laid over ``base``: mappings merged key by key, anything else replaced."""
    if isinstance(base, Mapping) and isinstance(change, Mapping):
        return {**base, **{k: _merged(base.get(k), v) for k, v in change.items()}}
    return change


def with_view(agreement: Agreement, overlay: Mapping[str, Any] | str | Path) -> Agreement:
    """The agreement as one member sees it: ``overlay`` merged onto its figures.

    Parameters
    ----------
    agreement : Agreement
    overlay : mapping, or path of a YAML/JSON file
        Sections ``products``, ``tasks``, ``contributions``, ``members``, each a list of
        items with the ``id`` of an existing item and the fields to change.

    Returns
    -------
    Agreement
        Of the same class as ``agreement``, validated like a scenario file.

    Raises
    ------
    ScenarioError
        An unknown section, id or field, or a merged value the scenario format rejects
        (e.g. a probability outside [0, 1]); every problem with the view's name, field
        path and line.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> b = with_view(a, {"products": [{"id": "p_smart_lab", "success_probability": 0.2}]})
    >>> b.products[0].success_probability, a.products[0].success_probability
    (0.2, 0.6)
    """
    lines: dict[Any, int] = {}
    source = "<view>"
    if isinstance(overlay, str | Path):
        overlay, lines, source = load_view(overlay)
    problems: list[tuple[tuple[Any, ...], str]] = []
    if not isinstance(overlay, Mapping):
        raise ScenarioError([Problem("", "a view is a mapping of sections (products, tasks, "
                                     "contributions, members)", lines.get((), 1), source)],
                            source)
    data = agreement.model_dump(mode="json", exclude_none=True)
    for section, items in overlay.items():
        if section not in SECTIONS:
            problems.append(((section,), f"a view cannot change {section!r}"
                             f"{suggest(section, list(SECTIONS))}; it may change "
                             f"{', '.join(SECTIONS)}"))
            continue
        if not isinstance(items, list):
            problems.append(((section,), "expected a list of items, each with an 'id'"))
            continue
        known = {x["id"]: k for k, x in enumerate(data.get(section, []))}
        for i, item in enumerate(items):
            before = len(problems)
            _check_item(section, i, item, known, problems)
            if len(problems) == before:
                k = known[item["id"]]
                data[section][k] = _merged(data[section][k], dict(item))
    if problems:
        raise ScenarioError([Problem(format_path(parts), msg, _line(lines, parts), source)
                             for parts, msg in problems], source)
    try:
        return agreement_from_mapping(data, source=source, model=type(agreement))
    except ScenarioError as exc:  # a merged value out of range: name the view's field
        raise ScenarioError([Problem(p.path, p.message, None, source) for p in exc.problems],
                            source) from None


def _line(lines: Mapping[Any, int], parts: tuple[Any, ...]) -> int | None:
    for k in range(len(parts), -1, -1):
        if parts[:k] in lines:
            return lines[parts[:k]]
    return None
