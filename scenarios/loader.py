"""From a file to a compiled scenario: read (located YAML), validate (schema, then
cross-references, then the road graph), compile. Every problem is collected and located."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from drillsim.scenarios import source as source_mod
from drillsim.scenarios.checks import Sections, check_all
from drillsim.scenarios.compile import compile_scenario, crowded_shelters
from drillsim.scenarios.errors import problems_from
from drillsim.scenarios.problems import Location, Problem, ScenarioError, format_path
from drillsim.scenarios.schema import SECTIONS, Scenario
from drillsim.scenarios.schema.hazards import Hazard
from drillsim.scenarios.source import Source
from drillsim.scenarios.terrain import TerrainError, read_asc
from drillsim.sim.compiled import Compiled
from drillsim.sim.world import Terrain


@dataclass
class Checked:
    """The outcome of checking a scenario file."""

    problems: list[Problem] = field(default_factory=list)
    scenario: Scenario | None = None
    compiled: Compiled | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


def check(path: str | Path) -> Checked:
    """Every problem in the scenario at ``path``, located; and, if there are no errors, the
    validated and compiled scenario. Never raises for a bad file."""
    try:
        src = source_mod.load(path)
    except ScenarioError as exc:
        return Checked(exc.problems)
    return check_source(src)


def check_source(src: Source, digest: str | None = None,
                 read_terrain: Callable[[Path], Terrain] = read_asc) -> Checked:
    """:func:`check` for a scenario already read: a variant of a sweep is the read document
    with values changed, checked and compiled without reading its files again. ``digest``
    names the scenario (default: the hash of its files); ``read_terrain`` reads a DEM."""
    if not isinstance(src.data, dict):
        return Checked([Problem(src.locations.get(()), "", "expected a mapping of sections "
                                "(meta, region, hazards, plan, injects), got "
                                f"{type(src.data).__name__}")])
    out = Checked()
    sections = Sections()
    try:
        out.scenario = Scenario.model_validate(src.data)
        sections = Sections(out.scenario.meta, out.scenario.region, out.scenario.plan,
                            out.scenario.injects, out.scenario.hazards,
                            out.scenario.incidents)
    except ValidationError as exc:
        out.problems += problems_from(exc, src, Scenario)
        sections = _valid_sections(src.data)
    out.problems += [_locate(src, *finding) for finding in check_all(sections)]
    if out.errors or out.scenario is None:
        return out
    terrain = _terrain(src, out.scenario, out.problems, read_terrain)
    if out.errors:
        return out
    out.compiled = compile_scenario(out.scenario, src.digest() if digest is None else digest,
                                    terrain)
    out.problems += _network_checks(src, out.scenario, out.compiled)
    located = {text for _, text in crowded_shelters(out.scenario.region)}
    out.problems += [Problem(None, "hazards", note, "note") for note in out.compiled.notes
                     if note not in located]
    if out.scenario.uncertainty is not None and not out.errors:
        from drillsim.scenarios.variants import uncertainty_problems  # built on this module

        out.problems += uncertainty_problems(src, out.scenario, read_terrain)
    if out.errors:
        out.compiled = None
    return out


def load(path: str | Path) -> Compiled:
    """The compiled scenario at ``path``; :class:`ScenarioError` lists every problem."""
    result = check(path)
    if result.errors or result.compiled is None:
        raise ScenarioError(result.problems)
    return result.compiled


def _terrain(src: Source, scenario: Scenario, problems: list[Problem],
             read_terrain: Callable[[Path], Terrain] = read_asc) -> Terrain | None:
    """Read the scenario's DEM (relative to the file that names it), or say why not."""
    ref = scenario.region.terrain
    at = ("region", "terrain", "file")
    if ref is None:
        for i, h in enumerate(scenario.hazards):
            if h.kind == "flood":
                problems.append(_locate(src, ("hazards", i, "kind"), "a flood needs the "
                                        "region's terrain: add region.terrain.file (a DEM)"))
        return None
    location, _ = src.locate(at)
    base = Path(location.file).parent if location else Path()
    path = base / ref.file
    try:
        terrain = read_terrain(path)
    except (FileNotFoundError, IsADirectoryError):
        problems.append(_locate(src, at, f"terrain file not found: {path}"))
        return None
    except TerrainError as exc:
        problems.append(Problem(Location(str(exc.path), exc.line, 1), "", f"terrain: {exc}"))
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        problems.append(_locate(src, at, f"cannot read the terrain grid: {exc}"))
        return None
    src.files.append(path)
    problems.extend(_inside_terrain(src, scenario, terrain))
    return terrain


