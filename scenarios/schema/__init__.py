"""The scenario language as pydantic models (the boundary: the engine never sees these)."""

from drillsim.scenarios.schema.scenario import SECTIONS, Scenario

__all__ = ["SECTIONS", "Scenario"]
