"""Hazus indoor casualty rates and collapse fractions against the manual's tables.

Oracles: Hazus-MH 2.1 Earthquake Technical Manual, Tables 13.3-13.7 (indoor casualty rates in
% of occupants, severity 1-4, for slight / moderate / extensive / complete without collapse /
complete with collapse) and Table 13.8 (collapse % of completely damaged buildings).

Rows checked state by state (% of occupants, severity 1 / 2 / 3 / 4):

| type | 13.3 slight | 13.4 moderate | 13.5 extensive | 13.6 complete | 13.7 collapse | 13.8 |
|------|-------------|---------------|----------------|---------------|---------------|------|
| W1   | .05/0/0/0   | .25/.03/0/0   | 1/.1/.001/.001 | 5/1/.01/.01   | 40/20/3/5     | 3    |
| W2   | .05/0/0/0   | .20/.025/0/0  | 1/.1/.001/.001 | 5/1/.01/.01   | 40/20/5/10    | 3    |
| S1L  | .05/0/0/0   | .20/.025/0/0  | 1/.1/.001/.001 | 5/1/.01/.01   | 40/20/5/10    | 8    |
| C1L  | .05/0/0/0   | .25/.03/0/0   | 1/.1/.001/.001 | 5/1/.01/.01   | 40/20/5/10    | 13   |
| URML | .05/0/0/0   | .35/.4/.001/  | 2/.2/.002/.002 | 10/2/.02/.02  | 40/20/5/10    | 15   |
|      |             | .001          |                |               |               |      |
| MH   | .05/0/0/0   | .25/.03/0/0   | 1/.1/.001/.001 | 5/1/.01/.01   | 40/20/3/5     | 3    |

Second oracle, from an independent public implementation that lists the complete-damage rate
already mixed with the collapse share, f_c * collapse + (1 - f_c) * complete, to two
decimals (%, severity 1 / 2 / 3 / 4): W1 6.05/1.57/0.10/0.16; S1L 7.80/2.52/0.41/0.81;
C1M 8.50/2.90/0.51/1.01; C3L 10.25/3.85/0.76/1.51; RM2H 6.75/1.95/0.26/0.51;
URML 14.50/4.70/0.77/1.52.
"""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.sim.hazards.quake.casualty import (
    SEVERITIES,
    casualty_rates,
    casualty_rates_by_state,
    collapse_fraction,
)
from drillsim.sim.hazards.quake.fragility import BUILDING_TYPES, damage_probabilities

TABLES_13_3_TO_13_7_PCT = {
    "W1": [[0.05, 0, 0, 0], [0.25, 0.03, 0, 0], [1, 0.1, 0.001, 0.001], [5, 1, 0.01, 0.01],
           [40, 20, 3, 5]],
    "W2": [[0.05, 0, 0, 0], [0.20, 0.025, 0, 0], [1, 0.1, 0.001, 0.001], [5, 1, 0.01, 0.01],
           [40, 20, 5, 10]],
    "S1L": [[0.05, 0, 0, 0], [0.20, 0.025, 0, 0], [1, 0.1, 0.001, 0.001], [5, 1, 0.01, 0.01],
            [40, 20, 5, 10]],
    "C1L": [[0.05, 0, 0, 0], [0.25, 0.03, 0, 0], [1, 0.1, 0.001, 0.001], [5, 1, 0.01, 0.01],
            [40, 20, 5, 10]],
    "URML": [[0.05, 0, 0, 0], [0.35, 0.4, 0.001, 0.001], [2, 0.2, 0.002, 0.002],
             [10, 2, 0.02, 0.02], [40, 20, 5, 10]],
    "MH": [[0.05, 0, 0, 0], [0.25, 0.03, 0, 0], [1, 0.1, 0.001, 0.001], [5, 1, 0.01, 0.01],
           [40, 20, 3, 5]],
}  # fmt: skip
TABLE_13_8_PCT = {
    "W1": 3, "W2": 3, "S1L": 8, "S1M": 5, "S1H": 3, "S2L": 8, "S2M": 5, "S2H": 3, "S3": 3,
    "S4L": 8, "S4M": 5, "S4H": 3, "S5L": 8, "S5M": 5, "S5H": 3, "C1L": 13, "C1M": 10, "C1H": 5,
    "C2L": 13, "C2M": 10, "C2H": 5, "C3L": 15, "C3M": 13, "C3H": 10, "PC1": 15, "PC2L": 15,
    "PC2M": 13, "PC2H": 10, "RM1L": 13, "RM1M": 10, "RM2L": 13, "RM2M": 10, "RM2H": 5,
    "URML": 15, "URMM": 15, "MH": 3,
}  # fmt: skip
MIXED_COMPLETE_PCT = {
    "W1": (6.05, 1.57, 0.10, 0.16),
    "S1L": (7.80, 2.52, 0.41, 0.81),
    "C1M": (8.50, 2.90, 0.51, 1.01),
    "C3L": (10.25, 3.85, 0.76, 1.51),
    "RM2H": (6.75, 1.95, 0.26, 0.51),
    "URML": (14.50, 4.70, 0.77, 1.52),
}


