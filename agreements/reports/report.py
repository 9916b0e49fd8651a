"""One self-contained HTML page about an agreement, for a negotiator to send round.

:func:`build_report` puts on one page what the parties need to agree on a sharing rule:
a title block (names in English and Chinese, date, SHA-256 of the scenario, so the page
can be traced to the model), the contribution graph, each member's share of
:math:`v(N)` under every sharing rule (table and grouped bar chart), who would walk away
(share below the outside option) and which coalitions could block each rule, each
member's risk profile under each rule from a Monte Carlo simulation (expected payoff,
probability of a loss, CVaR), and the clause table. Plots are embedded as base64 PNG
data URIs and the CSS is inline, so the file opens without a network; the layout reads
at laptop and phone widths (tables scroll sideways on narrow screens).

A section whose numbers cannot be computed (e.g. a rule that fails on the game, or too
many members for the coalition game) says why instead of failing the whole page.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import warnings
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sharing_models import ConsortiumError, InvalidInputError, TooLargeError
from sharing_models.risk import blocking_coalitions, risk_summary

from ..clauses import clause_table
from ..clauses.table import as_agreement
from ..outcomes.risk import simulate_agreement
from ..scenario.model import Agreement
from ..scenario.provenance import provenance_footer
from ..sharing import GAME_RULES, agreed_rule
from ..sharing.compare import METHODS, shown_shares
from ..sharing.display import format_fixed
from ..sharing.stability import core_check
from ..sharing.structure import GAME_MEMBERS, LINEAR_RULES
from ..valuation.game import agreement_game
from ..valuation.graph import contribution_graph
from .plotting import draw_graph, use_cjk_font

__all__ = ["build_report"]

_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",
 system-ui,sans-serif;color:#1d2733;background:#f6f7f9;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:1rem 1.25rem 3rem;background:#fff}
header{border-bottom:3px solid #1f3864;margin-bottom:1rem}
h1{font-size:1.6rem;margin:.4rem 0}h2{font-size:1.25rem;color:#1f3864;margin-top:2rem}
.zh{font-size:1.2rem;color:#444}.meta{font-size:.85rem;color:#555}
.meta code{word-break:break-all}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0 1rem}
table{border-collapse:collapse;font-size:.85rem;min-width:100%}
th,td{border:1px solid #c9d3e3;padding:.3rem .5rem;vertical-align:top}
th{background:#1f3864;color:#fff;text-align:left}
tbody tr:nth-child(even) td{background:#eef3fb}
td.num{text-align:right;white-space:nowrap}
.walk{color:#b03a2e;font-weight:bold}.note{color:#555;font-size:.85rem}
figure{margin:.5rem 0}img{max-width:100%;height:auto;display:block}
@media (max-width:600px){main{padding:.6rem}h1{font-size:1.25rem}table{font-size:.75rem}
figure{overflow-x:auto;-webkit-overflow-scrolling:touch}figure img{max-width:none;width:600px}}
"""


#: A table cell holding only a number (right-aligned by the CSS).
_NUMBER_CELL = re.compile(r"<td>([-+]?[\d,]+(?:\.\d+)?%?)</td>")


