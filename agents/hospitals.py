"""Hospitals: beds, admissions, diversions and queues.

Each hospital has its beds, a share of them already occupied when the disaster strikes, and
a level (Chinese hospital grades: 3 tertiary, 2 secondary, 1 primary). Casualties go to the
nearest open hospital with a free bed, those with life-threatening injuries (severity 3) to a
hospital of level 2 or 3 where one can be reached. A hospital found full or closed on arrival
sends them on to the next one (``hospital.divert``); when no hospital they can reach has a
bed, they wait at the nearest open one (``hospital.queue``) and are admitted as soon as a bed
is free there or it opens again; those with life-threatening injuries die as they wait, on
the curve of untreated critical casualties
(:func:`~drillsim.agents.incidents.critical_survival`). Inpatients are not discharged within
a run (disaster runs last days, hospital stays of the injured longer), so beds only fill;
a response level can open the plan's surge beds (a share of each open hospital's beds, some
hours after the declaration).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import simpy

from drillsim.agents.incidents import critical_survival
from drillsim.agents.teams import RETRY_S, Roster, TeamAgent
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel

QUEUE_CHECK_S = 600.0
"""How often waiting casualties are offered a bed that has come free."""


@dataclass
class _Waiting:
    persons: int
    severity: int
    zone: int
    by: str
    since_s: float
    """When they were hurt (the survival curve's time zero)."""


class Hospitals(mesa.Agent):
    """Every hospital of the run: beds in use, the casualties waiting at each."""

    model: DrillModel

    def __init__(self, model: DrillModel) -> None:
        super().__init__(model)
        h = model.world.hospitals
        self.roster = Roster.of(model)
        self.beds = np.asarray(h.beds, float).astype(np.int64)
        self.occupied = np.round(self.beds * np.asarray(h.occupied_share, float)).astype(
            np.int64)
        self.level = np.asarray(h.level, np.int64)
        self.full = np.zeros(len(self.beds), bool)
        self.waiting: list[list[_Waiting]] = [[] for _ in range(len(self.beds))]
        self.on_died: list[Callable[[int, int], None]] = []
        """Called with (zone, persons) when people die waiting for a bed."""
        self.draws = model.streams("hospitals")
        self.surged = False
        model.env.process(self._queues())

    def surge(self, level: str) -> None:
        """Open the plan's surge beds (once): each hospital open when they are ready adds
        its share of beds, ``surge_after_s`` after the call (``hospital.surge``)."""
        if self.surged or len(self.beds) == 0:
            return
        self.surged = True
        self.model.env.process(self._surge(level))

    def _surge(self, level: str) -> Generator[simpy.Event]:
        plan = self.model.compiled.plan
        yield self.model.env.timeout(plan.surge_after_s)
        ids = self.model.world.hospitals.ids
        for i in range(len(self.beds)):
            if not self.is_open(i):
                continue
            extra = math.floor(float(self.beds[i]) * plan.surge_share + 0.5)
            if extra <= 0:
                continue
            self.beds[i] += extra
            self.full[i] = False
            self.model.emit("hospital.surge", ids[i], qty=float(extra), level=level)
        self._admit_waiting()

    @staticmethod
    def of(model: DrillModel) -> Hospitals | None:
        found = model.agents_by_type.get(Hospitals, [])
        return found[0] if found else None  # type: ignore[return-value]

    def is_open(self, i: int) -> bool:
        return bool(self.model.state.hospital_open[i])

    def free_beds(self, i: int) -> int:
        return int(self.beds[i] - self.occupied[i]) if self.is_open(i) else 0

    def choose(self, node: int, severity: int, mode: str = "",
               exclude: frozenset[int] = frozenset(), open_only: bool = True
               ) -> tuple[int, float, bool]:
        """(hospital, travel s, has a bed) for casualties at ``node``: the nearest open one
        with a free bed (of level ≥ 2 for severity 3, if such a one can be reached), else
        the nearest open one (-1 if none can be reached). With ``open_only=False``, the
        nearest reachable one, open or not, when no open one can be reached."""
        h = self.model.world.hospitals
        times = self.roster.routes.from_node(node, mode)[np.asarray(h.node, np.int64)]
        times = np.where(np.asarray(h.node) == node, 0.0, times)
        reachable = np.isfinite(times)
        reachable[list(exclude)] = False
        is_open = reachable & np.asarray([self.is_open(i) for i in range(len(h))], bool)
        with_bed = is_open & (self.beds - self.occupied > 0)
        choices = [with_bed & (self.level >= 2), with_bed] if severity >= 3 else [with_bed]
        for ok in [*choices, is_open, *([] if open_only else [reachable])]:
            if ok.any():
                i = int(np.flatnonzero(ok)[np.argmin(times[ok])])
                return i, float(times[i]), bool(with_bed[i])
        return -1, math.inf, False

    def deliver(self, persons: int, severity: int, zone: int, node: int,
                team: TeamAgent | None = None, since_s: float | None = None
                ) -> Generator[simpy.Event]:
        """Take ``persons`` casualties from ``node`` to hospital: driven by ``team`` (it goes
        with them and ends at the hospital), or by their own means. They go to the best
        hospital :meth:`choose` finds, on to the next one with a bed if it is full or closed
        on arrival (``hospital.divert``), and wait for a bed where no hospital they can reach
        has one (``hospital.queue``, at an open hospital if there is one). People on their
        own wait while no hospital can be reached; a team does not: it leaves them queued at
        the nearest hospital it can reach, open or not, and is free again."""
        env, ids = self.model.env, self.model.world.hospitals.ids
        by = team.team_id if team is not None else "self"
        mode = team.team_type if team is not None else ""
        hurt_s = self.model.now if since_s is None else since_s
        tried: set[int] = set()
        while persons > 0:
            i, travel, _ = self.choose(node, severity, mode, frozenset(tried),
                                       open_only=team is None)
            if i < 0:
                if team is None:
                    yield env.timeout(RETRY_S)  # nowhere to go yet: wait where they are
                    continue
                self._queue(0, persons, severity, zone, by, hurt_s)  # no road to any hospital
                return
            target = int(self.model.world.hospitals.node[i])
            if team is not None:
                yield from team.go(target, f"hospital:{ids[i]}")
            elif travel > 0:
                yield env.timeout(travel)
            node = target
            taken = min(persons, self.free_beds(i))
            if taken > 0:
                self._admit(i, taken, severity, zone, by)
                persons -= taken
            if persons == 0:
                return
            tried.add(i)
            nxt, _, bed = self.choose(node, severity, mode, frozenset(tried))
            if nxt >= 0 and bed:
                reason = "closed" if not self.is_open(i) else "full"
                self.model.emit("hospital.divert", ids[i], self.model.world.zones.ids[zone],
                                float(persons), severity=severity, target=ids[nxt],
                                reason=reason)
                continue
            wait_at = i if self.is_open(i) or nxt < 0 else nxt
            self._queue(wait_at, persons, severity, zone, by, hurt_s)
            return

    def _admit(self, i: int, persons: int, severity: int, zone: int, by: str) -> None:
        self.occupied[i] += persons
        self.model.emit("hospital.admit", self.model.world.hospitals.ids[i],
                        self.model.world.zones.ids[zone], float(persons), severity=severity,
                        by=by)
        if self.occupied[i] >= self.beds[i] and not self.full[i]:
            self.full[i] = True
            self.model.emit("hospital.full", self.model.world.hospitals.ids[i],
                            qty=float(self.occupied[i]))

    def _queue(self, i: int, persons: int, severity: int, zone: int, by: str,
               since_s: float) -> None:
        self.waiting[i].append(_Waiting(persons, severity, zone, by, since_s))
        self.model.emit("hospital.queue", self.model.world.hospitals.ids[i],
                        self.model.world.zones.ids[zone], float(persons), severity=severity)

    def _queues(self) -> Generator[simpy.Event]:
        """Admit waiting casualties, first come first, when a bed is free or the hospital
        has opened again; those with life-threatening injuries die as they wait, on the
        same curve as while they waited for an ambulance (:func:`critical_survival`)."""
        while True:
            yield self.model.env.timeout(QUEUE_CHECK_S)
            self._deaths()
            self._admit_waiting()

    def _admit_waiting(self) -> None:
        for i, queue in enumerate(self.waiting):
            while queue and self.free_beds(i) > 0:
                w = queue[0]
                taken = min(w.persons, self.free_beds(i))
                self._admit(i, taken, w.severity, w.zone, w.by)
                w.persons -= taken
                if w.persons == 0:
                    queue.pop(0)

    def _deaths(self) -> None:
        now, zones = self.model.now, self.model.world.zones
        for i, queue in enumerate(self.waiting):
            for w in queue:
                if w.severity < 3 or w.persons == 0:
                    continue
                h0 = max(now - QUEUE_CHECK_S - w.since_s, 0.0) / 3600.0
                keep = float(critical_survival((now - w.since_s) / 3600.0)) / max(
                    float(critical_survival(h0)), 1e-300)
                died = int(self.draws.binomial(w.persons, 1.0 - min(keep, 1.0)))
                if died:
                    w.persons -= died
                    self.model.emit("people.killed", zones.ids[w.zone], zones.ids[w.zone],
                                    float(died), cause=f"waiting for a bed:"
                                    f"{self.model.world.hospitals.ids[i]}")
                    for fn in self.on_died:
                        fn(w.zone, died)
            self.waiting[i] = [w for w in queue if w.persons > 0]
