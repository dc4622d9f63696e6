"""The scenario language: YAML files with precise, located errors; JSON Schema; the compiler
that turns a scenario into the engine's arrays; bundled examples and a synthetic-city
generator.

``check``, ``load`` and ``Checked`` are imported on first use, so that light commands (help,
listing examples) do not pay for the numerical stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drillsim.scenarios.problems import Location, Problem, ScenarioError

if TYPE_CHECKING:
    from drillsim.scenarios.loader import Checked, check, load

__all__ = ["Checked", "Location", "Problem", "ScenarioError", "check", "load"]


def __getattr__(name: str) -> Any:
    if name in ("Checked", "check", "load"):
        from drillsim.scenarios import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
