"""Verification of the movement model against known answers: free-flow travel time, the
capacity of a bottleneck and the time a queue takes to clear, route choice by travel time,
closed links, spill-back and order on a link."""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.sim.traffic import Traffic, TrafficParams
from drillsim.sim.traffic.links import discharge_times, moving_speed
from drillsim.sim.world import RoadGraph, frozen_array


def graph(nodes: list[tuple[float, float]], links: list[tuple[int, int, float, float, float, int]]
          ) -> RoadGraph:
    """``links``: (from, to, length_m, speed_m_s, capacity_veh_h, lanes)."""
    a = np.array(links, dtype=float).reshape(-1, 6)
    return RoadGraph(
        ids=tuple(f"N{i}" for i in range(len(nodes))),
        x_m=frozen_array([n[0] for n in nodes]), y_m=frozen_array([n[1] for n in nodes]),
        elevation_m=frozen_array(np.zeros(len(nodes))),
        link_ids=tuple(f"L{i}" for i in range(len(links))),
        link_from=frozen_array(a[:, 0], np.int64), link_to=frozen_array(a[:, 1], np.int64),
        length_m=frozen_array(a[:, 2]), free_speed_m_s=frozen_array(a[:, 3]),
        capacity_veh_h=frozen_array(a[:, 4]), lanes=frozen_array(a[:, 5], np.int64),
        bridge=frozen_array(np.zeros(len(links), bool)),
    )


def run(traffic: Traffic, roads: RoadGraph, until_s: float, closed: tuple[int, ...] = ()
        ) -> tuple[dict[int, float], list]:
    """Step until ``until_s``; return arrival time by traveller and every step's Moves."""
    usable = np.ones(roads.n_links, bool)
    usable[list(closed)] = False
    factor = np.ones(roads.n_links)
    arrived: dict[int, float] = {}
    log = []
    t, dt = 0.0, traffic.params.step_s
    while t < until_s:
        traffic.route(t, usable, factor)
        moves = traffic.step(t, t + dt, usable, factor)
        arrived.update(zip(moves.arrived.tolist(), moves.arrived_at_s.tolist(), strict=True))
        log.append(moves)
        t += dt
    return arrived, log


def chain(n_links: int, length_m: float = 500.0, speed: float = 12.5,
          cap: float = 1800.0) -> RoadGraph:
    nodes = [(i * length_m, 0.0) for i in range(n_links + 1)]
    return graph(nodes, [(i, i + 1, length_m, speed, cap, 1) for i in range(n_links)])


@pytest.mark.parametrize(("n", "length_m"), [(7, 433.0), (20, 50.0), (40, 9.0)])
def test_free_flow_time_on_an_empty_road_is_length_over_speed(n: int, length_m: float) -> None:
    """Exact, also when links are much shorter than a step (several links a step)."""
    roads = chain(n, length_m=length_m, speed=11.1)
    traffic = Traffic(roads, 2, [np.array([n])])
    traffic.start(np.array([0, 1]), np.array([3.7, 3.7]), np.array([0, 0]), np.array([0, 0]),
                  np.array([False, True]))
    arrived, _ = run(traffic, roads, 3600)
    assert arrived[0] == pytest.approx(3.7 + n * length_m / 11.1, abs=1e-9)
    assert arrived[1] == pytest.approx(3.7 + n * length_m / TrafficParams().walk_speed_m_s,
                                       abs=1e-9)


def test_walkers_go_at_walking_speed_and_do_not_congest_cars() -> None:
    roads = chain(3, length_m=400.0, speed=15.0, cap=60.0)  # one car a minute
    traffic = Traffic(roads, 50, [np.array([3])])
    ids = np.arange(50)
    traffic.start(ids, np.zeros(50), np.zeros(50, int), np.zeros(50, int), ids > 0)
    arrived, _ = run(traffic, roads, 2000)
    walk_time = 1200.0 / TrafficParams().walk_speed_m_s
    assert all(arrived[i] == pytest.approx(walk_time) for i in range(1, 50))
    assert arrived[0] == pytest.approx(80.0)  # the lone car is not held up by walkers


