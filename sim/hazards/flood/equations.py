"""The flood solver's equations, one function each (see ``inertial``)."""

from __future__ import annotations

import bisect
import math

import numpy as np

from drillsim.sim.hazards.flood.types import (
    G_M_S2,
    FloatArray,
)


def time_step_s(max_depth_m: float, cell_size_m: float, alpha: float) -> float:
    """Adaptive time step ``alpha * dx / sqrt(g * h_max)``; infinite on a dry grid.
    Bates, Horritt & Fewtrell (2010), J. Hydrol. 387, eq. 12."""
    if max_depth_m <= 0.0:
        return math.inf
    return alpha * cell_size_m / math.sqrt(G_M_S2 * max_depth_m)


def filling_step_s(source_rate_m_s: float, cell_size_m: float, alpha: float) -> float:
    """The step ``dt`` at the end of which water arriving at ``source_rate_m_s`` in a dry cell
    (depth ``r dt``) satisfies Bates et al. (2010) eq. 12 itself: ``dt = alpha dx / sqrt(g r
    dt)``, i.e. ``(alpha dx)^(2/3) (g r)^(-1/3)``; infinite without sources. It keeps sources
    resolved in time on a dry grid, where eq. 12 sets no limit."""
    if source_rate_m_s <= 0.0:
        return math.inf
    return (alpha * cell_size_m) ** (2 / 3) / (G_M_S2 * source_rate_m_s) ** (1 / 3)


def peak_discharge_m3_s(
    times_s: FloatArray, discharge_m3_s: FloatArray, t0_s: float, t1_s: float
) -> float:
    """The largest discharge of the piecewise-linear hydrograph (zero outside its times) over
    ``[t0_s, t1_s]``."""
    ends = np.interp([t0_s, t1_s], times_s, discharge_m3_s, left=0.0, right=0.0)
    inside = discharge_m3_s[(times_s > t0_s) & (times_s < t1_s)]
    return float(max(ends.max(), inside.max(initial=0.0)))


def manning_normal_depth_m(unit_discharge_m2_s: float, manning_n: float, slope: float) -> float:
    """Depth of steady uniform flow in a wide channel, ``(n q / sqrt(S))^(3/5)``, from Manning's
    equation ``q = h^(5/3) S^(1/2) / n`` (Chow (1959), Open-Channel Hydraulics, eq. 5-6 with
    hydraulic radius = depth (check))."""
    return float((manning_n * unit_discharge_m2_s / math.sqrt(slope)) ** 0.6)


def knot_volumes_m3(times_s: FloatArray, discharge_m3_s: FloatArray) -> FloatArray:
    """Volume a piecewise-linear hydrograph has delivered by each of its times (trapezoid rule,
    exact for a piecewise-linear discharge)."""
    steps = 0.5 * (discharge_m3_s[1:] + discharge_m3_s[:-1]) * np.diff(times_s)
    return np.concatenate(([0.0], np.cumsum(steps)))


def hydrograph_volume_m3(
    times_s: FloatArray, discharge_m3_s: FloatArray, knots_m3: FloatArray, t_s: float
) -> float:
    """Volume delivered by ``t_s`` by the piecewise-linear hydrograph, zero before its first
    time and constant after its last (``knots_m3`` from :func:`knot_volumes_m3`): the exact
    integral of the discharge."""
    k = bisect.bisect_right(times_s, t_s) - 1
    if k < 0:
        return 0.0
    if k >= len(times_s) - 1:
        return float(knots_m3[-1])
    tau = t_s - times_s[k]
    rate = (discharge_m3_s[k + 1] - discharge_m3_s[k]) / (times_s[k + 1] - times_s[k])
    return float(knots_m3[k] + discharge_m3_s[k] * tau + 0.5 * rate * tau * tau)


def output_times_s(duration_s: float, every_s: float) -> FloatArray:
    """0, ``every_s``, 2 ``every_s``, ... and ``duration_s`` itself (always the last)."""
    n = max(1, math.ceil(duration_s / every_s - 1e-9))
    times = np.arange(n + 1, dtype=float) * every_s
    times[-1] = duration_s
    return times


