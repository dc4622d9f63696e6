"""The ``plan`` section: the response plan under test — levels I–IV with their triggers,
orders, shelter assignment, teams, transport, mutual aid and objectives."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from drillsim.scenarios.schema.base import (
    Comparison,
    Duration,
    Id,
    NumberOrDuration,
    Positive,
    PositiveDuration,
    Strict,
    UncertainDuration,
)
from drillsim.sim import plan as ep
from drillsim.sim.state import BASE_COUNTERS, COUNTERS

CounterName = Literal[tuple(COUNTERS)]  # type: ignore[valid-type]
BaseCounterName = Literal[BASE_COUNTERS]  # type: ignore[valid-type]
"""A counter a report can change (not a derived sum such as deaths_and_missing)."""


class TimeCondition(Strict):
    """True from a time on: ``{at: 2h}``."""

    at: Duration


class CounterCondition(Strict):
    """A state counter compared with a value: ``{metric: deaths_and_missing, op: ">=",
    value: 20}``."""

    metric: CounterName
    op: Comparison = ">="
    value: float


class HazardCondition(Strict):
    """A hazard's intensity in any of the zones compared with a value:
    ``{hazard: river, zones: [Z1], op: ">", value: 0.5}`` (the hazard's own measure: water
    depth in m, PGA in g, concentration in ppm)."""

    hazard: Id
    zones: list[Id] = Field(min_length=1)
    op: Comparison = ">="
    value: float
    lead: Duration = Field(0.0, description="forecast lead time: compare the value expected "
                           "this long from now (a perfect forecast)")


class GaugeCondition(Strict):
    """A flood gauge's water level (m above datum): ``{gauge: G-town, op: ">=", value:
    4.5}``; with ``lead`` the forecast level that far ahead."""

    gauge: Id
    op: Comparison = ">="
    value: float
    lead: Duration = 0.0


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, tag in (("at", "time"), ("metric", "counter"), ("hazard", "hazard"),
                         ("gauge", "gauge")):
            if key in value:
                return tag
    return None


Condition = Annotated[
    Annotated[TimeCondition, Tag("time")]
    | Annotated[CounterCondition, Tag("counter")]
    | Annotated[HazardCondition, Tag("hazard")]
    | Annotated[GaugeCondition, Tag("gauge")],
    Discriminator(_condition_tag, custom_error_type="condition",
                  custom_error_message="a condition needs 'at' (a time), 'metric' (a counter), "
                  "'hazard' (a hazard threshold) or 'gauge' (a flood gauge level)"),
]


class Triggered(Strict):
    """Something with a trigger: ``any_of`` (出现下列情况之一) or ``all_of`` its conditions."""

    any_of: list[Condition] = Field(default_factory=list)
    all_of: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_mode(self) -> Triggered:
        if self.any_of and self.all_of:
            raise ValueError("use any_of or all_of, not both")
        return self


class Activation(Strict):
    orders: list[Id] = Field(default_factory=list)
    mutual_aid: list[Id] = Field(default_factory=list)
    teams: list[Id] = Field(default_factory=list, description="the plan's own teams held in "
                            "reserve until this level is declared")
    hospital_surge: bool = Field(False, description="hospitals open their surge beds (see "
                                 "plan.hospital_surge)")


class HospitalSurge(Strict):
    """Surge beds the hospitals open when a level activates them: ``share`` of each open
    hospital's beds more, ``after`` the declaration (cancelled operations, discharges,
    beds in corridors and halls)."""

    share: float = Field(0.2, gt=0.0, le=1.0)
    after: Duration = 4 * 3600.0


class Level(Triggered):
    """A response level: I is the most severe, IV the least."""

    level: Literal["I", "II", "III", "IV"]
    activates: Activation = Field(default_factory=Activation)
    declare_delay: UncertainDuration = Field(0.0, description="from trigger to declaration")
    stand_down: Triggered | None = Field(None, description="when this level is lifted: the "
                                         "command post steps down to the next lower level")
    source: str = ""

    @model_validator(mode="after")
    def _has_trigger(self) -> Level:
        if not self.any_of and not self.all_of:
            raise ValueError("a level needs a trigger: any_of or all_of conditions")
        return self


class ThreatZone(Strict):
    """Zones chosen when the order is issued, from a hazard's threat zone: where the
    hazard's measure is at least ``at_least`` (or, for a chemical release, inside the
    60-minute ``aegl`` contour), or within ``downwind_m`` of a chemical release (the square
    protective-action area of the Emergency Response Guidebook: that far down the present
    wind, half that far to either side)."""

    hazard: Id
    aegl: Literal[1, 2, 3] | None = None
    at_least: float | None = None
    downwind_m: Positive | None = None

    @model_validator(mode="after")
    def _one(self) -> ThreatZone:
        given = [v is not None for v in (self.aegl, self.at_least, self.downwind_m)]
        if sum(given) != 1:
            raise ValueError("give one of aegl, at_least or downwind_m")
        return self


class Order(Triggered):
    """A warning or protective action for zones; issued by its own trigger or by a level."""

    id: Id
    action: Literal["warn", "evacuate", "shelter_in_place", "all_clear"]
    zones: list[Id] | Literal["all"] | ThreatZone = Field(
        description="zone ids, 'all', or a threat zone chosen when the order is issued")
    channels: list[Literal["siren", "phone", "broadcast", "door_to_door"]] = Field(
        default_factory=list)


class ShelterAssignment(Strict):
    """Where each zone's evacuees go: the ``nearest`` open shelter with room; the one shelter
    ``preassigned`` to their zone; or the shelters listed for their zone, in order
    (``by_zone``). Zones not listed use the nearest shelter."""

    policy: Literal["nearest", "preassigned", "by_zone"] = "nearest"
    zones: dict[Id, list[Id]] = Field(default_factory=dict,
                                      description="zone id → shelter ids, in order of use "
                                      "(exactly one each for preassigned)")


TeamType = Literal["fire_rescue", "usar", "medical", "hazmat", "water_rescue",
                   "relief_transport"]


class Crew(Strict):
    """How a team works: shifts, rest, and how many casualties it carries."""

    shift: PositiveDuration | None = Field(None, description="work this long, then rest at the "
                                           "base (none: no rest within the run)")
    rest: Duration = Field(0.0, description="rest after a shift")
    carries: int = Field(1, ge=1, description="casualties carried to hospital per trip "
                         "(medical teams)")
    crews: int = Field(1, ge=1, description="work units it runs at once at one incident (a "
                       "heavy USAR team works several rescue sites)")


class Team(Crew):
    id: Id
    type: TeamType
    size: int = Field(ge=1)
    base: Id = Field(description="station id")
    available_after: UncertainDuration = 0.0
    skills: list[Id] = Field(default_factory=list, description="incident types it may work "
                             "besides those of its type")
    equipment: list[str] = Field(default_factory=list)


class Fleet(Strict):
    """Vehicles of the plan that carry residents who cannot leave by themselves: buses for
    car-less households (``carless``) and assisted transport for elderly or disabled
    households without a car (``assisted``)."""

    id: Id
    vehicles: int = Field(ge=1)
    seats: int = Field(ge=1, description="seats per vehicle")
    base: Id = Field(description="station id the vehicles start from")
    serves: list[Literal["carless", "assisted"]] = Field(
        default_factory=lambda: ["carless", "assisted"], min_length=1,
        description="whom the fleet carries")
    available_after: UncertainDuration = Field(0.0, description="from the first evacuation "
                                               "order to the vehicles being ready at the base")
    load_time: PositiveDuration = Field(ep.Fleet.load_s, description="time to board one "
                                        "household")


class MutualAid(Crew):
    """Teams from outside the region, requested when a level activates them."""

    id: Id
    type: TeamType
    teams: int = Field(ge=1)
    size: int = Field(ge=1)
    staging: Id = Field(description="station id where they arrive")
    arrival_delay: UncertainDuration


class Scope(Strict):
    zones: list[Id] = Field(default_factory=list)
    facilities: list[Id] = Field(default_factory=list)
    incident_types: list[str] = Field(default_factory=list)


class Objective(Strict):
    """A target: a metric of the run compared with a threshold (durations allowed for time
    metrics, e.g. ``threshold: 10h``)."""

    id: Id
    text: str = ""
    metric: str
    op: Comparison
    threshold: NumberOrDuration
    deadline: Duration | None = None
    scope: Scope = Field(default_factory=Scope)
    weight: Positive = 1.0
    source: str = ""
    capability: str = Field("", description="the capability it evaluates (e.g. 'mass search "
                            "and rescue'): objectives are graded together by capability")


class DispatchWeights(Strict):
    severity: float = Field(1.0, ge=0)
    waiting_h: float = Field(1.0, ge=0, description="per hour the incident has waited")
    travel_h: float = Field(1.0, ge=0, description="per hour of the team's travel")


class DispatchRule(Strict):
    """How free teams are matched with incidents: ``nearest`` (shortest travel first),
    ``severity`` (most severe incident first, longest waiting among equals, nearest capable
    team) or ``weighted`` (highest severity·w + hours waited·w − hours of travel·w)."""

    policy: Literal["nearest", "severity", "weighted"] = "nearest"
    weights: DispatchWeights = Field(default_factory=DispatchWeights)


class Resupply(Strict):
    """Relief resupply: a shelter whose water or food would last less than ``when_below`` at
    its present occupancy (or at its capacity, with ``basis: capacity``), or that has people
    waiting for relief, is sent enough for ``up_to`` by a relief-transport team, from the
    depot of the lowest tier that holds the item (community first, city last), nearest first
    within a tier."""

    when_below: PositiveDuration = 12 * 3600.0
    up_to: PositiveDuration = 3 * 86400.0
    load_time: Duration = Field(1800.0, description="to load at the depot, and again to "
                                "unload at the shelter")
    payload: dict[Literal["water_l", "food_rations"], Positive] = Field(
        default_factory=lambda: {"water_l": 10_000.0, "food_rations": 5_000.0},
        description="what one team carries per trip")
    review_every: PositiveDuration = 600.0
    basis: Literal["occupancy", "capacity"] = Field(
        "occupancy", description="reckon the need on the people in the shelter, or on as "
        "many as it can house (stock ahead of arrivals)")


class Plan(Strict):
    id: Id
    title: str = ""
    levels: list[Level] = Field(default_factory=list)
    orders: list[Order] = Field(default_factory=list)
    shelter_assignment: ShelterAssignment = Field(default_factory=ShelterAssignment)
    teams: list[Team] = Field(default_factory=list)
    transport: list[Fleet] = Field(default_factory=list, description="vehicles for residents "
                                   "who cannot leave by themselves")
    mutual_aid: list[MutualAid] = Field(default_factory=list)
    dispatch: DispatchRule = Field(default_factory=DispatchRule)
    resupply: Resupply | None = Field(None, description="how shelters are resupplied from "
                                      "depots (none: no resupply)")
    hospital_surge: HospitalSurge = Field(default_factory=HospitalSurge)
    objectives: list[Objective] = Field(default_factory=list)
    review_every: PositiveDuration = Field(300.0, description="how often the command post "
                                           "reviews the triggers")
