"""Vectorised Monte Carlo of a stage-gated project and of each member's net payoff.

For every draw the project is played out (stage successes, overruns, member defaults,
product revenues, policy levers) and the consortium's net outcome

.. math:: X = \\sum_p R_p + T - \\sum_k (C_k - G_k) - C_0

(revenue, procurement top-up ``T``, stage costs ``C_k`` less government relief ``G_k``,
and the project's sure ``upfront_cost`` :math:`C_0`)
is divided among members under each sharing rule ``r``:

.. math:: Y_{ir} = s^{\\text{eff}}_{ir} \\Big(\\sum_p R_p + T\\Big) + b_{ir}
          - \\sum_k w_{ik}\\,(C_k - G_k) - c_{ir} C_0

where ``s_eff`` is the rule's revenue share after the default clause, ``b`` optional side
payments summing to 0, and ``w_ik`` member ``i``'s cost share among the members still
active at stage ``k`` (``c_ir`` its cost share at the start). Members' payoffs sum to
``X`` in every draw. The copula and the risk model are described in
:mod:`sharing_models.risk.model`; see [Borch1962]_.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .._kernels.parquet import ParquetSink
from .._kernels.progress import bar_options
from ..exceptions import InvalidInputError
from .frames import tidy
from .kernel import Kernel
from .levers import Lever
from .model import Project

__all__ = ["Simulation", "simulate"]

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
        return tidy(self.payoff, self.outcome, self.members, self.rules, 0)

    def to_parquet(self, path: str | Path, chunk_size: int = 200_000,
                   metadata: Mapping[str, str] | None = None) -> None:
        """Write :meth:`to_frame` to Parquet in chunks of draws (bounded memory), with
        ``metadata`` (a provenance record, say) in the file's key-value metadata."""
        with ParquetSink(path, metadata) as sink:
            for start in range(0, self.draws, chunk_size):
                stop = min(start + chunk_size, self.draws)
                sink.write(tidy(self.payoff[start:stop], self.outcome[start:stop],
                                 self.members, self.rules, start))


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
    metadata: Mapping[str, str] | None = None,
    unit: str = "",
) -> Simulation | None:
    """Simulate ``draws`` runs of ``project`` and every member's payoff under every rule.

    Parameters
    ----------
    project : Project
        The stage-gated risk model.
    shares : DataFrame, Series or mapping
        Revenue shares, members (index) x rules (columns); a Series is one rule.
    cost_shares : Series, mapping or DataFrame, optional
        Each member's share of stage costs (sums to 1): one vector for every rule, or a
        members x rules table when rules split costs differently; equal by default.
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
        Stream the tidy per-draw table to this Parquet file, chunk by chunk (to a
        temporary file beside it, renamed to ``out`` when every draw is written).
    keep : bool
        Keep the per-draw arrays in memory (``draws * members * rules * 8`` bytes); with
        ``keep=False`` only ``out`` is written and ``None`` is returned.
    metadata : mapping of str to str, optional
        Key-value metadata of the ``out`` file (seed, levers, input hashes: a provenance
        record such as :func:`agreements.scenario.provenance.provenance` makes).
    unit : str
        The unit of money, named in the ``out`` file's money columns (``"cny"``:
        ``payoff_cny``, ``outcome_cny``); default plain ``payoff``, ``outcome``.

    Returns
    -------
    Simulation or None

    Raises
    ------
    InvalidInputError
        Malformed shares, cost shares, transfers, levers or sizes. ``out`` is written
        all or nothing: on an error or ``KeyboardInterrupt`` no file is left at ``out``
        (the chunks went to a temporary file beside it, now deleted) and the exception is
        re-raised.

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
    kernel = Kernel(project, shares, cost_shares, transfers, list(levers))
    if not (isinstance(draws, (int, np.integer)) and draws > 0):
        raise InvalidInputError(f"draws must be a positive integer; got {draws!r}")
    if not (isinstance(chunk_size, (int, np.integer)) and chunk_size > 0):
        raise InvalidInputError(f"chunk_size must be a positive integer; got {chunk_size!r}")
    if not keep and out is None:
        raise InvalidInputError("keep=False needs an 'out' Parquet path to write to")
    norm_rng, aux_rng = _streams(seed)
    m, r = len(kernel.members), len(kernel.rules)
    acc = _Accumulator(draws, m, r) if keep else None
    show = progress if progress is not None else (draws >= 200_000 and sys.stderr.isatty())
    with ParquetSink(out, metadata) as sink, tqdm(total=draws, disable=not show, unit="draw",
                                                   **bar_options()) as bar:
        for start in range(0, draws, chunk_size):
            b = min(chunk_size, draws - start)
            view = acc.payoff[start:start + b] if acc is not None else np.empty((b, m, r))
            totals = kernel.run(norm_rng, aux_rng, view)
            if acc is not None:
                acc.totals[:, start:start + b] = totals
            if out is not None:
                sink.write(tidy(view, totals[0], kernel.members, kernel.rules, start,
                                unit))
            bar.update(b)
    if acc is None:
        return None
    return Simulation(kernel.members, kernel.rules, *acc.arrays(), kernel.rho, kernel.outside)


class _Accumulator:
    """Per-draw output arrays, filled chunk by chunk in place."""

    def __init__(self, draws: int, m: int, r: int) -> None:
        self.payoff = np.empty((draws, m, r))
        self.totals = np.empty((4, draws))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        outcome, revenue, cost, government = self.totals
        return self.payoff, outcome, revenue, cost, government


def _streams(seed: SeedLike) -> list[np.random.Generator]:
    """Two independent generators (normals, default timing) from ``seed``.

    A ``SeedSequence`` is copied first: spawning from it would change it, and the same
    ``SeedSequence`` must give the same draws every time it is passed.
    """
    if isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key,
                                      pool_size=seed.pool_size)
    return np.random.default_rng(seed).spawn(2)
