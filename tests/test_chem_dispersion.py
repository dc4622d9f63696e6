"""Gaussian plume and puff with Briggs sigmas, checked against published values and theory.

Oracles
-------
* Worked example: Boubel, Fox, Turner and Stern (1994), Fundamentals of Air Pollution, 3rd
  ed., ch. 19, section III.D "Example of a Dispersion Calculation": Q = 0.37 g/s, effective
  height H = 40 m, u = 2 m/s, Pasquill class B; the solution tabulates sigma_z, sigma_y
  (from the Pasquill-Gifford equations of its Tables 19-5 and 19-4) and the ground-level
  centreline concentration at 0.26, 0.28 and 0.30 km. Turner's own Workbook (1970) problems
  were not available to read, so this example (Turner is a co-author; the method is the
  Workbook's) stands in for them. The book's sigmas are fed to ``gaussian_plume`` and the
  concentrations must match within 2 % (they are printed to three figures).
* Briggs formulae typed from Boubel et al. (1994) Table 19-7 (rural) and Table 19-6
  (urban), evaluated by hand-written expressions at several distances.
* Theory: mass flux through a cross-section equals the emission rate (plume); a puff
  integrated over space holds its mass (with and without a lid); a dense train of puffs
  from a continuous release sums to the plume.
"""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.sim.hazards.chemical.dispersion import (
    STABILITY_CLASSES,
    WELL_MIXED_SIGMA_Z_PER_LID,
    dispersion_sigmas,
    gaussian_plume,
    gaussian_puff,
    plume_concentration,
    puff_concentration,
    vertical_term,
)

# Boubel et al. (1994) section 19.III.D: x (km), sigma_z (m), sigma_y (m), chi (g/m³).
BOUBEL_EXAMPLE_RATE_G_S = 0.37
BOUBEL_EXAMPLE_HEIGHT_M = 40.0
BOUBEL_EXAMPLE_WIND_M_S = 2.0
BOUBEL_EXAMPLE_ROWS = [
    (0.26, 26.2, 45.9, 1.53e-5),
    (0.28, 28.2, 49.0, 1.56e-5),
    (0.30, 30.1, 52.2, 1.55e-5),
]
WORKED_EXAMPLE_TOLERANCE = 0.02


@pytest.mark.parametrize(("x_km", "sigma_z_m", "sigma_y_m", "chi_g_m3"), BOUBEL_EXAMPLE_ROWS)
def test_gaussian_plume_reproduces_boubel_worked_example(
    x_km: float, sigma_z_m: float, sigma_y_m: float, chi_g_m3: float
) -> None:
    chi_kg_m3 = gaussian_plume(
        BOUBEL_EXAMPLE_RATE_G_S / 1000.0,
        BOUBEL_EXAMPLE_WIND_M_S,
        sigma_y_m,
        sigma_z_m,
        height_m=BOUBEL_EXAMPLE_HEIGHT_M,
    )
    assert chi_kg_m3 * 1000.0 == pytest.approx(chi_g_m3, rel=WORKED_EXAMPLE_TOLERANCE)


def test_gaussian_plume_worked_example_maximum_is_at_the_middle_row() -> None:
    rows = np.array(BOUBEL_EXAMPLE_ROWS)
    chi = gaussian_plume(0.37e-3, 2.0, rows[:, 2], rows[:, 1], height_m=40.0)
    assert np.argmax(chi) == 1


