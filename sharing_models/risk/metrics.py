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

__all__ = ["ce_influence", "certainty_equivalent", "cvar", "member_metrics", "risk_summary",
           "value_at_risk"]


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


def ce_influence(y: np.ndarray, rho: float | np.ndarray) -> np.ndarray:
    """Per-draw influence of each column of ``y`` (draws x members) on its certainty
    equivalent: ``std(influence) / sqrt(D)`` is the CE's Monte Carlo standard error, and
    the influences of several members add up to that of their total CE.

    By the delta method, :math:`\\mathrm{CE} = -\\rho \\log \\bar{e}` with
    :math:`e = e^{-Y/\\rho}` has influence :math:`-\\rho\\, e / \\bar{e}` (shifted in the
    exponent for stability; the ratio does not change); ``rho = inf`` gives ``y``.

    >>> y = np.array([[0.0], [2.0]])
    >>> ce_influence(y, np.array([np.inf]))[:, 0].tolist()
    [0.0, 2.0]
    """
    y = np.asarray(y, dtype=float)
    rho = np.broadcast_to(np.asarray(rho, dtype=float), y.shape[1:])
    finite = np.isfinite(rho)
    safe = np.where(finite, rho, 1.0)
    z = -y / safe
    e = np.exp(z - z.max(axis=0))
    infl = -safe * e / e.mean(axis=0)
    return np.where(finite, infl, y)


def member_metrics(y: np.ndarray, rho: np.ndarray, levels: Sequence[float],
                    tol: float) -> dict[str, np.ndarray]:
    """Metrics of every column of a draws x members block, with the Monte Carlo
    standard errors (``_se``) of the mean, the loss probability and the CE."""
    d = y.shape[0]
    mean = y.mean(axis=0)
    std = np.sqrt(((y - mean) ** 2).sum(axis=0) / (d - 1)) if d > 1 else 0.0 * mean
    loss = (y < -tol).mean(axis=0)
    out = {
        "expected": mean,
        "expected_se": std / math.sqrt(d),
        "std": std,
        "prob_loss": loss,
        "prob_loss_se": np.sqrt(loss * (1.0 - loss) / d),
    }
    for level, (q, tail) in zip(levels, _tails(y, levels), strict=True):
        out[f"VaR_{level:g}"] = -q
        out[f"CVaR_{level:g}"] = -tail
    out["certainty_equivalent"], out["certainty_equivalent_se"] = _ce_with_se(y, rho)
    return out


def _ce_with_se(y: np.ndarray, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Certainty equivalents of the columns of ``y`` and their delta-method standard
    errors from one exponential per entry (as :func:`certainty_equivalent` and
    :func:`ce_influence`, without computing it twice)."""
    rho = np.broadcast_to(np.asarray(rho, dtype=float), y.shape[1:])
    if np.any(~(rho > 0)):
        raise InvalidInputError("risk tolerance must be > 0 (inf for risk-neutral)")
    d = y.shape[0]
    finite = np.isfinite(rho)
    safe = np.where(finite, rho, 1.0)
    z = -y / safe
    top = z.max(axis=0)
    e = np.exp(z - top)
    mean = e.mean(axis=0)
    ce = np.where(finite, -safe * (np.log(mean) + top), y.mean(axis=0))
    if d < 2:
        return ce, np.full(ce.shape, np.nan)
    se = np.where(finite, safe * e.std(axis=0, ddof=1) / mean, y.std(axis=0, ddof=1))
    return ce, se / math.sqrt(d)


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
        Indexed by (``rule``, ``member``); columns ``expected``, ``expected_se``,
        ``std``, ``prob_loss``, ``prob_loss_se``, ``VaR_<level>``, ``CVaR_<level>``,
        ``certainty_equivalent``, ``certainty_equivalent_se``, ``outside_option``,
        ``ce_surplus`` (CE minus outside option). ``_se`` columns are the Monte Carlo
        standard errors of the column before them (of a mean, of a proportion, and of
        the CE by the delta method, :func:`ce_influence`); money is in the unit of the
        project's values.

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
