"""Write the three user notebooks (nbformat v4, without outputs) from the cells below.

Edit the cells here, then run ``python notebooks/_build.py``; ``tests/test_notebooks.py``
checks that the committed notebooks are what this script writes, and executes them.
Notebooks run with ``notebooks/`` as the working directory and write their figures to
``$CONSORTIUM_FIG_DIR`` (default ``notebooks/figures/``, git-ignored).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
import copy
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import agreements
from agreements.plotting import use_cjk_font

FIG_DIR = Path(os.environ.get("CONSORTIUM_FIG_DIR", "figures"))
FIG_DIR.mkdir(parents=True, exist_ok=True)
SCENARIOS = Path("..") / "scenarios"
use_cjk_font()  # Chinese labels render with the bundled Noto Sans CJK font
pd.set_option("display.precision", 2)
pd.set_option("display.max_colwidth", 120)


def save(fig, name):
    """Write a figure to FIG_DIR as PNG (the test checks these files)."""
    path = FIG_DIR / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path'''

# ---------------------------------------------------------------------- negotiator
NEGOTIATOR = [
    ("md", """\
# Negotiator: how should the Baoshan consortium share what it makes?

The Baoshan medical-device innovation consortium (宝山区医疗器械创新联合体) is led by
Fosun Diagnostics with Shanghai University, Wusong Hospital and Taizhou Zecheng. This
notebook walks from the scenario file to the questions a negotiator asks:

1. who brings what, and what depends on whom (the contribution graph);
2. what each member gets under each sharing rule;
3. who would walk away, and which groups could do better on their own;
4. for three members, where the rules sit in the core;
5. what-ifs: change a contribution, drop a member, move a tier boundary.

Money figures in the scenario are illustrative (the source gives none)."""),
    ("code", SETUP),
    ("md", """\
## The scenario and its game

`agreements.load` validates the file; `Agreement.game()` builds the coalition game:
`v(S)` is the expected profit coalition `S` could make on its own, buying the
contributions of outsiders at their substitute price where one exists."""),
    ("code", '''\
base = agreements.load(SCENARIOS / "baoshan_medical_devices.yaml")
print(base.name.zh, "/", base.name.en)
for m in base.members:
    print(f"  {m.id:16} {m.name.zh:6} {m.kind:18} outside option {m.outside_option:>12,.0f}")
print(f"v(N) = {float(base.game().grand_value):,.0f} {base.currency}")'''),
    ("md", """\
## Who brings what: the contribution graph

Members (circles, coloured by kind) bring contributions (squares); tasks (diamonds)
need contributions and earlier results, and produce results (hexagons); products
(stars) need results and market access. A member whose contribution has no substitute
on the way to every product is a veto player."""),
    ("code", '''\
from agreements.graph import draw_graph

ax = draw_graph(base, lang="zh")
save(ax.figure, "negotiator_graph")
plt.show()'''),
    ("md", """\
## What-ifs start here

`what_if` rebuilds the agreement from its mapping (the same validation as the file) with
the smart-laboratory market scaled by `market` and one contribution's cost and
valuation scaled. If the file's (illustrative) figures make the consortium unprofitable
(`v(N) = 0` above: the expected margins do not cover the task budgets and the cash put
in), there is nothing to share and every rule gives 0; the notebook then works on a
market 1.6 times larger, the question a negotiator would ask first. Otherwise it uses
the file as it is."""),
    ("code", '''\
BASE = base.model_dump(mode="json", exclude_none=True)


def what_if(market=1.0, contribution=None, cost_scale=1.0, data=BASE):
    """The scenario with the smart-lab market and one contribution's cost scaled."""
    d = copy.deepcopy(data)
    for p in d["products"]:
        if p["id"] == "p_smart_lab":
            p["revenue"]["expected"] *= market
            p["revenue"]["sd"] *= market
    if contribution is not None:
        (c,) = [c for c in d["contributions"] if c["id"] == contribution]
        c["cost"] *= cost_scale
        c["valuation"] *= cost_scale
    return agreements.Agreement.from_mapping(d, source="what-if")


