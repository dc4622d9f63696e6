"""The scenario as a report needs it, written beside each run as ``scenario.json``.

A run folder must be readable on its own — by the after-action report, by a batch, by a
colleague who never had the scenario file — so the run writes down what the scenario was:
its name and purpose, the region in numbers, the hazards, the plan's levels, teams and
objectives, and the master scenario events list. Only plain JSON values.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from drillsim.sim.compiled import Compiled
from drillsim.sim.plan import LEVEL_NAMES, Condition, Objective, Trigger

CARD_VERSION = 1


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and not (
        isinstance(value, float) and not math.isfinite(value))


def condition_text(c: Condition) -> str:
    """A trigger condition in words (its own text if the author wrote one)."""
    if c.text:
        return c.text
    if c.source == "time":
        return f"{c.value / 3600:g} h after the start"
    name = c.name or c.source
    return f"{name} {c.op} {c.value:g}"


def trigger_text(t: Trigger | None) -> str:
    if t is None or not t.conditions:
        return ""
    joiner = " and " if t.mode == "all" else " or "
    return joiner.join(condition_text(c) for c in t.conditions)


def objective_card(o: Objective) -> dict[str, Any]:
    return {"id": o.id, "text": o.text, "metric": o.metric, "op": o.op,
            "threshold": o.threshold, "deadline_s": o.deadline_s, "weight": o.weight,
            "capability": o.capability, "source": o.source,
            "scope": {"zones": list(o.zones), "facilities": list(o.facilities),
                      "incident_types": list(o.incident_types)}}


def scenario_card(c: Compiled) -> dict[str, Any]:
    """What a report says about the scenario ``c`` (plain JSON values)."""
    w, plan = c.world, c.plan
    teams = Counter(t.type for t in plan.teams)
    return {
        "card_version": CARD_VERSION,
        "name": c.name,
        "description": c.description,
        "drill_type": c.drill_type,
        "unscripted": c.unscripted,
        "start": c.start,
        "duration_s": c.duration_s,
        "digest": c.digest,
        "region": {
            "zones": len(w.zones), "residents": w.population,
            "road_links": len(set(w.roads.link_ids)),
            "shelters": len(w.shelters),
            "shelter_capacity": float(w.shelters.capacity_persons.sum()),
            "hospitals": len(w.hospitals), "hospital_beds": float(w.hospitals.beds.sum()),
            "depots": len(w.depots), "stations": len(w.stations),
        },
        "hazards": [{"id": h.id, "kind": h.kind, "start_s": h.start_s,
                     "duration_s": h.duration_s,
                     "params": {k: v for k, v in h.params.items() if _scalar(v)}}
                    for h in c.hazards],
        "plan": {
            "id": plan.id,
            "levels": [{"name": lv.name, "trigger": trigger_text(lv.trigger),
                        "orders": [plan.orders[i].id for i in lv.orders],
                        "aid": [plan.aid[i].id for i in lv.aid],
                        "reserve_teams": [plan.teams[i].id for i in lv.teams]}
                       for lv in sorted(plan.levels, key=lambda lv: -lv.severity)],
            "teams": dict(sorted(teams.items())),
            "team_members": sum(t.size for t in plan.teams),
            "mutual_aid": [{"id": a.id, "type": a.type, "teams": a.teams, "size": a.size}
                           for a in plan.aid],
            "dispatch": plan.dispatch.policy,
            "shelter_policy": plan.shelter_policy,
        },
        "objectives": [objective_card(o) for o in plan.objectives],
        "injects": [{"id": i.id, "at_s": i.at_s, "action": i.action, "target": i.target,
                     "message": i.message, "hidden": i.hidden,
                     "expected_actions": list(i.expected_actions)}
                    for i in sorted(c.injects, key=lambda i: i.at_s)],
        "decisions": [{"id": d.id, "at_s": d.at_s, "question": d.question,
                       "options": [o.label for o in d.options]} for d in c.decisions],
        "level_names": list(LEVEL_NAMES),
        "notes": list(c.notes),
    }