# ---------------------------------------------------------------------- helpers
def _png(fig: Any, dpi: int = 110) -> str:
    """A matplotlib figure as an ``<img>`` with a base64 PNG data URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    alt = html.escape(fig.get_label() or "figure")
    return f'<figure><img alt="{alt}" src="data:image/png;base64,{data}"></figure>'


def _table(df: pd.DataFrame, money: tuple[str, ...] = (), pct: tuple[str, ...] = (),
           index: bool = True) -> str:
    """A DataFrame as an escaped HTML table in a horizontally scrolling box."""
    out = df.copy()
    for c in out.columns:
        if c in money:
            out[c] = [f"{float(x):,.0f}" if pd.notna(x) else "" for x in out[c]]
        elif c in pct:
            out[c] = [f"{float(x):.1%}" if pd.notna(x) else "" for x in out[c]]
    if index and out.index.name:
        out = out.reset_index()
        index = False
    body = out.to_html(escape=True, index=index, border=0, na_rep="")
    body = _NUMBER_CELL.sub(r'<td class="num">\1</td>', body)
    return f'<div class="scroll">{body}</div>'


def _p(text: str, cls: str = "note") -> str:
    return f'<p class="{cls}">{html.escape(text)}</p>'


def _label(agreement: Agreement, zh: bool) -> dict[str, str]:
    """Member id -> display name (Chinese when available and ``zh``)."""
    return {m.id: (m.name.zh if zh and m.name.zh else m.name.en) for m in agreement.members}


def _figure(width: float, height: float, label: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), label=label)
    return fig, fig.add_subplot()


def _grouped_bars(frame: pd.DataFrame, title: str, ylabel: str, label: str) -> str:
    """Grouped bar chart: one group per row (member), one bar per column (rule)."""
    n, k = frame.shape
    from matplotlib.ticker import StrMethodFormatter

    fig, ax = _figure(min(11.0, max(6.0, 4.0 + 0.12 * n * k)), 4.2, label)
    width = 0.8 / max(1, k)
    x = np.arange(n)
    for j, col in enumerate(frame.columns):
        ax.bar(x + (j - (k - 1) / 2) * width, frame[col].to_numpy(float), width, label=col)
    ax.set_xticks(x, frame.index, rotation=30 if n > 5 else 0, ha="right" if n > 5 else "center")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.axhline(0, color="#333", lw=0.6)
    ax.legend(fontsize=8, ncols=min(k, 4))
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


# ---------------------------------------------------------------------- sections
def _title(agreement: Agreement, trace: dict[str, str], draws: int, seed: int) -> str:
    name = agreement.name
    zh = f'<div class="zh" lang="zh">{html.escape(name.zh)}</div>' if name.zh else ""
    meta = [f"Date: {agreement.date or 'not given'}",
            f"Members: {len(agreement.members)}", f"Currency: {agreement.currency}",
            f"Simulation: {draws:,} draws, seed {seed}"]
    kind = "scenario file" if trace.get("hash_of") == "file" else "model (canonical JSON)"
    sha = (f'<div class="meta">SHA-256 of the {kind} {html.escape(trace["source"])}: '
           f'<code>{trace["sha256"]}</code></div>')
    note = _p("Figures in this scenario are illustrative, not from the sources.", "walk") \
        if agreement.illustrative else ""
    return (f'<header><h1>{html.escape(name.en)}</h1>{zh}'
            f'<div class="meta">{html.escape(" · ".join(meta))}</div>{sha}{note}</header>')


def _graph(agreement: Agreement) -> str:
    import networkx as nx

    layers = len(list(nx.topological_generations(contribution_graph(agreement))))
    fig, ax = _figure(min(14.0, 3.0 + 2.2 * layers), 5.0, "contribution graph")
    draw_graph(agreement, ax=ax, lang="auto")
    return ("<h2>Contribution graph</h2>"
            + _p("Members (left) bring contributions that tasks need; tasks produce results "
                 "that products need. Colours show the member kind.") + _png(fig))


def _shares(agreement: Agreement, zh: bool) -> tuple[str, pd.DataFrame | None, Any]:
    """Shares section (the shown figures of :func:`agreements.sharing.compare.shown_shares`);
    also that table and the game (None when unavailable)."""
    head = "<h2>Shares under each sharing rule</h2>"
    try:
        game = agreement_game(agreement) if len(agreement.members) <= GAME_MEMBERS else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rules = [m for m in METHODS if m != "fixed" or agreement.sharing.fixed_shares]
            rules = list(dict.fromkeys([*rules, *_agreed(agreement)]))
            if game is None:  # large: rules that need the whole game are left out
                whole = [r for r in rules if r in GAME_RULES and r not in LINEAR_RULES]
                for r in whole:
                    warnings.warn(f"{r} left out: it needs the whole game (2^n "
                                  f"coalitions), built up to {GAME_MEMBERS} members",
                                  stacklevel=1)
                rules = [r for r in rules if r not in whole]
            df = shown_shares(agreement, rules, game=game)
    except ConsortiumError as exc:
        return head + _p(f"Shares could not be computed: {exc}"), None, None
    notes = "".join(_p(f"Note: {w.message}") for w in caught)
    rules = _rules(df)
    grand = df.attrs["grand_value"]
    table = df[rules].map(format_fixed)
    table.insert(0, "name", [*(_label(agreement, False)[m] for m in table.index[:-1]), ""])
    pct = df[[f"{r}_pct" for r in rules]].map(lambda x: "" if x is None else
                                               format_fixed(x) + "%")
    pct.columns = rules
    core = pd.DataFrame({r: ["yes" if df[f"{r}_in_core"].all() else "no"] for r in rules},
                        index=["allocation in the core"])
    text = _p(f"v(N), the expected worth of the whole consortium (task and market risk "
              f"included), is {format_fixed(grand)} {agreement.currency}. Each column "
              "divides it by one rule; shown figures are rounded so that each column adds "
              "up exactly to its total.")
    if grand == 0:
        text += _p("v(N) is 0: with these figures the consortium as a whole does not earn "
                   "more than it costs, so every rule gives every member 0.", "walk")
    figures = df[rules].iloc[:-1].astype(float)
    chart = _grouped_bars(figures.rename(index=_label(agreement, zh)),
                          f"Shares of v(N) by rule ({agreement.currency})",
                          agreement.currency, "shares by rule")
    sampled = [r for r in rules if f"{r}_low" in df.columns]
    intervals = ""
    if sampled:
        iv = pd.DataFrame({r: [f"{format_fixed(lo)} to {format_fixed(hi)}" for lo, hi in
                               zip(df[f"{r}_low"].iloc[:-1], df[f"{r}_high"].iloc[:-1],
                                   strict=True)] for r in sampled}, index=df.index[:-1])
        intervals = _p("95% intervals of the sampled shares:") + _table(iv)
    body = (head + text + _method_note(df) + notes + _table(table)
            + _p("In percent of v(N):") + _table(pct) + intervals + _table(core) + chart)
    return body, df, game


def _agreed(agreement: Agreement) -> list[str]:
    """The agreed rule, shown beside the others (e.g. ``tiered``, ``fee_based``)."""
    rule = agreed_rule(agreement)
    return [rule] if rule else []


def _rules(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns
            if not c.endswith(("_in_core", "_gain", "_pct", "_exact", "_low", "_high"))]


def _method_note(df: pd.DataFrame) -> str:
    """How each rule was computed, for a large agreement (empty for the whole game)."""
    methods = df.attrs.get("methods", {})
    details = df.attrs.get("details", {})
    lines = [f"{r}: {how} ({details.get(r, '')})" for r, how in methods.items()
             if how != "exact"]
    if not lines:
        return ""
    return _p("This agreement has too many members for its whole game (2^n coalitions); "
              "the shares are computed part by part where its worth splits into "
              "independent parts, and sampled with 95% intervals otherwise "
              "(docs/large-consortia.md). " + "; ".join(lines) + ".")


def _walk_away(agreement: Agreement, df: pd.DataFrame | None, game: Any, sim: Any) -> str:
    """Who walks away under each rule, risk-neutral and risk-averse side by side."""
    head = "<h2>Who would walk away</h2>"
    if df is None:
        return head + _p("Needs the shares above, which could not be computed.")
    rules = _rules(df)
    members = agreement.member_ids
    outside = pd.Series({m.id: format_fixed(m.outside_option) for m in agreement.members})
    gains = df[[f"{r}_gain" for r in rules]].iloc[:-1]
    gains.columns = rules
    ce = None
    if sim is not None:
        summary = risk_summary(sim, levels=(0.95,))
        ce = summary["ce_surplus"].unstack("rule").reindex(members)
    rows = []
    for r in rules:
        neutral = [m for m in members if gains.loc[m, r] < 0]
        averse = ("not simulated" if ce is None or r not in ce.columns
                  else ", ".join(m for m in members if ce.loc[m, r] < 0) or "none")
        amounts = df[f"{r}_exact"].iloc[:-1].astype(float)
        if game is None:  # large agreement: search over its structure
            check = core_check(agreement, amounts)
            found = check.excess > 1e-9 * max(1.0, abs(float(amounts.sum())))
            block = {"coalition": [check.coalition] if found else [],
                     "excess": [check.excess] if found else []}
        else:
            block = blocking_coalitions(game, amounts)
        top = "; ".join("{" + ", ".join(c) + f"}} +{e:,.0f}"
                        for c, e in zip(block["coalition"][:3], block["excess"][:3],
                                        strict=True))
        rows.append({"rule": r,
                     "risk-neutral (expected share < outside option)":
                         ", ".join(neutral) or "none",
                     "risk-averse (certainty equivalent < outside option)": averse,
                     "blocking coalitions": len(block["coalition"]) if game is not None
                     else (">= 1 (largest excess shown)" if top else "none found (core check)"),
                     "worst blocks (excess)": top or "none"})
    summary_table = pd.DataFrame(rows).set_index("rule")
    table = gains.map(format_fixed)
    table.insert(0, "outside option", outside.reindex(table.index))
    return (head + _p("Gain = shown share minus the member's outside option (what it earns "
                      "without the consortium). The two walk-away columns answer the same "
                      "question under two attitudes to risk: a risk-neutral member compares "
                      "its expected share with its outside option; a risk-averse member "
                      "compares the certainty equivalent of its simulated payoff (its own "
                      "risk tolerance, defaults included) with it. Where they differ, risk "
                      "aversion changes the answer. A blocking coalition earns more on its "
                      "own than the rule gives its members together (excess > 0).")
            + _table(table) + _table(summary_table))


def _simulate(agreement: Agreement, draws: int, seed: int,
              methods: list[str] | None) -> tuple[Any, list[str]]:
    """Simulation under the rules shown (default candidates when none); without the
    game-theoretic ones when the coalition game cannot be built (too many members)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            sim = simulate_agreement(agreement, draws=draws, seed=seed, progress=False,
                                     methods=methods)
            notes = []
        except TooLargeError as exc:
            own = [*(["fixed"] if agreement.sharing.fixed_shares else []), "equal",
                   "proportional", "borch"]
            sim = simulate_agreement(agreement, draws=draws, seed=seed, progress=False,
                                     methods=own)
            notes = [f"Only the agreement's own rules and Borch are simulated: {exc}"]
    return sim, [str(w.message) for w in caught] + notes


