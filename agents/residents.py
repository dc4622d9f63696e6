"""The residents of the region: households that hear warnings, decide, leave, travel the
road network and arrive at shelters or safety.

One SimPy process advances everyone every movement step: it hands each due warning, hazard
cue and departure to its :class:`~drillsim.agents.households.Household` to decide, moves the
travellers with the vectorised :class:`~drillsim.sim.traffic.Traffic` model, and lets
shelters take in (or turn away) those who arrive. Where every household is (:data:`STATUS`)
is kept in one array, so the census is a count and people are conserved by construction:
every household is in exactly one status at every time. Events are stamped at the end of the
step in which they happen.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Generator

import numpy as np
import simpy

from drillsim.agents.census import log_queues, take_census
from drillsim.agents.destinations import Destinations
from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.households import Household
from drillsim.agents.journeys import RETRY_S, Journeys
from drillsim.agents.population import (
    CASUALTY_TALLIES,
    GONE,
    HOME,
    WAITING,
    Households,
    U,
    draw_households,
)
from drillsim.agents.transport import Vehicle
from drillsim.sim.behaviour import DEFAULT_ORDER_CHANNELS, hearing_delay_s
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.traffic import Traffic

CUE_EVERY_S = 60.0
"""How often households at home look at the hazard (and exposure is accumulated)."""


Due = tuple[float, int, int, tuple[str, ...], str]
"""Something a household is due for: (time, household, order of scheduling, what, channel)."""


class Residents(Journeys, mesa.Agent):
    """Every household of the region, and the process that moves them."""

    model: DrillModel

    def __init__(self, model: DrillModel, shelters: list[ShelterAgent]) -> None:
        super().__init__(model)
        world, self.behaviour = model.world, model.compiled.behaviour
        self.table: Households = draw_households(world.zones, model.streams("households"))
        t = self.table
        self.households = [
            Household(model, self, i, z, s, c, e, d, u)
            for i, (z, s, c, e, d, u) in enumerate(zip(
                t.zone.tolist(), t.size.tolist(), t.car.tolist(), t.elderly.tolist(),
                t.disabled.tolist(), t.u.tolist(), strict=True))
        ]
        self.status = np.full(len(t), HOME, np.int8)
        self.leaving = np.zeros(len(t), bool)
        """Decided to leave and not gone yet."""
        self.cued = np.zeros(len(t), bool)
        self.departure_token = [0] * len(t)
        """Which scheduled departure of a household is its current one (a decision to
        leave after a shelter-in-place order replaces the one before it)."""
        self.stranded = np.zeros(len(t), bool)
        self.mode = [""] * len(t)
        self.zone_orders: dict[int, tuple[str, str]] = {}
        """Zone → (action, order id) of the latest order it received."""
        self.ordered_out: set[int] = set()
        self.shelters = shelters
        self.places = Destinations(model, shelters)
        self.safe_row = self.places.safe_row
        self.traffic = Traffic(world.roads, len(t),
                               [*(np.array([n]) for n in world.shelters.node),
                                self.places.safe_nodes(self.ordered_out)],
                               self.behaviour.traffic)
        self.places.traffic = self.traffic
        self._calendar: dict[int, list[Due]] = {}
        """Due items by movement step (a calendar queue: O(1) to add, no heap)."""
        self._days: list[int] = []
        self._seq = itertools.count()
        self.waiting: dict[str, dict[int, deque[Household]]] = {"carless": {}, "assisted": {}}
        """Households waiting for the plan's transport, by need and by road node."""
        self.exposure = {"home": np.zeros(len(world.zones)), "road": np.zeros(len(world.zones))}
        self.tallies = {name: np.zeros(len(world.zones)) for name in CASUALTY_TALLIES}
        """Persons per zone taken out of their households: dead, in hospital, trapped."""
        self.homeless = np.zeros(len(t), bool)
        """Their home is too damaged to stay in: they leave for a public shelter."""
        self._zone_households = np.diff(t.zone_start)
        self.delays = self._own_delays()
        self.home_persons = np.bincount(t.zone, weights=t.size, minlength=len(world.zones))
        model.people_at_home = self.home_persons
        self.fleet_needs: set[str] = {n for f in model.compiled.plan.transport for n in f.serves}
        self.held = np.zeros(0, np.int64)
        self._targets_changed = False
        self._wake = model.env.event()
        self.vehicles = [Vehicle(model, self, fleet, k) for fleet in model.compiled.plan.transport
                         for k in range(fleet.vehicles)]
        model.env.process(self._run())

    def _own_delays(self) -> dict[str, list[float]]:
        """Each household's mobilization delay and hearing delay by channel: its own
        quantiles of the scenario's distributions (computed for all at once)."""
        t, b = self.table, self.behaviour
        out = {"mobilize": b.mobilization_s.quantile(t.u[:, U["mobilize"]]).tolist()}
        per_zone = self._zone_households[t.zone]
        for name, channel in b.channels.items():
            out[name] = hearing_delay_s(channel, t.u[:, U[f"delay:{name}"]], per_zone).tolist()
        return out

    # -- scheduling ------------------------------------------------------------------------
    def _schedule(self, at_s: list[float], ids: list[int], what: tuple[str, ...],
                  channels: list[str] | None = None) -> None:
        """Households ``ids`` are due for ``what`` at ``at_s``."""
        dt, seq = self.behaviour.traffic.step_s, next(self._seq)
        for k, (t, i) in enumerate(zip(at_s, ids, strict=True)):
            step = int(t // dt)
            bucket = self._calendar.get(step)
            if bucket is None:
                bucket = self._calendar[step] = []
                heapq.heappush(self._days, step)
            bucket.append((t, i, seq, what, channels[k] if channels else ""))

    def _pop_due(self, t1: float) -> list[Due]:
        """Everything due before ``t1`` (a step boundary), in time order."""
        out: list[Due] = []
        last = round(t1 / self.behaviour.traffic.step_s)
        while self._days and self._days[0] < last:
            out += self._calendar.pop(heapq.heappop(self._days))
        out.sort(key=lambda item: item[:3])
        return out

    # -- orders ----------------------------------------------------------------------------
    def order(self, zone: int, action: str, order_id: str, channels: tuple[str, ...]) -> None:
        """An order reaches ``zone`` now: each household hears it through the first of the
        order's channels that reaches it, or not at all."""
        self.zone_orders[zone] = (action, order_id)
        if not self._wake.triggered:
            self._wake.succeed()
        if action == "evacuate" and zone not in self.ordered_out:
            for vehicle in self.vehicles:
                vehicle.start()
            self.ordered_out.add(zone)
            self._targets_changed = True  # re-route once, at the next step
        members = self.table.of_zone(zone)
        if action in ("shelter_in_place", "all_clear"):
            self.leaving[members] = False  # who has not left yet stays
            return
        now, at, who, how = self.model.now, [], [], []
        for i in members.tolist():
            got = self.households[i].hears_through(channels or DEFAULT_ORDER_CHANNELS)
            if got is not None:
                at.append(now + got[1])
                who.append(i)
                how.append(got[0])
        self._schedule(at, who, ("hear", action, order_id), how)

    def _hear(self, t1: float) -> None:
        for at_s, i, _, what, channel in self._pop_due(t1):
            kind = what[0]
            if kind == "hear":
                self._decide(i, what[1], what[2], channel, at_s)
            elif kind == "retry":
                self._retry(i, at_s)
            elif kind == "replan":
                self._replan(i, at_s)
            elif what[1] == self.departure_token[i] and self.leaving[i] \
                    and self.status[i] == HOME:
                self._leave(i, at_s)  # a departure not overtaken by a later decision

    def _decide(self, i: int, action: str, order_id: str, channel: str, at_s: float,
                cue: bool = False) -> None:
        """A household decides on what it heard (or saw)."""
        if self.status[i] != HOME or self.leaving[i]:
            return
        hh = self.households[i]
        if action in ("shelter_in_place", "all_clear"):
            return
        current = self.zone_orders.get(hh.zone, ("", ""))[0]
        if not cue and current in ("shelter_in_place", "all_clear"):
            return  # a later order has replaced the one it is hearing now
        if cue:
            reason = "cue"
            base = self.behaviour.comply.get(current, self.behaviour.shadow)
        else:
            reason = "order"
            base = self.behaviour.comply.get(action, 0.0)
        # Without an order, the shadow probability is already that of a household that sees
        # the hazard; under an order, seeing it multiplies the odds of complying.
        leaves = hh.leaves(base, cue and bool(current), "cue" if cue else "comply")
        zone = self.model.world.zones.ids[hh.zone]
        self.model.emit("evac.decide", hh.name, zone, float(hh.size),
                        decision="leave" if leaves else "stay",
                        reason=reason if current or not cue else "shadow",
                        order=order_id, channel=channel)
        if leaves:
            self.leaving[i] = True
            delay = hh.mobilization_delay_s()
            self.departure_token[i] += 1
            self._schedule([at_s + delay], [i], ("depart", self.departure_token[i]))

    # -- the hazard seen from home -----------------------------------------------------------
    def _look_at_hazard(self, t_s: float, since_s: float) -> None:
        """Households at home that see the hazard reconsider once; time at home (and on
        closed roads) in the hazard counts as exposure."""
        zones = self.model.world.zones
        cue, exposed = np.zeros(len(zones), bool), np.zeros(len(zones), bool)
        for hazard in self.model.hazards:
            if not hazard.modelled or not hazard.seen_from_home or t_s < hazard.spec.start_s:
                continue
            v = np.asarray(hazard.sample(t_s, zones.x_m, zones.y_m), float)
            noticed, harmful = hazard.felt_levels() or (
                (self.behaviour.cue_depth_m, self.behaviour.exposure_depth_m)
                if hazard.measure == "depth_m" else (0.0, 0.0))
            cue |= v > noticed
            exposed |= v > harmful
        minutes = since_s / 60.0
        self.exposure["home"] += np.where(exposed, self.home_persons, 0.0) * minutes
        held = self.held
        if len(held):
            self.exposure["road"] += np.bincount(
                self.table.zone[held], weights=self.table.size[held],
                minlength=len(zones)) * minutes
        for z in np.flatnonzero(cue).tolist():
            members = self.table.of_zone(z)
            fresh = members[(self.status[members] == HOME) & ~self.leaving[members]
                            & ~self.cued[members]]
            self.cued[fresh] = True
            for i in fresh.tolist():
                self._decide(i, "cue", self.zone_orders.get(z, ("", ""))[1], "", t_s, cue=True)

    # -- leaving home ----------------------------------------------------------------------
    def _leave(self, i: int, t_s: float) -> None:
        """The household sets out: by car, on foot, or it waits for the plan's transport."""
        hh = self.households[i]
        need = hh.needs()
        origin = int(self.model.world.zones.node[hh.zone])
        to_shelter = (self.homeless[i] or hh.wants_public_shelter() or need != "car"
                      or not self.places.has_safety())
        walk = need != "car"
        dest = self.places.best_shelter(hh, walk) if to_shelter else self.safe_row
        if dest is None and self.places.has_safety():
            dest = self.safe_row
        time_s = np.inf if dest is None else self.traffic.time_to(dest, origin, walk=walk)
        if need != "car":
            far = time_s * self.behaviour.traffic.walk_speed_m_s > self.behaviour.walk_max_m
            if need == "assisted" or far:
                self._wait_for_transport(hh, "assisted" if need == "assisted" else "carless")
                return
        if dest is None or not np.isfinite(time_s):
            if not self.stranded[i]:  # cut off (or nowhere open yet): stay, try again later
                self.stranded[i] = True
                self.model.emit("evac.stranded", hh.name, self.model.world.roads.ids[origin],
                                float(hh.size), reason="no way out from home")
            self._schedule([t_s + RETRY_S], [i], ("depart", self.departure_token[i]))
            return
        self.stranded[i] = False
        self._set_out(hh, t_s, origin, dest, "walk" if walk else "car")

    # -- people a hazard harms ----------------------------------------------------------------
    def take_out(self, ids: np.ndarray, persons: dict[str, np.ndarray]) -> None:
        """Members of households ``ids`` at home are killed, taken to hospital or trapped
        (``persons[tally][k]`` of household ``ids[k]``): they leave their household and are
        counted in the zone's tallies. A household with nobody left is ``gone``."""
        t, removed = self.table, sum(persons.values())
        for name, n in persons.items():
            np.add.at(self.tallies[name], t.zone[ids], n)
        np.subtract.at(self.home_persons, t.zone[ids], removed)
        t.size[ids] -= removed
        for i, n in zip(ids.tolist(), removed.tolist(), strict=True):
            if n:
                self.households[i].size -= n
        empty = ids[t.size[ids] == 0]
        for i in empty[self.status[empty] == WAITING].tolist():  # nobody left to pick up
            hh = self.households[i]
            for queues in self.waiting.values():
                queue = queues.get(int(self.model.world.zones.node[hh.zone]))
                if queue is not None and hh in queue:
                    queue.remove(hh)
        self.status[empty] = GONE
        self.leaving[empty] = False

    def lift_out(self, zone: int, persons: int) -> int:
        """A boat takes up to ``persons`` people of ``zone`` who are still at home, whole
        households in order, to dry ground: they are safe (not carried on to a shelter).
        Returns how many it took."""
        taken = 0
        zone_id = self.model.world.zones.ids[zone]
        for i in self.table.of_zone(zone).tolist():
            if taken >= persons:
                break
            if self.status[i] not in (HOME, WAITING) or self.table.size[i] == 0:
                continue
            hh = self.households[i]
            if self.status[i] == WAITING:
                for queues in self.waiting.values():
                    queue = queues.get(int(self.model.world.zones.node[zone]))
                    if queue is not None and hh in queue:
                        queue.remove(hh)
            self.home_persons[zone] -= hh.size
            self.leaving[i] = False
            self.mode[i] = "boat"
            self.model.emit("evac.depart", hh.name, zone_id, float(hh.size), mode="boat",
                            dest="safety")
            self.reach_safety(hh)
            taken += hh.size
        return taken

    def must_leave(self, ids: np.ndarray, reason: str) -> None:
        """Households ``ids`` cannot stay at home (it is too damaged): each decides to leave
        for a public shelter and sets out after its own mobilization delay."""
        now = self.model.now
        for i in ids.tolist():
            if self.status[i] != HOME or self.homeless[i]:
                continue
            hh = self.households[i]
            self.homeless[i] = True
            self.model.emit("evac.decide", hh.name, self.model.world.zones.ids[hh.zone],
                            float(hh.size), decision="leave", reason=reason, order="",
                            channel="")
            if not self.leaving[i]:
                self.leaving[i] = True
                self.departure_token[i] += 1
                self._schedule([now + hh.mobilization_delay_s()], [i],
                               ("depart", self.departure_token[i]))
        if not self._wake.triggered:
            self._wake.succeed()

    def census(self) -> None:
        """Where everyone is, and the exposure and road queues since the last census."""
        take_census(self.model, self.table, self.status, self.exposure, self.tallies)
        log_queues(self.model, self.traffic.queued)

    # -- the process -----------------------------------------------------------------------
    def _run(self) -> Generator[simpy.Event]:
        """Step every ``step_s`` while anyone is on the move; when nobody is, sleep until the
        next thing due (a warning heard, a departure, a look at the hazard, a census) or
        until an order wakes the process. Steps stay on the ``step_s`` grid."""
        env, dt = self.model.env, self.behaviour.traffic.step_s
        census_every = self.behaviour.census_every_s
        # with no hazard to look at, shelters' stocks are counted down at each census
        look_every = CUE_EVERY_S if any(h.modelled and h.kind != "none"
                                        for h in self.model.hazards) \
            else census_every
        next_look, next_census, last_look = look_every, census_every, 0.0
        self.census()
        t_prev = 0.0
        while True:
            t1 = t_prev + dt
            if self._idle():
                t1 = max(t1, _grid(min(self._next_due(), next_look, next_census), dt))
            if t1 > env.now:
                yield env.timeout(t1 - env.now) | self._wake
                if self._wake.triggered:
                    self._wake = env.event()
                    t1 = max(t_prev + dt, min(t1, _grid(env.now, dt)))
                    if t1 > env.now:
                        yield env.timeout(t1 - env.now)
            t0, t_prev = t_prev, t1
            self._hear(t1)
            if t1 >= next_look:
                self._look_at_hazard(t1, t1 - last_look)
                for shelter in self.shelters:
                    shelter.consume(t1 - last_look)
                last_look, next_look = t1, (t1 // look_every + 1) * look_every
            self._move(t0, t1)
            for shelter in self.shelters:
                if shelter.door:
                    for hh, outcome in shelter.open_door():
                        self._after_shelter(hh, shelter, outcome, t1)
            if t1 >= next_census:
                self.census()
                next_census = (t1 // census_every + 1) * census_every

    def _idle(self) -> bool:
        return len(self.traffic.on_road()) == 0 and not any(s.door for s in self.shelters)

    def _next_due(self) -> float:
        return (self._days[0] + 1) * self.behaviour.traffic.step_s if self._days else np.inf


def _grid(t_s: float, dt: float) -> float:
    """The first step boundary at or after ``t_s``."""
    return float(np.ceil(t_s / dt - 1e-9) * dt)
