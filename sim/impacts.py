"""Applying hazard impacts to the world: one SimPy process reads every hazard's impacts at a
fixed interval and turns each change into events (links slowed, closed or reopened,
facilities made unusable or usable again, people in danger becoming rescue incidents).

Speed factors are logged in steps of a tenth, so a slowly rising flood does not flood the log.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from drillsim.sim.hazards import HazardModel, Impacts
from drillsim.sim.model import DrillModel
from drillsim.sim.world import FACILITY_KINDS

IMPACT_EVERY_S = 60.0
"""How often hazard impacts are read (simulated seconds)."""


def watch_impacts(model: DrillModel, every_s: float = IMPACT_EVERY_S) -> Generator[simpy.Event]:
    """The process: read impacts, apply changes, wait, repeat."""
    hazards = [h for h in model.hazards if type(h).impacts is not HazardModel.impacts]
    if not hazards:
        return
    endangered: set[tuple[str, int]] = set()
    k = 0
    while True:
        now = model.now
        for h in hazards:
            impacts = h.impacts(now)
            if impacts is not None:
                _apply(model, h.spec.id, impacts, endangered)
        k += 1
        yield model.env.timeout(k * every_s - now)


def _apply(model: DrillModel, cause: str, imp: Impacts,
           endangered: set[tuple[str, int]]) -> None:
    if imp.link_speed_factor is not None:
        _links(model, cause, np.round(np.clip(imp.link_speed_factor, 0.0, 1.0), 1))
    for kind in FACILITY_KINDS:
        flags = imp.facility_unusable.get(kind)
        if flags is not None:
            _facilities(model, cause, kind, np.asarray(flags, bool))
    if imp.zone_people_in_danger is not None:
        _people(model, cause, np.asarray(imp.zone_people_in_danger, bool), endangered)


def _links(model: DrillModel, cause: str, factor: np.ndarray) -> None:
    state, roads = model.state, model.world.roads
    changed = np.flatnonzero(factor != state.link_speed_factor)
    for i in changed:
        old, new = state.link_speed_factor[i], factor[i]
        state.link_speed_factor[i] = new
        if new == 0.0:
            state.link_open[i] = False
            model.emit("link.close", roads.link_ids[i], reason=cause)
        elif old == 0.0:
            state.link_open[i] = True
            model.emit("link.open", roads.link_ids[i], reason=cause)
        if new > 0.0:
            model.emit("link.slow", roads.link_ids[i], qty=float(new), reason=cause)


def _facilities(model: DrillModel, cause: str, kind: str, unusable: np.ndarray) -> None:
    table, flags = model.world.facilities(kind), model.state.facility_flags(kind)
    for i, fid in enumerate(table.ids):
        place = model.world.roads.ids[table.node[i]]
        if unusable[i] and fid not in model.state.hazard_closed:
            model.state.hazard_closed.add(fid)
            flags[i] = False
            model.emit("facility.close", fid, place, reason=cause)
        elif not unusable[i] and fid in model.state.hazard_closed:
            model.state.hazard_closed.discard(fid)
            if kind != "shelter" and fid not in model.state.held_closed:
                flags[i] = True
                model.emit("facility.open", fid, place, reason=f"{cause} receded")


def _people(model: DrillModel, cause: str, danger: np.ndarray,
            endangered: set[tuple[str, int]]) -> None:
    zones = model.world.zones
    for z in np.flatnonzero(danger):
        if (cause, int(z)) in endangered:
            continue
        endangered.add((cause, int(z)))
        model.emit("incident.create", f"{cause}:{zones.ids[z]}", zones.ids[z],
                   float(zones.population[z]), type="water_rescue", cause=cause)
