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
from collections.abc import Generator, Iterator

import numpy as np
import simpy

from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.households import Household
from drillsim.agents.population import Households, U, draw_households
from drillsim.agents.transport import Vehicle
from drillsim.sim.behaviour import DEFAULT_ORDER_CHANNELS, hearing_delay_s
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.traffic import Traffic

HOME, WAITING, ON_WAY, AT_DOOR, SHELTERED, SAFE, HOSPITAL, DEAD = range(8)
STATUS = ("home", "waiting", "on_way", "at_door", "sheltered", "safe", "hospital", "dead")
"""Where a household is. ``waiting``: at home for the plan's transport; ``at_door``: at a
shelter that has not opened yet."""

RETRY_S = 600.0
"""How long a household that cannot go on (cut off at home, or outside full shelters) waits
before it tries again."""

CUE_EVERY_S = 60.0
"""How often households at home look at the hazard (and exposure is accumulated)."""


Due = tuple[float, int, int, tuple[str, ...], str]
"""Something a household is due for: (time, household, order of scheduling, what, channel)."""


class Residents(mesa.Agent):
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
        self.safe_row = len(world.shelters)
        self.traffic = Traffic(world.roads, len(t),
                               [*(np.array([n]) for n in world.shelters.node),
                                self._safe_nodes()], self.behaviour.traffic)
        self._calendar: dict[int, list[Due]] = {}
        """Due items by movement step (a calendar queue: O(1) to add, no heap)."""
        self._days: list[int] = []
        self._seq = itertools.count()
        self.waiting: dict[str, dict[int, deque[Household]]] = {"carless": {}, "assisted": {}}
        """Households waiting for the plan's transport, by need and by road node."""
        self.exposure = {"home": np.zeros(len(world.zones)), "road": np.zeros(len(world.zones))}
        self._zone_households = np.diff(t.zone_start)
        self.delays = self._own_delays()
        self.home_persons = np.bincount(t.zone, weights=t.size, minlength=len(world.zones))
        model.people_at_home = self.home_persons
        self.fleet_needs: set[str] = {n for f in model.compiled.plan.transport for n in f.serves}
        self._ranked: list[list[int]] | None = None
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
            if not hazard.modelled or t_s < hazard.spec.start_s:
                continue
            v = np.asarray(hazard.sample(t_s, zones.x_m, zones.y_m), float)
            deep = hazard.measure == "depth_m"
            cue |= v > (self.behaviour.cue_depth_m if deep else 0.0)
            exposed |= v > (self.behaviour.exposure_depth_m if deep else 0.0)
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
        to_shelter = hh.wants_public_shelter() or need != "car" or not self._has_safety()
        walk = need != "car"
        dest = self.best_shelter(hh, walk) if to_shelter else self.safe_row
        if dest is None and self._has_safety():
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

    def _set_out(self, hh: Household, t_s: float, node: int, dest: int, mode: str) -> None:
        zone = self.model.world.zones.ids[hh.zone]
        i = hh.index
        if self.status[i] in (HOME, WAITING):
            self.home_persons[hh.zone] -= hh.size
            self.model.emit("evac.depart", hh.name, zone, float(hh.size), mode=mode,
                            dest=self._dest_name(dest))
        self.status[i] = ON_WAY
        self.leaving[i] = False
        self.mode[i] = mode
        self.traffic.start_one(i, t_s, node, dest, mode == "walk")

    def _dest_name(self, dest: int) -> str:
        return "safety" if dest == self.safe_row else self.model.world.shelters.ids[dest]

    def _wait_for_transport(self, hh: Household, need: str) -> None:
        """At home, for the plan's transport (picked up at the zone's node)."""
        self.status[hh.index] = WAITING
        self.leaving[hh.index] = False
        self.model.emit("evac.wait", hh.name, self.model.world.zones.ids[hh.zone],
                        float(hh.size), need="bus" if need == "carless" else need)
        node = int(self.model.world.zones.node[hh.zone])
        self.waiting[need].setdefault(node, deque()).append(hh)

    def board(self, hh: Household, vehicle: Vehicle) -> None:
        """A waiting household boards one of the plan's vehicles (at home, or again at a
        shelter that turned it away)."""
        zone = self.model.world.zones.ids[hh.zone]
        from_home = self.status[hh.index] == WAITING
        self.status[hh.index] = ON_WAY
        self.mode[hh.index] = "bus"
        self.stranded[hh.index] = False
        self.model.emit("transport.pickup", vehicle.vehicle_id, zone, float(hh.size),
                        household=hh.name, fleet=vehicle.fleet.id)
        if from_home:
            self.home_persons[hh.zone] -= hh.size
            self.model.emit("evac.depart", hh.name, zone, float(hh.size), mode="bus",
                            dest="shelter")

    def drop_off(self, hh: Household, shelter: ShelterAgent) -> bool:
        """A vehicle brings a household to ``shelter``; False if it was turned away."""
        outcome = shelter.receive(hh)
        if outcome in ("admitted", "waiting"):
            self.status[hh.index] = SHELTERED if outcome == "admitted" else AT_DOOR
            return True
        hh.tried.add(shelter.index)
        return False

    # -- destinations ----------------------------------------------------------------------
    def _safe_nodes(self) -> np.ndarray:
        """Exits, and the nodes of zones not ordered to leave (family and friends there)."""
        zones = self.model.world.zones
        free = [int(zones.node[z]) for z in range(len(zones)) if z not in self.ordered_out]
        return np.unique(np.r_[np.asarray(self.model.world.exits, np.int64),
                               np.asarray(free, np.int64)])

    def _has_safety(self) -> bool:
        return len(self.traffic.car_router.targets[self.safe_row]) > 0

    def ranked_shelters(self, zone: int, walk: bool) -> list[int]:
        """Shelters for a household of ``zone``, best first, that can take people now and
        can be reached on the roads as they are (see :meth:`_ranking`)."""
        origin = int(self.model.world.zones.node[zone])
        return list(self._reachable(self._ranking(zone), origin, walk))

    def best_shelter(self, hh: Household, walk: bool, node: int | None = None) -> int | None:
        """The household's choice among the shelters that can take it and that it can reach
        from ``node`` (default: its home), without building the list (full shelters stay
        full, so they are dropped from the ranking for good)."""
        ranked = self._ranking(hh.zone)
        while ranked and self.shelters[ranked[0]].full:
            ranked.pop(0)
        origin = int(self.model.world.zones.node[hh.zone]) if node is None else node
        return hh.choose_shelter(self._reachable(ranked, origin, walk))

    def _reachable(self, ranked: list[int], node: int, walk: bool) -> Iterator[int]:
        router = self.traffic.foot_router if walk else self.traffic.car_router
        return (s for s in ranked if self.shelters[s].can_take()
                and router.time(s, node) < np.inf)

    def _ranking(self, zone: int) -> list[int]:
        """The zone's shelters in the order households consider them: the plan's list for
        the zone (``preassigned`` / ``by_zone``), then the rest by free-flow travel time
        from the zone (what residents know of their town: the nearest shelter, not today's
        traffic). Computed once for all zones."""
        if self._ranked is None:
            times = self.model.world.zone_to_shelter_s  # zone × shelter
            order = np.argsort(times, axis=1, kind="stable")
            lists = self.model.compiled.plan.shelter_lists
            self._ranked = []
            for z, row in enumerate(order.tolist()):
                listed = list(lists[z]) if lists else []
                self._ranked.append(listed + [s for s in row if s not in listed]
                                    if listed else row)
        return self._ranked[zone]

    # -- moving ----------------------------------------------------------------------------
    def _move(self, t0: float, t1: float) -> None:
        state = self.model.state
        changed, self._targets_changed = self._targets_changed, False
        if changed:
            safe = self._safe_nodes()
            self.traffic.car_router.set_targets(self.safe_row, safe)
            self.traffic.foot_router.set_targets(self.safe_row, safe)
        self.traffic.route(t0, state.link_open, state.link_speed_factor, force=changed)
        moves = self.traffic.step(t0, t1, state.link_open, state.link_speed_factor)
        self.held = moves.held
        for ids, reason in ((moves.held, "road closed"), (moves.no_route, "no open route")):
            for i in ids[~self.stranded[ids]].tolist():
                self._strand(self.households[i], reason)
                if reason == "no open route":
                    self._schedule([t1 + RETRY_S], [i], ("replan",))
        order = np.lexsort((moves.arrived, moves.arrived_at_s))
        for i, at_s in zip(moves.arrived[order].tolist(), moves.arrived_at_s[order].tolist(),
                           strict=True):
            self.stranded[i] = False
            self._arrive(self.households[i], int(self.traffic.dest[i]), at_s)

    def _strand(self, hh: Household, reason: str) -> None:
        """Log, once per holdup, that a household on the way cannot go on."""
        roads, i = self.model.world.roads, hh.index
        self.stranded[i] = True
        lk = int(self.traffic.link[i])
        where = roads.link_ids[lk] if lk >= 0 else roads.ids[int(self.traffic.node[i])]
        self.model.emit("evac.stranded", hh.name, where, float(hh.size), reason=reason)

    def _arrive(self, hh: Household, dest: int, at_s: float) -> None:
        if dest == self.safe_row:
            self.reach_safety(hh)
            return
        shelter = self.shelters[dest]
        self._after_shelter(hh, shelter, shelter.receive(hh), at_s)

    def reach_safety(self, hh: Household) -> None:
        """The household is safe outside the shelters."""
        self.status[hh.index] = SAFE
        self.model.emit("evac.safe", hh.name, self.model.world.zones.ids[hh.zone],
                        float(hh.size), mode=self.mode[hh.index])

    def is_safe(self, hh: Household) -> bool:
        return bool(self.status[hh.index] == SAFE)

    def _retry(self, i: int, at_s: float) -> None:
        """A household stuck outside full shelters looks again for somewhere to go."""
        if self.status[i] == AT_DOOR and self.stranded[i]:
            self._go_on(self.households[i], int(self.traffic.node[i]), at_s)

    def _replan(self, i: int, at_s: float) -> None:
        """A household on the way that found no open route picks a destination it can
        reach from where it stands (or tries again later)."""
        if self.status[i] != ON_WAY or not self.stranded[i] or self.mode[i] == "bus":
            return
        lk = int(self.traffic.link[i])
        node = int(self.traffic.link_to[lk]) if lk >= 0 else int(self.traffic.node[i])
        nxt = self._next_destination(self.households[i], node, self.mode[i] == "walk")
        if nxt is None:
            self._schedule([at_s + RETRY_S], [i], ("replan",))
            return
        self.stranded[i] = False
        self.traffic.dest[i] = nxt

    def _next_destination(self, hh: Household, node: int, walk: bool) -> int | None:
        """The next shelter that can take the household and that it can reach from
        ``node``, else safety if reachable, else None."""
        nxt = self.best_shelter(hh, walk, node)
        router = self.traffic.foot_router if walk else self.traffic.car_router
        if nxt is None and self._has_safety() and \
                router.time(self.safe_row, node) < np.inf:
            nxt = self.safe_row
        return nxt

    def _go_on(self, hh: Household, node: int, at_s: float) -> None:
        """A household that is out at ``node`` (turned away, or stuck outside) goes on by
        itself: walking if a bus had brought it, unless it needs assistance; it waits and
        tries again if it has nowhere to go."""
        i = hh.index
        mode = self.mode[i]
        self.status[i] = AT_DOOR
        self.traffic.node[i] = node
        if mode == "bus":  # brought by the plan's transport: it waits here for the next one
            need = hh.needs()
            if need in self.fleet_needs:
                self.waiting[need].setdefault(node, deque()).append(hh)
                return
            mode = "walk" if need == "carless" else ""
        if not mode:  # an assisted household with no transport to take it on
            if not self.stranded[i]:
                self._strand(hh, "needs transport")
            return
        nxt = self._next_destination(hh, node, mode == "walk")
        if nxt is None:
            if not self.stranded[i]:
                self._strand(hh, "no shelter can take it")
            self._schedule([at_s + RETRY_S], [i], ("retry",))
            return
        self.stranded[i] = False
        self.mode[i] = mode
        self._set_out(hh, at_s, node, nxt, mode)

    def _after_shelter(self, hh: Household, shelter: ShelterAgent, outcome: str,
                       at_s: float) -> None:
        i = hh.index
        if outcome == "admitted":
            self.status[i] = SHELTERED
        elif outcome == "waiting":
            self.status[i] = AT_DOOR
        else:
            hh.tried.add(shelter.index)
            self._go_on(hh, int(self.model.world.shelters.node[shelter.index]), at_s)

    # -- census ----------------------------------------------------------------------------
    def census(self) -> None:
        """Where everyone is, by zone and for the region; and the exposure since the last
        census."""
        t, zones = self.table, self.model.world.zones
        n = len(zones)
        counts = np.zeros((len(STATUS), n), np.int64)
        np.add.at(counts, (self.status, t.zone), t.size)
        home, on_way = counts[HOME] + counts[WAITING], counts[ON_WAY] + counts[AT_DOOR]
        for z, zid in enumerate(zones.ids):
            self.model.emit("evac.census", zid, zid, float(counts[:, z].sum()),
                            home=int(home[z]), on_way=int(on_way[z]),
                            sheltered=int(counts[SHELTERED, z]), safe=int(counts[SAFE, z]),
                            hospital=int(counts[HOSPITAL, z]), dead=int(counts[DEAD, z]))
        self.model.emit("evac.census", "region", "", float(counts.sum()),
                        home=int(home.sum()), on_way=int(on_way.sum()),
                        sheltered=int(counts[SHELTERED].sum()), safe=int(counts[SAFE].sum()),
                        hospital=int(counts[HOSPITAL].sum()), dead=int(counts[DEAD].sum()))
        self._queues()
        for where, minutes in self.exposure.items():
            for z in np.flatnonzero(minutes > 0).tolist():
                self.model.emit("evac.exposure", zones.ids[z], zones.ids[z],
                                float(minutes[z]), where=where)
            minutes[:] = 0.0

    def _queues(self, at_least: int = 5) -> None:
        """Log the roads where cars stand in a queue (congestion, e.g. at bridges)."""
        roads, queued = self.model.world.roads, self.traffic.queued
        busy = np.flatnonzero(queued > 0)
        if len(busy) == 0:
            return
        per_road: dict[str, int] = {}
        for lk in busy.tolist():
            per_road[roads.link_ids[lk]] = per_road.get(roads.link_ids[lk], 0) + int(queued[lk])
        bridge = {roads.link_ids[lk]: bool(roads.bridge[lk]) for lk in busy.tolist()}
        for road, n in sorted(per_road.items()):
            if n >= at_least:
                self.model.emit("traffic.queue", road, road, float(n), bridge=bridge[road])

    # -- the process -----------------------------------------------------------------------
    def _run(self) -> Generator[simpy.Event]:
        """Step every ``step_s`` while anyone is on the move; when nobody is, sleep until the
        next thing due (a warning heard, a departure, a look at the hazard, a census) or
        until an order wakes the process. Steps stay on the ``step_s`` grid."""
        env, dt = self.model.env, self.behaviour.traffic.step_s
        census_every = self.behaviour.census_every_s
        next_look, next_census, last_look = CUE_EVERY_S, census_every, 0.0
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
                last_look, next_look = t1, (t1 // CUE_EVERY_S + 1) * CUE_EVERY_S
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
