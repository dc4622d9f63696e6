"""The earthquake in a run: the city-earthquake example and small variations of it.

Oracles: conservation of people (every resident is somewhere in the census, casualties
included), the Hazus casualty rates applied to the realised damage (the deaths at the
mainshock must match their expectation within its spread), the realised bridge and facility
damage against the roads and facilities the run closes, the disaster chain's site, and the
determinism of (scenario, seed).
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import example, example_run

from drillsim.agents.quake import QuakeAftermath, indoor_share
from drillsim.sim.hazards.quake.hazard import QuakeHazard
from drillsim.sim.model import DrillModel

NAME, SEED = "city-earthquake", 3


@pytest.fixture(scope="module")
def frame():
    return example_run(NAME, SEED).log.to_table().to_pandas()


def _quake(result) -> QuakeHazard:
    return next(h for h in result.hazards if isinstance(h, QuakeHazard))


def test_people_are_conserved_with_casualties(frame) -> None:
    census = frame[(frame.kind == "evac.census") & (frame.actor == "region")]
    assert (census.qty == 152_000).all()
    last = census.iloc[-1]
    parts = ["home", "on_way", "sheltered", "safe", "hospital", "dead", "trapped"]
    assert sum(int(last[p]) for p in parts) == 152_000
    killed = frame[(frame.kind == "people.killed") & (frame.seq < last.seq)].qty.sum()
    assert int(last["dead"]) == killed > 0
    created = frame[frame.kind == "incident.create"]
    trapped = created[created.type == "collapse_rescue"]
    assert len(trapped) > 0
    before = frame[frame.seq < last.seq]  # what the last census has seen
    waiting = before[(before.kind == "people.killed") & before.cause.str.startswith("waiting:")]
    died = waiting[waiting.cause.str.removeprefix("waiting:").isin(trapped.actor)]
    freed = before[(before.kind == "rescue.alive") & (before.type == "collapse_rescue")]
    assert freed.qty.sum() > 0
    assert int(last["trapped"]) == trapped.qty.sum() - died.qty.sum() - freed.qty.sum()
    assert log_trapped(frame) == trapped.qty.sum()


def log_trapped(frame) -> float:
    """The trapped counter counts collapse and water rescues only."""
    rescues = frame[(frame.kind == "incident.create")
                    & frame.type.isin(["collapse_rescue", "water_rescue"])]
    return float(rescues.qty.sum())


def test_counters_feed_the_plan(frame) -> None:
    log = example_run(NAME, SEED).log
    reports = frame[frame.kind == "drill.report"]

    def reported(counter: str) -> float:
        return reports[reports.counter == counter].qty.sum()

    assert log.counters["deaths"] == (frame[frame.kind == "people.killed"].qty.sum()
                                      + reported("deaths"))
    assert log.counters["displaced"] == (frame[frame.kind == "people.displaced"].qty.sum()
                                         + reported("displaced"))
    assert frame[frame.kind == "people.displaced"].qty.sum() > 0
    assert log.counters["rooms_collapsed"] == (frame[frame.kind == "housing.damage"].qty.sum()
                                               + reported("rooms_collapsed"))
    levels = frame[frame.kind == "plan.level"].level.tolist()
    assert "III" in levels  # 10 or more dead: the national earthquake plan's level III


def test_mainshock_deaths_match_hazus_rates_on_the_realised_damage() -> None:
    compiled = example(NAME)
    model = DrillModel(compiled, SEED)
    for install in compiled.installers:
        install(model)
    size0 = None
    after = next(a for a in model.agents if isinstance(a, QuakeAftermath))
    size0 = after.residents.table.size.copy()
    model.env.run(until=601)  # the mainshock strikes at 10 min
    quake = after.quake
    home = after.home
    has = home >= 0
    b = home[has]
    state, collapsed = quake.damage.state[0][b], quake.damage.collapsed[0][b]
    kind = quake.buildings.kind[b]
    row = np.where(collapsed, 4, state.astype(int) - 1)
    p4 = np.where(state > 0, after.rates[kind, np.maximum(row, 0), 3], 0.0)
    persons = size0[has] * indoor_share(2.0 + 10 / 60)
    expected = float((persons * p4).sum())
    spread = float(np.sqrt((persons * p4 * (1 - p4)).sum()))
    log = model.log.to_table().to_pandas()
    got = log[(log.kind == "people.killed") & (log.cause == "mainshock")].qty.sum()
    assert abs(got - expected) <= 4 * spread + 2, (got, expected, spread)


def test_bridges_and_facilities_close_by_their_damage(frame) -> None:
    quake = _quake(example_run(NAME, SEED))
    bridges = list(quake.bridge_roads)
    final = quake.bridge_state[-1]
    closed = set(frame[(frame.kind == "link.close") & (frame.reason == "mainshock")].actor)
    assert closed == {r for r, s in zip(bridges, final, strict=True) if s >= 3}
    world = example(NAME).world
    for kind, state in quake.facility_state.items():
        broken = {world.facilities(kind).ids[i] for i in np.flatnonzero(state[-1] >= 3)}
        shut = set(frame[(frame.kind == "facility.close")
                         & frame.actor.isin(world.facilities(kind).ids)].actor)
        assert broken <= shut


def test_displaced_households_leave_for_shelters(frame) -> None:
    told = frame[(frame.kind == "evac.decide") & (frame.reason == "home damaged")]
    assert len(told) > 0
    left = frame[(frame.kind == "evac.depart") & frame.actor.isin(set(told.actor))]
    assert len(left) / len(told) > 0.9
    dest = frame[frame.kind.isin(["shelter.admit", "shelter.turn_away", "shelter.wait"])
                 & frame.household.isin(set(told.actor))]
    assert len(dest) > 0  # they head for public shelters, not out of the region


def test_aftershocks_follow_the_mainshock(frame) -> None:
    shocks = frame[frame.kind == "quake.shock"]
    assert not shocks.iloc[0].aftershock and shocks.iloc[0].qty == pytest.approx(6.8)
    after = shocks.iloc[1:]
    assert after.aftershock.all() and (after.qty < 6.8).all() and (after.qty >= 4.5).all()
    assert after.t_s.is_monotonic_increasing


def test_chain_starts_the_chlorine_leak_only_if_the_store_fails(frame) -> None:
    quake = _quake(example_run(NAME, SEED))
    onset = frame[(frame.kind == "hazard.onset") & (frame.actor == "chlorine-leak")]
    failed_at = quake.failure_time("WTP1")
    if failed_at is None:
        assert onset.empty
    else:
        assert onset.t_s.tolist() == [pytest.approx(failed_at + 600)]
        assert onset.cause.tolist() == ["mainshock"] and onset.site.tolist() == ["WTP1"]


def test_same_seed_same_earthquake() -> None:
    a = DrillModel(example(NAME), SEED).hazards[0]
    b = DrillModel(example(NAME), SEED).hazards[0]
    c = DrillModel(example(NAME), SEED + 1).hazards[0]
    assert np.array_equal(a.damage.state, b.damage.state)
    assert np.array_equal(a.shaking.zone_pga_g, b.shaking.zone_pga_g)
    assert not np.array_equal(a.shaking.zone_pga_g[0], c.shaking.zone_pga_g[0])


def test_a_store_that_holds_leaves_its_chained_hazard_dormant(tmp_path) -> None:
    from builders import tiny, write

    from drillsim.scenarios import load
    from drillsim.sim import run

    data = tiny(hazards=[
        {"id": "shock", "kind": "earthquake", "start": "5min", "magnitude": 6.0,
         "hypocentre": {"x": 1000, "y": -5000, "depth_km": 10}, "aftershocks": False},
        {"id": "leak", "kind": "chemical", "triggered_by": {"hazard": "shock", "site": "T1"},
         "duration": "30min", "chemical": "ammonia", "source": {"x": 0, "y": 0},
         "rate_kg_s": 1.0, "weather": {"wind_speed_m_s": 3, "wind_from_deg": 0,
                                         "stability": "D"}},
    ])
    for median, starts in ((50.0, False), (0.001, True)):
        data["region"]["sites"] = [{"id": "T1", "kind": "hazmat", "x": 0, "y": 0,
                                    "fragility": {"median_pga_g": median, "beta": 0.5}}]
        log = run(load(write(tmp_path, data)), 1).log.to_table().to_pandas()
        onset = log[(log.kind == "hazard.onset") & (log.actor == "leak")]
        assert len(onset) == int(starts)
        if starts:
            assert onset.t_s.iloc[0] == 300.0 and onset.site.iloc[0] == "T1"


def test_bad_buildings_and_chains_get_located_messages(tmp_path) -> None:
    from builders import tiny, write

    from drillsim.scenarios import check

    data = tiny(hazards=[
        {"id": "shock", "kind": "earthquake", "magnitude": 6.0,
         "hypocentre": {"x": 0, "y": 0, "depth_km": 10}},
        {"id": "leak", "kind": "none", "triggered_by": {"hazard": "calm", "site": "T9"}},
    ])
    data["region"]["zones"][0]["buildings"] = {"URML/high": 3, "C9X": 2, "URMM": 4}
    data["region"]["roads"]["links"][1]["bridge_class"] = "HWB99"
    problems = [str(p) for p in check(write(tmp_path, data)).errors]
    text = "\n".join(problems)
    assert "region.zones[0].buildings.URML/high" in text and "'URML/pre'" in text
    assert "buildings.URMM" not in text  # the default level adapts: URM takes low-code curves
    assert "unknown building type 'C9X'" in text
    assert "unknown bridge class 'HWB99'" in text
    assert "hazards[1].triggered_by.hazard: no hazard with id 'calm'" in text
    assert "no site with id 'T9'" in text


def test_outcomes_and_figure_come_from_the_log(frame, tmp_path) -> None:
    from drillsim.analysis.logframe import LogFrame
    from drillsim.analysis.plots.quake import write_quake_figures
    from drillsim.analysis.quake import building_damage, quake_outcomes

    result = example_run(NAME, SEED)
    lf = LogFrame.of(result.log)
    o = quake_outcomes(lf)
    assert o["deaths_at_shocks"] + o["deaths_while_trapped"] == frame[
        frame.kind == "people.killed"].qty.sum()
    quake = _quake(result)
    assert o["bridges_closed"] == int((quake.bridge_state[-1] >= 3).sum())
    damage = building_damage(lf)
    final = np.bincount(quake.damage.state[-1], minlength=5)
    assert [damage[s] for s in ("slight", "moderate", "extensive", "complete")] == \
        final[1:].tolist()
    assert damage["collapsed"] == int(quake.damage.collapsed[-1].sum())
    paths = write_quake_figures(lf, example(NAME).world, tmp_path)
    assert [p.name for p in paths] == ["earthquake.png"] and paths[0].stat().st_size > 10_000


@pytest.mark.parametrize("model", ["BSSA14", "BA08", "CN-IPE"])
def test_every_ground_motion_model_drives_a_run(model: str, tmp_path) -> None:
    """The logged shaking of each zone is the model's median (no residuals asked), its
    intensity the Worden et al. relation, and a plan trigger reads the PGA field."""
    from builders import tiny, write

    from drillsim.scenarios import load
    from drillsim.sim import run
    from drillsim.sim.hazards.quake import pga_to_mmi
    from drillsim.sim.hazards.quake.shaking import Places, median_motion

    data = tiny(hazards=[{"id": "shock", "kind": "earthquake", "start": "5min",
                          "magnitude": 6.5, "mechanism": "strike-slip",
                          "hypocentre": {"x": 1000, "y": -3000, "depth_km": 10},
                          "fault": {"strike_deg": 90, "dip_deg": 90, "length_km": 20,
                                    "width_km": 12},
                          "ground_motion_model": model, "aftershocks": False,
                          "variability": False}])
    for z in data["region"]["zones"]:
        z["buildings"] = {"URML": 5, "C1L": 5}
    data["plan"]["levels"][0]["any_of"] = [
        {"hazard": "shock", "zones": ["Z1"], "op": ">=", "value": 0.05}]
    compiled = load(write(tmp_path, data))
    log = run(compiled, 1).log.to_table().to_pandas()
    shaking = log[log.kind == "quake.shaking"].set_index("actor")
    quake = QuakeHazard.build(compiled.hazards[0], compiled.world, np.random.default_rng(0))
    zones = compiled.world.zones
    median = median_motion(model, quake.shocks[0], Places(np.asarray(zones.x_m),
                                                          np.asarray(zones.y_m),
                                                          np.asarray(zones.vs30_m_s)),
                           "strike-slip")[0]
    assert shaking.loc[list(zones.ids), "qty"].to_numpy() == pytest.approx(median)
    assert shaking.loc[list(zones.ids), "mmi"].to_numpy() == pytest.approx(
        np.round(pga_to_mmi(median), 2))
    assert median.min() > 0.05 and median.max() < 1.5  # M6.5 at a few km: strong shaking
    levels = log[log.kind == "plan.level"]
    assert levels.t_s.iloc[0] >= 300.0 and levels.level.iloc[0] == "IV"


def test_a_broken_levee_starts_its_flood(tmp_path) -> None:
    """A disaster chain into a modelled hazard: the riverside flood, triggered when an
    earthquake breaks a levee (a site of the region), starts at the failure plus its delay
    and is computed from there on."""
    import shutil
    from pathlib import Path

    import yaml

    from drillsim.scenarios import load
    from drillsim.scenarios.examples import EXAMPLES

    src = Path(EXAMPLES["riverside-flood"])
    for name in ("riverside-region.yaml", "riverside-dem.asc"):
        shutil.copy(src.parent / name, tmp_path / name)
    data = yaml.safe_load(src.read_text().replace("!include riverside-region.yaml", "REGION"))
    data["meta"]["duration"] = "6h"
    data["injects"] = {"scripted": []}
    flood = data["hazards"][0]
    del flood["start"], flood["breach"]
    flood["triggered_by"] = {"hazard": "quake", "site": "LEVEE", "delay": "20min"}
    data["hazards"].insert(0, {"id": "quake", "kind": "earthquake", "start": "30min",
                               "magnitude": 6.0, "aftershocks": False,
                               "hypocentre": {"x": 1000, "y": -2000, "depth_km": 10}})
    text = yaml.safe_dump(data, sort_keys=False)
    (tmp_path / "s.yaml").write_text(
        text.replace("region: REGION", "region: !include riverside-region.yaml"))
    with (tmp_path / "riverside-region.yaml").open("a") as f:
        f.write("sites:\n- {id: LEVEE, kind: levee, x: 1300, y: 940,"
                " fragility: {median_pga_g: 0.01, beta: 0.4}}\n")
    model = DrillModel(load(tmp_path / "s.yaml"), 1)
    flood_model = model.hazards[1]
    assert flood_model.kind == "flood"
    assert flood_model.spec.start_s == 1800.0 + 1200.0
    assert flood_model.spec.params["horizon_s"] == 6 * 3600.0 - 3000.0
    river = (np.array([1200.0]), np.array([900.0]))
    assert flood_model.sample(2999.0, *river)[0] == 0.0
    assert flood_model.sample(3000.0 + 3 * 3600, *river)[0] > 0.5
