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
from drillsim.sim.plan import Inject
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
        self.inject_schedule = inject_schedule(compiled, streams("injects"))
        """(time, order, inject, drawn at random) for every inject of this run, in firing
        order: scripted ones and those drawn from the pool of an unscripted drill. It is
        drawn before the hazards are built, since an inject can start a hazard or an
        aftershock."""
        self.hazards: list[HazardModel] = build_hazards(
            compiled.hazards, compiled.world, compiled.duration_s, streams,
            [(t, inj.id, inj.action, dict(inj.params)) for t, _, inj, _ in self.inject_schedule])

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


def inject_schedule(compiled: Compiled, rng: np.random.Generator
                    ) -> list[tuple[float, int, Inject, bool]]:
    """The run's injects as (time, order, inject, random): the scripted ones, and for an
    unscripted drill ``count`` drawn without replacement from the pool, each at a uniform
    time in the window, all drawn from ``rng`` (the run's ``injects`` stream)."""
    schedule = [(inj.at_s, k, inj, False) for k, inj in enumerate(compiled.injects)]
    spec = compiled.random_injects
    n = min(spec.count, len(spec.pool))
    if n > 0:
        picks = rng.choice(len(spec.pool), size=n, replace=False)
        times = rng.uniform(spec.window_s[0], spec.window_s[1], size=n)
        schedule += [(float(t), len(schedule) + k, spec.pool[int(p)], True)
                     for k, (t, p) in enumerate(zip(times, picks, strict=True))]
    schedule.sort(key=lambda item: (item[0], item[1]))
    return schedule


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("drillsim", "numpy", "simpy", "mesa"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "unknown"
    return out
