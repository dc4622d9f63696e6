"""Strengths, areas for improvement and the improvement plan, derived from the scores.

An after-action report's analysis follows the HSEEP pattern (Homeland Security Exercise and
Evaluation Program, 2020, ch. 6): for each capability, what went well (strengths), what did
not (areas for improvement, each with a recommendation), and an improvement plan that assigns
every recommendation an owner and a due date. drillsim derives the first two from the
objectives' scores; the owner and due date are left blank for the exercise planning team.

A *strength* is an objective met by a comfortable margin (at least
:data:`~drillsim.analysis.scoring.COMFORTABLE`), or over a batch, met in nearly every run (the
Wilson interval's lower end at least :data:`RELIABLE`, or the share itself when the batch is
too small for the interval to say so, with a note that more runs would confirm it). An *area
for improvement* is an objective missed (a batch: met in fewer than :data:`UNRELIABLE` of the
runs, or not reliably) or met only by a narrow margin; the recommendation names the part of
the plan that the objective's metric measures, so the planners know where to look.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drillsim.analysis.report import fmt
from drillsim.analysis.scoring import COMFORTABLE

RELIABLE = 0.8
"""A batch objective is a strength when its Wilson interval's lower end reaches this."""
UNRELIABLE = 0.5
"""A batch objective is an area for improvement when it is met in fewer runs than this."""

_EVACUATION = ("Issue the evacuation order earlier (a lower trigger, or the forecast lead), add "
               "transport for households without a car, and check the roads and bridges where "
               "queues formed.")
_SHELTER = ("Open more shelter capacity near the ordered zones, open it earlier, or assign "
            "zones to shelters with room to spare.")
_RELIEF = ("Pre-position relief stocks in the shelters, resupply earlier (a higher "
           "`when_below`), or add relief-transport teams.")
_STOCKS = ("Raise the reserve held at city and community depots to the plan's target, and "
           "record who replenishes it.")
_RESCUE = ("Request mutual aid earlier (a lower trigger for the level that calls it), base "
           "rescue teams nearer the damaged zones, or revisit the dispatch policy.")
_HOSPITAL = ("Open surge beds earlier, agree transfers to hospitals outside the region, and "
             "plan field treatment for the first hours.")
_COMMAND = ("Shorten the declaration procedure: pre-delegate the authority to declare the "
            "level and rehearse the decision with the triggers' quantities.")
_WARNING = ("Pre-authorise the warning message and the channels, so the order goes out as "
            "soon as its trigger holds.")
_TEAMS = ("Add crews or shifts, or request mutual aid earlier, so teams are not worked beyond "
          "what they can sustain.")

RECOMMENDATIONS: dict[str, str] = {
    **dict.fromkeys(("clearance_time_90", "clearance_time_95", "clearance_time_100",
                     "share_ordered_safe", "stranded", "peak_bridge_queue",
                     "exposure_person_minutes"), _EVACUATION),
    **dict.fromkeys(("turned_away", "peak_shelter_load", "shelters_open",
                     "shelter_capacity_open_persons"), _SHELTER),
    **dict.fromkeys(("shelter_stockouts", "time_to_basic_relief_max",
                     "time_to_basic_relief_mean", "share_relieved_within_10h",
                     "time_to_basic_relief_s", "basic_relief_within_10h_share"), _RELIEF),
    **dict.fromkeys(("relief_stock_share", "depot_stockouts"), _STOCKS),
    **dict.fromkeys(("time_to_first_team_mean_s", "time_to_first_team_p90_s",
                     "incidents_unreached", "rescued_alive", "rescued_alive_share",
                     "died_waiting", "teams_ready", "deaths_and_missing"), _RESCUE),
    **dict.fromkeys(("hospital_admissions", "hospital_diversions",
                     "hospital_queue_persons"), _HOSPITAL),
    **dict.fromkeys(("level_declaration_lag_s", "max_response_level", "level_changes"),
                    _COMMAND),
    "first_order_time_s": _WARNING,
    "team_utilization": _TEAMS,
}
"""Where in the plan to look when an objective on a metric is missed."""

GENERIC = "Review the part of the plan this objective measures, with the teams that carry it out."


