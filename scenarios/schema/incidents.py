"""The ``incidents`` section: how each type of incident is worked (which team types, how
long a unit of work takes, its severity) and incidents that arrive at random (fires after an
earthquake, calls for service) besides those the hazards create."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from drillsim.scenarios.schema.base import Duration, Id, Positive, Strict, UncertainDuration
from drillsim.scenarios.schema.plan import TeamType


class IncidentTypeSpec(Strict):
    """An incident type. The built-in types (collapse_rescue, water_rescue, casualty, fire,
    hazmat_leak) have defaults for every key; a new type needs ``teams`` and ``work_time``."""

    teams: list[TeamType] | None = Field(None, min_length=1, description="team types that "
                                         "may work it")
    work_time: UncertainDuration | None = Field(None, description="time for one unit of work "
                                                "(one person, one casualty, one fire)")
    severity: Literal[1, 2, 3] | None = Field(None, description="3 life-threatening, 2 "
                                              "serious, 1 minor: dispatch's priority")
    survival: Literal["collapse", "critical", "none"] | None = Field(
        None, description="how people die while they wait: 'collapse' (trapped in a "
        "collapsed building), 'critical' (untreated life-threatening injuries) or 'none'")
    max_teams: int | None = Field(None, ge=0, description="most teams at once (0: one per "
                                  "unit left)")


class Arrival(Strict):
    """Incidents that arrive at random: a Poisson process of ``per_hour`` in the ``zones``
    between ``from`` and ``until``."""

    type: Id
    per_hour: Positive
    zones: list[Id] | Literal["all"] = "all"
    from_: Duration = Field(0.0, alias="from")
    until: Duration | None = None
    units: int = Field(1, ge=1, description="work units (persons) per incident")
    severity: Literal[1, 2, 3] | None = None


class Incidents(Strict):
    types: dict[Id, IncidentTypeSpec] = Field(default_factory=dict)
    arrivals: list[Arrival] = Field(default_factory=list)
