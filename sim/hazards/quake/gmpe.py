"""Ground-motion models: median and log-standard deviations of PGA, PGV and 5 %-damped PSA.

Two models for shallow crustal earthquakes in active regions, both in Joyner-Boore distance:

``BA08``
    Boore, D. M. and Atkinson, G. M. (2008). Ground-motion prediction equations for the
    average horizontal component of PGA, PGV, and 5%-damped PSA at spectral periods between
    0.01 s and 10.0 s. Earthquake Spectra 24(1), 99-138. Component GMRotI50.
``BSSA14``
    Boore, D. M., Stewart, J. P., Seyhan, E. and Atkinson, G. M. (2014). NGA-West2 equations
    for predicting PGA, PGV, and 5% damped PSA for shallow crustal earthquakes. Earthquake
    Spectra 30(3), 1057-1085. Component RotD50.

Units: the median is in g for PGA and SA and in cm/s for PGV; ``tau`` (between-event) and
``phi`` (within-event) are standard deviations of the natural log of the motion.

Coefficient tables (``data/*.csv``; one row per intensity measure, ``period_s`` = -1 for PGV
and 0 for PGA, the authors' own convention):

``ba08.csv``
    c1, c2, c3, h from BA08 Table 6; e1-e7, Mh from Table 7; sigma, tau_U, sigma_TU, tau_M,
    sigma_TM from Table 8; blin, b1, b2 from Table 3 (rows at the model's 21 periods). Numbers
    transcribed from the paper's tables as reproduced in two independent open implementations
    (OpenQuake hazardlib and Geoscience Australia's EQRM), which agree with each other.
``bssa14.csv``
    The authors' electronic coefficient table distributed with the paper ("BSSA14_Coefs",
    revised 2014-07-15), all 105 periods from 0.01 s to 10 s plus PGA and PGV. The constant
    columns of that file are the module constants below (Mref = 4.5, Rref = 1 km,
    Vref = 760 m/s, f1 = 0, f3 = 0.1 g, V1 = 225 m/s, V2 = 300 m/s). The regional
    anelastic-attenuation adjustments (dc3_*) and basin coefficients (f6, f7) are kept as
    data but not used: this module evaluates the global/California model (dc3 = 0) with
    the basin term switched off (delta z1 = 0, F_dz1 = 0).

Both models need only Rjb; ``rrup_km`` is accepted so that every model has one signature, and
is ignored. Spectral periods are matched exactly to a tabulated period (no interpolation).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from importlib import resources
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
Coeffs = dict[str, float]

MODELS: tuple[str, ...] = ("BA08", "BSSA14")
MECHANISMS: tuple[str, ...] = ("strike-slip", "normal", "reverse", "unspecified")

_TABLE_FILES = {"BA08": "ba08.csv", "BSSA14": "bssa14.csv"}
_PGV_PERIOD, _PGA_PERIOD = -1.0, 0.0
_PERIOD_TOLERANCE_S = 1e-6

# Reference values common to both models (BA08 Table 6 caption with its 2008 erratum:
# Rref = 1 km for all periods including PGA4nl; BSSA14 eqs 3, 6, 7).
M_REF = 4.5
R_REF_KM = 1.0
V_REF_M_S = 760.0

# BA08 nonlinear-site constants, eqs (8) and (13): a1, a2, pga_low in g; V1, V2 in m/s.
BA08_A1_G, BA08_A2_G, BA08_PGA_LOW_G = 0.03, 0.09, 0.06
BA08_V1_M_S, BA08_V2_M_S = 180.0, 300.0

# BSSA14 constants: f1, f3 (eq 7), the Vs30 cap of eq (8), V1, V2 of the phi model (eq 15).
BSSA14_F1, BSSA14_F3_G = 0.0, 0.1
BSSA14_VS_CAP_M_S, BSSA14_VS_PIVOT_M_S = 760.0, 360.0
BSSA14_V1_M_S, BSSA14_V2_M_S = 225.0, 300.0


class GroundMotion(NamedTuple):
    """Median motion and the two components of its log-normal scatter."""

    median: FloatArray  # g for PGA and SA, cm/s for PGV
    tau: FloatArray  # between-event standard deviation of ln(motion)
    phi: FloatArray  # within-event standard deviation of ln(motion)

    @property
    def sigma(self) -> FloatArray:
        """Total standard deviation of ln(motion), sqrt(tau² + phi²)."""
        return np.hypot(self.tau, self.phi)


# --------------------------------------------------------------------------- tables


@functools.cache
def _table(model: str) -> dict[float, Coeffs]:
    """The model's coefficient table keyed by period (s); -1 is PGV and 0 is PGA."""
    text = resources.files(__package__).joinpath("data", _TABLE_FILES[model]).read_text()
    rows = csv.DictReader(io.StringIO(text))
    return {float(r["period_s"]): {k: float(v) for k, v in r.items()} for r in rows}


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown ground-motion model {model!r}; valid models: {MODELS}")


