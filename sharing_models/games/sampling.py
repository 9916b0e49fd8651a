r"""Monte Carlo Shapley value with antithetic permutations and calibrated standard errors.

The Shapley value is the mean marginal contribution over uniformly random orders,

.. math::

    \phi_i(v) = \mathbb{E}_{\pi}\bigl[v(P^\pi_i \cup \{i\}) - v(P^\pi_i)\bigr],

with :math:`P^\pi_i` the players before :math:`i` in :math:`\pi`. Orders are drawn in
antithetic pairs :math:`(\pi, \bar\pi)`, :math:`\bar\pi` the reverse of :math:`\pi`: a
player early in one is late in the other, which cancels much of the variance when
marginal contributions grow or shrink with coalition size [Mitchell2022]_. Each pair's mean
is one independent draw, so the standard error is the sample standard deviation of the
pair means over :math:`\sqrt{\text{pairs}}`. Every order's contributions add up to
:math:`v(N) - v(\emptyset)`, so the estimate is exactly efficient.

References: [CastroGomezTejada2009]_, [Mitchell2022]_.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.game import GameBase
from .._kernels.shapley import float_values
from ..exceptions import InvalidInputError

__all__ = [
    "MAX_DRAWS",
    "Z95",
    "banzhaf_estimate",
    "efficiency_adjust",
    "shapley_estimate",
    "shapley_sample",
]

_CACHE_LIMIT = 1 << 20

#: ``evaluate(order, pos) -> (b, n + 1)`` worths of the prefixes of ``b`` orders.
Evaluator = Callable[[np.ndarray, np.ndarray], np.ndarray]


def shapley_sample(
    game_or_fn: GameBase | Callable[..., Any],
    samples: int = 1000,
    seed: Any = None,
    *,
    players: Sequence[str] | None = None,
    vectorized: bool = False,
    antithetic: bool = True,
) -> pd.DataFrame:
    r"""Estimate the Shapley value from random orders of the players.

    .. math::

        \hat\phi_i = \frac{1}{K} \sum_{k=1}^{K}
            \bigl(v(P^{\pi_k}_i \cup \{i\}) - v(P^{\pi_k}_i)\bigr)

    Parameters
    ----------
    game_or_fn : Game or callable
        A :class:`Game` (orders evaluated as whole arrays; exact worths are used as
        floats), or a value function for games too large for a worth array:

        * ``vectorized=False``: ``fn(frozenset_of_names) -> float``; called once per new
          coalition (results are cached).
        * ``vectorized=True``: ``fn(members) -> array``, where ``members`` is a boolean
          array of shape ``(k, n)`` (row = coalition, column ``j`` = ``players[j]``)
          and the result has shape ``(k,)``.
    samples : int, default 1000
        Number of orders. With ``antithetic`` it is rounded up to an even number; at
        least 4 (2 without), so that a standard error exists.
    seed : int, numpy Generator or None
        Passed to :func:`numpy.random.default_rng`; the same seed gives the same result.
    players : sequence of str
        Player names; required with a callable, not allowed with a :class:`Game`.
    vectorized : bool, default False
        See ``game_or_fn``.
    antithetic : bool, default True
        Pair each order with its reverse; False draws independent orders.

    Returns
    -------
    pandas.DataFrame
        Indexed by player, columns ``shapley`` (estimate), ``std_error`` (its standard
        error) and ``samples`` (orders used).

    Raises
    ------
    InvalidInputError
        Bad ``samples``; ``players`` missing, given twice or malformed; a value function
        returning something that is not a finite number or has the wrong shape.

    Examples
    --------
    >>> from sharing_models import Game, shapley_sample
    >>> g = Game.from_array(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 0, 1])  # glove game
    >>> est = shapley_sample(g, samples=2000, seed=1)
    >>> list(est.columns)
    ['shapley', 'std_error', 'samples']
    >>> bool(abs(est.loc["a", "shapley"] - 2 / 3) < 4 * est.loc["a", "std_error"])
    True
    >>> shapley_sample(lambda s: len(s) ** 2, 100, seed=0, players=["x", "y"])["shapley"].tolist()
    [2.0, 2.0]

    Notes
    -----
    Each order costs :math:`n+1` worth look-ups or calls. With a :class:`Game` the
    orders are processed in batches as 2-D arrays (prefix masks by cumulative sums), so
    about :math:`10^6` marginal contributions take tens of milliseconds. The error
    shrinks as :math:`1/\sqrt{K}`. Permutation sampling follows [CastroGomezTejada2009]_;
    antithetic (reversed) orders as in [Mitchell2022]_.
    """
    n, names, evaluate = _evaluator(game_or_fn, players, vectorized)
    k = _check_samples(samples, antithetic)
    rng = np.random.default_rng(seed)
    per_draw = 2 if antithetic else 1
    draws = k // per_draw
    batch = max(1, min(draws, (1 << 18) // max(1, n * per_draw)))
    stats = _Moments(n)
    done = 0
    while done < draws:
        b = min(batch, draws - done)
        order = rng.permuted(np.broadcast_to(np.arange(n), (b, n)), axis=1)  # players by time
        pos = order.argsort(axis=1)  # time of each player
        marg = _marginals(evaluate, order, pos)
        if antithetic:
            marg = 0.5 * (marg + _marginals(evaluate, order[:, ::-1], n - 1 - pos))
        stats.add(marg)
        done += b
    se = np.sqrt(stats.variance() / draws)
    return pd.DataFrame(
        {"shapley": stats.mean, "std_error": se, "samples": np.full(n, k, dtype=np.int64)},
        index=pd.Index(names),
    )


def _marginals(evaluate: Evaluator, order: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Marginal contribution of every player (columns) in every order (rows)."""
    vals = evaluate(order, pos)  # (b, n + 1): worth of the first k players, k = 0..n
    return np.take_along_axis(np.diff(vals, axis=1), pos, axis=1)


