"""Hazus highway-bridge fragility (Sa at 1.0 s) against the manual's table.

Oracle: Hazus-MH 2.1 Earthquake Technical Manual, Table 7.9 (median Sa(1.0 s) in g of the
slight / moderate / extensive / complete states, beta = 0.6), transcribed independently of
the shipped CSV from a second public copy of the table:

| class | design / description                                  | slight | mod. | ext. | compl. |
|-------|-------------------------------------------------------|--------|------|------|--------|
| HWB1  | major bridge > 150 m, conventional                    | 0.40   | 0.50 | 0.70 | 0.90   |
| HWB2  | major bridge > 150 m, seismic                         | 0.60   | 0.90 | 1.10 | 1.70   |
| HWB3  | single span, conventional                             | 0.80   | 1.00 | 1.20 | 1.70   |
| HWB5  | concrete multi-column bent, simple support, conv.     | 0.25   | 0.35 | 0.45 | 0.70   |
| HWB7  | concrete multi-column bent, simple support, seismic   | 0.50   | 0.80 | 1.10 | 1.70   |
| HWB8  | continuous concrete single-column box girder, conv.   | 0.35   | 0.45 | 0.55 | 0.80   |
| HWB9  | same, seismic                                         | 0.60   | 0.90 | 1.30 | 1.60   |
| HWB11 | continuous concrete, seismic                          | 0.90   | 0.90 | 1.10 | 1.50   |
| HWB15 | continuous steel, conventional                        | 0.75   | 0.75 | 0.75 | 1.10   |
| HWB26 | continuous steel < 20 m, conventional, non-CA         | 0.75   | 0.75 | 0.75 | 1.10   |
| HWB28 | all other bridges                                     | 0.80   | 1.00 | 1.20 | 1.70   |
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from drillsim.sim.hazards.quake.bridges import (
    BRIDGE_CLASSES,
    bridge_damage_probabilities,
    bridge_fragility,
)

TABLE_7_9 = {
    "HWB1": (0.40, 0.50, 0.70, 0.90),
    "HWB2": (0.60, 0.90, 1.10, 1.70),
    "HWB3": (0.80, 1.00, 1.20, 1.70),
    "HWB5": (0.25, 0.35, 0.45, 0.70),
    "HWB7": (0.50, 0.80, 1.10, 1.70),
    "HWB8": (0.35, 0.45, 0.55, 0.80),
    "HWB9": (0.60, 0.90, 1.30, 1.60),
    "HWB11": (0.90, 0.90, 1.10, 1.50),
    "HWB15": (0.75, 0.75, 0.75, 1.10),
    "HWB26": (0.75, 0.75, 0.75, 1.10),
    "HWB28": (0.80, 1.00, 1.20, 1.70),
}


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def test_classes() -> None:
    assert tuple(f"HWB{n}" for n in range(1, 29)) == BRIDGE_CLASSES


@pytest.mark.parametrize(("bridge_class", "expected"), sorted(TABLE_7_9.items()))
def test_medians_match_table_7_9(bridge_class: str, expected: tuple) -> None:
    medians, beta = bridge_fragility(bridge_class)
    np.testing.assert_allclose(medians, expected, rtol=0, atol=1e-12)
    assert beta == 0.6


def test_all_classes_well_formed_and_half_at_medians() -> None:
    classes = np.array(BRIDGE_CLASSES)
    medians, beta = bridge_fragility(classes)
    assert medians.shape == (28, 4)
    assert np.all(beta == 0.6)
    assert np.all(np.diff(medians, axis=-1) >= 0)
    p = bridge_damage_probabilities(classes, medians[:, 0])
    np.testing.assert_allclose(p[:, 0], 0.5, rtol=0, atol=1e-15)  # P(none) at slight median
    sa = 0.62
    hand = [[_phi(math.log(sa / m) / 0.6) for m in row] for row in medians]
    p = bridge_damage_probabilities(classes, sa)
    exceed = 1.0 - np.cumsum(p, axis=-1)[:, :4]
    np.testing.assert_allclose(exceed, hand, rtol=0, atol=1e-9)


def test_probabilities_sum_to_one_and_are_nonnegative() -> None:
    sa = np.linspace(0.0, 3.0, 31)[:, None]
    p = bridge_damage_probabilities(np.array(BRIDGE_CLASSES), sa)
    assert p.shape == (31, 28, 5)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(p[0], [[1, 0, 0, 0, 0]] * 28)


def test_equal_medians_leave_empty_states() -> None:
    p = bridge_damage_probabilities(["HWB11", "HWB15"], 1.0)
    assert p[0, 1] == 0.0  # HWB11: slight and moderate share a median
    assert p[1, 1] == 0.0 and p[1, 2] == 0.0  # HWB15: slight = moderate = extensive


def test_seismic_design_less_fragile_than_conventional() -> None:
    p = bridge_damage_probabilities(["HWB5", "HWB7", "HWB1", "HWB2"], 0.6)
    assert p[0, 4] > 3 * p[1, 4]
    assert p[2, 4] > 3 * p[3, 4]


def test_unknown_class_and_bad_intensity_raise() -> None:
    with pytest.raises(ValueError, match=r"unknown bridge class \['HWB29'\].*HWB28"):
        bridge_fragility("HWB29")
    with pytest.raises(ValueError, match="non-negative"):
        bridge_damage_probabilities("HWB1", -1.0)
