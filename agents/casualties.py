"""Casualties from injury to a hospital bed, and the casualty tallies of the census.

* People with life-threatening injuries (Hazus severity 3) wait where they were hurt for a
  team of the plan that can work ``casualty`` incidents (medical teams): it treats and loads
  them, carries up to its ``carries`` to hospital (:mod:`drillsim.agents.hospitals`), and
  they deteriorate while they wait (the incident type's survival curve). If the plan has no
  such team, they are taken to hospital by bystanders.
* People with serious injuries (severity 2) and those freed alive from a collapse reach the
  nearest hospital with a bed by their own means, after the drive (most earthquake casualties
  reach hospital by private means; the drive is on the road graph as it is).

The residents' casualty tallies follow them: a person freed alive leaves ``trapped`` for
``hospital``; a person who dies waiting leaves ``trapped`` or ``hospital`` for ``dead``.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from drillsim.agents.hospitals import Hospitals
from drillsim.agents.incidents import Incident, IncidentBoard
from drillsim.agents.residents import Residents
from drillsim.agents.teams import TeamAgent
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel

CASUALTY = "casualty"

WAITING_TALLY = {"collapse_rescue": "trapped", CASUALTY: "hospital"}
"""Which casualty tally the people waiting in an incident of each type are counted in."""


class CasualtyFlow(mesa.Agent):
    """Routes the injured and the rescued to hospital and keeps the tallies right."""

    model: DrillModel

    def __init__(self, model: DrillModel, residents: Residents | None) -> None:
        super().__init__(model)
        self.residents = residents
        self.board = IncidentBoard.of(model)
        self.hospitals = Hospitals.of(model)
        plan = model.compiled.plan
        medics = next((t.teams for t in plan.incident_types if t.name == CASUALTY), ())
        self.has_medics = any(t.type in medics or CASUALTY in t.skills for t in plan.teams) \
            or any(a.type in medics for a in plan.aid)
        self.board.on_rescued.append(self._rescued)
        self.board.on_died.append(self._died)
        self.board.handlers["water_rescue"] = self._by_boat
        if self.hospitals is not None:
            self.hospitals.on_died.append(lambda zone, n: self._move(zone, "hospital", "dead", n))
        self._count: dict[tuple[int, int], int] = {}

    @staticmethod
    def of(model: DrillModel) -> CasualtyFlow:
        return model.agents_by_type[CasualtyFlow][0]  # type: ignore[return-value]

    def injured(self, zone: int, persons: int, severity: int, cause: str,
                node: int | None = None) -> None:
        """``persons`` of ``zone`` (already counted in its ``hospital`` tally) need
        hospital care."""
        if persons <= 0 or severity < 2 or self.hospitals is None \
                or len(self.model.world.hospitals) == 0:
            return  # no hospital in the region: the census keeps them as casualties
        world = self.model.world
        at = int(world.zones.node[zone]) if node is None else int(node)
        if severity >= 3 and self.has_medics:
            k = self._count.get((zone, severity), 0) + 1
            self._count[(zone, severity)] = k
            self.board.create(f"{CASUALTY}:{world.zones.ids[zone]}:{k}", CASUALTY, zone,
                              persons, cause=cause, node=at, severity=severity,
                              on_unit=self._carry)
        else:
            self.model.env.process(self.hospitals.deliver(persons, severity, zone, at))

    def _carry(self, inc: Incident, team: TeamAgent, persons: int
               ) -> Generator[simpy.Event]:
        if self.hospitals is not None:
            yield from self.hospitals.deliver(persons, inc.severity, inc.zone, team.node, team,
                                              since_s=inc.since_s)

    def _by_boat(self, inc: Incident, team: TeamAgent, persons: int
                 ) -> Generator[simpy.Event]:
        """People still at home in a flooded zone taken off by boat: whole households, to
        dry ground; when nobody is left at home the incident is over."""
        taken = self.residents.lift_out(inc.zone, persons) if self.residents else 0
        if taken:
            self.model.emit("rescue.alive", team.team_id, self.model.world.zones.ids[inc.zone],
                            float(taken), incident=inc.id, type=inc.type.name)
        if self.residents is None or self.residents.home_persons[inc.zone] <= 0:
            self.board.cancel(inc, "done")
        return
        yield

    def _rescued(self, inc: Incident, persons: int) -> None:
        if inc.type.name == "collapse_rescue":
            self._move(inc.zone, "trapped", "hospital", persons)
            self.injured(inc.zone, persons, 2, f"rescued:{inc.id}", inc.node)

    def _died(self, inc: Incident, persons: int) -> None:
        tally = WAITING_TALLY.get(inc.type.name)
        if tally is not None:
            self._move(inc.zone, tally, "dead", persons)

    def _move(self, zone: int, src: str, dst: str, persons: int) -> None:
        if self.residents is None:
            return
        t = self.residents.tallies
        n = float(min(persons, max(t[src][zone], 0.0)))
        t[src][zone] -= n
        t[dst][zone] += n
