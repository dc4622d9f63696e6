"""Compile a validated region into the engine's read-only :class:`World`: zones with their
buildings, the directed road graph with its bridges, facilities and chain sites."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from drillsim.scenarios.schema.base import as_dist
from drillsim.scenarios.schema.region import HOSPITAL_LEVELS, SITE_CLASS_VS30, Region
from drillsim.sim.hazards.quake.damage import defined_level
from drillsim.sim.world import (
    Depots,
    Hospitals,
    RoadGraph,
    Shelters,
    Sites,
    Stations,
    Terrain,
    World,
    Zones,
    frozen_array,
)

HOUSEHOLD_SIZE = 2.62
"""Average persons per household, China's 7th national census (2020)."""
LANE_CAPACITY_VEH_H = 1900.0
"""Base saturation flow rate per lane (Highway Capacity Manual), the default link capacity."""
DEFAULT_VS30_M_S = 760.0
"""The B/C site-class boundary, the usual reference site condition for ground motion."""
CLASS = {"I": 1, "II": 2, "III": 3}


def compile_world(region: Region, terrain: Terrain | None = None) -> World:
    roads = compile_roads(region)
    return World(
        terrain=terrain,
        zones=compile_zones(region, roads),
        roads=roads,
        shelters=Shelters(
            ids=tuple(s.id for s in region.shelters),
            names=tuple(s.name or s.id for s in region.shelters),
            node=_nodes(roads, [s.node for s in region.shelters]),
            shelter_class=frozen_array([CLASS[s.shelter_class] for s in region.shelters], int),
            capacity_persons=frozen_array([s.capacity for s in region.shelters], float),
            floor_area_m2=frozen_array([s.floor_area_m2 or np.nan for s in region.shelters],
                                       float),
            water_l=frozen_array([s.stocks.water_l for s in region.shelters], float),
            food_rations=frozen_array([s.stocks.food_rations for s in region.shelters], float),
            beds=frozen_array([s.stocks.beds for s in region.shelters], float),
            opening_delay_s=tuple(as_dist(s.opening_delay) for s in region.shelters),
            building=_buildings(region.shelters),
        ),
        hospitals=Hospitals(
            ids=tuple(h.id for h in region.hospitals),
            names=tuple(h.name or h.id for h in region.hospitals),
            node=_nodes(roads, [h.node for h in region.hospitals]),
            beds=frozen_array([h.beds for h in region.hospitals], float),
            occupied_share=frozen_array([h.occupied for h in region.hospitals], float),
            level=frozen_array([HOSPITAL_LEVELS.index(h.level) + 1 for h in region.hospitals],
                               int),
            building=_buildings(region.hospitals),
        ),
        depots=Depots(
            ids=tuple(d.id for d in region.depots),
            names=tuple(d.name or d.id for d in region.depots),
            node=_nodes(roads, [d.node for d in region.depots]),
            tier=frozen_array([("city", "district", "street", "community").index(d.tier)
                               for d in region.depots], int),
            water_l=frozen_array([d.stocks.water_l for d in region.depots], float),
            food_rations=frozen_array([d.stocks.food_rations for d in region.depots], float),
            beds=frozen_array([d.stocks.beds for d in region.depots], float),
            building=_buildings(region.depots),
        ),
        stations=Stations(
            ids=tuple(s.id for s in region.stations),
            names=tuple(s.name or s.id for s in region.stations),
            node=_nodes(roads, [s.node for s in region.stations]),
            building=_buildings(region.stations),
        ),
        exits=_nodes(roads, list(dict.fromkeys(region.roads.exits))),
        sites=compile_sites(region),
    )


def _building(b: Any) -> str:
    """``"TYPE/level"``; a level left at its default adapts to what Hazus defines for the
    type (as in zones)."""
    if b is None:
        return ""
    level = b.code_level if "code_level" in b.model_fields_set else defined_level(
        b.type, b.code_level)
    return f"{b.type}/{level}"


def _buildings(facilities: list[Any]) -> tuple[str, ...]:
    return tuple(_building(f.building) for f in facilities)


DAMAGE_STATE = {"moderate": 2, "extensive": 3, "complete": 4}


def compile_sites(region: Region) -> Sites:
    sites = region.sites
    fragility = [(s.fragility.median_pga_g, s.fragility.beta) if s.fragility else (np.nan, np.nan)
                 for s in sites]
    return Sites(
        ids=tuple(s.id for s in sites), names=tuple(s.name or s.id for s in sites),
        kind=tuple(s.kind for s in sites),
        x_m=frozen_array([s.x for s in sites], float), y_m=frozen_array([s.y for s in sites],
                                                                        float),
        building=tuple(_building(s.building) for s in sites),
        median_pga_g=frozen_array([f[0] for f in fragility], float),
        beta=frozen_array([f[1] for f in fragility], float),
        fails_at=frozen_array([DAMAGE_STATE[s.fails_at] for s in sites], int),
        stores=tuple(s.stores for s in sites),
    )


