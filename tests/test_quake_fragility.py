"""Hazus equivalent-PGA building fragility against the manual's tables.

Oracle: Hazus-MH 2.1 Earthquake Technical Manual, Tables 5.16a-d (median PGA in g of the
slight / moderate / extensive / complete states, beta = 0.64 for every curve). The rows below
are a transcription made independently of the shipped CSV (from a different public copy of
the same tables); every one is compared with the CSV as read through the API.

| table | type | level    | slight | moderate | extensive | complete |
|-------|------|----------|--------|----------|-----------|----------|
| 5.16a | W1   | high     | 0.26   | 0.55     | 1.28      | 2.01     |
| 5.16a | S1H  | high     | 0.10   | 0.21     | 0.52      | 1.31     |
| 5.16a | C2M  | high     | 0.17   | 0.36     | 0.87      | 1.95     |
| 5.16a | RM2H | high     | 0.12   | 0.24     | 0.67      | 1.78     |
| 5.16a | MH   | high     | 0.11   | 0.18     | 0.31      | 0.60     |
| 5.16b | W2   | moderate | 0.20   | 0.35     | 0.64      | 1.13     |
| 5.16b | S4L  | moderate | 0.19   | 0.26     | 0.41      | 0.78     |
| 5.16b | PC1  | moderate | 0.18   | 0.24     | 0.44      | 0.71     |
| 5.16b | C1H  | moderate | 0.11   | 0.18     | 0.41      | 0.74     |
| 5.16c | S5M  | low      | 0.11   | 0.18     | 0.34      | 0.53     |
| 5.16c | C3H  | low      | 0.09   | 0.16     | 0.33      | 0.53     |
| 5.16c | URMM | low      | 0.10   | 0.16     | 0.27      | 0.46     |
| 5.16c | PC2L | low      | 0.13   | 0.15     | 0.24      | 0.44     |
| 5.16d | URML | pre      | 0.13   | 0.17     | 0.26      | 0.37     |
| 5.16d | S3   | pre      | 0.08   | 0.10     | 0.16      | 0.30     |
| 5.16d | RM1M | pre      | 0.11   | 0.15     | 0.28      | 0.50     |
| 5.16d | MH   | pre      | 0.08   | 0.11     | 0.18      | 0.34     |

Not defined in Hazus (and absent here): S5L/M/H, C3L/M/H, URML/M at high and moderate code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from drillsim.sim.hazards.quake.fragility import (
    BUILDING_TYPES,
    CODE_LEVELS,
    DAMAGE_STATES,
    damage_probabilities,
    exceedance_probabilities,
    fragility,
)

SECOND_TRANSCRIPTION = {
    ("W1", "high"): (0.26, 0.55, 1.28, 2.01),
    ("S1H", "high"): (0.10, 0.21, 0.52, 1.31),
    ("C2M", "high"): (0.17, 0.36, 0.87, 1.95),
    ("RM2H", "high"): (0.12, 0.24, 0.67, 1.78),
    ("MH", "high"): (0.11, 0.18, 0.31, 0.60),
    ("W2", "moderate"): (0.20, 0.35, 0.64, 1.13),
    ("S4L", "moderate"): (0.19, 0.26, 0.41, 0.78),
    ("PC1", "moderate"): (0.18, 0.24, 0.44, 0.71),
    ("C1H", "moderate"): (0.11, 0.18, 0.41, 0.74),
    ("S5M", "low"): (0.11, 0.18, 0.34, 0.53),
    ("C3H", "low"): (0.09, 0.16, 0.33, 0.53),
    ("URMM", "low"): (0.10, 0.16, 0.27, 0.46),
    ("PC2L", "low"): (0.13, 0.15, 0.24, 0.44),
    ("URML", "pre"): (0.13, 0.17, 0.26, 0.37),
    ("S3", "pre"): (0.08, 0.10, 0.16, 0.30),
    ("RM1M", "pre"): (0.11, 0.15, 0.28, 0.50),
    ("MH", "pre"): (0.08, 0.11, 0.18, 0.34),
}
UNDEFINED_TYPES = ("S5L", "S5M", "S5H", "C3L", "C3M", "C3H", "URML", "URMM")
DEFINED = [
    (t, lv)
    for t in BUILDING_TYPES
    for lv in CODE_LEVELS
    if not (t in UNDEFINED_TYPES and lv in ("high", "moderate"))
]


def _phi(x: float) -> float:
    """Standard normal CDF by hand (math.erf), independent of the module's scipy call."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def test_constants_name_the_hazus_classes() -> None:
    assert len(BUILDING_TYPES) == 36 == len(set(BUILDING_TYPES))
    assert CODE_LEVELS == ("high", "moderate", "low", "pre")
    assert DAMAGE_STATES == ("none", "slight", "moderate", "extensive", "complete")
    assert len(DEFINED) == 128


