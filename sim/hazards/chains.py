"""Disaster chains: a hazard that starts only when an earthquake makes a site fail (a
chlorine store cracks, a levee breaks). The triggering earthquake is realised first; the
chained hazard is then built with its onset at the failure (plus its delay), or left dormant
if the site holds. A hazard may also wait for an inject of the drill (a second release): it
starts when that inject fires, and stays dormant in a run where it does not."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from drillsim.sim.hazards.base import HazardModel, HazardSpec, build_hazard
from drillsim.sim.world import World


class DormantHazard(HazardModel):
    """A chained hazard whose trigger never came: it never starts, and its field reads NaN
    (no value), so no plan trigger fires on it, whichever way it compares."""

    kind = "dormant"
    measure = "none"

    def sample(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        return np.full(np.broadcast(x_m, y_m).shape, np.nan)


def build_hazards(specs: Sequence[HazardSpec], world: World, scenario_s: float,
                  stream: Callable[[str], np.random.Generator],
                  injects: Sequence[tuple[float, str, str, Mapping[str, Any]]] = ()
                  ) -> list[HazardModel]:
    """Every hazard of the scenario, in the scenario's order; chained ones after the hazards
    that trigger them are realised (each from its own named stream, so a chain does not
    change any other hazard's draws). ``injects`` is the run's inject schedule as (time, id,
    action, params): a hazard ``triggered_by`` an inject starts when it fires (never if it
    does not), and an ``aftershock`` inject adds its shock to its earthquake."""
    fired: dict[str, float] = {}
    shocks: dict[str, list[dict[str, Any]]] = {}
    for at_s, inject_id, action, params in injects:
        fired.setdefault(inject_id, at_s)
        if action == "aftershock":
            shocks.setdefault(str(params["hazard"]), []).append({**params, "t_s": at_s})
    specs = [_by_inject(s, fired, scenario_s) if _inject_of(s) else s for s in specs]
    specs = [replace(s, params={**s.params, "scripted_shocks": shocks[s.id]})
             if s.id in shocks else s for s in specs]
    built: dict[str, HazardModel] = {}
    pending = list(specs)
    while pending:
        waiting = []
        for spec in pending:
            trigger = spec.params.get("triggered_by")
            if trigger is not None and trigger.get("hazard") is None:
                trigger = None  # started by an inject: its onset is set already
            if trigger is not None and trigger["hazard"] not in built:
                waiting.append(spec)
                continue
            if trigger is not None:
                spec = chained_spec(spec, built[trigger["hazard"]], scenario_s)
            built[spec.id] = (DormantHazard(spec) if math.isinf(spec.start_s)
                              else build_hazard(spec, world, stream(f"hazard:{spec.id}")))
        if len(waiting) == len(pending):  # a cycle: the schema checks prevent it
            raise ValueError("hazards trigger each other in a cycle: "
                             + ", ".join(s.id for s in waiting))
        pending = waiting
    return [built[s.id] for s in specs]


def _inject_of(spec: HazardSpec) -> str | None:
    how = spec.params.get("triggered_by")
    return None if how is None else how.get("inject")


def _by_inject(spec: HazardSpec, fired: Mapping[str, float], scenario_s: float) -> HazardSpec:
    """``spec`` with its onset when its inject fires, plus the delay (inf: it never fires)."""
    how = spec.params["triggered_by"]
    at = fired.get(how["inject"])
    return _moved(spec, None if at is None else at + float(how["delay"]), scenario_s)


def _moved(spec: HazardSpec, start: float | None, scenario_s: float) -> HazardSpec:
    """``spec`` starting at ``start`` (None: never), its horizon and clock hour moved."""
    if start is None:
        return replace(spec, start_s=math.inf)
    horizon = spec.duration_s if spec.duration_s is not None else scenario_s - start
    params = {**spec.params, "horizon_s": max(horizon, 0.0)}
    if "start_hour" in params:  # the clock hour of the onset moves with it
        params["start_hour"] = (params["start_hour"] + (start - spec.start_s) / 3600.0) % 24.0
    return replace(spec, start_s=start, params=params)


def chained_spec(spec: HazardSpec, trigger: HazardModel, scenario_s: float) -> HazardSpec:
    """``spec`` with its onset at the failure of its site (inf: the site holds)."""
    how = spec.params["triggered_by"]
    failure = getattr(trigger, "failure_time", None)
    at = failure(how["site"]) if failure is not None else None
    return _moved(spec, None if at is None else float(at) + float(how["delay"]), scenario_s)
