"""Households on the way: setting out, riding the plan's transport, moving with the traffic,
and what happens when they arrive (admitted, waiting at a door, turned away, safe) or cannot
go on (a closed road, no route, nowhere that takes them).

:class:`Journeys` is the part of :class:`~drillsim.agents.residents.Residents` that deals
with households once they have left home; it works on the residents' arrays and traffic.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.households import Household
from drillsim.agents.population import AT_DOOR, HOME, ON_WAY, SAFE, SHELTERED, WAITING

if TYPE_CHECKING:
    from drillsim.agents.destinations import Destinations
    from drillsim.agents.transport import Vehicle
    from drillsim.sim.model import DrillModel
    from drillsim.sim.traffic import Traffic

RETRY_S = 600.0
"""How long a household that cannot go on (cut off at home, or outside full shelters) waits
before it tries again."""


class Journeys:
    """Households from leaving home to arriving (a part of the residents' agent)."""

    model: DrillModel
    households: list[Household]
    status: np.ndarray
    stranded: np.ndarray
    leaving: np.ndarray
    mode: list[str]
    traffic: Traffic
    places: Destinations
    shelters: list[ShelterAgent]
    safe_row: int
    home_persons: np.ndarray
    waiting: dict[str, dict[int, deque[Household]]]
    fleet_needs: set[str]
    held: np.ndarray
    ordered_out: set[int]
    _targets_changed: bool
    _schedule: Callable[..., None]
    """The residents' calendar of what households are due to do."""

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
        self.traffic.node[hh.index] = vehicle.node  # where it is (the bus's stops)
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
        self.traffic.node[hh.index] = int(self.model.world.shelters.node[shelter.index])
        outcome = shelter.receive(hh)
        if self._settle(hh, outcome):
            return True
        hh.tried.add(shelter.index)
        return False

    # -- moving ----------------------------------------------------------------------------
    def _move(self, t0: float, t1: float) -> None:
        state = self.model.state
        changed, self._targets_changed = self._targets_changed, False
        if changed:
            safe = self.places.safe_nodes(self.ordered_out)
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
        nxt = self.places.next_destination(self.households[i], node, self.mode[i] == "walk")
        if nxt is None:
            self._schedule([at_s + RETRY_S], [i], ("replan",))
            return
        self.stranded[i] = False
        self.traffic.dest[i] = nxt

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
        nxt = self.places.next_destination(hh, node, mode == "walk")
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
        if not self._settle(hh, outcome):
            hh.tried.add(shelter.index)
            self._go_on(hh, int(self.model.world.shelters.node[shelter.index]), at_s)

    def _settle(self, hh: Household, outcome: str) -> bool:
        """Where a shelter's answer puts the household: inside, or waiting at its door;
        False if it was turned away."""
        if outcome not in ("admitted", "waiting"):
            return False
        self.status[hh.index] = SHELTERED if outcome == "admitted" else AT_DOOR
        return True

