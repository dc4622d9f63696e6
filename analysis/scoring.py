"""Scoring a run against the plan's objectives, and a batch of runs into probabilities.

**One objective in one run.** Its value (the metric read at the objective's deadline, or the
end), whether it is met (a NaN value — the thing measured never happened — is not), and its
*margin*: how far the value is on the good side of the threshold, as a share of the
threshold (of 1 when the threshold is 0), negative when the objective is missed. Optionally
the moment that *decided* it: the earliest time from which reading the metric with that
time as deadline gives the final verdict (searched on a grid of the horizon and refined by
bisection; an objective missed at every reading was decided when its time ran out), and the
events logged at that moment — where the tabletop jumps to show why an objective failed.

**Capabilities.** Objectives are grouped by their ``capability`` (the plan's objectives without
one form the capability "response plan") and each capability gets a grade on the
four-grade scale of exercise evaluation (HSEEP 2020, exercise evaluation guides):

* **P** — performed without challenges: every objective met, each by a margin of at least
  :data:`COMFORTABLE` (10 %);
* **S** — performed with some challenges: every objective met, some by less;
* **M** — performed with major challenges: some objectives missed, but those met carry at
  least half of the capability's weight;
* **U** — unable to be performed: the objectives met carry less than half of its weight.

**A batch.** Over runs, each objective's probability of being met with its Wilson score
interval (95 %: Wilson 1927; it stays inside [0, 1] and is not [0, 0] at 0 of n as the Wald
interval is), the quantiles of its value, and for each pair of objectives how often both
failed in the same run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.metrics import SCALARS, evaluate
from drillsim.sim.plan import COMPARISONS, Objective

COMFORTABLE = 0.10
"""A margin below this share of the threshold is met "with some challenges"."""

GRADES = {
    "P": "performed without challenges",
    "S": "performed with some challenges",
    "M": "performed with major challenges",
    "U": "unable to be performed",
}
GRADE_RULE = ("P: every objective met by a margin of at least 10 % of its threshold; "
              "S: every objective met, some by less; M: objectives missed, but those met "
              "carry at least half of the capability's weight; U: those met carry less than "
              "half.")
"""The rule from margins to grades, as the report states it."""

DEFAULT_CAPABILITY = "response plan"
DECIDE_GRID = 24
"""Deadlines tried before bisecting for the moment an objective was decided: this many spaced
geometrically from one minute (early events are dense) and half as many evenly."""
DECIDE_BISECT = 10


def margin(value: float, op: str, threshold: float) -> float:
    """How far ``value`` is on the good side of ``threshold`` under ``op``, as a share of
    ``|threshold|`` (of 1 when the threshold is 0): positive when met, negative when missed,
    NaN for a NaN value; for ``==``, minus the relative distance (0 when equal)."""
    if math.isnan(value):
        return math.nan
    scale = abs(threshold) if threshold != 0 else 1.0
    if op in (">=", ">"):
        return (value - threshold) / scale
    if op in ("<=", "<"):
        return (threshold - value) / scale
    return -abs(value - threshold) / scale


def is_met(value: float, obj: Objective) -> bool:
    return bool(not math.isnan(value) and COMPARISONS[obj.op](value, obj.threshold))


@dataclass(frozen=True)
class ObjectiveScore:
    """One objective's score in one run."""

    objective: Objective
    value: float
    met: bool
    margin: float
    unit: str
    decided_at_s: float | None = None
    """When the verdict was decided (None: not searched)."""
    deciding_events: tuple[int, ...] = ()
    """Sequence numbers of the events logged at that moment."""

    def row(self) -> dict[str, object]:
        """The score as plain values (NaN as None, infinities as text)."""
        o = self.objective
        return {"id": o.id, "text": o.text, "metric": o.metric, "unit": self.unit,
                "op": o.op, "threshold": o.threshold, "value": _plain(self.value),
                "met": self.met, "margin": _plain(self.margin), "weight": o.weight,
                "capability": capability_of(o), "decided_at_s": self.decided_at_s,
                "deciding_events": list(self.deciding_events)}


def _plain(x: float) -> float | str | None:
    if math.isnan(x):
        return None
    return ("never" if x > 0 else "-inf") if math.isinf(x) else float(x)


def capability_of(obj: Objective) -> str:
    return obj.capability or DEFAULT_CAPABILITY


def score_objective(lf: LogFrame, obj: Objective, decide: bool = False) -> ObjectiveScore:
    """``obj``'s score in the run ``lf``; with ``decide``, also when it was decided."""
    value = evaluate(lf, obj)
    met = is_met(value, obj)
    unit = SCALARS[obj.metric].unit if obj.metric in SCALARS else ""
    score = ObjectiveScore(obj, value, met, margin(value, obj.op, obj.threshold), unit)
    if not decide:
        return score
    at = decided_at(lf, obj, met)
    seqs = tuple(int(s) for s in np.flatnonzero(lf.t_s == at)) if at is not None else ()
    return replace(score, decided_at_s=at, deciding_events=seqs)


