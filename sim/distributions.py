"""Probability distributions for uncertain quantities (delays, work times), sampled only
through a run's named random streams.

Parameterisations follow the usual textbook forms: ``lognormal(median, sigma)`` has
``ln X ~ N(ln median, sigma²)``; ``weibull(scale, shape)`` has CDF ``1 - exp(-(x/scale)^shape)``;
``gamma(shape, scale)`` has mean ``shape·scale``; ``rayleigh(scale)`` has mode ``scale``;
``logistic(midpoint, scale)`` is the logistic "S-curve" ``F(x) = 1 / (1 + exp(-(x - midpoint) /
scale))`` truncated to ``x ≥ 0`` (the loading curve of Radwan, Hobeika & Sivasailam 1985).

:meth:`Dist.quantile` maps a uniform number to a value (the inverse CDF), so an entity that
carries its own uniform numbers keeps the same relative draw under any plan (common random
numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import special

Sampler = Callable[[np.random.Generator, tuple[float, ...], int | None], np.ndarray | float]

_SAMPLERS: dict[str, tuple[tuple[str, ...], Sampler]] = {
    "fixed": (("value",), lambda g, p, n: np.full(n, p[0]) if n is not None else p[0]),
    "uniform": (("low", "high"), lambda g, p, n: g.uniform(p[0], p[1], n)),
    "triangular": (("low", "mode", "high"), lambda g, p, n: g.triangular(p[0], p[1], p[2], n)),
    "exponential": (("mean",), lambda g, p, n: g.exponential(p[0], n)),
    "lognormal": (("median", "sigma"), lambda g, p, n: g.lognormal(math.log(p[0]), p[1], n)),
    "gamma": (("shape", "scale"), lambda g, p, n: g.gamma(p[0], p[1], n)),
    "weibull": (("scale", "shape"), lambda g, p, n: p[0] * g.weibull(p[1], n)),
    "rayleigh": (("scale",), lambda g, p, n: g.rayleigh(p[0], n)),
    "logistic": (("midpoint", "scale"), lambda g, p, n: _logistic_ppf(p, g.random(n))),
}


def _logistic_ppf(p: tuple[float, ...], u: np.ndarray | float) -> np.ndarray | float:
    """Inverse CDF of the logistic truncated at zero."""
    mid, scale = p
    f0 = float(special.expit(-mid / scale))  # F(0), without overflow for a late midpoint
    v = f0 + np.asarray(u) * (1.0 - f0)
    return np.maximum(mid + scale * np.log(v / (1.0 - v)), 0.0)


_QUANTILES: dict[str, Callable[[tuple[float, ...], np.ndarray], np.ndarray]] = {
    "fixed": lambda p, u: np.full(u.shape, p[0]),
    "uniform": lambda p, u: p[0] + u * (p[1] - p[0]),
    "triangular": lambda p, u: _triangular_ppf(p, u),
    "exponential": lambda p, u: -p[0] * np.log1p(-u),
    "lognormal": lambda p, u: p[0] * np.exp(p[1] * special.ndtri(u)),
    "gamma": lambda p, u: p[1] * special.gammaincinv(p[0], u),
    "weibull": lambda p, u: p[0] * (-np.log1p(-u)) ** (1.0 / p[1]),
    "rayleigh": lambda p, u: p[0] * np.sqrt(-2.0 * np.log1p(-u)),
    "logistic": lambda p, u: np.asarray(_logistic_ppf(p, u)),
}


def _triangular_ppf(p: tuple[float, ...], u: np.ndarray) -> np.ndarray:
    low, mode, high = p
    if high == low:
        return np.full(u.shape, low)
    cut = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    return np.where(u < cut, left, right)

DIST_PARAMS: dict[str, tuple[str, ...]] = {k: v[0] for k, v in _SAMPLERS.items()}
"""Each distribution's parameter names, in order."""


@dataclass(frozen=True)
class Dist:
    """A distribution: its kind and parameters in the order of :data:`DIST_PARAMS`."""

    kind: str
    params: tuple[float, ...]

    def __post_init__(self) -> None:
        names = DIST_PARAMS.get(self.kind)
        if names is None:
            raise ValueError(f"unknown distribution {self.kind!r}")
        if len(names) != len(self.params):
            raise ValueError(f"{self.kind} takes {names}, got {self.params}")

    @classmethod
    def fixed(cls, value: float) -> Dist:
        return cls("fixed", (float(value),))

    @classmethod
    def of(cls, value: float | Mapping[str, object]) -> Dist:
        """A number (fixed), or a mapping ``{dist: kind, <param>: value, …}``."""
        if isinstance(value, Mapping):
            kind = str(value["dist"])
            return cls(kind, tuple(float(value[k]) for k in DIST_PARAMS[kind]))  # type: ignore[arg-type]
        return cls.fixed(float(value))

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """One value (``size=None``) or an array; a fixed value draws nothing from ``rng``."""
        out = _SAMPLERS[self.kind][1](rng, self.params, size)
        return float(out) if size is None else np.asarray(out, dtype=float)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The values whose cumulative probabilities are ``u`` (the inverse CDF)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0 - 1e-12)
        return np.asarray(_QUANTILES[self.kind](self.params, u), dtype=float)