@pytest.mark.parametrize(("building_type", "pct"), sorted(TABLES_13_3_TO_13_7_PCT.items()))
def test_rates_by_state_match_tables(building_type: str, pct: list) -> None:
    rates = casualty_rates_by_state(building_type)
    assert rates.shape == (5, 4)
    np.testing.assert_allclose(rates, np.array(pct) / 100, rtol=0, atol=1e-15)


def test_collapse_fractions_match_table_13_8() -> None:
    assert set(TABLE_13_8_PCT) == set(BUILDING_TYPES)
    types = np.array(BUILDING_TYPES)
    expected = [TABLE_13_8_PCT[t] / 100 for t in BUILDING_TYPES]
    np.testing.assert_allclose(collapse_fraction(types), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize(("building_type", "pct"), sorted(MIXED_COMPLETE_PCT.items()))
def test_complete_mix_matches_second_oracle(building_type: str, pct: tuple) -> None:
    rates = casualty_rates_by_state(building_type)
    f_c = collapse_fraction(building_type)
    mixed_pct = 100 * (f_c * rates[4] + (1 - f_c) * rates[3])
    np.testing.assert_allclose(mixed_pct, pct, rtol=0, atol=0.005)


def test_every_type_has_sane_rates() -> None:
    rates = casualty_rates_by_state(np.array(BUILDING_TYPES))
    assert rates.shape == (36, 5, 4)
    assert np.all((rates >= 0) & (rates <= 1))
    # deaths grow with damage; collapse is the deadliest state for every type
    assert np.all(np.diff(rates[:, :, 3], axis=1) >= 0)
    assert np.all(rates[:, 4, 3] >= 0.05)


def test_certain_collapse_shaking_gives_the_complete_damage_mix() -> None:
    types = np.array(BUILDING_TYPES)
    level = np.where(np.isin(types, ["S5L", "S5M", "S5H", "C3L", "C3M", "C3H", "URML", "URMM"]),
                     "pre", "high")  # fmt: skip
    rates = casualty_rates_by_state(types)
    f_c = collapse_fraction(types)[:, None]
    mix = f_c * rates[:, 4] + (1 - f_c) * rates[:, 3]
    np.testing.assert_allclose(casualty_rates(types, level, 1000.0), mix, rtol=1e-9, atol=0)


def test_no_shaking_no_casualties_and_monotone_in_pga() -> None:
    pga = np.concatenate([[0.0, 1e-9], np.linspace(0.01, 3.0, 100)])
    rates = casualty_rates("URML", "pre", pga)
    assert rates.shape == (102, 4)
    np.testing.assert_array_equal(rates[0], 0.0)
    assert np.all(rates[1] < 1e-12)
    assert np.all(np.diff(rates, axis=0) >= 0)


def test_expected_rate_is_the_event_tree_sum_by_hand() -> None:
    p = damage_probabilities("C1L", "low", 0.3)
    r = np.array(TABLES_13_3_TO_13_7_PCT["C1L"]) / 100
    f_c = 0.13
    hand = p[1] * r[0] + p[2] * r[1] + p[3] * r[2] + p[4] * (f_c * r[4] + (1 - f_c) * r[3])
    np.testing.assert_allclose(casualty_rates("C1L", "low", 0.3), hand, rtol=1e-12)


def test_broadcasting_and_sanity_between_types() -> None:
    rates = casualty_rates(["URML", "W1"], ["pre", "high"], [[0.3], [0.6]])
    assert rates.shape == (2, 2, 4)
    assert np.all(rates[:, 0, 3] > 100 * rates[:, 1, 3])  # old masonry kills, wood frame less
    assert SEVERITIES == (1, 2, 3, 4)


def test_unknown_type_raises() -> None:
    with pytest.raises(ValueError, match=r"unknown building type \['RM1H'\]"):
        collapse_fraction("RM1H")
    with pytest.raises(ValueError, match="valid levels: low, pre"):
        casualty_rates("URMM", "high", 0.2)
