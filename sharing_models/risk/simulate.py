"""Vectorised Monte Carlo of a stage-gated project and of each member's net payoff.

For every draw the project is played out (stage successes, overruns, member defaults,
product revenues, policy levers) and the consortium's net outcome

.. math:: X = \\sum_p R_p + T - \\sum_k (C_k - G_k)

(revenue, procurement top-up ``T``, stage costs ``C_k`` less government relief ``G_k``)
is divided among members under each sharing rule ``r``:

.. math:: Y_{ir} = s^{\\text{eff}}_{ir} \\Big(\\sum_p R_p + T\\Big) + b_{ir}
          - \\sum_k w_{ik}\\,(C_k - G_k)

where ``s_eff`` is the rule's revenue share after the default clause, ``b`` optional side
payments summing to 0, and ``w_ik`` member ``i``'s cost share among the members still
active at stage ``k``. Members' payoffs sum to ``X`` in every draw. The copula and the
risk model are described in :mod:`sharing_models.risk.model`; see [Borch1962]_.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special
from tqdm.auto import tqdm

from ..exceptions import InvalidInputError
from .levers import Draws, Lever
from .model import Project

__all__ = ["Simulation", "as_rules", "simulate"]

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


@dataclass(frozen=True, eq=False)
class Simulation:
    """Per-draw outcomes: ``payoff[d, i, r]`` of member ``i`` under rule ``r`` in draw ``d``.

    ``outcome``, ``revenue``, ``cost`` and ``government`` are per-draw consortium totals
    (revenue includes top-ups, cost is net of relief; ``government`` is public money).
    """

    members: tuple[str, ...]
    rules: tuple[str, ...]
    payoff: np.ndarray
    outcome: np.ndarray
    revenue: np.ndarray
    cost: np.ndarray
    government: np.ndarray
    risk_tolerance: np.ndarray
    outside_option: np.ndarray

    @property
    def draws(self) -> int:
        """Number of draws."""
        return int(self.outcome.shape[0])

    def payoffs(self, rule: str) -> pd.DataFrame:
        """Draws x members payoff table of one rule."""
        if rule not in self.rules:
            raise InvalidInputError(f"unknown rule {rule!r}; rules are {list(self.rules)}")
        r = self.rules.index(rule)
        return pd.DataFrame(self.payoff[:, :, r], columns=pd.Index(self.members, name="member"))

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per draw, rule and member (``payoff``, draw's ``outcome``)."""
        return _tidy(self.payoff, self.outcome, self.members, self.rules, 0)

    def to_parquet(self, path: str | Path, chunk_size: int = 200_000) -> None:
        """Write :meth:`to_frame` to Parquet in chunks of draws (bounded memory)."""
        with _ParquetSink(path) as sink:
            for start in range(0, self.draws, chunk_size):
                stop = min(start + chunk_size, self.draws)
                sink.write(_tidy(self.payoff[start:stop], self.outcome[start:stop],
                                 self.members, self.rules, start))


def as_rules(shares: Any, members: Sequence[str], what: str = "shares") -> pd.DataFrame:
    """Check and order a members x rules share table (a Series is one rule).

    Shares must be non-negative and sum to 1 in every rule.

    >>> as_rules(pd.Series({"b": 0.25, "a": 0.75}, name="r"), ["a", "b"])["r"].tolist()
    [0.75, 0.25]
    """
    df = _members_frame(shares, members, what)
    if (df.to_numpy() < 0).any():
        raise InvalidInputError(f"{what} must be non-negative")
    sums = df.sum(axis=0)
    bad = sums[(sums - 1.0).abs() > 1e-6]
    if len(bad):
        raise InvalidInputError(f"{what} must sum to 1 in every rule; got {bad.to_dict()}")
    return df


