"""Facilities as Mesa agents: shelters open after their opening delay once activated."""

from __future__ import annotations

from collections.abc import Generator

import simpy

from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel


class ShelterAgent(mesa.Agent):
    """An emergency shelter. It opens its opening delay after the plan activates shelters,
    unless an inject has closed it (then only an inject opens it again)."""

    model: DrillModel

    def __init__(self, model: DrillModel, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.shelter_id = model.world.shelters.ids[index]
        self.activated = False

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
