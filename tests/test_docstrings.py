"""Every name in the API reference has the numpydoc shape (issue 12).

Runs numpydoc's validator with the checks the Sphinx build applies
(``numpydoc_validation_checks`` in ``docs/conf.py``) on every entry of
``docs/api/index.rst`` and on the public methods and properties of the classes there, so
a docstring that would break ``make docs`` fails here first, in seconds.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

validate = pytest.importorskip("numpydoc.validate")

ROOT = Path(__file__).resolve().parent.parent
INDEX = ROOT / "docs" / "api" / "index.rst"


def _checks() -> set[str]:
    text = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    found = re.search(r"numpydoc_validation_checks = \{([^}]*)\}", text)
    assert found, "docs/conf.py sets numpydoc_validation_checks"
    return set(re.findall(r'"([A-Z]{2}\d\d)"', found.group(1)))


def _names() -> list[str]:
    """Dotted names of the reference's entries, plus public members of its classes."""
    names: list[str] = []
    module = "sharing_models"
    in_summary = False
    for line in INDEX.read_text(encoding="utf-8").splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::", 1)[1].strip()
        elif line.startswith(".. autosummary::"):
            in_summary = True
        elif in_summary and line.startswith("   ") and not line.strip().startswith(":"):
            if line.strip():
                names.append(f"{module}.{line.strip()}")
        elif line.strip() and not line.startswith(" "):
            in_summary = False
    out = list(names)
    for name in names:
        obj = _resolve(name)
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and (inspect.isfunction(member) or isinstance(
                        member, (property, classmethod, staticmethod))):
                    out.append(f"{name}.{attr}")
            for base in obj.__mro__[1:]:
                if base.__module__.startswith("sharing_models"):
                    out += [f"{name}.{a}" for a, m in vars(base).items()
                            if not a.startswith("_") and (inspect.isfunction(m) or isinstance(
                                m, (property, classmethod, staticmethod)))]
    return sorted(set(out))


def _resolve(name: str) -> object:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


NAMES = _names()


def test_the_reference_lists_the_engine():
    assert len(NAMES) > 50
    assert "sharing_models.shapley" in NAMES and "sharing_models.Game.value" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_numpydoc_shape(name: str) -> None:
    report = validate.validate(name)
    errors = [f"{code}: {msg}" for code, msg in report["errors"] if code in _checks()]
    assert not errors, f"{name}: " + "; ".join(errors)
