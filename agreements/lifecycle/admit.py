r"""Admission of a new member: its share under the agreed rule and the admission price.

With incumbents' amounts :math:`x_i` before and :math:`y_i` after admission (the
agreed rule on the enlarged agreement's game), the admission price is the least
payment from the newcomer :math:`k` that leaves no incumbent worse off,

.. math::

    P_{\min} = \sum_{i \ne k} \max(0,\; x_i - y_i), \qquad
    p_i = \max(0,\; x_i - y_i),

split so that incumbent :math:`i` gets :math:`p_i` (then :math:`y_i + p_i \ge x_i`
for all :math:`i`), and the newcomer will pay at most
:math:`P_{\max} = y_k - o_k`, its amount after admission less its outside option.
A price works when :math:`P_{\min} \le P_{\max}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import AgreementError, Problem, ScenarioError
from ..scenario.loader import agreement_from_mapping, parse_yaml, parts_of
from ..scenario.model import Agreement
from ..sharing.display import exact as fraction
from ..sharing.display import format_fixed
from ..sharing.rules import EXACT_MEMBERS, agreed_rule
from .amounts import amounts

__all__ = ["Admission", "admit", "read_newcomer"]

#: Keys of a newcomer fragment: the member, and what it adds to the agreement.
FRAGMENT_KEYS = ("member", "contributions", "tasks", "results", "products", "fixed_share")
_LISTS = ("contributions", "tasks", "results", "products")


@dataclass(frozen=True)
class Admission:
    """An admission: ``table`` indexed by member (incumbents, then the newcomer) with
    ``before``, ``after`` (the rule's amount after admission), ``price_part``
    (incumbents: what they receive of the price; newcomer: minus the price) and
    ``after_with_price``; ``price`` (:math:`P_{\\min}`), ``max_price``
    (:math:`P_{\\max}`), ``feasible``, ``why`` (when no price works), ``newcomer``,
    ``rule`` and ``agreement`` (the enlarged agreement)."""

    table: pd.DataFrame
    price: Any
    max_price: Any
    feasible: bool
    why: str
    newcomer: str
    rule: str
    agreement: Agreement


def _translate(path: str, counts: dict[str, int], n_members: int) -> str | None:
    """A path of the merged agreement as a path of the fragment (None: not in it)."""
    m = re.match(r"^members\[(\d+)\](.*)$", path)
    if m:
        return f"member{m.group(2)}" if int(m.group(1)) >= n_members else None
    for key in _LISTS:
        m = re.match(rf"^{key}\[(\d+)\](.*)$", path)
        if m:
            k = int(m.group(1)) - counts[key]
            return f"{key}[{k}]{m.group(2)}" if k >= 0 else None
    return None


def read_newcomer(agreement: Agreement, fragment: str | PathLike[str] | dict[str, Any],
                  source: str | None = None) -> tuple[Agreement, str]:
    """The agreement enlarged by a newcomer fragment, validated like a scenario file.

    A fragment holds ``member`` (one member, as under ``members:`` of a scenario) and
    optionally ``contributions``, ``tasks``, ``results`` and ``products`` to add and,
    for agreements with fixed shares, ``fixed_share`` (the newcomer's percent; the
    incumbents' shares shrink in proportion).

    Returns
    -------
    (Agreement, str)
        The enlarged agreement (same model class) and the newcomer's id.

    Raises
    ------
    ScenarioError
        Every problem, named by the fragment's file, field path and line: unknown
        keys, an id already used in the agreement, references to unknown ids, field
        errors.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> b, new = read_newcomer(a, {"member": {"id": "lab", "name": {"en": "Lab"},
    ...                                       "kind": "enterprise"}})
    >>> new, b.member_ids[-1], len(b.members)
    ('lab', 'lab', 5)
    >>> read_newcomer(a, {"member": {"id": "shu", "name": {"en": "X"}, "kind": "enterprise"}})
    Traceback (most recent call last):
    ...
    agreements.errors.ScenarioError: <newcomer> is invalid (1 problem):
      - <newcomer>: member.id: member id 'shu' already exists in the agreement
    """
    lines: dict[tuple[str | int, ...], int] = {}
    if isinstance(fragment, str | PathLike):
        path = Path(fragment)
        name = source or str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AgreementError(f"{name}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise AgreementError(f"{name}: cannot read the file ({exc})") from None
        data, lines, dupes = parse_yaml(text, name)
        if dupes:
            raise ScenarioError(dupes, name)
    else:
        name, data = source or "<newcomer>", fragment

    def problem(path: str, msg: str) -> Problem:
        parts = parts_of(path)
        line = next((lines[parts[:k]] for k in range(len(parts), -1, -1)
                     if parts[:k] in lines), None)
        return Problem(path, msg, line, name)

    if not isinstance(data, dict):
        raise ScenarioError([problem("", "expected a mapping with 'member' and optionally "
                                     + ", ".join(FRAGMENT_KEYS[1:]))], name)
    problems = [problem(str(k), f"unknown key {k!r}; a newcomer fragment has "
                        + ", ".join(FRAGMENT_KEYS)) for k in data if k not in FRAGMENT_KEYS]
    member = data.get("member")
    if not isinstance(member, dict):
        problems.append(problem("member", "missing or not a mapping: the new member "
                                "(id, name, kind, ...)"))
    elif member.get("id") in agreement.member_ids:
        problems.append(problem("member.id", f"member id {member['id']!r} already exists "
                                "in the agreement"))
    for key in _LISTS:
        if key in data and not isinstance(data[key], list):
            problems.append(problem(key, "expected a list"))
    share = data.get("fixed_share")
    if share is not None and (isinstance(share, bool) or not isinstance(share, int | float)
                              or not 0 <= share < 100):
        problems.append(problem("fixed_share", f"expected a percent from 0 to below 100; "
                                f"got {share!r}"))
    if problems:
        raise ScenarioError(problems, name)
    merged = agreement.model_dump(mode="json", exclude_unset=True)
    counts = {key: len(merged.get(key, [])) for key in _LISTS}
    merged["members"] = [*merged["members"], member]
    for key in _LISTS:
        if data.get(key):
            merged[key] = [*merged.get(key, []), *data[key]]
    if share is not None and agreement.sharing.fixed_shares:
        scale = (100 - fraction(share)) / 100
        fixed = {m: float(fraction(v) * scale) for m, v in agreement.sharing.fixed_shares.items()}
        fixed[member["id"]] = float(share)
        merged.setdefault("sharing", {})["fixed_shares"] = fixed
    try:
        enlarged = agreement_from_mapping(merged, source=name, model=type(agreement))
    except ScenarioError as exc:
        out = []
        for p in exc.problems:
            where = _translate(p.path, counts, len(agreement.members))
            out.append(problem(where, p.message) if where is not None
                       else Problem(p.path, p.message + " (in the enlarged agreement)",
                                    None, name))
        raise ScenarioError(out, name) from None
    return enlarged, str(member["id"])


def _name(newcomer: Any) -> str:
    return str(newcomer) if isinstance(newcomer, str | PathLike) else "<newcomer>"


def admit(agreement: Agreement, newcomer: Any, *, rule: str | None = None,
          exact: bool | None = None) -> Admission:
    r"""Admit a new member: shares before and after, and the admission price.

    .. math::

        P_{\min} = \sum_{i \in N} \max(0, x_i - y_i) \;\le\;
        P_{\max} = y_k - o_k

    (see the module docstring).

    Parameters
    ----------
    agreement : Agreement
    newcomer : path, mapping or (Agreement, str)
        A newcomer fragment (:func:`read_newcomer`), or an enlarged agreement with the
        newcomer's id.
    rule : str, optional
        Default the agreed rule, else ``shapley``.
    exact : bool, optional
        Default: exact when the enlarged agreement has at most
        :data:`~agreements.sharing.EXACT_MEMBERS` members (both games alike).

    Returns
    -------
    Admission

    Raises
    ------
    ScenarioError
        A bad fragment (see :func:`read_newcomer`).

    Notes
    -----
    Two games (:math:`O(2^n)` and :math:`O(2^{n+1})`) and the rule on each. A
    newcomer who brings nothing is a null player of the enlarged game, so rules that
    give null players nothing (Shapley [Shapley1953]_, Banzhaf, Owen, proportional,
    fixed) give it a zero share and a zero price. The price compensates incumbents
    for what they lose, the accession settlement a model consortium agreement leaves
    to the parties [DESCA2021]_.

    Examples
    --------
    A laboratory that brings nothing gets nothing and pays nothing:

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> adm = admit(a, {"member": {"id": "lab", "name": {"en": "Lab"}, "kind": "hospital"}},
    ...             rule="shapley")
    >>> adm.price, adm.table.loc["lab", "after"], adm.feasible
    (Fraction(0, 1), Fraction(0, 1), True)
    """
    if isinstance(newcomer, tuple):
        enlarged, new = newcomer
    else:
        enlarged, new = read_newcomer(agreement, newcomer)
    rule = rule or agreed_rule(agreement) or "shapley"
    ex = (len(enlarged.members) <= EXACT_MEMBERS) if exact is None else bool(exact)
    num = fraction if ex else float
    before = amounts(agreement, rule, ex)["amount"].map(num)
    try:
        after = amounts(enlarged, rule, ex)["amount"].map(num)
    except ScenarioError as exc:  # e.g. a tier or fee the newcomer lacks the data for
        n, name = len(agreement.members), _name(newcomer)
        counts = dict.fromkeys(_LISTS, 10**9)  # only the member's own fields translate
        raise ScenarioError([Problem(_translate(p.path, counts, n) or p.path, p.message,
                                     None, name) for p in exc.problems], name) from None
    zero = num(0)
    noise = 0.0 if ex else 1e-9 * max(1.0, abs(float(sum(before.tolist(), zero))))
    parts = {m: (lambda d: d if d > noise else zero)(before[m] - after[m])
             for m in agreement.member_ids}
    price = sum(parts.values(), zero)
    outside = num(enlarged.member(new).outside_option)
    max_price = after[new] - outside
    feasible = price <= max_price
    cur = agreement.currency
    if feasible:
        why = ""
    elif price == 0:
        why = (f"no price works: under rule {rule!r} the newcomer would get "
               f"{format_fixed(after[new])} {cur}, less than its outside option "
               f"{format_fixed(outside)} {cur}, so it would rather stay out")
    else:
        why = (f"no price works: the incumbents lose {format_fixed(price)} {cur} in total "
               f"under rule {rule!r}, but the newcomer gains only "
               f"{format_fixed(max_price)} {cur} over its outside option: admitting it "
               "costs the incumbents more than it is worth to the newcomer")
    ids = enlarged.member_ids
    table = pd.DataFrame({
        "before": [before[m] if m != new else None for m in ids],
        "after": [after[m] for m in ids],
        "price_part": [parts[m] if m != new else -price for m in ids],
    }, index=pd.Index(ids, name="member"), dtype=object)
    table["after_with_price"] = [after[m] + (parts[m] if m != new else -price) for m in ids]
    table.attrs.update(rule=rule, currency=agreement.currency, exact=ex,
                       before_value=sum(before.tolist(), zero),
                       after_value=sum(after.tolist(), zero))
    return Admission(table, price, max_price, bool(feasible), why, new, rule, enlarged)
