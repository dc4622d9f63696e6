"""Compile a validated scenario into the engine's arrays and dataclasses (once per batch)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from drillsim.agents import install_response
from drillsim.scenarios.compile_world import compile_world
from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.schema import Scenario
from drillsim.scenarios.schema import plan as sp
from drillsim.scenarios.schema.base import as_dist
from drillsim.scenarios.schema.incidents import Incidents
from drillsim.scenarios.schema.population import Population
from drillsim.scenarios.schema.region import (
    MIN_AREA_M2_PER_PERSON,
    SHELTER_STAY_DAYS,
    Region,
)
from drillsim.sim import plan as ep
from drillsim.sim.behaviour import Behaviour, Channel
from drillsim.sim.compiled import Compiled
from drillsim.sim.hazards import HAZARDS, HazardSpec
from drillsim.sim.hazards.base import FrozenDict
from drillsim.sim.hazards.chemical.chemicals import aegl_ppm
from drillsim.sim.incident_types import DEFAULT_INCIDENT_TYPES
from drillsim.sim.world import (
    Terrain,
    World,
)

SEVERITY = {"IV": 1, "III": 2, "II": 3, "I": 4}


def compile_scenario(scenario: Scenario, digest: str = "",
                     terrain: Terrain | None = None) -> Compiled:
    """The engine's view of ``scenario`` (which must have passed every check)."""
    world = compile_world(scenario.region, terrain)
    notes = tuple(f"hazard '{h.id}' ({h.kind}): no physics model in this version; only its "
                  "onset and end are logged" for h in scenario.hazards if h.kind not in HAZARDS)
    notes += tuple(text for _, text in crowded_shelters(scenario.region))
    behaviour = compile_behaviour(scenario.population)
    notes += short_stocked_shelters(scenario.region, behaviour)
    return Compiled(
        name=scenario.meta.name,
        description=" ".join((scenario.meta.description or "").split()),
        digest=digest,
        duration_s=scenario.meta.duration,
        world=world,
        plan=compile_plan(scenario.plan, world, list(scenario.hazards), scenario.incidents),
        hazards=tuple(_hazard(h, scenario.meta.duration, scenario.meta.start)
                      for h in scenario.hazards),
        injects=tuple(_inject(i) for i in scenario.injects.scripted),
        decisions=tuple(_decision(d) for d in scenario.injects.decisions),
        unscripted=scenario.meta.unscripted,
        random_injects=_random_injects(scenario),
        installers=(install_response,),
        start=scenario.meta.start.isoformat(),
        drill_type=scenario.meta.drill_type,
        default_seed=scenario.meta.seed,
        notes=notes,
        behaviour=behaviour,
        arrivals=tuple(_arrivals(a, world, scenario.meta.duration)
                       for a in scenario.incidents.arrivals),
    )


def crowded_shelters(region: Region) -> list[tuple[int, str]]:
    """(index, note) for each shelter whose stated capacity leaves less than the minimum
    living area per person of GB 21734-2008."""
    out = []
    for i, s in enumerate(region.shelters):
        if s.floor_area_m2 and s.capacity_persons and \
                s.capacity_persons > s.floor_area_m2 / MIN_AREA_M2_PER_PERSON:
            out.append((i, f"shelter '{s.id}' gives {s.floor_area_m2 / s.capacity_persons:.2f} "
                        f"m² per person, below the {MIN_AREA_M2_PER_PERSON:g} m² of GB "
                        "21734-2008"))
    return out


def short_stocked_shelters(region: Region, behaviour: Behaviour) -> tuple[str, ...]:
    """One note if some stocked shelters, full, would run out of water or food before the
    shortest stay their class is built for (GB 21734-2008 §4): relief logistics must make up
    the rest. Daily needs are the residents' relief rations."""
    short = []
    for s in region.shelters:
        capacity = s.capacity_persons or 0
        low, _ = SHELTER_STAY_DAYS[s.shelter_class]
        if capacity <= 0 or low <= 0 or not (s.stocks.water_l or s.stocks.food_rations):
            continue  # no stocks stated: relief there is not part of the drill
        days = min(s.stocks.water_l / max(behaviour.relief_water_l * capacity, 1e-9),
                   s.stocks.food_rations / max(behaviour.relief_food * capacity, 1e-9))
        if days < low:
            short.append((days, s.id, s.shelter_class, low))
    if not short:
        return ()
    days, sid, klass, low = min(short)
    return (f"{len(short)} shelter(s) hold stocks for fewer days than their class is built for "
            f"(GB 21734-2008), e.g. '{sid}' (class {klass}): {days:.1f} of at least {low:g} "
            "days when full; resupply has to cover the rest",)