@pytest.mark.parametrize(("n", "cap"), [(120, 1800.0), (300, 900.0), (37, 2400.0)])
def test_a_queue_of_n_clears_in_n_over_capacity(n: int, cap: float) -> None:
    """A long, wide feeder brings N cars to a bottleneck at once; they leave at its
    capacity: the last one N/capacity after the first (± one step), and in no minute does
    the flow exceed capacity."""
    step = TrafficParams().step_s
    roads = graph([(0, 0), (5000, 0), (5100, 0)],
                  [(0, 1, 5000.0, 20.0, 20000.0, 6), (1, 2, 100.0, 20.0, cap, 1)])
    traffic = Traffic(roads, n, [np.array([2])])
    traffic.start(np.arange(n), np.zeros(n), np.zeros(n, int), np.zeros(n, int),
                  np.zeros(n, bool))
    arrived, _ = run(traffic, roads, 5000 / 20 + 100 / 20 + 2 * n * 3600 / cap)
    assert len(arrived) == n
    times = np.sort(np.array(list(arrived.values())))
    assert times[-1] - times[0] == pytest.approx((n - 1) * 3600 / cap, abs=step)
    gaps = np.diff(times)
    assert gaps.min() >= 3600 / cap - 1e-6  # headways never shorter than the capacity's
    per_minute = np.histogram(times, bins=np.arange(times[0], times[-1] + 61, 60))[0]
    assert per_minute.max() <= np.ceil(cap / 60) + 1e-9


def test_discharge_times_solve_the_point_queue_recursion() -> None:
    rng = np.random.default_rng(5)
    group = np.sort(rng.integers(0, 6, 200))
    ready = np.concatenate([np.sort(rng.uniform(0, 300, np.sum(group == g)))
                            for g in range(6)])
    slot, head = rng.uniform(0, 100, 6), rng.uniform(1, 5, 6)
    got = discharge_times(ready, group, slot, head)
    for g in range(6):
        e_prev = None
        for r, e in zip(ready[group == g], got[group == g], strict=True):
            want = max(r, slot[g]) if e_prev is None else max(r, e_prev + head[g])
            assert e == pytest.approx(want)
            e_prev = e


def test_two_exits_split_demand_by_travel_time() -> None:
    """Cars leave a node with two routes to safety: the short route takes cars until its
    queue makes it as slow as the long one, and then both are used."""
    # 0 → 1 (short, narrow) → 3 and 0 → 2 (long, wide) → 3.
    roads = graph([(0, 0), (500, 0), (600, 600), (1000, 0)],
                  [(0, 1, 500.0, 12.5, 600.0, 1), (1, 3, 500.0, 12.5, 600.0, 1),
                   (0, 2, 900.0, 12.5, 6000.0, 3), (2, 3, 900.0, 12.5, 6000.0, 3)])
    n = 400
    traffic = Traffic(roads, n, [np.array([3])], TrafficParams(reroute_every_s=60))
    traffic.start(np.arange(n), np.linspace(0, 600, n), np.zeros(n, int), np.zeros(n, int),
                  np.zeros(n, bool))
    short, long_ = set(), set()
    usable, factor = np.ones(4, bool), np.ones(4)
    t = 0.0
    while t < 3600:
        traffic.route(t, usable, factor)
        traffic.step(t, t + 10, usable, factor)
        short |= set(np.flatnonzero(traffic.link == 0).tolist())
        long_ |= set(np.flatnonzero(traffic.link == 2).tolist())
        t += 10
    assert len(short) + len(long_) == n and not short & long_
    # Alone, the short route is faster (80 s vs 144 s), so the first cars take it...
    assert 0 in short
    # ...but at 600 veh/h it cannot take 400 cars in 10 minutes: most go the long way.
    assert 0.1 * n < len(short) < 0.5 * n


