"""The metric registries, and the small readers of the log that metrics share.

Two kinds of metric, each a registry:

* **series** — a quantity over time, sampled on a regular grid (``metrics.parquet``);
* **scalars** — one number per run, that a plan objective can name; each declares its unit and
  which scopes (``zones``, ``facilities``, ``incident_types``) it accepts.

Modules that define metrics import this one; :mod:`drillsim.analysis.metrics` imports them, so
that importing it fills both registries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from drillsim.analysis.logframe import LogFrame
from drillsim.sim.plan import Objective

# -- series -------------------------------------------------------------------------------------

SeriesFn = Callable[[LogFrame, np.ndarray], np.ndarray]
SERIES: dict[str, tuple[SeriesFn, str]] = {}


def series(name: str, doc: str) -> Callable[[SeriesFn], SeriesFn]:
    def register(fn: SeriesFn) -> SeriesFn:
        SERIES[name] = (fn, doc)
        return fn
    return register


def step_values(times: np.ndarray, at_s: np.ndarray, values: np.ndarray,
                initial: float = 0.0) -> np.ndarray:
    """A piecewise-constant signal that takes ``values[k]`` from ``at_s[k]`` on, read at
    ``times`` (an event at exactly ``t`` counts at ``t``)."""
    idx = np.searchsorted(at_s, times, side="right") - 1
    vals = np.concatenate([[initial], np.asarray(values, dtype=float)])
    return vals[idx + 1]


def cumulative(times: np.ndarray, at_s: np.ndarray, qty: np.ndarray | None = None) -> np.ndarray:
    """Running total of ``qty`` (1 per event if None) read at ``times``."""
    q = np.ones(len(at_s)) if qty is None else np.nan_to_num(np.asarray(qty, dtype=float))
    return step_values(times, at_s, np.cumsum(q))


def open_count(lf: LogFrame, times: np.ndarray, open_kind: str, close_kind: str,
               initial_open: set[str], actors: set[str] | None = None,
               weight: dict[str, float] | None = None) -> np.ndarray:
    """How many (or how much ``weight`` of) ``actors`` are open at each time, from their
    open/close events."""
    state = set(initial_open)

    def total() -> float:
        return float(sum((weight or {}).get(a, 1.0) for a in state))

    initial = total()
    at, vals = [], []
    for r in np.flatnonzero(np.isin(lf.kind, [open_kind, close_kind])):
        a = lf.actor[r]
        if actors is not None and a not in actors:
            continue
        (state.add if lf.kind[r] == open_kind else state.discard)(a)
        at.append(lf.t_s[r])
        vals.append(total())
    return step_values(times, np.asarray(at, dtype=float), np.asarray(vals), initial)


def facilities(lf: LogFrame, kind: str) -> dict[str, tuple[float, bool]]:
    """Facilities of ``kind`` from ``facility.init``: id → (capacity, open at start)."""
    rows = lf.where("facility.init")
    rows = rows[lf.column("type")[rows] == kind]
    return {lf.actor[r]: (float(lf.qty[r]), bool(lf.column("open")[r])) for r in rows}


# -- scalars ------------------------------------------------------------------------------------

ScalarFn = Callable[[LogFrame, Objective], float]


@dataclass(frozen=True)
class ScalarMetric:
    """A per-run metric an objective may name."""

    name: str
    fn: ScalarFn
    unit: str
    doc: str
    scopes: frozenset[str] = frozenset()
    facility_kind: str | None = None


SCALARS: dict[str, ScalarMetric] = {}


def scalar(name: str, unit: str, doc: str, scopes: tuple[str, ...] = (),
           facility_kind: str | None = None) -> Callable[[ScalarFn], ScalarFn]:
    def register(fn: ScalarFn) -> ScalarFn:
        SCALARS[name] = ScalarMetric(name, fn, unit, doc, frozenset(scopes), facility_kind)
        return fn
    return register


def horizon(obj: Objective, lf: LogFrame) -> float:
    """The objective's deadline, or the end of the run."""
    return lf.duration_s if obj.deadline_s is None else min(obj.deadline_s, lf.duration_s)


def until(lf: LogFrame, kind: str, obj: Objective) -> np.ndarray:
    """Rows of ``kind`` up to the objective's deadline (or the end)."""
    rows = lf.where(kind)
    return rows[lf.t_s[rows] <= horizon(obj, lf)]