def test_plume_concentration_is_gaussian_plume_with_briggs_sigmas() -> None:
    x_m = np.array([50.0, 280.0, 1500.0, 8000.0])
    for terrain in ("rural", "urban"):
        for stability in STABILITY_CLASSES:
            sigma_y_m, sigma_z_m = dispersion_sigmas(x_m, stability, terrain)
            expected = gaussian_plume(0.5, 3.0, sigma_y_m, sigma_z_m, 20.0, 1.5, 10.0)
            got = plume_concentration(0.5, 3.0, stability, x_m, 20.0, 1.5, 10.0, terrain)
            np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_plume_concentration_on_the_worked_example_is_of_the_published_size() -> None:
    # Briggs' rural B sigmas are not the Pasquill-Gifford curves the book used (at 280 m,
    # sigma_z = 33.6 m against 28.2 m), so only the size is compared: within 30 %.
    chi_kg_m3 = plume_concentration(0.37e-3, 2.0, "B", 280.0, height_m=40.0)
    assert chi_kg_m3 * 1000.0 == pytest.approx(1.56e-5, rel=0.30)


# Boubel et al. (1994) Tables 19-7 (rural) and 19-6 (urban), typed as formulae; x in m.
RURAL_SIGMA_Y = {
    "A": lambda x: 0.22 * x / np.sqrt(1 + 0.0001 * x),
    "B": lambda x: 0.16 * x / np.sqrt(1 + 0.0001 * x),
    "C": lambda x: 0.11 * x / np.sqrt(1 + 0.0001 * x),
    "D": lambda x: 0.08 * x / np.sqrt(1 + 0.0001 * x),
    "E": lambda x: 0.06 * x / np.sqrt(1 + 0.0001 * x),
    "F": lambda x: 0.04 * x / np.sqrt(1 + 0.0001 * x),
}
RURAL_SIGMA_Z = {
    "A": lambda x: 0.20 * x,
    "B": lambda x: 0.12 * x,
    "C": lambda x: 0.08 * x / np.sqrt(1 + 0.0002 * x),
    "D": lambda x: 0.06 * x / np.sqrt(1 + 0.0015 * x),
    "E": lambda x: 0.03 * x / (1 + 0.0003 * x),
    "F": lambda x: 0.016 * x / (1 + 0.0003 * x),
}
URBAN_SIGMA_Y = {
    "A": lambda x: 0.32 * x / np.sqrt(1 + 0.0004 * x),  # A-B
    "B": lambda x: 0.32 * x / np.sqrt(1 + 0.0004 * x),
    "C": lambda x: 0.22 * x / np.sqrt(1 + 0.0004 * x),
    "D": lambda x: 0.16 * x / np.sqrt(1 + 0.0004 * x),
    "E": lambda x: 0.11 * x / np.sqrt(1 + 0.0004 * x),  # E-F
    "F": lambda x: 0.11 * x / np.sqrt(1 + 0.0004 * x),
}
URBAN_SIGMA_Z = {
    "A": lambda x: 0.24 * x * np.sqrt(1 + 0.001 * x),  # A-B
    "B": lambda x: 0.24 * x * np.sqrt(1 + 0.001 * x),
    "C": lambda x: 0.20 * x,
    "D": lambda x: 0.14 * x / np.sqrt(1 + 0.0003 * x),
    "E": lambda x: 0.08 * x / np.sqrt(1 + 0.0015 * x),  # E-F
    "F": lambda x: 0.08 * x / np.sqrt(1 + 0.0015 * x),
}
FORMULAE = {"rural": (RURAL_SIGMA_Y, RURAL_SIGMA_Z), "urban": (URBAN_SIGMA_Y, URBAN_SIGMA_Z)}
DISTANCES_M = np.array([1.0, 100.0, 250.0, 1000.0, 3000.0, 10_000.0, 30_000.0])


@pytest.mark.parametrize("terrain", ["rural", "urban"])
@pytest.mark.parametrize("stability", STABILITY_CLASSES)
def test_briggs_sigmas_match_the_published_formulae(terrain: str, stability: str) -> None:
    sigma_y_formula = FORMULAE[terrain][0][stability]
    sigma_z_formula = FORMULAE[terrain][1][stability]
    sigma_y_m, sigma_z_m = dispersion_sigmas(DISTANCES_M, stability, terrain)
    np.testing.assert_allclose(sigma_y_m, sigma_y_formula(DISTANCES_M), rtol=1e-12)
    np.testing.assert_allclose(sigma_z_m, sigma_z_formula(DISTANCES_M), rtol=1e-12)


