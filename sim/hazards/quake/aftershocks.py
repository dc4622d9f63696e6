"""Aftershock sequences after Reasenberg & Jones (1989).

Reasenberg, P. A. & Jones, L. M. (1989), "Earthquake hazard after a mainshock in California",
Science 243, 1173-1176. The rate (per day) of aftershocks of magnitude ≥ M at time t (days)
after a mainshock of magnitude Mm is the modified Omori law (Utsu 1961) times the
Gutenberg-Richter law:

    λ(t, M) = 10^(a + b (Mm - M)) (t + c)^(-p),

with their "generic California" parameters a = -1.67, b = 0.91, c = 0.05 day, p = 1.08 (the
same form and values are used by the USGS operational aftershock forecasts, whose scientific
background page states the rate as its equation 1; Hardebeck et al. 2018, Seismol. Res. Lett.
90(1), 262-270, give updated, lower-productivity California values).

Sequences are sampled as a Poisson process with this rate: the number of events is Poisson,
each time is drawn independently from the normalised (t + c)^(-p) on the interval and each
magnitude independently from the Gutenberg-Richter law with the same b-value. Magnitudes are
truncated at ``max_magnitude``, by default the mainshock's (a larger event would make the
mainshock a foreshock). Events above it are left out rather than given smaller magnitudes, so
the rate of sampled events of magnitude ≥ M is λ(t, M) - λ(t, Mmax) for every M below Mmax.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SequenceParams:
    """Reasenberg-Jones parameters; the defaults are their generic California values."""

    a: float = -1.67
    b: float = 0.91
    c_days: float = 0.05
    p: float = 1.08


GENERIC_CALIFORNIA = SequenceParams()


def productivity_per_day(
    mainshock_magnitude: ArrayLike, min_magnitude: ArrayLike, params: SequenceParams
) -> FloatArray:
    """The magnitude factor ``10^(a + b (Mm - M))`` of the Reasenberg-Jones rate."""
    mm = np.asarray(mainshock_magnitude, dtype=float)
    return 10.0 ** (params.a + params.b * (mm - np.asarray(min_magnitude, dtype=float)))


def rate_per_day(
    t_days: ArrayLike,
    mainshock_magnitude: ArrayLike,
    min_magnitude: ArrayLike,
    params: SequenceParams = GENERIC_CALIFORNIA,
) -> FloatArray:
    """Rate of aftershocks of magnitude ≥ ``min_magnitude`` at ``t_days`` after the mainshock,
    ``10^(a + b (Mm - M)) (t + c)^(-p)`` (Reasenberg & Jones 1989, the rate equation)."""
    t = np.asarray(t_days, dtype=float)
    omori = (t + params.c_days) ** (-params.p)
    return productivity_per_day(mainshock_magnitude, min_magnitude, params) * omori


def omori_integral(t1_days: ArrayLike, t2_days: ArrayLike, c_days: float, p: float) -> FloatArray:
    """``∫ (t + c)^(-p) dt`` from ``t1`` to ``t2``: ``((t2 + c)^q - (t1 + c)^q) / q`` with
    ``q = 1 - p``, ``ln((t2 + c) / (t1 + c))`` when p = 1; written as
    ``(t1 + c)^q expm1(q Δ) / q`` with ``Δ = ln((t2 + c) / (t1 + c))`` so that it stays accurate
    for p close to 1."""
    log1 = np.log(np.asarray(t1_days, dtype=float) + c_days)
    delta = np.log(np.asarray(t2_days, dtype=float) + c_days) - log1
    q = 1.0 - p
    if q == 0.0:
        return delta
    return np.exp(q * log1) * np.expm1(q * delta) / q


def expected_count(
    t1_days: ArrayLike,
    t2_days: ArrayLike,
    mainshock_magnitude: ArrayLike,
    min_magnitude: ArrayLike,
    params: SequenceParams = GENERIC_CALIFORNIA,
) -> FloatArray:
    """Expected number of aftershocks of magnitude ≥ ``min_magnitude`` between ``t1_days`` and
    ``t2_days``: the closed-form integral of :func:`rate_per_day`.

    Worked number (generic parameters): M ≥ 5 in the first week after an M 7 is
    ``10^(-1.67 + 0.91·2) = 10^0.15 = 1.412538`` times
    ``(0.05^(-0.08) - 7.05^(-0.08)) / 0.08 = (1.270815 - 0.855352) / 0.08 = 5.193290``,
    i.e. 7.3357 events."""
    omori = omori_integral(t1_days, t2_days, params.c_days, params.p)
    return productivity_per_day(mainshock_magnitude, min_magnitude, params) * omori


def omori_times_days(u: FloatArray, duration_days: float, c_days: float, p: float) -> FloatArray:
    """Inverse of the normalised cumulative of ``(t + c)^(-p)`` on ``[0, duration]`` at the
    uniform numbers ``u``: ``ln(t + c) = ln c + log1p(u expm1(q Δ)) / q`` with ``q = 1 - p`` and
    ``Δ = ln((T + c) / c)`` (``ln c + u Δ`` when p = 1)."""
    delta = math.log((duration_days + c_days) / c_days)
    q = 1.0 - p
    log_t = u * delta if q == 0.0 else np.log1p(u * math.expm1(q * delta)) / q
    return np.minimum(c_days * np.expm1(log_t), duration_days)


def gutenberg_richter_magnitudes(
    u: FloatArray, b: float, min_magnitude: float, max_magnitude: float
) -> FloatArray:
    """Inverse CDF of the Gutenberg-Richter law ``N(≥ M) ∝ 10^(-b M)`` truncated to
    ``[min_magnitude, max_magnitude]`` (any ``max_magnitude`` up to infinity) at ``u``."""
    tail = 10.0 ** (-b * (max_magnitude - min_magnitude))
    return min_magnitude - np.log10(1.0 - u * (1.0 - tail)) / b


def sample_sequence(
    mainshock_magnitude: float,
    duration_days: float,
    rng: np.random.Generator,
    min_magnitude: float = 4.0,
    params: SequenceParams = GENERIC_CALIFORNIA,
    max_magnitude: float | None = None,
) -> tuple[FloatArray, FloatArray]:
    """One aftershock sequence over ``[0, duration_days]``: ``(times_days, magnitudes)``, times
    ascending. Events of magnitude in ``[min_magnitude, max_magnitude]`` (default
    ``max_magnitude``: the mainshock's) form a Poisson process with rate
    ``rate_per_day(t, Mm, min_magnitude) - rate_per_day(t, Mm, max_magnitude)``, so their
    number is Poisson with mean ``expected_count(0, duration, Mm, min_magnitude)
    (1 - 10^(-b (max_magnitude - min_magnitude)))``; pass ``max_magnitude=np.inf`` for the
    untruncated law."""
    max_mag = mainshock_magnitude if max_magnitude is None else max_magnitude
    if not min_magnitude < max_mag:
        raise ValueError(f"min_magnitude {min_magnitude} must be below {max_mag}")
    if duration_days <= 0.0:
        raise ValueError(f"duration_days must be positive, got {duration_days}")
    total = expected_count(0.0, duration_days, mainshock_magnitude, min_magnitude, params)
    kept = 1.0 - 10.0 ** (-params.b * (max_mag - min_magnitude))
    n = int(rng.poisson(float(total) * kept))
    times = omori_times_days(rng.random(n), duration_days, params.c_days, params.p)
    mags = gutenberg_richter_magnitudes(rng.random(n), params.b, min_magnitude, max_mag)
    return np.sort(times), mags
