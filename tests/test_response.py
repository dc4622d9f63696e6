"""The response model on tiny scenarios: dispatch policies and their logged reasons, crews,
hospitals that divert and queue, reserve teams, standing down, resupply of shelters and an
inject that cuts the road to them."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import simpy
from builders import tiny, write

from drillsim.agents.casualties import CasualtyFlow
from drillsim.agents.incidents import IncidentBoard
from drillsim.scenarios import load
from drillsim.sim import run
from drillsim.sim.impacts import watch_impacts
from drillsim.sim.model import DrillModel


def line_scenario(**plan: Any) -> dict[str, Any]:
    """Zones Z1 at A and Z2 at C, 1 km apart each side of B; station F1 at A; no hazard,
    no orders."""
    data = tiny()
    data["meta"]["duration"] = "12h"
    data["region"]["stations"] = [{"id": "F1", "node": "A"}]
    data["hazards"] = []
    data["plan"] = {"id": "p", "teams": [{"id": "T1", "type": "fire_rescue", "size": 10,
                                          "base": "F1"}], **plan}
    data["injects"] = {}
    return data


def start(tmp_path: Path, data: dict[str, Any], seed: int = 1) -> DrillModel:
    compiled = load(write(tmp_path, data))
    model = DrillModel(compiled, seed)
    model.env.process(watch_impacts(model))
    for install in compiled.installers:
        install(model)
    return model


def at(model: DrillModel, t_s: float, fn: Any) -> None:
    def proc() -> Generator[simpy.Event]:
        yield model.env.timeout(t_s)
        fn()
    model.env.process(proc())


def frame(model: DrillModel) -> pd.DataFrame:
    return model.log.to_table().to_pandas()


@pytest.mark.parametrize(("policy", "first", "words"), [
    ("nearest", "near", "nearest capable pair: 0.0 min away"),
    ("severity", "far", "most severe waiting (severity 3"),
    ("weighted", "far", "highest score"),
])
def test_dispatch_policy_chooses_and_says_why(tmp_path: Path, policy: str, first: str,
                                              words: str) -> None:
    """One team at A; a minor fire at A (no travel) and a severe one at C (2 km): the nearest
    policy takes the near one first, the severity policy the severe one; the weighted rule
    with the default weights also the severe one (3 − 0.07 h of travel > 1)."""
    model = start(tmp_path, line_scenario(dispatch={"policy": policy}))
    board = IncidentBoard.of(model)
    at(model, 60, lambda: [board.create("near", "fire", 0, 1, severity=1),
                           board.create("far", "fire", 1, 1, severity=3)])
    model.env.run(until=6 * 3600)
    assigned = frame(model)
    assigned = assigned[assigned.kind == "incident.assign"]
    assert assigned.actor.tolist() == [first, "far" if first == "near" else "near"]
    assert words in assigned.reason.iloc[0]
    assert (assigned.policy == policy).all()
    assert (assigned.team == "T1").all()


def test_a_team_works_units_with_its_crews_and_closes_the_incident(tmp_path: Path) -> None:
    """Six people trapped at C, one USAR team of three crews with a fixed 1 h per person:
    it drives 2 km (120 s at 60 km/h... here 36 km/h: 200 s), frees three at a time, and the
    incident closes after two rounds."""
    data = line_scenario()
    data["plan"]["teams"] = [{"id": "U1", "type": "usar", "size": 30, "base": "F1",
                              "crews": 3}]
    data["incidents"] = {"types": {"collapse_rescue": {"work_time": "1h",
                                                       "survival": "none"}}}
    model = start(tmp_path, data)
    board = IncidentBoard.of(model)
    at(model, 0, lambda: board.create("site", "collapse_rescue", 1, 6))
    model.env.run(until=6 * 3600)
    f = frame(model)
    arrive = f[(f.kind == "team.arrive") & (f.task == "site")].t_s.iloc[0]
    assert arrive == pytest.approx(2000 / 10.0)
    freed = f[f.kind == "rescue.alive"]
    assert freed.qty.sum() == 6
    assert sorted(freed.t_s.round(6).unique()) == [round(arrive + 3600, 6),
                                                   round(arrive + 7200, 6)]
    closed = f[f.kind == "incident.close"].iloc[0]
    assert closed.reason == "done" and closed.qty == 6
    assert closed.t_s == pytest.approx(arrive + 7200)


def test_trapped_people_die_while_they_wait_and_the_tallies_follow(tmp_path: Path) -> None:
    """No team can work the collapse: over 72 h the survival curve leaves about 3.4 % of
    1,000 people alive (Tangshan curve: 7.4 % on day 5 …), the rest die waiting, logged
    as such."""
    data = line_scenario()
    data["meta"]["duration"] = "72h"
    model = start(tmp_path, data)
    board = IncidentBoard.of(model)
    at(model, 0, lambda: board.create("site", "collapse_rescue", 1, 1000))
    model.env.run(until=72 * 3600)
    f = frame(model)
    died = f[(f.kind == "people.killed") & (f.cause == "waiting:site")].qty.sum()
    from drillsim.sim.hazards.quake.trapped import survival
    expected_alive = 1000 * float(survival(72.0))
    assert 1000 - died == pytest.approx(expected_alive, abs=4 * (expected_alive ** 0.5) + 5)


def test_hospitals_admit_divert_and_queue(tmp_path: Path) -> None:
    """12 casualties at A: H1 there has 5 free beds (10, half in use), H2 at C 4; 5 are
    admitted at H1, 7 go on to H2 (diverted because H1 is full), 4 are admitted there and 3
    wait for a bed."""
    data = line_scenario()
    data["region"]["hospitals"] = [
        {"id": "H1", "node": "A", "beds": 10, "occupied": 0.5},
        {"id": "H2", "node": "C", "beds": 4, "occupied": 0.0, "level": "tertiary"}]
    model = start(tmp_path, data)
    flow = CasualtyFlow.of(model)
    at(model, 60, lambda: flow.injured(0, 12, 2, "test"))
    model.env.run(until=3600)
    f = frame(model)
    admits = f[f.kind == "hospital.admit"]
    assert admits[["actor", "qty"]].values.tolist() == [["H1", 5.0], ["H2", 4.0]]
    divert = f[f.kind == "hospital.divert"].iloc[0]
    assert (divert.actor, divert.target, divert.qty, divert.reason) == ("H1", "H2", 7.0,
                                                                        "full")
    queue = f[f.kind == "hospital.queue"].iloc[0]
    assert (queue.actor, queue.qty) == ("H2", 3.0)
    assert admits.t_s.iloc[1] - admits.t_s.iloc[0] == pytest.approx(200.0)
    assert set(f[f.kind == "hospital.full"].actor) == {"H1", "H2"}


def test_medical_team_carries_critical_casualties_to_the_nearest_capable_hospital(
        tmp_path: Path) -> None:
    """Severity 3 at C: the medical team from A drives there, treats two (15 min each, fixed
    here) and carries both to the tertiary hospital at C rather than the primary one at A."""
    data = line_scenario()
    data["plan"]["teams"] = [{"id": "M1", "type": "medical", "size": 6, "base": "F1",
                              "carries": 2}]
    data["region"]["hospitals"] = [
        {"id": "H1", "node": "A", "beds": 50, "occupied": 0.0, "level": "primary"},
        {"id": "H2", "node": "B", "beds": 50, "occupied": 0.0, "level": "tertiary"}]
    data["incidents"] = {"types": {"casualty": {"work_time": "15min"}}}
    model = start(tmp_path, data)
    flow = CasualtyFlow.of(model)
    at(model, 0, lambda: flow.injured(1, 2, 3, "test"))
    model.env.run(until=3 * 3600)
    f = frame(model)
    admit = f[f.kind == "hospital.admit"].iloc[0]
    assert (admit.actor, admit.qty, admit.by, admit.severity) == ("H2", 2.0, "M1", 3)
    assert admit.t_s == pytest.approx(200 + 2 * 900 + 100)


def test_reserve_team_waits_for_its_level_and_the_level_stands_down(tmp_path: Path) -> None:
    data = line_scenario(
        teams=[{"id": "T1", "type": "fire_rescue", "size": 10, "base": "F1"},
               {"id": "T2", "type": "usar", "size": 30, "base": "F1",
                "available_after": "30min"}],
        levels=[{"level": "IV", "any_of": [{"at": "1h"}], "activates": {"teams": ["T2"]},
                 "stand_down": {"any_of": [{"at": "3h"}]}}])
    f = frame_of_run(tmp_path, data)
    levels = f[f.kind == "plan.level"]
    assert levels[["t_s", "level", "previous", "reason"]].values.tolist() == [
        [3600.0, "IV", "none", "escalate"], [3 * 3600.0, "none", "IV", "stand down"]]
    init = f[(f.kind == "team.init") & (f.actor == "T2")].iloc[0]
    assert bool(init.reserve)
    ready = f[f.kind == "team.ready"].set_index("actor").t_s
    assert ready["T1"] == 0.0 and ready["T2"] == pytest.approx(3600 + 1800)


def test_a_counter_level_comes_back_only_when_the_count_grows(tmp_path: Path) -> None:
    data = line_scenario(levels=[
        {"level": "IV", "any_of": [{"metric": "deaths", "op": ">=", "value": 3}],
         "stand_down": {"any_of": [{"at": "3h"}]}}])
    data["injects"] = {"scripted": [
        {"id": "R1", "at": "1h", "action": "report", "counter": "deaths", "value": 3},
        {"id": "R2", "at": "5h", "action": "report", "counter": "deaths", "value": 1}]}
    f = frame_of_run(tmp_path, data)
    levels = f[f.kind == "plan.level"]
    assert levels[["t_s", "reason"]].values.tolist() == [
        [3600.0, "escalate"], [3 * 3600.0, "stand down"], [5 * 3600.0, "escalate"]]


def frame_of_run(tmp_path: Path, data: dict[str, Any], seed: int = 1) -> pd.DataFrame:
    return run(load(write(tmp_path, data)), seed).log.to_table().to_pandas()


def river_town(close_bridge: bool) -> dict[str, Any]:
    """A shelter at C across the river from the only depot and the relief truck at A; the
    bridge B–C is the short way, a road round by D (20 km) the long one. Z2 (at C) is
    evacuated to the shelter, which holds no stock: its people get basic relief only when
    the truck brings it. With ``close_bridge`` an inject closes the bridge at 10 minutes."""
    data = line_scenario(
        teams=[{"id": "R1", "type": "relief_transport", "size": 4, "base": "F1"}],
        orders=[{"id": "evac", "action": "evacuate", "zones": ["Z2"],
                 "any_of": [{"at": "1min"}]}],
        resupply={"when_below": "12h", "up_to": "1d"})
    region = data["region"]
    region["roads"]["nodes"].append({"id": "D", "x": 1000, "y": 9950})
    region["roads"]["links"] += [
        {"id": "AD", "from": "A", "to": "D", "free_speed_km_h": 36},
        {"id": "DC", "from": "D", "to": "C", "free_speed_km_h": 36}]
    region["shelters"] = [{"id": "S1", "node": "C", "class": "II", "capacity_persons": 800}]
    region["depots"] = [{"id": "D1", "node": "A", "tier": "community",
                         "stocks": {"water_l": 50_000, "food_rations": 20_000}}]
    data["population"] = {"public_shelter_share": 1.0}
    if close_bridge:
        data["injects"] = {"scripted": [{"id": "BRIDGE", "at": "10min", "action": "close_link",
                                         "link": "BC"}]}
    return data


def relief_times(f: pd.DataFrame) -> pd.Series:
    """Per household: seconds from admission to basic relief."""
    admitted = f[f.kind == "shelter.admit"].set_index("household").t_s
    relieved = f[f.kind == "relief.basic"].set_index("household").t_s
    return (relieved.reindex(admitted.index) - admitted)


def test_closing_the_only_bridge_delays_relief_to_the_far_bank(tmp_path: Path) -> None:
    """Both runs share the seed, so the same households arrive at the same times; with the
    bridge closed the truck goes round by D and every household waits longer for relief (by
    the 1,800 s longer drive, give or take the 10-minute resupply reviews)."""
    open_ = frame_of_run(tmp_path, river_town(False))
    closed = frame_of_run(tmp_path, river_town(True))
    assert (closed[closed.kind == "link.close"].actor == "BC").all()
    t_open, t_closed = relief_times(open_), relief_times(closed)
    assert t_open.notna().all() and t_closed.notna().all() and len(t_open) > 10
    assert t_closed.mean() - t_open.mean() > 1200
    trips = closed[(closed.kind == "team.dispatch") & (closed.task == "deliver:S1")]
    assert trips.qty.iloc[0] == pytest.approx(2 * 10_000 / 10.0, rel=0.01)
    delivered = closed[closed.kind == "relief.deliver"]
    assert set(delivered.item) == {"water_l", "food_rations"}
    dispatched = closed[closed.kind == "relief.dispatch"]
    assert (dispatched.place == "D1").all() and (dispatched.target == "S1").all()


def test_shelters_report_their_stocks_hourly_and_the_series_follows(tmp_path: Path) -> None:
    from drillsim.analysis.logframe import LogFrame
    from drillsim.analysis.metrics import SERIES

    result = run(load(write(tmp_path, river_town(False))), 1)
    f = result.log.to_table().to_pandas()
    stock = f[f.kind == "shelter.stock"]
    assert len(stock) and (stock.t_s % 3600 == 0).all() and (stock.actor == "S1").all()
    delivered = f[(f.kind == "relief.deliver") & (f.item == "water_l")].qty.sum()
    assert 0 < stock.water_l.max() <= delivered
    times = stock.t_s.to_numpy()
    water = SERIES["shelter_stock_water_l"][0](LogFrame.of(result.log), times)
    assert water.tolist() == pytest.approx(stock.water_l.tolist())


# -- regressions: situations where work could be left waiting ----------------------------------

def test_a_reopened_road_lets_dispatch_send_a_waiting_team(tmp_path: Path) -> None:
    """The only road to a fire is closed when it starts; once an inject opens it, the free
    team is sent within the dispatch's periodic look (10 min)."""
    data = line_scenario()
    data["injects"] = {"scripted": [
        {"id": "X", "at": "1min", "action": "close_link", "link": "BC"},
        {"id": "Y", "at": "1h", "action": "open_link", "link": "BC"}]}
    model = start(tmp_path, data)
    board = IncidentBoard.of(model)
    at(model, 120, lambda: board.create("fire1", "fire", 1, 1))
    model.env.run(until=3 * 3600)
    f = frame(model)
    assigned = f[f.kind == "incident.assign"]
    assert len(assigned) == 1 and 3600 <= assigned.t_s.iloc[0] <= 3600 + 600


