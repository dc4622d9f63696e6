"""Rupture geometry and source-to-site distances (drillsim.sim.hazards.quake.rupture).

Oracles: distances worked by hand for a vertical strike-slip fault, a dipping fault (hanging
wall and foot wall) and a point source; a brute-force search over a fine grid of points on the
plane; invariants on random sites (Hypothesis).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.sim.hazards.quake.rupture import Rupture, distances, strike_frame

ROOT2 = math.sqrt(2.0)


def vertical_north_fault(depth_km: float = 10.0) -> Rupture:
    """Vertical plane striking north, 20 km long, 10 km wide, centred on (0, 0, depth)."""
    return Rupture(0.0, 0.0, depth_km, strike_deg=0.0, dip_deg=90.0, length_km=20.0, width_km=10.0)


def dipping_east_fault() -> Rupture:
    """Strike north, dip 45° to the east, 20 km long and 10 km wide, centre at 2 + 5/√2 km
    depth, so the top edge is 2 km deep along x = -5/√2 km and the bottom edge 2 + 10/√2 km
    deep along x = +5/√2 km."""
    depth_km = 2.0 + 5.0 / ROOT2
    return Rupture(0.0, 0.0, depth_km, strike_deg=0.0, dip_deg=45.0, length_km=20.0, width_km=10.0)


def test_point_source_uses_epicentral_and_hypocentral_distance() -> None:
    """Oracle: Pythagoras (3-4-5 triangles)."""
    r = Rupture(1000.0, 2000.0, 4.0)
    rjb, rrup = distances(r, [1000.0, 4000.0], [2000.0, 6000.0])
    np.testing.assert_allclose(rjb, [0.0, 5.0], atol=1e-12)
    np.testing.assert_allclose(rrup, [4.0, math.sqrt(41.0)], rtol=1e-12)


def test_vertical_strike_slip_fault_distances() -> None:
    """Oracle: Rjb is the distance to the surface trace segment y ∈ [-10, 10] km, x = 0, and
    Rrup = sqrt(Rjb² + ztor²) with ztor = 10 - 5 = 5 km."""
    r = vertical_north_fault()
    x_km = np.array([0.0, 3.0, -4.0, 3.0, 0.0])
    y_km = np.array([0.0, 5.0, -10.0, 14.0, -12.0])
    rjb, rrup = distances(r, x_km * 1000.0, y_km * 1000.0)
    expected_rjb = np.array([0.0, 3.0, 4.0, 5.0, 2.0])
    np.testing.assert_allclose(rjb, expected_rjb, atol=1e-9)
    np.testing.assert_allclose(rrup, np.hypot(expected_rjb, 5.0), rtol=1e-12)


def test_site_above_dipping_fault_is_at_the_perpendicular_distance() -> None:
    """Oracle, by hand: a site 5 km east of the top trace (x = 5 - 5/√2 km) is above the plane
    (its surface projection is 10 cos 45° = 7.07 km wide), so Rjb = 0; the plane is 2 + 5 = 7 km
    below it, so the perpendicular distance is 7 cos 45° = 4.950 km, and its foot lies inside
    the plane (down-dip coordinate from the top edge (5 - 2)/√2 = 2.12 km, between 0 and 10)."""
    x_m = (5.0 - 5.0 / ROOT2) * 1000.0
    rjb, rrup = distances(dipping_east_fault(), x_m, 3000.0)
    assert rjb == pytest.approx(0.0, abs=1e-9)
    assert rrup == pytest.approx(7.0 / ROOT2, rel=1e-12)


def test_hanging_wall_and_foot_wall_sites() -> None:
    """Two sites 3 km from the top trace on either side. Foot wall (west): Rjb = 3 km and the
    closest point is the top edge, Rrup = sqrt(3² + 2²). Hanging wall (east): inside the surface
    projection (width 10/√2 = 7.07 km), Rjb = 0; the plane is 5 km below, so the perpendicular
    distance is 5/√2; the foot is up dip of the top edge ((3 - 2)/√2 > 0 from it: inside)."""
    top_x_km = -5.0 / ROOT2
    x_m = np.array([top_x_km - 3.0, top_x_km + 3.0]) * 1000.0
    rjb, rrup = distances(dipping_east_fault(), x_m, np.zeros(2))
    np.testing.assert_allclose(rjb, [3.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(rrup, [math.sqrt(13.0), 5.0 / ROOT2], rtol=1e-12)
    # Strike north: "across" (positive to the right of strike, the hanging-wall side) is east.
    along_km, across_km = strike_frame(dipping_east_fault(), x_m, np.zeros(2))
    np.testing.assert_allclose(across_km, x_m / 1000.0, rtol=1e-12)
    np.testing.assert_allclose(along_km, 0.0, atol=1e-12)


def test_corners_follow_aki_richards_convention() -> None:
    """Strike 90° (east): the plane dips to the south (right of strike); the top edge runs from
    west to east at ztor, the bottom edge is W sin(dip) deeper and W cos(dip) further south."""
    r = Rupture(0.0, 0.0, 10.0, strike_deg=90.0, dip_deg=30.0, length_km=8.0, width_km=4.0)
    expected = np.array(
        [
            [-4000.0, 1000.0 * math.sqrt(3.0), 9000.0],
            [4000.0, 1000.0 * math.sqrt(3.0), 9000.0],
            [4000.0, -1000.0 * math.sqrt(3.0), 11000.0],
            [-4000.0, -1000.0 * math.sqrt(3.0), 11000.0],
        ]
    )
    np.testing.assert_allclose(r.corners_m(), expected, atol=1e-9)


def test_shallow_hypocentre_moves_plane_down_dip_to_the_surface() -> None:
    """Hypocentre 1 km deep on a 45° plane 10 km wide: centred, the top would be 2.5 km above
    ground, so the plane moves down dip until its top is at 0; the hypocentre stays on it."""
    r = Rupture(0.0, 0.0, 1.0, strike_deg=0.0, dip_deg=45.0, length_km=10.0, width_km=10.0)
    corners = r.corners_m()
    np.testing.assert_allclose(corners[:2, 2], 0.0, atol=1e-9)
    np.testing.assert_allclose(corners[2:, 2], 10000.0 / ROOT2, rtol=1e-12)
    normal = np.cross(corners[1] - corners[0], corners[3] - corners[0])
    normal /= np.linalg.norm(normal)
    assert np.dot(np.array([0.0, 0.0, 1000.0]) - corners[0], normal) == pytest.approx(0.0, abs=1e-6)
    # The site above the hypocentre: its perpendicular foot, 1 km · cos 45° away, is on the
    # plane (0.71 km down dip of the top edge).
    _, rrup = distances(r, 0.0, 0.0)
    assert rrup == pytest.approx(1.0 / ROOT2, rel=1e-12)


def test_strike_frame_without_strike_is_north_east() -> None:
    along, across = strike_frame(Rupture(500.0, -500.0, 8.0), [1500.0], [1500.0])
    np.testing.assert_allclose([along[0], across[0]], [2.0, 1.0], atol=1e-12)


def test_strike_frame_right_of_an_eastward_strike_is_south() -> None:
    r = Rupture(0.0, 0.0, 8.0, strike_deg=90.0, dip_deg=60.0, length_km=10.0, width_km=5.0)
    along, across = strike_frame(r, [3000.0, 0.0], [0.0, -4000.0])
    np.testing.assert_allclose(along, [3.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(across, [0.0, 4.0], atol=1e-12)


def test_partial_plane_is_rejected() -> None:
    with pytest.raises(ValueError, match="finite rupture"):
        Rupture(0.0, 0.0, 5.0, strike_deg=10.0)
    with pytest.raises(ValueError, match="dip"):
        Rupture(0.0, 0.0, 5.0, strike_deg=10.0, dip_deg=0.0, length_km=1.0, width_km=1.0)


def brute_force_rrup_km(r: Rupture, x_m: float, y_m: float, n: int = 201) -> float:
    """Smallest distance from the site to an ``n × n`` grid of points on the plane."""
    c = r.corners_m()
    s, t = np.meshgrid(np.linspace(0.0, 1.0, n), np.linspace(0.0, 1.0, n))
    pts = c[0] + s[..., None] * (c[1] - c[0]) + t[..., None] * (c[3] - c[0])
    d = np.linalg.norm(pts - np.array([x_m, y_m, 0.0]), axis=-1)
    return float(d.min()) / 1000.0


ruptures = st.builds(
    Rupture,
    x_m=st.floats(-5e4, 5e4),
    y_m=st.floats(-5e4, 5e4),
    depth_km=st.floats(0.0, 25.0),
    strike_deg=st.floats(0.0, 360.0),
    dip_deg=st.floats(5.0, 90.0),
    length_km=st.floats(1.0, 80.0),
    width_km=st.floats(1.0, 30.0),
)


@settings(max_examples=60, deadline=None)
@given(r=ruptures, seed=st.integers(0, 2**32 - 1))
def test_distance_invariants_on_random_sites(r: Rupture, seed: int) -> None:
    """Rrup ≥ Rjb ≥ 0, Rrup ≥ ztor, and Rrup agrees with a brute-force search over the plane
    to within the grid's diagonal."""
    rng = np.random.default_rng(seed)
    x = r.x_m + rng.uniform(-1e5, 1e5, 200)
    y = r.y_m + rng.uniform(-1e5, 1e5, 200)
    rjb, rrup = distances(r, x, y)
    ztor_km = r.corners_m()[:, 2].min() / 1000.0
    assert np.all(rrup >= rjb - 1e-9)
    assert np.all(rrup >= ztor_km - 1e-9)
    assert np.all(rjb >= 0.0)
    _, _, length_km, width_km = r.plane()
    grid_step_km = math.hypot(length_km, width_km) / 200.0
    for i in range(5):
        brute_km = brute_force_rrup_km(r, x[i], y[i])
        assert brute_km - grid_step_km <= rrup[i] <= brute_km + 1e-9


@settings(max_examples=30, deadline=None)
@given(r=ruptures)
def test_site_above_the_plane_centre(r: Rupture) -> None:
    """A site straight above a point of the plane has Rjb = 0 and Rrup no larger than that
    point's depth."""
    c = r.corners_m()
    centre = c.mean(axis=0)
    rjb, rrup = distances(r, centre[0], centre[1])
    assert rjb == pytest.approx(0.0, abs=1e-6)
    assert rrup <= centre[2] / 1000.0 + 1e-9


def test_distances_keep_the_sites_shape_and_leave_inputs_untouched() -> None:
    x = np.zeros((3, 4))
    y = np.linspace(-1e4, 1e4, 12).reshape(3, 4)
    x0, y0 = x.copy(), y.copy()
    rjb, rrup = distances(vertical_north_fault(), x, y)
    assert rjb.shape == rrup.shape == (3, 4)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
