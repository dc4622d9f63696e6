"""The level-pool ("bathtub") flood model: hand-checked grids and its invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.sim.hazards.flood import level_pool, level_pool_series

# A river in column 0, a ridge (crest 2.0 m) in column 2 with a notch at 1.5 m in row 1,
# a depression (0.5 m) behind it, and a pit (0.2 m) touching the river only diagonally.
GRID = np.array(
    [
        [0.0, 1.0, 2.0, 0.5, 0.5],
        [0.0, 1.0, 1.5, 0.5, 3.0],
        [0.0, 1.2, 2.0, 0.5, 3.0],
        [0.0, 3.0, 3.0, 3.0, 3.0],
        [3.0, 0.2, 3.0, 3.0, 3.0],
    ]
)
RIVER = [(0, 0), (1, 0), (2, 0), (3, 0)]


def test_exact_depths_on_a_hand_made_grid() -> None:
    """At 1.1 m: the river (1.1 m deep) and the two 1.0 m cells next to it (0.1 m) flood; the
    1.2 m cell, the ridge and everything behind it stay dry; the pit at (4, 1) is below the
    level but touches the river only diagonally, so it stays dry (4-connectivity)."""
    expected = np.zeros_like(GRID)
    expected[:4, 0] = 1.1
    expected[0:2, 1] = 0.1
    np.testing.assert_allclose(level_pool(GRID, 1.1, RIVER), expected, atol=1e-12)


def test_depression_behind_a_ridge_higher_than_the_level_stays_dry() -> None:
    """At 1.4 m the ridge (crest 2.0 m, notch 1.5 m) holds: the 0.5 m depression behind it is
    below the level but not connected, so it stays dry."""
    depth = level_pool(GRID, 1.4, RIVER)
    assert depth[:3, 3].max() == 0.0 and depth[0, 4] == 0.0
    assert depth[2, 1] == pytest.approx(0.2)


def test_depression_behind_a_lower_crest_fills_to_the_level() -> None:
    """At 1.6 m the water passes the 1.5 m notch: the depression fills to the level (1.1 m
    deep on 0.5 m ground), the notch holds 0.1 m, the 2.0 m ridge cells stay dry."""
    depth = level_pool(GRID, 1.6, RIVER)
    np.testing.assert_allclose(depth[:3, 3], 1.1)
    assert depth[0, 4] == pytest.approx(1.1)
    assert depth[1, 2] == pytest.approx(0.1)
    assert depth[0, 2] == 0.0 and depth[2, 2] == 0.0


def test_seeds_above_the_level_flood_nothing() -> None:
    """A seed whose ground is not below the level floods nothing."""
    assert level_pool(GRID, 1.0, [(4, 0)]).max() == 0.0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), low=st.floats(0.0, 2.0), rise=st.floats(0.0, 1.0))
def test_monotone_in_level(seed: int, low: float, rise: float) -> None:
    """Property (Hypothesis): raising the level never dries a cell nor lowers a depth, and the
    water surface is flat (depth + ground = level) wherever it is wet."""
    z = 3.0 * np.random.default_rng(seed).random((12, 15))
    seeds = [(0, 0), (6, 7)]
    lower, higher = level_pool(z, low, seeds), level_pool(z, low + rise, seeds)
    assert (higher >= lower).all()
    wet = higher > 0
    np.testing.assert_allclose((z + higher)[wet], low + rise)


def test_series_follows_a_gauge() -> None:
    """A gauge rising 0 -> 1.6 m at 3600 s and falling back to 1.1 m at 7200 s, read at 0, 1800,
    5400 and 7200 s. Depths follow the level (no storage memory: the depression empties when
    the level falls below the notch); the maximum depth is the one at the peak even though
    the peak falls between outputs; arrival times are resolved at outputs and gauge times;
    the seeds act as fixed-level cells, so outflow = -(change in storage) and the mass
    balance closes exactly; speeds are zero."""
    out = [0.0, 1800.0, 5400.0, 7200.0]
    res = level_pool_series(GRID, [0.0, 3600.0, 7200.0], [0.0, 1.6, 1.1], RIVER, out,
                            cell_size_m=10.0)
    np.testing.assert_array_equal(res.times_s, out)
    np.testing.assert_allclose(res.depth_m[1], level_pool(GRID, 0.8, RIVER))
    np.testing.assert_allclose(res.depth_m[-1], level_pool(GRID, 1.1, RIVER))
    np.testing.assert_allclose(res.max_depth_m, level_pool(GRID, 1.6, RIVER))
    assert res.arrival_time_s[0, 3] == 3600.0  # first wet at the peak, a gauge time
    assert res.arrival_time_s[0, 0] == 1800.0 and np.isnan(res.arrival_time_s[4, 1])
    np.testing.assert_allclose(res.volume_m3, res.depth_m.sum(axis=(1, 2)) * 100.0)
    np.testing.assert_allclose(res.mass_balance_error_m3, 0.0, atol=1e-9)
    assert res.speed_m_s.max() == 0.0 and res.max_speed_m_s.max() == 0.0


def test_series_holds_the_gauge_outside_its_times() -> None:
    """Outside the gauge's times its first and last levels are held."""
    res = level_pool_series(GRID, [100.0, 200.0], [1.1, 1.6], RIVER, [0.0, 300.0])
    np.testing.assert_allclose(res.depth_m[0], level_pool(GRID, 1.1, RIVER))
    np.testing.assert_allclose(res.depth_m[1], level_pool(GRID, 1.6, RIVER))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: level_pool(np.zeros(4), 1.0, [(0, 0)]), "2D"),
        (lambda: level_pool(GRID, 1.0, [(5, 0)]), "outside"),
        (lambda: level_pool(GRID, 1.0, []), "non-empty"),
        (lambda: level_pool_series(GRID, [0, 0], [1, 1], RIVER, [0]), "increasing"),
        (lambda: level_pool_series(GRID, [0, 1], [1], RIVER, [0]), "same"),
        (lambda: level_pool_series(GRID, [0, 1], [1, np.nan], RIVER, [0]), "finite"),
        (lambda: level_pool_series(GRID, [0, 1], [1, 1], RIVER, []), "output_times_s"),
    ],
)
def test_invalid_inputs_raise_value_error(call, message: str) -> None:  # type: ignore[no-untyped-def]
    """Malformed grids, seeds outside the grid and bad series raise ValueError."""
    with pytest.raises(ValueError, match=message):
        call()
