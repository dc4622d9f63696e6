"""Checking the solver's inputs, and the forcing they become: inflows, rain, fixed levels,
breaches."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from drillsim.sim.hazards.flood.equations import (
    hydrograph_volume_m3,
    knot_volumes_m3,
    peak_discharge_m3_s,
)
from drillsim.sim.hazards.flood.types import (
    Cells,
    ElevationChange,
    FixedLevel,
    FloatArray,
    Inflow,
    RainRate,
)


def _grid_array(value: ArrayLike, shape: tuple[int, ...], what: str) -> FloatArray:
    """``value`` broadcast to the grid's shape as a new float array; finite and >= 0."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 0 and arr.shape != shape:
        raise ValueError(f"{what} must be a number or an array of shape {shape}, got {arr.shape}")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{what} must be finite and >= 0")
    return np.array(np.broadcast_to(arr, shape), dtype=float)


def _elevation(elevation_m: ArrayLike) -> FloatArray:
    """The ground elevation as a new 2D float array."""
    z = np.array(elevation_m, dtype=float)
    if z.ndim != 2 or z.size == 0:
        raise ValueError(f"elevation_m must be a non-empty 2D array, got shape {z.shape}")
    if not np.isfinite(z).all():
        raise ValueError("elevation_m must be finite")
    return z


def _positive(value: float, what: str) -> float:
    """``value`` as a float, required finite and > 0."""
    v = float(value)
    if not math.isfinite(v) or v <= 0.0:
        raise ValueError(f"{what} must be finite and > 0, got {value!r}")
    return v


def cell_indices(cells: Cells, shape: tuple[int, int], what: str) -> NDArray[np.intp]:
    """Flat indices of ``cells`` (``(row, col)`` pairs) in a grid of ``shape``; ValueError if
    empty, malformed or outside the grid."""
    rc = np.asarray(cells)
    if rc.ndim != 2 or rc.shape[1] != 2 or rc.shape[0] == 0:
        raise ValueError(f"{what}: cells must be a non-empty list of (row, col) pairs")
    if not np.issubdtype(rc.dtype, np.integer):
        raise ValueError(f"{what}: cell indices must be integers")
    rows, cols = rc[:, 0], rc[:, 1]
    if (rows < 0).any() or (rows >= shape[0]).any() or (cols < 0).any() or (cols >= shape[1]).any():
        raise ValueError(f"{what}: cell outside the {shape[0]}x{shape[1]} grid")
    return np.ravel_multi_index((rows, cols), shape)


