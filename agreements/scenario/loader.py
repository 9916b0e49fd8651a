"""Load a scenario file (YAML or JSON) into a validated agreement model.

Loading reports every problem at once: field errors found by the pydantic model
(wrong types, negative values, unknown keys with a "did you mean" suggestion, missing
fields) and cross-reference problems found by :mod:`agreements.scenario.validation` (unknown ids,
duplicates, cycles, needs nothing provides, fixed shares not summing to 100%). Each
problem carries its field path and its line (YAML and JSON), and they are raised
together as one :class:`~agreements.errors.ScenarioError`.

YAML is read with a subclass of ``yaml.SafeLoader``: tags such as ``!!python/object``
are rejected, so loading never executes code from the file. Dates stay strings.
"""

from __future__ import annotations

import json
import math
import re
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import AgreementError, Problem, ScenarioError
from .limits import MAX_DEPTH, check_depth, read_text, text_problems
from .model import Agreement
from .validation import check_references, format_path, suggest

__all__ = ["FORMATS", "agreement_from_mapping", "load", "loads", "parse_yaml", "parts_of",
           "safe_load"]

#: The agreement model a loader builds (the data class or a subclass of it).
A = TypeVar("A", bound=Agreement)

#: Text formats :func:`loads` reads, by file suffix.
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}