def simulate(
    project: Project,
    shares: Any,
    cost_shares: Any = None,
    *,
    draws: int = 10_000,
    seed: SeedLike = None,
    levers: Iterable[Lever] = (),
    transfers: Any = None,
    chunk_size: int = 100_000,
    progress: bool | None = None,
    out: str | Path | None = None,
    keep: bool = True,
) -> Simulation | None:
    """Simulate ``draws`` runs of ``project`` and every member's payoff under every rule.

    Parameters
    ----------
    project : Project
        The stage-gated risk model.
    shares : DataFrame, Series or mapping
        Revenue shares, members (index) x rules (columns); a Series is one rule.
    cost_shares : Series or mapping, optional
        Each member's share of stage costs (sums to 1); equal shares by default.
    draws : int
        Number of Monte Carlo draws.
    seed : int, SeedSequence or Generator, optional
        Randomness; the same seed gives the same result whatever ``chunk_size``.
    levers : iterable of Lever
        Policy levers applied in every draw (effects add up).
    transfers : DataFrame, optional
        Fixed side payments, members x rules, each column summing to 0.
    chunk_size : int
        Draws simulated at once; peak memory of the temporaries is about
        ``chunk_size * members * (rules + stages) * 8`` bytes.
    progress : bool, optional
        Show a tqdm bar on stderr (default: only for 200,000 draws or more on a TTY).
    out : path, optional
        Stream the tidy per-draw table to this Parquet file, chunk by chunk.
    keep : bool
        Keep the per-draw arrays in memory (``draws * members * rules * 8`` bytes); with
        ``keep=False`` only ``out`` is written and ``None`` is returned.

    Returns
    -------
    Simulation or None

    Raises
    ------
    InvalidInputError
        Malformed shares, cost shares, transfers, levers or sizes. On
        ``KeyboardInterrupt`` the Parquet file holds every finished chunk and the
        interrupt is re-raised.

    Examples
    --------
    >>> from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage
    >>> p = Project((Stage("build", 0.5, 10.0),), (Product("sale", Fixed(30.0)),),
    ...             (RiskMember("a"), RiskMember("b")))
    >>> sim = simulate(p, pd.DataFrame({"equal": [0.5, 0.5]}, index=["a", "b"]),
    ...                draws=1000, seed=1)
    >>> sorted(set(sim.payoffs("equal")["a"].round(2)))
    [-5.0, 10.0]
    >>> bool(np.allclose(sim.payoff.sum(axis=1)[:, 0], sim.outcome))
    True

    Notes
    -----
    Cost :math:`O(D\\,(V + M K + M R))` for ``D`` draws, ``V`` copula variables, ``M``
    members, ``K`` stages and ``R`` rules, all in numpy array operations per chunk.
    """
    kernel = _Kernel(project, shares, cost_shares, transfers, list(levers))
    if not (isinstance(draws, (int, np.integer)) and draws > 0):
        raise InvalidInputError(f"draws must be a positive integer; got {draws!r}")
    if not (isinstance(chunk_size, (int, np.integer)) and chunk_size > 0):
        raise InvalidInputError(f"chunk_size must be a positive integer; got {chunk_size!r}")
    if not keep and out is None:
        raise InvalidInputError("keep=False needs an 'out' Parquet path to write to")
    norm_rng, aux_rng = np.random.default_rng(seed).spawn(2)
    m, r = len(kernel.members), len(kernel.rules)
    acc = _Accumulator(draws, m, r) if keep else None
    show = progress if progress is not None else (draws >= 200_000 and sys.stderr.isatty())
    with _ParquetSink(out) as sink, tqdm(total=draws, disable=not show, unit="draw",
                                          file=sys.stderr, leave=False) as bar:
        for start in range(0, draws, chunk_size):
            b = min(chunk_size, draws - start)
            view = acc.payoff[start:start + b] if acc is not None else np.empty((b, m, r))
            totals = kernel.run(norm_rng, aux_rng, view)
            if acc is not None:
                acc.totals[:, start:start + b] = totals
            if out is not None:
                sink.write(_tidy(view, totals[0], kernel.members, kernel.rules, start))
            bar.update(b)
    if acc is None:
        return None
    return Simulation(kernel.members, kernel.rules, *acc.arrays(), kernel.rho, kernel.outside)


