"""Applying hazard impacts to the world: one SimPy process reads every hazard's impacts at a
fixed interval and turns each change into events (links slowed, closed or reopened,
facilities made unusable or usable again, people in danger becoming rescue incidents).

Speed factors are logged in steps of a tenth (a passable road keeps at least 0.1), so a slowly
rising flood does not flood the log.
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


RECOVERY_S = 1800.0
"""A closed link or unusable facility reopens only after this long clear of the hazard (the
water must have gone for good, not hover at a threshold)."""


def watch_impacts(model: DrillModel, every_s: float = IMPACT_EVERY_S) -> Generator[simpy.Event]:
    """The process: read impacts, apply changes, wait, repeat."""
    hazards = [h for h in model.hazards if type(h).impacts is not HazardModel.impacts]
    if not hazards:
        return
    memory = _Memory()
    k = 0
    while True:
        now = model.now
        for h in hazards:
            impacts = h.impacts(now)
            if impacts is not None:
                _apply(model, h.spec.id, impacts, memory)
        k += 1
        yield model.env.timeout(k * every_s - now)


class _Memory:
    """What the process remembers between readings: who is endangered already, and since when
    closed things have been clear."""

    def __init__(self) -> None:
        self.endangered: set[tuple[str, int]] = set()
        self.clear_since: dict[tuple[str, str, int], float] = {}

    def recovered(self, key: tuple[str, str, int], clear: bool, now: float) -> bool:
        """Whether ``key`` has been clear for :data:`RECOVERY_S` (and start counting if it
        has just become clear)."""
        if not clear:
            self.clear_since.pop(key, None)
            return False
        since = self.clear_since.setdefault(key, now)
        if now - since >= RECOVERY_S:
            del self.clear_since[key]
            return True
        return False


def _apply(model: DrillModel, cause: str, imp: Impacts, memory: _Memory) -> None:
    if imp.link_speed_factor is not None:
        raw = np.clip(imp.link_speed_factor, 0.0, 1.0)
        factor = np.where(raw > 0.0, np.maximum(np.round(raw, 1), 0.1), 0.0)
        _links(model, cause, factor, memory)
    for kind in FACILITY_KINDS:
        flags = imp.facility_unusable.get(kind)
        if flags is not None:
            _facilities(model, cause, kind, np.asarray(flags, bool), memory)
    if imp.zone_people_in_danger is not None:
        _people(model, cause, np.asarray(imp.zone_people_in_danger, bool), memory.endangered)


def _links(model: DrillModel, cause: str, factor: np.ndarray, memory: _Memory) -> None:
    """Apply new speed factors; one event per road (both directions of a two-way road change
    together, as the hazard covers the whole road)."""
    state, roads, now = model.state, model.world.roads, model.now
    closed = state.link_speed_factor == 0.0
    clear = factor > 0.0
    for i in np.flatnonzero(closed):
        if not memory.recovered(("link", cause, int(i)), bool(clear[i]), now):
            factor[i] = 0.0  # closed until it has been clear long enough
    changed = np.flatnonzero(factor != state.link_speed_factor)
    logged: set[str] = set()
    for i in changed:
        old, new = state.link_speed_factor[i], factor[i]
        state.link_speed_factor[i] = new
        state.link_open[i] = new > 0.0
        link = roads.link_ids[i]
        if link in logged:
            continue
        logged.add(link)
        if new == 0.0:
            model.emit("link.close", link, reason=cause)
        elif old == 0.0:
            model.emit("link.open", link, reason=cause)
        if new > 0.0:
            model.emit("link.slow", link, qty=float(new), reason=cause)


def _facilities(model: DrillModel, cause: str, kind: str, unusable: np.ndarray,
                memory: _Memory) -> None:
    table, flags = model.world.facilities(kind), model.state.facility_flags(kind)
    for i, fid in enumerate(table.ids):
        place = model.world.roads.ids[table.node[i]]
        closed = fid in model.state.hazard_closed
        if unusable[i] and not closed:
            model.state.hazard_closed.add(fid)
            flags[i] = False
            model.emit("facility.close", fid, place, reason=cause)
        elif closed and memory.recovered((kind, cause, i), not unusable[i], model.now):
            model.state.hazard_closed.discard(fid)
            due = kind != "shelter" or fid in model.state.due_open  # shelters open on plan
            if due and fid not in model.state.held_closed:
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
