"""Facilities as Mesa agents: shelters open after their opening delay once activated, take
in households up to their capacity, turn the rest away, and hand out basic relief from their
stocks."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel

if TYPE_CHECKING:
    from drillsim.agents.households import Household

ITEMS = ("water", "food")


class ShelterAgent(mesa.Agent):
    """An emergency shelter. It opens its opening delay after the plan activates shelters,
    unless an inject has closed it (then only an inject opens it again). Households that
    arrive before it opens wait at the door."""

    model: DrillModel

    def __init__(self, model: DrillModel, index: int) -> None:
        super().__init__(model)
        s = model.world.shelters
        self.index = index
        self.shelter_id = s.ids[index]
        self.activated = False
        self.capacity = int(s.capacity_persons[index])
        self.occupancy = 0
        self.stock = {"water": float(s.water_l[index]), "food": float(s.food_rations[index])}
        self.door: list[Household] = []
        self.unrelieved: list[Household] = []
        self.full = False
        self.out_of: set[str] = set()

    def activate(self) -> None:
        """Start opening (idempotent)."""
        if not self.activated:
            self.activated = True
            self.model.env.process(self._open_after_delay())

    def _open_after_delay(self) -> Generator[simpy.Event]:
        dist = self.model.world.shelters.opening_delay_s[self.index]
        delay = dist.sample(self.model.streams(f"shelter:{self.shelter_id}"))
        yield self.model.env.timeout(delay)
        state = self.model.state
        state.due_open.add(self.shelter_id)
        if self.shelter_id not in state.held_closed | state.hazard_closed:
            set_facility_open(self.model, "shelter", self.index, True, "plan activation")

    # -- load ----------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return bool(self.model.state.shelter_open[self.index])

    @property
    def closed(self) -> bool:
        """Closed by an inject or a hazard (not merely not open yet)."""
        state = self.model.state
        return self.shelter_id in state.held_closed or self.shelter_id in state.hazard_closed

    def can_take(self) -> bool:
        """Whether households may head here: activated, not closed, not announced full."""
        return self.activated and not self.closed and not self.full

    def receive(self, hh: Household) -> str:
        """A household arrives: ``admitted``, ``waiting`` (at the door until it opens), or
        turned away because it is ``full`` or ``closed``."""
        if self.closed or not self.activated:
            return self._turn_away(hh, "closed")
        if not self.is_open:
            self.door.append(hh)
            self.model.emit("shelter.wait", self.shelter_id,
                            self.model.world.zones.ids[hh.zone], float(hh.size),
                            household=hh.name)
            return "waiting"
        if hh.size > self.capacity - self.occupancy:
            return self._turn_away(hh, "full")
        self._admit(hh)
        return "admitted"

    def open_door(self) -> list[tuple[Household, str]]:
        """Once open, take in the households waiting at the door, first come first; if it
        is closed instead, turn them away."""
        if not self.door or not (self.is_open or self.closed):
            return []
        waiting, self.door = self.door, []
        if self.closed:  # closed before it ever opened: those at the door must go on
            return [(hh, self._turn_away(hh, "closed")) for hh in waiting]
        return [(hh, self.receive(hh)) for hh in waiting]

    def _admit(self, hh: Household) -> None:
        self.occupancy += hh.size
        zone = self.model.world.zones.ids[hh.zone]
        self.model.emit("shelter.admit", self.shelter_id, zone, float(hh.size),
                        household=hh.name)
        self._relieve(hh)
        if self.occupancy >= self.capacity:
            self._announce_full()

    def _turn_away(self, hh: Household, reason: str) -> str:
        self.model.emit("shelter.turn_away", self.shelter_id, self.model.world.zones.ids[hh.zone],
                        float(hh.size), household=hh.name, reason=reason)
        if reason == "full":
            self._announce_full()
        return reason

    def _announce_full(self) -> None:
        if not self.full:
            self.full = True
            self.model.emit("shelter.full", self.shelter_id, qty=float(self.occupancy))

    # -- relief --------------------------------------------------------------------------
    def _relieve(self, hh: Household) -> None:
        """Basic relief (water and food for a day) from stock; without stock the household
        is kept in ``unrelieved`` (resupply comes with the relief-logistics model)."""
        b = self.model.compiled.behaviour
        need = {"water": b.relief_water_l * hh.size, "food": b.relief_food * hh.size}
        short = [item for item in ITEMS if self.stock[item] < need[item]]
        if short:
            self.unrelieved.append(hh)
            for item in short:
                self._stockout(item)
            return
        for item in ITEMS:
            self.stock[item] -= need[item]
        self.model.emit("relief.basic", self.shelter_id, self.model.world.zones.ids[hh.zone],
                        float(hh.size), household=hh.name)

    def consume(self, dt_s: float) -> None:
        """A day's ration per person per day, taken continuously from stock."""
        b = self.model.compiled.behaviour
        days = dt_s / 86400.0
        for item, per_day in (("water", b.relief_water_l), ("food", b.relief_food)):
            if self.occupancy == 0:
                continue
            self.stock[item] -= self.occupancy * per_day * days
            if self.stock[item] <= 0.0:
                self.stock[item] = 0.0
                self._stockout(item)

    def restock(self, item: str, amount: float) -> None:
        """A delivery of ``amount`` of ``item`` ("water" or "food"): households waiting for
        relief get it now, first come first, as far as the stocks go."""
        self.stock[item] += amount
        self.out_of.discard(item)
        waiting, self.unrelieved = self.unrelieved, []
        for hh in waiting:
            self._relieve(hh)

    def daily_need(self, item: str, full: bool = False) -> float:
        """What a day at the present occupancy (``full``: at capacity) takes of ``item``,
        plus the first ration of the households still waiting for relief."""
        b = self.model.compiled.behaviour
        per = b.relief_water_l if item == "water" else b.relief_food
        people = self.capacity if full else self.occupancy
        return per * (people + sum(hh.size for hh in self.unrelieved))

    def _stockout(self, item: str) -> None:
        if item not in self.out_of:
            self.out_of.add(item)
            self.model.emit("shelter.stockout", self.shelter_id, item=item)


def set_facility_open(model: DrillModel, kind: str, index: int, is_open: bool,
                      reason: str, hold: bool = False) -> None:
    """Open or close a facility, logging the change. With ``hold`` (an inject's decision) the
    closure is logged even if the facility is not open yet, and it stays closed until opened
    the same way."""
    flags = model.state.facility_flags(kind)
    table = model.world.facilities(kind)
    if hold:
        (model.state.held_closed.discard if is_open else model.state.held_closed.add)(
            table.ids[index])
    if bool(flags[index]) == is_open and not hold:
        return
    flags[index] = is_open
    model.emit("facility.open" if is_open else "facility.close", table.ids[index],
               model.world.roads.ids[table.node[index]], reason=reason)
