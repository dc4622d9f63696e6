"""Reasenberg-Jones aftershock sequences (drillsim.sim.hazards.quake.aftershocks).

Oracles: the closed-form integrals against numerical quadrature (scipy.integrate.quad, 1e-8
relative); a number worked by hand; for sampled sequences, the Poisson distribution of the
total count, a Kolmogorov-Smirnov test of the times against the analytic CDF and the
maximum-likelihood b-value (Aki 1965; truncated Gutenberg-Richter: Page 1968) against its
asymptotic standard error, at 99.9 % with fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from drillsim.sim.hazards.quake.aftershocks import (
    SequenceParams,
    expected_count,
    rate_per_day,
    sample_sequence,
)

GENERIC = SequenceParams()
Z_999 = stats.norm.ppf(1.0 - 0.001 / 2.0)


def test_generic_parameters() -> None:
    assert (GENERIC.a, GENERIC.b, GENERIC.c_days, GENERIC.p) == (-1.67, 0.91, 0.05, 1.08)


def test_worked_number_first_week_after_m7() -> None:
    """By hand (see the docstring of expected_count): 10^0.15 · (0.05^-0.08 - 7.05^-0.08)/0.08
    = 1.412538 · 5.193290 = 7.3357 aftershocks of M ≥ 5."""
    assert float(expected_count(0.0, 7.0, 7.0, 5.0)) == pytest.approx(7.3357, abs=1e-4)


def test_rate_at_time_zero_and_magnitude_scaling() -> None:
    """At t = 0 the rate is 10^(a + b ΔM) c^-p; one magnitude unit lower is 10^b more."""
    r0 = float(rate_per_day(0.0, 6.0, 4.0))
    assert r0 == pytest.approx(10 ** (-1.67 + 0.91 * 2.0) * 0.05**-1.08, rel=1e-12)
    ratio = rate_per_day(1.0, 6.0, 3.0) / rate_per_day(1.0, 6.0, 4.0)
    assert float(ratio) == pytest.approx(10**0.91, rel=1e-12)


@pytest.mark.parametrize("p", [1.08, 1.0, 0.8, 1.0 + 1e-9, 1.4])
@pytest.mark.parametrize(("t1", "t2"), [(0.0, 1.0), (0.0, 365.0), (2.5, 30.0), (0.01, 0.02)])
def test_expected_count_against_quadrature(p: float, t1: float, t2: float) -> None:
    params = SequenceParams(p=p)
    exact = float(expected_count(t1, t2, 6.5, 4.0, params))
    numeric, _ = integrate.quad(
        lambda t: float(rate_per_day(t, 6.5, 4.0, params)), t1, t2, epsabs=0.0, epsrel=1e-12
    )
    assert exact == pytest.approx(numeric, rel=1e-8)


def test_expected_count_is_vectorised_and_additive() -> None:
    counts = expected_count(np.array([0.0, 1.0]), np.array([1.0, 10.0]), 7.0, np.array([4.0, 4.0]))
    assert counts.shape == (2,)
    assert counts.sum() == pytest.approx(float(expected_count(0.0, 10.0, 7.0, 4.0)), rel=1e-12)


def test_mean_count_matches_expected_count() -> None:
    """Untruncated: the total over many sequences is Poisson with mean n · expected_count;
    truncated at the mainshock, the mean drops by the factor 1 - 10^(-b (Mm - Mmin))."""
    rng = np.random.default_rng(1989)
    n_seq, mm, mmin, days = 2000, 6.0, 4.0, 30.0
    for max_mag, kept in ((np.inf, 1.0), (None, 1.0 - 10 ** (-0.91 * (mm - mmin)))):
        mean = n_seq * float(expected_count(0.0, days, mm, mmin)) * kept
        total = sum(
            sample_sequence(mm, days, rng, mmin, max_magnitude=max_mag)[0].size
            for _ in range(n_seq)
        )
        assert abs(total - mean) < Z_999 * math.sqrt(mean), (total, mean)


@pytest.mark.parametrize("p", [1.08, 1.0, 0.9])
def test_times_follow_the_omori_cdf(p: float) -> None:
    """KS test of pooled times against F(t) = N(0, t) / N(0, T); times sorted within [0, T]."""
    params = SequenceParams(p=p)
    rng = np.random.default_rng(42)
    times, _ = sample_sequence(8.0, 100.0, rng, 3.0, params)
    assert times.size > 1000
    assert np.all(np.diff(times) >= 0.0)
    assert times[0] >= 0.0 and times[-1] <= 100.0
    total = float(expected_count(0.0, 100.0, 8.0, 3.0, params))
    result = stats.kstest(times, lambda t: expected_count(0.0, t, 8.0, 3.0, params) / total)
    assert result.pvalue > 0.001


def aki_b_value(mags: np.ndarray, m_min: float) -> float:
    """Aki (1965) maximum-likelihood b-value, ``log10(e) / (mean(M) - Mmin)``."""
    return math.log10(math.e) / float(np.mean(mags) - m_min)


def truncated_b_value(mags: np.ndarray, m_min: float, m_max: float) -> float:
    """Maximum-likelihood b-value of the Gutenberg-Richter law truncated to [Mmin, Mmax]
    (Page 1968): solves mean(M) - Mmin = 1/β - Δ e^(-βΔ) / (1 - e^(-βΔ)), β = b ln 10."""
    delta, excess = m_max - m_min, float(np.mean(mags) - m_min)

    def gap(beta: float) -> float:
        return 1.0 / beta - delta / math.expm1(beta * delta) - excess

    return optimize.brentq(gap, 1e-3, 50.0) / math.log(10.0)


def test_b_value_estimates_recover_the_sequence_b_value() -> None:
    """Untruncated: Aki's (1965) estimate is within b ± z b / sqrt(n). Truncated at the
    mainshock 1.5 units above Mmin (so 4 % of the untruncated law is cut off; a productive
    a-value gives enough events): the truncated-law estimate (Page 1968) is within
    b ± z / sqrt(n I(β)) / ln 10, I the Fisher information of the truncated law."""
    rng = np.random.default_rng(1965)
    _, mags = sample_sequence(8.0, 200.0, rng, 3.0, max_magnitude=np.inf)
    assert mags.min() >= 3.0
    assert abs(aki_b_value(mags, 3.0) - 0.91) < Z_999 * 0.91 / math.sqrt(mags.size)

    _, mags = sample_sequence(5.5, 365.0, rng, 4.0, SequenceParams(a=1.0))
    assert mags.size > 1000
    assert mags.max() <= 5.5
    beta, delta = 0.91 * math.log(10.0), 1.5
    # Variance of M under the truncated law = 1/β² - Δ² e^(βΔ) / (e^(βΔ) - 1)²; the MLE's
    # standard error in β is 1 / sqrt(n var M).
    var_m = 1.0 / beta**2 - delta**2 * math.exp(beta * delta) / math.expm1(beta * delta) ** 2
    se_b = 1.0 / math.sqrt(mags.size * var_m) / math.log(10.0)
    assert abs(truncated_b_value(mags, 4.0, 5.5) - 0.91) < Z_999 * se_b


def test_same_generator_state_gives_the_same_sequence() -> None:
    a = sample_sequence(6.8, 30.0, np.random.default_rng(5))
    b = sample_sequence(6.8, 30.0, np.random.default_rng(5))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_invalid_arguments_are_rejected() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        sample_sequence(4.0, 10.0, rng, min_magnitude=4.5)  # nothing between Mmin and Mm
    with pytest.raises(ValueError):
        sample_sequence(6.0, 0.0, rng)