@pytest.mark.parametrize("terrain", ["rural", "urban"])
def test_briggs_sigmas_limits(terrain: str) -> None:
    x_m = np.array([-5.0, 0.0])
    for stability in STABILITY_CLASSES:
        sigma_y_m, sigma_z_m = dispersion_sigmas(x_m, stability, terrain)
        np.testing.assert_array_equal(sigma_y_m, 0.0)
        np.testing.assert_array_equal(sigma_z_m, 0.0)
        # Near the source every formula is linear: sigma / x -> a.
        y_small, z_small = dispersion_sigmas(1e-3, stability, terrain)
        y_formula, z_formula = (table[stability] for table in FORMULAE[terrain])
        assert y_small / 1e-3 == pytest.approx(y_formula(1.0) / 1.0, rel=1e-3)
        assert z_small / 1e-3 == pytest.approx(z_formula(1.0) / 1.0, rel=1e-3)
        # Spreads grow with distance.
        sigma_y_m, sigma_z_m = dispersion_sigmas(DISTANCES_M, stability, terrain)
        assert np.all(np.diff(sigma_y_m) > 0) and np.all(np.diff(sigma_z_m) > 0)


def test_briggs_sigmas_shrink_from_unstable_to_stable() -> None:
    sigma_y_m, sigma_z_m = dispersion_sigmas(1000.0, np.array(STABILITY_CLASSES), "rural")
    assert np.all(np.diff(sigma_y_m) < 0) and np.all(np.diff(sigma_z_m) < 0)


def test_dispersion_sigmas_broadcast_letters_and_terrains() -> None:
    x_m = np.array([[100.0], [2000.0]])
    sigma_y_m, _ = dispersion_sigmas(x_m, ["A", "F"], np.array(["urban", "rural"]))
    assert sigma_y_m.shape == (2, 2)
    assert sigma_y_m[1, 0] == pytest.approx(URBAN_SIGMA_Y["A"](2000.0))
    assert sigma_y_m[1, 1] == pytest.approx(RURAL_SIGMA_Y["F"](2000.0))


def test_unknown_stability_and_terrain_list_the_valid_values() -> None:
    with pytest.raises(ValueError, match=r"\['A', 'B', 'C', 'D', 'E', 'F'\]"):
        dispersion_sigmas(100.0, "G")
    with pytest.raises(ValueError, match=r"\['rural', 'urban'\]"):
        plume_concentration(1.0, 2.0, "D", 100.0, terrain="suburban")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rate_kg_s": -1.0},
        {"wind_m_s": 0.0},
        {"wind_m_s": -2.0},
        {"wind_m_s": np.nan},
        {"height_m": -1.0},
        {"z_m": -0.5},
        {"mixing_height_m": 0.0},
    ],
)
def test_plume_rejects_bad_inputs(kwargs: dict[str, float]) -> None:
    arguments = {"rate_kg_s": 1.0, "wind_m_s": 2.0, "stability": "D", "x_m": 100.0} | kwargs
    with pytest.raises(ValueError):
        plume_concentration(**arguments)


def test_puff_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="mass_kg"):
        puff_concentration(-1.0, 2.0, "D", 100.0, 0.0, 0.0, 50.0)
    with pytest.raises(ValueError, match="wind_m_s"):
        puff_concentration(1.0, 0.0, "D", 100.0, 0.0, 0.0, 50.0)


def test_plume_is_zero_upwind_and_at_the_source() -> None:
    chi = plume_concentration(1.0, 3.0, "D", np.array([-100.0, 0.0, 100.0]))
    assert chi[0] == 0.0 and chi[1] == 0.0 and chi[2] > 0.0