def _nodes(roads: RoadGraph, ids: list[str]) -> np.ndarray:
    return frozen_array([roads.index(i) for i in ids], np.int64)


def compile_roads(region: Region) -> RoadGraph:
    """Nodes and directed links (a two-way link becomes two links with the same id)."""
    nodes = region.roads.nodes
    pos = {n.id: i for i, n in enumerate(nodes)}
    x = np.array([n.x for n in nodes], float)
    y = np.array([n.y for n in nodes], float)
    rows: list[tuple[str, int, int, Any]] = []
    for link in region.roads.links:
        a, b = pos[link.from_], pos[link.to]
        rows.append((link.id, a, b, link))
        if link.two_way:
            rows.append((link.id, b, a, link))
    frm = np.array([r[1] for r in rows], np.int64)
    to = np.array([r[2] for r in rows], np.int64)
    straight = np.maximum(np.hypot(x[to] - x[frm], y[to] - y[frm]), 1.0)
    given = np.array([r[3].length_m or np.nan for r in rows], float)
    lanes = np.array([r[3].lanes for r in rows], float)
    cap = np.array([r[3].capacity_veh_h or np.nan for r in rows], float)
    return RoadGraph(
        ids=tuple(n.id for n in nodes),
        x_m=frozen_array(x), y_m=frozen_array(y),
        elevation_m=frozen_array([n.elevation_m for n in nodes], float),
        link_ids=tuple(r[0] for r in rows),
        link_from=frozen_array(frm), link_to=frozen_array(to),
        length_m=frozen_array(np.where(np.isnan(given), straight, given)),
        lanes=frozen_array(lanes),
        free_speed_m_s=frozen_array([r[3].free_speed_km_h / 3.6 for r in rows], float),
        capacity_veh_h=frozen_array(np.where(np.isnan(cap), lanes * LANE_CAPACITY_VEH_H, cap)),
        bridge=frozen_array([r[3].bridge for r in rows], bool),
        bridge_class=tuple((r[3].bridge_class or "HWB28") if r[3].bridge else ""
                           for r in rows),
        tunnel=frozen_array([r[3].tunnel for r in rows], bool),
    )


def polygon_centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid of a simple polygon (shoelace formula); the vertex mean if degenerate."""
    p = np.asarray(points, float)
    x, y = p[:, 0], p[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2.0
    if abs(area) < 1e-12:
        return float(x.mean()), float(y.mean())
    cx = ((x + x1) * cross).sum() / (6 * area)
    cy = ((y + y1) * cross).sum() / (6 * area)
    return float(cx), float(cy)


def compile_zones(region: Region, roads: RoadGraph) -> Zones:
    zones = region.zones
    xy = np.array([(z.x, z.y) if z.x is not None else polygon_centroid(z.polygon or [])
                   for z in zones], float)
    nearest = cKDTree(np.column_stack([roads.x_m, roads.y_m])).query(xy)[1]
    node = [roads.index(z.node) if z.node else int(nearest[i]) for i, z in enumerate(zones)]
    override = {row.zone: row.population for row in region.population_table}
    pop = np.array([override.get(z.id, z.population) for z in zones], float)
    households = [z.households if z.households is not None
                  else max(round(pop[i] / HOUSEHOLD_SIZE), int(pop[i] > 0))
                  for i, z in enumerate(zones)]
    vs30 = [z.vs30_m_s or SITE_CLASS_VS30.get(z.site_class or "", DEFAULT_VS30_M_S)
            for z in zones]
    levels = [z.code_level or region.code_level for z in zones]
    keyed = [{t if "/" in t else f"{t}/{defined_level(t, levels[i])}": n
              for t, n in z.buildings.items()} for i, z in enumerate(zones)]
    types = tuple(sorted({t for z in keyed for t in z}))
    buildings = np.array([[z.get(t, 0) for t in types] for z in keyed], float)
    return Zones(
        ids=tuple(z.id for z in zones), names=tuple(z.name or z.id for z in zones),
        x_m=frozen_array(xy[:, 0]), y_m=frozen_array(xy[:, 1]),
        population=frozen_array(pop), households=frozen_array(households, float),
        elderly_share=frozen_array([z.elderly_share for z in zones], float),
        disabled_share=frozen_array([z.disabled_share for z in zones], float),
        carless_share=frozen_array([z.carless_share for z in zones], float),
        elevation_m=frozen_array([z.elevation_m for z in zones], float),
        vs30_m_s=frozen_array(vs30, float), node=frozen_array(node, np.int64),
        building_types=types,
        buildings=frozen_array(buildings.reshape(len(zones), len(types))),
    )
