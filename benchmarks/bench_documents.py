"""Benchmark: the draft formation agreement (``consortium agreement``) and its redline.

Rows (best of several repeats, ``time.perf_counter``; no peer: no other tool drafts
these documents from a scenario):

* ``agreement model``: :func:`agreements.clauses.document.agreement_document` in
  ``zh+en`` (the agreed rule's shares, one Jinja2 rendering per clause and language).
* ``agreement, Word``: :func:`agreements.clauses.agreement_docx.agreement_docx` on that
  model (python-docx, the packaged template, schedules as tables).
* ``redline, Word``: :func:`agreements.clauses.agreement_docx.redline_docx` of the
  scenario against a copy with one contribution and the first member's share changed.
* ``schedules, Excel``: :func:`agreements.clauses.agreement_xlsx.agreement_xlsx`.

On the bundled Baoshan (4 members) and Qingdao (12 members, Owen shares) scenarios.
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

AREA = "documents"
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agreements import Agreement  # noqa: E402
from agreements.clauses.agreement_docx import agreement_docx, redline_docx  # noqa: E402
from agreements.clauses.agreement_xlsx import agreement_xlsx  # noqa: E402
from agreements.clauses.document import agreement_document  # noqa: E402
from agreements.scenario.loader import safe_load as scenario_yaml  # noqa: E402


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _changed(data: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(data)
    new["contributions"][0]["valuation"] = float(new["contributions"][0]["valuation"]) * 1.2
    shares = new.get("sharing", {}).get("fixed_shares")
    if shares and len(shares) > 1:  # one point from the last member to the first
        keys = list(shares)
        shares[keys[0]], shares[keys[-1]] = shares[keys[0]] + 1, shares[keys[-1]] - 1
    return new


def run(quick: bool = False) -> list[dict[str, Any]]:
    repeats = 1 if quick else 3
    names = ("baoshan_medical_devices",) if quick else ("baoshan_medical_devices",
                                                        "qingdao_marine_equipment")
    rows = []
    for name in names:
        data = scenario_yaml((ROOT / "scenarios" / f"{name}.yaml").read_text("utf-8"))
        old, new = Agreement.from_mapping(data), Agreement.from_mapping(_changed(data))
        n = len(old.members)
        t_model, doc = _best(lambda a=old: agreement_document(a, "zh+en"), repeats)
        doc_new = agreement_document(new, "zh+en")
        t_docx, data_docx = _best(lambda d=doc: agreement_docx(d), repeats)
        t_red, _ = _best(lambda d=doc, e=doc_new: redline_docx(d, e), repeats)
        t_xlsx, _ = _best(lambda d=doc: agreement_xlsx(d), repeats)
        clauses = sum(b.kind == "clause" for b in doc.blocks)
        note = f"{name}, zh+en, {clauses} clauses, {len(doc.schedules)} schedules"
        for task, seconds in (("agreement model", t_model), ("agreement, Word", t_docx),
                              ("redline, Word", t_red), ("schedules, Excel", t_xlsx)):
            rows.append({"area": AREA, "task": task, "n": n, "ours_s": seconds,
                         "peer": None, "peer_s": None,
                         "note": note + (f", {len(data_docx) // 1024} KiB"
                                         if task == "agreement, Word" else "")})
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run(quick="--quick" in sys.argv):
        print(row)
