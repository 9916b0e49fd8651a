"""Errors raised by :mod:`agreements`; all subclass the project's ``ConsortiumError``."""

from __future__ import annotations

from dataclasses import dataclass

from sharing_models.exceptions import ConsortiumError

__all__ = ["AgreementError", "Problem", "ScenarioError"]


class AgreementError(ConsortiumError):
    """Base class of errors about agreements and scenario files."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a scenario: where (file, field path, line) and what."""

    path: str
    message: str
    line: int | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.path or '<root>'}: {self.message}"


class ScenarioError(AgreementError):
    """A scenario file (or mapping) is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        head = f"{source or 'scenario'} is invalid ({len(self.problems)} problem"
        head += "s)" if len(self.problems) != 1 else ")"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))
