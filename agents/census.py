"""The census of a run: where every resident is, by zone and for the region, at regular
times; the exposure accumulated since the last census; and the roads where cars queue."""

from __future__ import annotations

import numpy as np

from drillsim.agents.population import (
    AT_DOOR,
    DEAD,
    HOME,
    HOSPITAL,
    ON_WAY,
    SAFE,
    SHELTERED,
    STATUS,
    WAITING,
    Households,
)
from drillsim.sim.model import DrillModel


def take_census(model: DrillModel, table: Households, status: np.ndarray,
                exposure: dict[str, np.ndarray], tallies: dict[str, np.ndarray]) -> None:
    """Log where everyone is (``evac.census`` per zone and for the region) and the exposure
    since the last census (``evac.exposure``), then reset the exposure. ``tallies`` are the
    persons per zone taken out of their households (dead, in hospital, trapped)."""
    zones = model.world.zones
    counts = np.zeros((len(STATUS), len(zones)), np.int64)
    np.add.at(counts, (status, table.zone), table.size)
    home, on_way = counts[HOME] + counts[WAITING], counts[ON_WAY] + counts[AT_DOOR]
    dead = counts[DEAD] + tallies["dead"].astype(np.int64)
    hospital = counts[HOSPITAL] + tallies["hospital"].astype(np.int64)
    trapped = tallies["trapped"].astype(np.int64)
    total = counts.sum(axis=0) + sum(t.astype(np.int64) for t in tallies.values())
    for z, zid in enumerate(zones.ids):
        model.emit("evac.census", zid, zid, float(total[z]),
                   home=int(home[z]), on_way=int(on_way[z]),
                   sheltered=int(counts[SHELTERED, z]), safe=int(counts[SAFE, z]),
                   hospital=int(hospital[z]), dead=int(dead[z]), trapped=int(trapped[z]))
    model.emit("evac.census", "region", "", float(total.sum()),
               home=int(home.sum()), on_way=int(on_way.sum()),
               sheltered=int(counts[SHELTERED].sum()), safe=int(counts[SAFE].sum()),
               hospital=int(hospital.sum()), dead=int(dead.sum()), trapped=int(trapped.sum()))
    for where, minutes in exposure.items():
        for z in np.flatnonzero(minutes > 0).tolist():
            model.emit("evac.exposure", zones.ids[z], zones.ids[z], float(minutes[z]),
                       where=where)
        minutes[:] = 0.0


def log_queues(model: DrillModel, queued: np.ndarray, at_least: int = 5) -> None:
    """Log the roads where cars stand in a queue (congestion, e.g. at bridges), both
    directions of a road together."""
    roads = model.world.roads
    busy = np.flatnonzero(queued > 0)
    per_road: dict[str, int] = {}
    for lk in busy.tolist():
        per_road[roads.link_ids[lk]] = per_road.get(roads.link_ids[lk], 0) + int(queued[lk])
    bridge = {roads.link_ids[lk]: bool(roads.bridge[lk]) for lk in busy.tolist()}
    for road, n in sorted(per_road.items()):
        if n >= at_least:
            model.emit("traffic.queue", road, road, float(n), bridge=bridge[road])