def test_a_closed_link_is_never_used() -> None:
    roads = graph([(0, 0), (500, 0), (500, 500), (1000, 0)],
                  [(0, 1, 500.0, 12.5, 1800.0, 1), (1, 3, 500.0, 12.5, 1800.0, 1),
                   (0, 2, 800.0, 12.5, 1800.0, 1), (2, 3, 800.0, 12.5, 1800.0, 1)])
    n = 30
    traffic = Traffic(roads, n, [np.array([3])])
    traffic.start(np.arange(n), np.zeros(n), np.zeros(n, int), np.zeros(n, int),
                  np.zeros(n, bool))
    used = np.zeros(4, bool)
    usable, factor = np.array([True, False, True, True]), np.ones(4)
    for t in np.arange(0, 1200, 10.0):
        traffic.route(t, usable, factor)
        traffic.step(t, t + 10, usable, factor)
        on = traffic.link[traffic.link >= 0]
        used[on] = True
    assert not used[1] and not used[0]  # L0 leads only to the closed L1
    assert used[2] and used[3]


def test_a_queue_spills_back_onto_the_link_before() -> None:
    """Behind a bottleneck the queue fills its link to storage, then the link before it;
    then cars wait at their origin. No link ever holds more than its storage."""
    roads = graph([(0, 0), (150, 0), (300, 0), (450, 0)],
                  [(0, 1, 150.0, 10.0, 3600.0, 1), (1, 2, 150.0, 10.0, 3600.0, 1),
                   (2, 3, 150.0, 10.0, 360.0, 1)])  # storage 20 each; 1 car / 10 s out
    n = 100
    traffic = Traffic(roads, n, [np.array([3])])
    traffic.start(np.arange(n), np.zeros(n), np.zeros(n, int), np.zeros(n, int),
                  np.zeros(n, bool))
    usable, factor = np.ones(3, bool), np.ones(3)
    full_both = False
    for t in np.arange(0, 600, 10.0):
        traffic.route(t, usable, factor)
        traffic.step(t, t + 10, usable, factor)
        assert (traffic.cars_on <= traffic.links.storage_veh).all()
        # Room freed within a step is used the next step: "full" is storage less one.
        full_both |= bool(traffic.cars_on[2] >= 19 and traffic.cars_on[1] >= 19)
    assert full_both
    assert traffic.queued[1] > 10  # the first link's cars stand in a queue, too


def test_cars_on_a_link_that_closes_are_held_until_it_reopens() -> None:
    roads = chain(2, length_m=300.0, speed=10.0, cap=3600.0)
    traffic = Traffic(roads, 5, [np.array([2])])
    traffic.start(np.arange(5), np.zeros(5), np.zeros(5, int), np.zeros(5, int),
                  np.zeros(5, bool))
    usable, factor = np.ones(2, bool), np.ones(2)
    arrived: dict[int, float] = {}
    for t in np.arange(0, 1200, 10.0):
        usable[1] = not 40 <= t < 600  # closed while the cars drive on it
        traffic.route(t, usable, factor)
        moves = traffic.step(t, t + 10, usable, factor)
        if 40 <= t < 600:
            assert len(moves.held) == 5 and len(moves.arrived) == 0
        arrived.update(zip(moves.arrived.tolist(), moves.arrived_at_s.tolist(), strict=True))
    assert len(arrived) == 5 and min(arrived.values()) >= 600


def test_cars_keep_their_order_on_a_link() -> None:
    """A car that enters a link behind another never reaches its end first, even when it
    would drive faster (lower density when it entered)."""
    roads = chain(3, length_m=300.0, speed=15.0, cap=900.0)
    n = 80
    traffic = Traffic(roads, n, [np.array([3])])
    traffic.start(np.arange(n), np.sort(np.random.default_rng(1).uniform(0, 60, n)),
                  np.zeros(n, int), np.zeros(n, int), np.zeros(n, bool))
    arrived, _ = run(traffic, roads, 1500)
    order = sorted(arrived, key=lambda i: (arrived[i], i))
    assert order == list(range(n))


def test_speed_falls_with_density_to_its_minimum() -> None:
    v = moving_speed(np.full(3, 20.0), np.array([0.0, 10.0, 40.0]), np.full(3, 150.0),
                     np.ones(3), 7.5, 0.1)
    assert v[0] == 20.0
    assert v[1] == pytest.approx(20.0 * (0.1 + 0.9 * 0.5))
    assert v[2] == pytest.approx(2.0)
