"""Comparing two plans on common random numbers.

Replicate i of plan A and replicate i of plan B share their seed (the plan is not part of the
seed's key), so the hazard, the residents' choices and every other random draw are the same
and the paired difference measures the plan, not the luck of the draw (common random
numbers: Law, *Simulation Modeling and Analysis*, 5th ed., 2015, §11.2).

For each objective the two plans share: the difference in the probability of meeting it,
P(B) − P(A), with a 95 % interval (Student t on the paired differences of the 0/1 verdicts)
and McNemar's exact test on the discordant pairs (McNemar 1947: runs that only one plan met);
and the mean paired difference of its value with its t interval, over the runs where both
values are finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from drillsim.analysis.batch.stats import mean_interval


@dataclass(frozen=True)
class PairedObjective:
    objective: str
    metric: str
    runs: int
    p_a: float
    p_b: float
    diff: float
    """P(B) − P(A)."""
    diff_half: float
    only_a: int
    """Runs in which only plan A met it."""
    only_b: int
    mcnemar_p: float
    value_pairs: int
    mean_a: float
    mean_b: float
    value_diff: float
    """Mean of value(B) − value(A) over runs where both are finite."""
    value_half: float
    correlation: float
    """Correlation of the paired values (high: common random numbers are paying off)."""


def _by(objectives: Any, variant: int) -> dict[tuple[str, int], dict[str, Any]]:
    return {(r["objective"], r["replicate"]): r for r in objectives.to_pylist()
            if r["variant"] == variant}


def paired(objectives: Any, a: int = 0, b: int = 1) -> list[PairedObjective]:
    """The paired comparison of variants ``a`` and ``b`` in the store's ``objectives``
    table, for every objective both have, in plan A's order."""
    ra, rb = _by(objectives, a), _by(objectives, b)
    order = list(dict.fromkeys(k[0] for k in ra))
    out = []
    for oid in order:
        reps = sorted(r for (o, r) in ra if o == oid and (o, r) in rb)
        if not reps:
            continue
        ma = np.array([bool(ra[(oid, r)]["met"]) for r in reps], float)
        mb = np.array([bool(rb[(oid, r)]["met"]) for r in reps], float)
        d_mean, d_half = mean_interval(mb - ma)
        only_a, only_b = int(((ma == 1) & (mb == 0)).sum()), int(((ma == 0) & (mb == 1)).sum())
        p = (stats.binomtest(only_b, only_a + only_b, 0.5).pvalue
             if only_a + only_b else 1.0)
        va = np.array([_num(ra[(oid, r)]["value"]) for r in reps])
        vb = np.array([_num(rb[(oid, r)]["value"]) for r in reps])
        both = np.isfinite(va) & np.isfinite(vb)
        v_mean, v_half = mean_interval(vb[both] - va[both])
        corr = (float(np.corrcoef(va[both], vb[both])[0, 1])
                if both.sum() > 2 and va[both].std() > 0 and vb[both].std() > 0 else math.nan)
        out.append(PairedObjective(
            oid, ra[(oid, reps[0])]["metric"], len(reps), float(ma.mean()), float(mb.mean()),
            d_mean, d_half, only_a, only_b, float(p), int(both.sum()),
            float(va[both].mean()) if both.any() else math.nan,
            float(vb[both].mean()) if both.any() else math.nan, v_mean, v_half, corr))
    return out


def _num(v: float | None) -> float:
    return math.nan if v is None else float(v)
