"""Two-dimensional flood inundation: the local-inertial scheme of Bates, Horritt & Fewtrell
(2010) on a regular grid of square cells.

Layout (a staggered grid). Depth ``h`` lives in the cells of a ``(rows, cols)`` grid; the
discharge per unit width ``q`` (m²/s) lives on the faces. Row 0 is the *north* edge, row
``rows - 1`` the *south* edge, column 0 the *west* edge and column ``cols - 1`` the *east*
edge; ``q`` is positive towards increasing column (east) and increasing row (south).

Internally cell fields are padded with one ghost cell on every side (``[1:-1, 1:-1]`` is the
grid) and the two face families are stacked in one array of shape ``(2, rows + 1, cols + 1)``
(``[0, :rows, :]`` are the ``cols + 1`` east-west faces of each row, ``[1, :, :cols]`` the
``rows + 1`` north-south faces of each column, the rest is unused padding that stays dry), so
that every face-wise equation is one numpy call.

One step (Bates et al. 2010, section 2):

1. water surface ``eta = z + h``; flow depth on each face ``h_flow = max(eta) - max(z)``;
2. momentum: the semi-implicit friction update of Bates et al. (2010) eq. 11 (optionally the
   theta-weighted numerator of de Almeida et al. 2012); faces with ``h_flow <= DRY_DEPTH_M``
   carry no flow;
3. open edges: free outflow under a normal-flow condition (water-surface slope = local bed
   slope), never inflow, at most the critical discharge;
4. positivity: each cell's outgoing fluxes are scaled down so that it cannot lose more water
   than it holds (each face has exactly one donor cell, so the scaling keeps mass exact);
5. continuity: ``h += dt (q_in - q_out) / dx``; then sources (inflows, rain), then fixed levels.

The time step is bounded by Bates et al. (2010) eq. 12 (and by the filling of dry cells by the
sources), held steady rather than following ``h_max`` step by step, and shortened so that a
whole number of equal steps reaches each output time (see ``_Run.base_step_s`` for why).
The face equations run over bands of face rows sized for the CPU cache; all work arrays are
allocated once per run.
"""


from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from drillsim.sim.hazards.flood.equations import (
    filling_step_s,
    output_times_s,
    time_step_s,
)
from drillsim.sim.hazards.flood.forcing import (
    _change_table,
    _checked_rain,
    _elevation,
    _fixed_table,
    _Forcing,
    _grid_array,
    _inflow_table,
    _positive,
)
from drillsim.sim.hazards.flood.scheme import (
    _face_pairs,
    _Grid,
    _inner,
    _side,
    _speed_squared,
    _step,
)
from drillsim.sim.hazards.flood.types import (
    _DT_KEEP,
    _DT_RESET,
    ARRIVAL_DEPTH_M,
    DRY_DEPTH_M,
    G_M_S2,
    SIDES,
    Cells,
    ElevationChange,
    FixedLevel,
    FloatArray,
    FloodResult,
    Inflow,
    RainRate,
)


@dataclass
class _Record:
    """Outputs and running extremes of a run."""

    times_s: FloatArray
    depth_m: FloatArray
    speed2: FloatArray  # 4 * speed^2 at the outputs
    ledger: FloatArray  # (n_times, 4): volume, inflow, outflow, boundary outflow
    max_depth_m: FloatArray
    max_speed2: FloatArray
    arrival_s: FloatArray
    step_speed2: FloatArray
    arrived: NDArray[np.bool_]
    n_arrived: int = 0
    n_steps: int = 0

    @classmethod
    def empty(cls, times_s: FloatArray, shape: tuple[int, int]) -> _Record:
        n = times_s.size
        return cls(
            times_s, np.zeros((n, *shape)), np.zeros((n, *shape)), np.zeros((n, 4)),
            np.zeros(shape), np.zeros(shape), np.full(shape, np.nan), np.zeros(shape),
            np.zeros(shape, dtype=bool),
        )

    def track(self, g: _Grid, t_s: float) -> None:
        """Update the maxima and arrival times after a step ending at ``t_s``."""
        h = _inner(g.h)
        np.maximum(self.max_depth_m, h, out=self.max_depth_m)
        np.maximum(self.max_speed2, _speed_squared(g, self.step_speed2), out=self.max_speed2)
        np.greater(self.max_depth_m, ARRIVAL_DEPTH_M, out=self.arrived)
        n = int(np.count_nonzero(self.arrived))
        if n != self.n_arrived:  # the depth first exceeds the threshold when its maximum does
            np.copyto(self.arrival_s, t_s, where=self.arrived & np.isnan(self.arrival_s))
            self.n_arrived = n

    def output(self, k: int, g: _Grid, volumes: tuple[float, float, float]) -> None:
        """Store output ``k`` (depth, speed, volumes)."""
        h = _inner(g.h)
        self.depth_m[k] = h
        np.multiply(self.step_speed2, h > DRY_DEPTH_M, out=self.speed2[k])
        self.ledger[k] = (float(h.sum()) * g.cell_size_m**2, *volumes)

    def result(self) -> FloodResult:
        """The record as a :class:`FloodResult` (speeds converted in place)."""
        speed = np.sqrt(self.speed2, out=self.speed2)
        speed *= 0.5
        v = self.ledger
        return FloodResult(
            times_s=self.times_s, depth_m=self.depth_m, speed_m_s=speed,
            max_depth_m=self.max_depth_m,
            max_speed_m_s=0.5 * np.sqrt(self.max_speed2) * (self.max_depth_m > DRY_DEPTH_M),
            arrival_time_s=self.arrival_s, volume_m3=v[:, 0].copy(),
            inflow_volume_m3=v[:, 1].copy(), outflow_volume_m3=v[:, 2].copy(),
            boundary_outflow_volume_m3=v[:, 3].copy(), n_steps=self.n_steps,
        )


