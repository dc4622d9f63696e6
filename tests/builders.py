"""Scenario builders for tests: a tiny scenario small enough to check its event log by hand."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

TINY: dict[str, Any] = {
    "meta": {"name": "tiny", "start": "2026-01-01T00:00:00+08:00", "duration": "4h",
             "seed": 1},
    "region": {
        "zones": [
            {"id": "Z1", "x": 0, "y": 0, "population": 1000, "households": 400},
            {"id": "Z2", "x": 2000, "y": 0, "population": 500},
        ],
        "roads": {
            "nodes": [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 1000, "y": 0},
                      {"id": "C", "x": 2000, "y": 0}],
            "links": [
                {"id": "AB", "from": "A", "to": "B", "free_speed_km_h": 36},
                {"id": "BC", "from": "B", "to": "C", "free_speed_km_h": 36, "bridge": True},
            ],
        },
        "shelters": [{"id": "S1", "node": "C", "class": "II", "capacity_persons": 800,
                      "opening_delay": "30min"}],
        "stations": [{"id": "F1", "node": "B"}],
    },
    "hazards": [{"id": "calm", "kind": "none"}],
    "plan": {
        "id": "tiny-plan",
        "review_every": "10min",
        "levels": [
            {"level": "IV", "any_of": [{"at": "1h"}], "activates": {"orders": ["warn"]}},
            {"level": "III", "any_of": [{"metric": "deaths_and_missing", "op": ">=",
                                         "value": 5}],
             "declare_delay": "15min", "activates": {"orders": ["evac"],
                                                      "mutual_aid": ["aid"]}},
        ],
        "orders": [
            {"id": "warn", "action": "warn", "zones": ["Z1"]},
            {"id": "evac", "action": "evacuate", "zones": "all"},
        ],
        "teams": [{"id": "T1", "type": "fire_rescue", "size": 10, "base": "F1",
                   "available_after": "5min"}],
        "mutual_aid": [{"id": "aid", "type": "usar", "teams": 2, "size": 20, "staging": "F1",
                        "arrival_delay": "1h"}],
    },
    "injects": {"scripted": [
        {"id": "I1", "at": "2h", "action": "report", "counter": "deaths", "value": 3},
        {"id": "I2", "at": "2h5min", "action": "report", "counter": "missing", "value": 2},
        {"id": "I3", "at": "3h", "action": "close_link", "link": "BC"},
    ]},
}


def tiny(**changes: Any) -> dict[str, Any]:
    """A deep copy of the tiny scenario with top-level sections replaced or merged."""
    data = copy.deepcopy(TINY)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return data


def write(tmp_path: Path, data: dict[str, Any], name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


_COMPILED: dict[str, Any] = {}
_RUNS: dict[tuple[str, int], Any] = {}


def example(name: str) -> Any:
    """A bundled example, compiled once per test session."""
    from drillsim.scenarios import load
    from drillsim.scenarios.examples import EXAMPLES

    if name not in _COMPILED:
        _COMPILED[name] = load(EXAMPLES[name])
    return _COMPILED[name]


def example_run(name: str, seed: int) -> Any:
    """A bundled example's run (a ``RunResult``) for ``seed``, computed once per test session:
    a run is a pure function of scenario and seed, so tests may share it."""
    from drillsim.sim import run

    key = (name, seed)
    if key not in _RUNS:
        _RUNS[key] = run(example(name), seed)
    return _RUNS[key]
