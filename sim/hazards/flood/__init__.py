"""Flood inundation physics: a 2D local-inertial solver and a quick level-pool model.

:func:`simulate` runs the local-inertial shallow-water scheme of Bates, Horritt & Fewtrell
(2010) on a gridded terrain; :func:`level_pool` and :func:`level_pool_series` give the
"bathtub" answer (every cell below the water level and connected to a seed is flooded).
"""

from drillsim.sim.hazards.flood.bathtub import level_pool, level_pool_series
from drillsim.sim.hazards.flood.inertial import simulate
from drillsim.sim.hazards.flood.types import ElevationChange, FixedLevel, FloodResult, Inflow

__all__ = [
    "ElevationChange",
    "FixedLevel",
    "FloodResult",
    "Inflow",
    "level_pool",
    "level_pool_series",
    "simulate",
]
