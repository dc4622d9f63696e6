"""A compact map of a run's region and hazards (``map.npz``), and what the event log says about
the map at a given time.

The after-action report and the tabletop replay draw the region (zones, roads, facilities) and
each hazard's extent at times the user picks, long after the run. Keeping the scenario file
and re-running the simulation for that would be slow and fragile (the scenario may have
changed since), so every run writes this snapshot: the world as points and segments, and each
hazard's field sampled on a coarse regular grid at regular times. The changing parts that the
log records (closed roads, shelter occupancy, people at home) are read from the log, never
stored twice.

The file is an ``.npz`` without pickles: numeric arrays as they are, and every string (ids,
names, kinds) and small piece of metadata in one JSON text, so it loads anywhere numpy does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from drillsim.analysis.evacuation import residents, shelter_occupancy_by_shelter
from drillsim.analysis.logframe import LogFrame
from drillsim.sim.hazards.base import HazardModel
from drillsim.sim.world import FACILITY_KINDS, World

FORMAT = "drillsim.map/1"
"""What the JSON text of a ``map.npz`` calls its format (a reader checks it)."""

FLOAT16_MAX = float(np.finfo(np.float16).max)
"""Grid values above this (a concentration at a release's source) are stored as this."""


@dataclass(eq=False)
class HazardFrames:
    """One hazard's field at ``times_s`` (T,): at each zone's centre exactly (``zone_values``,
    T × Z, float32) and on a regular grid over ``grid_extent`` (x0, x1, y0, y1, m) for
    drawing (``grid``, T × ny × nx, float16, row 0 the southernmost; NaN allowed).
    ``levels``: the values at which people notice the hazard and are harmed by it, if the
    hazard defines them."""

    id: str
    kind: str
    measure: str
    times_s: np.ndarray
    zone_values: np.ndarray
    grid_extent: tuple[float, float, float, float]
    grid: np.ndarray
    levels: tuple[float, ...] | None = None

    def frame_at(self, t_s: float) -> int:
        """The frame nearest ``t_s``."""
        return int(np.argmin(np.abs(self.times_s - t_s)))


@dataclass(eq=False)
class MapData:
    """The region of a run as plain arrays (positions in metres). Roads are the directed
    links of the road graph, so a two-way road is two links with the same id (closures are
    logged per road id). Facilities of every kind are listed together, shelters first (in
    :data:`~drillsim.sim.world.FACILITY_KINDS` order), at the road node each stands at;
    ``fac_capacity`` is persons for shelters, beds for hospitals, 0 for the others."""

    bounds: tuple[float, float, float, float]
    zone_ids: np.ndarray
    zone_names: np.ndarray
    zone_x: np.ndarray
    zone_y: np.ndarray
    zone_pop: np.ndarray
    link_ids: np.ndarray
    link_x: np.ndarray
    link_y: np.ndarray
    bridge: np.ndarray
    fac_kind: np.ndarray
    fac_ids: np.ndarray
    fac_names: np.ndarray
    fac_x: np.ndarray
    fac_y: np.ndarray
    fac_capacity: np.ndarray
    hazards: list[HazardFrames]
    node_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, str))
    """Road nodes, where teams drive to (an older map has none)."""
    node_x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    node_y: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def hazard(self, hazard_id: str) -> HazardFrames:
        """The frames of hazard ``hazard_id`` (KeyError names it)."""
        for h in self.hazards:
            if h.id == hazard_id:
                return h
        raise KeyError(hazard_id)


# -- building -----------------------------------------------------------------------------------

def map_data(world: World, hazards: list[HazardModel], duration_s: float,
             every_s: float = 900.0, grid_cells: int = 96, max_frames: int = 97) -> MapData:
    """The map of ``world`` with the fields of ``hazards`` (a run's realised hazards) from 0 to
    ``duration_s``. Hazards without physics, the "none" kind and chained hazards that never
    began (their start is infinite) are left out: they have no field to draw."""
    r = world.roads
    fac = _facilities(world)
    bounds = _bounds(world, fac["x"], fac["y"])
    zx, zy = np.asarray(world.zones.x_m, float), np.asarray(world.zones.y_m, float)
    times = frame_times(duration_s, every_s, max_frames)
    drawn = [h for h in hazards if h.modelled and h.kind != "none"
             and math.isfinite(h.spec.start_s)]
    return MapData(
        bounds=bounds, zone_ids=_text(world.zones.ids), zone_names=_text(world.zones.names),
        zone_x=zx, zone_y=zy, zone_pop=np.asarray(world.zones.population, float),
        link_ids=_text(r.link_ids),
        link_x=np.column_stack([r.x_m[r.link_from], r.x_m[r.link_to]]).astype(float),
        link_y=np.column_stack([r.y_m[r.link_from], r.y_m[r.link_to]]).astype(float),
        bridge=np.asarray(r.bridge, bool), fac_kind=fac["kind"], fac_ids=fac["ids"],
        fac_names=fac["names"], fac_x=fac["x"], fac_y=fac["y"], fac_capacity=fac["capacity"],
        hazards=[hazard_frames(h, times, zx, zy, bounds, grid_cells) for h in drawn],
        node_ids=_text(r.ids), node_x=np.asarray(r.x_m, float), node_y=np.asarray(r.y_m, float))


