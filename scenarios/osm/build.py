"""Build a scenario's ``region`` section from an OpenStreetMap extract."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import numpy as np
import shapely
from scipy.spatial import cKDTree

from drillsim.scenarios.osm import buildings, places
from drillsim.scenarios.osm.dem import Dem
from drillsim.scenarios.osm.geo import Projection, projection_for
from drillsim.scenarios.osm.read import BBox, OsmError, RawExtract, read_extract
from drillsim.scenarios.osm.roads import Roads, build_roads, node_id
from drillsim.scenarios.schema.region import CodeLevel


@dataclass(frozen=True)
class ImportOptions:
    bbox: BBox | None = None
    zones: str = "auto"
    """``grid``, ``admin`` (administrative boundaries) or ``auto`` (admin where the extract
    has them)."""
    cell_m: float = places.GRID_CELL_M
    floor_area_m2_per_person: float = places.FLOOR_AREA_M2_PER_PERSON
    usable_share: float = 1.0
    """Share of a site's effective area (its ground net of the buildings, water and woods
    mapped on it) usable for sheltering: lower it for what the map does not show (paths,
    flower beds, monuments)."""
    population_csv: Path | None = None
    dem: Dem | None = None
    name: str = ""
    default_material: str = buildings.DEFAULT_MATERIAL
    """Structural material of buildings that do not tag ``building:material``: wood,
    masonry, concrete or steel."""
    code_level: str | None = None
    """Seismic design level of the region's buildings (Hazus: high, moderate, low, pre);
    None keeps the scenario's default."""


@dataclass
class ImportResult:
    region: dict[str, Any]
    projection: Projection
    roads: Roads
    zone_shapes: dict[str, Any]
    counts: dict[str, Any] = field(default_factory=dict)
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    options: ImportOptions = field(default_factory=ImportOptions)


def import_osm(path: Path, options: ImportOptions | None = None) -> ImportResult:
    """The region of an extract, what was counted and what was left out."""
    opts = options or ImportOptions()
    if opts.default_material not in set(buildings.MATERIALS.values()):
        raise OsmError(f"unknown building material {opts.default_material!r}: use wood, "
                       "masonry, concrete or steel")
    if opts.code_level is not None and opts.code_level not in get_args(CodeLevel):
        raise OsmError(f"unknown seismic design level {opts.code_level!r}: use "
                       + ", ".join(get_args(CodeLevel)) + " (Hazus)")
    raw = read_extract(path, opts.bbox)
    if not raw.highways:
        raise OsmError(f"{path} has no roads{' in the bounding box' if opts.bbox else ''}: "
                       "give an extract of a built-up area")
    lons = np.array([p[1] for w in raw.highways for r in w.runs for p in r])
    lats = np.array([p[2] for w in raw.highways for r in w.runs for p in r])
    proj = projection_for(lons, lats)
    roads = build_roads(raw.highways, proj)
    if not roads.links:
        raise OsmError(f"{path} has no roads cars can use: give an extract of a built-up area")
    ids = [node_id(k) for k in roads.nodes]
    xy = np.array([v[:2] for v in roads.nodes.values()])
    tree = cKDTree(xy)
    dropped = Counter(roads.dropped)
    warnings: list[str] = []
    zones, shapes = _zones(raw, proj, opts, xy, tree, ids, dropped, warnings)
    shelters = places.shelters(raw, proj, tree, ids, opts.usable_share, dropped)
    site_m2 = sum(s.pop("site_area_m2") for s in shelters)
    hospitals, stations = places.facilities(raw, proj, tree, ids)
    nodes = [{"id": node_id(k), "x": round(v[0], 1), "y": round(v[1], 1)}
             for k, v in roads.nodes.items()]
    _elevation(opts.dem, roads, nodes, zones, shapes, proj, warnings)
    for kind, items in (("shelters", shelters), ("hospitals", hospitals),
                        ("fire stations", stations)):
        if not items:
            warnings.append(f"the extract maps no {kind}")
    region: dict[str, Any] = {
        "name": opts.name or path.name.split(".")[0],
        "zones": zones,
        "roads": {"nodes": nodes, "links": roads.links, "exits": _exits(nodes)},
        "shelters": shelters, "hospitals": hospitals, "stations": stations,
        **({"code_level": opts.code_level} if opts.code_level else {})}
    types = sum((Counter(z.get("buildings", {})) for z in zones), Counter[str]())
    counts = {"zones": len(zones), "residents": sum(z["population"] for z in zones),
              "road nodes": len(nodes), "road links": len(roads.links),
              "road km": round(sum(lk["length_m"] for lk in roads.links) / 1000, 1),
              "one-way links": sum(not lk["two_way"] for lk in roads.links),
              "bridges": sum(bool(lk.get("bridge")) for lk in roads.links),
              "tunnels": len(roads.tunnels), "shelters": len(shelters),
              "shelter places": sum(s["capacity_persons"] for s in shelters),
              "shelter site m2": site_m2,
              "shelter effective m2": sum(s["floor_area_m2"] for s in shelters),
              "hospitals": len(hospitals), "fire stations": len(stations),
              "buildings": sum(types.values()), "building types": types}
    if raw.missing_nodes:
        dropped["road nodes outside the extract (ways cut at its edge)"] += raw.missing_nodes
    return ImportResult(region, proj, roads, shapes, counts, dropped, warnings, opts)


