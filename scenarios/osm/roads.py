"""The drivable road graph of an extract: links between junctions with lengths, lanes,
speeds and capacities, restricted to its largest strongly connected component.

Defaults by road class (used where a way does not tag its own value):

* lanes per direction: 2 on motorways, trunks and primary roads, 1 elsewhere; a two-way
  way's ``lanes`` tag counts both directions (OSM wiki, Key:lanes), so each direction gets
  half, rounded up;
* free speed: ``maxspeed`` when tagged, else the middle of the design-speed band of the
  matching Chinese urban road class (CJJ 37-2012, Code for design of urban road
  engineering, §3.2, Table 3.2.1: expressway 60–100, arterial 40–60, secondary arterial
  30–50, branch 20–40 km/h);
* capacity per lane: 1,900 vehicles/h on streets, the Highway Capacity Manual's base
  saturation flow (the project's ``LANE_CAPACITY_VEH_H``); on motorways and trunk roads the
  HCM 2010 base capacity at the class's free speed, rounded down to the nearest curve the
  manual gives: motorways (100 km/h ≈ 62 mi/h) 2,300, the basic freeway segment at 60 mi/h
  (Chapter 11, Exhibit 11-3; c = 2,200 + 10 (FFS − 50), at most 2,400); trunk roads
  (80 km/h ≈ 50 mi/h) 2,000, the multilane highway at 50 mi/h (Chapter 14, Exhibit 14-4).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from drillsim.scenarios.compile_world import LANE_CAPACITY_VEH_H
from drillsim.scenarios.osm.geo import Projection, geodesic_length
from drillsim.scenarios.osm.read import RawWay

ROAD_CLASSES: dict[str, tuple[int, float, float]] = {
    # class: (lanes per direction, free speed km/h, capacity veh/h per lane)
    "motorway": (2, 100.0, 2300.0),
    "trunk": (2, 80.0, 2000.0),
    "primary": (2, 50.0, LANE_CAPACITY_VEH_H),
    "secondary": (1, 40.0, LANE_CAPACITY_VEH_H),
    "tertiary": (1, 40.0, LANE_CAPACITY_VEH_H),
    "unclassified": (1, 30.0, LANE_CAPACITY_VEH_H),
    "residential": (1, 30.0, LANE_CAPACITY_VEH_H),
    "living_street": (1, 20.0, LANE_CAPACITY_VEH_H),
    "service": (1, 20.0, LANE_CAPACITY_VEH_H),
}
"""Drivable OSM ``highway`` classes (``*_link`` ramps take their road's values)."""

NOT_FOR_CARS = {"no", "private", "agricultural", "forestry", "delivery"}
SERVICE_SKIPPED = {"parking_aisle", "driveway", "drive-through", "emergency_access"}
ONEWAY_CLASSES = {"motorway"}
"""Classes one-way unless tagged otherwise (OSM wiki, Key:oneway: motorways are implied
one-way)."""


def road_class(tags: dict[str, str]) -> str | None:
    """The drivable class of a highway way, or None when cars cannot use it."""
    hw = tags.get("highway", "").removesuffix("_link")
    if hw not in ROAD_CLASSES:
        return None
    if tags.get("access") in NOT_FOR_CARS or tags.get("motor_vehicle") in NOT_FOR_CARS:
        return None
    if hw == "service" and tags.get("service") in SERVICE_SKIPPED:
        return None
    if tags.get("area") == "yes":
        return None
    return hw


def oneway(tags: dict[str, str], klass: str) -> int:
    """+1 one-way along the way, -1 one-way against it, 0 two-way."""
    value = tags.get("oneway", "")
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value in ("no", "false", "0"):
        return 0
    implied = klass in ONEWAY_CLASSES or tags.get("junction") in ("roundabout", "circular")
    return 1 if implied else 0


def _number(text: str | None) -> float | None:
    if not text:
        return None
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph)?", text.split(";")[0])
    if not m:
        return None
    value = float(m.group(1))
    return value * 1.609344 if m.group(2) else value


def lanes_per_direction(tags: dict[str, str], klass: str, one_way: bool) -> int:
    tagged = _number(tags.get("lanes"))
    if tagged is None or tagged < 1:
        return ROAD_CLASSES[klass][0]
    n = int(tagged)
    return max(1, min(12, n if one_way else math.ceil(n / 2)))


def free_speed(tags: dict[str, str], klass: str) -> float:
    speed = _number(tags.get("maxspeed"))
    return speed if speed and speed > 0 else ROAD_CLASSES[klass][1]


