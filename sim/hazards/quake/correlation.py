"""Spatially correlated within-event residuals of ground-motion intensity.

Jayaram, N. & Baker, J. W. (2009), "Correlation model for spatially distributed ground-motion
intensities", Earthquake Engineering & Structural Dynamics 38(15), 1687-1708. The normalised
within-event residuals ε of a spectral acceleration Sa(T) (PGA: T = 0) at two sites ``h`` km
apart are jointly standard normal with correlation (eq. 20)

    ρ(h) = exp(-3 h / b(T)),

so that ρ(b) = exp(-3) ≈ 0.05 ("range" b). The range (km) depends on the period (eqs. 17-19):

    T < 1 s, Vs30 not clustered (case 1, eq. 17):  b = 8.5 + 17.2 T
    T < 1 s, Vs30 clustered (case 2, eq. 18):      b = 40.7 - 15.0 T
    T ≥ 1 s (eq. 19):                              b = 22.0 + 3.7 T

"Clustered" means the site conditions (Vs30) are similar over the region of interest (e.g. one
geological unit); the authors' discussion is on p. 1700. The model was fitted for
0 ≤ T ≤ 10 s. Equation numbers as in the authors' reference implementation of the model
(C. Loth & J. W. Baker, 2013, ``jb_2009_spatial_corr.m``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg
from scipy.spatial import distance

FloatArray = NDArray[np.float64]

M_PER_KM = 1000.0
MAX_PERIOD_S = 10.0
LONG_PERIOD_S = 1.0  # eq. 19 from this period on
# Range b = intercept_km + slope_km_s * T, Jayaram & Baker (2009) eqs. 17-19.
RANGE_COEFFS_KM: dict[str, tuple[float, float]] = {
    "short_unclustered": (8.5, 17.2),  # eq. 17, case 1
    "short_clustered": (40.7, -15.0),  # eq. 18, case 2
    "long": (22.0, 3.7),  # eq. 19
}
JITTER = 1e-10  # added to the diagonal so nearly coincident sites still factorise


def correlation_range_km(period_s: ArrayLike, clustered_vs30: bool = False) -> FloatArray:
    """Range ``b(T)`` (km) of the correlation model, Jayaram & Baker (2009) eqs. 17-19
    (eq. 18 instead of 17 for ``T < 1 s`` when the Vs30 values are clustered). PGA: T = 0."""
    t_s = np.asarray(period_s, dtype=float)
    if np.any((t_s < 0.0) | (t_s > MAX_PERIOD_S)):
        raise ValueError(f"the model holds for 0 <= T <= {MAX_PERIOD_S} s, got {period_s}")
    short = RANGE_COEFFS_KM["short_clustered" if clustered_vs30 else "short_unclustered"]
    long = RANGE_COEFFS_KM["long"]
    b_short = short[0] + short[1] * t_s
    b_long = long[0] + long[1] * t_s
    return np.where(t_s < LONG_PERIOD_S, b_short, b_long)


def correlation(
    h_km: ArrayLike, period_s: ArrayLike = 0.0, clustered_vs30: bool = False
) -> FloatArray:
    """Correlation ``exp(-3 h / b(T))`` of the within-event residuals at two sites ``h_km``
    apart, Jayaram & Baker (2009) eq. 20."""
    h = np.asarray(h_km, dtype=float)
    if np.any(h < 0.0):
        raise ValueError("separation distances must be >= 0")
    return np.exp(-3.0 * h / correlation_range_km(period_s, clustered_vs30))


def correlation_matrix(
    points_m: FloatArray, period_s: float = 0.0, clustered_vs30: bool = False
) -> FloatArray:
    """The model's correlation matrix (eq. 20) between sites given as ``(n, 2)`` coordinates in
    metres (built in place in one ``n × n`` array)."""
    b_km = float(correlation_range_km(period_s, clustered_vs30))
    rho = distance.cdist(points_m, points_m)
    rho *= -3.0 / (b_km * M_PER_KM)
    return np.exp(rho, out=rho)


def correlation_factor(rho: FloatArray) -> FloatArray:
    """A matrix ``F`` with ``F Fᵀ ≈ rho``: the lower Cholesky factor of ``rho`` plus a diagonal
    jitter of ``JITTER``; if that still fails (numerically singular ``rho``), the symmetric
    factor from the eigen-decomposition with negative eigenvalues set to zero. ``rho`` is
    modified in place."""
    rho[np.diag_indices_from(rho)] += JITTER
    try:
        return linalg.cholesky(rho, lower=True, overwrite_a=False, check_finite=False)
    except linalg.LinAlgError:
        eigval, eigvec = linalg.eigh(rho, overwrite_a=True, check_finite=False)
        return eigvec * np.sqrt(np.clip(eigval, 0.0, None))


def correlated_normals(
    x_m: ArrayLike,
    y_m: ArrayLike,
    rng: np.random.Generator,
    period_s: float = 0.0,
    clustered_vs30: bool = False,
    size: int | None = None,
) -> FloatArray:
    """Standard-normal residual field(s) at the sites ``(x_m, y_m)`` with the correlation of
    Jayaram & Baker (2009) eq. 20 between sites: shape ``(n,)``, or ``(size, n)`` for ``size``
    independent fields. Sites at the same place get the same value (correlation 1): the field
    is drawn on the distinct sites, ``z = L ε`` with ``L Lᵀ = ρ`` and ``ε`` i.i.d. standard
    normal, then copied to the duplicates."""
    points = np.column_stack([np.ravel(x_m), np.ravel(y_m)]).astype(float)
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    factor = correlation_factor(correlation_matrix(unique, period_s, clustered_vs30))
    eps = rng.standard_normal((1 if size is None else size, len(unique)))
    fields = (eps @ factor.T)[:, inverse.ravel()]
    return fields[0] if size is None else fields
