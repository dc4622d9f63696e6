"""Applying hazard impacts to the world: one SimPy process reads every hazard's impacts at a
fixed interval and turns each change into events (links slowed, closed or reopened,
facilities made unusable or usable again, people in danger becoming rescue incidents).

Speed factors are logged in steps of a tenth (a passable road keeps at least 0.1), so a slowly
rising flood does not flood the log.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

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
    """The process: read every hazard's impacts, combine them (the worst of each), apply the
    changes, wait, repeat."""
    hazards = [h for h in model.hazards if type(h).impacts is not HazardModel.impacts]
    if not hazards:
        return
    memory = _Memory()
    k = 0
    while True:
        now = model.now
        readings = [(h.spec.id, imp) for h in hazards if (imp := h.impacts(now)) is not None]
        if readings:
            _apply(model, _combine(model, readings), memory)
        k += 1
        yield model.env.timeout(k * every_s - now)


@dataclass
class _Combined:
    """The worst impact on each link, facility and zone, and the hazard that causes it."""

    factor: np.ndarray
    factor_cause: list[str]
    unusable: dict[str, np.ndarray]
    unusable_cause: dict[str, list[str]]
    danger: np.ndarray
    danger_cause: list[str]


def _combine(model: DrillModel, readings: list[tuple[str, Impacts]]) -> _Combined:
    n_links, n_zones = model.world.roads.n_links, len(model.world.zones)
    factor, factor_cause = np.ones(n_links), [""] * n_links
    danger, danger_cause = np.zeros(n_zones, bool), [""] * n_zones
    unusable = {k: np.zeros(len(model.world.facilities(k)), bool) for k in FACILITY_KINDS}
    unusable_cause = {k: [""] * len(v) for k, v in unusable.items()}
    for cause, imp in readings:
        if imp.link_speed_factor is not None:
            worse = np.flatnonzero(np.asarray(imp.link_speed_factor) < factor)
            factor[worse] = np.asarray(imp.link_speed_factor)[worse]
            for i in worse:
                factor_cause[i] = cause
        for kind, flags in imp.facility_unusable.items():
            for i in np.flatnonzero(np.asarray(flags, bool) & ~unusable[kind]):
                unusable[kind][i], unusable_cause[kind][i] = True, cause
        if imp.zone_people_in_danger is not None:
            for z in np.flatnonzero(np.asarray(imp.zone_people_in_danger, bool) & ~danger):
                danger[z], danger_cause[z] = True, cause
    return _Combined(factor, factor_cause, unusable, unusable_cause, danger, danger_cause)


class _Memory:
    """What the process remembers between readings: who is endangered already, what caused
    each closure, and since when closed things have been clear."""

    def __init__(self) -> None:
        self.endangered: set[int] = set()
        self.closed_by: dict[tuple[str, int], str] = {}
        self.clear_since: dict[tuple[str, int], float] = {}

    def recovered(self, key: tuple[str, int], clear: bool, now: float) -> bool:
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


def _apply(model: DrillModel, c: _Combined, memory: _Memory) -> None:
    raw = np.clip(c.factor, 0.0, 1.0)
    _links(model, np.where(raw > 0.0, np.maximum(np.round(raw, 1), 0.1), 0.0), c.factor_cause,
           memory)
    for kind in FACILITY_KINDS:
        _facilities(model, kind, c.unusable[kind], c.unusable_cause[kind], memory)
    _people(model, c.danger, c.danger_cause, memory.endangered)


def _links(model: DrillModel, factor: np.ndarray, causes: list[str], memory: _Memory) -> None:
    """Apply new speed factors; one event per road (both directions of a two-way road change
    together, as the hazard covers the whole road). A road an inject holds closed stays
    closed; the hazard's factor is still tracked underneath."""
    state, roads, now = model.state, model.world.roads, model.now
    closed = state.link_speed_factor == 0.0
    clear = factor > 0.0
    for i in np.flatnonzero(closed):
        if not memory.recovered(("link", int(i)), bool(clear[i]), now):
            factor[i] = 0.0  # closed until it has been clear long enough
    changed = np.flatnonzero(factor != state.link_speed_factor)
    old = state.link_speed_factor.copy()
    state.link_speed_factor[changed] = factor[changed]
    for i in changed.tolist():
        state.link_closed_by[i] = (causes[i] or memory.closed_by.get(("link", i), "hazard")) \
            if factor[i] == 0.0 else ""
    state.refresh_links()
    logged: set[str] = set()
    for i in changed:
        link = roads.link_ids[i]
        if link in logged or state.link_held[i]:
            continue
        logged.add(link)
        cause = causes[i] or memory.closed_by.get(("link", int(i)), "hazard")
        if factor[i] == 0.0:
            memory.closed_by[("link", int(i))] = cause
            model.emit("link.close", link, reason=cause)
        elif old[i] == 0.0:
            model.emit("link.open", link, reason=memory.closed_by.pop(("link", int(i)), cause))
        if factor[i] > 0.0:
            model.emit("link.slow", link, qty=float(factor[i]), reason=cause)


def _facilities(model: DrillModel, kind: str, unusable: np.ndarray, causes: list[str],
                memory: _Memory) -> None:
    table, flags = model.world.facilities(kind), model.state.facility_flags(kind)
    for i, fid in enumerate(table.ids):
        place = model.world.roads.ids[table.node[i]]
        closed = fid in model.state.hazard_closed
        if unusable[i] and not closed:
            model.state.hazard_closed.add(fid)
            memory.closed_by[(kind, i)] = causes[i]
            flags[i] = False
            model.emit("facility.close", fid, place, reason=causes[i])
        elif closed and memory.recovered((kind, i), not unusable[i], model.now):
            model.state.hazard_closed.discard(fid)
            cause = memory.closed_by.pop((kind, i), "hazard")
            due = kind != "shelter" or fid in model.state.due_open  # shelters open on plan
            if due and fid not in model.state.held_closed:
                flags[i] = True
                model.emit("facility.open", fid, place, reason=f"{cause} receded")


def _people(model: DrillModel, danger: np.ndarray, causes: list[str],
            endangered: set[int]) -> None:
    """People still at home in a zone in danger need rescue: one incident per zone (however
    many hazards endanger it), for as many people as are at home when the danger comes."""
    zones = model.world.zones
    for z in np.flatnonzero(danger):
        if int(z) in endangered:
            continue
        endangered.add(int(z))
        at_home = round(float(model.people_at_home[z]))
        if at_home > 0:
            model.report_incident(f"{causes[z]}:{zones.ids[z]}", "water_rescue", int(z),
                                  at_home, causes[z])
