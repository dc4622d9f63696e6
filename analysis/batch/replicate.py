"""One replicate of a batch, as a worker runs it: compile the variant (once per worker), run
with the replicate's seed, score, and return plain rows for the results store.

A replicate that raises is returned as an ``error`` row with its seed and traceback: the batch
goes on, and ``drillsim rerun`` reproduces it from the seed.
"""

from __future__ import annotations

import json
import math
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.metrics import SCALARS, evaluate
from drillsim.analysis.scoring import capability_of, scorecard
from drillsim.sim.compiled import Compiled
from drillsim.sim.plan import Objective
from drillsim.sim.streams import replicate_seed


class Scenarios(Protocol):
    """What a batch runs: the compiled scenario of each variant (picklable; workers receive
    it once and compile each variant once)."""

    def compile(self, values: dict[str, Any]) -> Compiled: ...


@dataclass(frozen=True)
class Fixed:
    """One compiled scenario for every variant (a plain batch: no parameters)."""

    compiled: Compiled

    def compile(self, values: dict[str, Any]) -> Compiled:
        del values
        return self.compiled


@dataclass(frozen=True)
class Named:
    """Several compiled scenarios, chosen by the value ``plan`` (a plan comparison)."""

    compiled: tuple[tuple[str, Compiled], ...]

    def compile(self, values: dict[str, Any]) -> Compiled:
        return dict(self.compiled)[values["plan"]]


@dataclass(frozen=True)
class Task:
    """Replicate ``replicate`` of variant ``variant`` (whose parameter values are ``values``)."""

    replicate: int
    variant: int = 0
    values: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Settings:
    root_seed: int
    logs: str = ""
    """Folder for each replicate's event log ('' keeps none)."""


RunFn = Callable[[Compiled, Any], Any]
_compiled: OrderedDict[tuple[tuple[str, Any], ...], Compiled] = OrderedDict()
"""This worker's most recently used compiled variants (a worker runs the replicates of a
variant one after another; a sweep's thousands of variants must not all stay in memory)."""
KEEP_COMPILED = 4


def _scalar_metrics(lf: LogFrame) -> dict[str, float]:
    return {name: float(evaluate(lf, Objective(name, name, ">=", 0.0))) for name in SCALARS}


def _number(x: float) -> float | None:
    """A value for the store: NaN (nothing measured) as NULL; ±inf (never) kept."""
    return None if math.isnan(x) else x


def run_task(scenarios: Scenarios, task: Task, settings: Settings,
             run_fn: RunFn | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """The store's rows for ``task`` (see :mod:`drillsim.analysis.batch.store`)."""
    from drillsim.sim import run

    seed = replicate_seed(settings.root_seed, task.replicate)
    r, v = task.replicate, task.variant
    spawn_key = json.dumps(list(seed.spawn_key))
    started = time.perf_counter()
    try:
        compiled = _compiled.pop(task.values, None) or scenarios.compile(dict(task.values))
        _compiled[task.values] = compiled
        while len(_compiled) > KEEP_COMPILED:
            _compiled.popitem(last=False)
        log = (run_fn or run)(compiled, seed).log
        table = log.to_table()
        lf = LogFrame.of(table)
        card = scorecard(lf, compiled.plan.objectives)
        metrics = _scalar_metrics(lf)
        log_path = ""
        if settings.logs:
            import pyarrow.parquet as pq

            path = Path(settings.logs) / f"v{task.variant:03d}-r{task.replicate:06d}.parquet"
            pq.write_table(table, path)
            log_path = str(path)
        digest = log.digest()
    except Exception:  # one replicate's failure must not lose the others
        return {"replicates": [(r, v, int(seed.entropy), spawn_key, "error",
                                traceback.format_exc(), time.perf_counter() - started, 0, "",
                                "")]}
    wall = time.perf_counter() - started
    return {
        "replicates": [(r, v, int(seed.entropy), spawn_key, "ok", "", wall, len(lf.t_s),
                        digest, log_path)],
        "objectives": [(r, v, s.objective.id, capability_of(s.objective), s.objective.metric,
                        _number(s.value), bool(s.met), _number(s.margin))
                       for s in card.scores],
        "grades": [(r, v, name, g) for name, g in card.grades.items()],
        "metrics": [(r, v, name, _number(x)) for name, x in metrics.items()],
    }


# -- worker entry points ---------------------------------------------------------------------

_installed: list[Any] = []


def install(scenarios: Scenarios, settings: Settings, run_fn: RunFn | None) -> None:
    """Process-pool initializer: the scenarios arrive once per worker, not once per task."""
    _installed[:] = [scenarios, settings, run_fn]


def run_installed(tasks: Sequence[Task]) -> list[dict[str, list[tuple[Any, ...]]]]:
    """A chunk of tasks with what :func:`install` put in this worker."""
    scenarios, settings, run_fn = _installed
    return [run_task(scenarios, t, settings, run_fn) for t in tasks]


def run_chunk(scenarios: Scenarios, settings: Settings, run_fn: RunFn | None,
              tasks: Sequence[Task]) -> list[dict[str, list[tuple[Any, ...]]]]:
    """A chunk of tasks with everything passed in (Dask resolves a scattered ``scenarios``
    once per worker)."""
    return [run_task(scenarios, t, settings, run_fn) for t in tasks]
