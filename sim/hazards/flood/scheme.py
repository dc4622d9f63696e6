"""The local-inertial grid and one time step: padded cells, stacked faces, row bands
(Bates, Horritt & Fewtrell 2010; see ``inertial`` for the layout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from drillsim.sim.hazards.flood.types import (
    _WALL_M,
    DRY_DEPTH_M,
    G_M_S2,
    SIDES,
    FloatArray,
)


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


