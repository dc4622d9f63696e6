"""Response metrics (rescue, hospitals, relief logistics, teams) on a small event log built by
hand, every answer worked out by hand.

Incidents (F0, a fire with no work units, is left out of everything):

    incident type             zone units created first team  closed  freed alive   died waiting
    C1       collapse_rescue  Z1   10    0       300 (T1)    —       1@3900 1@7500  2@1800 1@5400
                                                                     2@9000 (A1)
    C2       collapse_rescue  Z2   4     0       15900 (T1)  18000   1@18000        1@1800 2@9000
    K1       casualty         Z2   2     0       1200 (T2)   3000    — (carried)    —
    K2       casualty         Z3   1     0       never       3600    —              1@3600
    W1       water_rescue     Z1   3     3600    4800 (B1)   5400    4@5400 (a      —
                                                                     household of 4)
    F1       fire             Z3   1     10800   never       —       —              —

Five killed at 1800 s by the shock itself are not deaths while waiting.

Teams (busy · free · resting, s, to the end at 72000 s):

    T1 usar     ready 0; C1 0–10800; rests 10800–15000; C2 15000–18000   13800 · 54000 · 4200
    T2 medical  ready 600; K1 600–3000 (to H1 at 2100, on to H2 at 2700)   2400 · 69000
    A1 usar     mutual aid, ready 7200; C1 7200 to the end                  64800 · 0
    B1 boat     ready 0; W1 3600–5400                                       1800 · 70200
    R1 relief   ready 0; load at D1 1200, deliver to S1 2400, free 3600    2400 · 69600

Hospitals H1 (10 beds) and H2 (5): admitted 5@900 and 4@1000 (H1), 1@2700 (H1, full), 1
diverted from H1 to H2 and admitted at 3000; 3 queue at H1 at 3600 and 2 at H2 at 4200; H1
admits 2 at 5400 (1 left waiting), H2 admits 4 at 6000 (its 2 waiting first, none left).

Relief seekers (left home for a shelter, not safe elsewhere):

    household persons departs  basic relief  wait
    H1        3       600      3600          3000
    H2        2       1200     43200         42000
    H3        5       3000     never         to the deadline (turned away)
    H6        4       40000    41000         1000
    H5 (2 persons, safe elsewhere at 6000 s), H4 and the boat's H9 (to safety) are not seekers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from drillsim.analysis.evacuation import EVACUATION_SCALARS
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.metrics import SCALARS, SERIES, evaluate, time_series
from drillsim.analysis.response import (
    RESPONSE_SCALARS,
    TRAPPED_TYPES,
    has_response,
    nearest_rank,
)
from drillsim.sim.events import EventLog
from drillsim.sim.plan import Objective

END_S = 72000.0

Event = tuple[float, str, str, str, float, dict[str, Any]]


def ev(t: float, kind: str, actor: str = "", place: str = "", qty: float = math.nan,
       **data: Any) -> Event:
    return (t, kind, actor, place, qty, data)


def incidents() -> list[Event]:
    def create(t: float, iid: str, kind: str, zone: str, units: float) -> Event:
        return ev(t, "incident.create", iid, zone, units, type=kind, cause="hand",
                  severity=3)

    def killed(t: float, zone: str, n: float, incident: str) -> Event:
        return ev(t, "people.killed", zone, zone, n, cause=f"waiting:{incident}")

    def freed(t: float, team: str, zone: str, n: float, incident: str, kind: str) -> Event:
        return ev(t, "rescue.alive", team, zone, n, incident=incident, type=kind)

    return [
        create(0, "C1", "collapse_rescue", "Z1", 10),
        create(0, "C2", "collapse_rescue", "Z2", 4),
        create(0, "K1", "casualty", "Z2", 2),
        create(0, "K2", "casualty", "Z3", 1),
        create(0, "F0", "fire", "Z3", 0),
        ev(0, "incident.close", "F0", "Z3", 0, reason="nothing to do", type="fire"),
        ev(1800, "people.killed", "Z3", "Z3", 5, cause="mainshock"),
        killed(1800, "Z1", 2, "C1"),
        killed(1800, "Z2", 1, "C2"),
        killed(3600, "Z3", 1, "K2"),
        ev(3600, "incident.close", "K2", "Z3", 0, reason="nobody left alive", type="casualty"),
        create(3600, "W1", "water_rescue", "Z1", 3),
        freed(3900, "T1", "Z1", 1, "C1", "collapse_rescue"),
        killed(5400, "Z1", 1, "C1"),
        freed(5400, "B1", "Z1", 4, "W1", "water_rescue"),
        ev(5400, "evac.depart", "H9", "Z1", 4, mode="boat", dest="safety"),
        ev(5400, "evac.safe", "H9", "Z1", 4, mode="boat"),
        ev(5400, "incident.close", "W1", "Z1", 1, reason="done", type="water_rescue"),
        freed(7500, "T1", "Z1", 1, "C1", "collapse_rescue"),
        freed(9000, "A1", "Z1", 2, "C1", "collapse_rescue"),
        killed(9000, "Z2", 2, "C2"),
        create(10800, "F1", "fire", "Z3", 1),
        freed(18000, "T1", "Z2", 1, "C2", "collapse_rescue"),
        ev(18000, "incident.close", "C2", "Z2", 1, reason="done", type="collapse_rescue"),
    ]


def teams() -> list[Event]:
    def init(tid: str, kind: str, t: float = 0, aid: bool = False) -> Event:
        return ev(t, "team.init", tid, "FS1", 10, type=kind, mutual_aid=aid, reserve=False)

    def assign(t: float, iid: str, zone: str, team: str, travel: float, kind: str) -> Event:
        return ev(t, "incident.assign", iid, zone, travel, team=team, policy="nearest",
                  reason="nearest capable pair", type=kind)

    def go(t: float, team: str, task: str, travel: float) -> list[Event]:
        return [ev(t, "team.dispatch", team, "N1", travel, task=task),
                ev(t + travel, "team.arrive", team, "N1", task=task)]

    def ready(t: float, tid: str, aid: bool = False) -> Event:
        return ev(t, "team.ready", tid, "FS1", mutual_aid=aid)

    return [
        *(init(t, k) for t, k in (("T1", "usar"), ("T2", "medical"), ("B1", "water_rescue"),
                                  ("R1", "relief_transport"))),
        ready(0, "T1"), ready(0, "B1"), ready(0, "R1"),
        assign(0, "C1", "Z1", "T1", 300, "collapse_rescue"), *go(0, "T1", "C1", 300),
        ready(600, "T2"),
        assign(600, "K1", "Z2", "T2", 600, "casualty"), *go(600, "T2", "K1", 600),
        init("A1", "usar", 1800, aid=True),
        *go(2100, "T2", "hospital:H1", 600), *go(2700, "T2", "hospital:H2", 300),
        ev(3000, "team.free", "T2", "N1"),
        assign(3600, "W1", "Z1", "B1", 1200, "water_rescue"), *go(3600, "B1", "W1", 1200),
        ev(5400, "team.free", "B1", "N1"),
        ready(7200, "A1", aid=True),
        assign(7200, "C1", "Z1", "A1", 600, "collapse_rescue"), *go(7200, "A1", "C1", 600),
        *go(10800, "T1", "rest", 600),
        ev(11400, "team.rest", "T1", "FS1", 3600, reason="shift over"),
        ev(15000, "team.free", "T1", "N1"),
        assign(15000, "C2", "Z2", "T1", 900, "collapse_rescue"), *go(15000, "T1", "C2", 900),
        ev(18000, "team.free", "T1", "N1"),
    ]


def hospitals() -> list[Event]:
    def admit(t: float, hid: str, zone: str, n: float, by: str = "self") -> Event:
        return ev(t, "hospital.admit", hid, zone, n, severity=2, by=by)

    def queue(t: float, hid: str, n: float) -> Event:
        return ev(t, "hospital.queue", hid, "Z1", n, severity=2)

    return [
        ev(0, "facility.init", "H1", "N1", 10, type="hospital", unit="beds", open=True),
        ev(0, "facility.init", "H2", "N2", 5, type="hospital", unit="beds", open=True),
        admit(900, "H1", "Z1", 5), admit(1000, "H1", "Z1", 4),
        admit(2700, "H1", "Z2", 1, "T2"), ev(2700, "hospital.full", "H1", qty=10),
        ev(2700, "hospital.divert", "H1", "Z2", 1, severity=3, target="H2", reason="full"),
        admit(3000, "H2", "Z2", 1, "T2"),
        ev(3000, "incident.close", "K1", "Z2", 2, reason="done", type="casualty"),
        queue(3600, "H1", 3), queue(4200, "H2", 2),
        admit(5400, "H1", "Z1", 2), admit(6000, "H2", "Z1", 4),
    ]


def relief() -> list[Event]:
    def depart(t: float, hh: str, zone: str, n: float, dest: str) -> Event:
        return ev(t, "evac.depart", hh, zone, n, mode="car", dest=dest)

    def admit(t: float, hh: str, zone: str, n: float) -> Event:
        return ev(t, "shelter.admit", "S1", zone, n, household=hh)

    def basic(t: float, hh: str, zone: str, n: float) -> Event:
        return ev(t, "relief.basic", "S1", zone, n, household=hh)

    return [
        ev(0, "facility.init", "S1", "N3", 20, type="shelter", unit="persons", open=True,
           **{"class": "II"}),
        ev(0, "facility.init", "D1", "N4", 100, type="depot", unit="food_rations", open=True),
        depart(600, "H1", "Z1", 3, "S1"),
        depart(1200, "H2", "Z2", 2, "S1"), depart(1200, "H5", "Z1", 2, "S1"),
        ev(1200, "team.dispatch", "R1", "N4", 600, task="load:D1"),
        ev(1800, "team.arrive", "R1", "N4", task="load:D1"),
        admit(1800, "H1", "Z1", 3),
        ev(2400, "relief.dispatch", "R1", "D1", 300, item="water_l", target="S1"),
        ev(2400, "relief.dispatch", "R1", "D1", 100, item="food_rations", target="S1"),
        ev(2400, "depot.stockout", "D1", item="food_rations"),
        ev(2400, "team.dispatch", "R1", "N3", 600, task="deliver:S1"),
        admit(2400, "H2", "Z2", 2),
        ev(2400, "shelter.turn_away", "S1", "Z1", 2, household="H5", reason="full"),
        depart(3000, "H3", "Z1", 5, "S1"), depart(3000, "H4", "Z2", 1, "safety"),
        ev(3000, "team.arrive", "R1", "N3", task="deliver:S1"),
        ev(3600, "relief.deliver", "S1", qty=300, item="water_l", by="R1"),
        ev(3600, "relief.deliver", "S1", qty=100, item="food_rations", by="R1"),
        ev(3600, "team.free", "R1", "N3"),
        basic(3600, "H1", "Z1", 3),
        ev(3600, "shelter.turn_away", "S1", "Z1", 5, household="H3", reason="full"),
        ev(3600, "evac.safe", "H4", "Z2", 1, mode="car"),
        ev(6000, "evac.safe", "H5", "Z1", 2, mode="car"),
        depart(40000, "H6", "Z2", 4, "S1"), admit(40500, "H6", "Z2", 4),
        basic(41000, "H6", "Z2", 4), basic(43200, "H2", "Z2", 2),
    ]


def levels() -> list[Event]:
    return [
        ev(900, "plan.level", "command", qty=1, level="IV", previous="none",
           reason="escalate"),
        ev(3600, "plan.level", "command", qty=2, level="III", previous="IV",
           reason="escalate"),
        ev(3600, "aid.request", "province", qty=1, level="III", type="usar"),
        ev(36000, "plan.level", "command", qty=1, level="IV", previous="III",
           reason="stand down"),
    ]


def response_log() -> EventLog:
    """The log of the module docstring: each part's events in time order (a stable sort keeps
    the order of events at the same time as written)."""
    log = EventLog({"scenario": "response-hand"})
    log.emit(0, "run.start", scenario="response-hand", seed={"entropy": 1, "spawn_key": []})
    for zone in ("Z1", "Z2", "Z3"):
        log.emit(0, "zone.init", zone, zone, 100, households=40)
    events = [*hospitals(), *relief(), *teams(), *incidents(), *levels()]
    for t, kind, actor, place, qty, data in sorted(events, key=lambda e: e[0]):
        log.emit(t, kind, actor, place, qty, **data)
    log.emit(END_S, "run.end")
    return log


@pytest.fixture(scope="module")
def lf() -> LogFrame:
    return LogFrame.of(response_log())


def value(lf: LogFrame, metric: str, **kw: Any) -> float:
    return evaluate(lf, Objective(id="o", metric=metric, op="<=", threshold=0, **kw))


def close(got: float, expected: float) -> bool:
    """Equal to rounding, NaN for NaN."""
    return math.isnan(got) if math.isnan(expected) else got == pytest.approx(expected,
                                                                             rel=1e-12)


TIMES = np.array([0.0, 600.0, 1800.0, 3000.0, 3600.0, 5400.0, 7200.0, 10800.0, 12000.0,
                  15000.0, 18000.0, 36000.0, END_S])

SERIES_EXPECTED = {
    "incidents_waiting": [4, 3, 2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1],
    "trapped_waiting": [14, 14, 11, 11, 14, 9, 9, 4, 4, 4, 3, 3, 3],
    "rescued_alive": [0, 0, 0, 0, 0, 5, 5, 8, 8, 8, 9, 9, 9],
    "died_waiting": [0, 0, 3, 3, 4, 5, 5, 7, 7, 7, 7, 7, 7],
    "teams_busy": [1, 2, 3, 2, 2, 1, 2, 1, 1, 2, 1, 1, 1],
    "teams_resting": [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
    "hospital_admissions": [0, 0, 9, 11, 11, 13, 17, 17, 17, 17, 17, 17, 17],
    "hospital_queue": [0, 0, 0, 0, 3, 3, 1, 1, 1, 1, 1, 1, 1],
    "relief_delivered_water_l": [0, 0, 0, 0, 300, 300, 300, 300, 300, 300, 300, 300, 300],
    "relief_delivered_food_rations": [0, 0, 0, 0, 100, 100, 100, 100, 100, 100, 100, 100,
                                      100],
}


@pytest.mark.parametrize("name", list(SERIES_EXPECTED))
def test_series_read_at_known_times(lf: LogFrame, name: str) -> None:
    got = SERIES[name][0](lf, TIMES)
    assert got == pytest.approx(SERIES_EXPECTED[name], abs=1e-9)


def test_series_are_columns_of_the_metrics_table(lf: LogFrame) -> None:
    ts = time_series(lf, 3600.0).to_pydict()
    assert ts["trapped_waiting"][:6] == [14, 14, 9, 4, 4, 3]  # 0, 1 h, 2 h, 3 h, 4 h, 5 h
    assert ts["teams_busy"][:6] == [1, 2, 2, 1, 1, 1]
    assert ts["trapped"][0] == 14  # the engine's counter agrees with the incidents


# busy 13800 + 2400 + 64800 + 1800 + 2400; free 54000 + 69000 + 0 + 70200 + 69600
UTILIZATION = 85200 / (85200 + 262800)
# by 9000 s: busy 9000 + 2400 + 1800 + 1800 + 2400; free 0 + 6000 + 0 + 7200 + 6600
UTILIZATION_9000 = 17400 / (17400 + 19800)


@pytest.mark.parametrize(("metric", "kw", "expected"), [
    # waits: C1 300, C2 15900, K1 1200, K2 72000 (never), W1 1200, F1 61200 (never)
    ("time_to_first_team_mean_s", {}, (300 + 15900 + 1200 + 72000 + 1200 + 61200) / 6),
    ("time_to_first_team_p90_s", {}, 72000.0),  # 6 incidents: the 6th
    ("time_to_first_team_mean_s", {"incident_types": ("collapse_rescue",)}, 8100.0),
    ("time_to_first_team_p90_s", {"incident_types": ("collapse_rescue",)}, 15900.0),
    ("time_to_first_team_mean_s", {"zones": ("Z1",)}, 750.0),
    ("time_to_first_team_p90_s", {"zones": ("Z1",)}, 1200.0),
    ("time_to_first_team_p90_s", {"incident_types": ("hazmat_leak",)}, math.nan),
    ("incidents_unreached", {}, 2.0),
    ("incidents_unreached", {"incident_types": ("casualty",)}, 1.0),
    ("rescued_alive", {}, 9.0),
    ("rescued_alive", {"incident_types": ("collapse_rescue",)}, 5.0),
    ("rescued_alive", {"zones": ("Z2",)}, 1.0),
    # freed, at most each incident's persons: C1 4, C2 1, W1 3 (of 4) of 10 + 4 + 3
    ("rescued_alive_share", {}, 8 / 17),
    ("rescued_alive_share", {"incident_types": ("collapse_rescue",)}, 5 / 14),
    ("rescued_alive_share", {"incident_types": ("casualty",)}, math.nan),
    ("died_waiting", {}, 7.0),
    ("died_waiting", {"incident_types": ("casualty",)}, 1.0),
    ("died_waiting", {"incident_types": ("collapse_rescue",)}, 6.0),
    ("died_waiting", {"zones": ("Z1",)}, 3.0),
    ("team_utilization", {}, UTILIZATION),
    ("hospital_admissions", {}, 17.0),
    ("hospital_admissions", {"facilities": ("H2",)}, 5.0),
    ("hospital_diversions", {}, 1.0),
    ("hospital_diversions", {"facilities": ("H2",)}, 0.0),
    ("hospital_queue_persons", {}, 5.0),
    ("hospital_queue_persons", {"facilities": ("H1",)}, 3.0),
    ("depot_stockouts", {}, 1.0),
    ("depot_stockouts", {"facilities": ("D2",)}, 0.0),
    ("time_to_basic_relief_s", {}, END_S - 3000),  # H3, never relieved
    ("basic_relief_within_10h_share", {}, 3 / 10),  # H1 of H1, H2, H3 (H6 left too late)
    ("level_changes", {}, 3.0),
])
def test_scalars(lf: LogFrame, metric: str, kw: dict[str, Any], expected: float) -> None:
    assert close(value(lf, metric, **kw), expected)


@pytest.mark.parametrize(("metric", "deadline", "expected"), [
    # by 3600 s: C1 300, C2 3600 (waiting), K1 1200, K2 3600 (closed, never reached), W1 0
    ("time_to_first_team_mean_s", 3600.0, (300 + 3600 + 1200 + 3600 + 0) / 5),
    ("time_to_first_team_p90_s", 3600.0, 3600.0),
    ("incidents_unreached", 3600.0, 3.0),  # C2, K2, W1
    ("rescued_alive", 7200.0, 5.0),
    ("rescued_alive_share", 3600.0, 0.0),
    ("died_waiting", 3600.0, 4.0),
    ("team_utilization", 9000.0, UTILIZATION_9000),
    ("hospital_admissions", 3000.0, 11.0),
    ("hospital_queue_persons", 3600.0, 3.0),
    ("depot_stockouts", 2399.0, 0.0),
    # by 36000 s: H1 3000, H2 34800 (relieved later), H3 33000; H5 safe elsewhere at 6000
    ("time_to_basic_relief_s", 36000.0, 34800.0),
    # by 3000 s: H1 2400, H2 1800, H5 1800 (not safe yet), H3 0
    ("time_to_basic_relief_s", 3000.0, 2400.0),
    ("time_to_basic_relief_s", 500.0, math.nan),
    ("basic_relief_within_10h_share", 43200.0, 3 / 10),
    ("basic_relief_within_10h_share", 30000.0, math.nan),  # nobody left 10 h before
    ("level_changes", 3600.0, 2.0),
])
def test_scalars_honour_the_deadline(lf: LogFrame, metric: str, deadline: float,
                                     expected: float) -> None:
    assert close(value(lf, metric, deadline_s=deadline), expected)


def test_relief_wait_differs_from_the_sheltered_only_metric(lf: LogFrame) -> None:
    # the evacuation metric covers the admitted (H1, H2, H6) only: H2's 42000 s is the longest
    assert value(lf, "time_to_basic_relief_max") == 42000.0
    assert value(lf, "time_to_basic_relief_s") == END_S - 3000


def test_nearest_rank() -> None:
    assert nearest_rank(np.arange(1.0, 11.0), 0.9) == 9.0
    assert nearest_rank(np.arange(1.0, 12.0), 0.9) == 10.0
    assert nearest_rank(np.array([5.0]), 0.9) == 5.0
    assert math.isnan(nearest_rank(np.zeros(0), 0.9))


def test_scalars_declare_units_and_scopes() -> None:
    units = {n: SCALARS[n].unit for n in RESPONSE_SCALARS}
    assert units == {
        "time_to_first_team_mean_s": "s", "time_to_first_team_p90_s": "s",
        "incidents_unreached": "incidents", "rescued_alive": "persons",
        "rescued_alive_share": "share", "died_waiting": "persons", "team_utilization": "share",
        "hospital_admissions": "persons", "hospital_diversions": "persons",
        "hospital_queue_persons": "persons", "depot_stockouts": "stockouts",
        "time_to_basic_relief_s": "s", "basic_relief_within_10h_share": "share",
        "level_changes": "changes", "relief_stock_share": "share"}
    for name in ("time_to_first_team_mean_s", "time_to_first_team_p90_s",
                 "incidents_unreached", "rescued_alive", "rescued_alive_share",
                 "died_waiting"):
        assert SCALARS[name].scopes == {"incident_types", "zones"}, name
    for name in ("hospital_admissions", "hospital_diversions", "hospital_queue_persons"):
        assert SCALARS[name].scopes == {"facilities"}
        assert SCALARS[name].facility_kind == "hospital"
    assert SCALARS["depot_stockouts"].facility_kind == "depot"
    assert not set(RESPONSE_SCALARS) & set(EVACUATION_SCALARS)
    assert TRAPPED_TYPES == ("collapse_rescue", "water_rescue")


def test_registries_fill_in_a_fixed_order() -> None:
    names = list(SERIES)
    evacuation, response, own = (names.index(n) for n in ("vehicles_queued",
                                                           "incidents_waiting",
                                                           "response_level"))
    assert evacuation < response < own
    scalars = list(SCALARS)
    assert scalars.index("peak_bridge_queue") < scalars.index("time_to_first_team_mean_s") \
        < scalars.index("max_response_level")


def test_a_log_without_response_events() -> None:
    log = EventLog()
    log.emit(0, "zone.init", "Z1", "Z1", 100, households=40)
    log.emit(600, "evac.depart", "H1", "Z1", 2, mode="car", dest="safety")
    log.emit(3600, "run.end")
    lf = LogFrame.of(log)
    assert not has_response(lf)
    for name in SERIES_EXPECTED:
        assert SERIES[name][0](lf, TIMES).tolist() == [0.0] * len(TIMES), name
    for name in ("time_to_first_team_mean_s", "time_to_first_team_p90_s",
                 "rescued_alive_share", "team_utilization", "time_to_basic_relief_s",
                 "basic_relief_within_10h_share"):
        assert math.isnan(value(lf, name)), name
    for name in ("incidents_unreached", "rescued_alive", "died_waiting",
                 "hospital_admissions", "depot_stockouts", "level_changes"):
        assert value(lf, name) == 0.0, name


def test_has_response(lf: LogFrame) -> None:
    assert has_response(lf)
    log = EventLog()
    log.emit(60, "hospital.admit", "H1", "Z1", 1, severity=2, by="self")
    assert has_response(LogFrame.of(log))