def test_an_ambulance_away_at_hospital_does_not_hold_its_place_at_the_scene(
        tmp_path: Path) -> None:
    """Three critical casualties; M1 carries two away; M2, ready later, is sent for the
    third at once instead of waiting for M1 to come back."""
    data = line_scenario()
    data["plan"]["teams"] = [
        {"id": "M1", "type": "medical", "size": 6, "base": "F1", "carries": 2},
        {"id": "M2", "type": "medical", "size": 6, "base": "F1", "carries": 2,
         "available_after": "65min"}]
    data["region"]["hospitals"] = [{"id": "H1", "node": "A", "beds": 50, "occupied": 0.0}]
    data["region"]["roads"]["links"][0]["free_speed_km_h"] = 2  # A–B: 30 min each way
    data["incidents"] = {"types": {"casualty": {"work_time": "15min"}}}
    model = start(tmp_path, data)
    flow = CasualtyFlow.of(model)
    at(model, 0, lambda: flow.injured(1, 3, 3, "test"))
    model.env.run(until=6 * 3600)
    f = frame(model)
    m2 = f[(f.kind == "incident.assign") & (f.team == "M2")]
    assert m2.t_s.tolist() == [3900.0]  # the moment it is ready


def test_teams_are_not_sent_where_the_crews_already_there_cover_the_work(
        tmp_path: Path) -> None:
    """Two sites of three people and three USAR teams of three crews: one team each."""
    data = line_scenario()
    data["plan"]["teams"] = [{"id": f"U{k}", "type": "usar", "size": 30, "base": "F1",
                              "crews": 3} for k in (1, 2, 3)]
    data["incidents"] = {"types": {"collapse_rescue": {"work_time": "1h", "survival": "none"}}}
    model = start(tmp_path, data)
    board = IncidentBoard.of(model)
    at(model, 0, lambda: [board.create("far", "collapse_rescue", 1, 3),
                          board.create("near", "collapse_rescue", 0, 3)])
    model.env.run(until=6 * 3600)
    assigned = frame(model)
    assigned = assigned[assigned.kind == "incident.assign"]
    assert sorted(assigned.actor) == ["far", "near"]