def decided_at(lf: LogFrame, obj: Objective, final: bool) -> float | None:
    """The earliest time ``t`` such that the objective read with deadline ``t`` (and every
    later grid time) gives ``final``: found on a grid of deadlines up to the horizon
    (:data:`DECIDE_GRID`), refined by bisection and then snapped back to the last event at or before
    it. A reading with nothing to measure yet is no verdict. An objective never met at any
    reading was missed when its time ran out (its deadline, or the end of the run); one met
    at some reading and missed in the end, when it last turned to missed; for a met objective
    this is the moment from which the readings show it met. None if the log is empty."""
    end = obj.deadline_s if obj.deadline_s is not None else lf.duration_s
    if not len(lf.t_s) or end <= 0:
        return None
    verdict = _verdict_at(lf, obj)
    grid = np.unique(np.concatenate([np.linspace(0.0, end, DECIDE_GRID // 2 + 1),
                                     np.geomspace(min(60.0, end), end, DECIDE_GRID)]))
    readings = [verdict(float(t)) for t in grid]
    if not final and True not in readings:
        return float(end)  # never met at any reading: missed when its time ran out
    others = [k for k, r in enumerate(readings) if r is not final]  # None is no verdict
    if not others:
        return float(lf.t_s[0])  # met from the start
    last_other = others[-1]
    if last_other == len(grid) - 1:
        return float(end)  # only the final reading decides it
    lo, hi = float(grid[last_other]), float(grid[last_other + 1])
    for _ in range(DECIDE_BISECT):
        mid = 0.5 * (lo + hi)
        if verdict(mid) is final:
            hi = mid
        else:
            lo = mid
    before = lf.t_s[lf.t_s <= hi]
    return float(before[-1]) if len(before) else float(hi)


def _verdict_at(lf: LogFrame, obj: Objective) -> Callable[[float], bool | None]:
    """The verdict on ``obj`` read with deadline ``t``: met, missed, or None while its metric
    has nothing to measure yet."""
    def verdict(t: float) -> bool | None:
        value = evaluate(lf, replace(obj, deadline_s=t))
        return None if math.isnan(value) else is_met(value, obj)
    return verdict


# -- capabilities --------------------------------------------------------------------------------

def grade(scores: Sequence[ObjectiveScore]) -> str:
    """The grade of a capability from its objectives' scores (:data:`GRADE_RULE`)."""
    if not scores:
        return "U"
    weight = np.array([s.objective.weight for s in scores], float)
    met = np.array([s.met for s in scores], bool)
    if met.all():
        margins = np.array([s.margin for s in scores], float)
        return "P" if (margins >= COMFORTABLE - 1e-12).all() else "S"
    return "M" if weight[met].sum() >= 0.5 * weight.sum() else "U"


@dataclass(frozen=True)
class Scorecard:
    """A run's scores: one per objective, and a grade per capability."""

    scores: tuple[ObjectiveScore, ...]
    grades: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[dict[str, object]]:
        return [s.row() for s in self.scores]


def scorecard(lf: LogFrame, objectives: Sequence[Objective], decide: bool = False) -> Scorecard:
    """Score every objective of the plan in the run ``lf`` and grade each capability."""
    scores = tuple(score_objective(lf, o, decide) for o in objectives)
    groups: dict[str, list[ObjectiveScore]] = {}
    for s in scores:
        groups.setdefault(capability_of(s.objective), []).append(s)
    return Scorecard(scores, {name: grade(g) for name, g in groups.items()})


# -- batches -------------------------------------------------------------------------------------

def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval of a proportion (Wilson 1927; z for 95 % by default)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class BatchObjective:
    """One objective over a batch: runs met of runs scored, the probability with its
    Wilson interval, and quantiles (5, 25, 50, 75, 95 %) of the finite values."""

    id: str
    met: int
    runs: int
    probability: float
    low: float
    high: float
    quantiles: tuple[float, ...]


def batch_view(cards: Sequence[Scorecard]) -> tuple[list[BatchObjective], np.ndarray]:
    """Each objective's probability of being met over ``cards`` (runs of one plan), and the
    matrix of how many runs failed both objective i and objective j (the diagonal: runs
    that failed i)."""
    if not cards:
        return [], np.zeros((0, 0), np.int64)
    ids = [s.objective.id for s in cards[0].scores]
    met = np.array([[s.met for s in c.scores] for c in cards], bool)
    values = np.array([[s.value for s in c.scores] for c in cards], float)
    return batch_table(ids, met, values)


def batch_table(ids: Sequence[str], met: np.ndarray, values: np.ndarray
                ) -> tuple[list[BatchObjective], np.ndarray]:
    """:func:`batch_view` from its arrays: ``met`` and ``values`` are runs × objectives (a
    value NaN where nothing was measured, ±inf for a time never reached)."""
    met = np.asarray(met, bool).reshape(-1, len(ids))
    values = np.asarray(values, float).reshape(-1, len(ids))
    n = len(met)
    out = []
    for j, oid in enumerate(ids):
        k = int(met[:, j].sum())
        low, high = wilson(k, n)
        finite = values[:, j][np.isfinite(values[:, j])]
        q = tuple(float(x) for x in np.quantile(finite, [0.05, 0.25, 0.5, 0.75, 0.95])) \
            if len(finite) else ()
        out.append(BatchObjective(oid, k, n, k / n if n else math.nan, low, high, q))
    failed = (~met).astype(np.int64)
    return out, failed.T @ failed
