"""The compiled response plan and master scenario events list, as plain frozen dataclasses.

Indices refer to rows of the compiled :class:`~drillsim.sim.world.World` tables. Response
levels follow Chinese practice: level I is the most severe; ``severity`` is 1 for IV … 4 for I
(0 means no response level declared).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drillsim.sim.distributions import Dist

NO_DELAY = Dist.fixed(0.0)

LEVEL_NAMES = ("none", "IV", "III", "II", "I")
"""``LEVEL_NAMES[severity]``."""

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}


@dataclass(frozen=True)
class Condition:
    """One quantitative condition: ``source`` is ``time`` (``value`` seconds since start),
    ``counter`` (a state counter such as ``deaths_and_missing``), ``hazard`` (the hazard's
    ``measure`` sampled at ``zones``, true if any zone satisfies it) or ``gauge`` (a flood's
    water level at ``point``). ``lead_s`` reads the hazard that far ahead (a forecast)."""

    source: str
    op: str
    value: float
    name: str = ""
    hazard: int = -1
    zones: tuple[int, ...] = ()
    text: str = ""
    lead_s: float = 0.0
    point: tuple[float, float] = (0.0, 0.0)

    def holds(self, observed: float) -> bool:
        return COMPARISONS[self.op](observed, self.value)


@dataclass(frozen=True)
class Trigger:
    """True when any (``mode="any"``) or all (``mode="all"``) of its conditions hold."""

    conditions: tuple[Condition, ...]
    mode: str = "any"


@dataclass(frozen=True)
class ThreatZone:
    """Zones chosen when an order is issued: where hazard ``hazard``'s measure is at least
    ``at_least``, or (``downwind_m`` > 0) within that distance downwind of its source."""

    hazard: int
    at_least: float = float("nan")
    downwind_m: float = 0.0
    text: str = ""


@dataclass(frozen=True)
class Order:
    """A warning or protective-action order for a set of zones (or for the zones of a
    threat zone, chosen when it is issued)."""

    id: str
    action: str  # warn | evacuate | shelter_in_place | all_clear
    zones: tuple[int, ...]
    trigger: Trigger | None = None
    channels: tuple[str, ...] = ()
    threat: ThreatZone | None = None


@dataclass(frozen=True)
class Level:
    """A response level, its trigger and what it activates: orders, mutual aid and the
    plan's own teams held in reserve for it. ``stand_down`` (if any) is the condition under
    which the command post steps down from this level to the next lower one."""

    severity: int
    trigger: Trigger
    orders: tuple[int, ...] = ()
    aid: tuple[int, ...] = ()
    declare_delay_s: Dist = NO_DELAY
    teams: tuple[int, ...] = ()
    stand_down: Trigger | None = None
    hospital_surge: bool = False

    @property
    def name(self) -> str:
        return LEVEL_NAMES[self.severity]


NO_SHIFT = float("inf")


@dataclass(frozen=True)
class Team:
    """A team of the plan, available at its base station after ``available_after_s`` (from
    the start, or from the declaration of the level that holds it in reserve). It works
    ``shift_s`` and then rests ``rest_s`` at its base; ``skills`` are the incident types it
    may work beyond those of its type; a medical or transport team ``carries`` that many
    casualties per trip."""

    id: str
    type: str
    size: int
    station: int
    available_after_s: Dist = NO_DELAY
    skills: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    shift_s: float = NO_SHIFT
    rest_s: float = 0.0
    carries: int = 1
    crews: int = 1
    """Work units it runs at once (a large USAR team works several sites)."""
    reserve: bool = False
    """Held back until a response level activates it."""


@dataclass(frozen=True)
class MutualAid:
    """Teams from outside the region, requested by a response level, arriving after a delay."""

    id: str
    type: str
    teams: int
    size: int
    station: int
    arrival_delay_s: Dist
    shift_s: float = NO_SHIFT
    rest_s: float = 0.0
    carries: int = 1
    crews: int = 1


@dataclass(frozen=True)
class IncidentType:
    """How an incident of one type is worked: which team types may work it, its severity
    (for dispatch: 3 life-threatening … 1 minor) and the time one work unit takes (one
    person extracted, one casualty treated, one fire fought). ``rescues``: its units are
    people freed alive, who then need hospital care; ``transported``: its units are
    casualties that the team itself carries to hospital. ``survival`` names the curve that
    kills people while they wait ("" none)."""

    name: str
    teams: tuple[str, ...]
    work_s: Dist
    severity: int = 2
    survival: str = ""
    rescues: bool = False
    transported: bool = False
    max_teams: int = 0
    """At most this many teams at once (0: one per remaining unit)."""


@dataclass(frozen=True)
class Arrivals:
    """Incidents that arrive at random (a Poisson process of ``per_hour``) in ``zones``
    (uniformly) between ``from_s`` and ``until_s``, each of ``units`` work units."""

    type: str
    per_hour: float
    zones: tuple[int, ...]
    from_s: float = 0.0
    until_s: float = float("inf")
    units: int = 1
    severity: int = 0
    """Severity of the incidents (0: their type's)."""


@dataclass(frozen=True)
class Dispatch:
    """How free teams are matched with incidents that need them. ``nearest``: the pair with
    the shortest travel first; ``severity``: the most severe incident first (the longest
    waiting among equals), with its nearest capable team; ``weighted``: the pair with the
    highest score ``severity_weight·severity + waiting_weight·hours waited −
    travel_weight·hours of travel``."""

    policy: str = "nearest"
    severity_weight: float = 1.0
    waiting_weight: float = 1.0
    travel_weight: float = 1.0


@dataclass(frozen=True)
class Resupply:
    """The plan's resupply rule: a shelter whose stock of an item would last less than
    ``below_s`` at its present occupancy (or that has people waiting for relief) is sent
    enough to last ``up_to_s``, by a relief-transport team, from the depot of the lowest
    tier (community first) that holds the item and can be reached, the nearest within a
    tier; loading and unloading take ``load_s`` each."""

    below_s: float = 12 * 3600.0
    up_to_s: float = 3 * 86400.0
    load_s: float = 1800.0
    payload: tuple[tuple[str, float], ...] = (("water_l", 10_000.0), ("food_rations", 5_000.0))
    """What one team carries per trip, by item."""
    check_every_s: float = 600.0
    basis: str = "occupancy"
    """What the need is reckoned on: the people in the shelter (``occupancy``) or as many
    as it can house (``capacity``, so stocks are there before people arrive)."""
@dataclass(frozen=True)
class Fleet:
    """Vehicles of the plan that carry residents who cannot leave by themselves: buses for
    car-less households (``serves`` has ``carless``) and assisted transport for elderly or
    disabled households without a car (``assisted``). Each vehicle starts at its station
    after ``available_after_s`` once an evacuation order is issued, and boards a household
    in ``load_s``."""

    id: str
    vehicles: int
    seats: int
    station: int
    serves: tuple[str, ...] = ("carless", "assisted")
    available_after_s: Dist = NO_DELAY
    load_s: float = 120.0


@dataclass(frozen=True)
class Objective:
    """A target of the plan: ``metric`` compared with ``threshold`` by ``op``."""

    id: str
    metric: str
    op: str
    threshold: float
    text: str = ""
    deadline_s: float | None = None
    zones: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()
    incident_types: tuple[str, ...] = ()
    weight: float = 1.0
    source: str = ""
    capability: str = ""
    """The capability it evaluates (objectives are graded together by capability)."""


@dataclass(frozen=True)
class Plan:
    """The response plan under test."""

    id: str
    levels: tuple[Level, ...] = ()
    orders: tuple[Order, ...] = ()
    teams: tuple[Team, ...] = ()
    aid: tuple[MutualAid, ...] = ()
    objectives: tuple[Objective, ...] = ()
    shelter_policy: str = "nearest"
    shelter_lists: tuple[tuple[int, ...], ...] = ()
    """Per zone, the shelters to use in order (``preassigned`` / ``by_zone`` policies; empty:
    nearest)."""
    transport: tuple[Fleet, ...] = ()
    check_every_s: float = 300.0
    dispatch: Dispatch = field(default_factory=Dispatch)
    incident_types: tuple[IncidentType, ...] = ()
    resupply: Resupply | None = None
    surge_share: float = 0.2
    """Surge beds, as a share of each hospital's beds, that a level can open."""
    surge_after_s: float = 4 * 3600.0


@dataclass(frozen=True)
class Inject:
    """An event of the master scenario events list. ``target`` is an id in the scenario;
    ``params`` holds the action's own settings (e.g. ``delay_s``, ``counter``, ``value``)."""

    id: str
    action: str
    at_s: float = 0.0
    target: str = ""
    message: str = ""
    hidden: bool = False
    params: tuple[tuple[str, Any], ...] = ()
    expected_actions: tuple[str, ...] = ()

    def param(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)


@dataclass(frozen=True)
class DecisionOption:
    """One answer to a decision point: its actions happen at the decision's time (none: the
    plan as it stands). ``played`` marks the option the run itself followed."""

    id: str
    label: str
    played: bool = False
    injects: tuple[Inject, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A decision point of a tabletop exercise: a question at ``at_s`` and its options."""

    id: str
    at_s: float
    question: str
    options: tuple[DecisionOption, ...] = ()


@dataclass(frozen=True)
class RandomInjects:
    """For unscripted drills: ``count`` injects drawn without replacement from ``pool``, each at
    a uniform time in ``window_s``."""

    count: int = 0
    window_s: tuple[float, float] = (0.0, 0.0)
    pool: tuple[Inject, ...] = field(default_factory=tuple)
