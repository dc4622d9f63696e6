"""Response teams as Mesa agents. Here a team becomes available at its base after its
availability delay (which injects can lengthen); dispatch and incident work build on this."""

from __future__ import annotations

from collections.abc import Generator

import simpy

from drillsim.sim.distributions import Dist
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel


class TeamAgent(mesa.Agent):
    """A team: type, size, base station; ready after a delay drawn from ``available_after``
    with the team's own random stream."""

    model: DrillModel

    def __init__(self, model: DrillModel, team_id: str, team_type: str, size: int,
                 station: int, available_after: Dist, mutual_aid: bool = False) -> None:
        super().__init__(model)
        self.team_id = team_id
        self.team_type = team_type
        self.size = size
        self.station = station
        self.mutual_aid = mutual_aid
        self.ready = False
        self.extra_delay_s = 0.0
        model.emit("team.init", team_id, model.world.stations.ids[station], float(size),
                   type=team_type, mutual_aid=mutual_aid)
        after_s = available_after.sample(model.streams(f"team:{team_id}"))
        model.env.process(self._become_ready(after_s))

    def delay(self, delay_s: float, reason: str) -> bool:
        """Lengthen the wait before the team is ready; False if it is ready already."""
        if self.ready:
            return False
        self.extra_delay_s += delay_s
        self.model.emit("team.delay", self.team_id, qty=delay_s, reason=reason)
        return True

    def _become_ready(self, after_s: float) -> Generator[simpy.Event]:
        yield self.model.env.timeout(after_s)
        while self.extra_delay_s > 0:
            wait, self.extra_delay_s = self.extra_delay_s, 0.0
            yield self.model.env.timeout(wait)
        self.ready = True
        self.model.emit("team.ready", self.team_id,
                        self.model.world.stations.ids[self.station], mutual_aid=self.mutual_aid)