def periods(model: str) -> tuple[float, ...]:
    """The spectral periods (s) at which the model's table gives SA coefficients."""
    _check_model(model)
    return tuple(sorted(p for p in _table(model) if p > 0.0))


_SA_PATTERN = re.compile(r"^SA\((?P<period>[^)]+)\)$")


def _imt_period(model: str, imt: str) -> float:
    """Table key of an intensity measure: "PGA" -> 0, "PGV" -> -1, "SA(T)" -> T."""
    name = imt.strip().upper()
    if name == "PGA":
        return _PGA_PERIOD
    if name == "PGV":
        return _PGV_PERIOD
    match = _SA_PATTERN.match(name)
    if match is None:
        raise ValueError(f"unknown intensity measure {imt!r}; use 'PGA', 'PGV' or 'SA(T)'")
    try:
        period_s = float(match["period"])
    except ValueError:
        raise ValueError(f"cannot read a period in seconds from {imt!r}") from None
    for tabulated in periods(model):
        if abs(tabulated - period_s) <= _PERIOD_TOLERANCE_S:
            return tabulated
    raise ValueError(
        f"{model} has no coefficients for SA({period_s:g}); tabulated periods (s): "
        f"{', '.join(f'{p:g}' for p in periods(model))}"
    )


def _mechanism_dummies(mechanism: str) -> tuple[float, float, float, float]:
    """Indicator variables (U, SS, NS, RS) of BA08 Table 2, also used by BSSA14 eq (2)."""
    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown mechanism {mechanism!r}; valid mechanisms: {MECHANISMS}")
    return (
        float(mechanism == "unspecified"),
        float(mechanism == "strike-slip"),
        float(mechanism == "normal"),
        float(mechanism == "reverse"),
    )


# --------------------------------------------------------------------------- BA08


def ba08_distance_term(c: Coeffs, magnitude: ArrayLike, rjb_km: ArrayLike) -> FloatArray:
    """BA08 eqs (3)-(4): F_D = [c1 + c2 (M - Mref)] ln(R/Rref) + c3 (R - Rref)."""
    r_km = np.hypot(rjb_km, c["h_km"])
    slope = c["c1"] + c["c2"] * (np.asarray(magnitude) - M_REF)
    return slope * np.log(r_km / R_REF_KM) + c["c3"] * (r_km - R_REF_KM)


def ba08_magnitude_term(
    c: Coeffs, magnitude: ArrayLike, dummies: tuple[float, float, float, float]
) -> FloatArray:
    """BA08 eqs (5a)-(5b): mechanism terms plus a quadratic below the hinge Mh, linear above."""
    u, ss, ns, rs = dummies
    dm = np.asarray(magnitude, dtype=float) - c["mh"]
    mechanism = c["e1"] * u + c["e2"] * ss + c["e3"] * ns + c["e4"] * rs
    return mechanism + np.where(dm <= 0.0, c["e5"] * dm + c["e6"] * dm**2, c["e7"] * dm)


def ba08_linear_site_term(c: Coeffs, vs30_m_s: ArrayLike) -> FloatArray:
    """BA08 eq (7): F_LIN = blin ln(Vs30 / Vref)."""
    return c["blin"] * np.log(np.asarray(vs30_m_s, dtype=float) / V_REF_M_S)


def ba08_nonlinear_slope(c: Coeffs, vs30_m_s: ArrayLike) -> FloatArray:
    """BA08 eqs (13a)-(13d): the nonlinear slope bnl as a function of Vs30."""
    vs30 = np.asarray(vs30_m_s, dtype=float)
    b1, b2 = c["b1"], c["b2"]
    mid = (b1 - b2) * np.log(vs30 / BA08_V2_M_S) / np.log(BA08_V1_M_S / BA08_V2_M_S) + b2
    high = b2 * np.log(vs30 / V_REF_M_S) / np.log(BA08_V2_M_S / V_REF_M_S)
    return np.select(
        [vs30 <= BA08_V1_M_S, vs30 <= BA08_V2_M_S, vs30 < V_REF_M_S], [b1, mid, high], 0.0
    )