def frame_times(duration_s: float, every_s: float, max_frames: int) -> np.ndarray:
    """0, ``every_s``, 2 ``every_s`` … and ``duration_s`` itself; the step is a whole multiple
    of ``every_s`` (so frames fall on round clock times), as small as keeps the count at most
    ``max_frames``."""
    if every_s <= 0 or max_frames < 2:
        raise ValueError("frames need every_s > 0 and max_frames >= 2")
    if duration_s <= 0:
        return np.zeros(1)
    step = every_s * max(1, math.ceil(duration_s / (every_s * (max_frames - 1)) - 1e-9))
    times = np.arange(0.0, duration_s, step)
    return np.append(times[times < duration_s - 1e-6], float(duration_s))


def hazard_frames(hazard: HazardModel, times_s: np.ndarray, zone_x: np.ndarray,
                  zone_y: np.ndarray, extent: tuple[float, float, float, float],
                  grid_cells: int) -> HazardFrames:
    """Sample ``hazard`` at ``times_s``: one call per frame on the grid and the zone centres
    together (a hazard samples points independently, so zones get exactly their values)."""
    gx, gy = grid_points(extent, grid_cells)
    xs, ys = np.concatenate([gx.ravel(), zone_x]), np.concatenate([gy.ravel(), zone_y])
    values = np.stack([np.asarray(hazard.sample(float(t), xs, ys), float) for t in times_s]) \
        if len(times_s) else np.zeros((0, len(xs)))
    n = gx.size
    grid = np.clip(values[:, :n], -FLOAT16_MAX, FLOAT16_MAX).astype(np.float16)
    levels = hazard.felt_levels()
    return HazardFrames(
        id=hazard.spec.id, kind=hazard.kind, measure=hazard.measure,
        times_s=np.asarray(times_s, float), zone_values=values[:, n:].astype(np.float32),
        grid_extent=extent, grid=grid.reshape(len(times_s), *gx.shape),
        levels=None if levels is None else tuple(float(v) for v in levels))


def grid_points(extent: tuple[float, float, float, float], cells: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Centres of a regular grid over ``extent`` with ``cells`` cells along its longer side
    and near-square cells (ny × nx arrays, row 0 the southernmost)."""
    x0, x1, y0, y1 = extent
    size = max(x1 - x0, y1 - y0) / max(int(cells), 1)
    nx, ny = max(1, round((x1 - x0) / size)), max(1, round((y1 - y0) / size))
    x = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
    y = y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny
    return np.meshgrid(x, y)


def _text(values: Any) -> np.ndarray:
    return np.asarray(list(values), dtype=str)


def _facilities(world: World) -> dict[str, np.ndarray]:
    """Every facility in one table, positioned at its road node."""
    r = world.roads
    capacity = {"shelter": world.shelters.capacity_persons, "hospital": world.hospitals.beds}
    parts = [(kind, t := world.facilities(kind),
              np.asarray(capacity.get(kind, np.zeros(len(t))), float))
             for kind in FACILITY_KINDS]
    node = np.concatenate([np.asarray(t.node, np.int64) for _, t, _ in parts])
    return {"kind": _text(k for kind, t, _ in parts for k in [kind] * len(t)),
            "ids": _text(i for _, t, _ in parts for i in t.ids),
            "names": _text(n for _, t, _ in parts for n in t.names),
            "x": np.asarray(r.x_m, float)[node], "y": np.asarray(r.y_m, float)[node],
            "capacity": np.concatenate([np.zeros(0), *(c for _, _, c in parts)])}


def _bounds(world: World, fac_x: np.ndarray, fac_y: np.ndarray
            ) -> tuple[float, float, float, float]:
    """Zones, road nodes, facilities and the terrain, with a margin of 4 % (at least 50 m)."""
    xs = [world.zones.x_m, world.roads.x_m, fac_x]
    ys = [world.zones.y_m, world.roads.y_m, fac_y]
    if (t := world.terrain) is not None:
        rows, cols = t.shape
        xs.append([t.x0_m, t.x0_m + cols * t.cell_m])
        ys.append([t.y0_m, t.y0_m + rows * t.cell_m])
    x = np.concatenate([np.asarray(v, float).ravel() for v in xs])
    y = np.concatenate([np.asarray(v, float).ravel() for v in ys])
    if not len(x):
        x = y = np.zeros(1)
    margin = max(50.0, 0.04 * max(np.ptp(x), np.ptp(y)))
    return (float(x.min() - margin), float(x.max() + margin), float(y.min() - margin),
            float(y.max() + margin))


# -- the file -----------------------------------------------------------------------------------

_ARRAYS = ("zone_x", "zone_y", "zone_pop", "link_x", "link_y", "bridge", "fac_x", "fac_y",
           "fac_capacity", "node_x", "node_y")
_TEXTS = ("zone_ids", "zone_names", "link_ids", "fac_kind", "fac_ids", "fac_names", "node_ids")
_HAZARD_ARRAYS = ("times_s", "zone_values", "grid")


def write_map(md: MapData, path: Path) -> Path:
    """Write ``md`` to ``path`` (compressed ``.npz``, no pickles)."""
    meta = {"format": FORMAT, "bounds": list(md.bounds),
            **{k: getattr(md, k).tolist() for k in _TEXTS},
            "hazards": [{"id": h.id, "kind": h.kind, "measure": h.measure,
                         "grid_extent": list(h.grid_extent),
                         "levels": None if h.levels is None else list(h.levels)}
                        for h in md.hazards]}
    arrays = {k: getattr(md, k) for k in _ARRAYS}
    for i, h in enumerate(md.hazards):
        arrays.update({f"hazard{i}_{k}": getattr(h, k) for k in _HAZARD_ARRAYS})
    with open(path, "wb") as f:  # a file object: savez would append ".npz" to other names
        np.savez_compressed(f, meta=np.asarray(json.dumps(meta, allow_nan=False)), **arrays)
    return path


def read_map(path: Path) -> MapData:
    """A map written by :func:`write_map`."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path} is not a drillsim map ({meta.get('format')!r})")
        arrays = {k: z[k] for k in _ARRAYS if k in z}
        hazards = [HazardFrames(
            id=h["id"], kind=h["kind"], measure=h["measure"],
            grid_extent=_four(h["grid_extent"]),
            levels=None if h["levels"] is None else tuple(h["levels"]),
            **{k: z[f"hazard{i}_{k}"] for k in _HAZARD_ARRAYS})
            for i, h in enumerate(meta["hazards"])]
    return MapData(bounds=_four(meta["bounds"]),
                   **{k: _text(meta[k]) for k in _TEXTS if k in meta}, **arrays,
                   hazards=hazards)


