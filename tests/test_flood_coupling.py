"""The flood coupled to the world, checked against answers computed by hand.

The level-pool model on a plain rising 1 cm per metre eastwards (z = 1 + 0.01 x), with the
river's level at the west edge rising 0.5 m per hour from 0.5 m: water depth at x is
level(t) − z(x), so every threshold crossing has an exact time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import write

from drillsim.scenarios import load
from drillsim.scenarios.terrain import write_asc
from drillsim.sim import run
from drillsim.sim.world import Terrain


def plain(tmp_path: Path) -> dict[str, Any]:
    x = (np.arange(30) + 0.5) * 20.0
    write_asc(Terrain(np.repeat((1.0 + 0.01 * x)[None, :], 10, axis=0), 0.0, 0.0, 20.0),
              tmp_path / "plain.asc", decimals=4)
    return {
        "meta": {"name": "plain", "start": "2026-07-01T00:00:00+08:00", "duration": "8h"},
        "region": {
            "terrain": {"file": "plain.asc"},
            "zones": [{"id": "Z1", "x": 50, "y": 100, "population": 1000},
                      {"id": "Z2", "x": 450, "y": 100, "population": 500}],
            "roads": {"nodes": [{"id": "A", "x": 50, "y": 100}, {"id": "B", "x": 250, "y": 100},
                                {"id": "C", "x": 450, "y": 100}],
                      "links": [{"id": "AB", "from": "A", "to": "B"},
                                {"id": "BC", "from": "B", "to": "C"}]},
            "shelters": [{"id": "S1", "node": "A", "class": "III", "capacity_persons": 100},
                         {"id": "S2", "node": "C", "class": "II", "capacity_persons": 900}],
            "hospitals": [{"id": "H1", "node": "B", "beds": 50}],
        },
        "hazards": [{"id": "river", "kind": "flood", "model": "bathtub",
                     "inflow": {"x": 10, "y": 100},
                     "river_levels": [{"at": "0s", "level_m": 0.5},
                                      {"at": "8h", "level_m": 4.5}],
                     "gauges": [{"id": "G", "location": {"x": 50, "y": 100}}]}],
        "plan": {"id": "p", "review_every": "10min", "orders": [
            {"id": "gauge-warn", "action": "warn", "zones": ["Z1"],
             "any_of": [{"gauge": "G", "value": 1.99}]},
            {"id": "forecast-evac", "action": "evacuate", "zones": ["Z1"],
             "any_of": [{"gauge": "G", "value": 1.99, "lead": "30min"}]},
            {"id": "low-gauge", "action": "warn", "zones": ["Z2"],
             "any_of": [{"gauge": "G", "value": 1.0}]},
            {"id": "depth-order", "action": "evacuate", "zones": ["Z2"],
             "any_of": [{"hazard": "river", "zones": ["Z1"], "value": 0.49}]},
        ]},
    }


@pytest.fixture
def events(tmp_path: Path) -> list:  # type: ignore[type-arg]
    return list(run(load(write(tmp_path, plain(tmp_path))), 0).log)


def first(events: list, kind: str, actor: str) -> float:  # type: ignore[type-arg]
    return next(e.t_s for e in events if e.kind == kind and e.actor == actor)


def read_at(crossing_s: float) -> tuple[float, float]:
    """Impacts are read every 60 s: a threshold crossed at ``crossing_s`` shows at the first
    reading at or after it (the one after if rounding puts the water a hair below)."""
    return crossing_s, crossing_s + 60.0


def test_depth_is_the_level_above_the_ground(tmp_path: Path) -> None:
    compiled = load(write(tmp_path, plain(tmp_path)))
    from drillsim.sim.model import DrillModel

    flood = DrillModel(compiled, 0).hazards[0]
    t = 3 * 3600.0  # level 2.0 m
    depth = flood.sample(t, np.array([50.0, 90.0, 250.0]), np.array([100.0] * 3))
    assert depth == pytest.approx([2.0 - 1.5, 2.0 - 1.9, 0.0], abs=1e-9)
    assert flood.water_level_m(t, np.array([50.0]), np.array([100.0])) == pytest.approx([2.0])


def test_a_road_closes_when_300_mm_reach_it(events: list) -> None:  # type: ignore[type-arg]
    # AB's lowest point is A (z 1.5): 0.3 m deep at level 1.8, i.e. 2.6 h.
    lo, hi = read_at(2.6 * 3600)
    assert lo <= first(events, "link.close", "AB") <= hi
    slow = [e.qty for e in events if e.kind == "link.slow" and e.actor == "AB"]
    assert slow == sorted(slow, reverse=True) and slow[0] < 1.0  # slows before it closes
    lo, hi = read_at(6.6 * 3600)  # BC's lowest point is B (z 3.5): level 3.8
    assert lo <= first(events, "link.close", "BC") <= hi


def test_facilities_close_when_their_access_floods(events: list) -> None:  # type: ignore[type-arg]
    for facility, crossing in (("S1", 2.6 * 3600), ("H1", 6.6 * 3600)):  # z 1.5 and 3.5
        lo, hi = read_at(crossing)
        assert lo <= first(events, "facility.close", facility) <= hi
    assert not [e for e in events if e.kind == "facility.close" and e.actor == "S2"]


def test_people_in_danger_become_a_rescue_incident(events: list) -> None:  # type: ignore[type-arg]
    # Hazard rating d(v + 0.5) + DF (urban DF = 1 deeper than 0.25 m), v = 0 here: 1.25 at
    # d = 0.5 m, i.e. level 2.0 m, at 3 h.
    # The incident counts the people still at home then: Z1's 1,000 less those who had left
    # (the census just before it says how many).
    incidents = [(e.t_s, e.place, e.qty) for e in events if e.kind == "incident.create"]
    assert len(incidents) == 1 and incidents[0][1] == "Z1"
    departed = sum(e.qty for e in events if e.kind == "evac.depart" and e.place == "Z1"
                   and e.t_s <= incidents[0][0])
    assert incidents[0][2] == 1000.0 - departed
    lo, hi = read_at(3 * 3600)
    assert lo <= incidents[0][0] <= hi


def test_gauge_and_forecast_triggers(events: list) -> None:  # type: ignore[type-arg]
    # Gauge G (ground 1.5 m) reads the water level once wet: 1.99 m at 2.98 h, seen at the
    # 3 h review; 30 min ahead, at the 2.5 h review. A level of 1.0 m is never read at G:
    # the gauge is dry until the water passes 1.5 m, then reads 1.5 m or more — the first
    # review after it gets wet (2 h 10).
    assert first(events, "plan.order", "gauge-warn") == 3 * 3600.0
    assert first(events, "plan.order", "forecast-evac") == 2.5 * 3600.0
    assert first(events, "plan.order", "low-gauge") == 2 * 3600.0 + 600.0
    # 0.49 m deep in Z1 (z 1.5) at level 1.99: 2.98 h, seen at the 3 h review.
    assert first(events, "plan.order", "depth-order") == 3 * 3600.0


def channel(tmp_path: Path, peak_factor: Any) -> Path:
    """A 1.2 km x 200 m plain (z = 1 + 0.001 x) fed at its west end, inertial model."""
    x = (np.arange(60) + 0.5) * 20.0
    write_asc(Terrain(np.repeat((1.0 + 0.001 * x)[None, :], 10, axis=0), 0.0, 0.0, 20.0),
              tmp_path / "plain.asc", decimals=4)
    data = plain(tmp_path)
    data["meta"]["duration"] = "2h"
    data["hazards"] = [{"id": "river", "kind": "flood", "inflow": {"x": 10, "y": 100},
                        "hydrograph": [{"at": "0s", "discharge_m3_s": 20},
                                       {"at": "2h", "discharge_m3_s": 20}],
                        "peak_factor": peak_factor, "open_edges": ["east"],
                        "gauges": [{"id": "G", "location": {"x": 50, "y": 100}}]}]
    data["plan"]["orders"] = []
    return write(tmp_path, data)


def test_uncertain_peak_is_sampled_per_replicate(tmp_path: Path) -> None:
    from drillsim.sim.model import DrillModel

    compiled = load(channel(tmp_path, {"dist": "uniform", "low": 0.5, "high": 1.5}))
    depth_at = [float(DrillModel(compiled, s).hazards[0].result.max_depth_m.max())
                for s in (1, 1, 2, 3)]
    assert depth_at[0] == depth_at[1]  # same seed, same flood
    assert len({depth_at[0], depth_at[2], depth_at[3]}) == 3  # other seeds, other peaks


def test_a_fixed_peak_is_the_same_flood_for_every_seed(tmp_path: Path) -> None:
    from drillsim.sim.model import DrillModel

    compiled = load(channel(tmp_path, 1.0))
    floods = {id(DrillModel(compiled, s).hazards[0].result) for s in range(3)}
    assert len(floods) == 1  # computed once, shared (read-only)


def test_places_off_the_terrain_are_dry(tmp_path: Path) -> None:
    data = plain(tmp_path)
    data["region"]["roads"]["nodes"].append({"id": "D", "x": -3000, "y": 5000})
    data["region"]["roads"]["links"].append({"id": "DA", "from": "D", "to": "A"})
    data["region"]["zones"].append({"id": "Z3", "x": -3000, "y": 5000, "population": 10})
    compiled = load(write(tmp_path, data))
    events = list(run(compiled, 0).log)
    assert not [e for e in events if e.place == "Z3" and e.kind == "incident.create"]
    from drillsim.sim.model import DrillModel

    flood = DrillModel(compiled, 0).hazards[0]
    assert flood.sample(6 * 3600.0, np.array([-3000.0]), np.array([5000.0])) == [0.0]


def test_an_inject_closure_outlasts_the_flood(tmp_path: Path) -> None:
    data = plain(tmp_path)
    data["injects"] = {"scripted": [{"id": "police", "at": "10min", "action": "close_link",
                                     "link": "AB"}]}
    data["hazards"][0]["river_levels"] = [{"at": "0s", "level_m": 0.5},
                                          {"at": "3h", "level_m": 2.0},
                                          {"at": "4h", "level_m": 0.5}]
    events = [(e.t_s, e.kind) for e in run(load(write(tmp_path, data)), 0).log
              if e.actor == "AB" and e.kind in ("link.close", "link.open")]
    assert events == [(600.0, "link.close")]  # the flood neither re-closes nor reopens it


def test_two_floods_combine_instead_of_overwriting(tmp_path: Path) -> None:
    data = plain(tmp_path)
    creek = dict(data["hazards"][0], id="creek",
                 river_levels=[{"at": "0s", "level_m": 0.5}, {"at": "8h", "level_m": 0.6}],
                 gauges=[])
    data["hazards"].append(creek)
    events = [(e.t_s, e.kind, e.data.get("reason")) for e in
              run(load(write(tmp_path, data)), 0).log
              if e.actor == "AB" and e.kind in ("link.close", "link.open")]
    lo, hi = read_at(2.6 * 3600)
    assert len(events) == 1 and events[0][1:] == ("link.close", "river")
    assert lo <= events[0][0] <= hi
