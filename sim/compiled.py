"""A scenario compiled for the engine: plain data, built once, shared by every replicate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drillsim.sim.behaviour import Behaviour
from drillsim.sim.hazards import HazardSpec
from drillsim.sim.plan import Arrivals, Decision, Inject, Plan, RandomInjects
from drillsim.sim.world import World

if TYPE_CHECKING:
    from drillsim.sim.model import DrillModel

Installer = Callable[["DrillModel"], None]
"""Puts a component's agents and processes into a new model (the layers above the engine
provide these; the engine only calls them)."""


@dataclass(frozen=True, eq=False)
class Compiled:
    """Everything a replicate needs. ``digest`` is the hash of the scenario's source files."""

    name: str
    digest: str
    duration_s: float
    world: World
    plan: Plan
    hazards: tuple[HazardSpec, ...] = ()
    injects: tuple[Inject, ...] = ()
    random_injects: RandomInjects = field(default_factory=RandomInjects)
    installers: tuple[Installer, ...] = ()
    start: str = ""
    drill_type: str = "tabletop"
    default_seed: int = 0
    notes: tuple[str, ...] = ()
    description: str = ""
    """What the scenario is about, in the author's words (for reports)."""
    decisions: tuple[Decision, ...] = ()
    """Decision points of a tabletop exercise (the replay runs each option)."""
    unscripted: bool = False
    """A double-blind drill: the players' view hides what they would not know."""
    behaviour: Behaviour = field(default_factory=Behaviour)
    """How residents behave (warning channels, decisions, movement settings)."""
    arrivals: tuple[Arrivals, ...] = ()
    """Incidents that arrive at random besides those the hazards create."""
