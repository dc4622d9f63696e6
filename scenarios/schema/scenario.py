"""The whole scenario: ``meta``, ``region``, ``population``, ``hazards``, ``plan``,
``incidents``, ``injects``, ``uncertainty``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from drillsim.scenarios.schema.base import (
    Count,
    Duration,
    Id,
    Positive,
    PositiveDuration,
    Strict,
)
from drillsim.scenarios.schema.hazards import Hazard
from drillsim.scenarios.schema.incidents import Incidents
from drillsim.scenarios.schema.plan import BaseCounterName, Plan
from drillsim.scenarios.schema.population import Population
from drillsim.scenarios.schema.region import Region
from drillsim.scenarios.schema.uncertainty import Uncertainty


class Meta(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    start: datetime = Field(description="calendar start, for display (ISO 8601)")
    duration: PositiveDuration
    drill_type: Literal["tabletop", "functional", "full-scale"] = "tabletop"
    unscripted: bool = Field(False, description="a double-blind drill: players do not see "
                             "upcoming injects")
    seed: Count = 0


class InjectBase(Strict):
    id: Id
    at: Duration | None = Field(None, description="when it fires (scripted injects)")
    message: str = ""
    hidden: bool = Field(False, description="hidden from the players' view")
    expected_actions: list[str] = Field(default_factory=list)


class MessageInject(InjectBase):
    action: Literal["message"]


class LinkInject(InjectBase):
    action: Literal["close_link", "open_link"]
    link: Id


class FacilityInject(InjectBase):
    action: Literal["close_facility", "open_facility"]
    facility: Id


class DelayTeamInject(InjectBase):
    action: Literal["delay_team"]
    team: Id
    delay: Duration


class ReportInject(InjectBase):
    """A field report that changes a state counter (e.g. 25 more dead)."""

    action: Literal["report"]
    counter: BaseCounterName
    value: float


class Epicentre(Strict):
    x: float
    y: float


class AftershockInject(InjectBase):
    """An aftershock of an earthquake of the scenario: it shakes, damages, injures and traps
    like any shock of the sequence (a point source)."""

    action: Literal["aftershock"]
    hazard: Id = Field(description="the earthquake it belongs to")
    magnitude: float = Field(ge=3.0, le=9.5)
    epicentre: Epicentre | None = Field(None, description="projected metres (default: the "
                                        "mainshock's epicentre)")
    depth_km: Positive | None = Field(None, description="default: the mainshock's depth")


class RequestAidInject(InjectBase):
    """Mutual aid of the plan requested now, whatever the response level (a decision taken
    at the table, or an order from above)."""

    action: Literal["request_aid"]
    aid: Id = Field(description="a mutual-aid arrangement of the plan")


class IssueOrderInject(InjectBase):
    """An order of the plan issued now, whatever the response level."""

    action: Literal["issue_order"]
    order: Id = Field(description="an order of the plan")


Inject = Annotated[MessageInject | LinkInject | FacilityInject | DelayTeamInject | ReportInject
                   | AftershockInject | RequestAidInject | IssueOrderInject,
                   Field(discriminator="action")]


class DecisionOption(Strict):
    """An answer the players may give; its actions (injects; their ``at`` is the decision's)
    change the run from the decision on. No actions: the plan as it stands."""

    id: Id
    label: str = Field(min_length=1)
    played: bool = Field(False, description="the option this run follows (default: the "
                         "first without actions)")
    actions: list[Inject] = Field(default_factory=list)

    @model_validator(mode="after")
    def _played_is_the_plan(self) -> DecisionOption:
        if self.played and self.actions:
            raise ValueError("the option played is the run as the plan plays it: it takes no "
                             "actions")
        return self


class Decision(Strict):
    """A decision point: the replay stops here, asks the question and shows what each option
    would have changed."""

    id: Id
    at: Duration
    question: str = Field(min_length=1)
    options: list[DecisionOption] = Field(min_length=2)

    @model_validator(mode="after")
    def _one_played(self) -> Decision:
        if sum(o.played for o in self.options) > 1:
            raise ValueError("at most one option is the one played")
        if not any(o.played or not o.actions for o in self.options):
            raise ValueError("one option must be the run as played: mark it 'played: true' "
                             "or give it no actions")
        return self


class RandomInjects(Strict):
    """For unscripted drills: ``count`` injects drawn from ``pool`` at random times in
    ``window``."""

    count: Count
    window: tuple[Duration, Duration]
    pool: list[Inject] = Field(min_length=1)

    @model_validator(mode="after")
    def _window(self) -> RandomInjects:
        if self.window[1] < self.window[0]:
            raise ValueError("window must be [earliest, latest]")
        if self.count > len(self.pool):
            raise ValueError(f"count {self.count} is more than the pool's {len(self.pool)} "
                             "injects")
        return self


class Injects(Strict):
    scripted: list[Inject] = Field(default_factory=list)
    random: RandomInjects | None = None
    decisions: list[Decision] = Field(default_factory=list, description="decision points of "
                                      "a tabletop exercise")


class Scenario(Strict):
    """A drillsim scenario file."""

    schema_version: Literal[1] = 1
    meta: Meta
    region: Region
    population: Population = Field(default_factory=Population,
                                   description="how residents behave (every key optional)")
    hazards: list[Hazard] = Field(default_factory=list)
    plan: Plan
    incidents: Incidents = Field(default_factory=Incidents, description="how incidents are "
                                 "worked, and incidents that arrive at random")
    injects: Injects = Field(default_factory=Injects)
    uncertainty: Uncertainty | None = Field(None, description="what a sweep varies: uncertain "
                                            "parameters and the plan's options (the values "
                                            "written elsewhere are the nominal scenario)")


SECTIONS: dict[str, type[Strict]] = {"meta": Meta, "region": Region,
                                     "population": Population, "plan": Plan,
                                     "incidents": Incidents, "injects": Injects}
"""Top-level sections validated on their own, so that cross-references can be checked in the
sections that are valid even when another one is not."""
