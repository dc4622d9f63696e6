"""Put the agents into a new model: shelters, the residents (and what an earthquake or a
toxic release does to them, and the team that stops a leak), teams, the command post and the
drill controller (in that order, so that same-time events are deterministic)."""

from __future__ import annotations

from drillsim.agents.chemical import ChemicalExposure, LeakResponse
from drillsim.agents.command import CommandPost
from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.injects import DrillController
from drillsim.agents.quake import QuakeAftermath
from drillsim.agents.residents import Residents
from drillsim.agents.teams import TeamAgent
from drillsim.sim.hazards.chemical.hazard import ChemicalHazard
from drillsim.sim.hazards.quake.hazard import QuakeHazard
from drillsim.sim.model import DrillModel


def install_response(model: DrillModel) -> None:
    """Create the response agents of ``model``'s compiled plan."""
    shelters = [ShelterAgent(model, i) for i in range(len(model.world.shelters))]
    residents = Residents(model, shelters)
    for hazard in model.hazards:
        if isinstance(hazard, QuakeHazard):
            QuakeAftermath(model, residents, hazard)
        elif isinstance(hazard, ChemicalHazard):
            ChemicalExposure(model, residents, hazard)
            LeakResponse(model, hazard)
    for team in model.compiled.plan.teams:
        TeamAgent(model, team.id, team.type, team.size, team.station, team.available_after_s)
    CommandPost(model)
    DrillController(model)