MARKET = 1.0 if float(base.game().grand_value) > 0 else 1.6
a = what_if(MARKET)
game = a.game()
print(f"market x{MARKET}: v(N) = {float(game.grand_value):,.0f} {a.currency}")'''),
    ("md", """\
## Shares under each rule, side by side

Each column divides `v(N)` by one rule: Shapley (average marginal contribution),
Banzhaf, the nucleolus (makes the unhappiest coalition as happy as possible), Owen
(Shapley with the lead / close / general layers as unions), proportional to the
valuation of contributions, equal, and the fixed shares in the draft agreement."""),
    ("code", '''\
shares = a.shares(game=game)
RULES = [c for c in shares.columns if not c.endswith(("_in_core", "_gain"))]
ZH = {m.id: m.name.zh for m in a.members}
percent = shares[RULES].astype(float) * 100 / float(shares.attrs["grand_value"])
percent.round(1)'''),
    ("code", '''\
fig, ax = plt.subplots(figsize=(9, 4))
percent.rename(index=ZH).plot.bar(ax=ax, width=0.8, rot=0)
ax.set_ylabel("share of v(N), %")
ax.set_xlabel("")
ax.set_title("各成员在不同分配规则下的份额 / Shares by rule")
ax.legend(ncols=4, fontsize=8)
ax.grid(axis="y", alpha=0.3)
save(fig, "negotiator_shares")
plt.show()'''),
    ("md", """\
## Who would walk away?

A member walks away when its share is below its **outside option** (what it earns
without the consortium): the gain below is share minus outside option, in millions. A
**blocking coalition** is a group that earns more on its own than the rule gives its
members together; a rule with none is in the core."""),
    ("code", '''\
from sharing_models.risk import blocking_coalitions

gain = shares[[f"{r}_gain" for r in RULES]].astype(float) / 1e6
gain.columns = RULES
blocks = {r: blocking_coalitions(game, shares[r].astype(float)) for r in RULES}
summary = pd.DataFrame({
    "walk away": [", ".join(gain.index[gain[r] < 0]) or "none" for r in RULES],
    "blocking coalitions": [len(blocks[r]) for r in RULES],
    "worst block": [", ".join(blocks[r]["coalition"].iloc[0]) if len(blocks[r]) else "none"
                    for r in RULES],
    "in core": [bool(shares[f"{r}_in_core"].all()) for r in RULES],
}, index=pd.Index(RULES, name="rule"))
summary'''),
    ("code", '''\
fig, ax = plt.subplots(figsize=(9, 3.6))
limit = float(np.abs(gain.to_numpy()).max())
im = ax.imshow(gain.to_numpy(), cmap="RdYlGn", vmin=-limit, vmax=limit, aspect="auto")
ax.set_xticks(range(len(RULES)), RULES)
ax.set_yticks(range(len(gain)), [ZH[m] for m in gain.index])
for (i, j), g in np.ndenumerate(gain.to_numpy()):
    ax.text(j, i, f"{g:+.1f}", ha="center", va="center", fontsize=8)
fig.colorbar(im, ax=ax, label="gain over outside option (million CNY)")
ax.set_title("红色 = 会退出 / red = would walk away")
save(fig, "negotiator_walk_away")
plt.show()'''),
    ("md", """\
## Three members on the simplex: the core and the rules

Restrict the game to Fosun, Shanghai University and Wusong Hospital (Zecheng's
analysers then have to be bought at their substitute price). Every point of the
triangle divides the trio's `v` among the three; the shaded polygon is the **core**,
the divisions no member or pair can improve on alone:
`x_i >= v(i)` and `x_i + x_j >= v(ij)`, i.e. `x_k <= v(N) - v(ij)`. Its vertices are
where two of these bounds meet."""),
    ("code", '''\
import itertools

import sharing_models as sm