def test_ground_source_reflection_doubles_the_free_plume() -> None:
    # Ground-level source, ground-level receptor: Q / (pi u sigma_y sigma_z).
    chi = gaussian_plume(2.0, 4.0, 30.0, 12.0)
    assert chi == pytest.approx(2.0 / (np.pi * 4.0 * 30.0 * 12.0), rel=1e-12)


def test_plume_is_symmetric_crosswind() -> None:
    y_m = np.array([-40.0, 40.0])
    chi = plume_concentration(1.0, 3.0, "C", 500.0, y_m, 2.0, 15.0)
    assert chi[0] == pytest.approx(chi[1], rel=1e-14)


def _cross_section_flux(
    wind_m_s: float, sigma_y_m: float, sigma_z_m: float, height_m: float, lid_m: float | None
) -> float:
    y_m = np.linspace(-8 * sigma_y_m, 8 * sigma_y_m, 801)[:, None]
    top_m = lid_m if lid_m is not None else height_m + 8 * sigma_z_m
    z_m = np.linspace(0.0, top_m, 2001)[None, :]
    chi = gaussian_plume(1.0, wind_m_s, sigma_y_m, sigma_z_m, y_m, z_m, height_m, lid_m)
    return float(wind_m_s * np.trapezoid(np.trapezoid(chi, z_m[0], axis=1), y_m[:, 0]))


@pytest.mark.parametrize(
    ("sigma_z_m", "height_m", "lid_m"),
    [(15.0, 0.0, None), (15.0, 30.0, None), (40.0, 30.0, 100.0), (200.0, 30.0, 100.0)],
)
def test_plume_mass_flux_equals_the_emission_rate(
    sigma_z_m: float, height_m: float, lid_m: float | None
) -> None:
    assert _cross_section_flux(3.0, 50.0, sigma_z_m, height_m, lid_m) == pytest.approx(
        1.0, rel=1e-3
    )


def test_lid_images_join_the_well_mixed_limit_smoothly() -> None:
    lid_m = 150.0
    sigma_z_m = WELL_MIXED_SIGMA_Z_PER_LID * lid_m * np.array([1.0 - 1e-9, 1.0 + 1e-9])
    z_m = np.array([[0.0], [75.0], [140.0]])
    g = vertical_term(z_m, 60.0, sigma_z_m, lid_m)
    # The image sum differs from uniform mixing by its first Fourier mode,
    # exp(-pi^2 sigma_z^2 / 2 L^2) = 3e-6 at sigma_z = 1.6 L.
    np.testing.assert_allclose(g[:, 0], g[:, 1], rtol=1e-5)


def test_lid_bounds_the_plume() -> None:
    inside, above = plume_concentration(
        1.0, 3.0, "B", 5000.0, 0.0, [50.0, 250.0], mixing_height_m=200.0
    )
    assert inside > 0.0 and above == 0.0
    far = plume_concentration(1.0, 3.0, "B", 20_000.0, 0.0, 0.0, mixing_height_m=200.0)
    sigma_y_m, _ = dispersion_sigmas(20_000.0, "B")
    assert far == pytest.approx(1.0 / (np.sqrt(2 * np.pi) * 3.0 * sigma_y_m * 200.0), rel=1e-12)


def test_infinite_lid_means_no_lid() -> None:
    x_m = np.array([300.0, 3000.0])
    no_lid = plume_concentration(1.0, 3.0, "D", x_m, 0.0, 0.0, 20.0)
    inf_lid = plume_concentration(1.0, 3.0, "D", x_m, 0.0, 0.0, 20.0, mixing_height_m=np.inf)
    np.testing.assert_allclose(inf_lid, no_lid, rtol=1e-14)


