"""Zones, residents, shelters and facilities of an extract.

Residents per zone come from residential building footprints × levels ÷ floor area per
person. Defaults (all overridable in :class:`ImportOptions`):

* floor area per person 36.5 m², the living floor area per person of city family households
  in China's 2020 census (36.52 m²; 41.76 m² over town and country too; China Population
  Census Yearbook 2020): extracts are of cities. Use the city's own figure where it is
  published (Helsinki: 34.6 m², City of Helsinki, end of 2022);
* levels: ``building:levels`` where tagged, else the median of the extract's tagged
  residential buildings, else 3 (an assumption, stated in the report);
* ``building=yes`` (use not mapped) counts as residential unless it carries a shop, office,
  amenity, tourism, craft or industrial tag or stands on land mapped for another use
  (``landuse=commercial``, ``retail``, ``industrial`` …);
* grid cells of 500 m, the service radius of an emergency shelter (GB 50413-2007).

Candidate shelters follow the plans' choice of schools, parks and stadiums: a stadium is
class I, schools, halls and sports centres class II, parks and pitches class III; the capacity
is the effective area × ``usable_share`` ÷ the planning area per person of its class
(GB 51143-2015, ``PLANNING_AREA_M2_PER_PERSON``), the effective area being the site net of
the buildings, water and woods mapped on it (:func:`effective_area_m2`). Sites under
2,000 m² are dropped (GB 21734-2008's smallest emergency shelter site).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from drillsim.scenarios.osm.geo import Projection, geodesic_area
from drillsim.scenarios.osm.read import RawArea, RawExtract
from drillsim.scenarios.schema.region import PLANNING_AREA_M2_PER_PERSON

FLOOR_AREA_M2_PER_PERSON = 36.5
DEFAULT_LEVELS = 3.0
GRID_CELL_M = 500.0
MIN_SHELTER_SITE_M2 = 2000.0
HOSPITAL_BEDS = 300
"""Beds of a hospital that does not tag them: the middle of the secondary grade (101–500
beds) of China's hospital grading standard (医院分级管理标准, 1989)."""

RESIDENTIAL = {"apartments", "residential", "house", "detached", "semidetached_house",
               "terrace", "dormitory", "bungalow", "farm", "cabin", "flats"}
NOT_RESIDENTIAL_KEYS = ("shop", "office", "amenity", "tourism", "craft", "industrial")
NOT_SHELTER_NATURAL = {"water", "wood", "wetland"}
NOT_SHELTER_LANDUSE = {"forest", "reservoir", "basin"}
OTHER_LAND = {"commercial", "retail", "industrial", "civil", "military", "railway",
              "religious", "education", "institutional", "port", "garages"}


@dataclass(frozen=True)
class ShelterKind:
    label: str
    klass: str


def shelter_kind(tags: dict[str, str]) -> ShelterKind | None:
    """The kind of candidate shelter a feature is, if any."""
    amenity, leisure, building = (tags.get(k, "") for k in ("amenity", "leisure", "building"))
    if leisure == "stadium" or building == "stadium":
        return ShelterKind("Stadium", "I")
    if amenity in ("school", "college", "university") or building == "school":
        return ShelterKind("School", "II")
    if amenity == "community_centre" or leisure == "sports_centre" or building in (
            "sports_hall", "civic"):
        return ShelterKind("Hall", "II")
    if leisure == "park":
        return ShelterKind("Park", "III")
    if leisure in ("pitch", "sports_ground", "track"):
        return ShelterKind("Sports ground", "III")
    return None


def shelter_capacity(area_m2: float, klass: str, usable_share: float = 1.0) -> int:
    """People a site houses: usable area ÷ the planning area per person of its class
    (GB 51143-2015), rounded down."""
    return math.floor(area_m2 * usable_share / PLANNING_AREA_M2_PER_PERSON[klass] + 1e-9)


def _levels(tags: dict[str, str]) -> float | None:
    try:
        value = float(tags.get("building:levels", "").split(";")[0])
    except ValueError:
        return None
    return value if value > 0 else None


