"""The flood of a scenario: the inundation model run on the region's terrain, read at any
(time, place), and its impacts on roads, facilities and people.

The flood is computed once per replicate when the run starts (its uncertain parameters —
roughness, peak discharge, breach time and width — drawn from the hazard's own random
stream) and then read by interpolation between stored frames. Identical parameters give the
identical flood, so a replicate with nothing uncertain reuses it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from drillsim.sim.distributions import Dist
from drillsim.sim.hazards.base import HazardModel, HazardSpec, Impacts, register_hazard
from drillsim.sim.hazards.flood import impact_rules as rules
from drillsim.sim.hazards.flood.bathtub import level_pool_series
from drillsim.sim.hazards.flood.equations import output_times_s
from drillsim.sim.hazards.flood.inertial import simulate
from drillsim.sim.hazards.flood.types import FloodResult
from drillsim.sim.world import FACILITY_KINDS, Terrain, World


@dataclass(frozen=True)
class Realised:
    """The flood's parameters for one replicate (uncertain ones drawn)."""

    manning_n: float
    peak_factor: float
    breach_at_s: float | None
    breach_width_m: float | None


def realise(params: Mapping[str, Any], rng: np.random.Generator) -> Realised:
    """Draw the uncertain parameters, each from ``rng`` in a fixed order."""
    breach = params.get("breach")
    return Realised(
        manning_n=Dist.of(params["manning_n"]).sample(rng),  # type: ignore[arg-type]
        peak_factor=Dist.of(params["peak_factor"]).sample(rng),  # type: ignore[arg-type]
        breach_at_s=None if breach is None else Dist.of(breach["at"]).sample(rng),  # type: ignore[arg-type]
        breach_width_m=None if breach is None else Dist.of(breach["width_m"]).sample(rng),  # type: ignore[arg-type]
    )


