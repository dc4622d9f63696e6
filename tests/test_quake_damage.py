"""Building damage through a shock sequence, the trapped-survival curve and occupancy.

Oracles: the fragility curves themselves (the sampled damage of many buildings over many
seeds must match the analytic state probabilities within their confidence interval), the
capacity reading of a fragility (a building that withstood shaking withstands weaker shaking),
the Hazus collapse fractions, and the tabulated Tangshan survival shares.
"""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.sim.hazards.quake import damage_probabilities
from drillsim.sim.hazards.quake.casualty import collapse_fraction
from drillsim.sim.hazards.quake.damage import (
    COMPLETE,
    Inventory,
    damage_history,
    material,
)
from drillsim.sim.hazards.quake.trapped import survival, survival_ratio

Z = 3.89  # two-sided 99.99 %: many states are checked at once


def _inventory(key: str, n: int) -> Inventory:
    return Inventory.of_zones((key,), np.array([[n]]))


@pytest.mark.parametrize(("key", "pga_g"), [("URML/pre", 0.2), ("C2M/moderate", 0.45),
                                            ("W1/high", 0.8), ("S1M/low", 0.3)])
def test_sampled_damage_matches_fragility_over_many_seeds(key: str, pga_g: float) -> None:
    btype, level = key.split("/")
    expected = np.asarray(damage_probabilities(btype, level, pga_g), float)
    inv, n, seeds = _inventory(key, 400), 400, 60
    counts = np.zeros(5)
    for seed in range(seeds):
        hist = damage_history(inv, np.full((1, n), pga_g), np.random.default_rng(seed))
        counts += np.bincount(hist.state[0], minlength=5)
    total = n * seeds
    share = counts / total
    se = np.sqrt(expected * (1 - expected) / total)
    assert np.all(np.abs(share - expected) <= Z * se + 1e-12), (share, expected)


def test_weaker_aftershock_adds_no_damage_and_stronger_adds_some() -> None:
    inv, n = _inventory("C1L/low", 5000), 5000
    rng = np.random.default_rng(7)
    # 0.5 x the mainshock: even the most weakened curves (x 0.75) stay below it
    weaker = damage_history(inv, np.array([np.full(n, 0.4), np.full(n, 0.2)]), rng)
    assert np.array_equal(weaker.state[0], weaker.state[1])
    stronger = damage_history(inv, np.array([np.full(n, 0.2), np.full(n, 0.5)]),
                              np.random.default_rng(7))
    assert np.all(stronger.state[1] >= stronger.state[0])
    assert stronger.state[1].mean() > stronger.state[0].mean() + 0.3


def test_collapse_share_of_completely_damaged_buildings_is_hazus() -> None:
    inv, n = _inventory("URML/pre", 20000), 20000
    hist = damage_history(inv, np.full((1, n), 3.0), np.random.default_rng(3))
    complete = hist.state[0] == COMPLETE
    p = float(collapse_fraction("URML"))
    share = hist.collapsed[0][complete].mean()
    assert abs(share - p) <= Z * np.sqrt(p * (1 - p) / complete.sum())
    assert not hist.collapsed[0][~complete].any()


def test_inventory_rows_follow_zone_counts() -> None:
    inv = Inventory.of_zones(("C1L/low", "W1/moderate"), np.array([[2, 0], [1, 3]]))
    assert inv.zone.tolist() == [0, 0, 1, 1, 1, 1]
    assert inv.kind.tolist() == [0, 0, 0, 1, 1, 1]
    assert material("URMM") == "masonry" and material("PC2L") == "concrete"
    assert material("W2") == "wood" and material("S1H") == "steel"


def test_trapped_survival_reproduces_the_tabulated_shares() -> None:
    # Tangshan 1976: 99.3 % within half an hour, then by day 81.0, 53.7, 36.7, 19.0, 7.4 %
    hours = [0.5, 12, 36, 60, 84, 108]
    assert survival(hours) == pytest.approx([0.993, 0.810, 0.537, 0.367, 0.190, 0.074])
    t = np.linspace(0, 240, 500)
    assert np.all(np.diff(survival(t)) < 0)
    assert survival(0.0) == pytest.approx(1.0)
    assert survival_ratio(12, 36) * survival(12) == pytest.approx(survival(36))