def _hydrograph(inflow: Inflow, k: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validated ``(times_s, discharge_m3_s, knot volumes)`` of inflow number ``k``."""
    t = np.asarray(inflow.times_s, dtype=float)
    q = np.asarray(inflow.discharge_m3_s, dtype=float)
    if t.ndim != 1 or t.shape != q.shape or t.size < 2:
        raise ValueError(f"inflow {k}: times_s and discharge_m3_s must be 1D, same length >= 2")
    if not (np.isfinite(t).all() and np.isfinite(q).all()) or (np.diff(t) <= 0).any():
        raise ValueError(f"inflow {k}: times_s must be finite and strictly increasing")
    if (q < 0).any():
        raise ValueError(f"inflow {k}: discharge_m3_s must be >= 0")
    return t, q, knot_volumes_m3(t, q)


# --- forcing: inflows, rain, fixed levels, breaches -------------------------------------------


@dataclass
class _Forcing:
    """Sources and controls of a run, validated and indexed into the padded grid."""

    shape: tuple[int, int]
    cell_area_m2: float
    hydrographs: list[tuple[FloatArray, FloatArray, FloatArray]]  # times, discharge, knots
    delivered_m3: FloatArray  # volume each hydrograph has delivered so far
    inflow_cells: NDArray[np.intp]  # padded flat indices
    inflow_share: FloatArray  # (n cells, n inflows): share of each inflow going to each cell
    rain: RainRate | None
    fixed_cells: NDArray[np.intp]
    fixed_levels: list[float | Callable[[float], float]]
    fixed_owner: NDArray[np.intp]
    changes: list[tuple[float, NDArray[np.intp], FloatArray]]

    def inflow_volume_m3(self, h_flat: FloatArray, t_s: float) -> float:
        """Add what the hydrographs delivered since the last call to their cells."""
        if not self.hydrographs:
            return 0.0
        now = np.array([hydrograph_volume_m3(*h, t_s) for h in self.hydrographs])
        added = now - self.delivered_m3
        self.delivered_m3 = now
        h_flat[self.inflow_cells] += self.inflow_share @ added / self.cell_area_m2
        return float(added.sum())

    def peak_rate_m_s(self, t0_s: float, t1_s: float) -> float:
        """An upper bound of the depth per second the sources add to any one cell during
        ``[t0_s, t1_s]`` (a rain callable is sampled at ``t0_s``)."""
        rate = 0.0
        if self.hydrographs:
            peaks = np.array([peak_discharge_m3_s(t, q, t0_s, t1_s)
                              for t, q, _ in self.hydrographs])
            rate = float((self.inflow_share @ peaks).max()) / self.cell_area_m2
        if self.rain is not None:
            rain = self.rain(t0_s) if callable(self.rain) else self.rain
            rate += float(np.max(_checked_rain(rain, self.shape)))
        return rate

    def rain_volume_m3(self, h: FloatArray, t_s: float, dt_s: float) -> float:
        """Add the rain of the step ``[t_s, t_s + dt_s]`` (a callable is taken at mid-step)."""
        if self.rain is None:
            return 0.0
        rate = self.rain(t_s + 0.5 * dt_s) if callable(self.rain) else self.rain
        rate = _checked_rain(rate, self.shape)
        h += rate * dt_s
        total_m_s = float(np.sum(rate)) if np.ndim(rate) else float(rate) * h.size
        return total_m_s * dt_s * self.cell_area_m2

    def hold_levels(self, z_flat: FloatArray, h_flat: FloatArray, t_s: float) -> float:
        """Set the fixed-level cells to their level at ``t_s``; return the volume added."""
        if not self.fixed_levels:
            return 0.0
        levels = np.array([lv(t_s) if callable(lv) else lv for lv in self.fixed_levels])
        idx = self.fixed_cells
        new = np.maximum(levels[self.fixed_owner] - z_flat[idx], 0.0)
        added = float((new - h_flat[idx]).sum()) * self.cell_area_m2
        h_flat[idx] = new
        return added


def _checked_rain(rate: object, shape: tuple[int, int]) -> float | FloatArray:
    """A rain rate (m/s) as a number or an array of the grid's shape, finite and >= 0."""
    arr = np.asarray(rate, dtype=float)
    if arr.ndim != 0 and arr.shape != shape:
        raise ValueError(f"rain_m_s must be a number or an array of shape {shape}")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError("rain_m_s must be finite and >= 0")
    return float(arr) if arr.ndim == 0 else arr


def _padded_index(flat: NDArray[np.intp], shape: tuple[int, int]) -> NDArray[np.intp]:
    """Flat indices into the padded grid of the cells with flat indices ``flat``."""
    rows, cols = np.divmod(flat, shape[1])
    return (rows + 1) * (shape[1] + 2) + cols + 1


def _inflow_table(
    inflows: Iterable[Inflow], shape: tuple[int, int]
) -> tuple[list[tuple[FloatArray, FloatArray, FloatArray]], NDArray[np.intp], FloatArray]:
    """Hydrographs, the distinct inflow cells (padded flat indices) and each inflow's share of
    every cell."""
    inflows = [Inflow(*i) for i in inflows]
    flat = [cell_indices(i.cells, shape, f"inflow {k}") for k, i in enumerate(inflows)]
    uniq = np.unique(np.concatenate(flat)) if flat else np.zeros(0, dtype=np.intp)
    share = np.zeros((uniq.size, len(flat)))
    for k, f in enumerate(flat):
        np.add.at(share[:, k], np.searchsorted(uniq, f), 1.0 / f.size)
    hydro = [_hydrograph(i, k) for k, i in enumerate(inflows)]
    return hydro, _padded_index(uniq, shape), share


def _fixed_table(
    fixed_levels: Iterable[FixedLevel], shape: tuple[int, int]
) -> tuple[NDArray[np.intp], list[float | Callable[[float], float]], NDArray[np.intp]]:
    """Fixed-level cells (padded flat indices), their levels, and which level holds each cell
    (a later entry wins a cell named twice)."""
    fixed = [FixedLevel(*f) for f in fixed_levels]
    owner = np.full(shape[0] * shape[1], -1, dtype=np.intp)
    for k, f in enumerate(fixed):
        if not callable(f.water_level_m) and not math.isfinite(float(f.water_level_m)):
            raise ValueError(f"fixed level {k}: water_level_m must be finite")
        owner[cell_indices(f.cells, shape, f"fixed level {k}")] = k
    cells = np.flatnonzero(owner >= 0)
    return _padded_index(cells, shape), [f.water_level_m for f in fixed], owner[cells]


def _change_table(
    changes: Iterable[ElevationChange], shape: tuple[int, int]
) -> list[tuple[float, NDArray[np.intp], FloatArray]]:
    """Elevation changes as ``(time_s, padded flat indices, new elevations)``, by time."""
    table = []
    for k, c in enumerate(ElevationChange(*c) for c in changes):
        idx = cell_indices(c.cells, shape, f"elevation change {k}")
        new = np.broadcast_to(np.asarray(c.new_elevation_m, dtype=float), idx.shape).copy()
        if not (math.isfinite(float(c.time_s)) and np.isfinite(new).all()):
            raise ValueError(f"elevation change {k}: time_s and new_elevation_m must be finite")
        table.append((float(c.time_s), _padded_index(idx, shape), new))
    return sorted(table, key=lambda c: c[0])


