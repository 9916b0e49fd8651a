"""The per-chunk computation of :func:`~sharing_models.risk.simulate`.

One call of :meth:`Kernel.run` draws a chunk of copula normals, plays the stage-gated
project out (defaults, successes, overruns, market success, revenue, timing), stage by
stage in list order along its dependency graph (a stage is attempted when some member
is still active and every requirement is met: each required stage succeeded, and at
least one stage of each required OR-group succeeded), applies
the levers and writes every member's payoff under every rule; see
:mod:`sharing_models.risk.simulate` for the formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ..exceptions import InvalidInputError
from .frames import as_rules, transfers_array
from .levers import Draws, Lever
from .model import Project

__all__ = ["Kernel"]


class Kernel:
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
        self.c = _cost_matrix(cost_shares, self.members, s.columns)  # (M, R)
        self.b = transfers_array(transfers, self.members, s.columns)
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
        self.requires = project.requirements
        self.after = [project.product_stages(pr) for pr in project.products]

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
            reached[:, j] = _met(success, self.after[j])
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
        any_active = np.arange(k)[None, :] < dstage.max(axis=1)[:, None]  # (B, K)
        ok, overrun = self._stages(z, b)
        attempted, success = self._gates(ok, any_active)
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
        self._allocate(net, cost, total_rev, dstage, out)
        net_total = net.sum(axis=1)
        if self.p.upfront_cost:
            out -= self.p.upfront_cost * self.c[None]
            net_total += self.p.upfront_cost
        return total_rev - net_total, total_rev, net_total, gov

    def _gates(self, ok: np.ndarray, any_active: np.ndarray) -> tuple[np.ndarray, ...]:
        """Attempted and succeeded stages (B, K): stage ``j`` is attempted when a member
        is active and every requirement is met (a required stage succeeded, or some stage
        of a required OR-group did; they come earlier in the list)."""
        attempted = np.empty_like(ok)
        success = np.empty_like(ok)
        for j, req in enumerate(self.requires):
            attempted[:, j] = any_active[:, j] & _met(success[:, :j], req)
            success[:, j] = attempted[:, j] & ok[:, j]
        return attempted, success

    def _allocate(self, net: np.ndarray, cost: np.ndarray, total_rev: np.ndarray,
                  dstage: np.ndarray, out: np.ndarray) -> None:
        """Payoffs (B, M, R) into ``out``: the no-default formula, then default rows."""
        np.multiply(total_rev[:, None, None], self.s[None], out=out)
        out += self.b[None] - net.sum(axis=1)[:, None, None] * self.c[None]
        rows = np.flatnonzero((dstage < cost.shape[1]).any(axis=1))
        if rows.size:
            out[rows] = self._with_defaults(net[rows], cost[rows], total_rev[rows],
                                            dstage[rows])

    def _with_defaults(self, net: np.ndarray, cost: np.ndarray, total_rev: np.ndarray,
                       dstage: np.ndarray) -> np.ndarray:
        """Payoffs of draws where someone defaulted: cost shares among active members,
        revenue shares after the default clause (batched matrix products)."""
        k = cost.shape[1]  # member m is active at stage j < dstage[m]
        act = (np.arange(k)[None, None, :] < dstage[:, :, None]).astype(float)  # (B, M, K)
        weight = self.c[None, :, None, :] * act[:, :, :, None]  # (B, M, K, R)
        denom = weight.sum(axis=1)  # (B, K, R)
        if (none := (denom <= 0) & (act.sum(axis=1) > 0)[:, :, None]).any():
            # only members with a zero cost share are left: they split the stage equally
            weight = np.where(none[:, None], act[:, :, :, None], weight)
            denom = weight.sum(axis=1)
        per_unit = np.divide(net[:, :, None], denom, out=np.zeros_like(denom), where=denom > 0)
        member_cost = np.einsum("bmkr,bkr->bmr", weight, per_unit)
        f = self._keep_factor(cost, act, dstage)  # (B, M)
        ws = f @ self.s  # (B, R): the rule's share weights still held
        with np.errstate(over="ignore", invalid="ignore"):
            scale = np.divide(total_rev[:, None], ws, out=np.zeros_like(ws), where=ws > 0)
            pay = f[:, :, None] * scale[:, None, :] * self.s[None]
        if not np.isfinite(scale).all():  # ws so tiny (subnormal) that 1 / ws overflows
            bi, ri = np.nonzero(~np.isfinite(scale))
            pay[bi, :, ri] = (total_rev[bi, None] * (f[bi] * self.s[:, ri].T)
                              / ws[bi, ri, None])
        lost = np.argwhere(ws <= 0)  # everyone with a share forfeited it: keep the rule
        if lost.size:
            pay[lost[:, 0], :, lost[:, 1]] = total_rev[lost[:, 0], None] * self.s[:, lost[:, 1]].T
        pay += self.b[None] - member_cost
        return np.asarray(pay)

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
        paid = np.matmul(active, cost[:, :, None])[:, :, 0]
        frac = np.divide(paid, total, out=np.ones_like(paid), where=total > 0)
        return np.where(defaulted, frac, 1.0)


def _met(success: np.ndarray, requirements: tuple[int | tuple[int, ...], ...]) -> np.ndarray:
    """Draws (B,) in which every requirement is met: the stage at a position succeeded,
    and some stage of each OR-group (a tuple of positions) did."""
    met = np.ones(success.shape[0], dtype=bool)
    for e in requirements:
        met &= success[:, e] if isinstance(e, int) else success[:, list(e)].any(axis=1)
    return met


def _cost_matrix(cost_shares: Any, members: tuple[str, ...], rules: pd.Index) -> np.ndarray:
    """Cost shares as members x rules: one vector for every rule (equal by default), or
    a table with one column per rule."""
    if isinstance(cost_shares, pd.DataFrame):
        c = as_rules(cost_shares, members, "cost_shares")
        if set(c.columns) != set(rules):
            raise InvalidInputError(f"cost_shares as a table need one column per rule "
                                    f"{list(rules)}; got {list(c.columns)}")
        return c[list(rules)].to_numpy(dtype=float)
    if cost_shares is None:
        cost_shares = pd.Series(1.0 / len(members), index=list(members))
    col = as_rules(pd.Series(cost_shares, name="cost"), members, "cost_shares").to_numpy()
    return np.repeat(col, len(rules), axis=1)
