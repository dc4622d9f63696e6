"""The command post: applies the plan's tiered response.

It reviews the situation every ``plan.check_every_s`` (and exactly at every time written in a
trigger): a level whose trigger holds and that is more severe than the current one is
declared after the level's ``declare_delay_s``; declaring it issues the orders and requests the
mutual aid that it activates. Orders with their own trigger are issued when it holds. Each
order fires once; levels only escalate here.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.residents import Residents
from drillsim.agents.teams import TeamAgent
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

    def holds(self, trigger: Trigger) -> Condition | None:
        """The condition that makes ``trigger`` hold (for the log), or None."""
        met = [c for c in trigger.conditions if self.observe(c)]
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
            o.trigger for o in self.plan.orders if o.trigger is not None]

    def review(self) -> None:
        """Check every level and order trigger once, now."""
        for i, level in enumerate(self.plan.levels):
            if level.severity <= self.severity or i in self.pending_levels:
                continue
            cond = self.holds(level.trigger)
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
        if level.severity <= self.severity:
            return  # a more severe level was declared meanwhile; it includes this one's measures
        previous = LEVEL_NAMES[self.severity]
        self.severity = level.severity
        self.model.emit("plan.level", "command", qty=float(level.severity),
                        level=level.name, previous=previous)
        self.activate_shelters()
        # A higher level includes the measures of the lower ones (在低级别响应基础上), so
        # skipping a level never drops its orders or mutual aid.
        for lower in self.plan.levels:
            if lower.severity <= level.severity:
                for i in lower.orders:
                    self.issue(i)
                for i in lower.aid:
                    self.request_aid(i, level.name)

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
            TeamAgent(self.model, f"{aid.id}-{k + 1}", aid.type, aid.size, aid.station,
                      aid.arrival_delay_s, mutual_aid=True)
