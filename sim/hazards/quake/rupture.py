"""Earthquake rupture geometry and source-to-site distances.

Frame: projected metres, ``x`` east and ``y`` north (the scenario's frame); depths in km (or m
where the name says so), positive down. Sites are at the ground surface (depth 0).

A :class:`Rupture` is either a point source (the hypocentre only) or a finite rectangular
plane. The plane follows the Aki & Richards (*Quantitative Seismology*, 2nd ed. 2002, ch. 4)
convention: the strike is measured clockwise from north and the plane dips to the right of
an observer looking along strike; ``length_km`` runs along strike and ``width_km`` down dip.

The hypocentre is placed at the centre of the plane. If that would put the top edge above the
ground, the plane is moved down dip (keeping its strike, dip, length and width) until its top
edge lies at the surface; the hypocentre then stays on the plane, up dip of its centre.

Distances (the usual ground-motion-model metrics, as defined e.g. by Abrahamson & Shedlock
1997, Seismol. Res. Lett. 68(1), 9-23):

* ``Rjb`` (Joyner-Boore): horizontal distance to the surface projection of the rupture, zero
  inside it; for a point source, the epicentral distance.
* ``Rrup``: the closest 3-D distance to the rupture plane; for a point source, the hypocentral
  distance.

Both are closed form and vectorised: the site is projected onto the plane's orthonormal local
frame and the coordinates clamped to the rectangle, which gives the closest point because the
squared distance separates into independent terms along each axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

M_PER_KM = 1000.0


@dataclass(frozen=True)
class Rupture:
    """A hypocentre (``x_m``, ``y_m``, ``depth_km``) and, for a finite rupture, the plane's
    ``strike_deg`` (clockwise from north), ``dip_deg`` (0 < dip ≤ 90), ``length_km`` (along
    strike) and ``width_km`` (down dip). Give all four plane parameters or none."""

    x_m: float
    y_m: float
    depth_km: float
    strike_deg: float | None = None
    dip_deg: float | None = None
    length_km: float | None = None
    width_km: float | None = None

    def __post_init__(self) -> None:
        plane = (self.strike_deg, self.dip_deg, self.length_km, self.width_km)
        given = [v is not None for v in plane]
        if any(given) and not all(given):
            raise ValueError("a finite rupture needs strike_deg, dip_deg, length_km and width_km")
        if self.depth_km < 0.0:
            raise ValueError(f"hypocentre depth must be >= 0 km, got {self.depth_km}")
        if self.is_finite:
            _, dip_deg, length_km, width_km = self.plane()
            if not 0.0 < dip_deg <= 90.0:
                raise ValueError(f"dip must be in (0, 90] degrees, got {dip_deg}")
            if length_km <= 0.0 or width_km <= 0.0:
                raise ValueError("rupture length and width must be positive")

    @property
    def is_finite(self) -> bool:
        """Whether the rupture has a plane (otherwise it is a point source)."""
        return self.strike_deg is not None

    def plane(self) -> tuple[float, float, float, float]:
        """``(strike_deg, dip_deg, length_km, width_km)`` of a finite rupture."""
        if (
            self.strike_deg is None
            or self.dip_deg is None
            or self.length_km is None
            or self.width_km is None
        ):
            raise ValueError("a point-source rupture has no plane")
        return self.strike_deg, self.dip_deg, self.length_km, self.width_km

    def corners_m(self) -> FloatArray:
        """The plane's corners as a ``(4, 3)`` array of ``x_m, y_m, depth_m``: top edge start
        and end (along strike), then bottom edge end and start."""
        centre, along, down = _plane_frame(self)
        _, _, length_km, width_km = self.plane()
        half_l, half_w = 0.5 * length_km * M_PER_KM, 0.5 * width_km * M_PER_KM
        signs = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
        return centre + signs[:, :1] * half_l * along + signs[:, 1:] * half_w * down


def strike_unit(strike_deg: float) -> FloatArray:
    """Horizontal unit vector ``(east, north)`` along strike, clockwise from north."""
    s = math.radians(strike_deg)
    return np.array([math.sin(s), math.cos(s)])


def down_dip_unit(strike_deg: float, dip_deg: float) -> FloatArray:
    """Unit vector ``(east, north, down)`` down the dip, to the right of strike (Aki &
    Richards)."""
    s, d = math.radians(strike_deg), math.radians(dip_deg)
    return np.array([math.cos(d) * math.cos(s), -math.cos(d) * math.sin(s), math.sin(d)])


def top_shift_m(depth_km: float, width_km: float, dip_deg: float) -> float:
    """How far (m, down dip) a plane centred on the hypocentre moves so that its top edge is
    not above the ground: ``max(0, W/2 - z / sin(dip))``."""
    return max(0.0, 0.5 * width_km - depth_km / math.sin(math.radians(dip_deg))) * M_PER_KM


def _plane_frame(rupture: Rupture) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Centre ``(x_m, y_m, depth_m)`` of the plane and its along-strike and down-dip unit
    vectors."""
    strike_deg, dip_deg, _, width_km = rupture.plane()
    along = np.append(strike_unit(strike_deg), 0.0)
    down = down_dip_unit(strike_deg, dip_deg)
    shift_m = top_shift_m(rupture.depth_km, width_km, dip_deg)
    hypo = np.array([rupture.x_m, rupture.y_m, rupture.depth_km * M_PER_KM])
    return hypo + shift_m * down, along, down


