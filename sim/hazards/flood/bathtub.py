"""The level-pool ("bathtub") flood model: a quick screening answer.

A cell is flooded when its ground is below the water level *and* it is hydraulically
connected to a seed cell (e.g. the river) through cells that are also below the level
(4-connectivity, the face neighbours that exchange water in :mod:`.inertial`). The depth is
``level - ground``. There is no flow, no travel time and no storage memory: when the level
falls, water leaves everywhere with it (ponding behind ridges is not retained), and the
volume is not limited by any hydrograph. It is the usual first-pass "connected bathtub"
inundation mapping; it over-predicts extent where the real flood is volume-limited.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import ndimage

from drillsim.sim.hazards.flood.forcing import cell_indices
from drillsim.sim.hazards.flood.types import ARRIVAL_DEPTH_M, Cells, FloatArray, FloodResult

_FOUR_NEIGHBOURS = ndimage.generate_binary_structure(2, 1)


def _checked_elevation(elevation_m: ArrayLike) -> FloatArray:
    """The ground as a 2D finite float array."""
    z = np.asarray(elevation_m, dtype=float)
    if z.ndim != 2 or z.size == 0 or not np.isfinite(z).all():
        raise ValueError(f"elevation_m must be a finite, non-empty 2D array (shape {z.shape})")
    return z


def level_pool(elevation_m: ArrayLike, water_level_m: float, seeds: Cells) -> FloatArray:
    """Depth ``level - z`` where ``z < level`` and the cell is 4-connected through such cells to
    one of ``seeds`` (``(row, col)`` pairs); 0 elsewhere. A seed whose ground is not below the
    level floods nothing."""
    z = _checked_elevation(elevation_m)
    flat = cell_indices(seeds, z.shape, "seeds")
    below = z < water_level_m
    labels, _ = ndimage.label(below, structure=_FOUR_NEIGHBOURS)
    seeded = np.unique(labels.reshape(-1)[flat])
    connected = np.isin(labels, seeded[seeded > 0])
    return np.where(connected, water_level_m - z, 0.0)


def _evaluation_times(times_s: FloatArray, output_times_s: FloatArray) -> FloatArray:
    """Output times plus the gauge times between the first and last output (the depth is a
    monotone function of the level, so its maximum over time falls on one of these)."""
    inside = times_s[(times_s > output_times_s[0]) & (times_s < output_times_s[-1])]
    return np.union1d(output_times_s, inside)


def _checked_series(
    times_s: ArrayLike, levels_m: ArrayLike, output_times_s: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validated gauge series and output times (both strictly increasing)."""
    t, lv, out = (np.asarray(a, dtype=float) for a in (times_s, levels_m, output_times_s))
    if t.ndim != 1 or t.shape != lv.shape or t.size == 0:
        raise ValueError("times_s and levels_m must be 1D arrays of the same, non-zero length")
    if out.ndim != 1 or out.size == 0:
        raise ValueError("output_times_s must be a non-empty 1D array")
    for name, a in (("times_s", t), ("levels_m", lv), ("output_times_s", out)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} must be finite")
    if (np.diff(t) <= 0).any() or (np.diff(out) <= 0).any():
        raise ValueError("times_s and output_times_s must be strictly increasing")
    return t, lv, out


def level_pool_series(
    elevation_m: ArrayLike,
    times_s: ArrayLike,
    levels_m: ArrayLike,
    seeds: Cells,
    output_times_s: ArrayLike,
    *,
    cell_size_m: float = 1.0,
) -> FloodResult:
    """:func:`level_pool` driven by a gauge series (``levels_m`` at ``times_s``, linearly
    interpolated and held at its first/last value outside its range), as a
    :class:`FloodResult` at ``output_times_s``.

    Speeds are zero. ``max_depth_m`` and ``arrival_time_s`` are evaluated at the output times
    and at the gauge times between them (the depth grows with the level, so the maximum is
    exact; the arrival time is resolved to those times). Water comes from the seeds, which act
    as fixed-level cells: ``inflow_volume_m3`` is 0 and ``outflow_volume_m3 = -(volume -
    volume[0])``, the convention of :func:`~.inertial.simulate`. ``cell_size_m`` only scales
    the volumes. ``n_steps`` is the number of evaluations.
    """
    z = _checked_elevation(elevation_m)
    t, lv, out = _checked_series(times_s, levels_m, output_times_s)
    evals = _evaluation_times(t, out)
    depths = np.stack([level_pool(z, float(v), seeds) for v in np.interp(evals, t, lv)])
    wet_at = np.where(depths > ARRIVAL_DEPTH_M, evals[:, None, None], np.inf).min(axis=0)
    at_out = np.searchsorted(evals, out)
    volume = depths[at_out].sum(axis=(1, 2)) * cell_size_m**2
    zeros = np.zeros_like(out)
    return FloodResult(
        times_s=out, depth_m=depths[at_out], speed_m_s=np.zeros_like(depths[at_out]),
        max_depth_m=depths.max(axis=0), max_speed_m_s=np.zeros(z.shape),
        arrival_time_s=np.where(np.isfinite(wet_at), wet_at, np.nan), volume_m3=volume,
        inflow_volume_m3=zeros, outflow_volume_m3=-(volume - volume[0]),
        boundary_outflow_volume_m3=zeros.copy(), n_steps=int(evals.size),
    )
