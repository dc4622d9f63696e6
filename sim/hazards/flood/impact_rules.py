"""How flood water affects roads, buildings and people: published rules as pure functions."""

from __future__ import annotations

import numpy as np

ROAD_CLOSURE_DEPTH_M = 0.3
"""Depth from which a road is impassable to cars: the limit of the depth–disruption function
of Pregnolato et al. (2017), whose data end at 300 mm, where vehicles stop."""

FACILITY_CLOSURE_DEPTH_M = 0.3
"""Depth at a facility's access node from which it is unusable (its access road is closed)."""

RESCUE_HAZARD_RATING = 1.25
"""Flood hazard rating from which people are in danger ("danger for most"), Defra/Environment
Agency FD2321/TR2 (Ramsbottom et al. 2006), hazard rating classes."""

BRIDGE_CLEARANCE_M = 1.0
"""Default height of a bridge deck above the higher of its two end nodes."""


def road_speed_factor(depth_m: np.ndarray, closure_depth_m: float = ROAD_CLOSURE_DEPTH_M
                      ) -> np.ndarray:
    """Fraction of free-flow speed on a road under ``depth_m`` of water.

    Pregnolato, Ford, Wilkinson & Dawson (2017), "The impact of flooding on road transport: a
    depth-disruption function", Transportation Research Part D 55, 67–81, eq. (1):
    v(w) = 0.0009 w² − 0.5529 w + 86.9448 (km/h, w in mm), normalised by v(0); zero from
    ``closure_depth_m``."""
    w = np.clip(np.asarray(depth_m, dtype=float) * 1000.0, 0.0, None)
    v = 0.0009 * w**2 - 0.5529 * w + 86.9448
    return np.where(w >= closure_depth_m * 1000.0, 0.0, np.clip(v / 86.9448, 0.0, 1.0))


def debris_factor(depth_m: np.ndarray, speed_m_s: np.ndarray) -> np.ndarray:
    """FD2321/TR2 debris factor, urban column: 0 up to 0.25 m deep, 1 deeper (and 1 whenever
    the water is faster than 2 m/s) (Ramsbottom et al. 2006, Table 3.1; check the table:
    pasture 0 / 0 / 0.5 and woodland 0 / 0.5 / 1 for 0–0.25 / 0.25–0.75 / > 0.75 m)."""
    d = np.asarray(depth_m, dtype=float)
    v = np.asarray(speed_m_s, dtype=float)
    return np.where((d > 0.25) | ((v > 2.0) & (d > 0.0)), 1.0, 0.0)


def hazard_rating(depth_m: np.ndarray, speed_m_s: np.ndarray) -> np.ndarray:
    """Flood hazard rating HR = d (v + 0.5) + DF (Defra/EA FD2321/TR2, Ramsbottom et al.
    2006): < 0.75 low, 0.75–1.25 danger for some, 1.25–2 danger for most, > 2 for all."""
    d = np.asarray(depth_m, dtype=float)
    v = np.asarray(speed_m_s, dtype=float)
    return d * (v + 0.5) + debris_factor(d, v)