def is_bridge(tags: dict[str, str]) -> bool:
    return tags.get("bridge", "no") not in ("no", "") or tags.get("man_made") == "bridge"


def is_tunnel(tags: dict[str, str]) -> bool:
    return tags.get("tunnel", "no") not in ("no", "")


@dataclass
class Roads:
    """The road network section and what was left out."""

    nodes: dict[int, tuple[float, float, float, float]] = field(default_factory=dict)
    """OSM node id → (x m, y m, lon, lat)."""
    links: list[dict[str, Any]] = field(default_factory=list)
    classes: dict[str, str] = field(default_factory=dict)
    """Link id → road class."""
    tunnels: list[str] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)


def node_id(osm_id: int) -> str:
    return f"n{osm_id}"


def build_roads(ways: list[RawWay], proj: Projection) -> Roads:
    """Links between junctions (a node shared by ways or a way's end), two-way or one-way,
    restricted to the largest strongly connected component."""
    drivable = []
    uses: Counter[int] = Counter()
    roads = Roads()
    for way in ways:
        klass = road_class(way.tags)
        if klass is None:
            roads.dropped["highway ways cars cannot use"] += 1
            continue
        drivable.append((way, klass))
        for run in way.runs:
            for k, (nid, _, _) in enumerate(run):
                uses[nid] += 2 if k in (0, len(run) - 1) else 1
    links: list[dict[str, Any]] = []
    coords: dict[int, tuple[float, float]] = {}
    for way, klass in drivable:
        direction = oneway(way.tags, klass)
        lanes = lanes_per_direction(way.tags, klass, direction != 0)
        speed = free_speed(way.tags, klass)
        cap = lanes * ROAD_CLASSES[klass][2]
        part = 0
        for run in way.runs:
            start = 0
            for k in range(1, len(run)):
                if k < len(run) - 1 and uses[run[k][0]] < 2:
                    continue
                seg = run[start:k + 1]
                start = k
                a, b = seg[0][0], seg[-1][0]
                if a == b:
                    roads.dropped["closed loops without a junction"] += 1
                    continue
                part += 1
                length = geodesic_length([p[1] for p in seg], [p[2] for p in seg])
                if direction < 0:
                    a, b = b, a
                for nid, lon, lat in (seg[0], seg[-1]):
                    coords[nid] = (lon, lat)
                link = {"id": f"w{way.id}-{part}", "from": node_id(a), "to": node_id(b),
                        "length_m": round(max(length, 0.1), 1), "lanes": lanes,
                        "free_speed_km_h": round(speed, 1), "capacity_veh_h": round(cap),
                        "two_way": direction == 0}
                if is_bridge(way.tags):
                    link["bridge"] = True
                links.append(link)
                roads.classes[link["id"]] = klass
                if is_tunnel(way.tags) and not is_bridge(way.tags):
                    link["tunnel"] = True
                    roads.tunnels.append(link["id"])
    _largest_component(links, coords, proj, roads)
    return roads


def _largest_component(links: list[dict[str, Any]], coords: dict[int, tuple[float, float]],
                       proj: Projection, roads: Roads) -> None:
    if not links:
        return
    ids = sorted(coords)
    index = {nid: k for k, nid in enumerate(ids)}
    src, dst = [], []
    for link in links:
        a, b = index[int(link["from"][1:])], index[int(link["to"][1:])]
        src.append(a)
        dst.append(b)
        if link["two_way"]:
            src.append(b)
            dst.append(a)
    n = len(ids)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="strong")
    biggest = np.bincount(labels).argmax()
    keep = {ids[k] for k in range(n) if labels[k] == biggest}
    for link in links:
        if int(link["from"][1:]) in keep and int(link["to"][1:]) in keep:
            roads.links.append(link)
        else:
            roads.dropped["links outside the largest strongly connected component"] += 1
            roads.classes.pop(link["id"], None)
    kept_tunnels = {link["id"] for link in roads.links}
    roads.tunnels = [t for t in roads.tunnels if t in kept_tunnels]
    kept = sorted(keep)
    lon = np.array([coords[k][0] for k in kept])
    lat = np.array([coords[k][1] for k in kept])
    x, y = proj.xy(lon, lat)
    roads.nodes = {k: (float(x[i]), float(y[i]), float(lon[i]), float(lat[i]))
                   for i, k in enumerate(kept)}
