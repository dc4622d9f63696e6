"""Cross-reference checks: ids are unique, every reference names something that exists,
times fall inside the scenario, objectives name known metrics and scopes (the injects and the
incidents section: :mod:`drillsim.scenarios.checks_drill`).

Each check reads only the sections it needs, so a file whose ``plan`` is broken still gets its
``region`` checked. Problems carry their data path; the caller locates them in the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from drillsim.analysis.metrics import SCALARS
from drillsim.scenarios.checks_drill import check_incidents, check_injects
from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.refs import Finding, dupes, facility_ids, missing, past_end
from drillsim.scenarios.schema.incidents import Incidents
from drillsim.scenarios.schema.plan import Plan, ShelterAssignment, ThreatZone
from drillsim.scenarios.schema.region import Region
from drillsim.scenarios.schema.scenario import Injects, Meta
from drillsim.sim.hazards import HAZARDS
from drillsim.sim.hazards.quake.bridges import BRIDGE_CLASSES
from drillsim.sim.hazards.quake.fragility import BUILDING_TYPES, fragility


@dataclass
class Sections:
    """The sections of a scenario that passed the schema (None where they did not)."""

    meta: Meta | None = None
    region: Region | None = None
    plan: Plan | None = None
    injects: Injects | None = None
    hazards: list[Any] | None = None
    """The validated hazards."""
    incidents: Incidents | None = None


def check_hazards(hazards: list[Any], meta: Meta | None) -> Iterator[Finding]:
    seen: dict[str, tuple[Any, ...]] = {}
    yield from dupes(hazards, ("hazards",), "hazard", seen)
    gauges: dict[str, tuple[Any, ...]] = {}
    for i, h in enumerate(hazards):
        yield from dupes(getattr(h, "gauges", []), ("hazards", i, "gauges"), "gauge", gauges)
    for i, h in enumerate(hazards):
        yield from past_end(h.start, meta, ("hazards", i, "start"), "the start")


def check_chains(hazards: list[Any], region: Region | None,
                 injects: set[str] | None = None) -> Iterator[Finding]:
    """A chained hazard names an earthquake of the scenario and a site of the region, or an
    inject of the scenario."""
    kinds = {h.id: h.kind for h in hazards}
    sites = None if region is None else {site.id for site in region.sites}
    for i, h in enumerate(hazards):
        chain = h.triggered_by
        if chain is None:
            continue
        path = ("hazards", i, "triggered_by")
        if chain.inject is not None:
            if injects is not None:
                yield from missing(chain.inject, injects, "inject", (*path, "inject"))
            continue
        if chain.hazard not in kinds:
            yield from missing(chain.hazard, kinds, "hazard", (*path, "hazard"))
        elif kinds[chain.hazard] != "earthquake":
            yield (*path, "hazard"), (f"hazard '{chain.hazard}' is a {kinds[chain.hazard]}; "
                                      "only an earthquake can make a site fail")
        if sites is not None:
            yield from missing(chain.site, sites, "site", (*path, "site"))


def check_region(region: Region) -> Iterator[Finding]:
    r = ("region",)
    yield from dupes(region.zones, (*r, "zones"), "zone")
    yield from dupes(region.roads.nodes, (*r, "roads", "nodes"), "node")
    yield from dupes(region.roads.links, (*r, "roads", "links"), "link")
    yield from dupes(region.sites, (*r, "sites"), "site")
    seen: dict[str, tuple[Any, ...]] = {}
    for kind in ("shelters", "hospitals", "depots", "stations"):
        yield from dupes(getattr(region, kind), (*r, kind), "facility", seen)
    nodes = {n.id for n in region.roads.nodes}
    for i, link in enumerate(region.roads.links):
        yield from missing(link.from_, nodes, "road node", (*r, "roads", "links", i, "from"))
        yield from missing(link.to, nodes, "road node", (*r, "roads", "links", i, "to"))
        if link.from_ == link.to:
            yield (*r, "roads", "links", i, "to"), f"link '{link.id}' starts and ends at " \
                f"the same node '{link.to}'"
    for i, node in enumerate(region.roads.exits):
        yield from missing(node, nodes, "road node", (*r, "roads", "exits", i))
    for i, z in enumerate(region.zones):
        if z.node is not None:
            yield from missing(z.node, nodes, "road node", (*r, "zones", i, "node"))
    for kind in ("shelters", "hospitals", "depots", "stations"):
        for i, f in enumerate(getattr(region, kind)):
            yield from missing(f.node, nodes, "road node", (*r, kind, i, "node"))
    zones = {z.id for z in region.zones}
    for i, row in enumerate(region.population_table):
        yield from missing(row.zone, zones, "zone", (*r, "population_table", i, "zone"))


def check_buildings(region: Region) -> Iterator[Finding]:
    """Building types, design levels and bridge classes name what the earthquake tables
    define (Hazus model building types and highway bridge classes)."""
    r = ("region",)
    for i, z in enumerate(region.zones):
        for key in z.buildings:
            btype, _, level = key.partition("/")  # a zone's default level adapts to the type
            yield from _building(btype, level or None, (*r, "zones", i, "buildings", key))
    for kind in ("shelters", "hospitals", "depots", "stations", "sites"):
        for i, f in enumerate(getattr(region, kind)):
            if f.building is not None:
                given = "code_level" in f.building.model_fields_set
                yield from _building(f.building.type, f.building.code_level if given else None,
                                     (*r, kind, i, "building", "type"))
    for i, link in enumerate(region.roads.links):
        if link.bridge_class is not None and link.bridge_class not in BRIDGE_CLASSES:
            yield (*r, "roads", "links", i, "bridge_class"), (
                f"unknown bridge class '{link.bridge_class}' (Hazus classes HWB1 … HWB28)")


def _building(btype: str, level: str | None, path: tuple[Any, ...]) -> Iterator[Finding]:
    if btype not in BUILDING_TYPES:
        close = difflib.get_close_matches(btype, BUILDING_TYPES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        yield path, (f"unknown building type '{btype}'{hint}; Hazus model building types "
                     f"are {', '.join(BUILDING_TYPES)}")
        return
    if level is None:
        return
    try:
        fragility(btype, level)
    except ValueError as e:
        yield path, f"{e} (write the level after the type, e.g. '{btype}/pre')"


def check_plan(plan: Plan, region: Region | None, hazards: dict[str, str] | None,
               meta: Meta | None, gauges: set[str] | None = None) -> Iterator[Finding]:
    p = ("plan",)
    yield from dupes(plan.orders, (*p, "orders"), "order")
    teams: dict[str, tuple[Any, ...]] = {}
    yield from dupes(plan.teams, (*p, "teams"), "team", teams)
    yield from dupes(plan.mutual_aid, (*p, "mutual_aid"), "team", teams)
    yield from dupes(plan.transport, (*p, "transport"), "fleet", teams)
    for i, a in enumerate(plan.mutual_aid):
        for k in range(1, a.teams + 1):
            if f"{a.id}-{k}" in teams:
                yield (*p, "mutual_aid", i, "id"), (
                    f"mutual aid '{a.id}' names its teams {a.id}-1 … {a.id}-{a.teams}, and "
                    f"'{a.id}-{k}' is already a team id; rename one of them")
    yield from dupes(plan.objectives, (*p, "objectives"), "objective")
    orders = {o.id for o in plan.orders}
    aid = {a.id for a in plan.mutual_aid}
    levels: dict[str, int] = {}
    held: dict[str, str] = {}
    for i, lv in enumerate(plan.levels):
        if lv.level in levels:
            yield (*p, "levels", i, "level"), f"level {lv.level} is defined twice"
        levels[lv.level] = i
        for j, o in enumerate(lv.activates.orders):
            yield from missing(o, orders, "order", (*p, "levels", i, "activates", "orders", j))
        for j, a in enumerate(lv.activates.mutual_aid):
            yield from missing(a, aid, "mutual aid", (*p, "levels", i, "activates",
                                                        "mutual_aid", j))
        for j, t in enumerate(lv.activates.teams):
            at = (*p, "levels", i, "activates", "teams", j)
            if t in held:
                yield at, (f"team '{t}' is already held in reserve for level {held[t]}; a "
                           "team waits for one level only")
            held.setdefault(t, lv.level)
            yield from missing(t, {x.id for x in plan.teams}, "team of the plan", at)
    yield from _objective_checks(plan, region, meta)
    yield from _condition_checks(plan, region, hazards, meta, gauges)
    yield from _assignment_checks(plan.shelter_assignment)
    if region is None:
        return
    zones = {z.id for z in region.zones}
    stations = {s.id for s in region.stations}
    shelters = {s.id for s in region.shelters}
    for i, o in enumerate(plan.orders):
        if isinstance(o.zones, ThreatZone):
            yield from _threat_checks(o.zones, hazards, (*p, "orders", i, "zones"))
        elif o.zones != "all":
            for j, z in enumerate(o.zones):
                yield from missing(z, zones, "zone", (*p, "orders", i, "zones", j))
    for i, t in enumerate(plan.teams):
        yield from missing(t.base, stations, "station", (*p, "teams", i, "base"))
    for i, a in enumerate(plan.mutual_aid):
        yield from missing(a.staging, stations, "station", (*p, "mutual_aid", i, "staging"))
    for i, f in enumerate(plan.transport):
        yield from missing(f.base, stations, "station", (*p, "transport", i, "base"))
    for z, ss in plan.shelter_assignment.zones.items():
        yield from missing(z, zones, "zone", (*p, "shelter_assignment", "zones", z))
        for j, s in enumerate(ss):
            yield from missing(s, shelters, "shelter", (*p, "shelter_assignment", "zones", z, j))


def _threat_checks(t: ThreatZone, hazards: dict[str, str] | None,
                   path: tuple[Any, ...]) -> Iterator[Finding]:
    """A threat zone names a hazard of the scenario; AEGL and downwind ones a chemical."""
    if hazards is None:
        return
    if t.hazard not in hazards:
        yield from missing(t.hazard, hazards, "hazard", (*path, "hazard"))
    elif (t.aegl is not None or t.downwind_m is not None) and hazards[t.hazard] != "chemical":
        yield (*path, "hazard"), (f"hazard '{t.hazard}' is a {hazards[t.hazard]}; AEGL and "
                                  "downwind threat zones need a chemical release")


def _assignment_checks(assignment: ShelterAssignment) -> Iterator[Finding]:
    """A policy that reads the zone lists needs them (and ``preassigned`` one shelter per
    zone); ``nearest`` ignores them."""
    at = ("plan", "shelter_assignment")
    if assignment.policy == "nearest":
        if assignment.zones:
            yield (*at, "zones"), ("policy 'nearest' ignores these lists; set policy: by_zone "
                                   "(or preassigned) to use them"), "warning"
        return
    if not assignment.zones:
        yield (*at, "policy"), (f"policy '{assignment.policy}' needs the zones' shelters; "
                                "list zones: {zone id: [shelter id, …]}")
    for z, shelters in assignment.zones.items():
        if assignment.policy == "preassigned" and len(shelters) != 1:
            yield (*at, "zones", z), (f"policy 'preassigned' gives each zone exactly one "
                                      f"shelter; zone '{z}' lists {len(shelters)} (use "
                                      "policy: by_zone for shelters in order of use)")
        elif not shelters:
            yield (*at, "zones", z), f"list at least one shelter for zone '{z}'"


def _condition_checks(plan: Plan, region: Region | None, hazards: dict[str, str] | None,
                      meta: Meta | None, gauges: set[str] | None) -> Iterator[Finding]:
    zones = {z.id for z in region.zones} if region else None
    triggered = [(("levels", i), x) for i, x in enumerate(plan.levels)] + \
                [(("orders", i), x) for i, x in enumerate(plan.orders)] + \
                [(("levels", i, "stand_down"), x.stand_down) for i, x in enumerate(plan.levels)
                 if x.stand_down is not None]
    for where, item in triggered:
        mode = "any_of" if item.any_of else "all_of"
        if where[-1] == "stand_down" and not (item.any_of or item.all_of):
            yield ("plan", *where), "stand_down needs any_of or all_of conditions"
        for j, cond in enumerate(item.any_of or item.all_of):
            at = ("plan", *where, mode, j)
            if hasattr(cond, "at"):
                yield from past_end(cond.at, meta, (*at, "at"), "the time")
            if hasattr(cond, "gauge") and gauges is not None:
                yield from missing(cond.gauge, gauges, "flood gauge", (*at, "gauge"))
            if hasattr(cond, "hazard"):
                if hazards is not None:
                    yield from missing(cond.hazard, hazards, "hazard", (*at, "hazard"))
                kind = (hazards or {}).get(cond.hazard)
                if kind is not None and kind not in HAZARDS:
                    yield (*at, "hazard"), (
                        f"hazard '{cond.hazard}' is a {kind}, which has no physics model in "
                        "this version: this condition cannot become true yet"), "warning"
                if zones is not None:
                    for k, z in enumerate(cond.zones):
                        yield from missing(z, zones, "zone", (*at, "zones", k))


def _objective_checks(plan: Plan, region: Region | None, meta: Meta | None
                      ) -> Iterator[Finding]:
    fac = facility_ids(region) if region else None
    zones = {z.id for z in region.zones} if region else None
    for i, obj in enumerate(plan.objectives):
        at = ("plan", "objectives", i)
        metric = SCALARS.get(obj.metric)
        if metric is None:
            yield from missing(obj.metric, SCALARS, "metric", (*at, "metric"))
            continue
        for scope in ("zones", "facilities", "incident_types"):
            if getattr(obj.scope, scope) and scope not in metric.scopes:
                allowed = ", ".join(sorted(metric.scopes)) or "none"
                yield (*at, "scope", scope), (f"metric '{obj.metric}' cannot be scoped by "
                                              f"{scope} (it accepts: {allowed})")
        if zones is not None:
            for k, z in enumerate(obj.scope.zones):
                yield from missing(z, zones, "zone", (*at, "scope", "zones", k))
        if fac is not None:
            for k, f in enumerate(obj.scope.facilities):
                yield from missing(f, fac, "facility", (*at, "scope", "facilities", k))
                if f in fac and metric.facility_kind and fac[f] != metric.facility_kind:
                    yield (*at, "scope", "facilities", k), (
                        f"'{f}' is a {fac[f]}; metric '{obj.metric}' counts "
                        f"{metric.facility_kind}s")
        if meta is not None and obj.deadline is not None and obj.deadline > meta.duration:
            yield (*at, "deadline"), (f"{format_duration(obj.deadline)} is after the end of "
                                      f"the scenario ({format_duration(meta.duration)})")


def check_all(s: Sections) -> Iterator[Finding]:
    """Every cross-reference check that the valid sections allow."""
    if s.region is not None:
        yield from check_region(s.region)
        yield from check_buildings(s.region)
    kinds = None if s.hazards is None else {h.id: h.kind for h in s.hazards}
    if s.hazards is not None:
        yield from check_hazards(s.hazards, s.meta)
        injects = None if s.injects is None else {
            i.id for i in [*s.injects.scripted, *(s.injects.random.pool if s.injects.random
                                                  else [])]}
        yield from check_chains(s.hazards, s.region, injects)
    if s.plan is not None:
        gauges = None if s.hazards is None else {
            g.id for h in s.hazards for g in getattr(h, "gauges", [])}
        yield from check_plan(s.plan, s.region, kinds, s.meta, gauges)
    if s.injects is not None:
        yield from check_injects(s.injects, s.region, s.plan, s.meta, s.hazards)
    if s.incidents is not None:
        yield from check_incidents(s.incidents, s.region, s.plan, s.meta)
