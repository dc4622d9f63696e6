"""Synthetic cities of any size, for benchmarks and for the bundled examples' regions.

A city is a grid of square zones (``block_m`` on a side) with a finer road grid (two road cells
per zone side: local streets, and arterials every fourth line). An optional river runs west to
east through the middle; only bridges cross it, and the ground rises away from it, so the
riverside zones are the low ones. Densities and facility counts use stated defaults:

* residents per zone ≈ ``density_per_km2 × block area`` (default 10,000 /km², a dense Chinese
  urban district), varied by a lognormal factor (σ = 0.35) and denser towards the centre;
* shelters sized for 18 % of residents in all (fixed shelters for ≥ 15 % of the planned
  population, see REFERENCES), one class I stadium, class II schools, class III parks;
  ≥ 2.0 m² per person (above the 1.5 m² minimum of GB 21734-2008);
* hospital beds: 6.5 per 1,000 residents (China Health Statistics Yearbook 2021: 6.46 in 2020),
  in one tertiary hospital built to a high seismic code (hospitals are key-fortification
  buildings, GB 50223-2008, designed one intensity degree above their area) and secondary
  hospitals built to a moderate one;
* one fire station per 7 km² (GB 51080-2015 district ≤ 7 km²) and at least two;
* relief depots at city, district (one per 50,000 residents) and community tier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from drillsim.scenarios.terrain import write_asc
from drillsim.sim.world import Terrain

BUILDING_TYPES = ("W1", "URML", "URMM", "C1L", "C1M", "C2M", "C2H", "S1M", "PC1", "RM1L")
"""Hazus structural types used in the synthetic inventory (Hazus EQ Technical Manual,
Table 3-2)."""


SHELTER_BUILDING = {"Stadium": {"type": "S2M", "code_level": "moderate"},
                    "School": {"type": "C1L", "code_level": "moderate"}}
"""Buildings of indoor shelters (parks are open spaces: shaking cannot damage them)."""


@dataclass(frozen=True)
class CitySpec:
    population: int
    seed: int = 0
    block_m: float = 400.0
    density_per_km2: float = 10_000.0
    river: bool = False
    name: str = "Synthetic city"
    prefix: str = ""
    river_slope: float = 0.0008
    """Downstream (eastward) fall of the ground along a river town, m/m."""
    railway: bool = False
    """A railway runs east–west through the middle; the arterials cross it on overpasses
    (bridges), local streets pass under it."""
    chlorine_store: bool = False
    """The waterworks at the east edge keeps chlorine cylinders (a disaster-chain site)."""


def _grid_shape(n_zones: int) -> tuple[int, int]:
    nx = max(1, round(math.sqrt(n_zones * 1.25)))
    ny = max(1, math.ceil(n_zones / nx))
    return nx, ny


def build_region(spec: CitySpec, terrain_file: str | None = None) -> dict[str, Any]:
    """The ``region`` section of a synthetic city, as plain data ready for YAML (naming
    ``terrain_file`` as its DEM if given)."""
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(0x5A11,)))
    per_zone = spec.density_per_km2 * (spec.block_m / 1000.0) ** 2
    nx, ny = _grid_shape(max(1, math.ceil(spec.population / per_zone)))
    roads, node_id = _roads(spec, nx, ny)
    zones = _zones(spec, nx, ny, rng, node_id)
    return {
        "name": spec.name,
        "zones": zones,
        "roads": roads,
        **_facilities(spec, nx, ny, rng, node_id, sum(z["population"] for z in zones)),
        **({"sites": _sites(spec, nx, ny)} if spec.chlorine_store else {}),
        **({"terrain": {"file": terrain_file}} if terrain_file else {}),
    }


def _sites(spec: CitySpec, nx: int, ny: int) -> list[dict[str, Any]]:
    """The waterworks' chlorine store at the east edge of town, in a low-rise precast
    building of the 1980s."""
    return [{"id": f"{spec.prefix}WTP1", "name": "Waterworks chlorine store", "kind": "hazmat",
             "x": round(nx * spec.block_m - spec.block_m / 4, 1),
             "y": round(ny * spec.block_m / 2, 1),
             "building": {"type": "PC1", "code_level": "low"}, "fails_at": "extensive",
             "stores": "chlorine, two 1-tonne cylinders"}]


def _roads(spec: CitySpec, nx: int, ny: int) -> tuple[dict[str, Any], Any]:
    step = spec.block_m / 2
    cols, rows = 2 * nx + 1, 2 * ny + 1
    p = spec.prefix

    def node_id(i: int, j: int) -> str:
        return f"{p}N{i}_{j}"

    river = ny if spec.river else None  # the river runs between road rows ny-1 and ny
    nodes = []
    for j in range(rows):
        for i in range(cols):
            y = j * step
            elev = _elevation(spec, i * step, y, ny, nx)
            nodes.append({"id": node_id(i, j), "x": round(i * step, 1), "y": round(y, 1),
                          "elevation_m": round(elev, 2)})
    links = []
    for j in range(rows):
        for i in range(cols):
            if i + 1 < cols:
                links.append(_link(p, node_id(i, j), node_id(i + 1, j), arterial=j % 4 == 0))
            if j + 1 < rows:
                crosses = river is not None and j + 1 == river
                if crosses and i % 4 != 2:
                    continue
                overpass = spec.railway and j + 1 == ny and i % 4 == 0
                links.append(_link(p, node_id(i, j), node_id(i, j + 1), arterial=i % 4 == 0,
                                   bridge=crosses or overpass,
                                   bridge_class="HWB5" if overpass else None))
    return {"nodes": nodes, "links": links, "exits": _exits(cols, rows, node_id)}, node_id


def _exits(cols: int, rows: int, node_id: Any) -> list[str]:
    """Where the arterials (every fourth road line) meet the city's edge: the ways out."""
    ends = [(i, j) for i in range(0, cols, 4) for j in (0, rows - 1)]
    ends += [(i, j) for j in range(0, rows, 4) for i in (0, cols - 1)]
    return [node_id(i, j) for i, j in dict.fromkeys(ends)]


