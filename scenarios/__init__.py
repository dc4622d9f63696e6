"""The scenario language: YAML files with precise, located errors; JSON Schema; the compiler
that turns a scenario into the engine's arrays; bundled examples and a synthetic-city
generator."""

from drillsim.scenarios.loader import Checked, check, load
from drillsim.scenarios.problems import Location, Problem, ScenarioError

__all__ = ["Checked", "Location", "Problem", "ScenarioError", "check", "load"]
