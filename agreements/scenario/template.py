"""A commented starting scenario for a new consortium (``consortium init``).

The text lives in the package data file ``agreements/data/scenario_template.yaml.j2``
(a Jinja2 template of commented YAML); this module fills in the members and their
contributions and checks that the result loads.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from ..errors import AgreementError

__all__ = ["MAX_MEMBERS", "MIN_MEMBERS", "starter_scenario"]

#: Fewest members of a starting scenario (a lead and one partner).
MIN_MEMBERS = 2
#: Most members of a starting scenario; larger consortia copy a member block by hand.
MAX_MEMBERS = 12

_ORDINALS_ZH = "甲乙丙丁戊己庚辛壬癸"


def _members(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Placeholder members (a lead company, a university, partner companies) and what
    each brings."""
    members = [
        {"id": "lead_co", "en": "Lead Company", "zh": "牵头企业", "kind": "lead_enterprise",
         "layer": "lead", "outside_option": "5.0e6", "risk_tolerance": "1.0e8"},
        {"id": "university", "en": "Partner University", "zh": "合作大学",
         "kind": "university", "layer": "close", "outside_option": "1.0e6",
         "risk_tolerance": "1.0e7"},
    ]
    contributions = [
        {"id": "lead_cash", "member": "lead_co", "kind": "cash", "valuation": "2.0e7",
         "cost": "2.0e7"},
        {"id": "university_team", "member": "university", "kind": "staff",
         "valuation": "1.0e7", "cost": "6.0e6"},
    ]
    for k in range(3, n + 1):
        zh = _ORDINALS_ZH[k - 3] if k - 3 < len(_ORDINALS_ZH) else str(k - 2)
        members.append({"id": f"partner_{k - 2}", "en": f"Partner Company {k - 2}",
                        "zh": f"合作企业{zh}", "kind": "enterprise", "layer": "general",
                        "outside_option": "1.0e6", "risk_tolerance": "3.0e7"})
        contributions.append({"id": f"partner_{k - 2}_equipment", "member": f"partner_{k - 2}",
                              "kind": "equipment", "valuation": "5.0e6", "cost": "3.0e6",
                              "substitute_price": "8.0e6"})
    return members, contributions


def starter_scenario(members: int = 3, filename: str = "scenario.yaml",
                     date: dt.date | None = None) -> str:
    """The text of a commented, valid starting scenario with ``members`` members.

    Bilingual (English and Chinese) placeholder names, one contribution per member, one
    task, one result, one product and a sharing rule; every field a user will want to
    change carries a comment. The text loads without problems and without warnings
    (:func:`agreements.scenario.validation.scenario_warnings`).

    Parameters
    ----------
    members : int, default 3
        Number of members, from :data:`MIN_MEMBERS` to :data:`MAX_MEMBERS`: a lead
        company, a university and ``members - 2`` partner companies.
    filename : str, default "scenario.yaml"
        Name the comments use in the commands they suggest.
    date : datetime.date, optional
        The agreement's date (default: today).

    Returns
    -------
    str
        YAML text (``format: 1``).

    Raises
    ------
    AgreementError
        ``members`` is out of range.

    Notes
    -----
    The template is the package data file ``agreements/data/scenario_template.yaml.j2``.

    Examples
    --------
    >>> from agreements import loads
    >>> text = starter_scenario(4, date=dt.date(2026, 1, 1))
    >>> a = loads(text)
    >>> a.member_ids, a.name.zh
    (['lead_co', 'university', 'partner_1', 'partner_2'], '我的创新联合体')
    """
    import jinja2

    if isinstance(members, bool) or not isinstance(members, int) or not (
            MIN_MEMBERS <= members <= MAX_MEMBERS):
        raise AgreementError(f"a starting scenario has {MIN_MEMBERS} to {MAX_MEMBERS} members, "
                             f"not {members!r}; for more, copy a member block by hand")
    people, brought = _members(members)
    base, extra = divmod(100, members)
    fixed = ", ".join(f"{m['id']}: {base + (extra if i == 0 else 0)}"
                      for i, m in enumerate(people))
    source = resources.files("agreements").joinpath("data", "scenario_template.yaml.j2")
    # YAML, not HTML: nothing to escape; the values are this module's own constants.
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    template = env.from_string(source.read_text(encoding="utf-8"))
    return template.render(members=people, contributions=brought, fixed_shares=fixed,
                           filename=filename, date=(date or dt.date.today()).isoformat())
