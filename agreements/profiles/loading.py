"""Loading formation-rule profiles: bundled names, YAML files and mappings, validated.

Every problem of a profile is reported at once in a :class:`ProfileError`, each with its
field path and, for YAML files, its line.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from sharing_models.exceptions import InvalidInputError

from ..errors import AgreementError, Problem, ScenarioError
from ..scenario.limits import check_depth, read_text, text_problems
from ..scenario.loader import parse_yaml, parts_of
from ..scenario.validation import format_path, suggest
from .bundled import _profile_dir, available_profiles
from .rules import Profile, Rule

Parts = tuple[str | int, ...]


class ProfileError(AgreementError):
    """A profile is missing or malformed; ``problems`` lists every problem found.

    Each problem names its field path (``rules[2].min``) and, for YAML files, its line.
    """

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        name = source or "<mapping>"
        if len(self.problems) == 1 and not self.problems[0].path:
            super().__init__(f"profile {name}: {self.problems[0].message}")
            return
        count = f"{len(self.problems)} problem" + ("s" if len(self.problems) != 1 else "")
        items = "\n".join(f"  - {_where(p)}{p.message}" for p in self.problems)
        super().__init__(f"profile {name} is invalid ({count}):\n{items}")


def _where(problem: Problem) -> str:
    line = f"line {problem.line}: " if problem.line is not None else ""
    return f"{line}{problem.path}: " if problem.path else line


def _cross_problems(profile: Profile) -> list[Problem]:
    problems = []
    ids = [r.id for r in profile.rules]
    known_sources = {s.id for s in profile.sources}
    for i, rule in enumerate(profile.rules):
        if ids.index(rule.id) != i:
            first = ids.index(rule.id)
            problems.append(
                Problem(f"rules[{i}].id", f"duplicate rule id {rule.id!r} (first: rules[{first}])")
            )
        if rule.source is not None and rule.source not in known_sources:
            problems.append(
                Problem(
                    f"rules[{i}].source",
                    f"unknown source {rule.source!r}; expected one of {sorted(known_sources)}",
                )
            )
    return problems


def profile_from_mapping(
    data: Any, *, source: str = "<mapping>", lines: Mapping[Parts, int] | None = None
) -> Profile:
    """Validate a parsed profile mapping, reporting every problem at once.

    Parameters
    ----------
    data : mapping
        The profile as parsed from YAML.
    source : str
        Name used in messages (file name or bundled profile name).
    lines : mapping, optional
        Line of each field path, as built by :func:`load_profile` for YAML files.

    Raises
    ------
    ProfileError
        If the mapping is not a valid profile.
    """
    lines = lines or {}
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        raise ProfileError([Problem("", f"expected a mapping at top level, got {kind}")], source)
    text = [Problem(format_path(parts), msg) for parts, msg in text_problems(dict(data))]
    if text:
        raise ProfileError(_located(text, lines, source), source)
    try:
        profile = Profile.model_validate(dict(data))
    except ValidationError as exc:
        found = [_pydantic_problem(err, data) for err in exc.errors()]
        raise ProfileError(_located(found, lines, source), source) from None
    problems = _located(_cross_problems(profile), lines, source)
    if problems:
        raise ProfileError(problems, source)
    return profile


#: Rule name -> rule model, from the discriminated union.
_RULES: dict[str, type[BaseModel]] = {
    get_args(cls.model_fields["rule"].annotation)[0]: cls for cls in get_args(get_args(Rule)[0])
}


def _data_parts(loc: tuple[Any, ...], data: Any) -> Parts:
    """Field path of a pydantic error in the data: drops discriminator tags of ``loc``."""
    parts: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif not last or str(part) in _RULES:
            continue  # a discriminator tag, not a key of the data
        parts.append(part)
    return tuple(parts)


def _pydantic_problem(err: Any, data: Any) -> Problem:
    parts = _data_parts(err["loc"], data)
    message = err["msg"]
    if err["type"] == "union_tag_invalid":
        tag = err["ctx"]["tag"]
        hint = suggest(tag, sorted(_RULES)) or f"; expected one of {', '.join(sorted(_RULES))}"
        message = f"unknown rule {tag!r}{hint}"
    elif err["type"] == "union_tag_not_found":
        message = f"missing 'rule'; expected one of {', '.join(sorted(_RULES))}"
    elif err["type"] == "value_error":
        message = str(err["ctx"]["error"])
    elif err["type"] == "extra_forbidden":
        valid = _valid_keys(parts, data)
        message = f"unknown key {parts[-1]!r}{suggest(parts[-1], valid)}"
        message += f" (valid keys: {', '.join(valid)})" if valid else ""
    return Problem(format_path(parts), message)


def _valid_keys(parts: Parts, data: Any) -> list[str]:
    if len(parts) == 1:
        return sorted(Profile.model_fields)
    if len(parts) == 3 and parts[0] == "rules":
        tag = data["rules"][parts[1]].get("rule")
        if tag in _RULES:
            return sorted(_RULES[tag].model_fields)
    return []


def _located(problems: list[Problem], lines: Mapping[Parts, int], source: str) -> list[Problem]:
    out = []
    for p in problems:
        parts = parts_of(p.path)
        line = next(
            (lines[parts[:k]] for k in range(len(parts), 0, -1) if parts[:k] in lines), None
        )
        out.append(Problem(p.path, p.message, line=line, file=source))
    return out


def load_profile(name_or_path: str | Path | Profile | Mapping[str, Any]) -> Profile:
    """Load a formation-rule profile by bundled name, from a YAML file, or from a mapping.

    Parameters
    ----------
    name_or_path : str, pathlib.Path, Profile or mapping
        A bundled name (see :func:`available_profiles`), a path to a YAML file, an
        already loaded :class:`Profile` (returned as is) or a parsed mapping.

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        If no such profile exists, the YAML does not parse (only safe YAML is read), or
        the profile is malformed (unknown rule or key, missing text, bad filter value,
        duplicate rule id, unknown source); every problem is listed with its field path
        and line.
    InvalidInputError
        If ``name_or_path`` has another type.
    """
    if isinstance(name_or_path, Profile):
        return name_or_path
    if isinstance(name_or_path, Mapping):
        return profile_from_mapping(name_or_path)
    if not isinstance(name_or_path, str | Path):
        raise InvalidInputError(
            f"profile must be a name, a path or a mapping, got {type(name_or_path).__name__}"
        )
    path = Path(name_or_path)
    is_path = isinstance(name_or_path, Path) or path.suffix in {".yaml", ".yml"}
    if not is_path and name_or_path in available_profiles():
        return _bundled_profile(str(name_or_path))
    if path.is_file():
        try:
            text = read_text(path, "profile")
            check_depth(text, "yaml", str(path))
        except AgreementError as exc:
            raise ProfileError([Problem("", str(exc))], str(path)) from None
        return _parse_profile(text, str(path))
    message = (
        f"no profile named {str(name_or_path)!r} and no such file; "
        f"bundled profiles: {', '.join(available_profiles())}"
    )
    raise ProfileError([Problem("", message)], str(name_or_path))


@functools.cache
def _bundled_profile(name: str) -> Profile:
    """A bundled profile, parsed once (profiles are immutable)."""
    text = _profile_dir().joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return _parse_profile(text, name)


def _parse_profile(text: str, label: str) -> Profile:
    try:
        data, lines, duplicates = parse_yaml(text, label)
    except ScenarioError as exc:
        raise ProfileError([Problem(p.path, f"not valid YAML: {p.message}", p.line)
                            for p in exc.problems], label) from None
    if duplicates:
        raise ProfileError(duplicates, label)
    return profile_from_mapping(data, source=label, lines=lines)
