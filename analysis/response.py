"""Response metrics: incidents, rescue and the teams that do the work — read from the log's
events alone (hospitals and relief: :mod:`drillsim.analysis.care`).

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
Scalars follow the conventions of :mod:`drillsim.analysis.logtools` (read at the deadline;
unfinished waits count up to it; NaN when there is nothing to measure).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.logtools import (
    NEVER,
    RESPONSE_SCALARS,
    first_time,
    group_cumsum,
    in_scope,
    positions,
    response_scalar,
    running,
    take,
    text,
    upto,
)
from drillsim.analysis.registry import cumulative, horizon, series
from drillsim.sim.events import KINDS
from drillsim.sim.plan import Objective

__all__ = ["RESPONSE_SCALARS"]

_scalar = response_scalar

TRAPPED_TYPES: tuple[str, ...] = tuple(sorted(KINDS["incident.create"].counted_types or ()))
"""Incident types whose persons are trapped: those that add to the ``trapped`` counter."""

WAITING_CAUSE = "waiting:"
"""``people.killed`` causes that start with this, followed by an incident id, are deaths of
people waiting in that incident."""

FIRST_TEAM_SHARE = 0.9
"""Share of incidents of ``time_to_first_team_p90_s``."""

FREE, BUSY, RESTING = 0, 1, 2
"""A team's states (before its ``team.ready`` it has none)."""


def has_response(lf: LogFrame) -> bool:
    """Whether the log holds any incident or hospital admission."""
    return bool(len(lf.where("incident.create")) or len(lf.where("hospital.admit")))


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
        rows = upto(lf, "incident.create", end_s)
        rows = rows[lf.qty[rows] > 0]
        ids, first = np.unique(text(lf, "actor", rows), return_index=True)
        rows = rows[first]
        arrive = upto(lf, "team.arrive", end_s)
        close = upto(lf, "incident.close", end_s)
        return cls(ids, text(lf, "type", rows), text(lf, "place", rows),
                   lf.qty[rows].astype(float), lf.t_s[rows],
                   first_time(ids, text(lf, "task", arrive), lf.t_s[arrive]),
                   first_time(ids, text(lf, "actor", close), lf.t_s[close]))

    def index(self, keys: np.ndarray) -> np.ndarray:
        """The row of each incident id in ``keys`` (-1 for an id not here)."""
        return positions(keys, self.id)

    def scope(self, obj: Objective, types: tuple[str, ...] = ()) -> np.ndarray:
        """Which incidents are in the objective's scope (and of ``types``, if given)."""
        keep = in_scope(self.type, obj.incident_types) & in_scope(self.zone, obj.zones)
        return keep & in_scope(self.type, types)


def death_rows(lf: LogFrame, end_s: float = NEVER) -> tuple[np.ndarray, np.ndarray]:
    """``people.killed`` rows up to ``end_s`` of people who died waiting in an incident, and
    that incident's id for each."""
    rows = upto(lf, "people.killed", end_s)
    cause = text(lf, "cause", rows)
    waited = np.char.startswith(cause, WAITING_CAUSE)
    if not waited.any():
        return rows[waited], np.zeros(0, dtype=str)
    return rows[waited], np.char.partition(cause[waited], ":")[:, 2]


def freed_rows(lf: LogFrame, end_s: float = NEVER) -> tuple[np.ndarray, np.ndarray]:
    """``rescue.alive`` rows up to ``end_s``, and the incident id of each."""
    rows = upto(lf, "rescue.alive", end_s)
    return rows, text(lf, "incident", rows)


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
    gone = group_cumsum(pos, less)
    units = inc.units[pos]
    change = np.maximum(units - gone, 0.0) - np.maximum(units - (gone - less), 0.0)
    return running(times, np.concatenate([inc.created_s[keep], at]),
                    np.concatenate([inc.units[keep], change]))


def died_waiting_curve(lf: LogFrame, times: np.ndarray,
                       types: tuple[str, ...] = ()) -> np.ndarray:
    """Persons who died waiting in an incident (of ``types``, if given) so far, read at
    ``times``."""
    rows, ids = death_rows(lf)
    if types:
        inc = Incidents.of(lf)
        pos = inc.index(ids)
        rows = rows[np.isin(take(inc.type, pos, ""), types)]
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
        ready, assign = upto(lf, "team.ready", end_s), upto(lf, "incident.assign", end_s)
        dispatch, rest = upto(lf, "team.dispatch", end_s), upto(lf, "team.rest", end_s)
        free = upto(lf, "team.free", end_s)
        to_rest = text(lf, "task", dispatch) == "rest"
        team = np.concatenate([text(lf, "actor", ready), text(lf, "team", assign),
                               text(lf, "actor", dispatch), text(lf, "actor", rest),
                               text(lf, "actor", free)])
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
        return running(times, self.t_s, change)


def utilization(lf: LogFrame, end_s: float) -> float:
    """Busy time ÷ (busy + free time) of all teams up to ``end_s``, a share from 0 to 1 (NaN
    if no team was ready)."""
    states = TeamStates.of(lf, end_s)
    took = states.durations(end_s)
    busy = took[states.state == BUSY].sum()
    available = busy + took[states.state == FREE].sum()
    return float(busy / available) if available > 0 else math.nan



# -- series -------------------------------------------------------------------------------------

@series("incidents_waiting", "incidents waiting for their first team: created and neither "
        "reached by a team nor closed")
def incidents_waiting(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    inc = Incidents.of(lf)
    over = np.minimum(inc.first_team_s, inc.closed_s)
    done = np.isfinite(over)
    return running(times, np.concatenate([inc.created_s, over[done]]),
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



# -- scalars ------------------------------------------------------------------------------------

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
    keep = in_scope(text(lf, "type", rows), obj.incident_types) & in_scope(text(lf, "place", rows),
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
    keep = in_scope(text(lf, "place", rows), obj.zones)
    if obj.incident_types:
        inc = Incidents.of(lf)
        pos = inc.index(ids)
        keep &= np.isin(take(inc.type, pos, ""), obj.incident_types)
    return float(lf.qty[rows][keep].sum())


@_scalar("team_utilization", "share", "busy time ÷ available time of all teams by the "
         "deadline: busy from a job's assignment or dispatch to the team's next team.free, "
         "available from its team.ready on, less the time it spent resting; NaN if no team was "
         "ready")
def _utilization(lf: LogFrame, obj: Objective) -> float:
    return utilization(lf, horizon(obj, lf))



@_scalar("level_changes", "changes", "response level declarations and stand-downs by the "
         "deadline")
def _level_changes(lf: LogFrame, obj: Objective) -> float:
    return float(len(upto(lf, "plan.level", horizon(obj, lf))))
