"""Cross-reference checks of a scenario, run on the raw parsed data.

The pydantic model (:mod:`agreements.scenario.model`) checks each field on its own; the checks
here look across fields: ids that name nothing, ids used twice, cycles among tasks,
needs that nothing provides, a result produced by two tasks, fixed shares that do not
sum to 100%. They read the *raw* mapping (as parsed from YAML/JSON), skipping whatever
is malformed, so they run, and report, even when some fields fail pydantic validation:
:func:`agreements.load` reports both kinds of problem in one pass.

Paths are written as in the file: ``members[2].id``, ``tasks[0].needs.any_of[1][0]``,
``sharing.fixed_shares.fosun_dx``.
"""

from __future__ import annotations

import difflib
import graphlib
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..errors import Problem

__all__ = [
    "check_references", "format_path", "missing_chinese_names", "scenario_warnings", "suggest",
]

#: Sections whose ids share one namespace (a need may name any of them).
ENTITY_SECTIONS = ("contributions", "tasks", "results", "products")
#: Tolerance on "fixed shares sum to 100".
SHARE_TOLERANCE = 1e-9


def format_path(parts: Sequence[str | int]) -> str:
    """Dotted/indexed field path.

    >>> format_path(["members", 2, "kind"])
    'members[2].kind'
    >>> format_path(["tasks", 0, "needs", "any_of", 1, 0])
    'tasks[0].needs.any_of[1][0]'
    """
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


