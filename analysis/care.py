"""Hospital and relief metrics: beds, diversions and queues, shelter stocks, deliveries and
the wait for basic relief — read from the log's events alone.

Definitions:

* the **hospital queue** is the persons that ``hospital.queue`` events left waiting for a bed
  at a hospital less those the same hospital admitted later: the log does not say which
  admissions come from the queue, so an admission at a hospital where people wait is counted
  as theirs first;
* **relief seekers** are the households whose first ``evac.depart`` heads for a public shelter
  (``dest`` other than ``safety``) and that were not safe elsewhere (``evac.safe``) by the
  deadline; a household's **wait for basic relief** runs from that departure to its first
  ``relief.basic``.

Scalars follow the conventions of :mod:`drillsim.analysis.logtools` (read at the deadline;
unfinished waits count up to it; NaN when there is nothing to measure).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from drillsim.analysis.evacuation import RELIEF_TARGET_S, departure_rows
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.logtools import (
    NEVER,
    first_time,
    in_scope,
    positions,
    response_scalar,
    running,
    take,
    text,
    upto,
)
from drillsim.analysis.registry import ScalarFn, cumulative, horizon, series, step_values
from drillsim.sim.behaviour import Behaviour
from drillsim.sim.plan import Objective

_scalar = response_scalar

RELIEF_ITEMS = {"water_l": "litres", "food_rations": "rations"}
"""Items that relief transport carries (``relief.deliver`` ``item``) and their units."""

DAILY_WATER_L, DAILY_RATIONS = Behaviour.relief_water_l, Behaviour.relief_food
"""A day's basic relief per person, as the residents' model hands it out."""


def hospital_queue_curve(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    """Persons waiting for a bed at all hospitals, read at ``times``: at each hospital, the
    running total of persons queued less persons admitted, never below none."""
    rows = np.sort(np.concatenate([lf.where("hospital.queue"), lf.where("hospital.admit")]))
    sign = np.where(lf.kind[rows] == "hospital.queue", 1.0, -1.0)
    hospital = text(lf, "actor", rows)
    at, change = [np.zeros(0)], [np.zeros(0)]
    for h in np.unique(hospital):
        mine = rows[hospital == h]
        total = np.cumsum(sign[hospital == h] * lf.qty[mine])
        waiting = total - np.minimum(np.minimum.accumulate(total), 0.0)
        at.append(lf.t_s[mine])
        change.append(np.diff(np.r_[0.0, waiting]))
    return running(times, np.concatenate(at), np.concatenate(change))



@dataclass(frozen=True)
class ReliefSeekers:
    """Relief seekers by some time, one row each in order of departure: persons, when they
    left home and when they had their first basic relief, s since the start (``inf`` if not
    by then)."""

    persons: np.ndarray
    depart_s: np.ndarray
    relief_s: np.ndarray

    @classmethod
    def of(cls, lf: LogFrame, end_s: float) -> ReliefSeekers:
        rows = departure_rows(lf, end_s)
        rows = rows[text(lf, "dest", rows) != "safety"]
        safe = upto(lf, "evac.safe", end_s)
        rows = rows[~np.isin(text(lf, "actor", rows), text(lf, "actor", safe))]
        relief = upto(lf, "relief.basic", end_s)
        households = np.unique(text(lf, "household", relief))
        relieved_s = first_time(households, text(lf, "household", relief), lf.t_s[relief])
        pos = positions(text(lf, "actor", rows), households)
        return cls(lf.qty[rows].astype(float), lf.t_s[rows], take(relieved_s, pos, NEVER))

    def waits(self, end_s: float) -> np.ndarray:
        """Each one's wait for basic relief, s, up to ``end_s`` if not relieved by then."""
        return np.minimum(self.relief_s, end_s) - self.depart_s



# -- series -------------------------------------------------------------------------------------

@series("hospital_admissions", "persons admitted to hospitals so far (beds taken: nobody is "
        "discharged within a run)")
