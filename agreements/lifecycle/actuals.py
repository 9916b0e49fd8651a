"""What was actually delivered: the actuals table, its checks, and the delivered agreement.

An actuals table (CSV) has one row per milestone and contribution, with ``delivered``
the fraction of the plan delivered (0 to 1); optional columns ``task`` and
``succeeded`` report whether a task's work produced its results, and ``spent`` what a
task cost. A milestone is named by the id of the task it ends or by the task's
``milestone`` text. The *delivered agreement* is the agreement's data changed so that
its game is the game of what happened (:func:`delivered_agreement`); the game, the
rule and the rounding are then the formation ones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import AgreementError, Problem, ScenarioError
from ..scenario.model import Agreement
from ..sharing.display import exact as fraction

__all__ = ["Actuals", "delivered_agreement", "member_delivery", "milestone_task",
           "read_actuals"]

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
_COLUMNS = ("milestone", "contribution", "delivered", "task", "succeeded", "spent")


@dataclass(frozen=True)
class Actuals:
    """Checked actuals: what each contribution delivered, which tasks succeeded.

    ``delivered`` maps a contribution id to its delivered fraction (the mean of its
    rows, each milestone an equal instalment; unlisted contributions were delivered
    as planned); ``succeeded`` a task id to its outcome; ``spent`` a task id to what
    it cost; ``milestones`` the tasks whose milestones the table reports.
    """

    delivered: dict[str, Fraction] = field(default_factory=dict)
    succeeded: dict[str, bool] = field(default_factory=dict)
    spent: dict[str, Fraction] = field(default_factory=dict)
    milestones: tuple[str, ...] = ()
    rows: dict[tuple[str, str], Fraction] = field(default_factory=dict)
    source: str = "<actuals>"

    def fraction(self, contribution: str) -> Fraction:
        """Delivered fraction of one contribution (1 when not reported)."""
        return self.delivered.get(contribution, Fraction(1))


def milestone_task(agreement: Agreement, name: str) -> str | None:
    """The task whose milestone ``name`` is: a task id, or a task's milestone text.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> milestone_task(a, "t_automation"), milestone_task(a, "nothing")
    ('t_automation', None)
    """
    for t in agreement.tasks:
        if name == t.id or (t.milestone is not None and name.strip() == t.milestone.strip()):
            return t.id
    return None


def _number(text: str) -> Fraction | None:
    try:
        value = Decimal(text.strip().replace(",", "").replace("_", ""))
    except (InvalidOperation, ValueError):
        return None
    return Fraction(value) if value.is_finite() else None


def read_actuals(agreement: Agreement,
                 actuals: str | PathLike[str] | Iterable[Mapping[str, Any]] | Any,
                 source: str | None = None) -> Actuals:
    """Read and check an actuals table against the agreement.

    Parameters
    ----------
    agreement : Agreement
    actuals : path, pandas.DataFrame or iterable of mappings
        A CSV file (UTF-8, header row) or rows with the columns ``milestone``,
        ``contribution``, ``delivered`` and optionally ``task``, ``succeeded``,
        ``spent``. A row may leave ``contribution`` and ``delivered`` empty when it
        reports a task only.
    source : str, optional
        Name used in messages (default: the file name, else ``<actuals>``).

    Returns
    -------
    Actuals

    Raises
    ------
    ScenarioError
        Every problem at once, each naming the file, the row's line and the column:
        an unknown milestone, contribution or task, a delivered fraction outside
        [0, 1], a ``succeeded`` that is not true/false, a negative ``spent``, a
        missing column.

    Examples
    --------
    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> rows = [{"milestone": "t_automation", "contribution": "shu_ai_team",
    ...          "delivered": "0.5"}]
    >>> read_actuals(a, rows).fraction("shu_ai_team")
    Fraction(1, 2)
    >>> read_actuals(a, [{"milestone": "t_x", "contribution": "shu_ai_team",
    ...                   "delivered": "2"}])
    Traceback (most recent call last):
    ...
    agreements.errors.ScenarioError: <actuals> is invalid (2 problems):
      - <actuals>:2: milestone: unknown milestone 't_x'; ...
      - <actuals>:2: delivered: must be a fraction of the plan from 0 to 1; got '2'

    Notes
    -----
    Linear in rows times tasks. Numbers are read exactly (as decimals).
    """
    rows, name = _rows(actuals, source)
    contributions = {c.id for c in agreement.contributions}
    tasks = {t.id for t in agreement.tasks}
    problems: list[Problem] = []
    per: dict[str, list[Fraction]] = {}
    cells: dict[tuple[str, str], Fraction] = {}
    succeeded: dict[str, bool] = {}
    spent: dict[str, Fraction] = {}
    milestones: list[str] = []

    def bad(line: int, col: str, msg: str) -> None:
        problems.append(Problem(col, msg, line, name))

    if rows and "milestone" not in rows[0][1]:
        bad(1, "milestone", "missing column 'milestone'; expected columns "
            + ", ".join(_COLUMNS))
        raise ScenarioError(problems, name)
    for line, row in rows:
        get = {k: ("" if v is None else str(v)).strip() for k, v in row.items() if k}
        unknown = sorted(set(get) - set(_COLUMNS))
        if unknown:
            bad(line, unknown[0], f"unknown column {unknown[0]!r}; expected "
                + ", ".join(_COLUMNS))
        ms = get.get("milestone", "")
        task_of = milestone_task(agreement, ms) if ms else None
        if not ms:
            bad(line, "milestone", "empty; name a milestone (a task id or its milestone text)")
        elif task_of is None:
            known = [t.id for t in agreement.tasks] or ["(the agreement has no tasks)"]
            bad(line, "milestone", f"unknown milestone {ms!r}; expected a task id ("
                + ", ".join(known) + ") or a task's milestone text")
        elif task_of not in milestones:
            milestones.append(task_of)
        c, d = get.get("contribution", ""), get.get("delivered", "")
        if c and c not in contributions:
            bad(line, "contribution", f"unknown contribution {c!r}; the agreement's "
                "contributions are " + (", ".join(sorted(contributions)) or "(none)"))
        if c and not d:
            bad(line, "delivered", "empty; expected the fraction of the plan delivered, 0 to 1")
        if d:
            q = _number(d)
            if q is None or not 0 <= q <= 1:
                bad(line, "delivered", f"must be a fraction of the plan from 0 to 1; got {d!r}")
            elif not c:
                bad(line, "contribution", "empty; name the contribution delivered")
            elif c in contributions:
                per.setdefault(c, []).append(q)
                if task_of is not None:
                    cells[(task_of, c)] = q
        t, s = get.get("task", ""), get.get("succeeded", "")
        if t and t not in tasks:
            bad(line, "task", f"unknown task {t!r}; the agreement's tasks are "
                + (", ".join(sorted(tasks)) or "(none)"))
        if s and s.lower() not in _TRUE | _FALSE:
            bad(line, "succeeded", f"expected true or false; got {s!r}")
        tid = t or (task_of if (s or get.get("spent")) else "")
        if s and tid in tasks and s.lower() in _TRUE | _FALSE:
            succeeded[tid] = s.lower() in _TRUE
        if get.get("spent"):
            q = _number(get["spent"])
            if q is None or q < 0:
                bad(line, "spent", f"expected an amount >= 0; got {get['spent']!r}")
            elif tid in tasks:
                spent[tid] = spent.get(tid, Fraction(0)) + q
    if problems:
        raise ScenarioError(problems, name)
    delivered = {c: sum(v, Fraction(0)) / len(v) for c, v in per.items()}
    return Actuals(delivered, succeeded, spent, tuple(milestones), cells, name)


def _rows(actuals: Any, source: str | None) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """``[(line, row)]`` of a CSV path, a DataFrame or an iterable of mappings."""
    if isinstance(actuals, Actuals):
        raise AgreementError("already read: pass the Actuals on, not to read_actuals")
    if isinstance(actuals, str | PathLike):
        path = Path(actuals)
        name = source or str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise AgreementError(f"{name}: no such file") from None
        except UnicodeDecodeError as exc:
            raise AgreementError(f"{name}: not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise AgreementError(f"{name}: cannot read the file ({exc.strerror})") from None
        reader = csv.DictReader(io.StringIO(text))
        out = []
        for row in reader:
            if None in row:
                raise ScenarioError([Problem("<row>", "more cells than header columns",
                                             reader.line_num, name)], name)
            out.append((reader.line_num, row))
        if reader.fieldnames is None:
            raise ScenarioError([Problem("<header>", "the file is empty; expected a header "
                                         "row: " + ",".join(_COLUMNS[:3]), 1, name)], name)
        return out, name
    name = source or "<actuals>"
    if hasattr(actuals, "to_dict") and hasattr(actuals, "columns"):  # a DataFrame
        frame = actuals.reset_index(drop=actuals.index.name is None)
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        return [(k + 2, r) for k, r in enumerate(records)], name
    return [(k + 2, dict(r)) for k, r in enumerate(actuals)], name


def member_delivery(agreement: Agreement, actuals: Actuals) -> dict[str, Fraction]:
    r"""Each member's delivered fraction: its contributions' delivered fractions
    weighted by valuation, :math:`f_i = \sum_c d_c\,w_c / \sum_c w_c` (plain mean when
    the valuations are all 0; 1 for a member without contributions).

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> f = member_delivery(a, read_actuals(a, [{"milestone": "t_automation",
    ...     "contribution": "shu_ai_team", "delivered": "0.5"}]))
    >>> f["shu"], f["fosun_dx"]
    (Fraction(1, 2), Fraction(1, 1))
    """
    out = {}
    for m in agreement.member_ids:
        own = [c for c in agreement.contributions if c.member == m]
        weights = [fraction(c.valuation) for c in own]
        total = sum(weights, Fraction(0))
        if not own:
            out[m] = Fraction(1)
        elif total == 0:
            out[m] = sum((actuals.fraction(c.id) for c in own), Fraction(0)) / len(own)
        else:
            out[m] = sum((actuals.fraction(c.id) * w for c, w in zip(own, weights,
                                                                     strict=True)),
                         Fraction(0)) / total
    return out


def delivered_agreement(agreement: Agreement, actuals: Actuals) -> Agreement:
    r"""The agreement as delivered: its data changed so that its game is the game of
    what happened.

    A contribution delivered at fraction :math:`d < 1` keeps :math:`d` of its
    valuation and cost; the missing :math:`1 - d` must be bought at its market
    substitute price :math:`p` where one exists, so its owner's cost becomes
    :math:`d\,c + (1-d)\,p` (what the owner saves the consortium is scaled by
    :math:`d`); without a substitute the shortfall cannot be made up, and every task
    (or product) that needs it succeeds with its probability times :math:`d`. A task
    reported as succeeded has probability 1, a failed one 0 (its results were not
    produced).

    Returns a copy (the same model class); the original is unchanged.

    >>> import agreements
    >>> a = agreements.load("scenarios/baoshan_medical_devices.yaml")
    >>> d = delivered_agreement(a, read_actuals(a, [{"milestone": "t_clinical",
    ...     "contribution": "shu_ai_team", "delivered": "0.5", "task": "t_clinical",
    ...     "succeeded": "false"}]))
    >>> [t.success_probability for t in d.tasks if t.id == "t_clinical"]
    [0.0]
    >>> [(c.valuation, c.cost) for c in d.contributions if c.id == "shu_ai_team"]
    [(7500000.0, 16500000.0)]
    """
    short_unsub: dict[str, Fraction] = {}
    contributions = []
    for c in agreement.contributions:
        d = actuals.fraction(c.id)
        if d == 1:
            contributions.append(c)
            continue
        cost = d * fraction(c.cost)
        if c.substitute_price is not None:
            cost += (1 - d) * fraction(c.substitute_price)
        else:
            short_unsub[c.id] = d
        contributions.append(c.model_copy(update={
            "valuation": float(d * fraction(c.valuation)), "cost": float(cost)}))

    def factor(needs: Any) -> Fraction:
        ids = set(needs.all_of) | {x for g in needs.any_of for x in g}
        f = Fraction(1)
        for x in ids:
            f *= short_unsub.get(x, Fraction(1))
        return f

    tasks = []
    for t in agreement.tasks:
        p = fraction(t.success_probability) * factor(t.needs)
        if t.id in actuals.succeeded:
            p = Fraction(int(actuals.succeeded[t.id]))
        tasks.append(t if p == fraction(t.success_probability)
                     else t.model_copy(update={"success_probability": float(p)}))
    products = []
    for p in agreement.products:
        f = factor(p.needs)
        products.append(p if f == 1 else p.model_copy(update={
            "success_probability": float(fraction(p.success_probability) * f)}))
    return agreement.model_copy(update={"contributions": contributions, "tasks": tasks,
                                        "products": products})