def _risk(agreement: Agreement, sim: Any, messages: list[str], draws: int, seed: int,
          zh: bool) -> str:
    head = "<h2>Risk profile per member</h2>"
    if sim is None:
        return head + "".join(_p(m) for m in messages)
    notes = "".join(_p(f"Note: {m}") for m in messages)
    summary = risk_summary(sim, levels=(0.95,))
    cols = {"expected": "expected payoff", "prob_loss": "P(loss)",
            "CVaR_0.95": "CVaR 95% (mean loss, worst 5%)",
            "certainty_equivalent": "certainty equivalent"}
    table = summary[list(cols)].rename(columns=cols)
    table.insert(1, "± s.e.", summary["expected_se"])  # Monte Carlo standard error
    cvar = summary["CVaR_0.95"].unstack("rule").reindex(agreement.member_ids)
    chart = _grouped_bars(cvar.rename(index=_label(agreement, zh)),
                          "CVaR 95%: mean loss in the worst 5% of draws (higher = more at risk)",
                          agreement.currency, "CVaR by rule")
    return (head + _p(f"{draws:,} Monte Carlo draws of task success, costs, revenue and "
                      f"defaults (seed {seed}); each rule divides the net outcome (revenue "
                      "less costs) by its shares. CVaR 95% is the mean loss in the worst 5% "
                      "of draws (positive = money lost). The certainty equivalent is the "
                      "sure amount a member with its risk tolerance values its payoff at "
                      "(see 'Who would walk away'); ± s.e. is the Monte Carlo standard "
                      "error of the expected payoff.")
            + notes + _table(table, money=(cols["expected"], "± s.e.", cols["CVaR_0.95"],
                                           cols["certainty_equivalent"]),
                             pct=(cols["prob_loss"],)) + chart)


