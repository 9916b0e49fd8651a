"""The sweep specification file (``consortium sweep SPEC.yaml``) as a strict model.

Every key, type and ceiling of ``docs/sweeps.md`` is checked here, before anything runs:
numbers are numbers (``"0.3"`` and ``true`` are refused), ``workers`` is at least 1, the
grid and random sample together have at most :data:`MAX_POINTS` points, ``draws`` at most
:data:`MAX_DRAWS`, and every scenario file is a relative path to a ``.yaml``, ``.yml`` or
``.json`` file inside the spec's folder or its parent folder (so a spec received from
someone else cannot make the toolkit read files elsewhere on the machine).
"""

from __future__ import annotations

import math
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from pydantic import Field, StrictFloat, StrictInt, ValidationError, field_validator

from ..errors import AgreementError, Problem, ScenarioError
from .base import StrictModel
from .limits import check_depth, problem_list, read_text, text_problems

__all__ = ["MAX_DRAWS", "MAX_POINTS", "MAX_WORKERS", "SweepFile", "read_sweep_spec"]

#: Most Monte Carlo draws per point of a sweep (and of ``simulate``/``formation``).
MAX_DRAWS = 1_000_000
#: Most points (grid combinations plus random points) of one sweep.
MAX_POINTS = 100_000
#: Most workers of a local cluster.
MAX_WORKERS = 256
#: Most synthetic consortia of one sweep.
MAX_SYNTHETIC = 10_000

Number = Annotated[StrictFloat | StrictInt, Field(allow_inf_nan=False)]
Axis = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class Range(StrictModel):
    """A uniform random axis: ``{low, high}`` (integers when both are integers)."""

    low: Number
    high: Number

    @field_validator("high")
    @classmethod
    def _ordered(cls, v: float, info: Any) -> float:
        low = info.data.get("low")
        if low is not None and v < low:
            raise ValueError(f"high ({v}) must be at least low ({low})")
        return v


class Choices(StrictModel):
    """A random axis drawn from a list: ``{choices: [...]}``."""

    choices: Annotated[list[Number], Field(min_length=1, max_length=10_000)]


class RandomSample(StrictModel):
    """``random``: ``n`` points, their ``seed`` and the ``axes``."""

    n: Annotated[StrictInt, Field(ge=1, le=MAX_POINTS)] = 10
    seed: Annotated[StrictInt, Field(ge=0)] | None = None
    axes: dict[Axis, Range | Choices] = Field(default_factory=dict)


class SweepFile(StrictModel):
    """The keys of a sweep specification (see ``docs/sweeps.md``)."""

    scenarios: Annotated[list[Annotated[str, Field(min_length=1, max_length=1000)]],
                         Field(max_length=1000)] = Field(default_factory=list)
    synthetic: dict[Axis, Any] | None = None
    methods: Annotated[list[Axis], Field(min_length=1, max_length=20)] | None = None
    draws: Annotated[StrictInt, Field(ge=1, le=MAX_DRAWS)] = 2000
    seed: Annotated[StrictInt, Field(ge=0)] = 0
    workers: Annotated[StrictInt, Field(ge=1, le=MAX_WORKERS)] = 2
    grid: dict[Axis, Annotated[list[Number], Field(min_length=1, max_length=10_000)]] | None = None
    random: RandomSample | None = None

    @field_validator("scenarios")
    @classmethod
    def _relative(cls, paths: list[str]) -> list[str]:
        for rel in paths:
            p = PurePosixPath(rel.replace("\\", "/"))
            if p.is_absolute() or (rel[1:3] == ":/" or rel[1:3] == ":\\"):
                raise ValueError(f"{rel!r}: scenario files are given relative to the spec's "
                                 "folder, not as absolute paths")
            if p.suffix.lower() not in (".yaml", ".yml", ".json"):
                raise ValueError(f"{rel!r}: a scenario file ends in .yaml, .yml or .json")
        return paths

    @property
    def n_points(self) -> int:
        """Grid combinations plus random points (1 with neither)."""
        combos = math.prod(len(v) for v in self.grid.values()) if self.grid else 0
        total = combos + (self.random.n if self.random else 0)
        return total or 1