def suggest(word: Any, valid: Sequence[str], what: str = "", cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the closest valid word, or ``""``.

    >>> suggest("memebrs", ["members", "tasks"])
    "; did you mean 'members'?"
    """
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(v) for v in valid], n=1, cutoff=cutoff)
    return f"; did you mean {what}{close[0]!r}?" if close else ""


def _entries(data: dict[str, Any], section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(index, entry)`` for every mapping entry of a list section; skips the rest."""
    seq = data.get(section)
    if isinstance(seq, list):
        for i, entry in enumerate(seq):
            if isinstance(entry, dict):
                yield i, entry


def _id_list(value: Any) -> list[tuple[int, str]]:
    """``(index, id)`` for the string items of a list; anything else yields nothing."""
    if not isinstance(value, list):
        return []
    return [(j, x) for j, x in enumerate(value) if isinstance(x, str)]


def _known_list(ids: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f", ... ({len(ids)} in all)" if len(ids) > limit else "")


class _Checker:
    """Collects problems; one method per kind of check."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[Problem] = []
        self.members: list[str] = []
        self.first: dict[str, str] = {}  # entity id -> path of its first definition
        self.kind: dict[str, str] = {}  # entity id -> section
        self.producer: dict[str, str] = {}  # result id -> task id

    def add(self, parts: Sequence[str | int], message: str) -> None:
        self.problems.append(Problem(format_path(parts), message))

    def run(self) -> list[Problem]:
        self.check_ids()
        self.check_member_refs()
        self.check_produces()
        self.check_needs()
        self.check_cycles()
        self.check_shares()
        return self.problems

    # ---------------------------------------------------------------- ids
    def check_ids(self) -> None:
        seen: dict[str, int] = {}
        for i, m in _entries(self.data, "members"):
            mid = m.get("id")
            if not isinstance(mid, str):
                continue
            if mid in seen:
                self.add(["members", i, "id"],
                         f"duplicate member id {mid!r} (first used by members[{seen[mid]}])")
            else:
                seen[mid] = i
                self.members.append(mid)
        for section in ENTITY_SECTIONS:
            for i, e in _entries(self.data, section):
                eid = e.get("id")
                if not isinstance(eid, str):
                    continue
                here = format_path([section, i])
                if eid in self.first:
                    self.add([section, i, "id"],
                             f"duplicate id {eid!r} (first used by {self.first[eid]}); "
                             "contributions, tasks, results and products share one namespace")
                    continue
                if eid in seen:
                    self.add([section, i, "id"],
                             f"id {eid!r} is also a member id (members[{seen[eid]}]); "
                             "use distinct ids for members and for what they bring or make")
                self.first[eid] = here
                self.kind[eid] = section

    # ---------------------------------------------------------------- member references
    def member_ref(self, parts: Sequence[str | int], mid: Any) -> None:
        if isinstance(mid, str) and self.members and mid not in self.members:
            self.add(parts, f"unknown member {mid!r}{suggest(mid, self.members)} "
                            f"(members: {_known_list(self.members)})")

    def check_member_refs(self) -> None:
        for i, c in _entries(self.data, "contributions"):
            self.member_ref(["contributions", i, "member"], c.get("member"))
        for i, t in _entries(self.data, "tasks"):
            self.member_ref(["tasks", i, "lead"], t.get("lead"))
            for j, mid in _id_list(t.get("members")):
                self.member_ref(["tasks", i, "members", j], mid)
        for i, r in _entries(self.data, "results"):
            for j, mid in _id_list(r.get("owners")):
                self.member_ref(["results", i, "owners", j], mid)
        for section, key in (("sharing", "fixed_shares"), ("governance", "votes")):
            block = self.data.get(section)
            table = block.get(key) if isinstance(block, dict) else None
            if isinstance(table, dict):
                for mid in table:
                    self.member_ref([section, key, mid], mid)

    # ---------------------------------------------------------------- tasks and results
    def check_produces(self) -> None:
        for i, t in _entries(self.data, "tasks"):
            tid = t.get("id")
            for j, rid in _id_list(t.get("produces")):
                parts = ["tasks", i, "produces", j]
                if self.kind.get(rid) != "results":
                    what = f"a {self.kind[rid][:-1]}" if rid in self.kind else "not declared"
                    self.add(parts, f"produces {rid!r}, which is {what}; list it under "
                                    f"'results'{suggest(rid, self._ids('results'))}")
                elif rid in self.producer and self.producer[rid] != tid:
                    self.add(parts, f"result {rid!r} is already produced by task "
                                    f"{self.producer[rid]!r}; a result has one producing task")
                elif isinstance(tid, str):
                    self.producer[rid] = tid

    def _ids(self, *sections: str) -> list[str]:
        return [k for k, s in self.kind.items() if s in sections]

    def _needs(self) -> Iterator[tuple[list[str | int], str, str | None]]:
        """``(path, needed id, needing task id or None)`` for every need of tasks/products."""
        for section in ("tasks", "products"):
            for i, e in _entries(self.data, section):
                needs = e.get("needs")
                owner = e.get("id") if section == "tasks" else None
                owner = owner if isinstance(owner, str) else None  # a mapping as id: skip
                base: list[str | int] = [section, i, "needs"]
                if isinstance(needs, list):  # the shortcut ``needs: [a, b]`` (all of them)
                    for j, x in _id_list(needs):
                        yield [*base, j], x, owner
                    continue
                if not isinstance(needs, dict):
                    continue
                for j, x in _id_list(needs.get("all_of")):
                    yield [*base, "all_of", j], x, owner
                groups = needs.get("any_of")
                for g, group in enumerate(groups if isinstance(groups, list) else []):
                    for k, x in _id_list(group):
                        yield [*base, "any_of", g, k], x, owner

    def check_needs(self) -> None:
        providers = self._ids("contributions", "results")
        for parts, x, _ in self._needs():
            kind = self.kind.get(x)
            if kind == "contributions" or (kind == "results" and x in self.producer):
                continue
            if kind == "results":
                msg = f"needs result {x!r}, but no task produces it"
            elif kind is not None:
                msg = (f"needs {x!r}, which is a {kind[:-1]}; needs name contributions "
                       "or results")
            elif x in self.members:
                msg = (f"needs member {x!r}; needs name contributions or results "
                       "(name what the member brings)")
            else:
                msg = (f"needs {x!r}, which nothing provides (no contribution or result "
                       f"has that id){suggest(x, providers)}")
            self.add(parts, msg)

    def check_cycles(self) -> None:
        edges = [(self.producer[x], task) for _, x, task in self._needs()
                 if task is not None and x in self.producer]
        # The standard library answers "is there a cycle?" for free; networkx (slow to
        # import) is loaded only to list every cycle when there is one.
        predecessors: dict[Any, set[Any]] = {}
        for u, v in edges:
            predecessors.setdefault(v, set()).add(u)
        try:
            graphlib.TopologicalSorter(predecessors).prepare()
        except graphlib.CycleError:
            pass
        else:
            return
        import networkx as nx

        g = nx.DiGraph(edges)
        where: dict[str, int] = {}
        for i, t in _entries(self.data, "tasks"):
            if isinstance(t.get("id"), str):
                where.setdefault(t["id"], i)
        for comp in nx.strongly_connected_components(g):
            if len(comp) == 1 and not any(g.has_edge(t, t) for t in comp):
                continue
            cycle = [u for u, _ in nx.find_cycle(g.subgraph(comp))]
            first = min(cycle, key=lambda t: where.get(t, math.inf))
            k = cycle.index(first)
            cycle = cycle[k:] + cycle[:k]
            self.add(["tasks", where.get(first, 0), "needs"],
                     "task dependencies form a cycle: " + " -> ".join([*cycle, first]))

    # ---------------------------------------------------------------- sharing
    def check_shares(self) -> None:
        sharing = self.data.get("sharing")
        if not isinstance(sharing, dict):
            return
        shares = sharing.get("fixed_shares")
        if isinstance(shares, dict) and shares:
            values = list(shares.values())
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                total = math.fsum(values)
                if abs(total - 100.0) > SHARE_TOLERANCE:
                    self.add(["sharing", "fixed_shares"],
                             f"fixed shares sum to {total:g}, expected 100 (percent)")
        elif sharing.get("method") == "fixed" and shares is None:
            self.add(["sharing", "fixed_shares"],
                     "sharing.method is 'fixed' but no fixed_shares are given")


def check_references(data: Any) -> list[Problem]:
    """Every cross-reference problem of a raw scenario mapping (file order).

    Parameters
    ----------
    data : mapping
        The scenario as parsed from YAML/JSON (not yet validated).

    Returns
    -------
    list of Problem
        Without line numbers (:func:`agreements.scenario.loader.agreement_from_mapping` adds them).

    Examples
    --------
    >>> data = {"members": [{"id": "a"}, {"id": "a"}],
    ...         "contributions": [{"id": "c", "member": "b"}]}
    >>> for p in check_references(data):
    ...     print(p.path, "|", p.message)
    members[1].id | duplicate member id 'a' (first used by members[0])
    contributions[0].member | unknown member 'b' (members: a)
    """
    if not isinstance(data, dict):
        return []
    return _Checker(data).run()


def _line_of(parts: Sequence[str | int], lines: Mapping[tuple[str | int, ...], int]) -> int | None:
    """The line of the deepest prefix of ``parts`` that is in the file."""
    for k in range(len(parts), -1, -1):
        if tuple(parts[:k]) in lines:
            return lines[tuple(parts[:k])]
    return None


def scenario_warnings(
    agreement: Any,
    lines: Mapping[tuple[str | int, ...], int] | None = None,
    source: str | None = None,
) -> list[Problem]:
    """Silent defaults and gaps of a valid agreement, as warnings (file order).

    A scenario can be valid and still say less than its author meant: a missing Chinese
    name makes the Chinese contract show the English name or the raw id; a member with
    no ``risk_tolerance`` is treated as risk-neutral by the risk simulation; a product
    with no ``operating_margin`` counts all its revenue as profit. Each such gap is one
    warning naming the field and the default that applies. ``consortium validate``
    prints them on stderr (exit 0), and ``--strict`` makes them errors.

    Checked: the Chinese name (``name.zh``) of the agreement, every member, task, result
    and product (and a missing name altogether); each member's ``risk_tolerance``; the
    agreed ``sharing.method``; ``currency``; each task's ``success_probability``; each
    product's ``success_probability``, ``years`` and ``operating_margin``.

    Parameters
    ----------
    agreement : Agreement
        A loaded, valid agreement (:func:`agreements.load`).
    lines : mapping, optional
        Line of each field path in the file (as from
        :func:`agreements.scenario.loader.parse_yaml`); a warning about a missing field
        gets the line of its nearest enclosing entry.
    source : str, optional
        File name put on each warning.

    Returns
    -------
    list of Problem
        One per gap, ``path`` naming the field (``members[2].risk_tolerance``).

    Notes
    -----
    Only fields the file states count as stated (pydantic's ``model_fields_set``), so a
    value equal to the default but written out gives no warning. Cost O(size of the
    agreement).

    Examples
    --------
    >>> from agreements import loads
    >>> a = loads('''
    ... id: x
    ... name: {en: X, zh: 某联合体}
    ... currency: CNY
    ... sharing: {method: equal}
    ... members:
    ...   - {id: a, name: {en: A}, kind: enterprise, risk_tolerance: 1.0e6}
    ...   - {id: b, name: {en: B, zh: 乙}, kind: university}
    ... ''')
    >>> for w in scenario_warnings(a):
    ...     print(w.path, "|", w.message)
    members[0].name.zh | no Chinese name; the Chinese text shows 'A'
    members[1].risk_tolerance | not given; simulate and formation treat member 'b' as risk-neutral
    """
    lines = lines or {}
    out: list[Problem] = []

    def warn(parts: list[str | int], message: str) -> None:
        out.append(Problem(format_path(parts), message, _line_of(parts, lines), source))

    def stated(model: Any, field: str) -> bool:
        return field in model.model_fields_set

    def check_name(parts: list[str | int], thing: Any) -> None:
        name = getattr(thing, "name", None)
        if name is None:
            warn([*parts, "name"], f"no name; contracts show the id {thing.id!r}")
        elif not name.zh:
            warn([*parts, "name", "zh"], f"no Chinese name; the Chinese text shows {name.en!r}")

    if not agreement.name.zh:
        warn(["name", "zh"], f"no Chinese name; the Chinese text shows {agreement.name.en!r}")
    if not stated(agreement, "currency"):
        warn(["currency"], f"not given; amounts are taken to be {agreement.currency}")
    for i, m in enumerate(agreement.members):
        check_name(["members", i], m)
        if m.risk_tolerance is None:
            warn(["members", i, "risk_tolerance"],
                 f"not given; simulate and formation treat member {m.id!r} as risk-neutral")
    for i, t in enumerate(agreement.tasks):
        check_name(["tasks", i], t)
        if not stated(t, "success_probability"):
            warn(["tasks", i, "success_probability"],
                 f"not given; task {t.id!r} is taken to succeed for certain (1.0)")
    for i, r in enumerate(agreement.results):
        check_name(["results", i], r)
    for i, p in enumerate(agreement.products):
        check_name(["products", i], p)
        if not stated(p, "success_probability"):
            warn(["products", i, "success_probability"],
                 f"not given; product {p.id!r} is taken to succeed for certain (1.0)")
        if not stated(p, "years"):
            warn(["products", i, "years"],
                 f"not given; product {p.id!r} earns revenue for {p.years} year only")
        if not stated(p, "operating_margin"):
            warn(["products", i, "operating_margin"],
                 f"not given; the revenue of product {p.id!r} counts in full as profit "
                 f"(margin {p.operating_margin:g})")
    if agreement.sharing.method is None:
        warn(["sharing", "method"], "no agreed sharing method; the contract shows no shares "
             "(`consortium shares` still compares the standard rules)")
    out.sort(key=lambda p: (p.line is None, p.line or 0))
    return out


def missing_chinese_names(data: Any) -> list[str]:
    """Warnings for names without a Chinese form (``name.zh``), which the Chinese draft
    agreement marks "[待补：中文名称]"; a warning, not an error: the file stays valid.

    ``data`` is the raw mapping of a scenario (or ``Agreement.model_dump()``). The
    agreement's own name, every member, and each task, result and product with a name
    are checked; paths are written as in the file.

    >>> for w in missing_chinese_names({"name": {"en": "X", "zh": "某"},
    ...                                 "members": [{"id": "a", "name": {"en": "A"}}]}):
    ...     print(w)
    members[0].name.zh: no Chinese name for a (A); the Chinese agreement will say [待补：中文名称]
    """
    if not isinstance(data, dict):
        return []
    out: list[str] = []

    def check(name: Any, path: str, what: str) -> None:
        if isinstance(name, dict) and name.get("en") and not name.get("zh"):
            out.append(f"{path}.zh: no Chinese name for {what} ({name['en']}); the Chinese "
                       "agreement will say [待补：中文名称]")

    check(data.get("name"), "name", "the agreement")
    for section in ("members", "tasks", "results", "products"):
        for k, entry in _entries(data, section):
            check(entry.get("name"), f"{section}[{k}].name", str(entry.get("id", k)))
    return out
