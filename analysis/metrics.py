"""Metrics derived from the event log alone.

Two kinds, each a registry (:mod:`drillsim.analysis.registry`):

* **series** — a quantity over time, sampled on a regular grid (``metrics.parquet``);
* **scalars** — one number per run, that a plan objective can name; each declares its unit and
  which scopes (``zones``, ``facilities``, ``incident_types``) it accepts.

This module defines the plan-level metrics (response level, orders, shelters open, teams
ready) and imports the modules that define the others — :mod:`drillsim.analysis.care`
(hospitals and relief), :mod:`drillsim.analysis.evacuation` (which registers first whichever
module is imported first) and :mod:`drillsim.analysis.response` (incidents and teams) — so
importing it fills both registries in the same order every time.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from drillsim.analysis import care, evacuation, response
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.registry import (
    SCALARS,
    SERIES,
    ScalarMetric,
    cumulative,
    facilities,
    horizon,
    open_count,
    scalar,
    series,
    step_values,
    until,
)
from drillsim.sim.events import KINDS
from drillsim.sim.plan import LEVEL_NAMES, Objective
from drillsim.sim.state import COUNTERS, DERIVED

__all__ = ["SCALARS", "SERIES", "ScalarMetric", "care", "counter_series", "cumulative",
           "evacuation",
           "evaluate", "facilities", "horizon", "open_count", "response", "step_values",
           "time_series", "until"]


@series("response_level", "response level severity (0 none, 1 = IV … 4 = I)")
def _response_level(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    rows = lf.where("plan.level")
    return step_values(times, lf.t_s[rows], lf.qty[rows])


@series("zone_orders", "orders received by zones so far (one per zone per order)")
def _zone_orders(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return cumulative(times, lf.t_s[lf.where("plan.order")])


@series("shelters_open", "shelters open")
def _shelters_open(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    sh = facilities(lf, "shelter")
    return open_count(lf, times, "facility.open", "facility.close",
                      {k for k, (_, o) in sh.items() if o}, actors=set(sh))


@series("shelter_capacity_open_persons", "capacity of the shelters that are open (persons)")
def _shelter_capacity(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    sh = facilities(lf, "shelter")
    return open_count(lf, times, "facility.open", "facility.close",
                      {k for k, (_, o) in sh.items() if o}, actors=set(sh),
                      weight={k: c for k, (c, _) in sh.items()})


@series("links_closed", "road links closed")
def _links_closed(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return open_count(lf, times, "link.close", "link.open", set())


@series("teams_ready", "teams ready (including mutual aid)")
def _teams_ready(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return cumulative(times, lf.t_s[lf.where("team.ready")])


@series("injects_fired", "injects fired so far")
def _injects(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return cumulative(times, lf.t_s[lf.where("drill.inject")])


def counter_series(lf: LogFrame, times: np.ndarray, name: str) -> np.ndarray:
    """A state counter over time, from the events that change it."""
    parts = DERIVED.get(name, (name,))
    picked = []
    for kind in KINDS.values():
        if kind.counter == "*":
            rows = lf.where(kind.name)
            picked.append(rows[np.isin(lf.column("counter")[rows], parts)])
        elif kind.counter in parts:
            rows = lf.where(kind.name)
            if kind.counted_types is not None:
                rows = rows[np.isin(lf.column("type")[rows], list(kind.counted_types))]
            picked.append(rows)
    rows = np.sort(np.concatenate([np.zeros(0, np.int64), *picked]))
    return cumulative(times, lf.t_s[rows], lf.qty[rows])


def time_series(log: LogFrame, interval_s: float = 300.0) -> pa.Table:
    """Every registered series and every state counter, sampled every ``interval_s``."""
    times = np.arange(0.0, log.duration_s + interval_s / 2, interval_s)
    cols = {"t_s": times}
    for name, (fn, _) in SERIES.items():
        cols[name] = fn(log, times)
    for name in COUNTERS:
        cols[name] = counter_series(log, times, name)
    return pa.table(cols)


# -- scalars ------------------------------------------------------------------------------------

def _at(obj: Objective, lf: LogFrame) -> np.ndarray:
    return np.array([horizon(obj, lf)])


@scalar("max_response_level", "severity", "highest response level declared by the deadline "
        "(1 = IV … 4 = I)")
def _max_level(lf: LogFrame, obj: Objective) -> float:
    return float(lf.qty[until(lf, "plan.level", obj)].max(initial=0.0))


@scalar("level_declaration_lag_s", "s",
        "longest time from a level's trigger to the declaration of that level or a higher one; "
        "a trigger still unanswered at the deadline counts up to the deadline (NaN if no "
        "level was triggered)")
def _level_lag(lf: LogFrame, obj: Objective) -> float:
    end = horizon(obj, lf)
    declared = [(lf.t_s[r], lf.qty[r]) for r in until(lf, "plan.level", obj)]
    lags = []
    for r in until(lf, "plan.trigger", obj):
        if lf.column("for")[r] != "level":
            continue
        t0, severity = lf.t_s[r], LEVEL_NAMES.index(lf.actor[r].removeprefix("level-"))
        answered = [t for t, s in declared if t >= t0 and s >= severity]
        lags.append((answered[0] if answered else end) - t0)
    return float(max(lags)) if lags else float("nan")


@scalar("first_order_time_s", "s", "time of the first order reaching a zone in scope by the "
        "deadline (NaN if none did)", scopes=("zones",))
def _first_order(lf: LogFrame, obj: Objective) -> float:
    rows = until(lf, "plan.order", obj)
    if obj.zones:
        rows = rows[np.isin(lf.place[rows], list(obj.zones))]
    return float(lf.t_s[rows[0]]) if len(rows) else float("nan")


@scalar("shelters_open", "shelters", "shelters open at the deadline (or the end)",
        scopes=("facilities",), facility_kind="shelter")
def _n_shelters(lf: LogFrame, obj: Objective) -> float:
    sh = facilities(lf, "shelter")
    scope = set(obj.facilities) or set(sh)
    return float(open_count(lf, _at(obj, lf), "facility.open", "facility.close",
                            {k for k, (_, o) in sh.items() if o and k in scope},
                            actors=scope)[0])


@scalar("shelter_capacity_open_persons", "persons",
        "capacity of the shelters open at the deadline (or the end)", scopes=("facilities",),
        facility_kind="shelter")
def _shelter_cap(lf: LogFrame, obj: Objective) -> float:
    sh = facilities(lf, "shelter")
    scope = set(obj.facilities) or set(sh)
    return float(open_count(lf, _at(obj, lf), "facility.open", "facility.close",
                            {k for k, (_, o) in sh.items() if o and k in scope}, actors=scope,
                            weight={k: c for k, (c, _) in sh.items()})[0])


@scalar("teams_ready", "teams", "teams ready at the deadline (or the end)")
def _teams(lf: LogFrame, obj: Objective) -> float:
    return float(cumulative(_at(obj, lf), lf.t_s[lf.where("team.ready")])[0])


@scalar("deaths_and_missing", "persons", "deaths + missing reported by the deadline (or end)")
def _deaths(lf: LogFrame, obj: Objective) -> float:
    return float(counter_series(lf, _at(obj, lf), "deaths_and_missing")[0])


def evaluate(log: LogFrame, objective: Objective) -> float:
    """The value of ``objective``'s metric for one run."""
    return SCALARS[objective.metric].fn(log, objective)