TRIO = ("fosun_dx", "shu", "wusong_hospital")
g3 = game.restrict(TRIO)
CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def to_xy(x, total):
    return np.asarray(x, dtype=float) / total @ CORNERS


def core_vertices(g):
    """Vertices of a 3-player core, in order around the polygon (empty if the core is)."""
    players, total = list(g.players), float(g.grand_value)
    lo = np.array([float(g.value([p])) for p in players])
    hi = np.array([total - float(g.value([q for q in players if q != p])) for p in players])
    tol = 1e-9 * max(1.0, abs(total))
    points = []
    for i, j in itertools.combinations(range(3), 2):
        for xi, xj in itertools.product((lo[i], hi[i]), (lo[j], hi[j])):
            x = np.empty(3)
            x[i], x[j], x[3 - i - j] = xi, xj, total - xi - xj
            if np.all(x >= lo - tol) and np.all(x <= hi + tol):
                points.append(x)
    if not points:
        return np.empty((0, 3))
    points = np.unique(np.round(points, 6), axis=0)
    xy = to_xy(points, total)
    angle = np.arctan2(*(xy - xy.mean(axis=0)).T[::-1])
    return points[np.argsort(angle)]


total3 = float(g3.grand_value)
rules3 = pd.DataFrame({
    "shapley": sm.shapley(g3), "banzhaf": sm.banzhaf(g3), "nucleolus": sm.nucleolus(g3),
    "equal": pd.Series(total3 / 3, index=list(TRIO)),
    "fixed": pd.Series({m: a.sharing.fixed_shares[m] for m in TRIO}) / sum(
        a.sharing.fixed_shares[m] for m in TRIO) * total3,
}).astype(float)
print(f"v(trio) = {total3:,.0f}; core is empty: {sm.core_is_empty(g3)}")
(rules3 / 1e6).round(2)'''),
    ("code", '''\
vertices = core_vertices(g3)
fig, ax = plt.subplots(figsize=(6.5, 5.8))
ax.add_patch(plt.Polygon(CORNERS, fill=False, lw=1.2, color="#34495e"))
if len(vertices):
    ax.add_patch(plt.Polygon(to_xy(vertices, total3), color="#2e86c1", alpha=0.3,
                             label="core 核"))
for rule, marker in zip(rules3.columns, "o^sDv", strict=True):
    x, y = to_xy(rules3[rule].to_numpy(), total3)
    inside = sm.in_core(g3, rules3[rule].tolist())
    ax.plot(x, y, marker, ms=9, label=f"{rule} ({'in core' if inside else 'outside'})")
for (x, y), m, align in zip(CORNERS, TRIO, ("right", "left", "center"), strict=True):
    ax.annotate(f"{ZH[m]}\\n(all to {m})", (x, y), ha=align, va="top" if y == 0 else "bottom",
                fontsize=9, xytext=(0, -6 if y == 0 else 6), textcoords="offset points")
ax.set_xlim(-0.15, 1.15)
ax.set_ylim(-0.15, 1.0)
ax.set_aspect("equal")
ax.set_axis_off()
ax.legend(loc="upper right", fontsize=8)
ax.set_title("三方的核与各规则 / Core and rules for three members")
save(fig, "negotiator_core_simplex")
plt.show()'''),
    ("md", """\
## Interactive what-ifs

Move the sliders (in JupyterLab) to see shares update:

* **market x**: scale the smart-lab market;
* **contribution / its cost x**: scale one contribution's cost and valuation (e.g. make
  Shanghai University's AI team cheaper to replace);
* **drop**: leave a member out; the others' game is the original one restricted to them
  (they buy what the dropped member brought at its substitute price, if any);
* **tier boundary**: the ASRC-style storage consortium tiers members by revenue; move the
  boundary between the executive and associate tiers and see tiers, fees and votes move."""),
    ("code", '''\
import ipywidgets as widgets
from IPython.display import display

from agreements.tiering import fee_table

