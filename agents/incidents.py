"""Incidents and dispatch: the queue of work that hazards create and the rule that sends
free teams to it.

An :class:`Incident` has a type (:class:`~drillsim.sim.plan.IncidentType`), a place, a
severity and a number of work units: persons trapped in a collapse zone, casualties waiting
for an ambulance, or one fire or leak. Each unit takes one team one work time, drawn from
its type's distribution with the team's own stream. An incident accepts as many teams at
once as it has units left (or its type's ``max_teams``).

People waiting in an incident die as time passes when its type names a survival curve
(:data:`SURVIVAL`): people trapped in collapsed buildings follow
:func:`drillsim.sim.hazards.quake.trapped.survival`; casualties with life-threatening
injuries follow :func:`critical_survival`. The curves are read as the chance that someone
still waiting at time t is alive, so a person freed or picked up at t is alive.

**Dispatch** (the plan's :class:`~drillsim.sim.plan.Dispatch`) runs whenever an incident is
created or a team becomes free: it pairs free capable teams with incidents that still need
one, one pair at a time, in the order its policy gives, and logs each choice with its
reason (``incident.assign``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

from drillsim.agents.teams import Roster, TeamAgent
from drillsim.sim.distributions import Dist
from drillsim.sim.hazards.quake.trapped import survival as collapse_survival
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.plan import Arrivals, Dispatch, IncidentType

DEATH_CHECK_S = 1800.0
"""How often deaths among people still waiting are drawn."""

RECHECK_S = 600.0
"""How often dispatch looks again at incidents that wait, whatever else happens."""

CRITICAL_MEDIAN_H = 6.0
"""Median time to death of an untreated casualty with life-threatening injuries (Hazus
severity 3), h. A planning value, not a published one (check): the survival of untreated
trauma patients over hours is not tabulated in the sources we hold; set the curve in the
scenario if the plan depends on it."""


def critical_survival(hours: np.ndarray | float) -> np.ndarray:
    """Share of untreated severity-3 casualties alive after ``hours``: an exponential with
    median :data:`CRITICAL_MEDIAN_H`."""
    h = np.maximum(np.asarray(hours, float), 0.0)
    return np.asarray(0.5 ** (h / CRITICAL_MEDIAN_H))


SURVIVAL: dict[str, Callable[[np.ndarray | float], np.ndarray]] = {
    "collapse": collapse_survival,
    "critical": critical_survival,
}
"""Survival curves by name: the share alive after a wait of so many hours."""


OnUnit = Callable[["Incident", TeamAgent, int], Generator[simpy.Event]]


@dataclass(eq=False)
class Incident:
    """One incident. ``alive`` counts the units still waiting (persons alive, or 1 for a
    fire); ``working`` the units being worked now."""

    id: str
    type: IncidentType
    zone: int
    node: int
    severity: int
    created_s: float
    since_s: float
    """When its people began to wait (the survival curve's time zero)."""
    alive: int
    units: int
    working: int = 0
    done: int = 0
    teams: set[str] = field(default_factory=set)
    """Teams on it or on their way to it."""
    crews: int = 0
    """The crews of those teams."""
    first_on_scene_s: float = math.nan
    closed: bool = False
    work_s: Dist | None = None
    """This incident's own work time (else its type's)."""
    on_unit: OnUnit | None = None
    """What happens after the team has done units (casualties taken to hospital, a leak
    stopped): called with the incident, the team and how many units it just did."""

    def wants_team(self) -> bool:
        """Whether another team could work here: units are left beyond the crews of the
        teams already on it or on their way (and its type's ``max_teams`` allows one)."""
        if self.closed or self.alive - self.working <= 0:
            return False
        if self.type.max_teams and len(self.teams) >= self.type.max_teams:
            return False
        return self.crews < self.alive


def crews_of(team: TeamAgent, inc: Incident) -> int:
    """How many units ``team`` works at once at ``inc`` (one if it carries them away)."""
    return 1 if inc.type.transported else max(team.spec.crews, 1)


class IncidentBoard(mesa.Agent):
    """The dispatch centre: every incident of the run and the process that assigns teams."""

    model: DrillModel

    def __init__(self, model: DrillModel) -> None:
        super().__init__(model)
        self.roster = Roster.of(model)
        plan = model.compiled.plan
        self.types = {t.name: t for t in plan.incident_types}
        self.policy: Dispatch = plan.dispatch
        self.incidents: list[Incident] = []
        self.open: list[Incident] = []
        self.on_rescued: list[Callable[[Incident, int], None]] = []
        """Called with (incident, persons) when people are freed alive."""
        self.on_died: list[Callable[[Incident, int], None]] = []
        """Called with (incident, persons) when people die waiting (after ``people.killed``
        is logged)."""
        self.handlers: dict[str, OnUnit] = {}
        """What follows each unit of work, by incident type, for incidents opened without
        their own ``on_unit``."""
        self.draws = model.streams("incidents")
        model.incident_handler = lambda iid, kind, zone, persons, cause: self.create(
            iid, kind, zone, persons, cause=cause)
        model.env.process(self._dispatch_loop())
        model.env.process(self._deaths())
        for k, arrivals in enumerate(model.compiled.arrivals):
            model.env.process(self._arrivals(k, arrivals))

    @staticmethod
    def of(model: DrillModel) -> IncidentBoard:
        return model.agents_by_type[IncidentBoard][0]  # type: ignore[return-value]

    # -- creating incidents ----------------------------------------------------------------
    def create(self, incident_id: str, type_name: str, zone: int, persons: int,
               cause: str = "", node: int | None = None, severity: int = 0,
               since_s: float | None = None,
               on_unit: OnUnit | None = None) -> Incident:
        """Open an incident (logged as ``incident.create``) and wake the dispatcher."""
        itype = self.types[type_name]
        world, now = self.model.world, self.model.now
        inc = Incident(incident_id, itype, zone,
                       int(world.zones.node[zone]) if node is None else int(node),
                       severity or itype.severity, now, now if since_s is None else since_s,
                       int(persons), int(persons),
                       on_unit=on_unit or self.handlers.get(type_name))
        self.incidents.append(inc)
        self.model.emit("incident.create", incident_id, world.zones.ids[zone], float(persons),
                        type=type_name, cause=cause, severity=inc.severity)
        if persons > 0:
            self.open.append(inc)
            self.poke()
        else:
            self._close(inc, "nothing to do")
        return inc

    def poke(self) -> None:
        self.roster.freed.poke()

    def _arrivals(self, k: int, spec: Arrivals) -> Generator[simpy.Event]:
        """A Poisson stream of incidents: exponential gaps at ``per_hour``, each in a zone
        drawn uniformly from ``zones``."""
        env, draws = self.model.env, self.model.streams(f"arrivals:{k}")
        if spec.from_s > env.now:
            yield env.timeout(spec.from_s - env.now)
        n = 0
        while True:
            gap = draws.exponential(3600.0 / spec.per_hour)
            zone = spec.zones[int(draws.integers(len(spec.zones)))]
            if env.now + gap >= spec.until_s:
                return
            yield env.timeout(gap)
            n += 1
            self.create(f"{spec.type}-{k + 1}-{n}", spec.type, zone, spec.units,
                        cause="arrivals", severity=spec.severity)

    # -- dispatch ------------------------------------------------------------------------------
    def _dispatch_loop(self) -> Generator[simpy.Event]:
        """Dispatch when a team comes free or an incident opens, and, while incidents wait,
        every :data:`RECHECK_S` (a road or hospital that reopens changes what can be
        reached)."""
        env = self.model.env
        while True:
            if any(i.wants_team() for i in self.open):
                yield self.roster.freed.wait() | env.timeout(RECHECK_S)
            else:
                yield self.roster.freed.wait()
            self.dispatch()

    def dispatch(self) -> None:
        """Assign free teams to incidents until no pair is left, one pair at a time."""
        while True:
            waiting = [i for i in self.open if i.wants_team()]
            free = self.roster.free()
            if not waiting or not free:
                return
            pair = self._choose(waiting, free)
            if pair is None:
                return
            inc, team, travel, reason = pair
            self._assign(inc, team, travel, reason)

    def _choose(self, waiting: list[Incident], free: list[TeamAgent]
                ) -> tuple[Incident, TeamAgent, float, str] | None:
        now, policy = self.model.now, self.policy
        best: tuple[tuple[float, ...], Incident, TeamAgent, float] | None = None
        by_team = {}
        for team in free:
            capable = [i for i in waiting if team.can_work(i.type.name, i.type.teams)]
            if not capable:
                continue
            times = self.roster.routes.from_node(team.node, team.team_type)
            by_team[team.team_id] = (team, capable, times)
        for team, capable, times in by_team.values():
            for inc in capable:
                travel = 0.0 if inc.node == team.node else float(times[inc.node])
                if not math.isfinite(travel):
                    continue
                wait_h = (now - inc.created_s) / 3600.0
                if policy.policy == "nearest":
                    key = (travel, inc.created_s)
                elif policy.policy == "severity":
                    key = (-inc.severity, inc.created_s, travel)
                else:
                    score = (policy.severity_weight * inc.severity
                             + policy.waiting_weight * wait_h
                             - policy.travel_weight * travel / 3600.0)
                    key = (-score, inc.created_s)
                if best is None or key < best[0]:
                    best = (key, inc, team, travel)
        if best is None:
            return None
        _, inc, team, travel = best
        return inc, team, travel, self._reason(inc, team, travel)

    def _reason(self, inc: Incident, team: TeamAgent, travel: float) -> str:
        p, wait_min = self.policy, (self.model.now - inc.created_s) / 60.0
        if p.policy == "nearest":
            return f"nearest capable pair: {travel / 60:.1f} min away"
        if p.policy == "severity":
            return (f"most severe waiting (severity {inc.severity}, waited {wait_min:.0f} min); "
                    f"nearest capable team {travel / 60:.1f} min away")
        score = (p.severity_weight * inc.severity + p.waiting_weight * wait_min / 60.0
                 - p.travel_weight * travel / 3600.0)
        return (f"highest score {score:.2f} = {p.severity_weight:g}×severity {inc.severity} "
                f"+ {p.waiting_weight:g}×{wait_min / 60:.2f} h waited "
                f"− {p.travel_weight:g}×{travel / 3600:.2f} h travel")

    def _assign(self, inc: Incident, team: TeamAgent, travel: float, reason: str) -> None:
        inc.teams.add(team.team_id)
        inc.crews += crews_of(team, inc)
        self.model.emit("incident.assign", inc.id, self.model.world.zones.ids[inc.zone],
                        travel, team=team.team_id, policy=self.policy.policy, reason=reason,
                        type=inc.type.name)
        team.claim(lambda t: self._work(inc, t))

    # -- working -------------------------------------------------------------------------------
    def _work(self, inc: Incident, team: TeamAgent) -> Generator[simpy.Event]:
        """The team drives to the incident and works it with its crews in parallel (one
        crew if it carries casualties away) until nothing is left for it or its shift is
        over."""
        env = self.model.env
        yield from team.go(inc.node, inc.id)
        if math.isnan(inc.first_on_scene_s):
            inc.first_on_scene_s = self.model.now
        crews = crews_of(team, inc)
        if crews == 1:
            yield from self._crew(inc, team)
        else:
            yield env.all_of([env.process(self._crew(inc, team)) for _ in range(crews)])
        self._leave(inc, team)
        if inc.alive <= 0 and inc.working == 0:
            self._close(inc, "done" if inc.done else "nobody left alive")
        self.poke()

    def _crew(self, inc: Incident, team: TeamAgent) -> Generator[simpy.Event]:
        """One crew of ``team`` works units of ``inc`` one after another."""
        env, zones = self.model.env, self.model.world.zones
        site = inc.node
        while not inc.closed and inc.alive - inc.working > 0 and not team.shift_over() \
                and team.node == site:
            carry = team.spec.carries if inc.type.transported else 1
            taken = 0
            while taken < carry and inc.alive - inc.working > 0:
                inc.working += 1
                work = inc.work_s if inc.work_s is not None else inc.type.work_s
                yield env.timeout(float(work.sample(team.draws)))
                inc.working -= 1
                if inc.alive <= 0:  # the person died while being worked on
                    break
                inc.alive -= 1
                inc.done += 1
                taken += 1
            if taken == 0:
                break
            if inc.type.rescues:
                self.model.emit("rescue.alive", team.team_id, zones.ids[inc.zone],
                                float(taken), incident=inc.id, type=inc.type.name)
                for fn in self.on_rescued:
                    fn(inc, taken)
            if inc.type.transported:  # it leaves with them: another team may come meanwhile
                self._leave(inc, team)
                self.poke()
            if inc.on_unit is not None:
                yield from inc.on_unit(inc, team, taken)

    def _leave(self, inc: Incident, team: TeamAgent) -> None:
        if team.team_id in inc.teams:
            inc.teams.discard(team.team_id)
            inc.crews -= crews_of(team, inc)

    def cancel(self, inc: Incident, reason: str) -> None:
        """Close ``inc`` now, whatever is left of it (teams on their way or at work there
        stop after their present unit)."""
        inc.alive = 0
        self._close(inc, reason)

    def _close(self, inc: Incident, reason: str) -> None:
        if inc.closed:
            return
        inc.closed = True
        if inc in self.open:
            self.open.remove(inc)
        self.model.emit("incident.close", inc.id, self.model.world.zones.ids[inc.zone],
                        float(inc.done), reason=reason, type=inc.type.name)

    # -- people dying while they wait -----------------------------------------------------------
    def _deaths(self) -> Generator[simpy.Event]:
        """Between checks, each person still waiting in an incident with a survival curve
        survives with the curve's ratio over the interval."""
        env = self.model.env
        while True:
            yield env.timeout(DEATH_CHECK_S)
            now = self.model.now
            for inc in list(self.open):
                curve = SURVIVAL.get(inc.type.survival)
                waiting = inc.alive - inc.working
                if curve is None or waiting <= 0:
                    continue
                h0 = max(now - DEATH_CHECK_S - inc.since_s, 0.0) / 3600.0
                h1 = (now - inc.since_s) / 3600.0
                keep = float(curve(h1)) / max(float(curve(h0)), 1e-300)
                died = int(self.draws.binomial(waiting, 1.0 - min(keep, 1.0)))
                if died:
                    inc.alive -= died
                    zone = self.model.world.zones.ids[inc.zone]
                    self.model.emit("people.killed", zone, zone, float(died),
                                    cause=f"waiting:{inc.id}", incident=inc.id)
                    for fn in self.on_died:
                        fn(inc, died)
                    if inc.alive <= 0 and inc.working == 0:
                        self._close(inc, "done" if inc.done else "nobody left alive")