def test_puff_centre_moves_with_the_wind_and_has_sigma_x_equal_sigma_y() -> None:
    wind_m_s, t_s = 4.0, 250.0
    x_m = np.linspace(600.0, 1400.0, 801)
    chi = puff_concentration(10.0, wind_m_s, "D", x_m, 0.0, 0.0, t_s)
    assert x_m[np.argmax(chi)] == pytest.approx(wind_m_s * t_s)
    sigma_y_m, sigma_z_m = dispersion_sigmas(wind_m_s * t_s, "D")
    expected = gaussian_puff(10.0, sigma_y_m, sigma_y_m, sigma_z_m, x_m - wind_m_s * t_s)
    np.testing.assert_allclose(chi, expected, rtol=1e-12)


def test_puff_is_zero_before_release() -> None:
    chi = puff_concentration(1.0, 2.0, "D", 0.0, 0.0, 0.0, np.array([-5.0, 0.0]))
    np.testing.assert_array_equal(chi, 0.0)


def _puff_mass_kg(stability: str, t_s: float, height_m: float, lid_m: float | None) -> float:
    wind_m_s = 3.0
    sigma_y_m, sigma_z_m = dispersion_sigmas(wind_m_s * t_s, stability)
    centre_m = wind_m_s * t_s
    x_m = np.linspace(centre_m - 7 * sigma_y_m, centre_m + 7 * sigma_y_m, 81)
    y_m = np.linspace(-7 * sigma_y_m, 7 * sigma_y_m, 81)
    top_m = lid_m if lid_m is not None else height_m + 7 * sigma_z_m
    z_m = np.linspace(0.0, top_m, 161)
    chi = puff_concentration(
        5.0,
        wind_m_s,
        stability,
        x_m[:, None, None],
        y_m[None, :, None],
        z_m[None, None, :],
        t_s,
        height_m,
        mixing_height_m=lid_m,
    )
    return float(np.trapezoid(np.trapezoid(np.trapezoid(chi, z_m), y_m), x_m))


@pytest.mark.parametrize(
    ("stability", "t_s", "height_m", "lid_m"),
    [
        ("D", 200.0, 10.0, None),  # ground reflection only
        ("F", 600.0, 0.0, None),
        ("D", 200.0, 10.0, 50.0),  # sigma_z ~ 0.5 L: images in ground and lid
        ("C", 300.0, 10.0, 30.0),  # sigma_z > 1.6 L: well mixed
    ],
)
def test_puff_mass_is_conserved(
    stability: str, t_s: float, height_m: float, lid_m: float | None
) -> None:
    if lid_m is not None and stability == "C":
        _, sigma_z_m = dispersion_sigmas(3.0 * t_s, stability)
        assert sigma_z_m > WELL_MIXED_SIGMA_Z_PER_LID * lid_m
    assert _puff_mass_kg(stability, t_s, height_m, lid_m) == pytest.approx(5.0, rel=1e-3)


@pytest.mark.parametrize(
    ("stability", "x_m", "y_m", "z_m", "height_m", "lid_m"),
    [
        ("D", 1000.0, 0.0, 0.0, 0.0, None),
        ("F", 2000.0, 30.0, 1.5, 10.0, None),
        ("D", 1500.0, 0.0, 2.0, 20.0, 100.0),
    ],
)
def test_dense_puff_train_converges_to_the_plume(
    stability: str, x_m: float, y_m: float, z_m: float, height_m: float, lid_m: float | None
) -> None:
    rate_kg_s, wind_m_s, step_s = 0.8, 3.0, 2.0
    ages_s = (np.arange(int(3.0 * x_m / wind_m_s / step_s)) + 0.5) * step_s
    train = puff_concentration(
        rate_kg_s * step_s,
        wind_m_s,
        stability,
        x_m,
        y_m,
        z_m,
        ages_s,
        height_m,
        mixing_height_m=lid_m,
    ).sum()
    plume = plume_concentration(
        rate_kg_s, wind_m_s, stability, x_m, y_m, z_m, height_m, mixing_height_m=lid_m
    )
    assert train == pytest.approx(plume, rel=0.005)
