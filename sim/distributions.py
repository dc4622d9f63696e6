"""Probability distributions for uncertain quantities (delays, work times), sampled only
through a run's named random streams.

Parameterisations follow the usual textbook forms: ``lognormal(median, sigma)`` has
``ln X ~ N(ln median, sigma²)``; ``weibull(scale, shape)`` has CDF ``1 - exp(-(x/scale)^shape)``;
``gamma(shape, scale)`` has mean ``shape·scale``; ``rayleigh(scale)`` has mode ``scale``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

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
}

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
