"""Response metrics: rescue, hospitals, relief logistics and the teams that do the work — read
from the log's events alone.

Definitions every metric here shares:

* an **incident** opens at its ``incident.create`` (actor: its id; ``type``; ``place``: its
  zone; ``qty``: its work units — persons trapped, casualties, or 1 for a fire or a leak); an
  incident created with no work units is left out (nobody waited in it);
* its **first team on scene** is the first ``team.arrive`` whose ``task`` is the incident's id,
  and its **wait for a team** runs from its creation to then; it **closes** at its
  ``incident.close``;
* the **trapped** are the persons of the incident types that the engine counts as trapped
  (:data:`TRAPPED_TYPES`: collapse and water rescues); a person is **freed alive** by a
  ``rescue.alive`` (its ``incident`` field names the incident) and **died waiting** by a
  ``people.killed`` whose ``cause`` is ``waiting:<incident id>`` (trapped, or a casualty waiting
  for a medical team);
* the persons **still waiting** in an incident are its units less those freed alive and those
  who died waiting in it (never fewer than none) until it closes, and none from then on: the
  log does not say when residents of a zone in danger leave by their own means, so a
  water-rescue incident counts them until it closes;
* a team is **free** from its ``team.ready`` and from each ``team.free``; **busy** from an
  ``incident.assign`` that names it or a ``team.dispatch`` for any task but ``rest`` (a relief
  trip begins with task ``load:<depot>``) until its next ``team.free`` or the start of its rest;
  **resting** from a ``team.dispatch`` with task ``rest`` (the drive back to base) or a
  ``team.rest`` until its next ``team.free``. Resting is neither busy nor available;
* the **hospital queue** is the persons that ``hospital.queue`` events left waiting for a bed
  at a hospital less those the same hospital admitted later: the log does not say which
  admissions come from the queue, so an admission at a hospital where people wait is counted
  as theirs first;
* **relief seekers** are the households whose first ``evac.depart`` heads for a public shelter
  (``dest`` other than ``safety``) and that were not safe elsewhere (``evac.safe``) by the
  deadline; a household's **wait for basic relief** runs from that departure to its first
  ``relief.basic``.

Scalars read the log as it stood at the objective's deadline (or the end of the run). A wait
that was not over by the deadline counts up to the deadline (it lasted at least that long);
a metric with nothing to measure (no incident in scope, nobody trapped, no team ready, no relief
seeker) is NaN, which an objective counts as not met.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from drillsim.analysis.evacuation import RELIEF_TARGET_S, departure_rows
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.registry import (
    ScalarFn,
    cumulative,
    horizon,
    scalar,
    series,
    step_values,
)
from drillsim.sim.events import KINDS
from drillsim.sim.plan import Objective

TRAPPED_TYPES: tuple[str, ...] = tuple(sorted(KINDS["incident.create"].counted_types or ()))
"""Incident types whose persons are trapped: those that add to the ``trapped`` counter."""

WAITING_CAUSE = "waiting:"
"""``people.killed`` causes that start with this, followed by an incident id, are deaths of
people waiting in that incident."""

FIRST_TEAM_SHARE = 0.9
"""Share of incidents of ``time_to_first_team_p90_s``."""

RELIEF_ITEMS = {"water_l": "litres", "food_rations": "rations"}
"""Items that relief transport carries (``relief.deliver`` ``item``) and their units."""

RESPONSE_SCALARS: list[str] = []
"""Names of the scalars this module registers, in order."""

NEVER = math.inf
FREE, BUSY, RESTING = 0, 1, 2
"""A team's states (before its ``team.ready`` it has none)."""


def has_response(lf: LogFrame) -> bool:
    """Whether the log holds any incident or hospital admission."""
    return bool(len(lf.where("incident.create")) or len(lf.where("hospital.admit")))


# -- reading the log ----------------------------------------------------------------------------

def _upto(lf: LogFrame, kind: str, end_s: float = NEVER) -> np.ndarray:
    rows = lf.where(kind)
    return rows[lf.t_s[rows] <= end_s]


def _text(lf: LogFrame, name: str, rows: np.ndarray) -> np.ndarray:
    """Field ``name`` (or ``actor`` / ``place``) of ``rows`` as text, ``""`` where null."""
    if not len(rows):
        return np.zeros(0, dtype=str)
    col = lf.table.column(name).take(pa.array(rows, pa.int64()))
    return np.asarray(pc.fill_null(col, "").to_numpy(zero_copy_only=False), dtype=str)


