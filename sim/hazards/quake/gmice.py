"""Ground motion <-> Modified Mercalli Intensity (MMI) conversion.

Worden, C. B., Gerstenberger, M. C., Rhoades, D. A. and Wald, D. J. (2012). Probabilistic
relationships between ground-motion parameters and Modified Mercalli Intensity in
California. Bulletin of the Seismological Society of America 102(1), 204-221.

Eq. (3), bilinear in log10 of the motion Y (PGA in cm/s², PGV in cm/s):

    MMI = c1 + c2 log10(Y)   for log10(Y) <= t1
    MMI = c3 + c4 log10(Y)   for log10(Y) >  t1

with the coefficients of their Table 1 (the form without the magnitude/distance residual
terms). The reverse relation (their eq. 4) is the algebraic inverse of eq. (3) with the
break placed at the published intensity t2:

    log10(Y) = (MMI - c1) / c2   for MMI <= t2
    log10(Y) = (MMI - c3) / c4   for MMI >  t2

Worden et al. fitted the lines by total least squares precisely so that they can be used
in both directions. Because t1, t2 and the c's are rounded to two decimals the two
segments do not meet exactly at the break (a gap of about 0.005 MMI), so a round trip
close to the break reproduces the motion to within about 0.5 %.

Every MMI this module returns, and every MMI it accepts, is clipped to [1, 10], the range
over which the relation is defined (MMI 1 = not felt, 10 = the top of the data set).
PGA arrives in g and is converted with the standard gravity 980.665 cm/s².
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

STANDARD_GRAVITY_CM_S2 = 980.665
MMI_RANGE = (1.0, 10.0)


class BilinearCoeffs(NamedTuple):
    """One row of Worden et al. (2012) Table 1."""

    c1: float
    c2: float
    c3: float
    c4: float
    t1: float  # break in log10(Y)
    t2: float  # break in MMI


#: Worden et al. (2012) Table 1: PGA in cm/s², PGV in cm/s.
WGRW12_PGA = BilinearCoeffs(c1=1.78, c2=1.55, c3=-1.60, c4=3.70, t1=1.57, t2=4.22)
WGRW12_PGV = BilinearCoeffs(c1=3.78, c2=1.47, c3=2.89, c4=3.16, t1=0.53, t2=4.56)


def mmi_from_log10_motion(coeffs: BilinearCoeffs, log10_y: ArrayLike) -> FloatArray:
    """Worden et al. (2012) eq. (3), clipped to MMI 1-10."""
    log10_y = np.asarray(log10_y, dtype=float)
    mmi = np.where(
        log10_y <= coeffs.t1,
        coeffs.c1 + coeffs.c2 * log10_y,
        coeffs.c3 + coeffs.c4 * log10_y,
    )
    return np.clip(mmi, *MMI_RANGE)


def log10_motion_from_mmi(coeffs: BilinearCoeffs, mmi: ArrayLike) -> FloatArray:
    """Worden et al. (2012) eq. (4), the inverse of eq. (3); MMI is clipped to 1-10 first."""
    mmi = np.clip(np.asarray(mmi, dtype=float), *MMI_RANGE)
    return np.where(mmi <= coeffs.t2, (mmi - coeffs.c1) / coeffs.c2, (mmi - coeffs.c3) / coeffs.c4)


def _positive(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=float)
    if np.any(~(array > 0.0)):
        raise ValueError(f"{name} must be > 0 (a logarithm is taken)")
    return array


def pga_to_mmi(pga_g: ArrayLike) -> FloatArray:
    """MMI from peak ground acceleration in g."""
    pga_cm_s2 = _positive(pga_g, "pga_g") * STANDARD_GRAVITY_CM_S2
    return mmi_from_log10_motion(WGRW12_PGA, np.log10(pga_cm_s2))


def pgv_to_mmi(pgv_cm_s: ArrayLike) -> FloatArray:
    """MMI from peak ground velocity in cm/s."""
    return mmi_from_log10_motion(WGRW12_PGV, np.log10(_positive(pgv_cm_s, "pgv_cm_s")))


def mmi_to_pga(mmi: ArrayLike) -> FloatArray:
    """Peak ground acceleration in g from MMI (inverse of eq. 3)."""
    return 10.0 ** log10_motion_from_mmi(WGRW12_PGA, mmi) / STANDARD_GRAVITY_CM_S2


def mmi_to_pgv(mmi: ArrayLike) -> FloatArray:
    """Peak ground velocity in cm/s from MMI (inverse of eq. 3)."""
    return 10.0 ** log10_motion_from_mmi(WGRW12_PGV, mmi)