TIERED = agreements.load(SCENARIOS / "asrc_storage_tiers.yaml").model_dump(
    mode="json", exclude_none=True)


def shares_after(market=MARKET, contribution=None, cost_scale=1.0, dropped="(none)"):
    """Shares (million CNY) under three game rules after a what-if."""
    g = what_if(market, contribution, cost_scale).game()
    if dropped != "(none)":
        g = g.restrict([m for m in g.players if m != dropped])
    if float(g.grand_value) == 0:
        return pd.DataFrame(0.0, index=list(g.players), columns=["shapley", "banzhaf",
                                                                  "nucleolus"])
    return pd.DataFrame({"shapley": sm.shapley(g), "banzhaf": sm.banzhaf(g),
                         "nucleolus": sm.nucleolus(g)}).astype(float) / 1e6


def tiers_after(boundary=1.0e9):
    """Tier, fee and votes of each ASRC member with the executive tier starting at boundary."""
    d = copy.deepcopy(TIERED)
    levels = {lv["name"]: lv for lv in d["sharing"]["tiers"]["levels"]}
    levels["executive"]["lower"] = levels["associate"]["upper"] = boundary
    table = fee_table(agreements.Agreement.from_mapping(d, source="what-if"))
    return table[["tier", "fee", "votes", "banzhaf"]].assign(
        fee=table["fee"].astype(float), banzhaf=table["banzhaf"].astype(float))


market = widgets.FloatSlider(value=MARKET, min=0.5, max=3.0, step=0.1, description="market x")
contribution = widgets.Dropdown(options=[c.id for c in base.contributions],
                                value="shu_ai_team", description="contribution")
cost = widgets.FloatSlider(value=1.0, min=0.2, max=3.0, step=0.1, description="its cost x")
dropped = widgets.Dropdown(options=["(none)", *base.member_ids], description="drop")
boundary = widgets.FloatLogSlider(value=1e9, base=10, min=8.5, max=9.6, step=0.05,
                                  description="tier boundary")
out = widgets.Output()


def refresh(change=None):
    with out:
        out.clear_output(wait=True)
        display(shares_after(market.value, contribution.value, cost.value, dropped.value)
                .round(2))
        display(tiers_after(boundary.value))


for w in (market, contribution, cost, dropped, boundary):
    w.observe(refresh, names="value")
refresh()
display(widgets.VBox([widgets.HBox([market, cost]), widgets.HBox([contribution, dropped]),
                      boundary, out]))'''),
    ("md", """\
The cell below sets the controls from code, exactly as a click would (each assignment
runs `refresh`), so the notebook test covers the callbacks; then it compares the shares
before and after dropping Taizhou Zecheng, and moves the tier boundary just above
Marvell's revenue, which drops Marvell from the executive to the associate tier."""),
    ("code", '''\
MARVELL = next(m["revenue"] for m in TIERED["members"] if m["id"] == "marvell")
before = shares_after(MARKET)
market.value = MARKET + 0.2
dropped.value = "zecheng"
cost.value = 0.5
boundary.value = 1.05 * MARVELL  # just above Marvell's revenue
after = shares_after(market.value, contribution.value, cost.value, dropped.value)
assert "zecheng" not in after.index and len(out.outputs) > 0
moved = tiers_after(boundary.value)
assert tiers_after(0.95 * MARVELL).loc["marvell", "tier"] == "executive"
assert moved.loc["marvell", "tier"] == "associate"

fig, ax = plt.subplots(figsize=(8, 3.6))
label = f"market x{market.value:.1f}, no Zecheng, AI team cost x{cost.value}"
pd.DataFrame({f"market x{MARKET:.1f}, all four": before["shapley"], label: after["shapley"]}
             ).rename(index=ZH).plot.bar(ax=ax, rot=0)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, fontsize=9)
