"""The plan's transport for residents who cannot leave by themselves: buses for car-less
households beyond walking distance, assisted transport for elderly and disabled households
without a car. Each vehicle is a Mesa agent driven by a SimPy process: it goes to the
nearest place where households wait (their zone, or a shelter that turned them away),
boards them (``load_s`` each), drives them to the best shelter that can take them, and comes
back for more.

Vehicles travel at the current expected link times (congestion included) but are not queued
among the cars themselves: a handful of buses among thousands of cars (a stated
simplification).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.plan import Fleet

if TYPE_CHECKING:
    from drillsim.agents.households import Household
    from drillsim.agents.residents import Residents

IDLE_S = 300.0
"""How long an idle vehicle waits before looking for waiting households again."""


class Vehicle(mesa.Agent):
    """One vehicle of a fleet."""

    model: DrillModel

    def __init__(self, model: DrillModel, residents: Residents, fleet: Fleet, k: int) -> None:
        super().__init__(model)
        self.residents = residents
        self.fleet = fleet
        self.vehicle_id = f"{fleet.id}-{k + 1}"
        self.node = int(model.world.stations.node[fleet.station])
        self.started = False

    def start(self) -> None:
        """Called with the first evacuation order (idempotent)."""
        if not self.started:
            self.started = True
            self.model.env.process(self._work())

    def _work(self) -> Generator[simpy.Event]:
        env = self.model.env
        delay = self.fleet.available_after_s.sample(self.model.streams(
            f"fleet:{self.vehicle_id}"))
        yield env.timeout(delay)
        self.model.emit("transport.ready", self.vehicle_id,
                        self.model.world.roads.ids[self.node], fleet=self.fleet.id)
        while True:
            node, travel_s = self._nearest_waiting()
            if node is None:
                yield env.timeout(IDLE_S)
                continue
            yield env.timeout(travel_s)
            self.node = node
            aboard: list[Household] = []
            for hh in self._board(node):
                yield env.timeout(self.fleet.load_s)
                aboard.append(hh)
                self.residents.board(hh, self)
            if not aboard:
                yield env.timeout(IDLE_S)
                continue
            yield from self._deliver(aboard)

    def _nearest_waiting(self) -> tuple[int | None, float]:
        """The nearest road node where households this fleet serves wait, and the drive."""
        queues = [self.residents.waiting[need] for need in self.fleet.serves]
        nodes = sorted({n for q in queues for n, hh in q.items() if hh})
        if not nodes:
            return None, 0.0
        times = self.residents.traffic.times_from(self.node)[nodes]
        best = int(np.argmin(times))
        if not np.isfinite(times[best]):
            return None, 0.0
        return nodes[best], float(times[best])

    def _board(self, node: int) -> list[Household]:
        """Households to take now, first come first, as many as there are seats."""
        seats, taken = self.fleet.seats, []
        for need in self.fleet.serves:
            queue = self.residents.waiting[need].get(node)
            # A household larger than the vehicle is not split: it boards an empty one.
            while queue and (queue[0].size <= seats or not taken):
                hh = queue.popleft()
                seats -= hh.size
                taken.append(hh)
        return taken

    def _deliver(self, aboard: list[Household]) -> Generator[simpy.Event]:
        """To the best shelter for the first household aboard that can take people and is
        reachable from here; those turned away stay aboard for the next one."""
        env = self.model.env
        while aboard:
            times = self.residents.traffic.times_from(self.node)
            nodes = self.model.world.shelters.node
            ranked = [s for s in self.residents.places.ranked_shelters(aboard[0].zone, walk=False)
                      if np.isfinite(times[nodes[s]])]  # reachable from where the bus is
            if not ranked:  # no shelter can take anyone: out of the danger, or wait
                yield from self._to_safety(aboard)
                aboard = [hh for hh in aboard if not self.residents.is_safe(hh)]
                if aboard:
                    yield env.timeout(IDLE_S)
                continue
            shelter = self.residents.shelters[ranked[0]]
            target = int(nodes[shelter.index])
            yield env.timeout(float(times[target]))
            self.node = target
            aboard = [hh for hh in aboard if not self.residents.drop_off(hh, shelter)]

    def _to_safety(self, aboard: list[Household]) -> Generator[simpy.Event]:
        """Drive to the nearest safe place (an exit, or a zone not ordered to leave)."""
        safe = self.residents.traffic.car_router.targets[self.residents.safe_row]
        if len(safe) == 0:
            return
        times = self.residents.traffic.times_from(self.node)[safe]
        best = int(np.argmin(times))
        if not np.isfinite(times[best]):
            return
        yield self.model.env.timeout(float(times[best]))
        self.node = int(safe[best])
        for hh in aboard:
            self.residents.reach_safety(hh)