def _inside_terrain(src: Source, scenario: Scenario, terrain: Terrain) -> list[Problem]:
    """Flood inflows, breaches and gauges must lie on the terrain grid; zones and road nodes
    off it are dry for any flood (a warning)."""
    out = []
    for what, items in (("zones", scenario.region.zones),
                        ("roads", scenario.region.roads.nodes)):
        for i, item in enumerate(items):
            x, y = getattr(item, "x", None), getattr(item, "y", None)
            if x is not None and not terrain.contains(np.array(x), np.array(y)):
                path = ("region", what, i) if what == "zones" else ("region", "roads", "nodes", i)
                out.append(_locate(src, path, f"'{item.id}' lies outside the terrain grid: no "
                                   "flood reaches it", "warning"))
    for i, h in enumerate(scenario.hazards):
        if h.kind != "flood":
            continue
        points = [(("hazards", i, "inflow"), h.inflow)]
        points += [(("hazards", i, "breach", "location"), h.breach and h.breach.location)]
        points += [(("hazards", i, "gauges", k, "location"), g.location)
                   for k, g in enumerate(h.gauges)]
        for path, p in points:
            if p is not None and not terrain.contains(np.array(p.x), np.array(p.y)):
                out.append(_locate(src, path, f"({p.x:g}, {p.y:g}) is outside the terrain grid"))
    return out


def _valid_sections(data: dict[str, Any]) -> Sections:
    parts: dict[str, Any] = {}
    for name, model in SECTIONS.items():
        try:
            parts[name] = model.model_validate(data.get(name))
        except ValidationError:
            parts[name] = None
    hazards = None
    with contextlib.suppress(ValidationError):
        hazards = TypeAdapter(list[Hazard]).validate_python(data.get("hazards") or [])
    return Sections(parts["meta"], parts["region"], parts["plan"], parts["injects"], hazards,
                    parts["incidents"])


def _locate(src: Source, path: tuple[Any, ...], message: str,
            severity: str = "error") -> Problem:
    location, _ = src.locate(path)
    return Problem(location, format_path(path), message, severity)


def _network_checks(src: Source, scenario: Scenario, compiled: Compiled) -> list[Problem]:
    """Shelters that no zone can reach (errors); zones that reach no shelter and shelters
    below the per-person floor area (warnings, located; the compiled notes say it too)."""
    w = compiled.world
    out: list[Problem] = []
    if len(w.shelters) == 0:
        return out
    reachable = np.isfinite(w.zone_to_shelter_s)
    for i, sid in enumerate(w.shelters.ids):
        if not reachable[:, i].any():
            out.append(_locate(src, ("region", "shelters", i, "node"),
                               f"shelter '{sid}' cannot be reached by road from any zone"))
    for i, zid in enumerate(w.zones.ids):
        if not reachable[i].any():
            out.append(_locate(src, ("region", "zones", i), f"zone '{zid}' cannot reach any "
                               "shelter by road", "warning"))
    out += [_locate(src, ("region", "shelters", i, "capacity_persons"), text, "warning")
            for i, text in crowded_shelters(scenario.region)]
    return out


__all__ = ["Checked", "Location", "Problem", "ScenarioError", "check", "check_source", "load"]