ax.set_ylabel("Shapley share (million CNY)")
ax.set_title("退出与替代成本的影响 / What-if: drop a member, cheaper substitute")
save(fig, "negotiator_what_if")
plt.show()
moved'''),
]

# ---------------------------------------------------------------------- lawyer
LAWYER = [
    ("md", """\
# Lawyer: from the agreed rule to clauses, in Chinese and English

Once the parties have agreed a sharing rule, it has to be written into the formation
agreement. `agreements.clauses` builds the clauses straight from the scenario file and
the computed shares, under the headings of a model consortium agreement (DESCA), in
Chinese and English side by side, with each stated figure exact (percentages add up to
100.00%) and each clause traced to the scenario field it comes from. This notebook
renders the clause table, exports it to Word and redlines two versions."""),
    ("code", SETUP),
    ("code", '''\
from IPython.display import display

from agreements.clauses import clause_table, compare, export, schedules

PATH = SCENARIOS / "baoshan_medical_devices.yaml"
base = agreements.load(PATH)
print("agreed rule:", base.sharing.method, base.sharing.fixed_shares)'''),
    ("md", """\
## The clause table, Chinese and English side by side

One row per clause, numbered `section.clause`. The title block records the SHA-256 of
the scenario file, so a signed table can be traced to the model it came from."""),
    ("code", '''\
table = clause_table(PATH, lang="zh+en")
print(table.attrs["title"])
print("SHA-256:", table.attrs["sha256"], "of", table.attrs["source"])
table[["标题", "Heading", "数额", "Figures"]].head(12)'''),
    ("md", """\
Section 9 (revenue distribution) states the agreed fixed shares; the figures and the
rule are exact, and the statutory fallback says what applies if a clause is silent."""),
    ("code", '''\
table.loc[[n for n in table.index if n.startswith("9.")], ["条款内容", "Rule", "Figures"]]'''),
    ("md", """\
## A computed rule instead of the agreed one

If the parties adopt a computed rule, pass its shares: here the nucleolus of the Lingang
EDA consortium, stated exactly in clause 9.1 (in Chinese)."""),
    ("code", '''\
lingang_path = SCENARIOS / "lingang_eda.yaml"
lingang = agreements.load(lingang_path)
nucleolus = lingang.shares(methods=["nucleolus"])["nucleolus"]
zh_table = clause_table(lingang_path, allocation=nucleolus, lang="zh")
zh_table.loc[["9.1"], ["标题", "数额"]]'''),
    ("md", """\
## Schedules

The annexes: revenue shares (exact and as stated, with amounts of a total to divide),
and the voting schedule with each party's real voting power (Shapley-Shubik and
Banzhaf indices of the council's weighted vote), which can differ from its vote share."""),
    ("code", '''\
annexes = schedules(PATH, lang="zh+en", total=1_000_000)
display(annexes["revenue_shares"])
annexes["voting"]'''),
    ("code", '''\
fixed = pd.Series(base.sharing.fixed_shares, dtype=float)
fig, ax = plt.subplots(figsize=(7, 3.2))
names = [f"{base.member(m).name.zh}\\n{base.member(m).name.en}" for m in fixed.index]
ax.barh(names, fixed.to_numpy(), color="#1f3864")
for y, v in enumerate(fixed.to_numpy()):
    ax.text(v + 0.5, y, f"{v:.2f}%", va="center")
ax.invert_yaxis()
ax.set_xlabel("收益分配比例 / revenue share (%)")
ax.set_title("第9.1条约定的分配比例 / Shares stated in clause 9.1")
save(fig, "lawyer_shares")
plt.show()'''),
    ("md", """\
## Export to Word

One document: the clause table (split into its numbered sections), then the schedules.
The same tables export to Markdown, HTML, LaTeX, CSV and Excel."""),
    ("code", '''\
docx = export([table, *annexes.values()], FIG_DIR / "baoshan_clauses_zh_en.docx")
print(docx, f"{docx.stat().st_size:,} bytes")'''),
    ("md", """\
## A redline between two versions

Version B raises Shanghai University's share to 25% (Fosun 50%) and gives a defaulting
party 60 days instead of 30 to remedy. `compare` lines up the clauses of the two versions
by what each is about (not by number) and shows `[-deleted-]{+inserted+}`; Chinese text is
compared character by character."""),
    ("code", '''\
