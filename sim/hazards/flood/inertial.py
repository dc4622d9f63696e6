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

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
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


# --- physics: one function per equation ------------------------------------------------------


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


# --- the grid: padded cells, stacked faces, row bands --------------------------------------


def _x(faces: FloatArray) -> FloatArray:
    """The east-west faces, ``(rows, cols + 1)``."""
    return faces[0, :-1, :]


def _y(faces: FloatArray) -> FloatArray:
    """The north-south faces, ``(rows + 1, cols)``."""
    return faces[1, :, :-1]


def _inner(padded: FloatArray) -> FloatArray:
    """The grid's cells of a padded cell array."""
    return padded[1:-1, 1:-1]


def _face_pairs(
    padded: FloatArray, faces: FloatArray
) -> tuple[tuple[FloatArray, FloatArray, FloatArray], ...]:
    """``(west or north cell, east or south cell, face)`` views for both face families."""
    return (
        (padded[1:-1, :-1], padded[1:-1, 1:], _x(faces)),
        (padded[:-1, 1:-1], padded[1:, 1:-1], _y(faces)),
    )


class _Side(NamedTuple):
    """Index expressions of one grid edge: its ghost cells, edge cells and the next cells in
    (padded cell arrays), its faces (face stack) and the sign of outward flow."""

    ghost: tuple[object, ...]
    edge: tuple[object, ...]
    inner: tuple[object, ...]
    face: tuple[object, ...]
    sign: float


def _side(name: str, rows: int, cols: int) -> _Side:
    """The index expressions of the edge called ``name``."""
    r, c = slice(1, rows + 1), slice(1, cols + 1)
    return {
        "north": _Side((0, c), (1, c), (2, c), (1, 0, slice(0, cols)), -1.0),
        "south": _Side((rows + 1, c), (rows, c), (rows - 1, c), (1, rows, slice(0, cols)), 1.0),
        "west": _Side((r, 0), (r, 1), (r, 2), (0, slice(0, rows), 0), -1.0),
        "east": _Side((r, cols + 1), (r, cols), (r, cols - 1), (0, slice(0, rows), cols), 1.0),
    }[name]


@dataclass(slots=True)
class _Band:
    """Views of the face rows ``[i0, i1)`` of both families and of the cells they join. The
    face equations run band by band so that their work arrays stay in the CPU cache."""

    eta_x: tuple[FloatArray, FloatArray]  # west and east cells of the east-west faces
    eta_y: tuple[FloatArray, FloatArray]  # north and south cells of the north-south faces
    hf: FloatArray
    hf_x: FloatArray
    hf_y: FloatArray
    num: FloatArray
    num_x: FloatArray
    num_y: FloatArray
    q: FloatArray
    pos: FloatArray
    u: FloatArray
    qbar: FloatArray
    zmax: FloatArray
    gn2: FloatArray | float | None
    wet: NDArray[np.bool_]
    tmp: FloatArray
    tmp2: FloatArray


_BAND_FACES = 16_384  # faces per family in a band: the band's work arrays fit in L2 cache