def residential_buildings(raw: RawExtract) -> tuple[list[RawArea], Counter[str]]:
    """The buildings people live in, and how many buildings were left out, by reason."""
    other = [a.geometry for a in raw.areas if a.tags.get("landuse") in OTHER_LAND]
    land = shapely.union_all(other) if other else None
    out, skipped = [], Counter[str]()
    for a in raw.areas:
        use = a.tags.get("building")
        if not use or use == "no":
            continue
        unmapped_home = use == "yes" and not any(k in a.tags for k in NOT_RESIDENTIAL_KEYS) and (
            land is None or not land.contains(a.geometry.centroid))
        if use in RESIDENTIAL or unmapped_home:
            out.append(a)
        else:
            skipped["buildings not residential"] += 1
    return out, skipped


def stories(building: RawArea, default_levels: float) -> float:
    return _levels(building.tags) or default_levels


def floor_area_m2(building: RawArea, default_levels: float) -> float:
    return geodesic_area(building.geometry) * stories(building, default_levels)


def median_levels(buildings: list[RawArea]) -> tuple[float, bool]:
    """The extract's median residential levels (if ≥ 10 buildings tag them), else the
    default; and whether the default was used."""
    tagged = [v for b in buildings if (v := _levels(b.tags))]
    if len(tagged) >= 10:
        return float(np.median(tagged)), False
    return DEFAULT_LEVELS, True


def grid_zones(x: np.ndarray, y: np.ndarray, cell_m: float) -> list[tuple[str, Polygon]]:
    """Square cells of ``cell_m`` over the points' extent."""
    x0, y0 = math.floor(x.min() / cell_m) * cell_m, math.floor(y.min() / cell_m) * cell_m
    nx = max(1, math.ceil((x.max() - x0) / cell_m))
    ny = max(1, math.ceil((y.max() - y0) / cell_m))
    return [(f"G{i}_{j}", box(x0 + i * cell_m, y0 + j * cell_m, x0 + (i + 1) * cell_m,
                              y0 + (j + 1) * cell_m)) for j in range(ny) for i in range(nx)]


def admin_zones(raw: RawExtract, proj: Projection) -> list[tuple[str, str, BaseGeometry]]:
    """Polygons of the most detailed administrative level that has at least two complete
    boundaries in the extract (id, name, geometry in metres); empty when none has."""
    by_level: dict[int, list[RawArea]] = {}
    for a in raw.areas:
        if a.tags.get("boundary") == "administrative" and a.id.startswith("r"):
            try:
                by_level.setdefault(int(a.tags.get("admin_level", "")), []).append(a)
            except ValueError:
                continue
    for level in sorted(by_level, reverse=True):
        if len(by_level[level]) >= 2:
            return [(f"A{a.id[1:]}", a.tags.get("name", a.id), proj.geometry(a.geometry))
                    for a in by_level[level]]
    return []


def nearest_nodes(tree: cKDTree, ids: list[str], x: np.ndarray, y: np.ndarray) -> list[str]:
    _, k = tree.query(np.column_stack([x, y]))
    return [ids[int(i)] for i in np.atleast_1d(k)]


def outline(geom: BaseGeometry) -> list[list[float]]:
    """The exterior of the geometry's largest part, simplified to 5 m, as [x, y] points."""
    parts = getattr(geom, "geoms", [geom])
    poly = max(parts, key=lambda g: g.area).simplify(5.0)
    return [[round(px, 1), round(py, 1)] for px, py in list(poly.exterior.coords)[:-1]]


def is_obstacle(tags: dict[str, str]) -> bool:
    """Ground of a shelter site that GB 51143-2015 does not count as effective shelter area:
    buildings, water and woods."""
    return (tags.get("building", "no") != "no" or "water" in tags
            or tags.get("natural") in NOT_SHELTER_NATURAL
            or tags.get("landuse") in NOT_SHELTER_LANDUSE)


