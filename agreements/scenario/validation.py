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
import math
from collections.abc import Iterator, Sequence
from typing import Any

import networkx as nx

from ..errors import Problem

__all__ = ["check_references", "format_path", "suggest"]

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
        g = nx.DiGraph()
        where: dict[str, int] = {}
        for i, t in _entries(self.data, "tasks"):
            if isinstance(t.get("id"), str):
                where.setdefault(t["id"], i)
        for _, x, task in self._needs():
            if task is not None and x in self.producer:
                g.add_edge(self.producer[x], task)
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
