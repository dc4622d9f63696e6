"""Gaussian dispersion of a passive (neutrally buoyant) release: Briggs sigmas, plume and puff.

Sources
-------
Briggs, G. A. (1973). Diffusion estimation for small emissions. ATDL Contribution 79, NOAA,
Oak Ridge. His interpolation formulae for the Pasquill-Gifford spreads, as tabulated in
Boubel, R. W., Fox, D. L., Turner, D. B. and Stern, A. C. (1994). Fundamentals of Air
Pollution, 3rd ed., Academic Press, ch. 19: Table 19-7 (open country, "rural") and Table
19-6 (urban), both after Gifford (1976), stated for 100 m <= x <= 10 km. Every formula
has the form

    sigma = a x (1 + b x)^p                                          (x in m, sigma in m)

and the coefficients are kept in ``data/briggs_sigmas.csv`` (urban A and B share one row of
the table, as do E and F). Outside 100 m-10 km the formulae are extrapolated; sigma = 0 at
x = 0.

Boubel et al. (1994) eqs. (19-2), (19-3) and (19-4), Turner's Gaussian plume (Turner, D. B.
(1970). Workbook of Atmospheric Dispersion Estimates, EPA AP-26):

    chi = Q / (2 pi u sigma_y sigma_z) exp(-y^2 / 2 sigma_y^2) g

where the vertical term g is

* without a lid, eq. (19-2): one image source below the ground,
      g2 = exp(-(z - H)^2 / 2 sigma_z^2) + exp(-(z + H)^2 / 2 sigma_z^2);
* under a mixing lid L while sigma_z <= 1.6 L, eq. (19-4): images in both the ground and
  the lid, N = -4..4 as the book recommends,
      g3 = sum_N exp(-(z - H + 2 N L)^2 / 2 sigma_z^2) + exp(-(z + H + 2 N L)^2 / 2 sigma_z^2);
* under the lid once sigma_z > 1.6 L, eq. (19-3): the plume is uniformly mixed through the
  layer, g = sqrt(2 pi) sigma_z / L (so chi = Q exp(-y^2 / 2 sigma_y^2) / (sqrt(2 pi)
  u sigma_y L)).

The model covers the mixed layer only: with a lid, receptors above it and sources above it
give zero (a plume released above an inversion does not reach the ground, Turner 1970).

The instantaneous puff is the standard point-source solution with Gaussian spreads (Turner
1970, ch. 3; VDI 3945 Part 1, 1996), with the same vertical term:

    chi = M / ((2 pi)^(3/2) sigma_x sigma_y sigma_z) exp(-(x - u t)^2 / 2 sigma_x^2)
          exp(-y^2 / 2 sigma_y^2) g

Following the usual practice of puff models that use distance-based dispersion curves,
sigma_x = sigma_y and all sigmas are the Briggs plume sigmas at the travel distance u t.
With that choice a dense train of puffs from a continuous release sums to the plume (the
along-wind spread integrates out), which the tests check.

Units: SI throughout (kg, m, s); concentrations in kg/m³.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")
TERRAINS = ("rural", "urban")
#: Boubel et al. (1994): beyond sigma_z = 1.6 L the plume is taken as uniformly mixed.
WELL_MIXED_SIGMA_Z_PER_LID = 1.6
#: Boubel et al. (1994): image sources N = -4..4 are usually sufficient in eq. (19-4).
IMAGE_ORDERS = np.arange(-4, 5)


class BriggsTable(NamedTuple):
    """Coefficients of sigma = a x (1 + b x)^p, indexed [terrain, class]."""

    ay: FloatArray
    by: FloatArray
    py: FloatArray
    az: FloatArray
    bz: FloatArray
    pz: FloatArray


@cache
def briggs_table() -> BriggsTable:
    """Read ``data/briggs_sigmas.csv`` (Boubel et al. 1994, Tables 19-6 and 19-7)."""
    text = resources.files(__package__).joinpath("data", "briggs_sigmas.csv").read_text()
    columns = {
        name: np.full((len(TERRAINS), len(STABILITY_CLASSES)), np.nan)
        for name in BriggsTable._fields
    }
    for row in csv.DictReader(text.splitlines()):
        where = (TERRAINS.index(row["terrain"]), STABILITY_CLASSES.index(row["stability"]))
        for name, values in columns.items():
            values[where] = float(row[name])
    return BriggsTable(**columns)


def _lookup_index(values: ArrayLike, valid: tuple[str, ...], what: str) -> NDArray[np.intp]:
    labels = np.asarray(values, dtype=str)
    index = np.full(labels.shape, -1, dtype=np.intp)
    for i, label in enumerate(valid):
        index[labels == label] = i
    if np.any(index < 0):
        unknown = sorted(set(labels[index < 0].ravel().tolist()))
        raise ValueError(f"unknown {what} {unknown}; valid values are {list(valid)}")
    return index


def _checked(values: ArrayLike, name: str, *, positive: bool = False) -> FloatArray:
    array = np.asarray(values, dtype=float)
    bad = ~(array > 0.0) if positive else ~(array >= 0.0)
    if np.any(bad):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}")
    return array


def briggs_sigma(x_m: ArrayLike, a: ArrayLike, b_per_m: ArrayLike, p: ArrayLike) -> FloatArray:
    """Briggs (1973) interpolation formula sigma = a x (1 + b x)^p, in m, for x >= 0.

    The single form of every entry of Boubel et al. (1994) Tables 19-6 and 19-7.
    """
    x_m = np.maximum(np.asarray(x_m, dtype=float), 0.0)
    return np.asarray(a) * x_m * (1.0 + np.asarray(b_per_m) * x_m) ** np.asarray(p)


def dispersion_sigmas(
    x_m: ArrayLike, stability: ArrayLike, terrain: ArrayLike = "rural"
) -> tuple[FloatArray, FloatArray]:
    """Briggs (1973) sigma_y, sigma_z (m) at downwind distance x (m); 0 for x <= 0.

    Boubel et al. (1994) Table 19-7 (rural) and Table 19-6 (urban). Every argument
    broadcasts; ``stability`` holds letters A-F, ``terrain`` "rural" or "urban".
    """
    table = briggs_table()
    row = _lookup_index(terrain, TERRAINS, "terrain")
    col = _lookup_index(stability, STABILITY_CLASSES, "stability class")
    sigma_y = briggs_sigma(x_m, table.ay[row, col], table.by[row, col], table.py[row, col])
    sigma_z = briggs_sigma(x_m, table.az[row, col], table.bz[row, col], table.pz[row, col])
    return sigma_y, sigma_z


def vertical_term(
    z_m: ArrayLike,
    height_m: ArrayLike,
    sigma_z_m: ArrayLike,
    mixing_height_m: ArrayLike | None = None,
) -> FloatArray:
    """The vertical term g of Boubel et al. (1994) eqs. (19-2), (19-4) and (19-3).

    Without a lid (``None`` or infinite), g2 of eq. (19-2). Under a lid L: g3 of eq. (19-4)
    while sigma_z <= 1.6 L, the uniform-mixing value sqrt(2 pi) sigma_z / L of eq. (19-3)
    beyond, and 0 where the receptor or the source is above the lid. The vertical
    concentration density is g / (sqrt(2 pi) sigma_z). Needs sigma_z > 0.
    """
    z_m, height_m = np.asarray(z_m, dtype=float), np.asarray(height_m, dtype=float)
    sigma_z_m = np.asarray(sigma_z_m, dtype=float)
    below = _image_sum(z_m, height_m, sigma_z_m, np.zeros(1))
    if mixing_height_m is None:
        return below
    lid_m = np.asarray(mixing_height_m, dtype=float)
    has_lid = np.isfinite(lid_m)
    safe_lid_m = np.where(has_lid, lid_m, 1.0)
    images = _image_sum(z_m, height_m, sigma_z_m, 2.0 * IMAGE_ORDERS * safe_lid_m[..., None])
    mixed = np.sqrt(2.0 * np.pi) * sigma_z_m / safe_lid_m
    lidded = np.where(sigma_z_m > WELL_MIXED_SIGMA_Z_PER_LID * safe_lid_m, mixed, images)
    inside = (z_m <= safe_lid_m) & (height_m <= safe_lid_m)
    return np.where(has_lid, np.where(inside, lidded, 0.0), below)


def _image_sum(
    z_m: FloatArray, height_m: FloatArray, sigma_z_m: FloatArray, shifts_m: FloatArray
) -> FloatArray:
    """Sum over image shifts s of exp(-(z - H + s)^2 / 2 sz^2) + exp(-(z + H + s)^2 / 2 sz^2)."""
    z, h, s = z_m[..., None], height_m[..., None], sigma_z_m[..., None]
    terms = np.exp(-0.5 * ((z - h + shifts_m) / s) ** 2) + np.exp(
        -0.5 * ((z + h + shifts_m) / s) ** 2
    )
    return terms.sum(axis=-1)


def gaussian_plume(
    rate_kg_s: ArrayLike,
    wind_m_s: ArrayLike,
    sigma_y_m: ArrayLike,
    sigma_z_m: ArrayLike,
    y_m: ArrayLike = 0.0,
    z_m: ArrayLike = 0.0,
    height_m: ArrayLike = 0.0,
    mixing_height_m: ArrayLike | None = None,
) -> FloatArray:
    """Steady Gaussian plume (kg/m³) for given sigmas: Boubel et al. (1994) eqs. (19-2)-(19-4).

    chi = Q / (2 pi u sigma_y sigma_z) exp(-y^2 / 2 sigma_y^2) g, with g from
    :func:`vertical_term`. Sigmas must be > 0.
    """
    rate_kg_s = _checked(rate_kg_s, "rate_kg_s")
    wind_m_s = _checked(wind_m_s, "wind_m_s", positive=True)
    sigma_y_m = _checked(sigma_y_m, "sigma_y_m", positive=True)
    sigma_z_m = _checked(sigma_z_m, "sigma_z_m", positive=True)
    crosswind = np.exp(-0.5 * (np.asarray(y_m, dtype=float) / sigma_y_m) ** 2)
    vertical = vertical_term(z_m, height_m, sigma_z_m, mixing_height_m)
    return rate_kg_s / (2.0 * np.pi * wind_m_s * sigma_y_m * sigma_z_m) * crosswind * vertical


def gaussian_puff(
    mass_kg: ArrayLike,
    sigma_x_m: ArrayLike,
    sigma_y_m: ArrayLike,
    sigma_z_m: ArrayLike,
    dx_m: ArrayLike,
    y_m: ArrayLike = 0.0,
    z_m: ArrayLike = 0.0,
    height_m: ArrayLike = 0.0,
    mixing_height_m: ArrayLike | None = None,
) -> FloatArray:
    """Instantaneous Gaussian puff (kg/m³) for given sigmas, ``dx_m`` from the puff centre.

    chi = M / ((2 pi)^(3/2) sigma_x sigma_y sigma_z) exp(-dx^2 / 2 sigma_x^2)
    exp(-y^2 / 2 sigma_y^2) g (Turner 1970 ch. 3; VDI 3945 Part 1), g from
    :func:`vertical_term`. Sigmas must be > 0.
    """
    mass_kg = _checked(mass_kg, "mass_kg")
    sigma_x_m = _checked(sigma_x_m, "sigma_x_m", positive=True)
    sigma_y_m = _checked(sigma_y_m, "sigma_y_m", positive=True)
    sigma_z_m = _checked(sigma_z_m, "sigma_z_m", positive=True)
    horizontal = np.exp(
        -0.5 * (np.asarray(dx_m, dtype=float) / sigma_x_m) ** 2
        - 0.5 * (np.asarray(y_m, dtype=float) / sigma_y_m) ** 2
    )
    vertical = vertical_term(z_m, height_m, sigma_z_m, mixing_height_m)
    norm = (2.0 * np.pi) ** 1.5 * sigma_x_m * sigma_y_m * sigma_z_m
    return mass_kg / norm * horizontal * vertical


def plume_concentration(
    rate_kg_s: ArrayLike,
    wind_m_s: ArrayLike,
    stability: ArrayLike,
    x_m: ArrayLike,
    y_m: ArrayLike = 0.0,
    z_m: ArrayLike = 0.0,
    height_m: ArrayLike = 0.0,
    terrain: ArrayLike = "rural",
    mixing_height_m: ArrayLike | None = None,
) -> FloatArray:
    """Steady plume (kg/m³) with Briggs sigmas at downwind distance x; 0 for x <= 0.

    :func:`gaussian_plume` with :func:`dispersion_sigmas`; ground reflection, and under a
    mixing lid the images/uniform mixing of :func:`vertical_term`. Receptor and source
    heights must be >= 0.
    """
    x_m = np.asarray(x_m, dtype=float)
    _checked(z_m, "z_m")
    _checked(height_m, "height_m")
    if mixing_height_m is not None:
        _checked(mixing_height_m, "mixing_height_m", positive=True)
    sigma_y_m, sigma_z_m = dispersion_sigmas(x_m, stability, terrain)
    downwind = x_m > 0.0
    chi = gaussian_plume(
        rate_kg_s,
        wind_m_s,
        np.where(downwind, sigma_y_m, 1.0),
        np.where(downwind, sigma_z_m, 1.0),
        y_m,
        z_m,
        height_m,
        mixing_height_m,
    )
    return np.where(downwind, chi, 0.0)


def puff_concentration(
    mass_kg: ArrayLike,
    wind_m_s: ArrayLike,
    stability: ArrayLike,
    x_m: ArrayLike,
    y_m: ArrayLike,
    z_m: ArrayLike,
    t_s: ArrayLike,
    height_m: ArrayLike = 0.0,
    terrain: ArrayLike = "rural",
    mixing_height_m: ArrayLike | None = None,
) -> FloatArray:
    """Instantaneous puff (kg/m³) released at x = y = 0, t = 0; centre at x = u t.

    :func:`gaussian_puff` with sigma_x = sigma_y and all sigmas from
    :func:`dispersion_sigmas` at the travel distance u t; 0 for t <= 0.
    """
    wind_m_s = _checked(wind_m_s, "wind_m_s", positive=True)
    _checked(z_m, "z_m")
    _checked(height_m, "height_m")
    if mixing_height_m is not None:
        _checked(mixing_height_m, "mixing_height_m", positive=True)
    travel_m = wind_m_s * np.asarray(t_s, dtype=float)
    sigma_y_m, sigma_z_m = dispersion_sigmas(travel_m, stability, terrain)
    released = travel_m > 0.0
    safe_y_m = np.where(released, sigma_y_m, 1.0)
    chi = gaussian_puff(
        mass_kg,
        safe_y_m,
        safe_y_m,
        np.where(released, sigma_z_m, 1.0),
        np.asarray(x_m, dtype=float) - travel_m,
        y_m,
        z_m,
        height_m,
        mixing_height_m,
    )
    return np.where(released, chi, 0.0)
