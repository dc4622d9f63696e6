"""Traffic on the road graph: vectorised link queues for cars, unconstrained walking, and
next-hop routing tables.

The movement model is mesoscopic: every traveller (a household's car, or the household on
foot) is an individual with its own link, destination and route, but they are advanced
together with numpy in fixed steps. A link has a moving part, whose speed falls with
density, and a queue at its downstream end that leaves at the link's capacity and is held
back when the next link is full (so queues spill back). See :mod:`~.links` for the equations
and :mod:`~.movement` for the stepping.
"""

from drillsim.sim.traffic.links import LinkParams, TrafficParams
from drillsim.sim.traffic.movement import Moves, Traffic
from drillsim.sim.traffic.routing import Router

__all__ = ["LinkParams", "Moves", "Router", "Traffic", "TrafficParams"]
