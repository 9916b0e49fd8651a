"""The profiles bundled with the package, listed without loading them.

Kept apart from :mod:`.loading` (which needs pydantic) so that ``consortium --help`` can
name the bundled profiles cheaply.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

__all__ = ["available_profiles"]


def _profile_dir() -> Any:
    """The bundled YAML profiles: data files of this package (``agreements/profiles/``)."""
    return resources.files("agreements.profiles")


@functools.cache
def _available() -> tuple[str, ...]:
    names = (p.name for p in _profile_dir().iterdir() if p.name.endswith(".yaml"))
    return tuple(sorted(name.removesuffix(".yaml") for name in names))


def available_profiles() -> list[str]:
    """Names of the profiles bundled with the package, sorted.

    Returns
    -------
    list of str
        Names accepted by :func:`load_profile` and ``consortium check --profile``.
    """
    return list(_available())