class _Kernel:
    """Validated inputs and the per-chunk computation."""

    def __init__(self, project: Project, shares: Any, cost_shares: Any, transfers: Any,
                 levers: list[Lever]) -> None:
        if not isinstance(project, Project):
            raise InvalidInputError(f"project must be a Project; got {type(project).__name__}")
        self.p = project
        self.members = project.member_names
        s = as_rules(shares, self.members)
        self.rules = tuple(str(c) for c in s.columns)
        self.s = s.to_numpy(dtype=float)
        if cost_shares is None:
            cost_shares = pd.Series(1.0 / len(self.members), index=list(self.members))
        self.c = as_rules(pd.Series(cost_shares, name="cost"), self.members,
                          "cost_shares").to_numpy()[:, 0]
        self.b = _transfers(transfers, self.members, s.columns)
        for lever in levers:
            if not isinstance(lever, Lever):
                raise InvalidInputError(f"levers must be Lever objects; got {lever!r}")
            lever.validate(project)
        self.levers = levers
        self.rho = np.array([mb.risk_tolerance for mb in project.members], dtype=float)
        self.outside = np.array([mb.outside_option for mb in project.members], dtype=float)
        corr = project.correlation_matrix()
        self.nvar = corr.shape[0]
        w, v = np.linalg.eigh(corr)
        self.chol = None if not project.correlations else v * np.sqrt(np.clip(w, 0, None))
        self.col = {name: i for i, name in enumerate(project.variables)}
        rate = project.discount_rate
        self.stage_df = np.array([(1 + rate) ** -s.year for s in project.stages])

    def _z(self, name: str, b: int, z: np.ndarray) -> np.ndarray | None:
        i = self.col.get(name)
        return None if i is None else z[:, i]

    def _stages(self, z: np.ndarray, b: int) -> tuple[np.ndarray, np.ndarray]:
        k = len(self.p.stages)
        success = np.empty((b, k), dtype=bool)
        overrun = np.empty((b, k))
        for j, st in enumerate(self.p.stages):
            zs = self._z(f"success:{st.name}", b, z)
            success[:, j] = st.probability >= 1.0 if zs is None else (
                zs > special.ndtri(1.0 - st.probability))
            zo = self._z(f"overrun:{st.name}", b, z)
            overrun[:, j] = st.overrun.from_normal(np.zeros(b) if zo is None else zo)
        return success, overrun

    def _defaults(self, z: np.ndarray, aux: np.ndarray) -> np.ndarray:
        """Stage at which each member defaults (``K`` = never), shape (B, M)."""
        k = len(self.p.stages)
        stage = np.minimum((aux * k).astype(np.int64), k - 1)
        out = np.full(aux.shape, k, dtype=np.int64)
        for i, mb in enumerate(self.p.members):
            zd = self._z(f"default:{mb.name}", aux.shape[0], z)
            if zd is not None:
                hit = zd > special.ndtri(1.0 - mb.default_probability)
                out[:, i] = np.where(hit, stage[:, i], k)
        return out

    def _products(self, z: np.ndarray, success: np.ndarray) -> tuple[np.ndarray, ...]:
        b = z.shape[0]
        n = len(self.p.products)
        rev, reached, disc = np.zeros((b, n)), np.zeros((b, n), dtype=bool), np.ones((b, n))
        for j, pr in enumerate(self.p.products):
            reached[:, j] = success[:, self.p.stage_index(pr.after)]
            zm = self._z(f"market:{pr.name}", b, z)
            if zm is not None:
                reached[:, j] &= zm > special.ndtri(1.0 - pr.probability)
            elif pr.probability <= 0.0:
                reached[:, j] = False
            zr, zd = self._z(f"revenue:{pr.name}", b, z), self._z(f"delay:{pr.name}", b, z)
            amount = pr.revenue.from_normal(np.zeros(b) if zr is None else zr)
            delay = pr.delay.from_normal(np.zeros(b) if zd is None else zd)
            disc[:, j] = (1.0 + self.p.discount_rate) ** -(pr.year + np.maximum(delay, 0.0))
            rev[:, j] = np.where(reached[:, j], amount * disc[:, j], 0.0)
        return rev, reached, disc

    def run(self, norm_rng: np.random.Generator, aux_rng: np.random.Generator,
            out: np.ndarray) -> tuple[np.ndarray, ...]:
        """Simulate ``len(out)`` draws, payoffs into ``out`` (B, M, R); per-draw totals."""
        b = out.shape[0]
        z = norm_rng.standard_normal((b, self.nvar))
        if self.chol is not None:
            z = z @ self.chol.T
        aux = aux_rng.random((b, len(self.members)))
        k = len(self.p.stages)
        dstage = self._defaults(z, aux)
        active = np.arange(k)[None, None, :] < dstage[:, :, None]  # (B, M, K)
        any_active = active.any(axis=1)
        ok, overrun = self._stages(z, b)
        ok &= any_active
        before = np.concatenate([np.ones((b, 1), dtype=bool),
                                 np.cumprod(ok, axis=1, dtype=bool)[:, :-1]], axis=1)
        attempted = before & any_active
        success = attempted & ok
        planned = np.array([st.cost for st in self.p.stages])
        cost = np.where(attempted, planned * overrun * self.stage_df, 0.0)
        rev, reached, disc = self._products(z, success)
        draws = Draws(attempted, success, cost, rev, reached, self.stage_df, disc)
        relief, topup = np.zeros_like(cost), np.zeros_like(rev)
        for lever in self.levers:
            eff = lever.apply(draws, self.p)
            relief += eff.cost_relief
            topup += eff.revenue_topup
        gov = relief.sum(axis=1) + topup.sum(axis=1)
        total_rev = (rev + topup).sum(axis=1)
        net = cost - relief
        self._allocate(net, cost, total_rev, active, dstage, out)
        net_total = net.sum(axis=1)
        return total_rev - net_total, total_rev, net_total, gov

    def _allocate(self, net: np.ndarray, cost: np.ndarray, total_rev: np.ndarray,
                  active: np.ndarray, dstage: np.ndarray, out: np.ndarray) -> None:
        """Payoffs (B, M, R) into ``out``: the no-default formula, then default rows."""
        np.multiply(total_rev[:, None, None], self.s[None], out=out)
        out += self.b[None]
        out -= (net.sum(axis=1)[:, None] * self.c[None, :])[:, :, None]
        rows = np.flatnonzero((dstage < cost.shape[1]).any(axis=1))
        if rows.size:
            out[rows] = self._with_defaults(net[rows], cost[rows], total_rev[rows],
                                            active[rows], dstage[rows])

    def _with_defaults(self, net: np.ndarray, cost: np.ndarray, total_rev: np.ndarray,
                       active: np.ndarray, dstage: np.ndarray) -> np.ndarray:
        """Payoffs of draws where someone defaulted: cost shares among active members,
        revenue shares after the default clause."""
        cw = self.c[None, :, None] * active
        denom = cw.sum(axis=1, keepdims=True)
        cw = np.divide(cw, denom, out=np.zeros_like(cw), where=denom > 0)
        member_cost = np.einsum("bmk,bk->bm", cw, net)
        f = self._keep_factor(cost, active, dstage)
        w = self.s[None] * f[:, :, None]
        ws = w.sum(axis=1, keepdims=True)
        eff = np.divide(w, ws, out=np.broadcast_to(self.s, w.shape).copy(), where=ws > 0)
        return total_rev[:, None, None] * eff + self.b[None] - member_cost[:, :, None]

    def _keep_factor(self, cost: np.ndarray, active: np.ndarray, dstage: np.ndarray) -> np.ndarray:
        """Share of its revenue share a member keeps under the default clause, (B, M)."""
        k = cost.shape[1]
        defaulted = dstage < k
        clause = self.p.default_clause
        if not isinstance(clause, str):
            return np.where(defaulted, 1.0 - float(clause), 1.0)
        if clause == "keep":
            return np.ones(dstage.shape)
        if clause == "forfeit":
            return np.where(defaulted, 0.0, 1.0)
        total = cost.sum(axis=1, keepdims=True)
        paid = np.einsum("bmk,bk->bm", active, cost)
        frac = np.divide(paid, total, out=np.ones_like(paid), where=total > 0)
        return np.where(defaulted, frac, 1.0)


