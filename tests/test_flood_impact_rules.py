"""The flood impact rules against their published values."""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.sim.hazards.flood.impact_rules import hazard_rating, road_speed_factor


@pytest.mark.parametrize(("depth_m", "speed_km_h"), [
    # Pregnolato et al. (2017) eq. (1), evaluated by hand: v(w) = 0.0009 w² − 0.5529 w + 86.9448
    (0.0, 86.9448), (0.05, 0.0009 * 2500 - 0.5529 * 50 + 86.9448),
    (0.1, 9.0 - 55.29 + 86.9448), (0.2, 36.0 - 110.58 + 86.9448),
])
def test_speed_follows_the_depth_disruption_function(depth_m: float, speed_km_h: float) -> None:
    assert road_speed_factor(np.array(depth_m)) == pytest.approx(speed_km_h / 86.9448, rel=1e-12)


def test_roads_close_at_300_mm_and_speed_falls_with_depth() -> None:
    d = np.linspace(0, 0.299, 50)
    f = road_speed_factor(d)
    assert np.all(np.diff(f) < 0) and f[0] == 1.0
    assert road_speed_factor(np.array([0.3, 1.0])).tolist() == [0.0, 0.0]


@pytest.mark.parametrize(("d", "v", "hr"), [
    (0.2, 0.0, 0.1),            # 0.2 × 0.5 + 0 (DF 0 up to 0.25 m)
    (0.5, 0.0, 1.25),           # 0.5 × 0.5 + 1 (urban DF 1 deeper): "danger for most"
    (1.0, 0.5, 2.0),            # 1.0 × 1.0 + 1
    (0.2, 2.5, 1.6),            # 0.2 × 3.0 + 1 (DF 1 when faster than 2 m/s)
])
def test_hazard_rating(d: float, v: float, hr: float) -> None:
    assert hazard_rating(np.array(d), np.array(v)) == pytest.approx(hr)
