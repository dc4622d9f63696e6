"""One replicate: ``run(compiled, seed)`` — a pure function of (scenario, seed)."""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from drillsim.sim.compiled import Compiled
from drillsim.sim.events import EventLog
from drillsim.sim.hazards import HazardModel
from drillsim.sim.impacts import watch_impacts
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel, seed_manifest


@dataclass
class RunResult:
    """The outcome of a run: its event log (the record: everything else is derived from it)
    and the hazards as realised for it (their fields, for figures and replays)."""

    log: EventLog
    hazards: list[HazardModel] = field(default_factory=list)


def run(compiled: Compiled, seed: int | np.random.SeedSequence,
        until_s: float | None = None,
        progress: Callable[[float], None] | None = None) -> RunResult:
    """Run one replicate of ``compiled`` with ``seed`` until the scenario's duration (or
    ``until_s``) and return its event log. ``progress``, if given, is called with the share
    of simulated time done (0 to 1, in hundredths); it sees the run, it does not change it."""
    with _collector_paused():
        return _run(compiled, seed, until_s, progress)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the run. A large run holds millions of
    live objects (households, events); every full collection walks them all, so collecting
    during the run costs time that grows faster than the run. Cycles made during the run are
    collected once, when it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(compiled: Compiled, seed: int | np.random.SeedSequence, until_s: float | None,
         progress: Callable[[float], None] | None) -> RunResult:
    model = DrillModel(compiled, seed)
    try:
        model.emit("run.start", scenario=compiled.name, seed=seed_manifest(seed))
        _log_initial_world(model)
        for hazard in model.hazards:
            model.env.process(_hazard_timeline(model, hazard))
        model.env.process(watch_impacts(model))
        for install in compiled.installers:
            install(model)
        end = compiled.duration_s if until_s is None else min(until_s, compiled.duration_s)
        if progress is not None and end > 0:
            model.env.process(_report_progress(model.env, end, progress))
        if end > 0:
            model.env.run(until=end)
        if progress is not None:
            progress(1.0)
        model.emit("run.end")
        return RunResult(log=model.log, hazards=model.hazards)
    finally:
        release(model)


def release(model: DrillModel) -> None:
    """Forget the model in Mesa's class-level id counter (Mesa 3 keys ``Agent._ids`` by
    model and never drops it), so a finished replicate can be garbage-collected."""
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def _log_initial_world(model: DrillModel) -> None:
    w = model.world
    for i, zid in enumerate(w.zones.ids):
        model.emit("zone.init", zid, zid, float(w.zones.population[i]),
                   households=int(w.zones.households[i]))
    s = w.shelters
    for i, sid in enumerate(s.ids):
        model.emit("facility.init", sid, w.roads.ids[s.node[i]], float(s.capacity_persons[i]),
                   type="shelter", unit="persons", open=bool(model.state.shelter_open[i]),
                   water_l=float(s.water_l[i]), food_rations=float(s.food_rations[i]),
                   **{"class": ("I", "II", "III")[int(s.shelter_class[i]) - 1]})
    occupied = np.round(np.asarray(w.hospitals.beds) * np.asarray(w.hospitals.occupied_share))
    for kind, unit, cap in (("hospital", "beds", w.hospitals.beds),
                            ("depot", "food_rations", w.depots.food_rations),
                            ("station", "", np.zeros(len(w.stations)))):
        table, flags = w.facilities(kind), model.state.facility_flags(kind)
        for i, fid in enumerate(table.ids):
            extra: dict[str, Any] = {"occupied": int(occupied[i])} if kind == "hospital" \
                else {}
            if kind == "depot":
                extra = {"water_l": float(w.depots.water_l[i]),
                         "food_rations": float(w.depots.food_rations[i])}
            model.emit("facility.init", fid, w.roads.ids[table.node[i]], float(cap[i]),
                       type=kind, unit=unit, open=bool(flags[i]), **extra)


def _report_progress(env: simpy.Environment, end_s: float,
                     progress: Callable[[float], None]) -> Generator[simpy.Event]:
    """Tell ``progress`` how far the run is, every hundredth of its simulated time."""
    for k in range(100):
        progress(k / 100)
        yield env.timeout((k + 1) * end_s / 100 - env.now)


def _hazard_timeline(model: DrillModel, hazard: HazardModel) -> Generator[simpy.Event]:
    spec = hazard.spec
    if math.isinf(spec.start_s):
        return  # a chained hazard whose trigger never came
    yield model.env.timeout(spec.start_s)
    chain = spec.params.get("triggered_by")
    cause = {} if chain is None else (
        {"cause": chain["hazard"], "site": chain["site"]} if chain.get("hazard")
        else {"cause": f"inject {chain['inject']}"})
    model.emit("hazard.onset", spec.id, hazard_kind=spec.kind, modelled=hazard.modelled,
               **cause)
    if spec.duration_s is not None:
        yield model.env.timeout(spec.duration_s)
        model.emit("hazard.end", spec.id)