class _Accumulator:
    """Per-draw output arrays, filled chunk by chunk in place."""

    def __init__(self, draws: int, m: int, r: int) -> None:
        self.payoff = np.empty((draws, m, r))
        self.totals = np.empty((4, draws))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return (self.payoff, *self.totals)


class _ParquetSink:
    """Append DataFrames to one Parquet file (no-op when ``path`` is None)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = path
        self.writer: Any = None

    def __enter__(self) -> _ParquetSink:
        return self

    def write(self, df: pd.DataFrame) -> None:
        if self.path is None:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            table = pa.Table.from_pandas(df, preserve_index=False)
            self.writer = pq.ParquetWriter(str(self.path), table.schema)
        else:  # later chunks follow the first chunk's schema (e.g. int -> float)
            table = pa.Table.from_pandas(df, schema=self.writer.schema, preserve_index=False)
        self.writer.write_table(table)

    def __exit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()


def _tidy(payoff: np.ndarray, outcome: np.ndarray, members: Sequence[str],
          rules: Sequence[str], start: int) -> pd.DataFrame:
    b, m, r = payoff.shape
    draw = np.repeat(np.arange(start, start + b), m * r)
    return pd.DataFrame({
        "draw": draw,
        "member": pd.Categorical.from_codes(np.tile(np.repeat(np.arange(m), r), b),
                                            categories=list(members)),
        "rule": pd.Categorical.from_codes(np.tile(np.arange(r), b * m), categories=list(rules)),
        "payoff": payoff.reshape(-1),
        "outcome": np.repeat(outcome, m * r),
    })


def _members_frame(data: Any, members: Sequence[str], what: str) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        df = data.to_frame(name=data.name if data.name is not None else "rule")
    elif isinstance(data, pd.DataFrame):
        df = data
    elif isinstance(data, Mapping):
        df = pd.DataFrame(dict(data))
    else:
        raise InvalidInputError(f"{what} must be a DataFrame (members x rules), a Series "
                                f"or a mapping; got {type(data).__name__}")
    idx = [str(i) for i in df.index]
    missing = [x for x in members if x not in idx]
    extra = [x for x in idx if x not in members]
    if missing or extra or len(idx) != len(members):
        raise InvalidInputError(
            f"{what} must have one row per member {list(members)}; "
            f"missing {missing}, unknown {extra}")
    df = df.copy()
    df.index = idx
    try:
        df = df.loc[list(members)].astype(float)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} must be numbers: {exc}") from None
    if not np.isfinite(df.to_numpy()).all():
        raise InvalidInputError(f"{what} must be finite numbers")
    return df


def _transfers(data: Any, members: Sequence[str], rules: pd.Index) -> np.ndarray:
    if data is None:
        return np.zeros((len(members), len(rules)))
    df = _members_frame(data, members, "transfers")
    if list(df.columns) != list(rules):
        df = df.reindex(columns=rules)
        if df.isna().to_numpy().any():
            raise InvalidInputError(f"transfers need one column per rule {list(rules)}")
    sums = df.sum(axis=0)
    if (sums.abs() > 1e-6 * max(1.0, float(df.abs().to_numpy().max()))).any():
        raise InvalidInputError(f"transfers must sum to 0 in every rule; got {sums.to_dict()}")
    return df.to_numpy(dtype=float)
