"""The drillsim engine: world state, hazard physics, the clock, random streams, the event log.

A compiled scenario (:class:`~drillsim.sim.compiled.Compiled`) is run for one seed with
:func:`~drillsim.sim.run.run`; everything that happens is appended to an
:class:`~drillsim.sim.events.EventLog`, the single source of truth for metrics, scores and replay.
"""

from drillsim.sim.compiled import Compiled
from drillsim.sim.events import EventLog
from drillsim.sim.run import RunResult, run

__all__ = ["Compiled", "EventLog", "RunResult", "run"]