def test_an_ambulance_with_no_open_hospital_leaves_its_casualties_queued(
        tmp_path: Path) -> None:
    data = line_scenario()
    data["plan"]["teams"] = [{"id": "M1", "type": "medical", "size": 6, "base": "F1"}]
    data["region"]["hospitals"] = [{"id": "H1", "node": "A", "beds": 50, "occupied": 0.0}]
    data["injects"] = {"scripted": [{"id": "X", "at": "1min", "action": "close_facility",
                                     "facility": "H1"}]}
    data["incidents"] = {"types": {"casualty": {"work_time": "15min"}}}
    model = start(tmp_path, data)
    flow = CasualtyFlow.of(model)
    at(model, 120, lambda: flow.injured(1, 2, 3, "test"))
    model.env.run(until=6 * 3600)
    f = frame(model)
    queued = f[f.kind == "hospital.queue"]
    assert queued.qty.sum() == 2 and (queued.actor == "H1").all()
    assert f[f.kind == "team.free"].actor.tolist()[-1] == "M1"
    assert f[f.kind == "incident.close"].qty.tolist() == [2.0]


def test_a_relief_trip_stops_when_its_depot_or_shelter_closes(tmp_path: Path) -> None:
    data = river_town(False)
    data["injects"] = {"scripted": [
        {"id": "SCL", "at": "2500s", "action": "close_facility", "facility": "S1"}]}
    f = frame_of_run(tmp_path, data)
    closed = 2500.0
    delivered = f[(f.kind == "relief.deliver") & (f.t_s >= closed)]
    assert delivered.empty
    # the first load left the depot at 2,400 s and reaches the shelter at 2,600 s, closed
    back = f[(f.kind == "team.dispatch") & f.task.str.startswith("return:", na=False)]
    assert back[["t_s", "task"]].values.tolist() == [[2600.0, "return:D1"]]


