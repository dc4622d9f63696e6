"""Put the agents into a new model, in an order that keeps same-time events deterministic:
the roster of teams, hospitals and the incident board first (the others report to them),
shelters, the residents and what each hazard does to them, the plan's teams, the relief
logistics, the command post and the drill controller."""

from __future__ import annotations

from drillsim.agents.casualties import CasualtyFlow
from drillsim.agents.chemical import ChemicalExposure, LeakResponse
from drillsim.agents.command import CommandPost
from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.hospitals import Hospitals
from drillsim.agents.incidents import IncidentBoard
from drillsim.agents.injects import DrillController
from drillsim.agents.quake import QuakeAftermath
from drillsim.agents.relief import ReliefLogistics
from drillsim.agents.residents import Residents
from drillsim.agents.teams import Roster, TeamAgent
from drillsim.sim.hazards.chemical.hazard import ChemicalHazard
from drillsim.sim.hazards.quake.hazard import QuakeHazard
from drillsim.sim.model import DrillModel


def install_response(model: DrillModel) -> None:
    """Create the response agents of ``model``'s compiled plan."""
    Roster(model)
    Hospitals(model)
    IncidentBoard(model)
    shelters = [ShelterAgent(model, i) for i in range(len(model.world.shelters))]
    residents = Residents(model, shelters)
    CasualtyFlow(model, residents)
    for hazard in model.hazards:
        if isinstance(hazard, QuakeHazard):
            QuakeAftermath(model, residents, hazard)
        elif isinstance(hazard, ChemicalHazard):
            ChemicalExposure(model, residents, hazard)
            LeakResponse(model, hazard)
    for i, team in enumerate(model.compiled.plan.teams):
        TeamAgent(model, team, plan_index=i)
    ReliefLogistics(model, shelters)
    CommandPost(model)
    DrillController(model)