def _four(values: list[float]) -> tuple[float, float, float, float]:
    a, b, c, d = (float(v) for v in values)
    return a, b, c, d


# -- what the log says at a time ----------------------------------------------------------------

def _last_per_actor(lf: LogFrame, kinds: tuple[str, ...], t_s: float) -> np.ndarray:
    """Of the events of ``kinds`` up to ``t_s``, the last row of each actor."""
    rows = np.sort(np.concatenate([np.zeros(0, np.int64), *(lf.where(k) for k in kinds)]))
    rows = rows[lf.t_s[rows] <= t_s]
    if not len(rows):
        return rows
    _, last = np.unique(lf.actor[rows][::-1], return_index=True)
    return rows[::-1][last]


def closed_links_at(lf: LogFrame, md: MapData, t_s: float) -> np.ndarray:
    """Per directed link, whether its road was closed at ``t_s``: its last ``link.close`` or
    ``link.open`` by then (whose actor is the road id, for both directions) was a close."""
    last = _last_per_actor(lf, ("link.close", "link.open"), t_s)
    closed = lf.actor[last][lf.kind[last] == "link.close"]
    return np.isin(md.link_ids, closed.astype(str))


def facilities_open_at(lf: LogFrame, md: MapData, t_s: float) -> np.ndarray:
    """Per facility, whether it was open at ``t_s``: its last ``facility.open`` or
    ``facility.close`` by then, else its state in ``facility.init``."""
    init = lf.where("facility.init")
    was = dict(zip(lf.actor[init], lf.column("open")[init], strict=True))
    last = _last_per_actor(lf, ("facility.open", "facility.close"), t_s)
    was.update(zip(lf.actor[last], lf.kind[last] == "facility.open", strict=True))
    return np.array([bool(was.get(f, True)) for f in md.fac_ids], dtype=bool)


def shelter_load_at(lf: LogFrame, md: MapData, t_s: float) -> np.ndarray:
    """Per facility, the persons a shelter had admitted by ``t_s`` (no event says anyone
    leaves a shelter, so this never falls); NaN for facilities that are not shelters."""
    admitted = shelter_occupancy_by_shelter(lf, np.array([float(t_s)]))
    load = np.array([float(admitted[f][0]) if f in admitted else 0.0 for f in md.fac_ids])
    return np.where(md.fac_kind == "shelter", load, np.nan)


def people_home_at(lf: LogFrame, md: MapData, t_s: float) -> np.ndarray | None:
    """Per zone, residents at home (or waiting for transport) at ``t_s``, from the zone's last
    ``evac.census`` by then (before its first census: its residents at the start); None if the
    log has no census (a run without an evacuation model says nothing about it)."""
    census = lf.where("evac.census")
    if not len(census):
        return None
    start = residents(lf)
    home = np.array([start.get(z, np.nan) for z in md.zone_ids], float)
    last = _last_per_actor(lf, ("evac.census",), t_s)
    at = dict(zip(lf.actor[last], lf.column("home")[last], strict=True))
    pos = {z: i for i, z in enumerate(md.zone_ids.tolist())}
    for zone, value in at.items():
        if zone in pos:
            home[pos[zone]] = float(value)
    return home
