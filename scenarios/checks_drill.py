"""Cross-reference checks of the drill's own parts: the injects of the master scenario
events list, and the incidents section (types, random arrivals, the teams and the resupply
that work them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.refs import Finding, dupes, facility_ids, missing, past_end
from drillsim.scenarios.schema.incidents import Incidents
from drillsim.scenarios.schema.plan import Plan
from drillsim.scenarios.schema.region import Region
from drillsim.scenarios.schema.scenario import Injects, Meta
from drillsim.sim.incident_types import DEFAULT_INCIDENT_TYPES


def check_injects(injects: Injects, region: Region | None, plan: Plan | None,
                  meta: Meta | None, hazards: list[Any] | None = None) -> Iterator[Finding]:
    """Inject ids are unique; scripted ones are timed inside the run; the links, facilities
    and teams they name exist; an aftershock names an earthquake and comes after it."""
    pool = list(injects.random.pool) if injects.random else []
    seen: dict[str, tuple[Any, ...]] = {}
    yield from dupes(injects.scripted, ("injects", "scripted"), "inject", seen)
    yield from dupes(pool, ("injects", "random", "pool"), "inject", seen)
    links = {lk.id for lk in region.roads.links} if region else None
    fac = facility_ids(region) if region else None
    teams = {t.id for t in plan.teams} if plan else None
    aid = {a.id for a in plan.mutual_aid} if plan else None
    orders = {o.id for o in plan.orders} if plan else None
    entries = [(("injects", "scripted", i), x) for i, x in enumerate(injects.scripted)]
    entries += [(("injects", "random", "pool", i), x) for i, x in enumerate(pool)]
    yield from dupes(injects.decisions, ("injects", "decisions"), "decision", {})
    for k, d in enumerate(injects.decisions):
        here = ("injects", "decisions", k)
        yield from past_end(d.at, meta, (*here, "at"), "the decision")
        yield from dupes(d.options, (*here, "options"), "option", {})
        for j, o in enumerate(d.options):
            yield from dupes(o.actions, (*here, "options", j, "actions"), "inject", seen)
            entries += [((*here, "options", j, "actions", n), a)
                        for n, a in enumerate(o.actions)]
    for at, inj in entries:
        if hasattr(inj, "aid") and aid is not None:
            yield from missing(inj.aid, aid, "mutual aid", (*at, "aid"))
        if hasattr(inj, "order") and orders is not None:
            yield from missing(inj.order, orders, "order", (*at, "order"))
        if at[1] == "scripted" and inj.at is None:
            yield (*at, "at"), "a scripted inject needs 'at' (when it fires)"
        if inj.at is not None:
            yield from past_end(inj.at, meta, (*at, "at"), "the time")
        if hasattr(inj, "link") and links is not None:
            yield from missing(inj.link, links, "road link", (*at, "link"))
        if hasattr(inj, "facility") and fac is not None:
            yield from missing(inj.facility, fac, "facility", (*at, "facility"))
        if hasattr(inj, "team") and teams is not None:
            yield from missing(inj.team, teams, "team", (*at, "team"))
        if inj.action == "aftershock" and hazards is not None:
            earliest = inj.at if inj.at is not None else (
                injects.random.window[0] if injects.random else 0.0)
            yield from _aftershock(inj.hazard, earliest, hazards, (*at, "hazard"))
    if injects.random is not None:
        window = injects.random.window
        yield from past_end(window[0], meta, ("injects", "random", "window", 0), "the window start")
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
        yield from missing(a.type, known, "incident type", (*at, "type"))
        yield from past_end(a.from_, meta, (*at, "from"), "the start")
        if a.until is not None and a.until <= a.from_:
            yield (*at, "until"), "until must be later than from"
        if zones is not None and a.zones != "all":
            for j, z in enumerate(a.zones):
                yield from missing(z, zones, "zone", (*at, "zones", j))
    if plan is None:
        return
    for i, t in enumerate(plan.teams):
        for j, skill in enumerate(t.skills):
            yield from missing(skill, known, "incident type", ("plan", "teams", i, "skills", j))
    carriers = [t for t in [*plan.teams, *plan.mutual_aid] if t.type == "relief_transport"]
    if plan.resupply is not None and not carriers:
        yield ("plan", "resupply"), ("the resupply rule needs a relief_transport team (in "
                                     "teams or mutual_aid) to carry it"), "warning"


def _aftershock(hazard: str, earliest: float, hazards: list[Any],
                path: tuple[Any, ...]) -> Iterator[Finding]:
    """An aftershock names an earthquake of the scenario and comes after it."""
    found = {h.id: h for h in hazards}
    if hazard not in found:
        yield from missing(hazard, found, "hazard", path)
    elif found[hazard].kind != "earthquake":
        yield path, (f"hazard '{hazard}' is a {found[hazard].kind}; an aftershock belongs to "
                     "an earthquake")
    elif earliest <= found[hazard].start:
        yield path, (f"the aftershock comes before (or with) its earthquake '{hazard}', which "
                     f"starts at {format_duration(found[hazard].start)}")
