"""The model of one run: one SimPy environment (the only clock), one Mesa model (the agents and
their random streams), the world state and the event log."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from drillsim.sim.compiled import Compiled
from drillsim.sim.events import EventLog
from drillsim.sim.hazards import HazardModel
from drillsim.sim.hazards.chains import build_hazards
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.state import WorldState, counter_value
from drillsim.sim.streams import Streams, as_seed_sequence


def seed_manifest(seed: int | np.random.SeedSequence) -> dict[str, Any]:
    """How to recreate a seed: its root entropy and spawn key."""
    ss = as_seed_sequence(seed)
    return {"entropy": int(ss.entropy), "spawn_key": [int(k) for k in ss.spawn_key]}


class DrillModel(mesa.Model):
    """One replicate of a compiled scenario. Agents are added by the compiled scenario's
    installers; SimPy processes drive them."""

    def __init__(self, compiled: Compiled, seed: int | np.random.SeedSequence) -> None:
        streams = Streams(seed)
        super().__init__(rng=streams("mesa"))
        self.streams = streams
        self.compiled = compiled
        self.world = compiled.world
        self.env = simpy.Environment()
        self.state = WorldState(compiled.world)
        self.log = EventLog({
            "scenario": compiled.name,
            "scenario_digest": compiled.digest,
            "seed": seed_manifest(seed),
            "duration_s": compiled.duration_s,
            "start": compiled.start,
            "versions": _versions(),
        })
        self.people_at_home: np.ndarray = np.asarray(compiled.world.zones.population, float)
        """Persons at home in each zone (the residents model keeps it current)."""
        self.incident_handler: Callable[[str, str, int, int, str], None] | None = None
        """Where the hazards' incidents go (the agents' dispatch, if installed):
        ``(id, type, zone, persons, cause)``; without one they are only logged."""
        self.hazards: list[HazardModel] = build_hazards(
            compiled.hazards, compiled.world, compiled.duration_s, streams)

    @property
    def now(self) -> float:
        return float(self.env.now)

    def emit(self, kind: str, actor: str = "", place: str = "", qty: float = math.nan,
             **data: Any) -> None:
        """Append an event at the current simulation time."""
        self.log.emit(self.now, kind, actor, place, qty, **data)

    def report_incident(self, incident_id: str, type_name: str, zone: int, persons: int,
                        cause: str) -> None:
        """An incident a hazard created: handed to the dispatch if there is one."""
        if self.incident_handler is not None:
            self.incident_handler(incident_id, type_name, zone, persons, cause)
        else:
            self.emit("incident.create", incident_id, self.world.zones.ids[zone],
                      float(persons), type=type_name, cause=cause)

    def counter(self, name: str) -> float:
        """The current value of a state counter (see :data:`drillsim.sim.state.COUNTERS`)."""
        return counter_value(self.log.counters, name)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("drillsim", "numpy", "simpy", "mesa"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "unknown"
    return out
