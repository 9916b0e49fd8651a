r"""Marginal laws of the risk model, each drawn from a standard normal (its copula
coordinate) by its quantile transform :math:`X = F^{-1}(\Phi(z))` [Nelsen2006]_.

Drawing every law from a normal ``z`` is what lets :class:`~sharing_models.risk.Project`
correlate any two of them through a Gaussian copula.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from scipy import special

from ..exceptions import InvalidInputError

__all__ = ["Distribution", "Empirical", "Fixed", "LogNormal", "Normal", "Triangular"]


class Distribution(ABC):
    """A marginal distribution drawn from a standard normal ``z`` (its copula coordinate)."""

    @abstractmethod
    def from_normal(self, z: np.ndarray) -> np.ndarray:
        """Quantile transform: the value whose CDF is ``Phi(z)``."""

    @property
    @abstractmethod
    def mean(self) -> float:
        """The distribution's mean."""

    @property
    def random(self) -> bool:
        """False for a degenerate (fixed) value, which needs no random draw."""
        return True


@dataclass(frozen=True)
class Fixed(Distribution):
    """A known value.

    >>> Fixed(3.0).from_normal(np.zeros(2)).tolist()
    [3.0, 3.0]
    """

    value: float

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        return np.full(np.shape(z), float(self.value))

    @property
    def mean(self) -> float:
        return float(self.value)

    @property
    def random(self) -> bool:
        return False


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with the given mean and standard deviation.

    >>> Normal(10, 2).from_normal(np.array([0.0, 1.0])).tolist()
    [10.0, 12.0]
    """

    mu: float
    sd: float

    def __post_init__(self) -> None:
        _check(self.sd >= 0, f"Normal sd must be >= 0; got {self.sd}")

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        return self.mu + self.sd * z

    @property
    def mean(self) -> float:
        return float(self.mu)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Lognormal given by *its own* mean and standard deviation (not those of the log).

    .. math:: \\sigma^2 = \\log(1 + s^2/m^2), \\quad \\mu = \\log m - \\sigma^2/2,
              \\quad X = e^{\\mu + \\sigma z}

    >>> d = LogNormal(100.0, 50.0)
    >>> round(float(d.from_normal(np.array([0.0]))[0]), 3)  # the median
    89.443
    """

    mu: float
    sd: float

    def __post_init__(self) -> None:
        _check(self.mu > 0, f"LogNormal mean must be > 0; got {self.mu}")
        _check(self.sd >= 0, f"LogNormal sd must be >= 0; got {self.sd}")

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        s2 = math.log1p((self.sd / self.mu) ** 2)
        return np.exp(math.log(self.mu) - s2 / 2 + math.sqrt(s2) * z)

    @property
    def mean(self) -> float:
        return float(self.mu)


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on ``[low, high]`` with peak at ``mode`` (closed-form quantile).

    >>> Triangular(0, 0, 1).from_normal(np.array([-40.0, 40.0])).tolist()
    [0.0, 1.0]
    """

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        _check(
            self.low <= self.mode <= self.high and self.low < self.high,
            f"Triangular needs low <= mode <= high and low < high; got "
            f"({self.low}, {self.mode}, {self.high})",
        )

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        u = special.ndtr(z)
        a, c, b = float(self.low), float(self.mode), float(self.high)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.asarray(np.where(u < fc, left, right))

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resampling of observed values (each equally likely).

    >>> Empirical((5.0, 1.0, 3.0)).from_normal(np.array([-9.0, 0.0, 9.0])).tolist()
    [1.0, 3.0, 5.0]
    """

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        _check(len(self.values) > 0, "Empirical needs at least one value")
        object.__setattr__(self, "values", tuple(sorted(float(v) for v in self.values)))

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        arr = np.asarray(self.values)
        idx = np.minimum((special.ndtr(z) * arr.size).astype(np.int64), arr.size - 1)
        return np.asarray(arr[idx])

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidInputError(message)