Parts = tuple[str | int, ...]


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _SafeLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """``SafeLoader`` without the timestamp resolver (``date: 2023-10-19`` stays a string)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # Fast path: a plain scalar whose first character starts no implicit type
        # (numbers, booleans, null, ...) is a string; skips the regular expressions.
        if (kind is yaml.ScalarNode and implicit[0] and value
                and value[0] not in self.yaml_implicit_resolvers):
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


_SafeLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# YAML 1.2 floats such as 2.0e9 or 1e6 (YAML 1.1 wants 2.0e+9 and reads 2.0e9 as text).
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


# ---------------------------------------------------------------------- public API
def load(path: str | Path, *, model: type[A] = Agreement) -> A:  # type: ignore[assignment]
    """Load and validate a scenario file (``.yaml``, ``.yml`` or ``.json``) into
    ``model`` (:class:`~agreements.scenario.model.Agreement` or a subclass such as
    :class:`agreements.Agreement`).

    Raises
    ------
    AgreementError
        The file is missing, unreadable, not a regular file, larger than
        :data:`~agreements.scenario.limits.MAX_FILE_BYTES`, nested deeper than
        :data:`~agreements.scenario.limits.MAX_DEPTH`, not UTF-8 text or has an unknown
        suffix.
    ScenarioError
        The content is invalid; ``.problems`` lists every problem with path and line.

    Examples
    --------
    >>> a = load("scenarios/baoshan_medical_devices.yaml")
    >>> a.member_ids
    ['fosun_dx', 'shu', 'wusong_hospital', 'zecheng']
    """
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise AgreementError(
            f"{p}: unsupported file type {p.suffix or '(none)'!r}; "
            "expected a .yaml, .yml or .json scenario file"
        )
    text = read_text(p, "scenario")
    return loads(text, format=fmt, source=str(p), model=model)


def loads(text: str, format: str = "yaml", source: str = "<string>", *,
          model: type[A] = Agreement) -> A:  # type: ignore[assignment]
    """Parse and validate a scenario given as text (``format`` is ``"yaml"`` or ``"json"``)
    into ``model``.

    Examples
    --------
    >>> a = loads('''
    ... id: demo
    ... name: {en: Demo}
    ... members:
    ...   - {id: a, name: {en: A}, kind: enterprise}
    ... ''')
    >>> a.id, a.member_ids
    ('demo', ['a'])
    >>> loads("id: [", source="bad.yaml")
    Traceback (most recent call last):
    ...
    agreements.errors.ScenarioError: bad.yaml is invalid (1 problem):
      - bad.yaml:2: <root>: YAML syntax error: ...node content
    """
    if format in ("yaml", "json"):
        check_depth(text, format, source)
    if format == "yaml":
        data, lines, found = parse_yaml(text, source)
    elif format == "json":
        data, duplicated = _parse_json(text, source)
        if not duplicated:
            try:
                return agreement_from_mapping(data, source=source, model=model)
            except ScenarioError:
                if not isinstance(data, dict):
                    raise
        # Invalid: validate again with the line of every path (JSON read as YAML), and
        # report duplicate keys, which json.loads would silently resolve to the last one.
        lines, found = _json_lines(text, source)
        if not found:
            return agreement_from_mapping(data, source=source, lines=lines, model=model)
    else:
        raise AgreementError(f"unsupported format {format!r}; expected 'yaml' or 'json'")
    if found and isinstance(data, dict):
        try:
            agreement_from_mapping(data, source=source, lines=lines)
        except ScenarioError as exc:
            found = sorted([*found, *exc.problems], key=lambda p: p.line or 0)
        raise ScenarioError(found, source)
    return agreement_from_mapping(data, source=source, lines=lines, model=model)


def agreement_from_mapping(
    data: Any, source: str = "<mapping>", lines: dict[Parts, int] | None = None, *,
    model: type[A] = Agreement,  # type: ignore[assignment]
) -> A:
    """Validate a parsed mapping into ``model`` (an :class:`Agreement`), reporting every
    problem.

    Parameters
    ----------
    data : mapping
        The scenario as parsed from YAML/JSON.
    source : str
        File name used in messages.
    lines : dict, optional
        Line of each field path (tuples of keys and indices), as built from the YAML
        node tree; problems get the line of the deepest path that exists in the file.

    Raises
    ------
    ScenarioError
        Listing every field and cross-reference problem, in file order.
    """
    lines = lines or {}
    if data is None:
        raise ScenarioError([Problem("", "the scenario is empty; expected a mapping with "
                                     "format, id, name, members, ...", None, source)], source)
    if not isinstance(data, dict):
        raise ScenarioError([Problem("", f"expected a mapping (key: value) at the top level, "
                                     f"got {_kind(data)}", lines.get((), 1), source)], source)
    problems: list[tuple[Parts, str]] = []
    agreement = None
    try:
        agreement = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, data))
    problems.extend((parts_of(p.path), p.message) for p in check_references(data))
    problems.extend(text_problems(data))
    if not problems and agreement is not None:
        return agreement
    out = [Problem(format_path(parts), msg, _line_of(parts, lines), source)
           for parts, msg in problems]
    out.sort(key=lambda p: (p.line is None, p.line or 0))
    raise ScenarioError(out, source)


# ---------------------------------------------------------------------- parsing
def parse_yaml(text: str, source: str) -> tuple[Any, dict[Parts, int], list[Problem]]:
    """The one YAML reader of the package (scenarios and profiles): safe, in one pass.

    Returns the data, the line of every field path (tuples of keys and indices) and the
    duplicate keys found. Raises :class:`ScenarioError` for a syntax error or a tag that
    would construct anything but plain data (no code is ever executed).

    >>> data, lines, dupes = parse_yaml("a:\\n  b: [1, 2]\\n", "x.yaml")
    >>> data, lines[("a", "b", 1)], dupes
    ({'a': {'b': [1, 2]}}, 2, [])
    """
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        builder = _Builder(loader, source)
        return builder.build(node, ()), builder.lines, builder.dupes
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = re.search(r"tag '([^']*)'", str(exc.problem))
        what = f"tag {tag.group(1)!r}" if tag else str(exc.problem)
        raise ScenarioError([Problem("", f"unsupported YAML {what}: scenario files hold plain "
                                     "data only (code is never executed)", line, source)],
                            source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = getattr(exc, "problem", None) or str(exc)
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and start.line + 1 != line:
            msg += f" ({context} started on line {start.line + 1})"
        raise ScenarioError([Problem("", f"YAML syntax error: {msg}", line, source)],
                            source) from None
    finally:
        loader.dispose()


def safe_load(text: Any) -> Any:
    """A YAML document (text or an open file) as plain data, read as scenario files are:
    YAML 1.2 numbers (``1.5e7`` is a number, which PyYAML's own ``yaml.safe_load`` reads
    as text and the strict model then refuses), dates kept as text, no tags.

    Use it to edit a scenario in code before :meth:`agreements.Agreement.from_mapping`.

    >>> safe_load("cost: 1.5e7\\ndate: 2023-10-19\\n")
    {'cost': 15000000.0, 'date': '2023-10-19'}
    """
    if hasattr(text, "read"):
        text = text.read()
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    check_depth(text, "yaml", "<text>")
    return parse_yaml(text, "<text>")[0]


_STR, _MAP, _SEQ = ("tag:yaml.org,2002:" + t for t in ("str", "map", "seq"))


class _Builder:
    """Build Python data from the YAML node tree in one pass, recording each path's line.

    Scalars other than strings use the safe constructor's own functions; any other tag
    (``!!python/...``) raises ``ConstructorError``. Aliased nodes are built once and
    shared (no exponential "billion laughs" expansion); recursive aliases are refused.
    Duplicate mapping keys are collected as problems.
    """

    def __init__(self, loader: yaml.SafeLoader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[Parts, int] = {}
        self.dupes: list[Problem] = []
        self.done: dict[int, Any] = {}
        self.active: set[int] = set()

    def build(self, node: yaml.Node, parts: Parts) -> Any:
        self.lines.setdefault(parts, node.start_mark.line + 1)
        key = id(node)
        if key in self.done:
            return self.done[key]
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR:
                return node.value
            return self._construct(node)
        if key in self.active:
            raise yaml.constructor.ConstructorError(
                None, None, "found a recursive alias", node.start_mark)
        self.active.add(key)
        if isinstance(node, yaml.MappingNode):
            value: Any = self._mapping(node, parts)
        else:
            if node.tag != _SEQ:
                self._construct(node)  # raises for non-standard tags
            value = [self.build(item, (*parts, i)) for i, item in enumerate(node.value)]
        self.active.discard(key)
        self.done[key] = value
        return value

    def _construct(self, node: yaml.Node) -> Any:
        """Check the node's tag is a safe one; build it if it is a scalar."""
        fn = self.loader.yaml_constructors.get(node.tag)
        if fn is None:
            raise yaml.constructor.ConstructorError(
                None, None, f"could not determine a constructor for the tag {node.tag!r}",
                node.start_mark)
        return fn(self.loader, node) if isinstance(node, yaml.ScalarNode) else None

    def _mapping(self, node: yaml.MappingNode, parts: Parts) -> dict[Any, Any]:
        if node.tag != _MAP:
            self._construct(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:  # duplicates as written, before merging (<<)
            k = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if k in seen and key_node.tag != "tag:yaml.org,2002:merge":
                self.dupes.append(Problem(format_path([*parts, str(k)]), f"duplicate key {k!r}",
                                          key_node.start_mark.line + 1, self.source))
            seen.add(k)
        self.loader.flatten_mapping(node)  # YAML merge keys: later keys override
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            k = self.build(key_node, parts)
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "found a mapping key that is not a plain scalar",
                    key_node.start_mark)
            out[k] = self.build(value_node, (*parts, k))
            self.lines[(*parts, k)] = key_node.start_mark.line + 1
        return out