# -- incidents and teams ------------------------------------------------------------------------

def _crew(c: sp.Crew) -> dict[str, Any]:
    return {"shift_s": ep.NO_SHIFT if c.shift is None else c.shift, "rest_s": c.rest,
            "carries": c.carries, "crews": c.crews}


def incident_types(incidents: Incidents) -> tuple[ep.IncidentType, ...]:
    """The built-in incident types with the scenario's changes, then its own types."""
    out = dict(DEFAULT_INCIDENT_TYPES)
    for name, spec in incidents.types.items():
        base = out.get(name)
        changes: dict[str, Any] = {}
        if spec.teams is not None:
            changes["teams"] = tuple(spec.teams)
        if spec.work_time is not None:
            changes["work_s"] = as_dist(spec.work_time)
        if spec.severity is not None:
            changes["severity"] = spec.severity
        if spec.survival is not None:
            changes["survival"] = "" if spec.survival == "none" else spec.survival
        if spec.max_teams is not None:
            changes["max_teams"] = spec.max_teams
        out[name] = replace(base, **changes) if base is not None else ep.IncidentType(
            name=name, **{"teams": (), "work_s": ep.NO_DELAY, **changes})
    return tuple(out.values())


def _arrivals(a: Any, world: World, duration_s: float) -> ep.Arrivals:
    zones = (tuple(range(len(world.zones))) if a.zones == "all"
             else tuple(world.zones.index(z) for z in a.zones))
    return ep.Arrivals(type=a.type, per_hour=a.per_hour, zones=zones, from_s=a.from_,
                       until_s=duration_s if a.until is None else a.until, units=a.units,
                       severity=a.severity or 0)


def _resupply(r: sp.Resupply | None) -> ep.Resupply | None:
    if r is None:
        return None
    return ep.Resupply(below_s=r.when_below, up_to_s=r.up_to, load_s=r.load_time,
                       payload=tuple(sorted(r.payload.items())), check_every_s=r.review_every,
                       basis=r.basis)


# -- world --------------------------------------------------------------------------------------

# -- plan ---------------------------------------------------------------------------------------

def compile_plan(plan: sp.Plan, world: World, hazards: list[Any],
                 incidents: Incidents | None = None) -> ep.Plan:
    orders = {o.id: i for i, o in enumerate(plan.orders)}
    aid = {a.id: i for i, a in enumerate(plan.mutual_aid)}
    team_index = {t.id: i for i, t in enumerate(plan.teams)}
    reserve = {t for lv in plan.levels for t in lv.activates.teams}
    w = plan.dispatch.weights
    return ep.Plan(
        id=plan.id,
        levels=tuple(
            ep.Level(severity=SEVERITY[lv.level], trigger=_trigger(lv, world, hazards),
                     orders=tuple(orders[o] for o in lv.activates.orders),
                     aid=tuple(aid[a] for a in lv.activates.mutual_aid),
                     declare_delay_s=as_dist(lv.declare_delay),
                     teams=tuple(team_index[t] for t in lv.activates.teams),
                     hospital_surge=lv.activates.hospital_surge,
                     stand_down=(_trigger(lv.stand_down, world, hazards)
                                 if lv.stand_down is not None else None))
            for lv in sorted(plan.levels, key=lambda lv: SEVERITY[lv.level])),
        orders=tuple(
            ep.Order(id=o.id, action=o.action, zones=_order_zones(o.zones, world),
                     trigger=_trigger(o, world, hazards) if (o.any_of or o.all_of) else None,
                     channels=tuple(o.channels), threat=_threat(o.zones, hazards))
            for o in plan.orders),
        teams=tuple(ep.Team(id=t.id, type=t.type, size=t.size,
                            station=world.stations.index(t.base),
                            available_after_s=as_dist(t.available_after),
                            skills=tuple(t.skills), equipment=tuple(t.equipment),
                            reserve=t.id in reserve, **_crew(t)) for t in plan.teams),
        transport=tuple(ep.Fleet(id=f.id, vehicles=f.vehicles, seats=f.seats,
                                 station=world.stations.index(f.base),
                                 serves=tuple(dict.fromkeys(f.serves)),
                                 available_after_s=as_dist(f.available_after),
                                 load_s=f.load_time) for f in plan.transport),
        aid=tuple(ep.MutualAid(id=a.id, type=a.type, teams=a.teams, size=a.size,
                               station=world.stations.index(a.staging),
                               arrival_delay_s=as_dist(a.arrival_delay), **_crew(a))
                  for a in plan.mutual_aid),
        dispatch=ep.Dispatch(policy=plan.dispatch.policy, severity_weight=w.severity,
                             waiting_weight=w.waiting_h, travel_weight=w.travel_h),
        incident_types=incident_types(incidents or Incidents()),
        resupply=_resupply(plan.resupply),
        surge_share=plan.hospital_surge.share,
        surge_after_s=plan.hospital_surge.after,
        objectives=tuple(
            ep.Objective(id=o.id, metric=o.metric, op=o.op, threshold=o.threshold, text=o.text,
                         deadline_s=o.deadline, zones=tuple(o.scope.zones),
                         facilities=tuple(o.scope.facilities),
                         incident_types=tuple(o.scope.incident_types), weight=o.weight,
                         source=o.source, capability=o.capability)
            for o in plan.objectives),
        shelter_policy=plan.shelter_assignment.policy,
        shelter_lists=_shelter_lists(plan.shelter_assignment, world),
        check_every_s=plan.review_every,
    )