def effective_area_m2(site: RawArea, obstacles: shapely.STRtree,
                      geoms: list[BaseGeometry]) -> float:
    """The site's effective shelter area, m². A site that is itself a building (a sports
    hall, a school building) shelters indoors: its floor area, footprint × levels. An open
    site (a park, a school's grounds) counts its ground net of the buildings, water and woods
    mapped on it."""
    if site.tags.get("building", "no") != "no":
        return geodesic_area(site.geometry) * (_levels(site.tags) or 1.0)
    hits = [geoms[int(i)] for i in obstacles.query(site.geometry, predicate="intersects")]
    inside = [g for g in hits if not g.equals(site.geometry)]
    if not inside:
        return geodesic_area(site.geometry)
    return geodesic_area(shapely.difference(site.geometry, shapely.union_all(inside)))


def shelters(raw: RawExtract, proj: Projection, tree: cKDTree, ids: list[str],
             usable_share: float, dropped: Counter[str]) -> list[dict[str, Any]]:
    """Candidate shelters, largest first; a candidate inside a larger one is the same site."""
    cands = []
    for a in raw.areas:
        kind = shelter_kind(a.tags)
        if kind is not None:
            cands.append((geodesic_area(a.geometry), a, kind))
    for p in raw.points:
        if shelter_kind(p.tags) is not None:
            dropped["candidate shelters mapped as a point (no area)"] += 1
    cands.sort(key=lambda c: -c[0])
    geoms = [a.geometry for a in raw.areas if is_obstacle(a.tags)]
    obstacles = shapely.STRtree(geoms)
    taken: list[BaseGeometry] = []
    out = []
    for area, a, kind in cands:
        if any(t.contains(a.geometry.representative_point()) for t in taken):
            dropped["candidate shelters inside a larger one"] += 1
            continue
        if area < MIN_SHELTER_SITE_M2:
            dropped["candidate shelters under 2,000 m² (GB 21734-2008)"] += 1
            continue
        taken.append(a.geometry)
        effective = effective_area_m2(a, obstacles, geoms)
        if effective < 1.0:
            dropped["candidate shelters with no open ground (all buildings, water or woods)"] \
                += 1
            continue
        c = a.geometry.centroid
        x, y = proj.xy(c.x, c.y)
        cap = shelter_capacity(effective, kind.klass, usable_share)
        name = a.tags.get("name") or f"{kind.label} {a.id}"
        out.append({"id": f"S{a.id}", "name": name, "node": nearest_nodes(tree, ids, x, y)[0],
                    "class": kind.klass, "capacity_persons": cap,
                    "floor_area_m2": round(effective * usable_share),
                    "site_area_m2": round(area)})
    return out


def facilities(raw: RawExtract, proj: Projection, tree: cKDTree,
               ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Hospitals (``amenity=hospital``, or ``healthcare=hospital`` as newer mapping tags
    them) and fire stations (``amenity=fire_station``)."""
    found: list[tuple[str, dict[str, str], float, float]] = []
    for a in raw.areas:
        c = a.geometry.centroid
        found.append((a.id, a.tags, c.x, c.y))
    found += [(p.id, p.tags, p.lon, p.lat) for p in raw.points]
    hospitals, stations = [], []
    for fid, tags, lon, lat in found:
        kind = "hospital" if tags.get("healthcare") == "hospital" else tags.get("amenity")
        if kind not in ("hospital", "fire_station"):
            continue
        x, y = proj.xy(lon, lat)
        node = nearest_nodes(tree, ids, x, y)[0]
        if kind == "hospital":
            try:
                beds = int(tags.get("beds", ""))
            except ValueError:
                beds = HOSPITAL_BEDS
            level = "primary" if beds <= 100 else "secondary" if beds <= 500 else "tertiary"
            hospitals.append({"id": f"H{fid}", "name": tags.get("name", f"Hospital {fid}"),
                              "node": node, "beds": beds, "level": level})
        else:
            stations.append({"id": f"FS{fid}", "name": tags.get("name", f"Fire station {fid}"),
                             "node": node})
    return hospitals, stations