@dataclass(frozen=True)
class Finding:
    """One strength or area for improvement."""

    capability: str
    objective: str
    title: str
    detail: str
    recommendation: str = ""
    severity: float = 0.0
    """For ordering: how far from the target (larger is worse)."""


def recommendation(metric: str) -> str:
    return RECOMMENDATIONS.get(metric, GENERIC)


def _title(row: dict[str, Any]) -> str:
    return row.get("text") or row["id"]


def run_findings(rows: list[dict[str, Any]], start_iso: str = ""
                 ) -> tuple[list[Finding], list[Finding]]:
    """(strengths, areas for improvement) of one run from its scorecard rows (the
    ``summary.json`` scorecard: value, op, threshold, unit, met, margin, decided_at_s …)."""
    strengths, areas = [], []
    for r in rows:
        unit, m = r.get("unit", ""), r.get("margin")
        got = fmt.value(r.get("value"), unit)
        want = fmt.target(r["op"], r["threshold"], unit)
        at = r.get("decided_at_s")
        when = (f" (decided at {fmt.elapsed(at)}"
                f"{', ' + fmt.wall_clock(start_iso, at) if fmt.wall_clock(start_iso, at) else ''})"
                if at is not None else "")
        base = {"capability": r.get("capability", ""), "objective": r["id"],
                "title": _title(r)}
        if not r["met"]:
            reason = ("nothing was measured: the event it counts never happened"
                      if r.get("value") is None else f"{got} against a target of {want}")
            areas.append(Finding(**base, detail=f"Missed: {reason}{when}.",
                                 recommendation=recommendation(r["metric"]),
                                 severity=r.get("weight", 1.0) * (1.0 + abs(m or 1.0))))
        elif isinstance(m, float) and m < COMFORTABLE:
            areas.append(Finding(**base, detail=f"Met by a narrow margin ({fmt.margin(m)}): "
                                 f"{got} against {want}{when}.",
                                 recommendation=recommendation(r["metric"]),
                                 severity=r.get("weight", 1.0) * (COMFORTABLE - m)))
        else:
            strengths.append(Finding(**base, detail=f"Met with a margin of {fmt.margin(m)}: "
                                     f"{got} against {want}{when}.",
                                     severity=-(m if isinstance(m, float) else 1.0)))
    return (sorted(strengths, key=lambda f: f.severity),
            sorted(areas, key=lambda f: -f.severity))


def batch_findings(objectives: list[dict[str, Any]]) -> tuple[list[Finding], list[Finding]]:
    """(strengths, areas for improvement) of a batch from its per-objective view (runs met,
    runs scored, probability and its Wilson interval, metric, text, capability)."""
    strengths, areas = [], []
    for o in objectives:
        p, low, high = o["probability"], o["low"], o["high"]
        ci = (f"{100 * p:.0f} % of {o['runs']} runs (95 % interval {100 * low:.0f}–"
              f"{100 * high:.0f} %)")
        base = {"capability": o.get("capability", ""), "objective": o["id"],
                "title": _title(o)}
        if low >= RELIABLE:
            strengths.append(Finding(**base, detail=f"Met in {ci}.", severity=-low))
        elif p >= RELIABLE:  # met nearly always, but too few runs to be sure of it
            strengths.append(Finding(**base, detail=f"Met in {ci}; more runs would confirm "
                                     "it.", severity=-low))
        elif p < UNRELIABLE:
            areas.append(Finding(**base, detail=f"Met in only {ci}.",
                                 recommendation=recommendation(o["metric"]),
                                 severity=o.get("weight", 1.0) * (1.0 - p)))
        else:
            areas.append(Finding(**base, detail=f"Not reliable: met in {ci}.",
                                 recommendation=recommendation(o["metric"]),
                                 severity=o.get("weight", 1.0) * (1.0 - p) * 0.5))
    return (sorted(strengths, key=lambda f: f.severity),
            sorted(areas, key=lambda f: -f.severity))


def improvement_plan(areas: list[Finding]) -> list[dict[str, str]]:
    """One row per area for improvement: the issue, the recommendation, the capability, and
    blank owner and due date for the planning team to fill in."""
    return [{"issue": f"{f.title} — {f.detail}", "recommendation": f.recommendation,
             "capability": f.capability, "owner": "", "due": ""} for f in areas]