def _order_zones(zones: Any, world: World) -> tuple[int, ...]:
    if zones == "all":
        return tuple(range(len(world.zones)))
    if isinstance(zones, sp.ThreatZone):
        return ()  # chosen when the order is issued
    return tuple(world.zones.index(z) for z in zones)


def _threat(zones: Any, hazards: list[Any]) -> ep.ThreatZone | None:
    """A threat zone with its AEGL level made a concentration (ppm, 60 minutes)."""
    if not isinstance(zones, sp.ThreatZone):
        return None
    h = [x.id for x in hazards].index(zones.hazard)
    if zones.downwind_m is not None:
        return ep.ThreatZone(h, downwind_m=zones.downwind_m,
                             text=f"within {zones.downwind_m:g} m downwind of {zones.hazard}")
    if zones.aegl is not None:
        ppm = float(aegl_ppm(hazards[h].chemical, zones.aegl, 3600.0))
        return ep.ThreatZone(h, at_least=ppm, text=f"inside the AEGL-{zones.aegl} "
                             f"({ppm:g} ppm) contour of {zones.hazard}")
    return ep.ThreatZone(h, at_least=float(zones.at_least or 0.0),
                         text=f"where {zones.hazard} >= {zones.at_least:g}")


def _shelter_lists(assignment: sp.ShelterAssignment, world: World
                   ) -> tuple[tuple[int, ...], ...]:
    """Per zone (in world order) its shelters in order of use; empty where none are listed
    and for every zone under the ``nearest`` policy (which ignores the lists)."""
    listed = {} if assignment.policy == "nearest" else assignment.zones
    return tuple(tuple(world.shelters.index(s) for s in listed.get(z, ()))
                 for z in world.zones.ids)


def _trigger(item: sp.Triggered, world: World, hazards: list[Any]) -> ep.Trigger:
    mode = "any" if item.any_of else "all"
    ids = [h.id for h in hazards]
    gauges = {g.id: (i, g.location.x, g.location.y) for i, h in enumerate(hazards)
              for g in getattr(h, "gauges", [])}
    return ep.Trigger(tuple(_condition(c, world, ids, gauges)
                            for c in (item.any_of or item.all_of)), mode)


def _condition(c: Any, world: World, hazard_ids: list[str],
               gauges: dict[str, tuple[int, float, float]]) -> ep.Condition:
    if isinstance(c, sp.TimeCondition):
        return ep.Condition("time", ">=", c.at, text=f"time >= {format_duration(c.at)}")
    if isinstance(c, sp.CounterCondition):
        return ep.Condition("counter", c.op, c.value, name=c.metric,
                            text=f"{c.metric} {c.op} {c.value:g}")
    ahead = f" (forecast {format_duration(c.lead)} ahead)" if c.lead else ""
    if isinstance(c, sp.GaugeCondition):
        h, x, y = gauges[c.gauge]
        return ep.Condition("gauge", c.op, c.value, name=c.gauge, hazard=h, point=(x, y),
                            lead_s=c.lead, text=f"gauge {c.gauge} {c.op} {c.value:g} m{ahead}")
    return ep.Condition("hazard", c.op, c.value, hazard=hazard_ids.index(c.hazard),
                        zones=tuple(world.zones.index(z) for z in c.zones), lead_s=c.lead,
                        text=f"{c.hazard} in {', '.join(c.zones)} {c.op} {c.value:g}{ahead}")


# -- population ---------------------------------------------------------------------------------

