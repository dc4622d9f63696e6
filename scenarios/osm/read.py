"""Read an OpenStreetMap extract (``.osm`` XML or ``.osm.pbf``) into plain Python records.

One reader, pyosmium (the Python bindings of libosmium, kept by the OSM software community),
reads both formats and assembles areas (closed ways and multipolygon relations) itself, so
XML test files and PBF extracts take the same code path. Nothing here touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import osmium
import shapely.wkb
from shapely.geometry.base import BaseGeometry

BBox = tuple[float, float, float, float]
"""west, south, east, north in degrees (WGS 84)."""


class OsmError(ValueError):
    """An extract that cannot be imported, said in one sentence."""


@dataclass
class RawWay:
    """A highway way: its tags and the runs of consecutive nodes (id, lon, lat) that lie in
    the bounding box and have locations (a way cut by the extract's edge splits into runs)."""

    id: int
    tags: dict[str, str]
    runs: list[list[tuple[int, float, float]]]


@dataclass
class RawArea:
    """An area feature (building, school, park, boundary …) as a lon/lat geometry."""

    id: str
    tags: dict[str, str]
    geometry: BaseGeometry


@dataclass
class RawPoint:
    id: str
    tags: dict[str, str]
    lon: float
    lat: float


@dataclass
class RawExtract:
    highways: list[RawWay] = field(default_factory=list)
    areas: list[RawArea] = field(default_factory=list)
    points: list[RawPoint] = field(default_factory=list)
    missing_nodes: int = 0
    """Highway nodes without a location in the extract (cut off at its edge)."""


AREA_KEYS = ("building", "amenity", "leisure", "boundary", "landuse", "natural", "water",
             "healthcare")
POINT_KEYS = ("amenity", "leisure", "healthcare")


def _inside(lon: float, lat: float, bbox: BBox | None) -> bool:
    return bbox is None or (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3])


def read_extract(path: Path, bbox: BBox | None = None) -> RawExtract:
    """Every highway way, area feature and point of interest of the extract (inside
    ``bbox`` if given)."""
    if not path.is_file():
        raise OsmError(f"no such extract: {path}")
    name = path.name.lower()
    if not (name.endswith((".osm", ".osm.pbf", ".pbf", ".osm.xml", ".xml"))):
        raise OsmError(f"{path} is not an OpenStreetMap extract: give a .osm.pbf or .osm "
                       "(XML) file")
    if path.stat().st_size == 0:
        raise OsmError(f"{path} is empty: export the extract again")
    out = RawExtract()
    wkb = osmium.geom.WKBFactory()
    try:
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for obj in processor:
            if obj.is_way():
                if "highway" in obj.tags:
                    _way(obj, bbox, out)
            elif obj.is_area():
                tags = dict(obj.tags)
                if any(k in tags for k in AREA_KEYS):
                    _area(obj, tags, wkb, bbox, out)
            elif obj.is_node() and any(k in obj.tags for k in POINT_KEYS):
                loc = obj.location
                if loc.valid() and _inside(loc.lon, loc.lat, bbox):
                    out.points.append(RawPoint(f"n{obj.id}", dict(obj.tags), loc.lon, loc.lat))
    except RuntimeError as exc:
        raise OsmError(f"{path} is not a readable OpenStreetMap extract ({exc})") from None
    return out


def _way(way: osmium.osm.Way, bbox: BBox | None, out: RawExtract) -> None:
    runs: list[list[tuple[int, float, float]]] = [[]]
    for n in way.nodes:
        loc = n.location
        if not loc.valid():
            out.missing_nodes += 1
        if loc.valid() and _inside(loc.lon, loc.lat, bbox):
            runs[-1].append((n.ref, loc.lon, loc.lat))
        elif runs[-1]:
            runs.append([])
    kept = [r for r in runs if len(r) >= 2]
    if kept:
        out.highways.append(RawWay(way.id, dict(way.tags), kept))


def _area(area: osmium.osm.Area, tags: dict[str, str], wkb: osmium.geom.WKBFactory,
          bbox: BBox | None, out: RawExtract) -> None:
    try:
        geom = shapely.wkb.loads(wkb.create_multipolygon(area), hex=True)
    except RuntimeError:
        return  # an area osmium cannot assemble (broken ring): nothing to import
    if geom.is_empty:
        return
    c = geom.centroid
    if not _inside(c.x, c.y, bbox):
        return
    kind = "w" if area.from_way() else "r"
    out.areas.append(RawArea(f"{kind}{area.orig_id()}", tags, geom))
