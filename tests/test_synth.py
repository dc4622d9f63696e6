"""Synthetic cities: exact totals, determinism, and the committed example regions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from drillsim.scenarios import check
from drillsim.scenarios.examples import HERE
from drillsim.scenarios.synth import (
    EXAMPLE_REGIONS,
    CitySpec,
    build_region,
    build_terrain,
    city_scenario,
    dump_yaml,
    example_dem,
    write_city_scenario,
)
from drillsim.scenarios.terrain import read_asc


@pytest.mark.parametrize("population", [100, 12_345, 250_000])
def test_population_is_exact_and_the_city_is_valid(tmp_path: Path, population: int) -> None:
    path = tmp_path / "city.yaml"
    write_city_scenario(CitySpec(population=population, seed=2), path)
    result = check(path)
    assert not result.errors, [str(p) for p in result.errors]
    assert result.compiled is not None
    assert result.compiled.world.population == population
    assert len(result.compiled.world.shelters) >= 12


def test_shelter_space_and_beds_follow_the_stated_ratios() -> None:
    r = build_region(CitySpec(population=200_000, seed=1))
    capacity = sum(s["capacity_persons"] for s in r["shelters"])
    assert capacity == int(0.18 * 200_000)
    assert all(s["floor_area_m2"] / s["capacity_persons"] >= 2.0 for s in r["shelters"]
               if s["capacity_persons"])
    beds = sum(h["beds"] for h in r["hospitals"])
    assert abs(beds - 6.5 * 200) <= len(r["hospitals"])


def test_same_seed_same_city_other_seed_other_city() -> None:
    a = dump_yaml(build_region(CitySpec(population=20_000, seed=4)))
    assert a == dump_yaml(build_region(CitySpec(population=20_000, seed=4)))
    assert a != dump_yaml(build_region(CitySpec(population=20_000, seed=5)))


def test_a_river_is_crossed_only_by_bridges() -> None:
    r = build_region(CitySpec(population=40_000, seed=0, river=True))
    ny = {n["id"]: n["y"] for n in r["roads"]["nodes"]}
    river_y = min(z["y"] for z in r["zones"] if z["elevation_m"] == min(
        zz["elevation_m"] for zz in r["zones"]))
    crossing = [lk for lk in r["roads"]["links"]
                if (ny[lk["from"]] - river_y + 100) * (ny[lk["to"]] - river_y + 100) < 0]
    assert crossing and all(lk.get("bridge") for lk in crossing)


def test_exits_are_the_arterial_ends_on_the_edge() -> None:
    r = build_region(CitySpec(population=40_000, seed=0))
    xy = {n["id"]: (n["x"], n["y"]) for n in r["roads"]["nodes"]}
    step = 400.0 / 2
    x_max = max(x for x, _ in xy.values())
    y_max = max(y for _, y in xy.values())
    expected = {n for n, (x, y) in xy.items()
                if (y in (0.0, y_max) and round(x / step) % 4 == 0)
                or (x in (0.0, x_max) and round(y / step) % 4 == 0)}
    assert set(r["roads"]["exits"]) == expected
    assert len(r["roads"]["exits"]) == len(expected)  # no corner twice
    assert {"N0_0", f"N{round(x_max / step)}_0"} <= expected


def test_the_city_scenario_has_buses_for_carless_households(tmp_path: Path) -> None:
    spec = CitySpec(population=100_000, seed=3)
    plan = city_scenario(spec)["plan"]
    assert plan["transport"][0]["vehicles"] == 5
    path = tmp_path / "city.yaml"
    write_city_scenario(spec, path)
    compiled = check(path).compiled
    assert compiled is not None
    (buses,) = compiled.plan.transport
    assert buses.station == 0 and buses.seats == 50 and "carless" in buses.serves
    assert len(compiled.world.exits) > 0


@pytest.mark.parametrize("name", sorted(EXAMPLE_REGIONS))
def test_committed_example_regions_match_the_generator(name: str) -> None:
    committed = (HERE / f"{name}-region.yaml").read_text(encoding="utf-8")
    body = committed.split("\n", 1)[1]
    assert body == dump_yaml(build_region(EXAMPLE_REGIONS[name], example_dem(name))), (
        f"{name}-region.yaml is stale: run `make examples`")
    if example_dem(name):
        dem = read_asc(HERE / example_dem(name))  # type: ignore[operator]
        fresh = build_terrain(EXAMPLE_REGIONS[name])
        assert np.array_equal(dem.elevation_m, fresh.elevation_m), "stale DEM: make examples"
        assert (dem.x0_m, dem.y0_m, dem.cell_m) == (fresh.x0_m, fresh.y0_m, fresh.cell_m)