def _evaluator(
    obj: Any, players: Sequence[str] | None, vectorized: bool
) -> tuple[int, tuple[Hashable, ...], Evaluator]:
    if isinstance(obj, GameBase):
        if players is not None:
            raise InvalidInputError("players= is taken from the Game; do not pass it")
        v = float_values(obj)
        n = obj.n

        def from_array(order: np.ndarray, pos: np.ndarray) -> np.ndarray:
            masks = np.cumsum(np.left_shift(1, order, dtype=np.int64), axis=1)
            return np.concatenate([np.full((pos.shape[0], 1), v[0]), v[masks]], axis=1)

        return n, obj.players, from_array
    if not callable(obj):
        raise InvalidInputError(
            f"expected a Game or a value function; got {type(obj).__name__}"
        )
    if players is None:
        raise InvalidInputError("a value function needs players=[names...]")
    names = _check_names(players)
    n = len(names)
    steps = np.arange(n + 1)[None, :, None]
    if vectorized:

        def from_batch(order: np.ndarray, pos: np.ndarray) -> np.ndarray:
            members = (pos[:, None, :] < steps).reshape(-1, n)
            out = _as_floats(obj(members), members.shape[0])
            return out.reshape(pos.shape[0], n + 1)

        return n, names, from_batch
    cache: dict[bytes, float] = {}
    name_arr = np.asarray(names, dtype=object)

    def from_sets(order: np.ndarray, pos: np.ndarray) -> np.ndarray:
        out = np.empty((order.shape[0], n + 1))
        for r, row in enumerate(order):
            inside = np.zeros(n, dtype=bool)
            for k in range(n + 1):
                if k:
                    inside[row[k - 1]] = True
                key = np.packbits(inside).tobytes()
                if key not in cache:
                    value = _as_floats([obj(frozenset(name_arr[inside]))], 1)[0]
                    if len(cache) < _CACHE_LIMIT:
                        cache[key] = value
                    out[r, k] = value
                else:
                    out[r, k] = cache[key]
        return out

    return n, names, from_sets