data = base.model_dump(mode="json", exclude_none=True)
data["sharing"]["fixed_shares"].update({"fosun_dx": 50, "shu": 25})
data["default"]["remedy_days"] = 60
version_b = agreements.Agreement.from_mapping(data, source="version B")

diff = compare(PATH, version_b, lang="zh")
diff[[diff.columns[2], diff.columns[3], "Redline"]]'''),
    ("code", '''\
diff_en = compare(PATH, version_b, lang="en")
for key, row in diff_en.iterrows():
    print(key, "\\n   ", row["Redline"].splitlines()[0][:200])
redline_docx = export(diff_en, FIG_DIR / "baoshan_redline.docx")
print(redline_docx, f"{redline_docx.stat().st_size:,} bytes")'''),
    ("code", '''\
versions = pd.DataFrame({"A (file)": base.sharing.fixed_shares,
                         "B (proposed)": version_b.sharing.fixed_shares}, dtype=float)
fig, ax = plt.subplots(figsize=(7, 3.2))
versions.rename(index={m.id: m.name.zh for m in base.members}).T.plot.barh(
    stacked=True, ax=ax, colormap="tab20c")
ax.set_xlabel("revenue share (%)")
ax.set_title("两个版本的分配比例 / Shares in the two versions")
ax.legend(ncols=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2))
save(fig, "lawyer_versions")
plt.show()'''),
]

# ---------------------------------------------------------------------- policy researcher
POLICY = [
    ("md", """\
# Policy researcher: risk, levers and formation

Members join a consortium when what they expect to get, adjusted for the risk they
bear, beats their outside option. This notebook simulates the Baoshan consortium's
uncertain R&D (stage success, revenue, defaults) under several sharing rules, looks at
each member's risk, tests the levers a government has (cost subsidy, technology
insurance, milestone awards) and sweeps two levers over synthetic consortia on a local
Dask cluster to see how often consortia form."""),
    ("code", SETUP),
    ("code", '''\
from agreements.risk import risk_case, scenario_point, simulate_agreement
from sharing_models.risk import (
    CostSubsidy,
    MilestoneAward,
    TechnologyInsurance,
    compare_levers,
    least_subsidy_rate,
    risk_summary,
)

a = agreements.load(SCENARIOS / "baoshan_medical_devices.yaml")
ZH = {m.id: m.name.zh for m in a.members}
RULES = ["fixed", "equal", "proportional", "borch"]
DRAWS = 20_000
sim = simulate_agreement(a, draws=DRAWS, seed=0, methods=RULES, progress=False)
summary = risk_summary(sim)
summary[["expected", "prob_loss", "CVaR_0.95", "certainty_equivalent", "outside_option"]]'''),
    ("md", """\
## Risk distributions per member

Each panel is one member's payoff over 20,000 simulated histories, under each rule
(fixed shares as drafted, equal, proportional to contributions, and the Borch rule, which
shares risk in proportion to risk tolerance). The dashed line is the outside option. The
spike at a loss is the history where a stage fails after the member has paid its share."""),
    ("code", '''\
fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), sharey=False)
for ax, member in zip(axes.ravel(), a.member_ids, strict=True):
    for rule in RULES:
        y = sim.payoffs(rule)[member] / 1e6
        ax.hist(y, bins=60, histtype="step", lw=1.3, label=rule, density=True)
    ax.axvline(a.member(member).outside_option / 1e6, ls="--", color="#333", lw=1)
    everything = np.concatenate([sim.payoffs(r)[member] for r in RULES]) / 1e6
    ax.set_xlim(everything.min(), np.percentile(everything, 99.5))  # cut the far tail
    ax.set_ylabel("density")
    ax.set_title(f"{ZH[member]} ({member})")
    ax.set_xlabel("payoff (million CNY)")
