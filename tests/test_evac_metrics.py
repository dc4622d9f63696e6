"""Evacuation metrics on a small event log built by hand, every answer worked out by hand.

The log: zone Z1 (40 residents) is ordered to leave at 900 s and six of its households leave,
one of them (H1) before the order; zone Z2 (30) is only warned, and two of its households
leave anyway; zone Z3 (10) is ordered to leave at 7200 s and nobody has left it. Shelter S1
holds 13 persons, S2 holds 5.

    household zone persons departs  safe            shelter  basic relief
    H5        Z1   8       1200     2400 admitted   S1       2400
    H3        Z1   5       1200     3000 admitted   S1       3000
    H2        Z1   3       1200     4200 admitted   S2       40800 (S1 turned it away, full)
    H1        Z1   2        600     4800 safe       —        —
    H6        Z1   1       1500     5400 safe       —        —
    H7        Z1   1       1500     6000 admitted   S2       never (by bus; waits at the door
                                                                     from 5800 s)
    H8        Z2   2       2000     2500 safe       —        —
    H4        Z2   4       2000     stranded at 2500 and again at 2600

Persons safe from Z1 in order of safety: 8, 13, 16, 18, 19, 20 of 20, so 90 % (18) at 4800 s,
95 % (19) at 5400 s and 100 % at 6000 s.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from drillsim.analysis.evacuation import (
    EVACUATION_SCALARS,
    evacuation_curves,
    has_evacuation,
    remaining_by_zone,
    shelter_occupancy_by_shelter,
)
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.metrics import SCALARS, SERIES, evaluate, time_series
from drillsim.analysis.summary import objective_row, run_summary
from drillsim.cli.outputs import shown
from drillsim.sim.events import EventLog
from drillsim.sim.plan import Objective

END_S = 86400.0
NO_DEATHS = {"hospital": 0, "dead": 0}


def census(log: EventLog, t: float, zone: str, home: int, on_way: int, sheltered: int = 0,
           safe: int = 0) -> None:
    log.emit(t, "evac.census", zone, zone, home + on_way + sheltered + safe, home=home,
             on_way=on_way, sheltered=sheltered, safe=safe, **NO_DEATHS)


def depart(log: EventLog, t: float, hh: str, zone: str, persons: int, mode: str,
           dest: str) -> None:
    log.emit(t, "evac.depart", hh, zone, persons, mode=mode, dest=dest)


def admit(log: EventLog, t: float, shelter: str, hh: str, zone: str, persons: int) -> None:
    log.emit(t, "shelter.admit", shelter, zone, persons, household=hh)


def base_log() -> EventLog:
    log = EventLog({"scenario": "evac-hand"})
    e = log.emit
    e(0, "run.start", scenario="evac-hand", seed={"entropy": 1, "spawn_key": []})
    e(0, "zone.init", "Z1", "Z1", 40, households=14)
    e(0, "zone.init", "Z2", "Z2", 30, households=10)
    e(0, "zone.init", "Z3", "Z3", 10, households=4)
    for sid, cap in (("S1", 13), ("S2", 5)):
        e(0, "facility.init", sid, "n", cap, type="shelter", unit="persons", open=True,
          **{"class": "II"})
    return log


def evac_log() -> EventLog:
    log = base_log()
    e = log.emit
    for zone, home in (("Z1", 40), ("Z2", 30), ("Z3", 10)):
        census(log, 0, zone, home, 0)
    e(300, "evac.decide", "H1", "Z1", 2, decision="leave", reason="cue", order="", channel="")
    depart(log, 600, "H1", "Z1", 2, "car", "safety")
    e(900, "plan.order", "evac", "Z1", action="evacuate", order="evac")
    e(900, "plan.order", "warn", "Z2", action="warn", order="warn")
    e(1000, "evac.wait", "H7", "Z1", 1, need="bus")
    for hh, persons, mode in (("H5", 8, "car"), ("H3", 5, "car"), ("H2", 3, "walk")):
        depart(log, 1200, hh, "Z1", persons, mode, "S1")
    depart(log, 1500, "H6", "Z1", 1, "walk", "safety")
    e(1500, "transport.pickup", "V1", "Z1", 1, household="H7", fleet="buses")
    depart(log, 1500, "H7", "Z1", 1, "bus", "S2")
    census(log, 1800, "Z1", 20, 20)
    e(1800, "evac.exposure", "Z1", "Z1", 30, where="home")
    depart(log, 2000, "H4", "Z2", 4, "car", "safety")
    depart(log, 2000, "H8", "Z2", 2, "car", "safety")
    admit(log, 2400, "S1", "H5", "Z1", 8)
    e(2400, "relief.basic", "S1", "Z1", 8, household="H5")
    e(2500, "evac.safe", "H8", "Z2", 2, mode="car")
    e(2500, "evac.stranded", "H4", "L1", 4, reason="link closed")
    e(2600, "evac.stranded", "H4", "N7", 4, reason="no route")
    admit(log, 3000, "S1", "H3", "Z1", 5)
    e(3000, "relief.basic", "S1", "Z1", 5, household="H3")
    e(3000, "shelter.full", "S1", qty=13)
    census(log, 3600, "Z1", 20, 7, sheltered=13)
    e(3600, "shelter.turn_away", "S1", "Z1", 3, household="H2", reason="full")
    e(3600, "evac.exposure", "Z2", "Z2", 12, where="road")
    admit(log, 4200, "S2", "H2", "Z1", 3)
    e(4200, "shelter.stockout", "S2", item="water")
    e(4800, "evac.safe", "H1", "Z1", 2, mode="car")
    e(5400, "evac.safe", "H6", "Z1", 1, mode="walk")
    e(5800, "shelter.wait", "S2", "Z1", 1, household="H7")  # at the door: not safe yet
    admit(log, 6000, "S2", "H7", "Z1", 1)
    census(log, 7200, "Z1", 20, 0, sheltered=17, safe=3)
    e(7200, "plan.order", "evac", "Z3", action="evacuate", order="evac")
    e(7200, "shelter.stockout", "S1", item="food")
    e(40800, "relief.basic", "S2", "Z1", 3, household="H2")
    e(END_S, "run.end")
    return log


@pytest.fixture(scope="module")
def lf() -> LogFrame:
    return LogFrame.of(evac_log())


def value(lf: LogFrame, metric: str, **kw: object) -> float:
    return evaluate(lf, Objective(id="o", metric=metric, op="<=", threshold=0,
                                  **kw))  # type: ignore[arg-type]


def close(got: float, expected: float) -> bool:
    """Equal (to rounding), NaN for NaN, inf for inf."""
    return math.isnan(got) if math.isnan(expected) else got == pytest.approx(expected)


TIMES = np.array([0.0, 1200.0, 3000.0, 4800.0, 7200.0])


def test_series_read_at_known_times(lf: LogFrame) -> None:
    s = {name: fn(lf, TIMES).tolist() for name, (fn, _) in SERIES.items()}
    assert s["evacuees_departed"] == [0, 18, 26, 26, 26]
    assert s["evacuees_safe"] == [0, 0, 15, 20, 22]
    assert s["shelter_occupancy"] == [0, 0, 13, 16, 17]
    # Z1 from its order at 900 s (census: 40, 40, 27, 20); Z3 from its order at 7200 s (10)
    assert s["people_in_ordered_zones"] == [0, 40, 40, 27, 30]


def test_series_are_columns_of_the_metrics_table(lf: LogFrame) -> None:
    ts = time_series(lf, 3600.0).to_pydict()
    assert ts["evacuees_departed"][:3] == [0, 26, 26]
    assert ts["people_in_ordered_zones"][:3] == [0, 27, 30]


def test_per_zone_and_per_shelter_curves(lf: LogFrame) -> None:
    curves = evacuation_curves(lf, TIMES)
    assert list(curves) == ["Z1", "Z2"]
    assert curves["Z1"][0].tolist() == [0, 18, 20, 20, 20]
    assert curves["Z1"][1].tolist() == [0, 0, 13, 18, 20]
    assert curves["Z2"][1].tolist() == [0, 0, 2, 2, 2]
    occupancy = shelter_occupancy_by_shelter(lf, TIMES)
    assert {k: v.tolist() for k, v in occupancy.items()} == {
        "S1": [0, 0, 13, 13, 13], "S2": [0, 0, 0, 3, 4]}
    assert set(remaining_by_zone(lf, TIMES)) == {"Z1", "Z3"}


@pytest.mark.parametrize(("metric", "kw", "expected"), [
    ("clearance_time_90", {}, 4800.0),
    ("clearance_time_95", {}, 5400.0),
    ("clearance_time_100", {}, 6000.0),
    ("clearance_time_100", {"zones": ("Z2",)}, math.nan),  # Z2 was never ordered to leave
    ("share_ordered_safe", {}, 20 / 50),  # Z1 and Z3 ordered; the 20 who left Z1 are safe
    ("share_ordered_safe", {"zones": ("Z1",)}, 20 / 40),
    ("share_ordered_safe", {"zones": ("Z2",)}, math.nan),
    ("turned_away", {}, 3.0),
    ("turned_away", {"facilities": ("S2",)}, 0.0),
    ("peak_shelter_load", {}, 1.0),
    ("peak_shelter_load", {"facilities": ("S2",)}, 4 / 5),
    ("shelter_stockouts", {}, 2.0),
    ("shelter_stockouts", {"facilities": ("S1",)}, 1.0),
    # from leaving to relief: H5 8 × 1200 s, H3 5 × 1800 s, H2 3 × 39600 s, H7 1 × never
    ("time_to_basic_relief_max", {}, math.inf),
    ("time_to_basic_relief_mean", {}, (8 * 1200 + 5 * 1800 + 3 * 39600) / 16),
    ("share_relieved_within_10h", {}, 13 / 17),
    ("exposure_person_minutes", {}, 42.0),
    ("exposure_person_minutes", {"zones": ("Z1",)}, 30.0),
    ("stranded", {}, 4.0),  # H4 stranded twice, counted once
])
def test_scalars(lf: LogFrame, metric: str, kw: dict, expected: float  # type: ignore[type-arg]
                 ) -> None:
    assert close(value(lf, metric, **kw), expected)


@pytest.mark.parametrize(("metric", "deadline", "expected"), [
    # by 5000 s: 18 of the 20 who had left Z1 are safe (90 % at 4800 s); 95 % never was
    ("clearance_time_90", 5000.0, 4800.0),
    ("clearance_time_95", 5000.0, math.inf),
    ("clearance_time_100", 5000.0, math.inf),
    ("clearance_time_90", 1000.0, math.inf),  # only H1 (left before the order), not safe yet
    ("clearance_time_90", 800.0, math.nan),  # no order yet: nothing to measure
    ("share_ordered_safe", 3000.0, 13 / 40),  # Z3's order is later
    ("turned_away", 3599.0, 0.0),
    ("peak_shelter_load", 2400.0, 8 / 13),
    ("shelter_stockouts", 5000.0, 1.0),
    ("time_to_basic_relief_max", 3000.0, 1800.0),
    ("time_to_basic_relief_mean", 3000.0, (8 * 1200 + 5 * 1800) / 13),
    ("time_to_basic_relief_mean", 36000.0, (8 * 1200 + 5 * 1800) / 13),  # H2 not relieved
    ("time_to_basic_relief_max", 2000.0, math.nan),  # nobody sheltered yet
    ("share_relieved_within_10h", 5000.0, 13 / 16),
    ("exposure_person_minutes", 3000.0, 30.0),
    ("stranded", 2400.0, 0.0),
])
def test_scalars_honour_the_deadline(lf: LogFrame, metric: str, deadline: float,
                                     expected: float) -> None:
    assert close(value(lf, metric, deadline_s=deadline), expected)


def test_scalars_declare_units_and_scopes() -> None:
    assert EVACUATION_SCALARS == [
        "clearance_time_90", "clearance_time_95", "clearance_time_100", "share_ordered_safe",
        "turned_away", "peak_shelter_load", "shelter_stockouts", "time_to_basic_relief_max",
        "time_to_basic_relief_mean", "share_relieved_within_10h", "exposure_person_minutes",
        "stranded", "peak_bridge_queue"]
    units = {n: SCALARS[n].unit for n in EVACUATION_SCALARS}
    assert {n for n, u in units.items() if u == "s"} == {
        "clearance_time_90", "clearance_time_95", "clearance_time_100",
        "time_to_basic_relief_max", "time_to_basic_relief_mean"}
    assert SCALARS["share_ordered_safe"].scopes == {"zones"}
    assert SCALARS["exposure_person_minutes"].scopes == {"zones"}
    for name in ("turned_away", "peak_shelter_load", "shelter_stockouts"):
        assert SCALARS[name].scopes == {"facilities"}
        assert SCALARS[name].facility_kind == "shelter"


def test_a_log_without_evacuation() -> None:
    log = base_log()
    log.emit(900, "plan.order", "evac", "Z1", action="evacuate", order="evac")
    log.emit(3600, "run.end")
    lf = LogFrame.of(log)
    assert not has_evacuation(lf)
    assert "evacuation" not in run_summary(lf)
    for name in ("clearance_time_90", "time_to_basic_relief_max", "share_relieved_within_10h"):
        assert math.isnan(value(lf, name))
    assert value(lf, "peak_shelter_load") == 0.0 and value(lf, "stranded") == 0.0
    assert value(lf, "share_ordered_safe") == 0.0
    for name, (fn, _) in SERIES.items():
        assert np.isfinite(fn(lf, TIMES)).all(), name


def test_summary_shows_evacuation_and_never_as_json(lf: LogFrame) -> None:
    s = run_summary(lf)["evacuation"]
    assert list(s) == EVACUATION_SCALARS
    assert s["clearance_time_90"] == 4800.0 and s["time_to_basic_relief_max"] == "never"
    o = Objective(id="o", metric="clearance_time_100", op="<=", threshold=5000.0,
                  deadline_s=5000.0)
    assert objective_row(lf, o)["value"] == "never" and not objective_row(lf, o)["met"]


def test_values_as_a_person_reads_them() -> None:
    assert shown(4800.0, "s") == "1h20min"
    assert shown("never", "s") == "never"
    assert shown(13 / 17, "share") == "76.5 %"
    assert shown(None, "share") == "—"


def test_queues_at_bridges_and_on_all_roads() -> None:
    """Two censuses (900 s, 1800 s): queues of 12 cars on bridge B1 and 30 on road R1 at the
    first, 40 on B1 at the second."""
    log = base_log()
    for t, queues in ((900, (("B1", 12, True), ("R1", 30, False))), (1800, (("B1", 40, True),))):
        census(log, t, "Z1", 40, 0)
        log.emit(t, "evac.census", "region", "", 80, home=80, on_way=0, sheltered=0, safe=0,
                 **NO_DEATHS)
        for road, cars, bridge in queues:
            log.emit(t, "traffic.queue", road, road, cars, bridge=bridge)
    log.emit(END_S, "run.end")
    frame = LogFrame.of(log)
    assert value(frame, "peak_bridge_queue") == 40
    assert value(frame, "peak_bridge_queue", deadline_s=1000) == 12
    queued = SERIES["vehicles_queued"][0](frame, np.array([0.0, 900.0, 1200.0, 1800.0]))
    assert list(queued) == [0, 42, 42, 40]