def _json_lines(text: str, source: str) -> tuple[dict[Parts, int], list[Problem]]:
    """Line of every field path of a JSON document and its duplicate keys, via the YAML
    parser (nothing if that fails)."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, []
        builder = _Builder(loader, source)
        builder.build(node, ())
        return builder.lines, builder.dupes
    except yaml.YAMLError:
        return {}, []
    finally:
        loader.dispose()


def _parse_json(text: str, source: str) -> tuple[Any, bool]:
    """The JSON document and whether any object in it repeats a key."""
    duplicated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        out = dict(items)
        duplicated = duplicated or len(out) != len(items)
        return out

    try:
        return (json.loads(text, object_pairs_hook=pairs) if text.strip() else None), duplicated
    except json.JSONDecodeError as exc:
        raise ScenarioError([Problem("", f"JSON syntax error: {exc.msg}", exc.lineno, source)],
                            source) from None
    except RecursionError:  # pragma: no cover - check_depth refuses deep text first
        raise ScenarioError([Problem("", f"nested more than {MAX_DEPTH} deep", None, source)],
                            source) from None


# ---------------------------------------------------------------------- pydantic errors
def _pydantic_problems(exc: ValidationError, data: Any) -> list[tuple[Parts, str]]:
    """One ``(path, message)`` per field; union branches are merged into one message."""
    merged: dict[Parts, list[str]] = {}
    tails: dict[Parts, str] = {}
    for err in exc.errors(include_url=False):
        parts = _data_parts(err["loc"], data, err["type"])
        msg, tail = _message(err, parts)
        bucket = merged.setdefault(parts, [])
        if msg not in bucket:
            bucket.append(msg)
        tails.setdefault(parts, tail)
    return [
        (parts, ", or ".join([msgs[0], *(m.removeprefix("Input should be ") for m in msgs[1:])])
         + tails[parts])
        for parts, msgs in merged.items()
    ]


def _data_parts(loc: Sequence[str | int], data: Any, kind: str) -> Parts:
    """Drop union-branch tags (``float``, ``literal[...]``) that are not keys of the data."""
    out: list[str | int] = []
    cur = data
    for k, part in enumerate(loc):
        if _has(cur, part):
            out.append(part)
            cur = cur[part]
        elif k == len(loc) - 1 and kind in ("missing", "extra_forbidden") and isinstance(
                cur, dict):
            out.append(part)
        else:
            cur = None  # a union tag, ``[key]``, or a part below a scalar: not a path part
    return tuple(out)


def _shown(got: Any) -> str:
    if isinstance(got, (str, int, float, bool)):
        return f"; got {got!r}"
    return f"; got {_kind(got)}" if got is not None else ""


def _message(err: dict[str, Any], parts: Parts) -> tuple[str, str]:
    """``(message, tail)``: the tail (value found, suggestion) is shown once per field."""
    kind, ctx, got = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "extra_forbidden":
        key = str(parts[-1]) if parts else "?"
        valid = sorted(_fields_at(parts[:-1]))
        listed = f" (valid keys: {', '.join(valid)})" if valid else ""
        return f"unknown key {key!r}{suggest(key, valid, cutoff=0.5)}{listed}", ""
    if kind == "missing":
        return (f"missing required field {parts[-1]!r}" if parts else "missing field"), ""
    if kind == "literal_error" and parts == ("format",):
        return f"unsupported format version {got!r}; this toolkit reads format: 1", ""
    if kind in ("greater_than_equal", "greater_than") and ctx.get("ge", ctx.get("gt")) == 0:
        zero = "" if kind == "greater_than_equal" else " or zero"
        return f"must not be negative{zero}", _shown(got)
    fix = _FIXES.get(kind)
    if fix is not None:
        return fix(got, ctx, parts), ""
    if kind in ("enum", "literal_error"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return str(err["msg"]), _shown(got) + suggest(got, options)
    return str(err["msg"]), _shown(got)


_SHAPES = {
    "Name": "a name as text (`name: Fosun Diagnostics`) or `{en: Fosun Diagnostics, zh: 复星诊断}`",
    "Needs": "a list of ids all needed (`needs: [fosun_cash, r_assay]`) or "
             "`{all_of: [fosun_cash], any_of: [[r_assay, r_panel]]}`",
    "Revenue": "a number, the expected annual revenue (`revenue: 6e7`), or "
               "`{expected: 6e7, distribution: lognormal, sd: 2e7}`",
}


def _got(got: Any) -> str:
    if isinstance(got, str):
        return f"text {got!r}"
    if isinstance(got, bool):
        return str(got).lower()
    if isinstance(got, (int, float)):
        return repr(got)
    return _kind(got)


def _model_fix(got: Any, ctx: dict[str, Any], parts: Parts) -> str:
    name = str(ctx.get("class_name", ""))
    shape = _SHAPES.get(name, f"a mapping of {name or 'its'} fields (key: value)")
    return f"expected {shape}; got {_got(got)}"


def _number_fix(got: Any, ctx: dict[str, Any], parts: Parts, whole: bool = False) -> str:
    what = "a whole number" if whole else "a number"
    if isinstance(got, str) and _numeric(got):
        return (f"expected {what}; got {_got(got)}: write the number without quotes "
                f"(e.g. {got.strip()})")
    if isinstance(got, bool):
        return f"expected {what}; got {_got(got)} (true/false are not numbers)"
    if whole and isinstance(got, float) and got.is_integer():
        return f"expected {what}; got {got!r}: write it without a fraction (e.g. {int(got)})"
    return f"expected {what}; got {_got(got)}"


def _numeric(text: str) -> bool:
    try:
        return math.isfinite(float(text.strip()))
    except ValueError:
        return False


def _string_fix(got: Any, ctx: dict[str, Any], parts: Parts) -> str:
    if isinstance(got, dict) and len(got) == 1:
        (key, value), = got.items()
        inner = value if key in ("id", "en") and isinstance(value, str) else key
        return (f"expected an id (text); got a mapping: write the id itself, "
                f"e.g. `{parts[-1] if parts and isinstance(parts[-1], str) else 'id'}: "
                f"{inner}`")
    return f"expected text; got {_got(got)}"


def _limit_fix(got: Any, ctx: dict[str, Any], parts: Parts) -> str:
    bound = ctx.get("le", ctx.get("lt"))
    shown = f"{bound:,.0f}" if isinstance(bound, (int, float)) and bound == int(bound) else bound
    where = " (the limits are listed in docs/scenario-format.md)" if bound and bound > 1 else ""
    return f"must be at most {shown}; got {_got(got)}{where}"


_FIXES = {
    "model_type": _model_fix,
    "dict_type": _model_fix,
    "float_type": _number_fix,
    "int_type": lambda g, c, p: _number_fix(g, c, p, whole=True),
    "int_from_float": lambda g, c, p: _number_fix(g, c, p, whole=True),
    "bool_type": lambda g, c, p: f"expected true or false; got {_got(g)}",
    "string_type": _string_fix,
    "less_than_equal": _limit_fix,
    "less_than": _limit_fix,
    "finite_number": lambda g, c, p: f"expected a finite number; got {_got(g)}",
    "too_long": lambda g, c, p: (f"at most {c.get('max_length', '?'):,} entries; got "
                                 f"{c.get('actual_length', '?'):,}"),
}


def _fields_at(parts: Parts) -> set[str]:
    """Valid keys of the model found at a field path (empty if not a model)."""
    model: Any = Agreement
    for part in parts:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return set()
        field = model.model_fields.get(str(part))
        if field is None:
            return set()
        model = _model_in(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return set(model.model_fields)
    return set()


def _model_in(annotation: Any) -> Any:
    """The first pydantic model class inside an annotation (``list[Member]`` -> Member)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------------- helpers
def parts_of(path: str) -> Parts:
    """Inverse of :func:`format_path` (ids never contain dots or brackets)."""
    out: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        out.append(int(index) if index else name)
    return tuple(out)


def _has(container: Any, part: str | int) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _line_of(parts: Parts, lines: dict[Parts, int]) -> int | None:
    for k in range(len(parts), -1, -1):
        if parts[:k] in lines:
            return lines[parts[:k]]
    return None


def _kind(x: Any) -> str:
    return {list: "a list", dict: "a mapping", str: "a string", type(None): "nothing"}.get(
        type(x), f"a {type(x).__name__}")