_BEHAVIOUR = {"shadow": "shadow", "cue_odds": "cue_odds", "elderly_odds": "elderly_odds",
              "cue_depth_m": "cue_depth_m", "public_shelter_share": "public_shelter_share",
              "walk_max_m": "walk_max_m", "exposure_depth_m": "exposure_depth_m",
              "census_every": "census_every_s"}
_RELIEF = {"water_l": "relief_water_l", "food_rations": "relief_food"}
_TRAFFIC = {"step": "step_s", "capacity_factor": "capacity_factor",
            "jam_spacing_m": "jam_spacing_m", "min_speed_fraction": "min_speed_fraction",
            "stuck_time": "stuck_s", "reroute_every": "reroute_every_s",
            "walk_speed_m_s": "walk_speed_m_s"}
_CHANNEL = {"reach": "reach", "per_team_hour": "per_team_hour",
            "teams_per_zone": "teams_per_zone"}
"""Scenario key → engine field, for the keys copied as they are."""


def _given(section: Any, names: dict[str, str]) -> dict[str, Any]:
    """The engine fields ``section`` sets (keys left out stay at the engine's default)."""
    if section is None:
        return {}
    return {field: getattr(section, key) for key, field in names.items()
            if getattr(section, key, None) is not None}


def compile_behaviour(pop: Population) -> Behaviour:
    """The engine's defaults, with every setting the scenario gives replacing its own."""
    base = Behaviour()
    changes = _given(pop, _BEHAVIOUR) | _given(pop.relief, _RELIEF)
    if pop.mobilization is not None:
        changes["mobilization_s"] = as_dist(pop.mobilization)
    if pop.comply is not None:
        changes["comply"] = FrozenDict(
            {**base.comply, **pop.comply.model_dump(exclude_none=True)})
    if pop.channels is not None:
        changes["channels"] = FrozenDict(
            {name: _channel(getattr(pop.channels, name, None), channel)
             for name, channel in base.channels.items()})
    if pop.traffic is not None:
        changes["traffic"] = replace(base.traffic, **_given(pop.traffic, _TRAFFIC))
    return replace(base, **changes)


def _channel(given: Any, default: Channel) -> Channel:
    changes = _given(given, _CHANNEL)
    if given is not None and getattr(given, "delay", None) is not None:
        changes["delay_s"] = as_dist(given.delay)
    return replace(default, **changes)


# -- hazards and injects ------------------------------------------------------------------------

def _hazard(h: Any, scenario_s: float, start: datetime) -> HazardSpec:
    # warnings=False: pydantic's serializer tries a callable-discriminated union's first member
    # (a number) before the distribution and warns; the dumped values are right (tested).
    params = h.model_dump(exclude={"id", "kind", "start", "duration"}, warnings=False)
    params["horizon_s"] = (h.duration if h.duration is not None else scenario_s - h.start)
    params["scenario_s"] = scenario_s
    onset = start + timedelta(seconds=h.start)
    params["start_hour"] = onset.hour + onset.minute / 60 + onset.second / 3600
    return HazardSpec(id=h.id, kind=h.kind, start_s=h.start, duration_s=h.duration,
                      params=params)


def _inject(i: Any) -> ep.Inject:
    target = (getattr(i, "link", None) or getattr(i, "facility", None)
              or getattr(i, "team", None) or getattr(i, "aid", None) or getattr(i, "order", ""))
    params: dict[str, Any] = {}
    if i.action == "delay_team":
        params["delay_s"] = i.delay
    if i.action == "report":
        params.update(counter=i.counter, value=i.value)
    if i.action == "aftershock":
        target = i.hazard
        params.update(hazard=i.hazard, magnitude=i.magnitude, depth_km=i.depth_km,
                      x_m=i.epicentre.x if i.epicentre else None,
                      y_m=i.epicentre.y if i.epicentre else None)
    return ep.Inject(id=i.id, action=i.action, at_s=i.at or 0.0, target=target or "",
                     message=i.message, hidden=i.hidden, params=tuple(sorted(params.items())),
                     expected_actions=tuple(i.expected_actions))


def _decision(d: Any) -> ep.Decision:
    return ep.Decision(id=d.id, at_s=d.at, question=d.question, options=tuple(
        ep.DecisionOption(id=o.id, label=o.label, played=o.played, injects=tuple(
            replace(_inject(a), at_s=d.at) for a in o.actions)) for o in d.options))


def _random_injects(s: Scenario) -> ep.RandomInjects:
    r = s.injects.random
    if r is None:
        return ep.RandomInjects()
    return ep.RandomInjects(count=r.count, window_s=(r.window[0], r.window[1]),
                            pool=tuple(_inject(i) for i in r.pool))
