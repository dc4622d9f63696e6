"""People under a toxic release: indoor air, toxic loads, AEGL levels, threat-zone orders and
the hazmat team that stops the leak.

Oracles: the indoor-air balance dCi/dt = λ (Co − Ci) solved by hand on the run's own outdoor
series, the ten Berge load Σ Cⁿ Δt against each AEGL's, the threat zone's definition, and the
timeline of dispatch, travel and work.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import example, tiny, write

from drillsim.agents.chemical import ChemicalExposure
from drillsim.scenarios import check, load
from drillsim.sim.hazards.chemical.chemicals import aegl_ppm
from drillsim.sim.model import DrillModel

RELEASE = {"id": "leak", "kind": "chemical", "start": "10min", "duration": "1h",
           "chemical": "chlorine", "source": {"x": -400, "y": 0}, "rate_kg_s": 0.15,
           "terrain": "rural", "stop_on_site": None,
           "weather": {"wind_speed_m_s": 3.0, "wind_from_deg": 270, "stability": "D"}}


def _model(tmp_path, rate_kg_s: float | None = None,  # type: ignore[no-untyped-def]
           **plan_changes):
    release = dict(RELEASE, rate_kg_s=rate_kg_s or RELEASE["rate_kg_s"])
    data = tiny(hazards=[release])
    data["plan"].update(plan_changes)
    model = DrillModel(load(write(tmp_path, data)), 1)
    for install in model.compiled.installers:
        install(model)
    return model


def _exposure(model):  # type: ignore[no-untyped-def]
    return next(a for a in model.agents if isinstance(a, ChemicalExposure))


def _z1_homes() -> tuple[np.ndarray, np.ndarray]:
    """Z1's home points by hand: Z1 (0, 0) and Z2 (2000, 0) are 2 km apart, so Z1's block is
    2 km wide and its 3 x 3 lattice sits at -2000/3, 0, +2000/3 on each axis."""
    step = np.array([-2000.0, 0.0, 2000.0]) / 3
    gx, gy = np.meshgrid(step, step)
    return gx.ravel(), gy.ravel()


def test_indoor_air_and_load_follow_the_balance_by_hand(tmp_path) -> None:
    model = _model(tmp_path)
    agent = _exposure(model)
    hazard = agent.hazard
    lam = 1.5 / 3600.0
    ci = load_ = 0.0
    peaks = [0.0, 0.0]
    for k in range(1, 91):  # 90 minutes from the release
        t = 600.0 + 60.0 * k
        model.env.run(until=t + 1e-6)
        co = float(np.mean(hazard.sample(t, *_z1_homes())))
        ci = co + (ci - co) * np.exp(-lam * 60.0)
        load_ += ci ** 2 * 60.0  # chlorine: n = 2
        peaks = [max(peaks[0], co), max(peaks[1], ci)]
    res = agent.residents
    members = res.table.of_zone(0)
    z1 = members[res.status[members] == 0][0]  # a household of Z1 that never left home
    assert agent.indoor_ppm[z1] == pytest.approx(ci, rel=1e-9)
    assert agent.load[z1] == pytest.approx(load_, rel=1e-9)
    assert peaks[1] < 0.9 * peaks[0]  # indoors the peak is lower
    assert ci > co  # and once the cloud has passed, indoor air is the worse


def test_levels_are_logged_when_loads_pass_each_aegl(tmp_path) -> None:
    model = _model(tmp_path, rate_kg_s=0.6)
    model.env.run(until=4 * 3600.0)
    agent = _exposure(model)
    log = model.log.to_table().to_pandas()
    rows = log[log.kind == "chem.exposure"]
    assert len(rows) > 0
    duration = np.maximum(agent.exposed_s, 60.0)
    for level in (1, 2, 3):
        limit = aegl_ppm("chlorine", level, duration) ** 2 * duration * (1 - 1e-9)
        # the recorded level agrees with the load at the end (levels never go down)
        assert np.all((agent.load >= limit) <= (agent.level >= level))
        logged = rows[rows.aegl == level].qty.sum()
        taken = agent.residents.tallies["hospital"].sum()  # past AEGL-3 at home: emptied
        assert logged == agent.residents.table.size[agent.level >= level].sum() + taken
    assert set(rows.aegl) >= {1, 2}  # a few ppm for an hour around Z1: past AEGL-2


def test_sealed_homes_breathe_less(tmp_path) -> None:
    order = {"id": "sip", "action": "shelter_in_place", "zones": ["Z1"],
             "any_of": [{"at": "5min"}]}
    plain = _model(tmp_path)
    sealed = _model(tmp_path, orders=[*tiny()["plan"]["orders"], order])
    for m in (plain, sealed):
        m.env.run(until=2 * 3600.0)
    a, b = _exposure(plain), _exposure(sealed)
    home = a.residents.table.of_zone(0)
    assert b.load[home].mean() < 0.6 * a.load[home].mean()


def test_threat_zone_orders_pick_the_zones_inside(tmp_path) -> None:
    orders = [*tiny()["plan"]["orders"],
              {"id": "sip-aegl1", "action": "shelter_in_place",
               "zones": {"hazard": "leak", "aegl": 1}, "any_of": [{"at": "40min"}]},
              {"id": "evac-downwind", "action": "evacuate",
               "zones": {"hazard": "leak", "downwind_m": 1000}, "any_of": [{"at": "40min"}]}]
    model = _model(tmp_path, orders=orders)
    model.env.run(until=41 * 60.0)
    log = model.log.to_table().to_pandas()
    hazard = _exposure(model).hazard
    zones = model.world.zones
    ppm = hazard.sample(2400.0, zones.x_m, zones.y_m)
    inside = {zones.ids[i] for i in np.flatnonzero(ppm >= 0.5)}  # chlorine AEGL-1, 60 min
    got = set(log[(log.kind == "plan.order") & (log.actor == "sip-aegl1")].place)
    assert got == inside and got  # Z1 is 400 m downwind
    downwind = set(log[(log.kind == "plan.order") & (log.actor == "evac-downwind")].place)
    assert downwind == {"Z1"}  # Z2 is 2.4 km downwind: outside the 1 km square


def test_a_threat_zone_of_a_flood_is_refused_with_its_place(tmp_path) -> None:
    data = tiny()
    data["plan"]["orders"].append({"id": "x", "action": "evacuate",
                                   "zones": {"hazard": "calm", "aegl": 2}})
    problems = [str(p) for p in check(write(tmp_path, data)).errors]
    assert any("plan.orders[2].zones.hazard" in p and "need a chemical release" in p
               for p in problems), problems


def test_the_park_team_stops_the_leak() -> None:
    from builders import example_run

    result = example_run("chemical-park-chlorine", 5)
    log = result.log.to_table().to_pandas()
    arrive = log[log.kind == "team.arrive"]
    stop = log[log.kind == "hazard.stop"]
    assert len(arrive) == 1 and len(stop) == 1
    work = example("chemical-park-chlorine").hazards[0].params["stop_on_site"]
    assert stop.t_s.iloc[0] == pytest.approx(arrive.t_s.iloc[0] + work)
    hazard = next(h for h in result.hazards if h.kind == "chemical")
    assert hazard.stopped_s == pytest.approx(stop.t_s.iloc[0])
    later = hazard.train.released_s > hazard.stopped_s
    assert later.any() and not hazard.train.mass_kg[later].any()


def test_an_empty_threat_zone_waits_for_the_cloud(tmp_path) -> None:
    """Ordered before the release, the AEGL-1 zone is empty: the order waits and reaches
    the zones once the cloud does (logged once)."""
    orders = [*tiny()["plan"]["orders"],
              {"id": "early", "action": "shelter_in_place",
               "zones": {"hazard": "leak", "aegl": 1}, "any_of": [{"at": "1min"}]}]
    model = _model(tmp_path, orders=orders)
    model.env.run(until=3600.0)
    log = model.log.to_table().to_pandas()
    sent = log[(log.kind == "plan.order") & (log.actor == "early")]
    triggers = log[(log.kind == "plan.trigger") & (log.actor == "early")]
    assert len(triggers) == 1 and len(sent) > 0
    assert sent.t_s.min() > 600.0  # after the release began (10 min)


def test_the_park_example_turns_shelters_and_exposes_people_on_the_road() -> None:
    from builders import example_run

    result = example_run("chemical-park-chlorine", 5)
    log = result.log.to_table().to_pandas()
    hazard = next(h for h in result.hazards if h.kind == "chemical")
    # the cloud's bearing 800 m from the tank: west before the shift at 25 min, then
    # south-west (the wind veers to blow from the north-east)
    angle = np.radians(np.arange(0.0, 360.0, 2.0))
    sx, sy = hazard.train.x_m, hazard.train.y_m
    ring_x, ring_y = sx + 800.0 * np.sin(angle), sy + 800.0 * np.cos(angle)

    def bearing(t: float) -> float:
        return float(np.degrees(angle[np.argmax(hazard.sample(t, ring_x, ring_y))]))

    assert bearing(20 * 60.0) == pytest.approx(270.0, abs=6.0)
    assert bearing(34 * 60.0) == pytest.approx(225.0, abs=10.0)
    sip = log[(log.kind == "plan.order") & (log.action == "shelter_in_place")]
    assert len(sip) > 0
    road = log[(log.kind == "chem.exposure") & (log["where"] == "road")]
    assert road.qty.sum() > 0  # people caught by the cloud on their way out


def test_homes_spread_over_each_zone_block() -> None:
    from drillsim.agents.chemical import home_points

    x = np.array([0.0, 500.0, 0.0, 500.0])
    y = np.array([0.0, 0.0, 500.0, 500.0])
    hx, hy = home_points(x, y)
    assert hx.shape == (4, 9)
    assert np.allclose(hx.mean(axis=1), x) and np.allclose(hy.mean(axis=1), y)
    assert sorted(set(np.round(hx[0], 6))) == pytest.approx([-500 / 3, 0.0, 500 / 3])
    one_x, one_y = home_points(np.array([7.0]), np.array([9.0]))
    assert np.all(one_x == 7.0) and np.all(one_y == 9.0)