@dataclass
class _Ledger:
    """Cumulative volumes of a run (m³)."""

    inflow_m3: float = 0.0  # hydrographs + rain
    boundary_out_m3: float = 0.0  # left through open edges
    fixed_in_m3: float = 0.0  # net volume added by fixed-level cells

    def volumes(self) -> tuple[float, float, float]:
        """``(inflow, net outflow, boundary outflow)``."""
        return self.inflow_m3, self.boundary_out_m3 - self.fixed_in_m3, self.boundary_out_m3


@dataclass
class _Run:
    """One simulation: the grid, its forcing, the record and the time-stepping controls."""

    grid: _Grid
    forcing: _Forcing
    record: _Record
    alpha: float
    max_dt_s: float
    ledger: _Ledger = field(default_factory=_Ledger)
    next_change: int = 0
    dt_s: float = 0.0  # the held step
    source_rate_m_s: float = 0.0  # fastest source of the current output interval

    @property
    def theta_factor(self) -> float:
        """``sqrt(theta)``: how much the theta weighting shortens the stable step."""
        return math.sqrt(self.grid.theta)

    def execute(self) -> FloodResult:
        """Run to the last output time and return the result."""
        g, rec = self.grid, self.record
        self.forcing.hold_levels(g.z.reshape(-1), g.h.reshape(-1), 0.0)  # initial state
        rec.track(g, 0.0)
        rec.output(0, g, self.ledger.volumes())
        t_s = 0.0
        for k in range(1, rec.times_s.size):
            t_s = self.advance(t_s, float(rec.times_s[k]))
            rec.output(k, g, self.ledger.volumes())
        return rec.result()

    def advance(self, t_s: float, target_s: float) -> float:
        """Step from ``t_s`` to exactly ``target_s`` with equal steps (see
        :meth:`base_step_s`)."""
        self.source_rate_m_s = self.forcing.peak_rate_m_s(t_s, target_s)
        while t_s < target_s:
            self.apply_changes(t_s)
            remaining_s = target_s - t_s
            dt_s = remaining_s / max(1, math.ceil(remaining_s / self.base_step_s()))
            self.step(t_s, dt_s)
            t_s = target_s if dt_s == remaining_s else t_s + dt_s
        return target_s

    def base_step_s(self) -> float:
        """The step before it is shortened to divide the time to the next output evenly.

        The bound is Bates et al. (2010) eq. 12 and :func:`filling_step_s` for the fastest
        source of the output interval (so that a dry grid does not take one long step and
        receive a whole hydrograph at once). The step never exceeds the bound but is held
        while it stays within ``[_DT_KEEP, 1]`` times it, and is otherwise reset to
        ``_DT_RESET`` times it: the forward-backward update goes unstable near its limit if
        the step follows ``h_max`` from step to step (it rises under wave crests) or if a short
        step is taken before each output (see the lake tests).

        With theta < 1 the bound is multiplied by ``sqrt(theta)``: in a von Neumann analysis of
        the linearised update the weighting's symbol at the grid-scale mode is ``2 theta - 1``,
        which lowers the stable Courant number from ``1/sqrt(2)`` to ``sqrt(theta / 2)`` in 2D
        (our derivation; the flat-lake test fails without it for theta <= 0.8)."""
        dx, alpha = self.grid.cell_size_m, self.alpha
        bound_s = self.theta_factor * min(
            time_step_s(float(_inner(self.grid.h).max()), dx, alpha),
            filling_step_s(self.source_rate_m_s, dx, alpha),
        )
        if not _DT_KEEP * bound_s <= self.dt_s <= bound_s:
            self.dt_s = _DT_RESET * bound_s
        return min(self.dt_s, self.max_dt_s)

    def step(self, t_s: float, dt_s: float) -> None:
        """One step ``[t_s, t_s + dt_s]``: flow, sources, fixed levels, extremes."""
        g, f, led = self.grid, self.forcing, self.ledger
        led.boundary_out_m3 += _step(g, dt_s)
        led.inflow_m3 += f.inflow_volume_m3(g.h.reshape(-1), t_s + dt_s)
        led.inflow_m3 += f.rain_volume_m3(_inner(g.h), t_s, dt_s)
        led.fixed_in_m3 += f.hold_levels(g.z.reshape(-1), g.h.reshape(-1), t_s + dt_s)
        self.record.n_steps += 1
        self.record.track(g, t_s + dt_s)

    def apply_changes(self, t_s: float) -> None:
        """Apply the elevation changes due at or before ``t_s`` (depths kept)."""
        changes = self.forcing.changes
        while self.next_change < len(changes) and changes[self.next_change][0] <= t_s:
            _, idx, new = changes[self.next_change]
            self.grid.z.reshape(-1)[idx] = new
            _fill_ghosts(self.grid.z)
            self.grid.set_face_beds()
            self.next_change += 1