axes[0, 0].legend(fontsize=8)
fig.suptitle("各成员收益分布 / Payoff distributions by rule")
fig.tight_layout()
save(fig, "policy_payoff_histograms")
plt.show()'''),
    ("md", """\
## Tail risk: CVaR and the probability of a loss

CVaR 95% is the average loss in the worst 5% of histories (positive = money lost): the
higher the bar, the more a member stands to lose when things go wrong."""),
    ("code", '''\
cvar = summary["CVaR_0.95"].unstack("rule")[RULES].reindex(a.member_ids) / 1e6
ploss = summary["prob_loss"].unstack("rule")[RULES].reindex(a.member_ids)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
cvar.rename(index=ZH).plot.bar(ax=ax1, rot=0)
ax1.set_ylabel("CVaR 95%, loss (million CNY)")
ax1.set_title("尾部风险 / CVaR 95% by rule")
ax1.axhline(0, color="#333", lw=0.6)
ploss.rename(index=ZH).plot.bar(ax=ax2, rot=0, legend=False)
ax2.set_ylabel("P(loss)")
ax2.set_title("亏损概率 / Probability of a loss")
fig.tight_layout()
save(fig, "policy_cvar")
plt.show()'''),
    ("md", """\
## Levers: subsidy, insurance, milestone awards

Every lever is simulated on the *same* draws, so differences are the levers' effects,
not noise. `members_accepting` counts members whose certainty equivalent beats their
outside option; the consortium forms when all four accept. The Baoshan guideline pays
milestone awards when stages succeed."""),
    ("code", '''\
case = risk_case(a, RULES)
levers = {
    "subsidy 30%": CostSubsidy(0.3),
    "insurance 80%": TechnologyInsurance(0.8, premium=1.0e6),
    "milestone awards": MilestoneAward({"t_analysers": 5.0e6, "t_clinical": 5.0e6}),
    "all three": [CostSubsidy(0.3), TechnologyInsurance(0.8, premium=1.0e6),
                  MilestoneAward({"t_analysers": 5.0e6, "t_clinical": 5.0e6})],
}
effects = compare_levers(case.project, case.shares, levers, case.cost_shares,
                         draws=DRAWS, seed=0)
effects[["members_accepting", "refusing", "government_cost", "least_transfer"]]'''),
    ("code", '''\
cost = effects["government_cost"].groupby(level="lever", sort=False).first() / 1e6
accepting = effects["members_accepting"].unstack("rule").reindex(index=cost.index,
                                                                  columns=RULES)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), width_ratios=[3, 2])
im = ax1.imshow(accepting.to_numpy(), cmap="YlGn", vmin=0, vmax=len(a.members))
ax1.set_xticks(range(len(RULES)), RULES, rotation=30, ha="right")
ax1.set_yticks(range(len(accepting)), accepting.index)
for (i, j), k in np.ndenumerate(accepting.to_numpy()):
    ax1.text(j, i, f"{k}/{len(a.members)}", ha="center", va="center",
             color="w" if k > 0.6 * len(a.members) else "k")
ax1.set_title("接受的成员数 / Members accepting")
cost.plot.barh(ax=ax2, color="#7f8c8d")
ax2.invert_yaxis()
ax2.set_xlabel("expected public cost (million CNY)")
ax2.set_title("政府成本 / Government cost")
fig.tight_layout()
save(fig, "policy_levers")
plt.show()'''),
    ("md", """\
The least cost-subsidy rate at which every member accepts each rule (found by bisection
on two simulations, since payoffs are affine in the rate), and what it costs:"""),
    ("code", '''\
least_subsidy_rate(case.project, case.shares, case.cost_shares, draws=DRAWS, seed=0)'''),
    ("md", """\
## A sweep over synthetic consortia on a local Dask cluster

Twelve synthetic consortia (3 to 5 members, random contributions, tasks and markets)
are each simulated at every point of a grid of subsidy rate and insurance coverage. A
consortium *forms* at a point under a rule when no member refuses. Each point gets its
own child seed, so the result is the same on any cluster. The cluster here is small
(2 single-threaded worker processes); pass `scheduler="tcp://host:8786"` to `sweep` for
a real one."""),
    ("code", '''\
