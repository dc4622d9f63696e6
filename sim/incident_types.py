"""The incident types the engine knows, with their defaults. A scenario may change any of
them (``incidents.types``) and add its own.

The work times are planning values, not published figures (check): the per-victim
extraction times of USAR studies were not available to us, so each default is a lognormal
with a median a drill designer would recognise and a wide spread, and every scenario that
depends on them should set its own. What is sourced: the survival of people trapped in
collapsed buildings (:mod:`drillsim.sim.hazards.quake.trapped`) and the team types that do
each kind of work (the national earthquake plan's rescue forces).
"""

from __future__ import annotations

from drillsim.sim.distributions import Dist
from drillsim.sim.plan import IncidentType

DEFAULT_INCIDENT_TYPES: dict[str, IncidentType] = {t.name: t for t in (
    IncidentType("collapse_rescue", ("usar", "fire_rescue"), Dist("lognormal", (7200.0, 0.8)),
                 severity=3, survival="collapse", rescues=True),
    IncidentType("water_rescue", ("water_rescue",), Dist("lognormal", (360.0, 0.5)),
                 severity=2),
    IncidentType("casualty", ("medical",), Dist("lognormal", (900.0, 0.5)),
                 severity=3, survival="critical", transported=True),
    IncidentType("fire", ("fire_rescue",), Dist("lognormal", (3600.0, 0.7)), severity=2,
                 max_teams=2),
    IncidentType("hazmat_leak", ("hazmat",), Dist.fixed(1800.0), severity=3, max_teams=1),
)}
"""``collapse_rescue``: one unit is one person extracted (median 2 h); ``water_rescue``: one
person taken off by boat (median 6 min, boats ferry several at a time); ``casualty``: one
casualty treated and loaded (median 15 min), then driven to hospital by the team;
``fire``: one fire fought (median 1 h, at most two teams); ``hazmat_leak``: a leak stopped
(the release's own ``stop_on_site`` time)."""