def hospital_admissions(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    rows = lf.where("hospital.admit")
    return cumulative(times, lf.t_s[rows], lf.qty[rows])


@series("hospital_queue", "persons waiting for a hospital bed: queued less admitted later at "
        "the same hospital")
def hospital_queue(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return hospital_queue_curve(lf, times)


def _stock(item: str) -> Callable[[LogFrame, np.ndarray], np.ndarray]:
    def fn(lf: LogFrame, times: np.ndarray) -> np.ndarray:
        rows = lf.where("shelter.stock")
        out = np.zeros(len(times))
        values = np.asarray(lf.column(item)[rows], float)
        for shelter in np.unique(lf.actor[rows]).tolist():
            mine = lf.actor[rows] == shelter
            out += step_values(times, lf.t_s[rows][mine], values[mine])
        return out
    return fn


for _item, _unit in (("water_l", "litres"), ("food_rations", "rations")):
    series(f"shelter_stock_{_item}", f"{_unit} held by the shelters with people, as they last "
           "reported (hourly)")(_stock(_item))


def _delivered(item: str) -> Callable[[LogFrame, np.ndarray], np.ndarray]:
    def fn(lf: LogFrame, times: np.ndarray) -> np.ndarray:
        rows = lf.where("relief.deliver")
        rows = rows[text(lf, "item", rows) == item]
        return cumulative(times, lf.t_s[rows], lf.qty[rows])
    return fn


for _item, _unit in RELIEF_ITEMS.items():
    series(f"relief_delivered_{_item}", f"{_item.split('_')[0]} delivered to shelters from "
           f"depots so far ({_unit})")(_delivered(_item))



# -- scalars ------------------------------------------------------------------------------------

def _hospital_sum(kind: str) -> ScalarFn:
    def fn(lf: LogFrame, obj: Objective) -> float:
        rows = upto(lf, kind, horizon(obj, lf))
        return float(lf.qty[rows][in_scope(text(lf, "actor", rows), obj.facilities)].sum())
    return fn


_scalar("hospital_admissions", "persons", "persons admitted by the hospitals in scope by the "
        "deadline", scopes=("facilities",), facility_kind="hospital")(
    _hospital_sum("hospital.admit"))
_scalar("hospital_diversions", "persons", "persons that the hospitals in scope sent on to "
        "another because they were full or closed, by the deadline (counted at every hospital "
        "that sent them on)", scopes=("facilities",), facility_kind="hospital")(
    _hospital_sum("hospital.divert"))
_scalar("hospital_queue_persons", "persons", "persons who had to wait for a bed at the "
        "hospitals in scope, by the deadline (whether or not they had one later)",
        scopes=("facilities",), facility_kind="hospital")(_hospital_sum("hospital.queue"))


@_scalar("depot_stockouts", "stockouts", "times a depot in scope ran out of an item by the "
         "deadline", scopes=("facilities",), facility_kind="depot")
def _depot_stockouts(lf: LogFrame, obj: Objective) -> float:
    rows = upto(lf, "depot.stockout", horizon(obj, lf))
    return float(in_scope(text(lf, "actor", rows), obj.facilities).sum())


@_scalar("time_to_basic_relief_s", "s", "longest wait for basic relief of the households that "
         "left home for a public shelter by the deadline and were not safe elsewhere by then, "
         "admitted or not: from leaving home to their first basic relief, or to the deadline if "
         "they had none (unlike time_to_basic_relief_max, which covers the persons admitted to "
         "a shelter and is inf for anyone not relieved); NaN if nobody left for a shelter")
def _relief_wait_max(lf: LogFrame, obj: Objective) -> float:
    end = horizon(obj, lf)
    waits = ReliefSeekers.of(lf, end).waits(end)
    return float(waits.max()) if len(waits) else math.nan


@_scalar("basic_relief_within_10h_share", "share", "share of the persons who left home for a "
         "public shelter at least 10 h before the deadline (and were not safe elsewhere by "
         "then) who had basic relief within 10 h of leaving home; those who left later are "
         "left out, their 10 h not being over; NaN if nobody left for a shelter that early")
def _relief_within(lf: LogFrame, obj: Objective) -> float:
    end = horizon(obj, lf)
    seekers = ReliefSeekers.of(lf, end)
    known = seekers.depart_s <= end - RELIEF_TARGET_S
    persons = seekers.persons[known]
    if persons.sum() <= 0:
        return math.nan
    in_time = seekers.relief_s[known] - seekers.depart_s[known] <= RELIEF_TARGET_S
    return float(persons[in_time].sum() / persons.sum())


@_scalar("relief_stock_share", "share", "persons whom the relief stocks held at the start "
         "(depots and shelters in scope; all if none named) could give a day's basic relief "
         "— the smaller of water ÷ 3 L and food rations ÷ 1 — as a share of the residents "
         "(municipal plans: stocks for at least 1 % of residents)", scopes=("facilities",))
def _relief_stock_share(lf: LogFrame, obj: Objective) -> float:
    rows = lf.where("facility.init")
    kind = text(lf, "type", rows)
    rows = rows[(kind == "depot") | (kind == "shelter")]
    rows = rows[in_scope(text(lf, "actor", rows), obj.facilities)]
    water = np.array([v or 0.0 for v in lf.column("water_l")[rows]], float).sum()
    food = np.array([v or 0.0 for v in lf.column("food_rations")[rows]], float).sum()
    residents = float(lf.qty[lf.where("zone.init")].sum())
    if residents <= 0:
        return math.nan
    return min(water / DAILY_WATER_L, food / DAILY_RATIONS) / residents
