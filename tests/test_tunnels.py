"""Tunnels in a flood: read at their portals, never for the water above their middle.

A plain at 3 m with a channel 200–400 m east at 0.5 m, held at a level of 1.5 m: the channel
is 1 m deep and the banks are dry. A street across the channel closes (1 m ≥ the 0.3 m
closure depth); a tunnel under it with both portals on the banks stays open; a tunnel whose
portal is in the channel closes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import write

from drillsim.scenarios import ScenarioError, load
from drillsim.scenarios.terrain import write_asc
from drillsim.sim.model import DrillModel
from drillsim.sim.world import Terrain

LINKS = [
    {"id": "under", "from": "A", "to": "C", "tunnel": True},
    {"id": "across", "from": "D", "to": "E"},
    {"id": "portal-wet", "from": "F", "to": "C", "tunnel": True},
    {"id": "AD", "from": "A", "to": "D"},
    {"id": "AF", "from": "A", "to": "F"},
]


def scenario(tmp_path: Path, links: list[dict[str, Any]]) -> dict[str, Any]:
    x = (np.arange(30) + 0.5) * 20.0
    ground = np.where((x > 200) & (x < 400), 0.5, 3.0)
    write_asc(Terrain(np.repeat(ground[None, :], 10, axis=0), 0.0, 0.0, 20.0),
              tmp_path / "channel.asc", decimals=2)
    nodes = [{"id": n, "x": nx, "y": ny} for n, nx, ny in (
        ("A", 50, 100), ("C", 550, 100), ("D", 50, 160), ("E", 550, 160), ("F", 300, 40))]
    return {
        "meta": {"name": "channel", "start": "2026-07-01T00:00:00+08:00", "duration": "2h"},
        "region": {"terrain": {"file": "channel.asc"},
                   "zones": [{"id": "Z1", "x": 50, "y": 100, "population": 10}],
                   "roads": {"nodes": nodes, "links": links}},
        "hazards": [{"id": "river", "kind": "flood", "model": "bathtub",
                     "inflow": {"x": 300, "y": 100},
                     "river_levels": [{"at": "0s", "level_m": 1.5},
                                      {"at": "2h", "level_m": 1.5}]}],
        "plan": {"id": "p"},
    }


def test_water_over_a_tunnel_leaves_it_open_water_at_a_portal_closes_it(tmp_path: Path) -> None:
    compiled = load(write(tmp_path, scenario(tmp_path, LINKS)))
    model = DrillModel(compiled, 0)
    flood, roads = model.hazards[0], compiled.world.roads
    factor = flood.impacts(3600.0).link_speed_factor

    def speed(link: str) -> float:
        return float(factor[roads.link_index(link)[0]])

    assert flood.sample(3600.0, np.array([300.0, 50.0]), np.array([100.0] * 2)) == \
        pytest.approx([1.0, 0.0], abs=1e-6)
    assert speed("across") == 0.0  # 1 m of water on the street
    assert speed("under") == 1.0  # the same water over the tunnel; its portals are dry
    assert speed("portal-wet") == 0.0  # its western portal stands in the channel


def test_a_link_is_not_both_a_bridge_and_a_tunnel(tmp_path: Path) -> None:
    links = [dict(LINKS[0], bridge=True), *LINKS[1:]]
    with pytest.raises(ScenarioError, match="a bridge or a tunnel, not both"):
        load(write(tmp_path, scenario(tmp_path, links)))
