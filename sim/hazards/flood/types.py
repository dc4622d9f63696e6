"""Inputs, constants and the result of the 2D flood solver (see ``inertial``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
Cells = Sequence[tuple[int, int]] | ArrayLike
RainRate = float | ArrayLike | Callable[[float], "float | FloatArray"]

G_M_S2 = 9.81
DRY_DEPTH_M = 1e-3  # faces whose flow depth is at or below this carry no flow
ARRIVAL_DEPTH_M = 0.01  # arrival time: first time the depth exceeds this
SIDES = ("north", "south", "west", "east")
_DT_RESET, _DT_KEEP = 0.95, 0.8  # held time step, as fractions of the stability bound
_WALL_M = 1e12  # face "bed" of a wall: its flow depth is hugely negative, so it is always dry


class Inflow(NamedTuple):
    """A source: the hydrograph ``discharge_m3_s`` at ``times_s`` (strictly increasing), linearly
    interpolated in time and zero before the first and after the last time, spread equally over
    ``cells`` (a list of ``(row, col)``)."""

    cells: Cells
    times_s: ArrayLike
    discharge_m3_s: ArrayLike


class FixedLevel(NamedTuple):
    """Cells held at a water-surface elevation (a river or sea level): a number, or a callable
    ``t_s -> level_m``. A cell whose ground is above the level is held dry."""

    cells: Cells
    water_level_m: float | Callable[[float], float]


class ElevationChange(NamedTuple):
    """At the first step starting at or after ``time_s`` the ground of ``cells`` becomes
    ``new_elevation_m`` (one number, or one per cell): a breach. The depth of water in the cells
    is kept, so no water is created or destroyed."""

    time_s: float
    cells: Cells
    new_elevation_m: float | ArrayLike


@dataclass(frozen=True)
class FloodResult:
    """What a flood run produced; arrays are read-only.

    ``depth_m`` and ``speed_m_s`` are ``[n_times, rows, cols]`` at ``times_s`` (0, every output
    interval, and the end). ``speed_m_s`` is the cell-centred magnitude of the face velocities
    ``q / h_flow`` (each component the mean of the cell's two faces), zero in cells no deeper
    than ``DRY_DEPTH_M``. ``max_depth_m``, ``max_speed_m_s`` and ``arrival_time_s`` (first time
    the depth exceeds ``ARRIVAL_DEPTH_M``, NaN if never) are tracked at every step; the maximum
    speed counts a cell from the step in which water crosses its faces (so it includes the
    speed of water entering a dry cell) and is zero where the depth never exceeded
    ``DRY_DEPTH_M``.
    The volumes are at ``times_s``: ``volume_m3`` the water stored, ``inflow_volume_m3`` the
    cumulative inflow + rain, ``outflow_volume_m3`` the cumulative net volume that left through
    open boundaries and fixed-level cells (negative where a fixed level fed the grid), of which
    ``boundary_outflow_volume_m3`` went through open boundaries. Mass balance:
    ``volume - volume[0] = inflow - outflow`` (see :attr:`mass_balance_error_m3`).
    """

    times_s: FloatArray
    depth_m: FloatArray
    speed_m_s: FloatArray
    max_depth_m: FloatArray
    max_speed_m_s: FloatArray
    arrival_time_s: FloatArray
    volume_m3: FloatArray
    inflow_volume_m3: FloatArray
    outflow_volume_m3: FloatArray
    boundary_outflow_volume_m3: FloatArray
    n_steps: int

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def mass_balance_error_m3(self) -> FloatArray:
        """``inflow - outflow - (volume - volume[0])`` at each output time (zero to round-off)."""
        stored = self.volume_m3 - self.volume_m3[0]
        return self.inflow_volume_m3 - self.outflow_volume_m3 - stored