def _fill_ghosts(padded: FloatArray) -> None:
    """Copy the edge cells into the ghost ring."""
    padded[0, :], padded[-1, :] = padded[1, :], padded[-2, :]
    padded[:, 0], padded[:, -1] = padded[:, 1], padded[:, -2]


def _face_friction(manning_n: FloatArray) -> FloatArray | float | None:
    """``g n^2`` on the faces, ``n`` the mean of the face's two cells: None if ``n`` is 0
    everywhere, one number if it is uniform."""
    if not manning_n.any():
        return None
    if (manning_n == manning_n.flat[0]).all():
        return G_M_S2 * float(manning_n.flat[0]) ** 2
    n_pad = np.pad(manning_n, 1, mode="edge")
    rows, cols = manning_n.shape
    gn2 = np.zeros((2, rows + 1, cols + 1))
    for a, b, f in _face_pairs(n_pad, gn2):
        np.add(a, b, out=f)
    return G_M_S2 * (0.5 * gn2) ** 2


def _open_sides(open_boundary: str | Iterable[str], shape: tuple[int, int]) -> tuple[str, ...]:
    """Validated names of the open edges."""
    names = (open_boundary,) if isinstance(open_boundary, str) else tuple(open_boundary)
    for name in names:
        if name not in SIDES:
            raise ValueError(f"open_boundary: unknown side {name!r}; choose from {SIDES}")
        if shape[0 if name in ("north", "south") else 1] < 2:
            raise ValueError(f"open_boundary {name!r} needs at least 2 cells across that edge")
    return tuple(dict.fromkeys(names))


def _build_grid(
    z: FloatArray, cell_size_m: float, manning_n: FloatArray, depth_m: FloatArray,
    open_names: tuple[str, ...], theta: float,
) -> _Grid:
    """The padded run state."""
    rows, cols = z.shape
    return _Grid(
        cell_size_m=cell_size_m, z=np.pad(z, 1, mode="edge"), h=np.pad(depth_m, 1),
        gn2=_face_friction(manning_n), theta=theta,
        open_sides=tuple(_side(name, rows, cols) for name in open_names),
    )


def _build_forcing(
    shape: tuple[int, int], cell_size_m: float, inflows: Iterable[Inflow],
    rain_m_s: RainRate | None, fixed_levels: Iterable[FixedLevel],
    elevation_changes: Iterable[ElevationChange],
) -> _Forcing:
    """Validated, indexed forcing."""
    if rain_m_s is not None and not callable(rain_m_s):
        rain_m_s = _checked_rain(rain_m_s, shape)
    hydro, cells, share = _inflow_table(inflows, shape)
    fixed_cells, levels, owner = _fixed_table(fixed_levels, shape)
    return _Forcing(
        shape=shape, cell_area_m2=cell_size_m**2, hydrographs=hydro,
        delivered_m3=np.zeros(len(hydro)), inflow_cells=cells,
        inflow_share=share, rain=rain_m_s, fixed_cells=fixed_cells, fixed_levels=levels,
        fixed_owner=owner, changes=_change_table(elevation_changes, shape),
    )


def _in_range(value: float, low: float, high: float, what: str, *, open_low: bool) -> float:
    """``value`` as a float in ``(low, high]`` (``open_low``) or ``[low, high]``."""
    v = float(value)
    if not (low < v <= high if open_low else low <= v <= high):
        bracket = "(" if open_low else "["
        raise ValueError(f"{what} must be in {bracket}{low}, {high}], got {value!r}")
    return v