@dataclass
class _Grid:
    """State and preallocated work arrays of one run."""

    cell_size_m: float
    z: FloatArray  # padded elevation (ghosts copy the edge)
    h: FloatArray  # padded depth (ghosts stay 0)
    gn2: FloatArray | float | None  # g n^2 on the faces (one number if uniform; None if 0)
    open_sides: tuple[_Side, ...]
    theta: float
    eta: FloatArray = field(init=False)
    zmax: FloatArray = field(init=False)
    q: FloatArray = field(init=False)
    pos: FloatArray = field(init=False)  # max(q, 0)
    u: FloatArray = field(init=False)  # face velocity q / h_flow
    qbar: FloatArray | None = field(init=False)
    div: FloatArray = field(init=False)  # padded net inflow per cell
    out: FloatArray = field(init=False)
    wn: FloatArray = field(init=False)
    short: NDArray[np.bool_] = field(init=False)
    bands: list[_Band] = field(init=False)

    def __post_init__(self) -> None:
        rows, cols = self.z.shape[0] - 2, self.z.shape[1] - 2
        faces = (2, rows + 1, cols + 1)
        self.eta = np.zeros_like(self.z)
        self.zmax, self.q, self.pos, self.u = (np.zeros(faces) for _ in range(4))
        self.qbar = np.zeros(faces) if self.theta < 1.0 else None
        self.div = np.zeros_like(self.z)
        self.out, self.wn = np.zeros((rows, cols)), np.zeros((rows, cols))
        self.short = np.zeros((rows, cols), dtype=bool)
        step = max(1, _BAND_FACES // (cols + 1))
        scratch = np.zeros((4, 2, min(step, rows + 1), cols + 1))
        wet = np.zeros(scratch.shape[1:], dtype=bool)
        self.bands = [_band(self, i, min(i + step, rows + 1), scratch, wet)
                      for i in range(0, rows + 1, step)]
        self.set_face_beds()

    def set_face_beds(self) -> None:
        """Face bed ``max(z_i, z_j)``; walls (closed edges) and padding get an unreachable bed."""
        self.zmax.fill(_WALL_M)
        for a, b, f in _face_pairs(self.z, self.zmax):
            np.maximum(a, b, out=f)
        rows, cols = self.z.shape[0] - 2, self.z.shape[1] - 2
        for name in SIDES:
            side = _side(name, rows, cols)
            if side not in self.open_sides:
                self.zmax[side.face] = _WALL_M


def _band(
    g: _Grid, i0: int, i1: int, scratch: FloatArray, wet: NDArray[np.bool_]
) -> _Band:
    """The views of face rows ``[i0, i1)``; ``scratch`` and ``wet`` are shared by all bands."""
    nx = min(i1, g.z.shape[0] - 2) - i0  # east-west faces exist on the grid's rows only
    hf, num, tmp, tmp2 = scratch[:, :, : i1 - i0]
    return _Band(
        eta_x=(g.eta[1 + i0 : 1 + i0 + nx, :-1], g.eta[1 + i0 : 1 + i0 + nx, 1:]),
        eta_y=(g.eta[i0:i1, 1:-1], g.eta[i0 + 1 : i1 + 1, 1:-1]),
        hf=hf, hf_x=hf[0, :nx], hf_y=hf[1, :, :-1],
        num=num, num_x=num[0, :nx], num_y=num[1, :, :-1],
        q=g.q[:, i0:i1], pos=g.pos[:, i0:i1], u=g.u[:, i0:i1],
        qbar=(g.q if g.qbar is None else g.qbar)[:, i0:i1],
        zmax=g.zmax[:, i0:i1],
        gn2=g.gn2[:, i0:i1] if isinstance(g.gn2, np.ndarray) else g.gn2,
        wet=wet[:, : i1 - i0], tmp=tmp, tmp2=tmp2,
    )


def _water_surface(g: _Grid) -> None:
    """``eta = z + h``; beyond an open edge the water surface continues with the local bed
    slope of the last interior face, ``eta_ghost = eta_edge + z_edge - z_inner`` (a normal-flow
    condition: the depth is extrapolated unchanged over the extrapolated bed)."""
    np.add(g.z, g.h, out=g.eta)
    for s in g.open_sides:
        g.eta[s.ghost] = g.eta[s.edge] + g.z[s.edge] - g.z[s.inner]


def _weighted_discharge(g: _Grid, qbar: FloatArray) -> None:
    """``theta q_i + (1 - theta)/2 (q_{i-1} + q_{i+1})`` along each face's own direction (edge
    faces unweighted). de Almeida, Bates, Freer & Souvignet (2012), Water Resour. Res. 48,
    W05528, theta-weighted momentum equation (eq. 7, check)."""
    np.copyto(qbar, g.q)
    w = 0.5 * (1.0 - g.theta)
    qx, qy, bx, by = _x(g.q), _y(g.q), _x(qbar), _y(qbar)
    bx[:, 1:-1] = g.theta * qx[:, 1:-1] + w * (qx[:, :-2] + qx[:, 2:])
    by[1:-1, :] = g.theta * qy[1:-1, :] + w * (qy[:-2, :] + qy[2:, :])


def _flow_depth(b: _Band) -> None:
    """Flow depth on each face, ``max(eta_i, eta_j) - max(z_i, z_j)``.
    Bates, Horritt & Fewtrell (2010), J. Hydrol. 387, section 2 (text below eq. 11)."""
    np.maximum(*b.eta_x, out=b.hf_x)
    np.maximum(*b.eta_y, out=b.hf_y)
    b.hf -= b.zmax


def _momentum(b: _Band, dt_s: float, cell_size_m: float) -> None:
    """``q <- (q - g h_flow dt d(eta)/dx) / (1 + g dt n^2 |q| / h_flow^(7/3))``, zero on faces
    no deeper than ``DRY_DEPTH_M`` (``q`` in the numerator is theta-weighted if asked).
    Bates, Horritt & Fewtrell (2010), J. Hydrol. 387, eq. 11."""
    np.subtract(*b.eta_x, out=b.num_x)  # eta_i - eta_j = -dx d(eta)/dx
    np.subtract(*b.eta_y, out=b.num_y)
    b.num *= G_M_S2 * dt_s / cell_size_m
    b.num *= b.hf
    b.num += b.qbar
    np.greater(b.hf, DRY_DEPTH_M, out=b.wet)
    np.maximum(b.hf, DRY_DEPTH_M, out=b.hf)  # floored: friction and speeds divide by it
    if b.gn2 is not None:
        b.num /= _friction_denominator(b, dt_s)
    np.multiply(b.num, b.wet, out=b.q)
    np.maximum(b.q, 0.0, out=b.pos)
    np.divide(b.q, b.hf, out=b.u)


def _friction_denominator(b: _Band, dt_s: float) -> FloatArray:
    """``1 + g dt n^2 |q| / h_flow^(7/3)`` with the floored flow depth.
    Bates, Horritt & Fewtrell (2010), J. Hydrol. 387, eq. 11 (denominator)."""
    depth73, den = b.tmp, b.tmp2
    np.cbrt(b.hf, out=den)
    np.square(b.hf, out=depth73)
    depth73 *= den
    np.abs(b.q, out=den)
    if isinstance(b.gn2, float):
        den *= b.gn2 * dt_s
    else:
        den *= b.gn2
        den *= dt_s
    den /= depth73
    den += 1.0
    return den


def _open_edges(g: _Grid) -> None:
    """Open edges let water out, never in, and at most at the critical discharge
    ``h sqrt(g h)`` of the edge cell (the most a free overfall passes; Chow (1959),
    Open-Channel Hydraulics, section 3-2 (check))."""
    for s in g.open_sides:
        depth = np.maximum(g.h[s.edge], DRY_DEPTH_M)
        outward = np.clip(s.sign * g.q[s.face], 0.0, depth * np.sqrt(G_M_S2 * depth))
        g.q[s.face] = s.sign * outward
        g.pos[s.face] = np.maximum(g.q[s.face], 0.0)
        g.u[s.face] = g.q[s.face] / depth


def _cell_fluxes(g: _Grid, dt_s: float) -> None:
    """Per cell: the net inflow ``q_w - q_e + q_n - q_s`` (m²/s, into ``g.div``) and the depth
    that would leave in the step, ``dt/dx * sum of outgoing q`` (into ``g.out``). The outgoing
    flux through a west or north face is ``max(-q, 0) = max(q, 0) - q``."""
    px, py, qx, qy = _x(g.pos), _y(g.pos), _x(g.q), _y(g.q)
    wn, div, out = g.wn, _inner(g.div), g.out
    np.add(qx[:, :-1], qy[:-1, :], out=wn)  # signed flux through the west and north faces
    np.subtract(wn, qx[:, 1:], out=div)
    div -= qy[1:, :]
    np.add(px[:, 1:], py[1:, :], out=out)
    out += px[:, :-1]
    out += py[:-1, :]
    out -= wn
    out *= dt_s / g.cell_size_m


def _limit_outflow(g: _Grid) -> None:
    """Where the depth that would leave a cell exceeds its depth ``h``, scale the cell's
    outgoing fluxes by ``h / outgoing``. Each face has one donor cell (upwind of its flux), so
    each face flux changes at most once and mass stays exact; no depth can go negative.
    (A positivity limiter; Bates et al. (2010) rely on the time step alone.)"""
    np.less(_inner(g.h), g.out, out=g.short)
    if g.short.any():
        _scale_outflow(g, np.flatnonzero(g.short))


def _scale_outflow(g: _Grid, cells: NDArray[np.intp]) -> None:
    """Scale the outgoing fluxes of ``cells`` (flat indices) by ``h / outgoing``, and update
    the face velocities and the net inflow of the two cells of every changed face."""
    rows, cols = g.out.shape
    r, c = np.divmod(cells, cols)
    fac = _inner(g.h)[r, c] / g.out[r, c]
    west, cell = r * (cols + 1) + c, (r + 1) * (cols + 2) + c + 1
    north = (rows + 1) * (cols + 1) + west
    q, u, div = g.q.reshape(-1), g.u.reshape(-1), g.div.reshape(-1)
    for face, first, second, sign in (  # flux > 0 runs from the first cell to the second
        (west + 1, cell, cell + 1, 1.0), (west, cell - 1, cell, -1.0),
        (north + cols + 1, cell, cell + cols + 2, 1.0), (north, cell - cols - 2, cell, -1.0),
    ):
        scale = np.where(sign * q[face] > 0.0, fac, 1.0)
        change = q[face] * scale - q[face]
        q[face] += change
        u[face] *= scale
        div[first] -= change
        div[second] += change


def _continuity(g: _Grid, dt_s: float) -> None:
    """``h += dt / dx * (q_in - q_out)`` over the four faces of each cell (never below 0).
    Bates, Horritt & Fewtrell (2010), J. Hydrol. 387, eq. 13 (check)."""
    div, h = _inner(g.div), _inner(g.h)
    div *= dt_s / g.cell_size_m
    h += div
    np.maximum(h, 0.0, out=h)  # removes the round-off (~1e-17 m) the limiter can leave


def _step(g: _Grid, dt_s: float) -> float:
    """Advance the flow one step (no sources); return the volume that left through open
    edges."""
    _water_surface(g)
    if g.qbar is not None:
        _weighted_discharge(g, g.qbar)
    for band in g.bands:
        _flow_depth(band)
        _momentum(band, dt_s, g.cell_size_m)
    _open_edges(g)
    _cell_fluxes(g, dt_s)
    _limit_outflow(g)
    _continuity(g, dt_s)
    out = sum(s.sign * float(g.q[s.face].sum()) for s in g.open_sides)
    return out * dt_s * g.cell_size_m


def _speed_squared(g: _Grid, out: FloatArray) -> FloatArray:
    """Four times the squared cell-centred speed, each component the sum of the cell's two face
    velocities ``q / h_flow``."""
    ux, uy = _x(g.u), _y(g.u)
    np.add(ux[:, :-1], ux[:, 1:], out=out)
    out *= out
    np.add(uy[:-1, :], uy[1:, :], out=g.wn)
    g.wn *= g.wn
    out += g.wn
    return out


# --- validation -------------------------------------------------------------------------------


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


# --- the run ------------------------------------------------------------------------------------


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
