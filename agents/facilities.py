"""Facilities as Mesa agents: shelters open after their opening delay once activated."""

from __future__ import annotations

from collections.abc import Generator

import mesa
import simpy

from drillsim.sim.model import DrillModel


class ShelterAgent(mesa.Agent):
    """An emergency shelter. It opens ``opening_delay_s`` after the plan activates shelters,
    unless an inject has opened or closed it first."""

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
        set_facility_open(self.model, "shelter", self.index, True, "plan activation")


def set_facility_open(model: DrillModel, kind: str, index: int, is_open: bool,
                      reason: str) -> None:
    """Open or close a facility, logging the change (no event if nothing changes)."""
    flags = model.state.facility_flags(kind)
    if bool(flags[index]) == is_open:
        return
    flags[index] = is_open
    table = model.world.facilities(kind)
    model.emit("facility.open" if is_open else "facility.close", table.ids[index],
               model.world.roads.ids[table.node[index]], reason=reason)