def _link(p: str, a: str, b: str, arterial: bool, bridge: bool = False,
          bridge_class: str | None = None) -> dict[str, Any]:
    link: dict[str, Any] = {"id": f"{p}L{a.removeprefix(p)}-{b.removeprefix(p)}", "from": a,
                            "to": b, "lanes": 2 if arterial or bridge else 1,
                            "free_speed_km_h": 60 if arterial else 40}
    if bridge:
        link["bridge"] = True
    if bridge_class:
        link["bridge_class"] = bridge_class  # Hazus HWB5: multi-column concrete, older design
    return link


def _river_y(spec: CitySpec, ny: int) -> float:
    return (ny - 0.5) * spec.block_m / 2  # between road rows ny-1 and ny (the bridges)


def _elevation(spec: CitySpec, x: float, y: float, ny: int, nx: int) -> float:
    """Ground elevation (m): a gentle rise to the north; along a river, banks rising 6 m/km
    away from it and the valley falling ``river_slope`` downstream (east)."""
    if not spec.river:
        return 20.0 + 0.002 * y
    fall = spec.river_slope * (nx * spec.block_m - x)
    return 3.0 + 0.006 * abs(y - _river_y(spec, ny)) + fall


def _zones(spec: CitySpec, nx: int, ny: int, rng: np.random.Generator,
           node_id: Any) -> list[dict[str, Any]]:
    cx, cy = nx * spec.block_m / 2, ny * spec.block_m / 2
    raw, centres = [], []
    for j in range(ny):
        for i in range(nx):
            x, y = (i + 0.5) * spec.block_m, (j + 0.5) * spec.block_m
            r = math.hypot(x - cx, y - cy) / max(cx, cy, 1.0)
            raw.append(rng.lognormal(0.0, 0.35) * (1.4 - 0.6 * min(r, 1.0)))
            centres.append((i, j, x, y, r))
    weights = np.array(raw) / np.sum(raw)
    pops = _integer_split(spec.population, weights)
    zones = []
    for (i, j, x, y, r), pop in zip(centres, pops, strict=True):
        old = float(np.clip(0.7 - 0.5 * r + rng.normal(0, 0.1), 0.05, 0.95))
        zones.append({
            "id": f"{spec.prefix}Z{i}_{j}", "name": f"Block {i}-{j}",
            "x": round(x, 1), "y": round(y, 1), "population": int(pop),
            "elderly_share": round(float(np.clip(0.10 + 0.12 * old + rng.normal(0, 0.02),
                                                 0.02, 0.4)), 3),
            "disabled_share": round(float(np.clip(rng.normal(0.045, 0.01), 0.01, 0.1)), 3),
            "carless_share": round(float(np.clip(0.25 + 0.2 * old + rng.normal(0, 0.05),
                                                 0.05, 0.8)), 3),
            "buildings": _buildings(int(pop), old, rng),
            "code_level": "low" if old > 0.6 else "moderate",
            "elevation_m": round(_elevation(spec, x, y, ny, nx), 2),
            "vs30_m_s": round(float(np.clip(rng.normal(360, 80), 180, 760)), 0),
            "node": node_id(2 * i + 1, 2 * j + 1),
        })
    return zones


