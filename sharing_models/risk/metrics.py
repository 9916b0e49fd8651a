"""Risk metrics of simulated payoffs: mean, spread, loss probability, VaR, CVaR, CE.

For payoffs :math:`Y` (a loss is :math:`Y < 0`) and level :math:`\\alpha`:

.. math:: \\mathrm{VaR}_\\alpha = -q_{1-\\alpha}(Y), \\qquad
          \\mathrm{CVaR}_\\alpha = -\\mathbb{E}[Y \\mid Y \\le q_{1-\\alpha}(Y)], \\qquad
          \\mathrm{CE}_\\rho = -\\rho \\log \\mathbb{E}\\, e^{-Y/\\rho}

VaR and CVaR are losses (positive = money lost) [RockafellarUryasev2002]_; the
certainty equivalent is that of exponential utility with risk tolerance :math:`\\rho`
[Borch1962]_ (``rho = inf`` gives the mean).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from ..exceptions import InvalidInputError
from .simulate import Simulation

__all__ = ["certainty_equivalent", "cvar", "member_metrics", "risk_summary", "value_at_risk"]


def certainty_equivalent(y: np.ndarray, rho: float | np.ndarray, axis: int = 0) -> np.ndarray:
    """Exponential-utility certainty equivalent of samples ``y`` along ``axis``.

    Computed stably with log-sum-exp; ``rho`` broadcasts against the other axes and
    ``inf`` gives the sample mean.

    >>> float(certainty_equivalent(np.array([0.0, 0.0]), 5.0))
    0.0
    >>> round(float(certainty_equivalent(np.array([-1.0, 1.0]), 1.0)), 4)
    -0.4338
    """
    y = np.asarray(y, dtype=float)
    rho = np.asarray(rho, dtype=float)
    if np.any(~(rho > 0)):
        raise InvalidInputError("risk tolerance must be > 0 (inf for risk-neutral)")
    n = y.shape[axis]
    finite = np.where(np.isfinite(rho), rho, 1.0)
    lse = logsumexp(-np.moveaxis(y, axis, -1) / finite[..., None], axis=-1)
    ce = -finite * (lse - math.log(n))
    return np.asarray(np.where(np.isfinite(rho), ce, y.mean(axis=axis)))


def _tails(y: np.ndarray, levels: Sequence[float]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per level: lower ``(1 - level)`` quantile and mean below it, along axis 0.

    One partition serves every level (``kth`` at each tail size), not a sort.
    """
    bad = [lv for lv in levels if not 0.0 < lv < 1.0]
    if bad:
        raise InvalidInputError(f"VaR/CVaR levels must be in (0, 1); got {bad}")
    n = y.shape[0]
    ks = [max(1, math.ceil(round((1.0 - lv) * n, 9))) for lv in levels]
    part = np.partition(y, sorted({k - 1 for k in ks}), axis=0)
    return [(part[k - 1], part[:k].mean(axis=0)) for k in ks]


def _tail(y: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    return _tails(y, (level,))[0]


def value_at_risk(y: np.ndarray, level: float = 0.95) -> np.ndarray:
    """Empirical VaR: the loss not exceeded with probability ``level``.

    >>> float(value_at_risk(np.arange(-50.0, 50.0), 0.95))
    46.0
    """
    return -_tail(np.asarray(y, dtype=float), level)[0]


def cvar(y: np.ndarray, level: float = 0.95) -> np.ndarray:
    """Empirical CVaR (expected shortfall): mean loss in the worst ``1 - level`` tail.

    >>> float(cvar(np.arange(-50.0, 50.0), 0.95))
    48.0
    """
    return -_tail(np.asarray(y, dtype=float), level)[1]


def member_metrics(y: np.ndarray, rho: np.ndarray, levels: Sequence[float],
                    tol: float) -> dict[str, np.ndarray]:
    """Metrics of every column of a draws x members block."""
    d = y.shape[0]
    mean = y.mean(axis=0)
    out = {
        "expected": mean,
        "std": np.sqrt(((y - mean) ** 2).sum(axis=0) / (d - 1)) if d > 1 else 0.0 * mean,
        "prob_loss": (y < -tol).mean(axis=0),
    }
    for level, (q, tail) in zip(levels, _tails(y, levels), strict=True):
        out[f"VaR_{level:g}"] = -q
        out[f"CVaR_{level:g}"] = -tail
    out["certainty_equivalent"] = certainty_equivalent(y, rho)
    return out


def risk_summary(sim: Simulation, levels: Sequence[float] = (0.95,)) -> pd.DataFrame:
    """Risk metrics of every member under every rule.

    Parameters
    ----------
    sim : Simulation
        Output of :func:`~sharing_models.risk.simulate`.
    levels : sequence of float
        VaR/CVaR confidence levels.

    Returns
    -------
    DataFrame
        Indexed by (``rule``, ``member``); columns ``expected``, ``std``, ``prob_loss``,
        ``VaR_<level>``, ``CVaR_<level>``, ``certainty_equivalent``, ``outside_option``,
        ``ce_surplus`` (CE minus outside option).

    Examples
    --------
    >>> from sharing_models.risk import Fixed, Product, Project, RiskMember, Stage, simulate
    >>> p = Project((Stage("s", 0.5, 10.0),), (Product("x", Fixed(30.0)),),
    ...             (RiskMember("a", 10.0), RiskMember("b")))
    >>> sim = simulate(p, pd.Series({"a": 0.5, "b": 0.5}, name="half"), draws=2000, seed=0)
    >>> float(risk_summary(sim).loc[("half", "a"), "prob_loss"].round(1))
    0.5

    Notes
    -----
    Cost :math:`O(D\\,M R)` time for ``D`` draws (quantiles by partition, not sort).
    """
    if not isinstance(sim, Simulation):
        raise InvalidInputError("risk_summary needs a Simulation from simulate()")
    r = sim.payoff.shape[2]
    tol = 1e-9 * max(1.0, float(np.abs(sim.outcome).max()))
    blocks = [member_metrics(sim.payoff[:, :, j], sim.risk_tolerance, levels, tol)
              for j in range(r)]  # one rule at a time: temporaries of D x M, not D x M x R
    cols = {key: np.concatenate([blk[key] for blk in blocks]) for key in blocks[0]}
    cols["outside_option"] = np.tile(sim.outside_option, r)
    cols["ce_surplus"] = cols["certainty_equivalent"] - cols["outside_option"]
    index = pd.MultiIndex.from_product([sim.rules, sim.members], names=["rule", "member"])
    return pd.DataFrame(cols, index=index)