@pytest.mark.parametrize(("key", "expected"), sorted(SECOND_TRANSCRIPTION.items()))
def test_medians_match_second_transcription(key: tuple[str, str], expected: tuple) -> None:
    medians, beta = fragility(*key)
    np.testing.assert_allclose(medians, expected, rtol=0, atol=1e-12)
    assert beta == 0.64


def test_every_defined_curve_is_half_at_its_medians_and_matches_hand_lognormal() -> None:
    types = np.array([t for t, _ in DEFINED])
    levels = np.array([lv for _, lv in DEFINED])
    medians, beta = fragility(types, levels)
    assert medians.shape == (128, 4)
    assert np.all(beta == 0.64)
    assert np.all(np.diff(medians, axis=-1) > 0)
    for k in range(4):
        p = exceedance_probabilities(types, levels, medians[:, k])
        assert np.all(p[:, k] == 0.5)
    for pga in (0.05, 0.3, 0.9, 2.5):
        p = exceedance_probabilities(types, levels, pga)
        hand = [[_phi(math.log(pga / m) / 0.64) for m in row] for row in medians]
        np.testing.assert_allclose(p, hand, rtol=0, atol=1e-9)


def test_hand_value_w1_high_code_at_half_g() -> None:
    # Phi(ln(0.5 / 0.55) / 0.64) = Phi(-0.148924...) = 0.440806...
    p = exceedance_probabilities("W1", "high", 0.5)
    assert p[1] == pytest.approx(_phi(math.log(0.5 / 0.55) / 0.64), abs=1e-12)
    assert p[1] == pytest.approx(0.4408, abs=1e-4)


@pytest.mark.parametrize("building_type", UNDEFINED_TYPES)
@pytest.mark.parametrize("level", ["high", "moderate"])
def test_undefined_combinations_raise_naming_valid_levels(building_type: str, level: str) -> None:
    with pytest.raises(ValueError, match=r"valid levels: low, pre"):
        fragility(building_type, level)


def test_unknown_names_raise_listing_valid_names() -> None:
    with pytest.raises(ValueError, match=r"unknown building type \['W9'\].*URML"):
        fragility("W9", "high")
    with pytest.raises(ValueError, match=r"unknown code level \['medium'\].*pre"):
        fragility("W1", "medium")


def test_code_level_aliases() -> None:
    np.testing.assert_array_equal(fragility("C1L", "low-code")[0], fragility("C1L", "low")[0])


def test_damage_probabilities_sum_to_one_nonnegative_and_monotone() -> None:
    pga = np.linspace(0.0, 3.0, 61)
    types = np.array([t for t, _ in DEFINED])[:, None]
    levels = np.array([lv for _, lv in DEFINED])[:, None]
    p = damage_probabilities(types, levels, pga)
    assert p.shape == (128, 61, 5)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    exceed = exceedance_probabilities(types, levels, pga)
    assert np.all(np.diff(exceed, axis=1) >= 0)  # more shaking, more damage
    assert np.all(np.diff(exceed, axis=-1) <= 0)  # worse states are less likely
    np.testing.assert_array_equal(p[:, 0], [[1, 0, 0, 0, 0]] * 128)  # PGA = 0: undamaged


def test_broadcasting_over_type_names_and_pga() -> None:
    types = np.array(["W1", "URML", "C2M"])
    levels = np.array(["high", "pre", "moderate"])
    pga = np.array([[0.1], [0.4]])
    p = damage_probabilities(types, levels, pga)
    assert p.shape == (2, 3, 5)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(
                p[i, j], damage_probabilities(types[j], levels[j], pga[i, 0]), atol=1e-15
            )


def test_urm_pre_code_far_more_fragile_than_c2m_high_code() -> None:
    p = exceedance_probabilities(["URML", "C2M"], ["pre", "high"], 0.4)
    urm, c2m = p
    assert urm[3] > 0.5  # complete damage more likely than not
    assert c2m[3] < 0.01
    assert urm[3] > 50 * c2m[3]


def test_design_level_ordering_for_every_type() -> None:
    for t in BUILDING_TYPES:
        levels = [lv for lv in CODE_LEVELS if (t, lv) in DEFINED]
        p = exceedance_probabilities([t] * len(levels), levels, 0.5)[:, 3]
        assert np.all(np.diff(p) >= 0), t  # high -> pre never less fragile


def test_negative_pga_rejected() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        damage_probabilities("W1", "high", -0.1)
