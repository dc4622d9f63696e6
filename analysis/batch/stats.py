"""A batch's statistics: each objective's probability of being met (Wilson 95 % interval),
each metric's mean (Student-t 95 % interval) and quantiles, and whether the batch was large
enough.

**Convergence.** The batch is large enough when every objective's probability is known to
within :data:`PROBABILITY_HALF_WIDTH` (±5 points, the Wilson interval's half-width) and every
metric's mean to within :data:`MEAN_RELATIVE_HALF_WIDTH` (±5 % of the mean). Otherwise the
summary says how many runs would do: for a proportion n ≈ z² p(1 − p) / h² (with p kept
within [0.05, 0.95], so an objective met in every run still asks for enough runs to show it),
for a mean n ≈ (t s / (0.05 |mean|))².
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from drillsim.analysis.scoring import wilson

PROBABILITY_HALF_WIDTH = 0.05
MEAN_RELATIVE_HALF_WIDTH = 0.05
Z95 = 1.959963984540054


@dataclass(frozen=True)
class ObjectiveStat:
    variant: int
    objective: str
    capability: str
    metric: str
    met: int
    runs: int
    low: float
    high: float

    @property
    def probability(self) -> float:
        return self.met / self.runs if self.runs else math.nan

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class MetricStat:
    variant: int
    metric: str
    runs: int
    """Runs with a finite value."""
    never: int
    """Runs in which the time measured was never reached (+inf) or nothing was measured."""
    mean: float
    half_width: float
    q05: float
    q50: float
    q95: float


def _rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pylist()


def objective_stats(objectives: Any) -> list[ObjectiveStat]:
    """Per variant and objective (in first-seen order), from the store's ``objectives``."""
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for r in _rows(objectives):
        groups.setdefault((r["variant"], r["objective"]), []).append(r)
    out = []
    for (variant, oid), rows in groups.items():
        k, n = sum(bool(r["met"]) for r in rows), len(rows)
        low, high = wilson(k, n)
        out.append(ObjectiveStat(variant, oid, rows[0]["capability"], rows[0]["metric"], k, n,
                                 low, high))
    return out


def mean_interval(x: np.ndarray) -> tuple[float, float]:
    """Mean and the half-width of its Student-t 95 % interval (NaN half-width below 2)."""
    if not len(x):
        return math.nan, math.nan
    if len(x) < 2:
        return float(x[0]), math.nan
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(half)


def metric_stats(metrics: Any) -> list[MetricStat]:
    """Per variant and metric, from the store's ``metrics``."""
    groups: dict[tuple[int, str], list[float | None]] = {}
    for r in _rows(metrics):
        groups.setdefault((r["variant"], r["metric"]), []).append(r["value"])
    out = []
    for (variant, name), values in groups.items():
        x = np.array([math.nan if v is None else v for v in values], float)
        finite = x[np.isfinite(x)]
        mean, half = mean_interval(finite)
        q = np.quantile(finite, [0.05, 0.5, 0.95]) if len(finite) else [math.nan] * 3
        out.append(MetricStat(variant, name, len(finite), len(x) - len(finite), mean, half,
                              *map(float, q)))
    return out


def runs_for_probability(p: float, half_width: float = PROBABILITY_HALF_WIDTH) -> int:
    p = min(max(p, 0.05), 0.95)
    return math.ceil(Z95 * Z95 * p * (1 - p) / half_width ** 2)


def runs_for_mean(m: MetricStat, sd: float, rel: float = MEAN_RELATIVE_HALF_WIDTH) -> int:
    if not m.mean or not math.isfinite(sd):
        return 0
    return math.ceil((Z95 * sd / (rel * abs(m.mean))) ** 2)


@dataclass(frozen=True)
class Convergence:
    """Whether the batch was large enough, and if not, what would be."""

    enough: bool
    runs: int
    """Runs per variant now."""
    needed: int
    """Runs per variant that would meet every target (0 if already met)."""
    short: list[tuple[int, str]]
    """What is not yet known well enough: (variant, in words)."""


def convergence(objs: list[ObjectiveStat], mets: list[MetricStat],
                metrics: Any = None, watched: tuple[str, ...] = ()) -> Convergence:
    """Check the objectives' probabilities and the means of the ``watched`` metrics (those the
    objectives name, by default) against the targets."""
    runs = max((o.runs for o in objs), default=0)
    short, needed = [], 0
    for o in objs:
        if o.half_width > PROBABILITY_HALF_WIDTH + 1e-12:
            n = runs_for_probability(o.probability)
            needed = max(needed, n)
            short.append((o.variant, f"P({o.objective}) = {o.probability:.0%} ± "
                          f"{o.half_width:.1%} (±{PROBABILITY_HALF_WIDTH:.0%} needs about {n} "
                          "runs)"))
    names = set(watched) or {o.metric for o in objs}
    values: dict[tuple[int, str], np.ndarray] = {}
    if metrics is not None:
        for r in _rows(metrics):
            values.setdefault((r["variant"], r["metric"]), [])  # type: ignore[arg-type]
            values[(r["variant"], r["metric"])].append(  # type: ignore[attr-defined]
                math.nan if r["value"] is None else r["value"])
    for m in mets:
        if m.metric not in names or m.runs < 2 or not m.mean:
            continue
        if m.half_width > MEAN_RELATIVE_HALF_WIDTH * abs(m.mean):
            x = np.array(values.get((m.variant, m.metric), []), float)
            sd = float(x[np.isfinite(x)].std(ddof=1)) if len(x) > 1 else math.nan
            n = runs_for_mean(m, sd)
            needed = max(needed, n)
            short.append((m.variant, f"mean {m.metric} ± {m.half_width / abs(m.mean):.0%} of "
                          f"itself (±{MEAN_RELATIVE_HALF_WIDTH:.0%} needs about {n} runs)"))
    return Convergence(not short, runs, needed if short else 0, short)