def _zones(raw: RawExtract, proj: Projection, opts: ImportOptions, xy: np.ndarray,
           tree: cKDTree, ids: list[str], dropped: Counter[str],
           warnings: list[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    homes, skipped = places.residential_buildings(raw)
    dropped.update(skipped)
    levels, assumed = places.median_levels(homes)
    if assumed:
        warnings.append(f"few buildings tag their levels: {places.DEFAULT_LEVELS:g} levels "
                        "assumed where untagged")
    named = places.admin_zones(raw, proj) if opts.zones in ("auto", "admin") else []
    if opts.zones == "admin" and not named:
        raise OsmError("the extract has no complete administrative boundaries: use grid "
                       "zones")
    if named:
        cells = [(zid, name, geom) for zid, name, geom in named]
    else:
        cells = [(zid, "", g) for zid, g in places.grid_zones(xy[:, 0], xy[:, 1], opts.cell_m)]
    geoms = [c[2] for c in cells]
    index = shapely.STRtree(geoms)
    people = np.zeros(len(cells))
    stock: list[Counter[str]] = [Counter() for _ in cells]
    untagged = 0
    for b in homes:
        c = b.geometry.centroid
        x, y = proj.xy(c.x, c.y)
        hit = index.query(shapely.Point(float(x), float(y)), predicate="intersects")
        if len(hit) == 0:
            dropped["residential buildings outside every zone"] += 1
            continue
        floor = places.floor_area_m2(b, levels)
        people[int(hit[0])] += floor / opts.floor_area_m2_per_person
        material, tagged = buildings.material_of(b.tags, opts.default_material)
        untagged += not tagged
        stock[int(hit[0])][buildings.hazus_type(
            material, places.stories(b, levels), floor)] += 1
    if untagged:
        warnings.append(f"{untagged:,} of {len(homes):,} residential buildings do not tag "
                        f"their material: taken as {opts.default_material}")
    counts = {c[0]: round(p) for c, p in zip(cells, people, strict=True)}
    if opts.population_csv is not None:
        counts = _population_table(opts.population_csv, counts)
    zones, shapes = [], {}
    for (zid, name, geom), types in zip(cells, stock, strict=True):
        if counts[zid] <= 0:
            dropped["zones without residents"] += 1
            continue
        c = geom.centroid
        node = places.nearest_nodes(tree, ids, np.array([c.x]), np.array([c.y]))[0]
        zone: dict[str, Any] = {"id": zid, **({"name": name} if name else {}),
                                "x": round(c.x, 1), "y": round(c.y, 1),
                                "population": int(counts[zid]), "node": node}
        if named:
            zone["polygon"] = places.outline(geom)
        if types:
            zone["buildings"] = dict(sorted(types.items()))
        zones.append(zone)
        shapes[zid] = geom
    if not zones:
        raise OsmError("the extract maps no residential buildings: give a population table "
                       "(--population zone,population CSV)")
    return zones, shapes


def _population_table(path: Path, counts: dict[str, int]) -> dict[str, int]:
    """Zone populations from a CSV with ``zone`` and ``population`` columns."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise OsmError(f"cannot read the population table {path}: {exc.strerror}") from None
    out = dict.fromkeys(counts, 0)
    for n, row in enumerate(rows, start=2):
        zid, pop = (row.get("zone") or "").strip(), (row.get("population") or "").strip()
        if zid not in out:
            raise OsmError(f"{path} line {n}: no zone {zid!r} in the imported region (zones "
                           "are named like " + ", ".join(list(out)[:3]) + ")")
        if not pop.isdigit():
            raise OsmError(f"{path} line {n}: population {pop!r} is not a whole number")
        out[zid] = int(pop)
    return out


def _elevation(dem: Dem | None, roads: Roads, nodes: list[dict[str, Any]],
               zones: list[dict[str, Any]], shapes: dict[str, Any], proj: Projection,
               warnings: list[str]) -> None:
    if dem is None:
        warnings.append("no DEM given: the ground is flat (elevation 0 m)")
        return
    lon = np.array([v[2] for v in roads.nodes.values()])
    lat = np.array([v[3] for v in roads.nodes.values()])
    for node, z in zip(nodes, dem.sample(lon, lat), strict=True):
        node["elevation_m"] = round(float(z), 2)
    by_id = {n["id"]: n["elevation_m"] for n in nodes}
    for zone in zones:
        zone["elevation_m"] = by_id[zone["node"]]


def _exits(nodes: list[dict[str, Any]]) -> list[str]:
    """The road nodes at the region's four extreme edges: the ways out."""
    if not nodes:
        return []
    picks = [min(nodes, key=lambda n: n["x"]), max(nodes, key=lambda n: n["x"]),
             min(nodes, key=lambda n: n["y"]), max(nodes, key=lambda n: n["y"])]
    return list(dict.fromkeys(n["id"] for n in picks))
