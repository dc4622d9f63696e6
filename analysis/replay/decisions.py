"""Decision points: what each option would have changed, on common random numbers.

A decision point asks the players a question at a moment of the run and offers options, each
a set of actions (open a shelter now, call mutual aid, order a zone to shelter in place). The
option *as played* is the run itself; every other option is the same scenario with the same
seed and its actions added as injects at the decision's time. A run is a pure function of
(scenario, seed) and scripted injects draw no random numbers, so each continuation is
identical to the run up to the decision (tested) and differs only by what the option did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.report import fmt
from drillsim.analysis.scoring import scorecard
from drillsim.sim.compiled import Compiled
from drillsim.sim.plan import Decision, DecisionOption

RunFn = Callable[[Compiled, Any], Any]


def seed_of(summary: dict[str, Any]) -> np.random.SeedSequence:
    """The seed a run folder's ``summary.json`` records (entropy and spawn key)."""
    s = summary.get("seed", {})
    return np.random.SeedSequence(int(s.get("entropy", 0)),
                                  spawn_key=tuple(int(k) for k in s.get("spawn_key", [])))


def with_option(compiled: Compiled, option: DecisionOption) -> Compiled:
    """``compiled`` with the option's actions as injects at the decision's time."""
    return replace(compiled, injects=tuple(compiled.injects) + tuple(option.injects))


def option_scores(compiled: Compiled, seed: Any, run_fn: RunFn | None = None
                  ) -> list[dict[str, Any]]:
    """Each objective's verdict and value in a run of ``compiled`` with ``seed``."""
    from drillsim.sim import run

    lf = LogFrame.of((run_fn or run)(compiled, seed).log)
    card = scorecard(lf, compiled.plan.objectives)
    return [{"id": s.objective.id, "met": bool(s.met), "value": fmt.value(
        None if np.isnan(s.value) else s.value, s.unit)} for s in card.scores]


def played_scores(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's own verdicts (from its scorecard rows), as an option's outcome."""
    return [{"id": r["id"], "met": bool(r["met"]),
             "value": fmt.value(r.get("value"), r.get("unit", ""))} for r in rows]


def decision_outcomes(compiled: Compiled, seed: Any, rows: list[dict[str, Any]],
                      progress: Callable[[str], None] | None = None,
                      run_fn: RunFn | None = None) -> list[dict[str, Any]]:
    """The replay's decision points: per decision, each option with its objectives' outcome
    (the option marked ``played`` — or, if none is, the first with no actions — is the run
    as it was; the others are run now)."""
    out = []
    for d in compiled.decisions:
        played = _played(d)
        options = []
        for o in d.options:
            if o is played:
                scores = played_scores(rows)
            else:
                if progress is not None:
                    progress(f"decision '{d.id}': option '{o.id}'")
                scores = option_scores(with_option(compiled, o), seed, run_fn)
            options.append({"id": o.id, "label": o.label, "played": o is played,
                            "objectives": scores})
        out.append({"id": d.id, "at_s": d.at_s, "question": d.question, "options": options})
    return out


def _played(d: Decision) -> DecisionOption | None:
    marked = [o for o in d.options if o.played]
    if marked:
        return marked[0]
    return next((o for o in d.options if not o.injects), None)
