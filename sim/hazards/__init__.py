"""Hazard physics, behind one small protocol and a registry of hazard kinds.

A hazard model is pure physics: built from its parameters, the world and a random stream, it
exposes a field that can be sampled at (time, place) and knows nothing of agents. Kinds are
registered by name; the scenario names them.
"""

from drillsim.sim.hazards.base import (
    HAZARDS,
    HazardModel,
    HazardSpec,
    Impacts,
    NullHazard,
    UnmodelledHazard,
    build_hazard,
    register_hazard,
)
from drillsim.sim.hazards.chemical import hazard as _chemical  # noqa: F401  (registers "chemical")
from drillsim.sim.hazards.flood import hazard as _flood  # noqa: F401  (registers "flood")
from drillsim.sim.hazards.quake import hazard as _quake  # noqa: F401  (registers "earthquake")

__all__ = [
    "HAZARDS",
    "HazardModel",
    "HazardSpec",
    "Impacts",
    "NullHazard",
    "UnmodelledHazard",
    "build_hazard",
    "register_hazard",
]