def _integer_split(total: int, weights: np.ndarray) -> np.ndarray:
    """``total`` split by ``weights`` into integers that sum exactly to ``total``."""
    exact = total * weights
    out = np.floor(exact).astype(int)
    rest = total - out.sum()
    out[np.argsort(exact - out)[::-1][:rest]] += 1
    return out


def _buildings(pop: int, old: float, rng: np.random.Generator) -> dict[str, int]:
    """Buildings by Hazus type: older blocks have more masonry, newer more concrete/steel;
    ≈ 40 residents per building on average (mid-rise mix)."""
    mix = np.array([0.02, 0.30 * old, 0.10 * old, 0.15, 0.12, 0.15 * (1 - old),
                    0.10 * (1 - old), 0.05, 0.04, 0.05])
    mix = mix / mix.sum()
    n = max(1, round(pop / 40.0))
    counts = rng.multinomial(n, mix)
    masonry = "pre" if old > 0.5 else "low"  # Hazus defines URM at low and pre-code only
    return {f"{t}/{masonry}" if t.startswith("URM") else t: int(c)
            for t, c in zip(BUILDING_TYPES, counts, strict=True) if c > 0}


def _facilities(spec: CitySpec, nx: int, ny: int, rng: np.random.Generator, node_id: Any,
                population: int) -> dict[str, list[dict[str, Any]]]:
    p = spec.prefix
    area_km2 = nx * ny * (spec.block_m / 1000.0) ** 2
    cols, rows = 2 * nx + 1, 2 * ny + 1

    def spot() -> str:
        return node_id(int(rng.integers(0, cols)), int(rng.integers(0, rows)))

    n_shelters = max(12, population // 4000)
    capacity = _integer_split(int(0.18 * population), _shelter_weights(n_shelters, rng))
    shelters = []
    for k, cap in enumerate(capacity):
        klass, kind = ("I", "Stadium") if k == 0 else (
            ("II", "School") if k % 3 else ("III", "Park"))
        area = cap * float(rng.uniform(2.0, 3.5))
        shelters.append({
            "id": f"{p}S{k + 1}", "name": f"{kind} shelter {k + 1}", "node": spot(),
            "class": klass, "capacity_persons": int(cap), "floor_area_m2": round(area),
            "opening_delay": {"dist": "triangular", "low": "30min", "mode": "1h", "high": "3h"},
            "stocks": {"water_l": int(cap * 3 * 2), "food_rations": int(cap * 3),
                       "beds": int(cap * (0.8 if klass != "III" else 0.2))},
            **({} if kind == "Park" else {"building": SHELTER_BUILDING[kind]}),
        })
    hospitals = [{"id": f"{p}H{k + 1}", "name": f"Hospital {k + 1}", "node": spot(),
                  "beds": int(6.5 * population / 1000 / max(2, population // 60000)),
                  "level": "secondary" if k else "tertiary",
                  "building": {"type": "C2M", "code_level": "moderate" if k else "high"}}
                 for k in range(max(2, population // 60000))]
    n_district = max(1, population // 50000)
    depots = [{"id": f"{p}D0", "name": "City relief depot", "node": spot(), "tier": "city",
               "stocks": {"water_l": int(population * 0.3), "food_rations": int(population * 0.1),
                          "beds": int(population * 0.01)}}]
    depots += [{"id": f"{p}D{k + 1}", "name": f"District depot {k + 1}", "node": spot(),
                "tier": "district", "stocks": {"water_l": 20000, "food_rations": 8000,
                                               "beds": 500}} for k in range(n_district)]
    n_stations = max(2, math.ceil(area_km2 / 7.0))
    stations = [{"id": f"{p}FS{k + 1}", "name": f"Fire station {k + 1}", "node": spot()}
                for k in range(n_stations)]
    return {"shelters": shelters, "hospitals": hospitals, "depots": depots,
            "stations": stations}


def _shelter_weights(n: int, rng: np.random.Generator) -> np.ndarray:
    w = rng.uniform(0.5, 1.5, size=n)
    w[0] = 0.25 * n  # the stadium takes about a fifth
    return w / w.sum()


RIVER_HALF_WIDTH_M = 30.0
RIVER_DEPTH_M = 3.5
LEVEE_WIDTH_M = 20.0
LEVEE_HEIGHT_M = 1.2


def build_terrain(spec: CitySpec, cell_m: float = 25.0, margin_m: float = 200.0) -> Terrain:
    """The city's ground as a DEM. A river town gets a 60 m channel 3.5 m below its banks and
    1.2 m levees along both banks; the ground is the same surface the zones and nodes sit on."""
    per_zone = spec.density_per_km2 * (spec.block_m / 1000.0) ** 2
    nx, ny = _grid_shape(max(1, math.ceil(spec.population / per_zone)))
    x0, y0 = -margin_m, -margin_m
    cols = math.ceil((nx * spec.block_m + 2 * margin_m) / cell_m)
    rows = math.ceil((ny * spec.block_m + 2 * margin_m) / cell_m)
    if not spec.river:
        yc = y0 + (np.arange(rows) + 0.5) * cell_m
        grid = np.repeat((20.0 + 0.002 * yc)[:, None], cols, axis=1)
        return Terrain(elevation_m=np.round(grid, 2), x0_m=x0, y0_m=y0, cell_m=cell_m)
    return river_valley(x0, y0, cols, rows, cell_m, _river_y(spec, ny),
                        east_end_m=nx * spec.block_m, fall=spec.river_slope)


def river_valley(x0: float, y0: float, cols: int, rows: int, cell_m: float, river_y: float,
                 east_end_m: float, fall: float = 0.0008, base_m: float = 3.0,
                 bank_rise: float = 0.006) -> Terrain:
    """A valley with a west-to-east river at ``river_y``: ground ``base_m`` at the river's
    edge rising ``bank_rise`` per metre away from it and falling ``fall`` per metre
    downstream; a 60 m channel 3.5 m deep with 1.2 m levees on both banks."""
    xc = x0 + (np.arange(cols) + 0.5) * cell_m
    yc = y0 + (np.arange(rows) + 0.5) * cell_m
    off = np.abs(yc - river_y)[:, None] * np.ones((1, cols))
    bank = base_m + fall * (east_end_m - xc)[None, :] * np.ones((rows, 1))
    grid = bank + bank_rise * off
    grid = np.where(off <= RIVER_HALF_WIDTH_M, bank - RIVER_DEPTH_M, grid)
    levee = (off > RIVER_HALF_WIDTH_M) & (off <= RIVER_HALF_WIDTH_M + LEVEE_WIDTH_M)
    grid = np.where(levee, grid + LEVEE_HEIGHT_M, grid)
    return Terrain(elevation_m=np.round(grid, 2), x0_m=x0, y0_m=y0, cell_m=cell_m)


def city_scenario(spec: CitySpec, region_file: str | None = None) -> dict[str, Any]:
    """A whole scenario around a synthetic city: a null hazard, a full evacuation order
    after 10 minutes and buses for car-less households at the first fire station (the
    benchmark case of the evacuation model)."""
    region: Any = build_region(spec) if region_file is None else region_file
    stations = region["stations"] if isinstance(region, dict) else []
    buses = [{"id": "buses", "vehicles": max(2, spec.population // 20000), "seats": 50,
              "base": stations[0]["id"], "available_after": "20min"}] if stations else []
    return {
        "meta": {"name": spec.name, "description": f"Synthetic city of {spec.population:,} "
                 "residents (drillsim generate-city)", "start": "2026-01-01T08:00:00+08:00",
                 "duration": "12h", "drill_type": "functional", "seed": spec.seed},
        "region": region,
        "hazards": [{"id": "none", "kind": "none"}],
        "plan": {
            "id": "full-evacuation",
            "orders": [{"id": "evacuate-all", "action": "evacuate", "zones": "all",
                        "channels": ["siren", "phone"], "any_of": [{"at": "10min"}]}],
            "teams": [{"id": f"FR-{s['id']}", "type": "fire_rescue", "size": 12,
                       "base": s["id"], "available_after": {"dist": "uniform", "low": "1min",
                                                            "high": "5min"}}
                      for s in stations],
            "transport": buses,
        },
    }


class _FlowDict(dict):  # type: ignore[type-arg]
    """A mapping written on one line."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_FlowDict, lambda d, data: d.represent_mapping(
    "tag:yaml.org,2002:map", data, flow_style=True))


def _flow_items(data: Any, in_list: bool = False) -> Any:
    if isinstance(data, dict):
        inner = {k: _flow_items(v) for k, v in data.items()}
        return _FlowDict(inner) if in_list else inner
    if isinstance(data, list):
        return [_flow_items(v, in_list=True) for v in data]
    return data


def dump_yaml(data: Any) -> str:
    """YAML with one flow-style mapping per list item (compact, diff-friendly)."""
    return yaml.dump(_flow_items(data), Dumper=_Dumper, sort_keys=False, width=4096,
                     allow_unicode=True, default_flow_style=False)


def write_city_scenario(spec: CitySpec, path: Path) -> str:
    """Write a synthetic-city scenario to ``path``; return a one-line description."""
    data = city_scenario(spec)
    path.write_text(f"# drillsim generate-city --population {spec.population} --seed "
                    f"{spec.seed}\n" + dump_yaml(data), encoding="utf-8")
    r = data["region"]
    return (f"{len(r['zones'])} zones, {spec.population:,} residents, "
            f"{len(r['roads']['links'])} road links, {len(r['shelters'])} shelters")


EXAMPLE_REGIONS: dict[str, CitySpec] = {
    "riverside": CitySpec(population=46_000, seed=11, river=True, name="Riverside town"),
    "quake-city": CitySpec(population=152_000, seed=23, block_m=500.0, density_per_km2=8_000.0,
                           name="Hillside city", railway=True, chlorine_store=True),
    "chem-park": CitySpec(population=31_000, seed=37, name="Gangkou town by the chemical park"),
}
"""The synthetic regions of the bundled examples (``scenarios/examples/<name>-region.yaml``,
and ``<name>-dem.asc`` for river towns)."""


def example_dem(name: str) -> str | None:
    """The DEM file name of an example region (river towns only)."""
    return f"{name}-dem.asc" if EXAMPLE_REGIONS[name].river else None


def write_example_regions(folder: Path) -> list[Path]:
    """(Re)write the bundled examples' region files."""
    out = []
    for name, spec in EXAMPLE_REGIONS.items():
        path = folder / f"{name}-region.yaml"
        region = build_region(spec, example_dem(name))
        path.write_text(f"# Generated by drillsim.scenarios.synth.EXAMPLE_REGIONS[{name!r}]; "
                        "regenerate with `make examples`.\n" + dump_yaml(region),
                        encoding="utf-8")
        out.append(path)
        if spec.river:
            dem = folder / f"{name}-dem.asc"
            write_asc(build_terrain(spec), dem)
            out.append(dem)
    return out
