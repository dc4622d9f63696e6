"""Road-graph travel times against values computed by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from builders import tiny, write

from drillsim.scenarios import load


def test_free_flow_times_are_length_over_speed(tmp_path: Path) -> None:
    w = load(write(tmp_path, tiny())).world
    # AB and BC are 1000 m at 36 km/h = 10 m/s: 100 s each, both ways.
    t = w.roads.travel_times_s(np.array([w.roads.index("A")]))[0]
    assert np.allclose(t, [0.0, 100.0, 200.0])
    back = w.roads.travel_times_s(np.array([w.roads.index("C")]), reverse=True)[0]
    assert np.allclose(back, [200.0, 100.0, 0.0])


def test_a_closed_link_is_never_used(tmp_path: Path) -> None:
    w = load(write(tmp_path, tiny())).world
    open_ = np.ones(w.roads.n_links, bool)
    open_[w.roads.link_index("BC")] = False
    t = w.roads.travel_times_s(np.array([0]), open_)[0]
    assert t[1] == 100.0 and np.isinf(t[2])


def test_parallel_links_keep_the_fastest_and_one_way_is_respected(tmp_path: Path) -> None:
    data = tiny()
    data["region"]["roads"]["links"] += [
        {"id": "AC-fast", "from": "A", "to": "C", "length_m": 2000, "free_speed_km_h": 72,
         "two_way": False},
        {"id": "AC-slow", "from": "A", "to": "C", "length_m": 2000, "free_speed_km_h": 18,
         "two_way": False},
    ]
    w = load(write(tmp_path, data)).world
    assert w.roads.travel_times_s(np.array([0]))[0][2] == 100.0  # 2000 m at 20 m/s
    assert w.roads.travel_times_s(np.array([2]))[0][0] == 200.0  # back only via B


def test_defaults_compiled_into_the_world(tmp_path: Path) -> None:
    data = tiny()
    data["region"]["zones"].append({"id": "Z3", "polygon": [[0, 0], [600, 0], [600, 300],
                                                            [0, 300]], "population": 262,
                                    "site_class": "D"})
    data["region"]["population_table"] = [{"zone": "Z2", "population": 650}]
    w = load(write(tmp_path, data)).world
    z3 = w.zones.index("Z3")
    assert (w.zones.x_m[z3], w.zones.y_m[z3]) == (300.0, 150.0)  # polygon centroid
    assert w.zones.households[z3] == 100  # 262 / 2.62
    assert w.zones.vs30_m_s[z3] == 270.0  # site class D
    assert w.zones.vs30_m_s[0] == 760.0   # default reference site
    assert w.zones.node[z3] == w.roads.index("A")  # nearest node to (300, 150)
    assert w.zones.population[w.zones.index("Z2")] == 650  # population table wins
    assert w.population == 1000 + 650 + 262
    assert np.all(w.roads.capacity_veh_h == 1900.0)  # one lane at the HCM base rate
    assert w.roads.n_links == 4 and list(w.roads.bridge) == [False, False, True, True]


def test_zone_to_shelter_times_are_compiled_once(tmp_path: Path) -> None:
    w = load(write(tmp_path, tiny())).world
    # Z1 leaves from A (nearest node), Z2 from C where S1 stands: 200 s and 0 s.
    assert w.zone_to_shelter_s.tolist() == [[200.0], [0.0]]
    assert w.roads.time_matrix() is w.roads.time_matrix()
