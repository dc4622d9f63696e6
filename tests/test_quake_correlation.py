"""Spatially correlated within-event residuals (drillsim.sim.hazards.quake.correlation).

Oracles: the range b(T) of Jayaram & Baker (2009) eqs. 17-19 evaluated by hand; for sampled
fields, the sampling distributions of the sample correlation (Fisher z: atanh r is normal with
standard error 1 / sqrt(n - 3)) and of the sample variance ((n - 1) s² ~ χ²(n - 1)), at 99.9 %
(Bonferroni-corrected where many pairs are checked at once), with fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from drillsim.sim.hazards.quake.correlation import (
    correlated_normals,
    correlation,
    correlation_factor,
    correlation_range_km,
)

N_FIELDS = 20_000
Z_999 = stats.norm.ppf(1.0 - 0.001 / 2.0)


@pytest.mark.parametrize(
    ("period_s", "clustered", "b_km"),
    [
        (0.0, False, 8.5),  # PGA, eq. 17
        (0.5, False, 8.5 + 8.6),  # eq. 17
        (0.0, True, 40.7),  # PGA, eq. 18
        (0.5, True, 40.7 - 7.5),  # eq. 18
        (1.0, False, 25.7),  # eq. 19
        (2.0, True, 29.4),  # eq. 19 whatever the clustering
        (5.0, False, 40.5),  # eq. 19
        (10.0, False, 59.0),  # eq. 19
    ],
)
def test_range_against_the_paper(period_s: float, clustered: bool, b_km: float) -> None:
    assert float(correlation_range_km(period_s, clustered)) == pytest.approx(b_km, rel=1e-12)


def test_range_is_continuous_at_one_second_in_both_cases() -> None:
    """Both short-period lines meet the long-period one at T = 1 s (25.7 km)."""
    for clustered in (False, True):
        below = float(correlation_range_km(1.0 - 1e-12, clustered))
        assert below == pytest.approx(float(correlation_range_km(1.0, clustered)), abs=1e-9)


def test_range_is_vectorised_and_checks_its_period_range() -> None:
    np.testing.assert_allclose(correlation_range_km([0.0, 0.2, 3.0]), [8.5, 11.94, 33.1])
    with pytest.raises(ValueError):
        correlation_range_km(-0.1)
    with pytest.raises(ValueError):
        correlation_range_km(10.5)


def test_correlation_function_values() -> None:
    """Eq. 20: 1 at h = 0, exp(-3) at the range, exp(-3 h / b) in between."""
    np.testing.assert_allclose(correlation([0.0, 8.5, 4.25]), [1.0, math.exp(-3.0), math.exp(-1.5)])
    assert float(correlation(25.7, 1.0)) == pytest.approx(math.exp(-3.0))


def fisher_z_score(r: np.ndarray, rho: np.ndarray, n: int) -> np.ndarray:
    """How many standard errors the sample correlation ``r`` is from ``rho`` on Fisher's z
    scale."""
    return (np.arctanh(r) - np.arctanh(rho)) * math.sqrt(n - 3)


@pytest.mark.parametrize(("period_s", "clustered"), [(0.0, False), (0.3, True), (2.0, False)])
def test_sample_correlation_at_distance_h_matches_the_model(
    period_s: float, clustered: bool
) -> None:
    """The verification item: at h = 2, 5, 10, 20 km the sample correlation of many fields is
    within its 99.9 % interval of exp(-3h/b); at h = 0 (the same site given twice) the values
    are identical; every site's sample variance is within its 99.9 % interval of 1."""
    h_km = np.array([0.0, 0.0, 2.0, 5.0, 10.0, 20.0])
    rng = np.random.default_rng(20090615)
    z = correlated_normals(h_km * 1000.0, np.zeros_like(h_km), rng, period_s, clustered, N_FIELDS)
    assert z.shape == (N_FIELDS, h_km.size)
    np.testing.assert_array_equal(z[:, 0], z[:, 1])
    r = np.array([np.corrcoef(z[:, 0], z[:, k])[0, 1] for k in range(2, h_km.size)])
    rho = correlation(h_km[2:], period_s, clustered)
    assert np.all(np.abs(fisher_z_score(r, rho, N_FIELDS)) < Z_999), (r, rho)
    chi2 = (N_FIELDS - 1) * z.var(axis=0, ddof=1)
    lo, hi = stats.chi2.ppf([0.0005, 0.9995], N_FIELDS - 1)
    assert np.all((chi2 > lo) & (chi2 < hi))
    assert np.all(np.abs(z.mean(axis=0)) < Z_999 / math.sqrt(N_FIELDS))


def test_whole_correlation_matrix_of_scattered_sites_matches_the_model() -> None:
    """All 435 pairs of 30 sites scattered over 30 km: every sample correlation within its
    Bonferroni-corrected 99.9 % interval."""
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0.0, 30_000.0, (2, 30))
    z = correlated_normals(x, y, rng, 0.0, False, N_FIELDS)
    iu = np.triu_indices(30, k=1)
    r = np.corrcoef(z, rowvar=False)[iu]
    rho = correlation(np.hypot(x[:, None] - x, y[:, None] - y)[iu] / 1000.0)
    z_crit = stats.norm.ppf(1.0 - 0.001 / (2.0 * iu[0].size))
    assert np.max(np.abs(fisher_z_score(r, rho, N_FIELDS))) < z_crit


def test_same_generator_state_gives_the_same_field() -> None:
    x = np.array([0.0, 500.0, 2500.0, 9000.0])
    y = np.array([0.0, 100.0, -3000.0, 50.0])
    x0, y0 = x.copy(), y.copy()
    a = correlated_normals(x, y, np.random.default_rng(3))
    b = correlated_normals(x, y, np.random.default_rng(3))
    assert a.shape == (4,)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


def test_thousands_of_sites_with_duplicates() -> None:
    """3,000 sites (a fifth of them repeated) give finite fields; repeated sites agree."""
    rng = np.random.default_rng(11)
    x, y = rng.uniform(0.0, 40_000.0, (2, 2400))
    x, y = np.concatenate([x, x[:600]]), np.concatenate([y, y[:600]])
    z = correlated_normals(x, y, rng, 0.0, False, size=2)
    assert z.shape == (2, 3000)
    assert np.all(np.isfinite(z))
    np.testing.assert_array_equal(z[:, :600], z[:, 2400:])


def test_factor_falls_back_to_eigen_decomposition_when_not_positive_definite() -> None:
    """A (slightly) indefinite matrix defeats Cholesky; the eigen factor reproduces its
    positive part."""
    rho = np.array([[1.0, 1.0 + 1e-6], [1.0 + 1e-6, 1.0]])
    f = correlation_factor(rho.copy())
    np.testing.assert_allclose(f @ f.T, np.ones((2, 2)), atol=1e-6)
