"""Formation-rule profiles: consortium formation rules as data, checked against an agreement.

A profile is a YAML file (``agreements/profiles/<name>.yaml``, or any path) listing
rules in a small declarative vocabulary, each with an id, its text in English and
Chinese, and the source it comes from::

    - {id: universities, rule: min_members, where: {kind: [university, research_institute]},
       min: 2, text: {en: ..., zh: ...}, source: qingdao2025}

Vocabulary (``where`` filters members on ``kind``, ``layer``, ``region``, ``country``,
``registered_in``, ``independent`` and ``tier``; a list means "any of"; strings compare
case-insensitively):

============================  =============================================================
``min_members``               at least ``min`` members match ``where``
``max_members``               at most ``max`` members match ``where``
``exists``                    some member matches ``where``
``all_members``               every member matches ``where``
``min_distinct``              members matching ``where`` take >= ``min`` distinct values of
                              ``field`` (counting only values in ``among``, if given)
``single_lead``               exactly one lead unit, and it matches ``where``
``lead_registered_in``        the lead unit is registered in ``value``
``max_term_years``            the agreement's term is stated and at most ``max`` years
``every_member_has_task``     each member leads or joins a task (or brings a contribution)
``every_result_has_owner``    each result has an owner (explicit, or by its ownership rule)
``sharing_rule_present``      a revenue-sharing method is agreed, with its parameters
``ip_rules_present``          every result states its ownership rule explicitly
``every_task_has_milestone``  every task states a milestone and a duration
``field_present``             a top-level section (``term_years``, ``default``, ...) is set
============================  =============================================================

The lead unit is the member in layer ``lead``; if no member is, the members of kind
``lead_enterprise``.

Examples
--------
>>> from agreements.profiles import available_profiles, load_profile
>>> available_profiles()
['baoshan', 'eu_eit_kic', 'generic_formation', 'qingdao', 'yrd_joint_research']
>>> load_profile("qingdao").rules[0].id
'lead_unit'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .bundled import available_profiles

if TYPE_CHECKING:
    from .checking import check
    from .loading import ProfileError, load_profile, profile_from_mapping
    from .rules import Profile

#: Names imported on first use (PEP 562), so that listing the bundled profiles for
#: ``consortium --help`` loads neither pydantic nor pandas.
_LAZY = {"check": ".checking", "ProfileError": ".loading", "load_profile": ".loading",
         "profile_from_mapping": ".loading", "Profile": ".rules"}

__all__ = [
    "Profile",
    "ProfileError",
    "available_profiles",
    "check",
    "load_profile",
    "profile_from_mapping",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first access (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