def solver_cells(terrain: Terrain, cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Terrain cells (row 0 south) as the solver's (row 0 north)."""
    rows = terrain.shape[0]
    return [(rows - 1 - r, c) for r, c in cells]


def breach_change(terrain: Terrain, breach: Mapping[str, Any], at_s: float, width_m: float
                  ) -> tuple[float, list[tuple[int, int]], np.ndarray]:
    """The breach as an elevation change: cells within ``width_m``/2 of the location drop to
    ``invert_m`` or, by default, to the median ground in the ring out to twice the width."""
    loc = breach["location"]
    cells = terrain.cells_within(loc["x"], loc["y"], max(width_m / 2, terrain.cell_m / 2))
    current = np.array([terrain.elevation_m[r, c] for r, c in cells])
    invert = breach.get("invert_m")
    if invert is None:
        radius = max(2 * width_m, 2 * terrain.cell_m)
        ring = set(terrain.cells_within(loc["x"], loc["y"], radius)) - set(cells)
        ground = [terrain.elevation_m[r, c] for r, c in ring]
        invert = float(np.median(ground)) if ground else float(current.min())
    return at_s, solver_cells(terrain, cells), np.minimum(current, invert)


def run_flood(terrain: Terrain, params: Mapping[str, Any], r: Realised) -> FloodResult:
    """Run the scenario's chosen model for the hazard's whole horizon."""
    north_first = np.ascontiguousarray(terrain.elevation_m[::-1])
    horizon = float(params["horizon_s"])
    every = float(params["output_every"])
    inflow_at = params.get("inflow")
    source = [] if inflow_at is None else solver_cells(terrain, terrain.cells_within(
        inflow_at["x"], inflow_at["y"], max(30.0, terrain.cell_m)))
    if params["model"] == "bathtub":
        levels = params["river_levels"]
        return level_pool_series(north_first, [p["at"] for p in levels],
                                 [p["level_m"] for p in levels], source,
                                 output_times_s(horizon, every), cell_size_m=terrain.cell_m)
    hydro = params.get("hydrograph") or ()
    inflows = [(source, [p["at"] for p in hydro],
                [p["discharge_m3_s"] * r.peak_factor for p in hydro])] if hydro else []
    changes = []
    if params.get("breach") is not None:
        changes.append(breach_change(terrain, params["breach"], r.breach_at_s,  # type: ignore[arg-type]
                                     r.breach_width_m))  # type: ignore[arg-type]
    rain = float(params.get("rain_mm_h", 0.0)) / 1000.0 / 3600.0
    return simulate(north_first, terrain.cell_m, r.manning_n, horizon, inflows=inflows,
                    rain_m_s=rain or None, output_every_s=every,
                    open_boundary=tuple(params.get("open_edges", ())),
                    elevation_changes=changes)


_FLOODS: dict[Any, FloodResult] = {}
"""A memo of :func:`run_flood`, a pure function of (terrain, parameters): replicates (and
scenarios loaded again) whose floods are identical compute it once. Least recently used
first out, bounded by :data:`MEMO_BYTES`; results are read-only."""
MEMO_BYTES = 512 * 2**20


def cached_flood(terrain: Terrain, params: Mapping[str, Any], r: Realised) -> FloodResult:
    """:func:`run_flood`, remembered by the terrain's content and the parameters."""
    grid = hashlib.sha256(terrain.elevation_m.tobytes()).hexdigest()
    key = (grid, terrain.shape, terrain.x0_m, terrain.y0_m, terrain.cell_m,
           _hashable(params), r)
    if key in _FLOODS:
        _FLOODS[key] = _FLOODS.pop(key)  # most recently used last
        return _FLOODS[key]
    result = run_flood(terrain, params, r)
    for field in (result.depth_m, result.speed_m_s):
        field.flags.writeable = False
    _FLOODS[key] = result
    while len(_FLOODS) > 1 and sum(_nbytes(f) for f in _FLOODS.values()) > MEMO_BYTES:
        _FLOODS.pop(next(iter(_FLOODS)))
    return result


def _nbytes(r: FloodResult) -> int:
    return int(r.depth_m.nbytes + r.speed_m_s.nbytes)


@dataclass(frozen=True)
class Probes:
    """Where the flood is read for impacts: terrain cells of link ends and midpoints, bridge
    decks, facility access nodes and zone centroids."""

    link_cells: np.ndarray  # [links, 3] flat cell index: from node, midpoint, to node
    bridge: np.ndarray  # [links] bool
    tunnel: np.ndarray  # [links] bool: read at the portals only
    deck_m: np.ndarray  # [links] deck elevation (bridges)
    facility_cells: dict[str, np.ndarray]
    zone_cells: np.ndarray
    """Flat indices are in the solver's orientation (row 0 north), -1 outside the terrain."""


def solver_flat(terrain: Terrain, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    """Flat cell indices of points in the solver's grid (row 0 north); -1 for points outside
    the terrain (no water there)."""
    rows, cols = terrain.shape
    r, c = terrain.cell_of(x_m, y_m)
    return np.where(terrain.contains(x_m, y_m), (rows - 1 - r) * cols + c, -1)


def probes(world: World, terrain: Terrain, clearance_m: float) -> Probes:
    roads = world.roads

    def flat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return solver_flat(terrain, x, y)

    ax, ay = roads.x_m[roads.link_from], roads.y_m[roads.link_from]
    bx, by = roads.x_m[roads.link_to], roads.y_m[roads.link_to]
    cells = np.stack([flat(ax, ay), flat((ax + bx) / 2, (ay + by) / 2), flat(bx, by)], axis=1)
    ground = np.append(terrain.elevation_m[::-1].ravel(), np.inf)  # [-1]: outside
    deck = np.maximum(ground[cells[:, 0]], ground[cells[:, 2]]) + clearance_m
    fac = {k: flat(roads.x_m[t.node], roads.y_m[t.node])
           for k in FACILITY_KINDS if len(t := world.facilities(k))}
    return Probes(cells, np.asarray(roads.bridge, bool), np.asarray(roads.tunnel, bool), deck,
                  fac,
                  flat(world.zones.x_m, world.zones.y_m))


@register_hazard
class FloodHazard(HazardModel):
    """Water depth (m) over the region's terrain."""

    kind = "flood"
    measure = "depth_m"

    def __init__(self, spec: HazardSpec, terrain: Terrain, result: FloodResult,
                 probes_: Probes) -> None:
        super().__init__(spec)
        self.terrain, self.result, self.probes = terrain, result, probes_
        n = len(result.times_s)
        # Views on the shared result in the solver's orientation (no copy per replicate).
        self._depth = result.depth_m.reshape(n, -1)
        self._speed = result.speed_m_s.reshape(n, -1)
        self._ground = np.ascontiguousarray(terrain.elevation_m[::-1]).ravel()

    @classmethod
    def build(cls, spec: HazardSpec, world: World, rng: np.random.Generator) -> FloodHazard:
        if world.terrain is None:
            raise ValueError(f"flood {spec.id!r} needs the region's terrain")
        r = realise(spec.params, rng)
        result = cached_flood(world.terrain, spec.params, r)
        return cls(spec, world.terrain, result,
                   probes(world, world.terrain, float(spec.params["bridge_clearance_m"])))

    # -- reading the flood -------------------------------------------------------------------
    def _frame(self, field: np.ndarray, t_s: float, cells: np.ndarray) -> np.ndarray:
        """``field`` at flat ``cells`` at time ``t_s`` (linear in time between frames; zero
        before the hazard starts and outside the terrain, where ``cells`` is -1)."""
        local = t_s - self.spec.start_s
        times = self.result.times_s
        cells = np.asarray(cells)
        if local < 0 or len(times) == 0:
            return np.zeros(cells.shape)
        if len(times) == 1:
            value = field[0][cells]
        else:
            k = int(np.clip(np.searchsorted(times, local) - 1, 0, len(times) - 2))
            w = float(np.clip((local - times[k]) / (times[k + 1] - times[k]), 0.0, 1.0))
            value = (1 - w) * field[k][cells] + w * field[k + 1][cells]
        return np.where(cells >= 0, value, 0.0)

    def _cells(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        return solver_flat(self.terrain, np.asarray(x_m, float), np.asarray(y_m, float))

    def sample(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Water depth (m) at the points (0 outside the terrain)."""
        return self._frame(self._depth, t_s, self._cells(x_m, y_m))

    def water_level_m(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Water surface elevation (m), ground + depth, as a gauge reads it; NaN where the
        ground is dry (a dry gauge reads no level, so no level threshold holds)."""
        cells = self._cells(x_m, y_m)
        depth = self._frame(self._depth, t_s, cells)
        return np.where(depth > 1e-3, self._ground[np.maximum(cells, 0)] + depth, np.nan)

    # -- impacts -----------------------------------------------------------------------------
    def impacts(self, t_s: float) -> Impacts:
        p, params = self.probes, self.spec.params
        depth = self._frame(self._depth, t_s, p.link_cells)
        factor = rules.road_speed_factor(depth.max(axis=1), params["road_closure_depth_m"])
        mid = p.link_cells[:, 1]
        deck = (mid >= 0) & (self._ground[np.maximum(mid, 0)] + depth[:, 1] > p.deck_m)
        approaches = rules.road_speed_factor(depth[:, [0, 2]].max(axis=1),
                                             params["road_closure_depth_m"])
        factor = np.where(p.bridge, np.where(deck, 0.0, approaches), factor)
        factor = np.where(p.tunnel, approaches, factor)  # water over a tunnel stays above it
        fac = {k: self._frame(self._depth, t_s, cells) >= params["facility_closure_depth_m"]
               for k, cells in p.facility_cells.items()}
        hr = rules.hazard_rating(self._frame(self._depth, t_s, p.zone_cells),
                                 self._frame(self._speed, t_s, p.zone_cells))
        return Impacts(link_speed_factor=factor, facility_unusable=fac,
                       zone_people_in_danger=hr >= params["rescue_hazard_rating"])


def _hashable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value