def ba08_nonlinear_site_term(bnl: ArrayLike, pga4nl_g: ArrayLike) -> FloatArray:
    """BA08 eqs (8a)-(8c) with the cubic's coefficients c, d from eqs (9)-(12)."""
    bnl = np.asarray(bnl, dtype=float)
    pga = np.asarray(pga4nl_g, dtype=float)
    dx = np.log(BA08_A2_G / BA08_A1_G)  # eq (11)
    dy = bnl * np.log(BA08_A2_G / BA08_PGA_LOW_G)  # eq (12)
    c = (3.0 * dy - bnl * dx) / dx**2  # eq (9)
    d = -(2.0 * dy - bnl * dx) / dx**3  # eq (10)
    low = bnl * np.log(BA08_PGA_LOW_G / 0.1)
    x = np.log(np.maximum(pga, BA08_A1_G) / BA08_A1_G)
    return np.select(
        [pga <= BA08_A1_G, pga <= BA08_A2_G],
        [low, low + c * x**2 + d * x**3],
        bnl * np.log(pga / 0.1),
    )


def _ba08(
    c: Coeffs, magnitude: FloatArray, rjb_km: FloatArray, vs30_m_s: FloatArray, mechanism: str
) -> GroundMotion:
    """BA08 eq (1): ln Y = F_M + F_D + F_S, F_S = F_LIN + F_NL (eq 6), PGA4nl at Vref."""
    dummies = _mechanism_dummies(mechanism)
    c_pga = _table("BA08")[_PGA_PERIOD]
    pga4nl_g = np.exp(
        ba08_magnitude_term(c_pga, magnitude, dummies)
        + ba08_distance_term(c_pga, magnitude, rjb_km)
    )
    ln_y = (
        ba08_magnitude_term(c, magnitude, dummies)
        + ba08_distance_term(c, magnitude, rjb_km)
        + ba08_linear_site_term(c, vs30_m_s)
        + ba08_nonlinear_site_term(ba08_nonlinear_slope(c, vs30_m_s), pga4nl_g)
    )
    # Table 8: tau_U when the mechanism is unspecified, tau_M when it is known.
    tau = c["tau_u"] if mechanism == "unspecified" else c["tau_m"]
    return GroundMotion(np.exp(ln_y), np.full_like(ln_y, tau), np.full_like(ln_y, c["sigma"]))


# --------------------------------------------------------------------------- BSSA14


def bssa14_source_term(
    c: Coeffs, magnitude: ArrayLike, dummies: tuple[float, float, float, float]
) -> FloatArray:
    """BSSA14 eq (2): F_E, mechanism terms e0-e3, quadratic below Mh and linear above."""
    u, ss, ns, rs = dummies
    dm = np.asarray(magnitude, dtype=float) - c["mh"]
    mechanism = c["e0"] * u + c["e1"] * ss + c["e2"] * ns + c["e3"] * rs
    return mechanism + np.where(dm <= 0.0, c["e4"] * dm + c["e5"] * dm**2, c["e6"] * dm)


def bssa14_path_term(c: Coeffs, magnitude: ArrayLike, rjb_km: ArrayLike) -> FloatArray:
    """BSSA14 eqs (3)-(4): F_P with the global/California attenuation (delta c3 = 0)."""
    r_km = np.hypot(rjb_km, c["h_km"])
    slope = c["c1"] + c["c2"] * (np.asarray(magnitude) - M_REF)
    return slope * np.log(r_km / R_REF_KM) + (c["c3"] + c["dc3_global"]) * (r_km - R_REF_KM)


def bssa14_linear_site_term(c: Coeffs, vs30_m_s: ArrayLike) -> FloatArray:
    """BSSA14 eq (6): ln F_lin = c ln(min(Vs30, Vc) / Vref)."""
    return c["c"] * np.log(np.minimum(vs30_m_s, c["vc_m_s"]) / V_REF_M_S)


def bssa14_nonlinear_site_term(c: Coeffs, vs30_m_s: ArrayLike, pga_r_g: ArrayLike) -> FloatArray:
    """BSSA14 eqs (7)-(8): ln F_nl = f1 + f2 ln((PGAr + f3)/f3), f2 from capped Vs30."""
    vs = np.minimum(vs30_m_s, BSSA14_VS_CAP_M_S)
    f2 = c["f4"] * (
        np.exp(c["f5"] * (vs - BSSA14_VS_PIVOT_M_S))
        - np.exp(c["f5"] * (BSSA14_VS_CAP_M_S - BSSA14_VS_PIVOT_M_S))
    )
    return BSSA14_F1 + f2 * np.log((np.asarray(pga_r_g) + BSSA14_F3_G) / BSSA14_F3_G)


def _magnitude_ramp(magnitude: ArrayLike, low: float, high: float) -> FloatArray:
    """Linear change from ``low`` at M <= 4.5 to ``high`` at M >= 5.5 (BSSA14 eqs 14, 17)."""
    weight = np.clip(np.asarray(magnitude, dtype=float) - 4.5, 0.0, 1.0)
    return low + (high - low) * weight