def test_a_stand_down_time_is_kept_exactly(tmp_path: Path) -> None:
    data = line_scenario(review_every="7min", levels=[
        {"level": "IV", "any_of": [{"at": "1h"}], "stand_down": {"any_of": [{"at": "3h"}]}}])
    levels = frame_of_run(tmp_path, data)
    levels = levels[levels.kind == "plan.level"]
    assert levels.t_s.tolist() == [3600.0, 10800.0]


def test_injects_name_links_and_teams_that_exist(tmp_path: Path) -> None:
    from drillsim.scenarios import ScenarioError

    data = line_scenario()
    data["injects"] = {"scripted": [
        {"id": "X", "at": "1min", "action": "close_link", "link": "NOPE"},
        {"id": "Y", "at": "2min", "action": "delay_team", "team": "GHOST", "delay": "1h"}]}
    with pytest.raises(ScenarioError) as err:
        load(write(tmp_path, data))
    assert "injects.scripted[0].link: no road link with id 'NOPE'" in str(err.value)
    assert "injects.scripted[1].team: no team with id 'GHOST'" in str(err.value)


def test_boats_cross_flooded_roads_and_hazmat_crews_cross_the_cloud(tmp_path: Path) -> None:
    """Routes for response vehicles: a road a flood closed is passable by a water-rescue
    team at boat speed (2.5 m/s), one a toxic cloud closed by a hazmat crew at free speed,
    and neither by anyone else; a road an inject closed by nobody."""
    from types import SimpleNamespace

    from drillsim.agents.teams import BOAT_SPEED_M_S, Routes
    from drillsim.sim.state import WorldState

    compiled = load(write(tmp_path, line_scenario()))
    world = compiled.world
    hazards = [SimpleNamespace(spec=SimpleNamespace(id="river"), kind="flood"),
               SimpleNamespace(spec=SimpleNamespace(id="leak"), kind="chemical")]
    state = WorldState(world)
    model = SimpleNamespace(state=state, world=world, hazards=hazards)
    roads = world.roads
    a, c = roads.index("A"), roads.index("C")
    bc = roads.link_index("BC")
    routes = Routes(model)  # type: ignore[arg-type]
    assert routes.time(a, c) == pytest.approx(200.0)  # 2 km at 36 km/h

    state.link_speed_factor[bc] = 0.0
    state.link_closed_by[bc] = "river"
    state.refresh_links()
    assert routes.time(a, c) == float("inf")
    assert routes.time(a, c, "water_rescue") == pytest.approx(100.0 + 1000.0 / BOAT_SPEED_M_S)
    assert routes.time(a, c, "hazmat") == float("inf")

    state.link_closed_by[bc] = "leak"
    state.link_speed_factor[bc] = 0.0
    state.refresh_links()
    routes = Routes(model)  # type: ignore[arg-type]
    assert routes.time(a, c, "hazmat") == pytest.approx(200.0)
    assert routes.time(a, c, "water_rescue") == float("inf")

    state.link_held[bc] = True  # an inject's roadblock stops everyone
    state.refresh_links()
    assert routes.time(a, c, "hazmat") == float("inf")