def read_sweep_spec(path: str | Path) -> SweepFile:
    """Read and check a sweep specification file.

    Raises
    ------
    ScenarioError
        Every problem of the file, with field path and line, and the ceilings exceeded
        (points, draws, workers) with what to do instead.
    AgreementError
        The file cannot be read (missing, not a regular file, too large, not UTF-8,
        nested too deep).
    """
    from .loader import parse_yaml  # the one YAML reader

    p = Path(path)
    source = str(p)
    text = read_text(p, "sweep specification")
    check_depth(text, "yaml", source)
    data, lines, dupes = parse_yaml(text, source)
    if dupes:
        raise ScenarioError(dupes, source)
    if not isinstance(data, dict):
        raise ScenarioError([Problem("", "a sweep specification is a mapping with scenarios "
                                     "and/or synthetic, grid, random, ... (docs/sweeps.md)",
                                     1, source)], source)
    problems = problem_list(text_problems(data), source, lines)
    if not data.get("scenarios") and not data.get("synthetic"):
        problems.append(Problem("", "give 'scenarios' (files) and/or 'synthetic' "
                                "(generated consortia)", 1, source))
    spec = None
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        ranged = {err["loc"][2] for err in errors if err["type"] == "value_error"
                  and len(err["loc"]) > 2 and tuple(err["loc"][:2]) == ("random", "axes")}
        for err in errors:
            parts = tuple(x for x in err["loc"] if not (isinstance(x, str) and (
                x in ("Range", "Choices") or x.startswith(("float", "int", "constrained")))))
            msg = err["msg"].removeprefix("Value error, ")
            got = err.get("input")
            if isinstance(got, (str, int, float, bool)) and err["type"] != "extra_forbidden":
                msg += f"; got {got!r}"
            if parts[:2] == ("random", "axes") and len(parts) >= 3 and parts[2] in ranged:
                if err["type"] != "value_error":
                    continue  # the other branch of the union: the range's own error says it
            elif parts[:2] == ("random", "axes") and len(parts) >= 3:
                parts = parts[:3]
                msg = (f"random axis {parts[2]!r} needs low/high or choices, e.g. "
                       "{low: 0.0, high: 0.6} or {choices: [0.0, 0.1]}")
                if any(p.path == f"random.axes.{parts[2]}" for p in problems):
                    continue
            if err["type"] == "extra_forbidden":
                msg = (f"unknown key {parts[-1]!r} (known: "
                       f"{', '.join(sorted(SweepFile.model_fields))})")
            problems += problem_list([(parts, msg)], source, lines)
    if spec is not None:
        if spec.n_points > MAX_POINTS:
            problems.append(Problem("grid", f"{spec.n_points:,} points; a sweep runs at most "
                                    f"{MAX_POINTS:,}: use fewer grid values, or a random "
                                    "sample (random.n) over the same ranges",
                                    lines.get(("grid",)), source))
        for i, rel in enumerate(spec.scenarios):
            try:
                resolve_scenario(p, rel)
            except AgreementError as exc:
                problems.append(Problem(f"scenarios[{i}]", str(exc),
                                        lines.get(("scenarios", i)), source))
    if problems:
        raise ScenarioError(problems, source)
    assert spec is not None
    return spec


def resolve_scenario(spec_path: Path, rel: str) -> Path:
    """The scenario file ``rel`` names, relative to the spec, checked to lie inside the
    spec's folder or its parent folder.

    >>> resolve_scenario(Path("scenarios/sweeps/levers_demo.yaml"),
    ...                  "../baoshan_medical_devices.yaml").name
    'baoshan_medical_devices.yaml'
    >>> resolve_scenario(Path("scenarios/sweeps/levers_demo.yaml"), "../../../etc/x.yaml")
    Traceback (most recent call last):
    agreements.errors.AgreementError: '../../../etc/x.yaml' lies outside ...
    """
    folder = spec_path.resolve().parent
    target = (folder / rel).resolve()
    allowed = folder.parent
    if not target.is_relative_to(allowed):
        raise AgreementError(f"{rel!r} lies outside the spec's folder and its parent "
                             f"({allowed}); copy the scenario next to the spec")
    return target
