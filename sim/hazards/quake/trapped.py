"""Survival of people trapped in collapsed buildings, as time to rescue grows.

The curve is the share of people extracted alive by day after the 1976 Tangshan earthquake:
99.3 % within half an hour, 81.0 % on day 1, 53.7 % on day 2, 36.7 % on day 3, 19.0 % on day
4 and 7.4 % on day 5 (statistics widely quoted in Chinese emergency-rescue literature; the
primary report was not traced, check). Each day's share is placed at the middle of its day
and joined linearly; beyond day 5 the last day-to-day ratio (7.4 / 19.0) continues. The
shares are read as the chance that a person still trapped at that time is alive, so a
trapped person who survives to time t is alive when freed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

POINTS_H = np.array([0.0, 0.5, 12.0, 36.0, 60.0, 84.0, 108.0])
ALIVE = np.array([1.0, 0.993, 0.810, 0.537, 0.367, 0.190, 0.074])
DAILY_TAIL = ALIVE[-1] / ALIVE[-2]
"""Day-to-day survival ratio after the last tabulated day."""


def survival(hours: ArrayLike) -> np.ndarray:
    """Share of people trapped at time 0 who are still alive after ``hours``."""
    h = np.maximum(np.asarray(hours, float), 0.0)
    inside = np.interp(h, POINTS_H, ALIVE)
    tail = ALIVE[-1] * DAILY_TAIL ** ((h - POINTS_H[-1]) / 24.0)
    return np.where(h <= POINTS_H[-1], inside, tail)


def survival_ratio(from_hours: ArrayLike, to_hours: ArrayLike) -> np.ndarray:
    """Chance that someone alive and trapped at ``from_hours`` is still alive at
    ``to_hours``."""
    return survival(to_hours) / np.maximum(survival(from_hours), 1e-300)