import functools
import warnings

from dask.distributed import Client, LocalCluster

from agreements.synthetic import SyntheticConfig, synthetic_agreements
from sharing_models import SuspiciousResultWarning
from sharing_models.sweep import grid, sweep

SWEEP_RULES = ["equal", "proportional", "borch"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SuspiciousResultWarning)
    cases = {s.id: risk_case(s, SWEEP_RULES)
             for s in synthetic_agreements(12, seed=7, config=SyntheticConfig(members=(3, 5)))}
levels = grid(subsidy=[0.0, 0.2, 0.4, 0.6, 0.8], insurance=[0.0, 0.5, 1.0])
points = [{"scenario": name, **p} for name in cases for p in levels]
fn = functools.partial(scenario_point, cases=cases, draws=1_000)

with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \\
        Client(cluster) as client:
    results = sweep(fn, points, seed=0, scheduler=client)
results["formed"] = results["refusing"] == ""
print(f"{len(points)} points, {len(results)} rows")
results.head()'''),
    ("code", '''\
rate = results.pivot_table(index=["rule", "insurance"], columns="subsidy", values="formed",
                           aggfunc="mean")
fig, axes = plt.subplots(1, len(SWEEP_RULES), figsize=(12, 3.6), sharey=True)
for ax, rule in zip(axes, SWEEP_RULES, strict=True):
    part = rate.loc[rule]
    im = ax.imshow(part.to_numpy(), origin="lower", cmap="viridis", vmin=0, vmax=1,
                   aspect="auto")
    ax.set_xticks(range(part.shape[1]), [f"{s:.0%}" for s in part.columns])
    ax.set_yticks(range(part.shape[0]), [f"{c:.0%}" for c in part.index])
    for (i, j), f in np.ndenumerate(part.to_numpy()):
        ax.text(j, i, f"{f:.0%}", ha="center", va="center", color="w" if f < 0.6 else "k",
                fontsize=8)
    ax.set_title(rule)
    ax.set_xlabel("cost subsidy 成本补贴")
axes[0].set_ylabel("insurance coverage 保险")
fig.colorbar(im, ax=axes, label="formation rate 组建率")
fig.suptitle("补贴与保险对组建率的影响 / Formation rate against two levers", y=1.05)
save(fig, "policy_sweep_heatmap")
plt.show()'''),
]

NOTEBOOKS = {"negotiator": NEGOTIATOR, "lawyer": LAWYER, "policy_researcher": POLICY}

#: Figures each notebook writes into FIG_DIR (checked by tests/test_notebooks.py).
FIGURES = {
    "negotiator": ["negotiator_graph.png", "negotiator_shares.png", "negotiator_walk_away.png",
                   "negotiator_core_simplex.png", "negotiator_what_if.png"],
    "lawyer": ["lawyer_shares.png", "lawyer_versions.png", "baoshan_clauses_zh_en.docx",
               "baoshan_redline.docx"],
    "policy_researcher": ["policy_payoff_histograms.png", "policy_cvar.png",
                          "policy_levers.png", "policy_sweep_heatmap.png"],
}


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A notebook (no outputs) from ``(kind, source)`` pairs."""
    nb = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src)
                             for kind, src in cells])
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"},
                   "language_info": {"name": "python"}}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


def render(name: str) -> str:
    """The JSON text of notebook ``name`` as this script writes it."""
    return nbformat.writes(build(NOTEBOOKS[name]), version=4) + "\n"


def main(argv: list[str]) -> int:
    for name in argv or list(NOTEBOOKS):
        (HERE / f"{name}.ipynb").write_text(render(name), encoding="utf-8")
        print(f"wrote notebooks/{name}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
