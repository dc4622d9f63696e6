"""The actors of a run: the command post that applies the plan, shelters and other facilities,
teams, and the drill controller that fires injects. :func:`install_response` puts them all
into a :class:`~drillsim.sim.model.DrillModel`."""

from drillsim.agents.install import install_response

__all__ = ["install_response"]
