"""Ground motion <-> intensity conversions.

Worden et al. (2012) (``gmice``): checked against hand-computed values of their eq. (3) with
Table 1 coefficients, and against the conversion tables in ``tests/data/quake/``:
``worden2012_gm_to_mmi.csv`` (every third row of OpenQuake hazardlib's
``gmice/data/wgrw12/WORDEN2012_GMLS_MMI_MEAN.csv``) and ``worden2012_mmi_to_gm.csv``
(``WORDEN2012_MMI_GMLS_MEAN.csv``), which OpenQuake generated with the USGS ShakeMap
implementation. Rows below MMI 2 were dropped: there ShakeMap adds a low-intensity segment
that is not part of the published relation; rows above MMI 10 were dropped because this module
clips MMI to 10. The MMI-to-PGA rows were computed with g = 9.81 m/s² (this module uses
9.80665), a 0.03 % difference well inside the 1 % tolerance.

Chinese elliptical intensity attenuation (``intensity_cn``): no published worked example was
found, so the tests check the defining properties: the axis relations are reproduced on the
axes, intensity decreases outward, every off-axis site lies on the ellipse of its intensity,
and the two axis relations of each region agree at the epicentre (which the published
coefficients do to within 1e-3 intensity units; for two regions a missing R0 was inferred
from this very property, see the module docstring).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from drillsim.sim.hazards.quake.gmice import (
    STANDARD_GRAVITY_CM_S2,
    WGRW12_PGA,
    WGRW12_PGV,
    mmi_to_pga,
    mmi_to_pgv,
    pga_to_mmi,
    pgv_to_mmi,
)
from drillsim.sim.hazards.quake.intensity_cn import (
    _region,
    axis_intensity,
    axis_radius_km,
    cn_intensity,
    regions,
)

DATA = Path(__file__).parent / "data" / "quake"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- Worden 2012


def test_hand_computed_values_of_eq3() -> None:
    # PGA = 100 cm/s² -> log10 = 2 > t1 = 1.57: MMI = -1.60 + 3.70 * 2 = 5.80.
    assert pga_to_mmi(100.0 / STANDARD_GRAVITY_CM_S2) == pytest.approx(5.80)
    # PGA = 10 cm/s² -> log10 = 1 <= t1: MMI = 1.78 + 1.55 = 3.33.
    assert pga_to_mmi(10.0 / STANDARD_GRAVITY_CM_S2) == pytest.approx(3.33)
    # PGV = 10 cm/s -> log10 = 1 > t1 = 0.53: MMI = 2.89 + 3.16 = 6.05.
    assert pgv_to_mmi(10.0) == pytest.approx(6.05)
    # PGV = 1 cm/s -> log10 = 0 <= t1: MMI = c1 = 3.78.
    assert pgv_to_mmi(1.0) == pytest.approx(3.78)


def test_values_at_the_breaks() -> None:
    pga_break_g = 10.0**WGRW12_PGA.t1 / STANDARD_GRAVITY_CM_S2
    assert pga_to_mmi(pga_break_g) == pytest.approx(1.78 + 1.55 * 1.57)
    assert pgv_to_mmi(10.0**WGRW12_PGV.t1) == pytest.approx(3.78 + 1.47 * 0.53)
    # The inverse switches at the published MMI break t2.
    assert mmi_to_pgv(4.56) == pytest.approx(10.0 ** ((4.56 - 3.78) / 1.47))
    assert mmi_to_pga(4.22) * STANDARD_GRAVITY_CM_S2 == pytest.approx(
        10.0 ** ((4.22 - 1.78) / 1.55)
    )


def test_ground_motion_to_mmi_matches_shakemap_tables() -> None:
    rows = _rows("worden2012_gm_to_mmi.csv")
    for imt, convert in (("PGA", pga_to_mmi), ("PGV", pgv_to_mmi)):
        subset = [r for r in rows if r["imt"] == imt]
        assert len(subset) >= 20
        motion = np.array([float(r["motion"]) for r in subset])
        expected = np.array([float(r["mmi"]) for r in subset])
        assert np.max(np.abs(convert(motion) - expected)) < 0.01, imt


def test_mmi_to_ground_motion_matches_shakemap_tables() -> None:
    rows = _rows("worden2012_mmi_to_gm.csv")
    mmi = np.array([float(r["mmi"]) for r in rows])
    for column, convert in (("pga_g", mmi_to_pga), ("pgv_cm_s", mmi_to_pgv)):
        expected = np.array([float(r[column]) for r in rows])
        assert np.max(np.abs(convert(mmi) / expected - 1.0)) < 0.01, column


def test_round_trip() -> None:
    mmi = np.linspace(1.0, 10.0, 91)
    assert np.allclose(pga_to_mmi(mmi_to_pga(mmi)), mmi, atol=1e-9)
    assert np.allclose(pgv_to_mmi(mmi_to_pgv(mmi)), mmi, atol=1e-9)
    # Ground motion -> MMI -> ground motion: exact away from the break, within 1 % near it.
    pgv = np.geomspace(0.1, 150.0, 200)
    assert np.allclose(mmi_to_pgv(pgv_to_mmi(pgv)), pgv, rtol=0.01)
    pga = np.geomspace(0.002, 1.3, 200)
    assert np.allclose(mmi_to_pga(pga_to_mmi(pga)), pga, rtol=0.01)


def test_monotone_and_clipped() -> None:
    pga = np.geomspace(1e-5, 10.0, 400)
    mmi = pga_to_mmi(pga)
    assert np.all(np.diff(mmi) >= 0.0)
    assert mmi.min() == 1.0 and mmi.max() == 10.0
    assert np.all(np.diff(pgv_to_mmi(np.geomspace(1e-4, 1e3, 400))) >= 0.0)
    levels = np.linspace(0.0, 12.0, 121)
    assert np.all(np.diff(mmi_to_pga(levels)) >= 0.0)
    assert mmi_to_pgv(12.0) == mmi_to_pgv(10.0)
    assert mmi_to_pga(0.0) == mmi_to_pga(1.0)


def test_non_positive_motion_is_rejected() -> None:
    with pytest.raises(ValueError, match="pga_g"):
        pga_to_mmi([0.1, 0.0])
    with pytest.raises(ValueError, match="pgv_cm_s"):
        pgv_to_mmi(-1.0)


# --------------------------------------------------------------------------- China


@pytest.mark.parametrize("region", regions())
def test_axis_relations_hold_on_the_axes(region: str) -> None:
    coeffs = _region(region)
    r_km = np.array([1.0, 5.0, 20.0, 60.0, 150.0])
    for magnitude in (5.5, 7.0):
        on_long, sigma = cn_intensity(magnitude, r_km, 0.0, region)
        on_short, _ = cn_intensity(magnitude, 0.0, -r_km, region)
        expected_long = np.clip(axis_intensity(coeffs["long"], magnitude, r_km), 0.0, 12.0)
        expected_short = np.clip(axis_intensity(coeffs["short"], magnitude, r_km), 0.0, 12.0)
        assert np.allclose(on_long, expected_long, atol=1e-9)
        assert np.allclose(on_short, expected_short, atol=1e-9)
        assert np.all(sigma == coeffs["long"].sigma)


@pytest.mark.parametrize("region", regions())
def test_axis_relations_agree_at_the_epicentre(region: str) -> None:
    coeffs = _region(region)
    long0 = axis_intensity(coeffs["long"], 6.0, 0.0)
    short0 = axis_intensity(coeffs["short"], 6.0, 0.0)
    assert abs(long0 - short0) < 1e-3
    assert cn_intensity(6.0, 0.0, 0.0, region)[0] == pytest.approx(max(long0, short0))


@pytest.mark.parametrize("region", regions())
def test_intensity_decreases_outward(region: str) -> None:
    distance = np.linspace(0.0, 300.0, 121)
    for angle in np.radians([0.0, 20.0, 45.0, 70.0, 90.0]):
        intensity, _ = cn_intensity(7.0, distance * np.cos(angle), distance * np.sin(angle), region)
        assert np.all(np.diff(intensity) <= 1e-12)
        assert np.all(np.diff(intensity[intensity > 0.0]) < 0.0)
    # Isoseismals are elongated along strike.
    along, _ = cn_intensity(7.0, 40.0, 0.0, region)
    across, _ = cn_intensity(7.0, 0.0, 40.0, region)
    assert along > across


def test_off_axis_sites_lie_on_their_isoseismal() -> None:
    coeffs = _region("east")
    along = np.array([3.0, 10.0, 25.0, 80.0])
    across = np.array([4.0, 30.0, 12.0, 50.0])
    intensity, _ = cn_intensity(6.5, along, across)
    radius_long = axis_radius_km(coeffs["long"], 6.5, intensity)
    radius_short = axis_radius_km(coeffs["short"], 6.5, intensity)
    assert np.allclose((along / radius_long) ** 2 + (across / radius_short) ** 2, 1.0)


def test_broadcast_shape_and_unknown_region() -> None:
    magnitude = np.array([5.0, 6.0, 7.0])[:, None]
    intensity, sigma = cn_intensity(magnitude, np.linspace(0.0, 100.0, 5), 10.0, "xinjiang")
    assert intensity.shape == sigma.shape == (3, 5)
    assert np.all(np.diff(intensity, axis=0) > 0.0)
    with pytest.raises(ValueError, match="east"):
        cn_intensity(6.0, 1.0, 1.0, region="mars")