def _check_names(players: Any) -> tuple[str, ...]:
    """Player names for a value function: unique non-empty strings, any number of them."""
    if isinstance(players, str) or not isinstance(players, Sequence | np.ndarray):
        raise InvalidInputError("players must be a sequence of names, not one string")
    names = tuple(players)
    bad = [p for p in names if not isinstance(p, str) or not p]
    if bad or not names:
        raise InvalidInputError(f"players must be non-empty strings; got {bad or 'none'}")
    if len(set(names)) != len(names):
        dup = sorted({p for p in names if names.count(p) > 1})
        raise InvalidInputError(f"player names must be unique; repeated: {dup}")
    return names


def _as_floats(result: Any, expected: int) -> np.ndarray:
    try:
        arr = np.asarray(result, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"the value function must return numbers; got {type(result).__name__}"
        ) from None
    if arr.shape[0] != expected:
        raise InvalidInputError(
            f"the vectorised value function returned {arr.shape[0]} values for "
            f"{expected} coalitions"
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError("the value function returned NaN or infinity")
    return arr


def _check_samples(samples: Any, antithetic: bool) -> int:
    least = 4 if antithetic else 2
    if not isinstance(samples, numbers.Integral) or isinstance(samples, bool) or samples < least:
        raise InvalidInputError(
            f"samples must be an integer >= {least} (number of random orders); got {samples!r}"
        )
    return int(samples) + (int(samples) % 2 if antithetic else 0)


class _Moments:
    """Running mean and variance of rows (Chan et al. pairwise update)."""

    def __init__(self, n: int) -> None:
        self.count = 0
        self.mean = np.zeros(n)
        self.m2 = np.zeros(n)

    def add(self, rows: np.ndarray) -> None:
        b = rows.shape[0]
        mean_b = rows.mean(axis=0)
        m2_b = ((rows - mean_b) ** 2).sum(axis=0)
        total = self.count + b
        delta = mean_b - self.mean
        self.mean = self.mean + delta * (b / total)
        self.m2 = self.m2 + m2_b + delta**2 * (self.count * b / total)
        self.count = total

    def variance(self) -> np.ndarray:
        if self.count < 2:
            return np.full_like(self.m2, math.nan)
        return self.m2 / (self.count - 1)


# ---------------------------------------------------------------- estimates with stopping
#: 97.5% normal quantile: the half-width of a 95% interval in standard errors.
Z95 = 1.959963984540054
#: Most random orders (Shapley) or coalition pairs (Banzhaf) drawn under a tolerance.
MAX_DRAWS = 200_000


def shapley_estimate(
    fn: Callable[[np.ndarray], Any],
    players: Sequence[str],
    *,
    tolerance: float | None = None,
    samples: int | None = None,
    seed: Any = None,
    max_draws: int = MAX_DRAWS,
) -> pd.DataFrame:
    r"""Shapley value of a large game from antithetic orders, with 95% intervals, summing
    exactly to :math:`v(N)`.

    Orders are drawn in antithetic pairs as in :func:`shapley_sample` and evaluated in
    vectorised batches through ``fn``. Sampling stops when every player's 95% interval
    half-width :math:`1.96\,\widehat{SE}_i` is at most ``tolerance`` :math:`\cdot|v(N)|`
    (checked after each batch, at least 32 pairs), or after ``samples`` orders.

    Efficiency adjustment: every order's marginal contributions sum to
    :math:`v(N) - v(\emptyset)`, so the mean does too up to rounding; the rounding
    residual :math:`r = v(N) - \sum_i \hat\phi_i` is then spread in proportion to the
    variances, :math:`\hat\phi_i \mathrel{+}= r\,\widehat{SE}_i^2 / \sum_j
    \widehat{SE}_j^2` (the least-squares projection onto the efficiency plane), so the
    estimates sum to :math:`v(N)` exactly.

    Parameters
    ----------
    fn : callable
        ``fn(rows) -> array``: worths of a boolean ``(k, n)`` array of coalitions
        (column ``j`` = ``players[j]``).
    players : sequence of str
    tolerance : float, optional
        Target half-width of every 95% interval as a fraction of :math:`|v(N)|`, in
        (0, 1). Default 0.001 when ``samples`` is not given.
    samples : int, optional
        Fixed number of orders (even, at least 4) instead of a tolerance.
    seed : int, Generator or None
    max_draws : int
        Most orders under a tolerance (the result says if it stopped there).

    Returns
    -------
    pandas.DataFrame
        Indexed by player: ``shapley``, ``std_error``, ``low``, ``high`` (95% interval)
        and ``samples``; ``attrs``: ``grand_value``, ``samples``, ``tolerance``,
        ``reached`` (whether the tolerance was met).

    Raises
    ------
    InvalidInputError
        Tolerance outside (0, 1), bad ``samples`` or ``players``, bad worths.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, 2.0, 3.0])
    >>> est = shapley_estimate(lambda rows: rows @ w, ["a", "b", "c"], samples=8, seed=0)
    >>> est["shapley"].round(12).tolist(), float(est["std_error"].max())
    ([1.0, 2.0, 3.0], 0.0)

    Notes
    -----
    Each order costs :math:`n + 1` coalition evaluations; the error shrinks as
    :math:`1/\sqrt{K}`. References: [CastroGomezTejada2009]_, [Mitchell2022]_.
    """
    names = _check_names(players)
    n = len(names)
    grand = float(_as_floats(fn(np.ones((1, n), dtype=bool)), 1)[0])
    empty = float(_as_floats(fn(np.zeros((1, n), dtype=bool)), 1)[0])
    tol, fixed = _stopping(tolerance, samples, max_draws)
    rng = np.random.default_rng(seed)
    steps = np.arange(n + 1)[None, :, None]

    def evaluate(order: np.ndarray, pos: np.ndarray) -> np.ndarray:
        members = (pos[:, None, :] < steps).reshape(-1, n)
        return _as_floats(fn(members), members.shape[0]).reshape(pos.shape[0], n + 1)

    def draw(b: int) -> np.ndarray:
        order = rng.permuted(np.broadcast_to(np.arange(n), (b, n)), axis=1)
        pos = order.argsort(axis=1)
        both: np.ndarray = (_marginals(evaluate, order, pos)
                            + _marginals(evaluate, order[:, ::-1], n - 1 - pos))
        return 0.5 * both

    stats, reached = _run(draw, n, tol, fixed, grand - empty, max_draws // 2,
                          max(1, (1 << 16) // (n + 1)))
    mean, se = stats.mean, np.sqrt(stats.variance() / stats.count)
    mean = efficiency_adjust(mean, se, grand - empty)
    return _frame(names, "shapley", mean, se, 2 * stats.count, grand, tol, reached)


def banzhaf_estimate(
    fn: Callable[[np.ndarray], Any],
    players: Sequence[str],
    *,
    tolerance: float | None = None,
    samples: int | None = None,
    seed: Any = None,
    max_draws: int = MAX_DRAWS,
    normalized: bool = True,
) -> pd.DataFrame:
    r"""Banzhaf value normalised to :math:`v(N)`, from random coalitions and their
    complements, with 95% intervals (delta method); sums exactly to :math:`v(N)`.

    .. math::

        \beta_i = \mathbb{E}_{S}\bigl[v(S \cup i) - v(S \setminus i)\bigr], \qquad
        x_i = v(N)\,\beta_i / \textstyle\sum_j \beta_j,

    with :math:`S` uniform over all coalitions: one draw of :math:`S` and the :math:`n`
    coalitions :math:`S \triangle \{i\}` gives every player one marginal
    contribution (``n + 1`` evaluations). Draws come in antithetic pairs
    :math:`(S, N \setminus S)` [Mitchell2022]_; each pair's mean is one independent
    draw. The standard error of :math:`x_i` is the delta method's: the standard
    deviation of :math:`\frac{v(N)}{\sum_j \hat\beta_j}(m_i - \frac{x_i}{v(N)}
    \sum_j m_j)` over draws, divided by :math:`\sqrt{K}`.

    Parameters and returns as :func:`shapley_estimate` (column ``banzhaf``;
    ``samples`` counts coalitions drawn). With ``normalized=False`` the raw
    :math:`\hat\beta_i` and their standard errors are returned (no efficiency
    adjustment; the stopping rule still reads the normalised errors), with
    ``attrs["var_sum"]`` (variance of :math:`\sum_j \hat\beta_j`) and column
    ``cov_sum`` (covariance of :math:`\hat\beta_i` with it), for combining parts.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, 3.0])
    >>> est = banzhaf_estimate(lambda rows: rows @ w, ["a", "b"], samples=8, seed=0)
    >>> est["banzhaf"].round(12).tolist()
    [1.0, 3.0]

    Notes
    -----
    Cost :math:`n + 1` evaluations per coalition drawn. References: [Banzhaf1965]_,
    [Mitchell2022]_.
    """
    names = _check_names(players)
    n = len(names)
    grand = float(_as_floats(fn(np.ones((1, n), dtype=bool)), 1)[0])
    tol, fixed = _stopping(tolerance, samples, max_draws)
    rng = np.random.default_rng(seed)
    flip = np.vstack([np.zeros((1, n), dtype=bool), np.eye(n, dtype=bool)])

    def one_side(s: np.ndarray) -> np.ndarray:
        rows = (s[:, None, :] ^ flip[None, :, :]).reshape(-1, n)
        vals = _as_floats(fn(rows), rows.shape[0]).reshape(s.shape[0], n + 1)
        diff = vals[:, 1:] - vals[:, :1]  # v(S xor i) - v(S)
        signed: np.ndarray = np.where(s, -diff, diff)  # v(S with i) - v(S without i)
        return signed

    def draw(b: int) -> np.ndarray:
        s = rng.random((b, n)) < 0.5
        both: np.ndarray = one_side(s) + one_side(~s)
        return 0.5 * both

    stats, reached = _run(draw, n, tol, fixed, grand, max_draws // 2,
                          max(1, (1 << 16) // (n + 1)), normalise=True)
    if normalized:
        frame: pd.DataFrame = stats.banzhaf_frame(names, grand, tol, reached)
        return frame
    k = stats.count
    var = stats.cols.variance() / k
    out = _frame(names, "banzhaf", stats.cols.mean[:-1].copy(), np.sqrt(var[:-1]), 2 * k,
                 grand, tol, reached)
    out["cov_sum"] = stats.cross / (k - 1) / k
    out.attrs["var_sum"] = float(var[-1])
    return out


def _stopping(tolerance: Any, samples: Any, max_draws: int) -> tuple[float | None, int | None]:
    if tolerance is not None and samples is not None:
        raise InvalidInputError("give tolerance or samples, not both")
    if samples is not None:
        return None, _check_samples(samples, True) // 2
    tol = 0.001 if tolerance is None else tolerance
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not 0 < float(tol) < 1:
        raise InvalidInputError(f"tolerance must be a fraction of v(N) in (0, 1); got {tol!r}")
    if max_draws < 4:
        raise InvalidInputError(f"max_draws must be at least 4; got {max_draws}")
    return float(tol), None


class _SumMoments:
    """Running moments of the marginals, of their per-draw sum and their co-moments
    (pairwise update), for the delta-method error of the normalised Banzhaf value."""

    def __init__(self, n: int) -> None:
        self.cols = _Moments(n + 1)  # marginals, then their sum
        self.cross = np.zeros(n)  # sum of (m_i - mean_i)(s - mean_s)

    @property
    def count(self) -> int:
        return self.cols.count

    def add(self, rows: np.ndarray) -> None:
        s = rows.sum(axis=1)
        b, before = rows.shape[0], self.cols.count
        mean_b, s_b = rows.mean(axis=0), float(s.mean())
        cross_b = ((rows - mean_b) * (s - s_b)[:, None]).sum(axis=0)
        delta_m, delta_s = mean_b - self.cols.mean[:-1], s_b - self.cols.mean[-1]
        total = before + b
        self.cross = self.cross + cross_b + delta_m * delta_s * (before * b / total)
        self.cols.add(np.column_stack([rows, s]))

    def normalised(self, grand: float) -> tuple[np.ndarray, np.ndarray]:
        """``x = grand * mean / sum(mean)`` and its delta-method standard error."""
        mean = self.cols.mean[:-1]
        total = float(mean.sum())
        if total == 0 or grand == 0 or self.count < 2:
            return np.zeros_like(mean), np.zeros_like(mean)
        x = grand * mean / total
        k = x / grand
        var = self.cols.variance()
        z = var[:-1] - 2 * k * self.cross / (self.count - 1) + k**2 * var[-1]
        se = abs(grand / total) * np.sqrt(np.maximum(z, 0.0) / self.count)
        return x, se

    def banzhaf_frame(self, names: tuple[str, ...], grand: float, tol: float | None,
                      reached: bool) -> pd.DataFrame:
        x, se = self.normalised(grand)
        x = efficiency_adjust(x, se, grand)
        return _frame(names, "banzhaf", x, se, 2 * self.count, grand, tol, reached)


def _run(draw: Callable[[int], np.ndarray], n: int, tol: float | None, fixed: int | None,
         scale: float, max_pairs: int, batch: int, normalise: bool = False
         ) -> tuple[Any, bool]:
    """Draw pairs in batches (at most ``batch`` at once) until the tolerance is met (32
    pairs first, then about as many as the current error says are needed, at most
    doubling) or the fixed count is drawn."""
    stats: Any = _SumMoments(n) if normalise else _Moments(n)
    target = fixed if fixed is not None else max_pairs
    goal = target if fixed is not None else min(target, 32)
    while True:
        while stats.count < goal:
            stats.add(draw(min(batch, goal - stats.count)))
        if fixed is not None:
            return stats, True
        se = stats.normalised(scale)[1] if normalise \
            else np.sqrt(stats.variance() / stats.count)
        wide = Z95 * float(se.max())
        assert tol is not None  # fixed is None, so a tolerance was set
        if wide <= tol * abs(scale):
            return stats, True
        if stats.count >= target:
            return stats, False
        need = stats.count * (wide / (tol * abs(scale))) ** 2 if scale else 2 * stats.count
        goal = int(min(target, 2 * stats.count, max(stats.count + 1, 1.05 * need)))


def efficiency_adjust(x: np.ndarray, se: np.ndarray, total: float) -> np.ndarray:
    r"""Estimates made to sum to ``total``: the residual spread in proportion to the
    variances (equally when all are 0),

    .. math:: x_i + igl(T - 	extstyle\sum_j x_jigr)\, \sigma_i^2 / \sum_j \sigma_j^2,

    the least-squares projection of the estimate onto :math:`\sum_i x_i = T` in the
    metric of its covariance (diagonal). Exact members (:math:`\sigma_i = 0`) keep their
    values.

    >>> efficiency_adjust(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 1.0]), 7.0).tolist()
    [1.0, 2.5, 3.5]
    """
    resid = total - float(x.sum())
    var = se**2
    w = var / var.sum() if var.sum() > 0 else np.full_like(x, 1 / len(x))
    out = x + resid * w
    resid = total - float(out.sum())  # one more pass for the last rounding
    return out + resid * w


def _frame(names: tuple[str, ...], column: str, x: np.ndarray, se: np.ndarray,
           samples: int, grand: float, tol: float | None, reached: bool) -> pd.DataFrame:
    out = pd.DataFrame({column: x, "std_error": se, "low": x - Z95 * se,
                        "high": x + Z95 * se, "samples": np.full(len(x), samples, np.int64)},
                       index=pd.Index(names))
    out.attrs.update(grand_value=grand, samples=samples, tolerance=tol, reached=reached)
    return out