def _positions(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Where each of ``keys`` is in ``ids`` (sorted, unique), -1 where it is not."""
    if not len(ids):
        return np.full(len(keys), -1, np.int64)
    pos = np.minimum(np.searchsorted(ids, keys), len(ids) - 1)
    return np.where(ids[pos] == keys, pos, -1)


def _take(values: np.ndarray, pos: np.ndarray, missing: float | str) -> np.ndarray:
    """``values`` at ``pos``, ``missing`` where ``pos`` is -1."""
    if not len(values):
        return np.full(len(pos), missing)
    return np.where(pos >= 0, values[np.maximum(pos, 0)], missing)


def _first_time(ids: np.ndarray, keys: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """For each of ``ids`` (sorted, unique), the earliest of ``t_s`` whose key it is (inf if
    none)."""
    out = np.full(len(ids), NEVER)
    pos = _positions(keys, ids)
    hit = pos >= 0
    np.minimum.at(out, pos[hit], t_s[hit])
    return out


def _running(times: np.ndarray, at_s: np.ndarray, change: np.ndarray) -> np.ndarray:
    """Running total of ``change`` (events in any order) read at ``times``."""
    order = np.argsort(at_s, kind="stable")
    return cumulative(times, at_s[order], change[order])


def _group_cumsum(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarted at each new group (``groups`` sorted)."""
    total = np.cumsum(values)
    if not len(values):
        return total
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    before = (total - values)[starts]
    return total - np.repeat(before, np.diff(np.r_[starts, len(values)]))


def _in(values: np.ndarray, scope: tuple[str, ...]) -> np.ndarray:
    return np.isin(values, list(scope)) if scope else np.ones(len(values), bool)


@dataclass(frozen=True)
class Incidents:
    """Incidents created (with work units) by some time, one row each in order of id: type,
    zone, work units (persons, or 1 for a fire or a leak), and when it was created, first
    reached by a team and closed, s since the start (``inf``: not by then)."""

    id: np.ndarray
    type: np.ndarray
    zone: np.ndarray
    units: np.ndarray
    created_s: np.ndarray
    first_team_s: np.ndarray
    closed_s: np.ndarray

    @classmethod
    def of(cls, lf: LogFrame, end_s: float = NEVER) -> Incidents:
        """Incidents created up to ``end_s``, with their first team and close up to
        ``end_s``."""
        rows = _upto(lf, "incident.create", end_s)
        rows = rows[lf.qty[rows] > 0]
        ids, first = np.unique(_text(lf, "actor", rows), return_index=True)
        rows = rows[first]
        arrive = _upto(lf, "team.arrive", end_s)
        close = _upto(lf, "incident.close", end_s)
        return cls(ids, _text(lf, "type", rows), _text(lf, "place", rows),
                   lf.qty[rows].astype(float), lf.t_s[rows],
                   _first_time(ids, _text(lf, "task", arrive), lf.t_s[arrive]),
                   _first_time(ids, _text(lf, "actor", close), lf.t_s[close]))

    def index(self, keys: np.ndarray) -> np.ndarray:
        """The row of each incident id in ``keys`` (-1 for an id not here)."""
        return _positions(keys, self.id)

    def scope(self, obj: Objective, types: tuple[str, ...] = ()) -> np.ndarray:
        """Which incidents are in the objective's scope (and of ``types``, if given)."""
        keep = _in(self.type, obj.incident_types) & _in(self.zone, obj.zones)
        return keep & _in(self.type, types)


def death_rows(lf: LogFrame, end_s: float = NEVER) -> tuple[np.ndarray, np.ndarray]:
    """``people.killed`` rows up to ``end_s`` of people who died waiting in an incident, and
    that incident's id for each."""
    rows = _upto(lf, "people.killed", end_s)
    cause = _text(lf, "cause", rows)
    waited = np.char.startswith(cause, WAITING_CAUSE)
    if not waited.any():
        return rows[waited], np.zeros(0, dtype=str)
    return rows[waited], np.char.partition(cause[waited], ":")[:, 2]


def freed_rows(lf: LogFrame, end_s: float = NEVER) -> tuple[np.ndarray, np.ndarray]:
    """``rescue.alive`` rows up to ``end_s``, and the incident id of each."""
    rows = _upto(lf, "rescue.alive", end_s)
    return rows, _text(lf, "incident", rows)


def freed_per_incident(lf: LogFrame, inc: Incidents, end_s: float = NEVER) -> np.ndarray:
    """Persons freed alive from each incident up to ``end_s``."""
    rows, ids = freed_rows(lf, end_s)
    pos = inc.index(ids)
    hit = pos >= 0
    return np.bincount(pos[hit], weights=lf.qty[rows][hit], minlength=len(inc.id))


# -- per-incident and per-team curves -----------------------------------------------------------

def persons_waiting(lf: LogFrame, times: np.ndarray,
                    types: tuple[str, ...] = TRAPPED_TYPES) -> np.ndarray:
    """Persons still waiting (not freed alive, not dead, the incident not closed) in the
    incidents of ``types``, read at ``times``."""
    inc = Incidents.of(lf)
    keep = np.isin(inc.type, types)
    freed, freed_ids = freed_rows(lf)
    died, died_ids = death_rows(lf)
    closed = np.flatnonzero(np.isfinite(inc.closed_s))
    pos = np.concatenate([inc.index(freed_ids), inc.index(died_ids), closed])
    at = np.concatenate([lf.t_s[freed], lf.t_s[died], inc.closed_s[closed]])
    # a close takes away whatever is left: at most all the incident's units
    less = np.concatenate([lf.qty[freed], lf.qty[died], inc.units[closed]])
    ok = pos >= 0
    ok[ok] = keep[pos[ok]]
    pos, at, less = pos[ok], at[ok], less[ok]
    order = np.lexsort((at, pos))
    pos, at, less = pos[order], at[order], less[order]
    gone = _group_cumsum(pos, less)
    units = inc.units[pos]
    change = np.maximum(units - gone, 0.0) - np.maximum(units - (gone - less), 0.0)
    return _running(times, np.concatenate([inc.created_s[keep], at]),
                    np.concatenate([inc.units[keep], change]))


def died_waiting_curve(lf: LogFrame, times: np.ndarray,
                       types: tuple[str, ...] = ()) -> np.ndarray:
    """Persons who died waiting in an incident (of ``types``, if given) so far, read at
    ``times``."""
    rows, ids = death_rows(lf)
    if types:
        inc = Incidents.of(lf)
        pos = inc.index(ids)
        rows = rows[np.isin(_take(inc.type, pos, ""), types)]
    return cumulative(times, lf.t_s[rows], lf.qty[rows])


@dataclass(frozen=True)
class TeamStates:
    """Every change of a team's state up to some time, grouped by team and in time order
    within a team: ``state`` (:data:`FREE`, :data:`BUSY` or :data:`RESTING`) holds from
    ``t_s`` (s since the start) until the team's next change."""

    team: np.ndarray
    t_s: np.ndarray
    state: np.ndarray
    previous: np.ndarray
    """The state before each change (-1: not yet ready)."""

    @classmethod
    def of(cls, lf: LogFrame, end_s: float = NEVER) -> TeamStates:
        ready, assign = _upto(lf, "team.ready", end_s), _upto(lf, "incident.assign", end_s)
        dispatch, rest = _upto(lf, "team.dispatch", end_s), _upto(lf, "team.rest", end_s)
        free = _upto(lf, "team.free", end_s)
        to_rest = _text(lf, "task", dispatch) == "rest"
        team = np.concatenate([_text(lf, "actor", ready), _text(lf, "team", assign),
                               _text(lf, "actor", dispatch), _text(lf, "actor", rest),
                               _text(lf, "actor", free)])
        rows = np.concatenate([ready, assign, dispatch, rest, free])
        state = np.concatenate([np.full(len(ready), FREE), np.full(len(assign), BUSY),
                                np.where(to_rest, RESTING, BUSY), np.full(len(rest), RESTING),
                                np.full(len(free), FREE)])
        order = np.lexsort((rows, team))
        team, rows, state = team[order], rows[order], state[order]
        first = np.r_[True, team[1:] != team[:-1]] if len(team) else np.zeros(0, bool)
        previous = np.where(first, -1, np.r_[-1, state[:-1]])
        return cls(team, lf.t_s[rows], state, previous)

    def durations(self, end_s: float) -> np.ndarray:
        """How long each state lasted, up to ``end_s``, s."""
        if not len(self.t_s):
            return np.zeros(0)
        last = np.r_[self.team[1:] != self.team[:-1], True]
        until = np.where(last, end_s, np.r_[self.t_s[1:], end_s])
        return np.maximum(until - self.t_s, 0.0)

    def count(self, times: np.ndarray, state: int) -> np.ndarray:
        """Teams in ``state`` at ``times``."""
        change = (self.state == state).astype(float) - (self.previous == state)
        return _running(times, self.t_s, change)


def utilization(lf: LogFrame, end_s: float) -> float:
    """Busy time ÷ (busy + free time) of all teams up to ``end_s``, a share from 0 to 1 (NaN
    if no team was ready)."""
    states = TeamStates.of(lf, end_s)
    took = states.durations(end_s)
    busy = took[states.state == BUSY].sum()
    available = busy + took[states.state == FREE].sum()
    return float(busy / available) if available > 0 else math.nan


def hospital_queue_curve(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    """Persons waiting for a bed at all hospitals, read at ``times``: at each hospital, the
    running total of persons queued less persons admitted, never below none."""
    rows = np.sort(np.concatenate([lf.where("hospital.queue"), lf.where("hospital.admit")]))
    sign = np.where(lf.kind[rows] == "hospital.queue", 1.0, -1.0)
    hospital = _text(lf, "actor", rows)
    at, change = [np.zeros(0)], [np.zeros(0)]
    for h in np.unique(hospital):
        mine = rows[hospital == h]
        total = np.cumsum(sign[hospital == h] * lf.qty[mine])
        waiting = total - np.minimum(np.minimum.accumulate(total), 0.0)
        at.append(lf.t_s[mine])
        change.append(np.diff(np.r_[0.0, waiting]))
    return _running(times, np.concatenate(at), np.concatenate(change))


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
        rows = rows[_text(lf, "dest", rows) != "safety"]
        safe = _upto(lf, "evac.safe", end_s)
        rows = rows[~np.isin(_text(lf, "actor", rows), _text(lf, "actor", safe))]
        relief = _upto(lf, "relief.basic", end_s)
        households = np.unique(_text(lf, "household", relief))
        relieved_s = _first_time(households, _text(lf, "household", relief), lf.t_s[relief])
        pos = _positions(_text(lf, "actor", rows), households)
        return cls(lf.qty[rows].astype(float), lf.t_s[rows], _take(relieved_s, pos, NEVER))

    def waits(self, end_s: float) -> np.ndarray:
        """Each one's wait for basic relief, s, up to ``end_s`` if not relieved by then."""
        return np.minimum(self.relief_s, end_s) - self.depart_s


# -- series -------------------------------------------------------------------------------------

@series("incidents_waiting", "incidents waiting for their first team: created and neither "
        "reached by a team nor closed")
def incidents_waiting(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    inc = Incidents.of(lf)
    over = np.minimum(inc.first_team_s, inc.closed_s)
    done = np.isfinite(over)
    return _running(times, np.concatenate([inc.created_s, over[done]]),
                    np.r_[np.ones(len(inc.id)), -np.ones(int(done.sum()))])


@series("trapped_waiting", "persons trapped (collapse and water rescues) not yet freed alive "
        "nor dead, in incidents not closed")
def trapped_waiting(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return persons_waiting(lf, times, TRAPPED_TYPES)


@series("rescued_alive", "persons freed alive so far")
def rescued_alive(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    rows, _ = freed_rows(lf)
    return cumulative(times, lf.t_s[rows], lf.qty[rows])


@series("died_waiting", "persons who died so far while waiting in an incident (trapped, or a "
        "casualty waiting for a medical team)")
def died_waiting(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return died_waiting_curve(lf, times)


@series("teams_busy", "teams on a job: driving to, working or carrying for an incident, or on "
        "a relief trip")
def teams_busy(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return TeamStates.of(lf).count(times, BUSY)


@series("teams_resting", "teams off shift: driving back to base or resting there")
def teams_resting(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return TeamStates.of(lf).count(times, RESTING)


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
        rows = rows[_text(lf, "item", rows) == item]
        return cumulative(times, lf.t_s[rows], lf.qty[rows])
    return fn


for _item, _unit in RELIEF_ITEMS.items():
    series(f"relief_delivered_{_item}", f"{_item.split('_')[0]} delivered to shelters from "
           f"depots so far ({_unit})")(_delivered(_item))


# -- scalars ------------------------------------------------------------------------------------

def _scalar(name: str, unit: str, doc: str, scopes: tuple[str, ...] = (),
            facility_kind: str | None = None) -> Callable[[ScalarFn], ScalarFn]:
    RESPONSE_SCALARS.append(name)
    return scalar(name, unit, doc, scopes, facility_kind)


INCIDENT_SCOPES = ("incident_types", "zones")


def first_team_waits(lf: LogFrame, obj: Objective) -> np.ndarray:
    """Each incident in scope created by the deadline: its wait for a first team, s (up to
    the deadline if no team had reached it by then)."""
    end = horizon(obj, lf)
    inc = Incidents.of(lf, end)
    keep = inc.scope(obj)
    return np.minimum(inc.first_team_s[keep], end) - inc.created_s[keep]


def nearest_rank(values: np.ndarray, share: float) -> float:
    """The smallest of ``values`` that at least ``share`` of them do not exceed (NaN if
    none)."""
    if not len(values):
        return math.nan
    k = max(math.ceil(share * len(values) - 1e-9), 1) - 1
    return float(np.sort(values)[k])


@_scalar("time_to_first_team_mean_s", "s", "mean wait of the incidents in scope created by the "
         "deadline from creation to their first team on scene (an incident no team had reached "
         "by the deadline counts its wait up to the deadline); NaN if no incident",
         scopes=INCIDENT_SCOPES)
def _first_team_mean(lf: LogFrame, obj: Objective) -> float:
    waits = first_team_waits(lf, obj)
    return float(waits.mean()) if len(waits) else math.nan


@_scalar("time_to_first_team_p90_s", "s", "wait from creation to the first team on scene "
         "within which at least 90 % of the incidents in scope created by the deadline were "
         "reached (nearest rank; an incident no team had reached by the deadline counts its "
         "wait up to the deadline); NaN if no incident", scopes=INCIDENT_SCOPES)
def _first_team_p90(lf: LogFrame, obj: Objective) -> float:
    return nearest_rank(first_team_waits(lf, obj), FIRST_TEAM_SHARE)


@_scalar("incidents_unreached", "incidents", "incidents in scope created by the deadline that "
         "no team had reached by then (also those closed before any team came)",
         scopes=INCIDENT_SCOPES)
def _unreached(lf: LogFrame, obj: Objective) -> float:
    inc = Incidents.of(lf, horizon(obj, lf))
    return float((~np.isfinite(inc.first_team_s[inc.scope(obj)])).sum())


@_scalar("rescued_alive", "persons", "persons freed alive from incidents in scope by the "
         "deadline", scopes=INCIDENT_SCOPES)
def _rescued(lf: LogFrame, obj: Objective) -> float:
    rows, _ = freed_rows(lf, horizon(obj, lf))
    keep = _in(_text(lf, "type", rows), obj.incident_types) & _in(_text(lf, "place", rows),
                                                                    obj.zones)
    return float(lf.qty[rows][keep].sum())


@_scalar("rescued_alive_share", "share", "persons freed alive by the deadline ÷ persons trapped "
         "(collapse and water rescues) in the incidents in scope created by the deadline; "
         "each incident counts at most its own persons freed; NaN if nobody was trapped",
         scopes=INCIDENT_SCOPES)
def _rescued_share(lf: LogFrame, obj: Objective) -> float:
    end = horizon(obj, lf)
    inc = Incidents.of(lf, end)
    keep = inc.scope(obj, TRAPPED_TYPES)
    trapped = inc.units[keep].sum()
    if trapped <= 0:
        return math.nan
    freed = np.minimum(freed_per_incident(lf, inc, end), inc.units)
    return float(freed[keep].sum() / trapped)


@_scalar("died_waiting", "persons", "persons who died by the deadline while waiting in an "
         "incident in scope (trapped, or a casualty waiting for a medical team)",
         scopes=INCIDENT_SCOPES)
def _died(lf: LogFrame, obj: Objective) -> float:
    rows, ids = death_rows(lf, horizon(obj, lf))
    keep = _in(_text(lf, "place", rows), obj.zones)
    if obj.incident_types:
        inc = Incidents.of(lf)
        pos = inc.index(ids)
        keep &= np.isin(_take(inc.type, pos, ""), obj.incident_types)
    return float(lf.qty[rows][keep].sum())


@_scalar("team_utilization", "share", "busy time ÷ available time of all teams by the "
         "deadline: busy from a job's assignment or dispatch to the team's next team.free, "
         "available from its team.ready on, less the time it spent resting; NaN if no team was "
         "ready")
def _utilization(lf: LogFrame, obj: Objective) -> float:
    return utilization(lf, horizon(obj, lf))


def _hospital_sum(kind: str) -> ScalarFn:
    def fn(lf: LogFrame, obj: Objective) -> float:
        rows = _upto(lf, kind, horizon(obj, lf))
        return float(lf.qty[rows][_in(_text(lf, "actor", rows), obj.facilities)].sum())
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
    rows = _upto(lf, "depot.stockout", horizon(obj, lf))
    return float(_in(_text(lf, "actor", rows), obj.facilities).sum())


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


@_scalar("level_changes", "changes", "response level declarations and stand-downs by the "
         "deadline")
def _level_changes(lf: LogFrame, obj: Objective) -> float:
    return float(len(_upto(lf, "plan.level", horizon(obj, lf))))