def clamped_offset(coord: FloatArray, half_extent: float) -> FloatArray:
    """Distance from a coordinate to the interval ``[-half_extent, half_extent]`` (0 inside)."""
    return coord - np.clip(coord, -half_extent, half_extent)


def point_distances_km(
    rupture: Rupture, x_m: FloatArray, y_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Epicentral and hypocentral distances (km): ``Rjb`` and ``Rrup`` of a point source."""
    r_epi_km = np.hypot(x_m - rupture.x_m, y_m - rupture.y_m) / M_PER_KM
    return r_epi_km, np.hypot(r_epi_km, rupture.depth_km)


def plane_distances_km(
    rupture: Rupture, x_m: FloatArray, y_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``Rjb`` and ``Rrup`` (km) of surface sites to a finite rectangular plane."""
    centre, along, down = _plane_frame(rupture)
    _, dip_deg, length_km, width_km = rupture.plane()
    half_l, half_w = 0.5 * length_km * M_PER_KM, 0.5 * width_km * M_PER_KM
    dx, dy, dz = x_m - centre[0], y_m - centre[1], -centre[2]
    # Rrup: in-plane coordinates, normal offset, and the excess beyond the rectangle's edges.
    u_along = dx * along[0] + dy * along[1]
    u_down = dx * down[0] + dy * down[1] + dz * down[2]
    normal = np.cross(along, down)
    u_normal = dx * normal[0] + dy * normal[1] + dz * normal[2]
    rrup_m = np.sqrt(
        u_normal**2 + clamped_offset(u_along, half_l) ** 2 + clamped_offset(u_down, half_w) ** 2
    )
    # Rjb: the same in the horizontal plane, with the projected half-width W/2 cos(dip).
    s_east, s_north = along[0], along[1]
    v_down = dx * s_north - dy * s_east  # horizontal offset to the right of strike
    half_w_h = half_w * math.cos(math.radians(dip_deg))
    rjb_m = np.hypot(clamped_offset(u_along, half_l), clamped_offset(v_down, half_w_h))
    return rjb_m / M_PER_KM, rrup_m / M_PER_KM


def distances(rupture: Rupture, x_m: ArrayLike, y_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """``(rjb_km, rrup_km)`` from the rupture to surface sites at ``x_m``, ``y_m`` (any
    broadcastable shapes): point-source or finite-plane metrics as the rupture is."""
    x, y = np.broadcast_arrays(np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float))
    if rupture.is_finite:
        return plane_distances_km(rupture, x, y)
    return point_distances_km(rupture, x, y)


def strike_frame(rupture: Rupture, x_m: ArrayLike, y_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """``(along_km, across_km)``: the sites' horizontal offset from the epicentre along strike
    and perpendicular to it, ``across`` positive to the right of strike (the hanging-wall side
    of a dipping plane). A point source takes strike 0 (north), so ``along`` is the northward
    and ``across`` the eastward offset."""
    strike = rupture.strike_deg if rupture.strike_deg is not None else 0.0
    s_east, s_north = strike_unit(strike)
    dx = np.asarray(x_m, dtype=float) - rupture.x_m
    dy = np.asarray(y_m, dtype=float) - rupture.y_m
    along_m = dx * s_east + dy * s_north
    across_m = dx * s_north - dy * s_east
    return along_m / M_PER_KM, across_m / M_PER_KM