def simulate(
    elevation_m: ArrayLike,
    cell_size_m: float,
    manning_n: float | ArrayLike,
    duration_s: float,
    *,
    initial_depth_m: ArrayLike | None = None,
    inflows: Iterable[Inflow | tuple[Cells, ArrayLike, ArrayLike]] = (),
    rain_m_s: RainRate | None = None,
    output_every_s: float = 60.0,
    open_boundary: str | Iterable[str] = (),
    fixed_levels: Iterable[FixedLevel | tuple[Cells, float]] = (),
    elevation_changes: Iterable[ElevationChange | tuple[float, Cells, ArrayLike]] = (),
    alpha: float = 0.7,
    theta: float = 1.0,
    max_dt_s: float | None = None,
) -> FloodResult:
    """Flood a gridded terrain with the local-inertial scheme (Bates, Horritt & Fewtrell 2010).

    Args:
        elevation_m: ground elevation, 2D ``(rows, cols)``; row 0 is north, column 0 west.
        cell_size_m: side of the square cells.
        manning_n: Manning's n (s m^-1/3), a number or one per cell, >= 0 (0: frictionless).
            A face uses the mean of its two cells.
        duration_s: simulated time.
        initial_depth_m: water depth at t = 0 (default dry), >= 0.
        inflows: ``(cells, times_s, discharge_m3_s)`` each (see :class:`Inflow`): the discharge
            is spread equally over the cells, linearly interpolated in time and zero before the
            first and after the last time; the volume added in a step is the hydrograph's exact
            integral over the step.
        rain_m_s: rain rate: None, a number, an array of the grid's shape, or a callable
            ``t_s -> number or array`` evaluated at the middle of each step. Rain falls on every
            cell (fixed-level cells then return it: it counts as fixed-level exchange).
        output_every_s: interval of the stored fields; the steps end exactly on the outputs.
        open_boundary: sides (``"north"``, ``"south"``, ``"west"``, ``"east"``) with free
            outflow; the others are walls. Free outflow is a normal-flow condition: the edge
            face takes the same momentum equation with the water-surface slope equal to the
            local bed slope across the last interior face (depth extrapolated unchanged), so
            uniform flow leaves at its normal depth and nothing leaves where the ground does
            not fall towards the edge; water never enters, and never leaves faster than the
            critical discharge ``h sqrt(g h)``. Where the terrain is flat at the edge and the
            water should still leave, hold the edge at a level with ``fixed_levels``.
        fixed_levels: ``(cells, water_level_m)`` each (see :class:`FixedLevel`): after every
            step (and at t = 0) these cells are set to depth ``max(level - z, 0)``; the volume
            that takes counts as exchange in ``outflow_volume_m3``.
        elevation_changes: ``(time_s, cells, new_elevation_m)`` each (see
            :class:`ElevationChange`): at the first step starting at or after ``time_s`` the
            ground of the cells is set (e.g. a breach in an embankment); depths are kept.
        alpha: time-step coefficient of Bates et al. (2010) eq. 12, in (0, 0.7]. The step
            used is at most that bound (see ``_Run.base_step_s``): held between 0.8 and 0.95
            of it, and shortened to end exactly on the outputs.
        theta: de Almeida et al. (2012) weighting in (0, 1]; 1 is the plain Bates scheme.
            Below 1 it damps grid-scale oscillations and shortens the step by sqrt(theta).
        max_dt_s: optional upper bound on the time step.

    Returns:
        A :class:`FloodResult`.

    Raises:
        ValueError: on wrong shapes, negative n, depths or rain, cells outside the grid,
            non-increasing hydrograph times or out-of-range controls.
    """
    z = _elevation(elevation_m)
    dx = _positive(cell_size_m, "cell_size_m")
    depth = _grid_array(0.0 if initial_depth_m is None else initial_depth_m, z.shape,
                        "initial_depth_m")
    grid = _build_grid(
        z, dx, _grid_array(manning_n, z.shape, "manning_n"), depth,
        _open_sides(open_boundary, z.shape), _in_range(theta, 0, 1, "theta", open_low=True),
    )
    forcing = _build_forcing(z.shape, dx, inflows, rain_m_s, fixed_levels, elevation_changes)
    times = output_times_s(_positive(duration_s, "duration_s"),
                           _positive(output_every_s, "output_every_s"))
    cap_s = math.inf if max_dt_s is None else _positive(max_dt_s, "max_dt_s")
    alpha = _in_range(alpha, 0, 0.7, "alpha", open_low=True)
    run = _Run(grid, forcing, _Record.empty(times, z.shape), alpha, cap_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        return run.execute()