def _clauses(agreement: Agreement, lang: str) -> str:
    head = "<h2>Clause table</h2>"
    try:
        table = clause_table(agreement, lang=lang)
    except ConsortiumError as exc:
        return head + _p(f"The clause table could not be built: {exc}")
    return head + _p("The agreed sharing rule written as clauses (DESCA headings).") + \
        _table(table)


# ---------------------------------------------------------------------- entry point
def _provenance_html(record: Mapping[str, str] | None) -> tuple[str, str]:
    """The ``<meta>`` holding a provenance record (JSON) and the footer showing it.

    >>> head, foot = _provenance_html({"tool": "t", "version": "1", "seed": "<3>"})
    >>> head[:44]
    '<meta name="provenance" content="{&quot;seed'
    >>> foot
    '<footer class="note">t 1 · seed &lt;3&gt;</footer>'
    """
    if not record:
        return "", ""
    text = json.dumps(dict(record), ensure_ascii=False, sort_keys=True)
    return (f'<meta name="provenance" content="{html.escape(text)}">',
            f'<footer class="note">{html.escape(provenance_footer(record))}</footer>')


def build_report(agreement_or_path: Agreement | str | PathLike[str],
                 out_path: str | PathLike[str] | None = None, *, draws: int = 20_000,
                 seed: int = 0, lang: str = "auto",
                 provenance: Mapping[str, str] | None = None) -> str:
    """One self-contained HTML page: graph, shares, walk-aways, risk and clauses.

    Parameters
    ----------
    agreement_or_path
        An :class:`~agreements.Agreement` or the path of a scenario file (then the
        file's SHA-256 is shown in the title block).
    out_path
        Also write the page to this file (UTF-8).
    draws, seed
        Monte Carlo draws and seed of the risk section (same seed, same page).
    lang
        Clause table and plot labels: ``"auto"`` (``zh+en`` when the agreement has a
        Chinese name), ``"en"``, ``"zh"`` or ``"zh+en"``.
    provenance
        A provenance record (:func:`agreements.scenario.provenance.provenance`): shown
        as the page's footer line and kept whole in ``<meta name="provenance">`` (JSON).
        ``consortium report`` always gives one; without it the page has no footer, so
        the same seed gives the same page.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    InvalidInputError
        ``draws`` below 100, or an unknown ``lang``.
    ScenarioError
        The scenario file is invalid.

    Examples
    --------
    >>> page = build_report("scenarios/baoshan_medical_devices.yaml", draws=500)
    >>> page.startswith("<!DOCTYPE html>"), "data:image/png;base64," in page
    (True, True)

    Notes
    -----
    Cost: the game and its rules (exponential in members), a simulation of
    ``draws`` x members x rules, and a few PNG renderings (about a second for the
    bundled scenarios).
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 100:
        raise InvalidInputError(f"draws must be a whole number >= 100; got {draws!r}")
    if lang not in ("auto", "en", "zh", "zh+en"):
        raise InvalidInputError(f"lang must be 'auto', 'en', 'zh' or 'zh+en'; got {lang!r}")
    agreement, trace = as_agreement(agreement_or_path)
    has_zh = bool(agreement.name.zh)
    lang = ("zh+en" if has_zh else "en") if lang == "auto" else lang
    zh = lang != "en" and use_cjk_font() is not None
    shares_html, df, game = _shares(agreement, zh)
    try:
        sim, messages = _simulate(agreement, draws, seed,
                                  None if df is None else _rules(df))
    except ConsortiumError as exc:
        sim, messages = None, [f"The risk simulation could not be run: {exc}"]
    parts = [_title(agreement, trace, draws, seed), _graph(agreement), shares_html,
             _walk_away(agreement, df, game, sim), _risk(agreement, sim, messages, draws,
                                                         seed, zh),
             _clauses(agreement, lang)]
    head, foot = _provenance_html(provenance)
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"{head}<title>{html.escape(agreement.name.en)}: consortium report</title>"
            f"<style>{_CSS}</style></head><body><main>{''.join(parts)}{foot}</main>"
            "</body></html>\n")
    if out_path is not None:
        Path(out_path).write_text(page, encoding="utf-8")
    return page