def bssa14_tau(c: Coeffs, magnitude: ArrayLike) -> FloatArray:
    """BSSA14 eq (14): between-event tau(M)."""
    return _magnitude_ramp(magnitude, c["tau1"], c["tau2"])


def bssa14_phi(
    c: Coeffs, magnitude: ArrayLike, rjb_km: ArrayLike, vs30_m_s: ArrayLike
) -> FloatArray:
    """BSSA14 eqs (15)-(17): within-event phi(M), + distance ramp, - soft-site ramp."""
    phi_m = _magnitude_ramp(magnitude, c["phi1"], c["phi2"])  # eq (17)
    rjb = np.asarray(rjb_km, dtype=float)
    r_ramp = np.log(np.clip(rjb, c["r1_km"], c["r2_km"]) / c["r1_km"]) / np.log(
        c["r2_km"] / c["r1_km"]
    )  # eq (16)
    vs = np.clip(vs30_m_s, BSSA14_V1_M_S, BSSA14_V2_M_S)
    v_ramp = np.log(BSSA14_V2_M_S / vs) / np.log(BSSA14_V2_M_S / BSSA14_V1_M_S)  # eq (15)
    return phi_m + c["dphi_r"] * r_ramp - c["dphi_v"] * v_ramp


def _bssa14(
    c: Coeffs, magnitude: FloatArray, rjb_km: FloatArray, vs30_m_s: FloatArray, mechanism: str
) -> GroundMotion:
    """BSSA14 eq (1): ln Y = F_E + F_P + F_S; F_S = ln F_lin + ln F_nl (eq 5), F_dz1 = 0."""
    dummies = _mechanism_dummies(mechanism)
    c_pga = _table("BSSA14")[_PGA_PERIOD]
    pga_r_g = np.exp(
        bssa14_source_term(c_pga, magnitude, dummies) + bssa14_path_term(c_pga, magnitude, rjb_km)
    )
    ln_y = (
        bssa14_source_term(c, magnitude, dummies)
        + bssa14_path_term(c, magnitude, rjb_km)
        + bssa14_linear_site_term(c, vs30_m_s)
        + bssa14_nonlinear_site_term(c, vs30_m_s, pga_r_g)
    )
    shape = ln_y.shape
    tau = np.broadcast_to(bssa14_tau(c, magnitude), shape).copy()
    phi = np.broadcast_to(bssa14_phi(c, magnitude, rjb_km, vs30_m_s), shape).copy()
    return GroundMotion(np.exp(ln_y), tau, phi)


_MODEL_FUNCTIONS = {"BA08": _ba08, "BSSA14": _bssa14}


# --------------------------------------------------------------------------- public API


def ground_motion_terms(
    model: str,
    magnitude: ArrayLike,
    rjb_km: ArrayLike,
    vs30_m_s: ArrayLike,
    mechanism: str = "strike-slip",
    imt: str = "PGA",
    rrup_km: ArrayLike | None = None,
) -> GroundMotion:
    """Median, tau and phi of ``imt`` from ``model``; inputs broadcast against each other.

    ``magnitude`` is moment magnitude, ``rjb_km`` the Joyner-Boore distance (>= 0) and
    ``vs30_m_s`` the time-averaged shear-wave velocity of the top 30 m (> 0). ``rrup_km``
    is ignored (both models use Rjb only).
    """
    _check_model(model)
    _mechanism_dummies(mechanism)
    period = _imt_period(model, imt)
    m, rjb, vs30 = (
        np.asarray(a, dtype=float) for a in np.broadcast_arrays(magnitude, rjb_km, vs30_m_s)
    )
    if np.any(rjb < 0.0) or np.any(~np.isfinite(rjb)):
        raise ValueError("rjb_km must be finite and >= 0")
    if np.any(vs30 <= 0.0) or np.any(~np.isfinite(vs30)):
        raise ValueError("vs30_m_s must be finite and > 0")
    if np.any(~np.isfinite(m)):
        raise ValueError("magnitude must be finite")
    return _MODEL_FUNCTIONS[model](_table(model)[period], m, rjb, vs30, mechanism)


def ground_motion(
    model: str,
    magnitude: ArrayLike,
    rjb_km: ArrayLike,
    vs30_m_s: ArrayLike,
    mechanism: str = "strike-slip",
    imt: str = "PGA",
    rrup_km: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """(median, total sigma of ln motion): see :func:`ground_motion_terms`."""
    terms = ground_motion_terms(model, magnitude, rjb_km, vs30_m_s, mechanism, imt, rrup_km)
    return terms.median, terms.sigma
