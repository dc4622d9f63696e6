"""Every metric on small event logs built by hand, checked exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.metrics import SCALARS, SERIES, evaluate, time_series
from drillsim.analysis.summary import objective_row, run_summary
from drillsim.sim.events import EventLog
from drillsim.sim.plan import Objective


def hand_log() -> LogFrame:
    log = EventLog({"scenario": "hand"})
    e = log.emit
    e(0, "run.start", scenario="hand", seed={"entropy": 1, "spawn_key": []})
    e(0, "zone.init", "Z1", "Z1", 100, households=40)
    e(0, "zone.init", "Z2", "Z2", 50, households=20)
    e(0, "facility.init", "S1", "n", 300, type="shelter", unit="persons", open=False,
      **{"class": "II"})
    e(0, "facility.init", "S2", "n", 200, type="shelter", unit="persons", open=True,
      **{"class": "III"})
    e(0, "facility.init", "H1", "n", 50, type="hospital", unit="beds", open=True)
    e(100, "team.ready", "T1", "F")
    e(600, "plan.trigger", "level-IV", condition="time >= 10min", **{"for": "level"})
    e(900, "plan.level", "command", qty=1, level="IV", previous="none")
    e(900, "plan.order", "warn", "Z2", action="warn", order="warn")
    e(1200, "facility.open", "S1", "n", reason="plan")
    e(1500, "drill.report", "R", qty=4, counter="deaths")
    e(1500, "drill.report", "R2", qty=2, counter="missing")
    e(1800, "plan.trigger", "level-III", condition="deaths >= 1", **{"for": "level"})
    e(1800, "facility.close", "S2", "n", reason="flood")
    e(1800, "link.close", "L1", reason="inject")
    e(2400, "plan.level", "command", qty=2, level="III", previous="IV")
    e(2400, "plan.order", "evac", "Z1", action="evacuate", order="evac")
    e(2400, "plan.order", "evac", "Z2", action="evacuate", order="evac")
    e(2500, "link.open", "L1", reason="cleared")
    e(2700, "team.ready", "T2", "F")
    e(2700, "drill.inject", "I", action="message", message="m", random=False, hidden=False,
      target="")
    e(3000, "run.end")
    return LogFrame.of(log)


def obj(metric: str, **kw: object) -> Objective:
    return Objective(id="o", metric=metric, op=">=", threshold=0, **kw)  # type: ignore[arg-type]


def test_series_on_a_regular_grid() -> None:
    ts = time_series(hand_log(), 600).to_pydict()
    assert ts["t_s"] == [0, 600, 1200, 1800, 2400, 3000]
    assert ts["response_level"] == [0, 0, 1, 1, 2, 2]
    assert ts["zone_orders"] == [0, 0, 1, 1, 3, 3]
    assert ts["shelters_open"] == [1, 1, 2, 1, 1, 1]
    assert ts["shelter_capacity_open_persons"] == [200, 200, 500, 300, 300, 300]
    assert ts["links_closed"] == [0, 0, 0, 1, 1, 0]
    assert ts["teams_ready"] == [0, 1, 1, 1, 1, 2]
    assert ts["injects_fired"] == [0, 0, 0, 0, 0, 1]
    assert ts["deaths"] == [0, 0, 0, 4, 4, 4]
    assert ts["deaths_and_missing"] == [0, 0, 0, 6, 6, 6]
    assert set(SERIES) <= set(ts)


@pytest.mark.parametrize(("metric", "kw", "expected"), [
    ("max_response_level", {}, 2.0),
    ("level_declaration_lag_s", {}, 600.0),  # IV: 900-600 = 300; III: 2400-1800 = 600
    ("first_order_time_s", {}, 900.0),
    ("first_order_time_s", {"zones": ("Z1",)}, 2400.0),
    ("shelters_open", {}, 1.0),
    ("shelters_open", {"deadline_s": 1500.0}, 2.0),
    ("shelters_open", {"deadline_s": 1500.0, "facilities": ("S2",)}, 1.0),
    ("shelter_capacity_open_persons", {"deadline_s": 1200.0}, 500.0),
    ("shelter_capacity_open_persons", {}, 300.0),
    ("teams_ready", {"deadline_s": 2699.0}, 1.0),
    ("teams_ready", {}, 2.0),
    ("deaths_and_missing", {"deadline_s": 1499.0}, 0.0),
    ("deaths_and_missing", {}, 6.0),
])
def test_scalars(metric: str, kw: dict, expected: float) -> None:  # type: ignore[type-arg]
    assert evaluate(hand_log(), obj(metric, **kw)) == expected


def test_a_thing_that_never_happened_is_nan_and_not_met() -> None:
    lf = hand_log()
    o = Objective(id="o", metric="first_order_time_s", op="<=", threshold=1e9, zones=("Z9",))
    assert math.isnan(evaluate(lf, o))
    assert objective_row(lf, o) == {"id": "o", "metric": "first_order_time_s", "value": None,
                                    "op": "<=", "threshold": 1e9, "met": False, "text": ""}


def test_objective_comparison() -> None:
    lf = hand_log()
    met = Objective(id="a", metric="teams_ready", op=">=", threshold=2)
    missed = Objective(id="b", metric="teams_ready", op=">", threshold=2)
    assert objective_row(lf, met)["met"] and not objective_row(lf, missed)["met"]


def test_summary_counts() -> None:
    s = run_summary(hand_log())
    assert s["population"] == 150 and s["max_response_level"] == "III"
    assert s["orders_issued"] == ["evac", "warn"] and s["injects_fired"] == 1
    assert s["events_by_kind"]["plan.order"] == 3 and s["duration_s"] == 3000


def test_every_scalar_is_documented_with_a_unit() -> None:
    for name, m in SCALARS.items():
        assert m.name == name and m.unit and m.doc
    assert np.isfinite(evaluate(hand_log(), obj("max_response_level")))


@pytest.mark.parametrize(("metric", "deadline", "expected"), [
    ("max_response_level", 2000.0, 1.0),
    ("max_response_level", 899.0, 0.0),
    ("first_order_time_s", 800.0, float("nan")),
    ("first_order_time_s", 900.0, 900.0),
])
def test_every_scalar_honours_the_deadline(metric: str, deadline: float,
                                           expected: float) -> None:
    value = evaluate(hand_log(), obj(metric, deadline_s=deadline))
    assert value == expected or (math.isnan(expected) and math.isnan(value))


def test_level_lag_counts_an_unanswered_trigger_up_to_the_deadline() -> None:
    # level III triggered at 1800 and declared at 2400: by a 2000 s deadline it has waited 200 s
    assert evaluate(hand_log(), obj("level_declaration_lag_s", deadline_s=2000.0)) == 300.0
    assert evaluate(hand_log(), obj("level_declaration_lag_s", deadline_s=2300.0)) == 500.0


def test_a_trigger_answered_by_a_higher_level_is_answered() -> None:
    log = EventLog()
    log.emit(0, "plan.trigger", "level-IV", condition="c", **{"for": "level"})
    log.emit(0, "plan.trigger", "level-III", condition="c", **{"for": "level"})
    log.emit(600, "plan.level", "command", qty=2, level="III", previous="none")
    log.emit(3600, "run.end")
    assert evaluate(LogFrame.of(log), obj("level_declaration_lag_s")) == 600.0