def test_the_flood_example_takes_people_off_by_boat() -> None:
    from builders import example_run

    f = example_run("riverside-flood", 3).log.to_table().to_pandas()
    freed = f[(f.kind == "rescue.alive") & (f.type == "water_rescue")]
    boats = f[(f.kind == "evac.depart") & (f["mode"] == "boat")]
    assert freed.qty.sum() > 100 and boats.qty.sum() == freed.qty.sum()
    teams = f[f.kind == "team.init"].set_index("actor").type
    assert set(teams[freed.actor.unique()]) == {"water_rescue"}


def test_critical_casualties_waiting_for_a_bed_die_on_the_critical_curve(
        tmp_path: Path) -> None:
    """400 critically injured reach a full hospital by their own means (no medical team in
    the plan): over 12 h about 1 − 0.5^(12/6) = 75 % of them die waiting, and the census
    moves them from the hospital tally to the dead."""
    from drillsim.agents.incidents import critical_survival

    data = line_scenario()
    data["region"]["hospitals"] = [{"id": "H1", "node": "A", "beds": 10, "occupied": 1.0}]
    model = start(tmp_path, data)
    flow = CasualtyFlow.of(model)
    at(model, 0, lambda: flow.injured(0, 400, 3, "test"))
    model.env.run(until=12 * 3600 + 1)
    f = frame(model)
    died = f[(f.kind == "people.killed") & (f.cause == "waiting for a bed:H1")].qty.sum()
    expected = 400 * (1 - float(critical_survival(12.0)))
    assert died == pytest.approx(expected, abs=4 * (400 * 0.25 * 0.75) ** 0.5)


def test_a_level_opens_the_hospitals_surge_beds(tmp_path: Path) -> None:
    """Level IV at 1 h opens 20 % more beds 4 h later: the 10 people waiting at the full
    hospital of 40 beds get the 8 new ones."""
    data = line_scenario(
        levels=[{"level": "IV", "any_of": [{"at": "1h"}],
                 "activates": {"hospital_surge": True}}],
        hospital_surge={"share": 0.2, "after": "4h"})
    data["region"]["hospitals"] = [{"id": "H1", "node": "A", "beds": 40, "occupied": 1.0}]
    model = start(tmp_path, data)
    flow = CasualtyFlow.of(model)
    at(model, 60, lambda: flow.injured(0, 10, 2, "test"))
    model.env.run(until=8 * 3600)
    f = frame(model)
    surge = f[f.kind == "hospital.surge"]
    assert surge[["t_s", "actor", "qty", "level"]].values.tolist() == [
        [5 * 3600.0, "H1", 8.0, "IV"]]
    admitted = f[f.kind == "hospital.admit"]
    assert admitted.qty.sum() == 8 and (admitted.t_s == 5 * 3600.0).all()
