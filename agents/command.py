"""The command post: applies the plan's tiered response.

It reviews the situation every ``plan.check_every_s`` (and exactly at every time written in a
trigger): a level whose trigger holds and that is more severe than the current one is
declared after the level's ``declare_delay_s``; declaring it issues the orders, requests the
mutual aid, activates the reserve teams and opens the hospitals' surge beds as that level and
every lower one say. Orders with
their own trigger are issued when it holds. Each order fires once.

**Standing down.** When the present level's ``stand_down`` condition holds, the command post
steps down to the next lower level of the plan (or to none), logged as ``plan.level`` with
reason "stand down". Orders issued and aid requested stay as they are. A level stood down
from (or above) is declared again only on news: a counter condition once its counter has
grown past its value at the stand-down, a hazard or gauge condition once it has been seen
false and then holds again; a time condition that had passed never counts again.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.hospitals import Hospitals
from drillsim.agents.residents import Residents
from drillsim.agents.teams import Roster, TeamAgent
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.plan import (
    LEVEL_NAMES,
    Condition,
    Level,
    MutualAid,
    Order,
    ThreatZone,
    Trigger,
)


class CommandPost(mesa.Agent):
    """The agent that holds the response level and issues the plan's orders."""

    model: DrillModel

    def __init__(self, model: DrillModel) -> None:
        super().__init__(model)
        self.plan = model.compiled.plan
        self.severity = 0
        self.issued: set[int] = set()
        self.pending_levels: set[int] = set()
        self.requested_aid: set[int] = set()
        self.threat_pending: set[int] = set()
        """Orders for a threat zone that was empty when they were issued."""
        self.shelters_activated = False
        self.stale: dict[int, dict[int, float]] = {}
        """Conditions that are old news → their counter's value then (NaN for other
        conditions): per level (its index) those of its trigger that held when the command
        post stood down from it or a lower level; under key −1 − index, those of its
        stand-down condition that held when it was declared."""
        model.env.process(self._review())

    # -- observing ---------------------------------------------------------------------------
    def observe(self, cond: Condition) -> bool:
        """Whether ``cond`` holds now."""
        if cond.source == "time":
            return self.model.now >= cond.value
        if cond.source == "counter":
            return cond.holds(self.model.counter(cond.name))
        hazard = self.model.hazards[cond.hazard]
        at = self.model.now + cond.lead_s
        if cond.source == "gauge":
            level = getattr(hazard, "water_level_m", None)
            x, y = np.array([cond.point[0]]), np.array([cond.point[1]])
            return level is not None and cond.holds(float(level(at, x, y)[0]))
        zones = self.model.world.zones
        idx = np.asarray(cond.zones, dtype=np.int64)
        values = hazard.sample(at, zones.x_m[idx], zones.y_m[idx])
        return any(cond.holds(float(v)) for v in np.atleast_1d(values))

    def holds(self, trigger: Trigger, stale: dict[int, float] | None = None
              ) -> Condition | None:
        """The condition that makes ``trigger`` hold (for the log), or None. Conditions in
        ``stale`` (index → counter value at a stand-down) do not count until they are news:
        a counter grown past that value, a hazard condition seen false since (it is then
        dropped from ``stale``)."""
        met = []
        for k, c in enumerate(trigger.conditions):
            now = self.observe(c)
            if stale is not None and k in stale:
                if c.source == "counter" and self.model.counter(c.name) > stale[k]:
                    del stale[k]
                elif c.source in ("hazard", "gauge") and not now:
                    del stale[k]
                    continue
                else:
                    continue
            if now:
                met.append(c)
        if trigger.mode == "all":
            return met[-1] if met and len(met) == len(trigger.conditions) else None
        return met[0] if met else None

    # -- the review loop ---------------------------------------------------------------------
    def _review(self) -> Generator[simpy.Event]:
        env = self.model.env
        times = sorted({c.value for t in self._triggers() for c in t.conditions
                        if c.source == "time" and c.value > 0})
        every = self.plan.check_every_s
        k = 0  # reviews at k * every (an integer count: no drift, never a zero wait)
        while True:
            self.review()
            while k * every <= env.now:
                k += 1
            later = [t for t in times if t > env.now]
            yield env.timeout(min([k * every, *later[:1]]) - env.now)

    def _triggers(self) -> list[Trigger]:
        return [lv.trigger for lv in self.plan.levels] + [
            lv.stand_down for lv in self.plan.levels if lv.stand_down is not None] + [
            o.trigger for o in self.plan.orders if o.trigger is not None]

    def review(self) -> None:
        """Check every level and order trigger once, now."""
        self._stand_down()
        for i, level in enumerate(self.plan.levels):
            if level.severity <= self.severity or i in self.pending_levels:
                continue
            cond = self.holds(level.trigger, self.stale.get(i))
            if cond is not None:
                self.pending_levels.add(i)
                self.model.emit("plan.trigger", f"level-{level.name}", condition=cond.text,
                                **{"for": "level"})
                self.model.env.process(self._declare(level))
        for i in sorted(self.threat_pending):
            self.issue(i)
        for i, order in enumerate(self.plan.orders):
            if i in self.issued or i in self.threat_pending or order.trigger is None:
                continue
            cond = self.holds(order.trigger)
            if cond is not None:
                self.model.emit("plan.trigger", order.id, condition=cond.text,
                                **{"for": "order"})
                self.issue(i)

    # -- acting ------------------------------------------------------------------------------
    def _declare(self, level: Level) -> Generator[simpy.Event]:
        delay = level.declare_delay_s.sample(self.model.streams(f"level:{level.name}"))
        yield self.model.env.timeout(delay)
        self.pending_levels.discard(self.plan.levels.index(level))
        if level.severity <= self.severity:
            return  # a more severe level was declared meanwhile; it includes this one's measures
        previous = LEVEL_NAMES[self.severity]
        self.severity = level.severity
        self.model.emit("plan.level", "command", qty=float(level.severity),
                        level=level.name, previous=previous, reason="escalate")
        if level.stand_down is not None:  # a stand-down condition already true is old news
            self.stale[-1 - self.plan.levels.index(level)] = self._holding(level.stand_down)
        self.activate_shelters()
        # A higher level includes the measures of the lower ones (在低级别响应基础上), so
        # skipping a level never drops its orders, mutual aid or reserve teams.
        roster = Roster.of(self.model)
        for lower in self.plan.levels:
            if lower.severity <= level.severity:
                for i in lower.orders:
                    self.issue(i)
                for i in lower.aid:
                    self.request_aid(i, level.name)
                for i in lower.teams:
                    team = roster.reserve(i)
                    if team is not None and team.spec.reserve:
                        team.activate()
                if lower.hospital_surge:
                    hospitals = Hospitals.of(self.model)
                    if hospitals is not None:
                        hospitals.surge(level.name)

    def _holding(self, trigger: Trigger) -> dict[int, float]:
        """The conditions of ``trigger`` that hold now → their counter's value (NaN for
        conditions on something else)."""
        return {k: (self.model.counter(c.name) if c.source == "counter" else float("nan"))
                for k, c in enumerate(trigger.conditions) if self.observe(c)}

    def _stand_down(self) -> None:
        """Step down one level if the present level's stand-down condition holds."""
        level = next((lv for lv in self.plan.levels if lv.severity == self.severity), None)
        if level is None or level.stand_down is None:
            return
        cond = self.holds(level.stand_down, self.stale.get(-1 - self.plan.levels.index(level)))
        if cond is None:
            return
        lower = [lv.severity for lv in self.plan.levels if lv.severity < self.severity]
        for i, lv in enumerate(self.plan.levels):  # this level and those above need news
            if lv.severity >= self.severity:
                self.stale[i] = self._holding(lv.trigger)
        self.model.emit("plan.trigger", f"stand-down-{level.name}", condition=cond.text,
                        **{"for": "stand_down"})
        previous = level.name
        self.severity = max(lower, default=0)
        self.model.emit("plan.level", "command", qty=float(self.severity),
                        level=LEVEL_NAMES[self.severity], previous=previous,
                        reason="stand down")

    def issue(self, index: int) -> None:
        """Issue order ``index`` to each of its zones (once)."""
        if index in self.issued:
            return
        self.issued.add(index)
        order: Order = self.plan.orders[index]
        if order.action in ("warn", "evacuate"):
            self.activate_shelters()
        residents = self.model.agents_by_type.get(Residents, [])
        zones = order.zones if order.threat is None else self.threat_zones(order.threat)
        if order.threat is not None and not zones:
            self.issued.discard(index)  # nobody inside the threat zone yet: try again at
            self.threat_pending.add(index)  # every review until someone is
            return
        self.threat_pending.discard(index)
        for z in zones:
            self.model.emit("plan.order", order.id, self.model.world.zones.ids[z],
                            action=order.action, order=order.id)
            for r in residents:
                r.order(z, order.action, order.id, order.channels)

    def threat_zones(self, threat: ThreatZone) -> tuple[int, ...]:
        """The zones inside ``threat`` now (their centres), in zone order."""
        hazard, zones = self.model.hazards[threat.hazard], self.model.world.zones
        if threat.downwind_m > 0:
            downwind = getattr(hazard, "downwind", None)  # a release that never happened
            if downwind is None:  # (a dormant chained hazard) has no wind to go down
                return ()
            inside = downwind(self.model.now, zones.x_m, zones.y_m, threat.downwind_m)
        else:
            inside = np.asarray(hazard.sample(self.model.now, zones.x_m, zones.y_m)) \
                >= threat.at_least
        return tuple(np.flatnonzero(inside).tolist())

    def activate_shelters(self) -> None:
        """The first order or level activates every shelter (each opens after its delay)."""
        if self.shelters_activated:
            return
        self.shelters_activated = True
        for shelter in self.model.agents_by_type.get(ShelterAgent, []):
            shelter.activate()

    def request_aid(self, index: int, level_name: str) -> None:
        """Request mutual aid ``index``; its teams arrive after the arrival delay."""
        if index in self.requested_aid:
            return
        self.requested_aid.add(index)
        aid: MutualAid = self.plan.aid[index]
        self.model.emit("aid.request", aid.id, qty=float(aid.teams), level=level_name,
                        type=aid.type)
        for k in range(aid.teams):
            TeamAgent.from_aid(self.model, aid, k + 1)
