"""The summary of one run: what happened, in numbers a person reads first."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from drillsim.analysis.evacuation import EVACUATION_SCALARS, has_evacuation
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.metrics import evaluate
from drillsim.analysis.scoring import GRADE_RULE, GRADES, scorecard
from drillsim.sim.plan import COMPARISONS, LEVEL_NAMES, Objective


def json_value(value: float) -> float | str | None:
    """A metric's value as the summary writes it (valid JSON): NaN — nothing to measure — is
    ``None``; ``inf`` — a time never reached — is ``"never"``."""
    if np.isnan(value):
        return None
    return "never" if np.isinf(value) else float(value)


def objective_row(lf: LogFrame, obj: Objective) -> dict[str, Any]:
    """An objective's value for this run, its threshold and whether it is met (a NaN value —
    the thing measured never happened — is not met)."""
    value = evaluate(lf, obj)
    met = bool(not np.isnan(value) and COMPARISONS[obj.op](value, obj.threshold))
    return {"id": obj.id, "metric": obj.metric, "value": json_value(value),
            "op": obj.op, "threshold": obj.threshold, "met": met, "text": obj.text}


def notes_from_log(lf: LogFrame) -> list[str]:
    """What a person should know about the run, read from its events."""
    notes = []
    for r in lf.where("hazard.onset"):
        d = lf.data(r)
        if not d["modelled"]:
            notes.append(f"hazard '{lf.actor[r]}' ({d['hazard_kind']}): no physics model in "
                         "this version; only its onset and end are logged")
    return notes


def evacuation_summary(lf: LogFrame) -> dict[str, float | str | None]:
    """Every evacuation scalar, read at the end of the run."""
    return {name: json_value(evaluate(lf, Objective(id=name, metric=name, op=">=",
                                                    threshold=0.0)))
            for name in EVACUATION_SCALARS}


def scorecard_summary(lf: LogFrame, objectives: tuple[Objective, ...]) -> dict[str, Any]:
    """The run's scorecard: each objective's value, margin and the moment that decided it,
    and each capability's grade with the rule that gave it."""
    card = scorecard(lf, objectives, decide=True)
    return {"objectives": card.rows(),
            "capabilities": {name: {"grade": g, "meaning": GRADES[g]}
                             for name, g in card.grades.items()},
            "grade_rule": GRADE_RULE}


def run_summary(lf: LogFrame, objectives: tuple[Objective, ...] = ()) -> dict[str, Any]:
    """Counts by event kind, the highest level reached, orders, shelters, teams, objectives
    and their scorecard, and the evacuation metrics if the run had an evacuation."""
    kinds = Counter(lf.kind.tolist())
    levels = lf.qty[lf.where("plan.level")]
    orders = sorted({lf.actor[r] for r in lf.where("plan.order")})
    evacuation = {"evacuation": evacuation_summary(lf)} if has_evacuation(lf) else {}
    return {
        "scenario": lf.manifest.get("scenario", ""),
        "seed": lf.manifest.get("seed", {}),
        "duration_s": lf.duration_s,
        "events": len(lf.t_s),
        "events_by_kind": dict(sorted(kinds.items())),
        "population": float(lf.qty[lf.where("zone.init")].sum()),
        "max_response_level": LEVEL_NAMES[int(levels.max(initial=0))],
        "orders_issued": orders,
        "injects_fired": int(kinds.get("drill.inject", 0)),
        "teams_ready": int(kinds.get("team.ready", 0)),
        "objectives": [objective_row(lf, o) for o in objectives],
        **({"scorecard": scorecard_summary(lf, objectives)} if objectives else {}),
        "warnings": notes_from_log(lf),
        **evacuation,
    }
