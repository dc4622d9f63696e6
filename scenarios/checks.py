"""Cross-reference checks: ids are unique, every reference names something that exists,
times fall inside the scenario, objectives name known metrics and scopes.

Each check reads only the sections it needs, so a file whose ``plan`` is broken still gets its
``region`` checked. Problems carry their data path; the caller locates them in the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from drillsim.analysis.metrics import SCALARS
from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.problems import format_path
from drillsim.scenarios.schema.incidents import Incidents
from drillsim.scenarios.schema.plan import Plan, ShelterAssignment, ThreatZone
from drillsim.scenarios.schema.region import Region
from drillsim.scenarios.schema.scenario import Injects, Meta
from drillsim.sim.hazards import HAZARDS
from drillsim.sim.hazards.quake.bridges import BRIDGE_CLASSES
from drillsim.sim.hazards.quake.fragility import BUILDING_TYPES, fragility
from drillsim.sim.incident_types import DEFAULT_INCIDENT_TYPES

Finding = tuple[tuple[Any, ...], str] | tuple[tuple[Any, ...], str, str]
"""(data path, message) or (data path, message, severity)."""


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


def _dupes(items: list[Any], path: tuple[Any, ...], what: str,
           seen: dict[str, tuple[Any, ...]] | None = None) -> Iterator[Finding]:
    seen = {} if seen is None else seen
    for i, item in enumerate(items):
        if item.id in seen:
            yield (*path, i, "id"), (f"duplicate {what} id '{item.id}' (also at "
                                     f"{_show(seen[item.id])})")
        else:
            seen[item.id] = (*path, i)


def _end(at: float, meta: Meta | None, path: tuple[Any, ...], what: str) -> Iterator[Finding]:
    """Something timed at or after the end never happens: say so."""
    if meta is not None and at >= meta.duration:
        yield path, (f"{what} {format_duration(at)} is at or after the end of the scenario "
                     f"({format_duration(meta.duration)}), so it would never happen")


def _show(path: tuple[Any, ...]) -> str:
    return format_path(path)


def _missing(ref: str, known: set[str] | dict[str, Any], what: str,
             path: tuple[Any, ...]) -> Iterator[Finding]:
    if ref not in known:
        close = difflib.get_close_matches(ref, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        yield path, f"no {what} with id '{ref}'{hint}"


def facility_ids(region: Region) -> dict[str, str]:
    """Every facility id with its kind (ids are one namespace: injects name them)."""
    out = {}
    for kind in ("shelters", "hospitals", "depots", "stations"):
        for f in getattr(region, kind):
            out.setdefault(f.id, kind[:-1])
    return out


def check_hazards(hazards: list[Any], meta: Meta | None) -> Iterator[Finding]:
    seen: dict[str, tuple[Any, ...]] = {}
    yield from _dupes(hazards, ("hazards",), "hazard", seen)
    gauges: dict[str, tuple[Any, ...]] = {}
    for i, h in enumerate(hazards):
        yield from _dupes(getattr(h, "gauges", []), ("hazards", i, "gauges"), "gauge", gauges)
    for i, h in enumerate(hazards):
        yield from _end(h.start, meta, ("hazards", i, "start"), "the start")


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
                yield from _missing(chain.inject, injects, "inject", (*path, "inject"))
            continue
        if chain.hazard not in kinds:
            yield from _missing(chain.hazard, kinds, "hazard", (*path, "hazard"))
        elif kinds[chain.hazard] != "earthquake":
            yield (*path, "hazard"), (f"hazard '{chain.hazard}' is a {kinds[chain.hazard]}; "
                                      "only an earthquake can make a site fail")
        if sites is not None:
            yield from _missing(chain.site, sites, "site", (*path, "site"))


def check_region(region: Region) -> Iterator[Finding]:
    r = ("region",)
    yield from _dupes(region.zones, (*r, "zones"), "zone")
    yield from _dupes(region.roads.nodes, (*r, "roads", "nodes"), "node")
    yield from _dupes(region.roads.links, (*r, "roads", "links"), "link")
    yield from _dupes(region.sites, (*r, "sites"), "site")
    seen: dict[str, tuple[Any, ...]] = {}
    for kind in ("shelters", "hospitals", "depots", "stations"):
        yield from _dupes(getattr(region, kind), (*r, kind), "facility", seen)
    nodes = {n.id for n in region.roads.nodes}
    for i, link in enumerate(region.roads.links):
        yield from _missing(link.from_, nodes, "road node", (*r, "roads", "links", i, "from"))
        yield from _missing(link.to, nodes, "road node", (*r, "roads", "links", i, "to"))
        if link.from_ == link.to:
            yield (*r, "roads", "links", i, "to"), f"link '{link.id}' starts and ends at " \
                f"the same node '{link.to}'"
    for i, node in enumerate(region.roads.exits):
        yield from _missing(node, nodes, "road node", (*r, "roads", "exits", i))
    for i, z in enumerate(region.zones):
        if z.node is not None:
            yield from _missing(z.node, nodes, "road node", (*r, "zones", i, "node"))
    for kind in ("shelters", "hospitals", "depots", "stations"):
        for i, f in enumerate(getattr(region, kind)):
            yield from _missing(f.node, nodes, "road node", (*r, kind, i, "node"))
    zones = {z.id for z in region.zones}
    for i, row in enumerate(region.population_table):
        yield from _missing(row.zone, zones, "zone", (*r, "population_table", i, "zone"))


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
    yield from _dupes(plan.orders, (*p, "orders"), "order")
    teams: dict[str, tuple[Any, ...]] = {}
    yield from _dupes(plan.teams, (*p, "teams"), "team", teams)
    yield from _dupes(plan.mutual_aid, (*p, "mutual_aid"), "team", teams)
    yield from _dupes(plan.transport, (*p, "transport"), "fleet", teams)
    for i, a in enumerate(plan.mutual_aid):
        for k in range(1, a.teams + 1):
            if f"{a.id}-{k}" in teams:
                yield (*p, "mutual_aid", i, "id"), (
                    f"mutual aid '{a.id}' names its teams {a.id}-1 … {a.id}-{a.teams}, and "
                    f"'{a.id}-{k}' is already a team id; rename one of them")
    yield from _dupes(plan.objectives, (*p, "objectives"), "objective")
    orders = {o.id for o in plan.orders}
    aid = {a.id for a in plan.mutual_aid}
    levels: dict[str, int] = {}
    held: dict[str, str] = {}
    for i, lv in enumerate(plan.levels):
        if lv.level in levels:
            yield (*p, "levels", i, "level"), f"level {lv.level} is defined twice"
        levels[lv.level] = i
        for j, o in enumerate(lv.activates.orders):
            yield from _missing(o, orders, "order", (*p, "levels", i, "activates", "orders", j))
        for j, a in enumerate(lv.activates.mutual_aid):
            yield from _missing(a, aid, "mutual aid", (*p, "levels", i, "activates",
                                                        "mutual_aid", j))
        for j, t in enumerate(lv.activates.teams):
            at = (*p, "levels", i, "activates", "teams", j)
            if t in held:
                yield at, (f"team '{t}' is already held in reserve for level {held[t]}; a "
                           "team waits for one level only")
            held.setdefault(t, lv.level)
            yield from _missing(t, {x.id for x in plan.teams}, "team of the plan", at)
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
                yield from _missing(z, zones, "zone", (*p, "orders", i, "zones", j))
    for i, t in enumerate(plan.teams):
        yield from _missing(t.base, stations, "station", (*p, "teams", i, "base"))
    for i, a in enumerate(plan.mutual_aid):
        yield from _missing(a.staging, stations, "station", (*p, "mutual_aid", i, "staging"))
    for i, f in enumerate(plan.transport):
        yield from _missing(f.base, stations, "station", (*p, "transport", i, "base"))
    for z, ss in plan.shelter_assignment.zones.items():
        yield from _missing(z, zones, "zone", (*p, "shelter_assignment", "zones", z))
        for j, s in enumerate(ss):
            yield from _missing(s, shelters, "shelter", (*p, "shelter_assignment", "zones", z, j))


def _threat_checks(t: ThreatZone, hazards: dict[str, str] | None,
                   path: tuple[Any, ...]) -> Iterator[Finding]:
    """A threat zone names a hazard of the scenario; AEGL and downwind ones a chemical."""
    if hazards is None:
        return
    if t.hazard not in hazards:
        yield from _missing(t.hazard, hazards, "hazard", (*path, "hazard"))
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
                yield from _end(cond.at, meta, (*at, "at"), "the time")
            if hasattr(cond, "gauge") and gauges is not None:
                yield from _missing(cond.gauge, gauges, "flood gauge", (*at, "gauge"))
            if hasattr(cond, "hazard"):
                if hazards is not None:
                    yield from _missing(cond.hazard, hazards, "hazard", (*at, "hazard"))
                kind = (hazards or {}).get(cond.hazard)
                if kind is not None and kind not in HAZARDS:
                    yield (*at, "hazard"), (
                        f"hazard '{cond.hazard}' is a {kind}, which has no physics model in "
                        "this version: this condition cannot become true yet"), "warning"
                if zones is not None:
                    for k, z in enumerate(cond.zones):
                        yield from _missing(z, zones, "zone", (*at, "zones", k))


def _objective_checks(plan: Plan, region: Region | None, meta: Meta | None
                      ) -> Iterator[Finding]:
    fac = facility_ids(region) if region else None
    zones = {z.id for z in region.zones} if region else None
    for i, obj in enumerate(plan.objectives):
        at = ("plan", "objectives", i)
        metric = SCALARS.get(obj.metric)
        if metric is None:
            yield from _missing(obj.metric, SCALARS, "metric", (*at, "metric"))
            continue
        for scope in ("zones", "facilities", "incident_types"):
            if getattr(obj.scope, scope) and scope not in metric.scopes:
                allowed = ", ".join(sorted(metric.scopes)) or "none"
                yield (*at, "scope", scope), (f"metric '{obj.metric}' cannot be scoped by "
                                              f"{scope} (it accepts: {allowed})")
        if zones is not None:
            for k, z in enumerate(obj.scope.zones):
                yield from _missing(z, zones, "zone", (*at, "scope", "zones", k))
        if fac is not None:
            for k, f in enumerate(obj.scope.facilities):
                yield from _missing(f, fac, "facility", (*at, "scope", "facilities", k))
                if f in fac and metric.facility_kind and fac[f] != metric.facility_kind:
                    yield (*at, "scope", "facilities", k), (
                        f"'{f}' is a {fac[f]}; metric '{obj.metric}' counts "
                        f"{metric.facility_kind}s")
        if meta is not None and obj.deadline is not None and obj.deadline > meta.duration:
            yield (*at, "deadline"), (f"{format_duration(obj.deadline)} is after the end of "
                                      f"the scenario ({format_duration(meta.duration)})")


def check_injects(injects: Injects, region: Region | None, plan: Plan | None,
                  meta: Meta | None) -> Iterator[Finding]:
    pool = list(injects.random.pool) if injects.random else []
    seen: dict[str, tuple[Any, ...]] = {}
    yield from _dupes(injects.scripted, ("injects", "scripted"), "inject", seen)
    yield from _dupes(pool, ("injects", "random", "pool"), "inject", seen)
    links = {lk.id for lk in region.roads.links} if region else None
    fac = facility_ids(region) if region else None
    teams = {t.id for t in plan.teams} if plan else None
    entries = [(("injects", "scripted", i), x) for i, x in enumerate(injects.scripted)]
    entries += [(("injects", "random", "pool", i), x) for i, x in enumerate(pool)]
    for at, inj in entries:
        if at[1] == "scripted" and inj.at is None:
            yield (*at, "at"), "a scripted inject needs 'at' (when it fires)"
        if inj.at is not None:
            yield from _end(inj.at, meta, (*at, "at"), "the time")
        if hasattr(inj, "link") and links is not None:
            yield from _missing(inj.link, links, "road link", (*at, "link"))
        if hasattr(inj, "facility") and fac is not None:
            yield from _missing(inj.facility, fac, "facility", (*at, "facility"))
        if hasattr(inj, "team") and teams is not None:
            yield from _missing(inj.team, teams, "team", (*at, "team"))
    if injects.random is not None:
        window = injects.random.window
        yield from _end(window[0], meta, ("injects", "random", "window", 0), "the window start")
        if meta is not None and window[1] > meta.duration:
            yield ("injects", "random", "window", 1), (
                f"the window ends at {format_duration(window[1])}, after the end of the "
                f"scenario ({format_duration(meta.duration)})")


def check_incidents(incidents: Incidents, region: Region | None, plan: Plan | None,
                    meta: Meta | None) -> Iterator[Finding]:
    """New incident types say who works them and how long; arrivals and team skills name
    known types; arrivals name known zones and fall inside the run; a resupply rule has teams
    to carry it."""
    known = set(DEFAULT_INCIDENT_TYPES) | set(incidents.types)
    for name, spec in incidents.types.items():
        at = ("incidents", "types", name)
        if name in DEFAULT_INCIDENT_TYPES:
            continue
        for key in ("teams", "work_time"):
            if getattr(spec, key) is None:
                yield at, (f"'{name}' is a new incident type: give its {key} (the built-in "
                           f"types are {', '.join(sorted(DEFAULT_INCIDENT_TYPES))})")
    zones = {z.id for z in region.zones} if region else None
    for i, a in enumerate(incidents.arrivals):
        at = ("incidents", "arrivals", i)
        yield from _missing(a.type, known, "incident type", (*at, "type"))
        yield from _end(a.from_, meta, (*at, "from"), "the start")
        if a.until is not None and a.until <= a.from_:
            yield (*at, "until"), "until must be later than from"
        if zones is not None and a.zones != "all":
            for j, z in enumerate(a.zones):
                yield from _missing(z, zones, "zone", (*at, "zones", j))
    if plan is None:
        return
    for i, t in enumerate(plan.teams):
        for j, skill in enumerate(t.skills):
            yield from _missing(skill, known, "incident type", ("plan", "teams", i, "skills", j))
    carriers = [t for t in [*plan.teams, *plan.mutual_aid] if t.type == "relief_transport"]
    if plan.resupply is not None and not carriers:
        yield ("plan", "resupply"), ("the resupply rule needs a relief_transport team (in "
                                     "teams or mutual_aid) to carry it"), "warning"


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
        yield from check_injects(s.injects, s.region, s.plan, s.meta)
    if s.incidents is not None:
        yield from check_incidents(s.incidents, s.region, s.plan, s.meta)
    if s.injects is not None and kinds is not None:
        yield from _aftershock_checks(s.injects, kinds, {h.id: h.start for h in s.hazards or []})


def _aftershock_checks(injects: Injects, kinds: dict[str, str],
                       starts: dict[str, float] | None = None) -> Iterator[Finding]:
    """An aftershock inject names an earthquake of the scenario and comes after it."""
    lists = [("scripted", injects.scripted)]
    if injects.random is not None:
        lists.append(("random", injects.random.pool))
    for where, items in lists:
        for i, inj in enumerate(items):
            if inj.action != "aftershock":
                continue
            path = ("injects", where, i, "hazard") if where == "scripted" else (
                "injects", "random", "pool", i, "hazard")
            earliest = inj.at if inj.at is not None else (
                injects.random.window[0] if injects.random else 0.0)
            if inj.hazard not in kinds:
                yield from _missing(inj.hazard, kinds, "hazard", path)
            elif starts is not None and earliest <= starts[inj.hazard]:
                yield path, (f"the aftershock comes before (or with) its earthquake "
                             f"'{inj.hazard}', which starts at "
                             f"{format_duration(starts[inj.hazard])}")
            elif kinds[inj.hazard] != "earthquake":
                yield path, (f"hazard '{inj.hazard}' is a {kinds[inj.hazard]}; an aftershock "
                             "belongs to an earthquake")
