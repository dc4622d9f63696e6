"""What the after-action report of one run says, gathered from its folder: the scenario card
(``scenario.json``), the scorecard (``summary.json``), the event log (``events.parquet``) and,
if the run wrote one, the map snapshot (``map.npz``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.report import fmt
from drillsim.analysis.report.figures import run_figures
from drillsim.analysis.report.findings import improvement_plan, run_findings
from drillsim.analysis.report.timeline import key_moments
from drillsim.analysis.response import TRAPPED_TYPES, Incidents
from drillsim.analysis.runio import read_json
from drillsim.analysis.scoring import COMFORTABLE, GRADE_RULE, GRADES

RUN_FILES = ("summary.json", "events.parquet")
"""What a folder needs to be a run folder."""


class ReportError(Exception):
    """A folder that cannot be reported on, with the reason in one sentence."""


CARD_DEFAULTS: dict[str, Any] = {"name": "", "description": "", "drill_type": "", "start": "",
                                 "digest": "", "region": None, "plan": None, "hazards": [],
                                 "objectives": [], "notes": []}
"""What a report reads from a scenario card, for folders written before runs kept one."""


def with_defaults(card: dict[str, Any]) -> dict[str, Any]:
    return {**CARD_DEFAULTS, **card}


def is_run_folder(folder: Path) -> bool:
    return all((folder / f).is_file() for f in RUN_FILES)


def _total(lf: LogFrame, kind: str) -> float:
    return float(lf.qty[lf.where(kind)].sum())


def key_numbers(lf: LogFrame, summary: dict[str, Any]) -> list[dict[str, str]]:
    """The run's toll and response in a few numbers (those that are not zero)."""
    inc = Incidents.of(lf)
    trapped = float(inc.units[np.isin(inc.type, TRAPPED_TYPES)].sum())
    items = [
        ("residents", _total(lf, "zone.init")),
        ("deaths", _total(lf, "people.killed")),
        ("injured", _total(lf, "people.injured")),
        ("displaced (homes unusable)", _total(lf, "people.displaced")),
        ("left home", _total(lf, "evac.depart")),
        ("admitted to shelters", _total(lf, "shelter.admit")),
        ("trapped", trapped),
        ("rescued alive", _total(lf, "rescue.alive")),
        ("admitted to hospital", _total(lf, "hospital.admit")),
    ]
    out = [{"label": label, "value": f"{v:,.0f}"} for label, v in items
           if v > 0 or label == "residents"]
    out.append({"label": "highest response level",
                "value": str(summary.get("max_response_level", "none"))})
    return out


def _objective_rows(rows: list[dict[str, Any]], cards: dict[str, dict[str, Any]],
                    start: str) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        card, unit = cards.get(r["id"], {}), r.get("unit", "")
        deadline = card.get("deadline_s")
        at = r.get("decided_at_s")
        out.append({
            **r,
            "target_text": fmt.target(r["op"], r["threshold"], unit),
            "deadline_text": fmt.duration(deadline) if deadline is not None else "end of run",
            "value_text": fmt.value(r.get("value"), unit),
            "margin_text": fmt.margin(r.get("margin")),
            "decided_text": fmt.elapsed(at) if at is not None else "—",
            "decided_clock": fmt.wall_clock(start, at) if at is not None else "",
            "source": card.get("source", ""),
        })
    return out


def capability_rows(rows: list[dict[str, Any]], grades: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, g in grades.items():
        mine = [r for r in rows if r.get("capability") == name]
        out.append({"name": name, "grade": g["grade"], "meaning": g["meaning"],
                    "met": sum(bool(r["met"]) for r in mine), "objectives": len(mine)})
    return out


def run_context(folder: Path, map_times_s: list[float] | None = None) -> dict[str, Any]:
    """Everything the run report shows, as plain values for the template."""
    if not is_run_folder(folder):
        raise ReportError(f"{folder} is not a run folder: it needs {' and '.join(RUN_FILES)} "
                          "(written by `drillsim run`)")
    summary = read_json(folder / "summary.json")
    card_file = folder / "scenario.json"
    card = with_defaults(read_json(card_file) if card_file.is_file() else {})
    lf = LogFrame.of(pq.read_table(folder / "events.parquet"))
    start = card.get("start") or lf.manifest.get("start", "")
    scorecard = summary.get("scorecard", {})
    rows = scorecard.get("objectives", [])
    grades = scorecard.get("capabilities", {})
    strengths, areas = run_findings(rows, start)
    md = None
    notes = list(summary.get("warnings", [])) + list(card.get("notes", []))
    if (folder / "map.npz").is_file():
        from drillsim.analysis.mapdata import read_map

        md = read_map(folder / "map.npz")
    else:
        notes.append("This run folder has no map snapshot (map.npz), so the report has no map.")
    if not card_file.is_file():
        notes.append("This run folder has no scenario card (scenario.json): the scenario "
                     "summary is limited to what the event log holds.")
    n_met = sum(bool(r["met"]) for r in rows)
    return {
        "kind": "run",
        "title": summary.get("scenario") or card.get("name") or folder.name,
        "card": card,
        "summary": summary,
        "seed": summary.get("seed", {}).get("entropy"),
        "start_text": fmt.start_text(start),
        "duration_text": fmt.duration(summary.get("duration_s", lf.duration_s)),
        "generated": date.today().isoformat(),
        "versions": lf.manifest.get("versions", {}),
        "digest": lf.manifest.get("scenario_digest", card.get("digest", "")),
        "key_numbers": key_numbers(lf, summary),
        "objectives": _objective_rows(rows, {o["id"]: o for o in card.get("objectives", [])},
                                      start),
        "n_met": n_met,
        "capabilities": capability_rows(rows, grades),
        "grade_rule": scorecard.get("grade_rule", GRADE_RULE),
        "grades": GRADES,
        "comfortable": f"{100 * COMFORTABLE:.0f} %",
        "strengths": strengths,
        "areas": areas,
        "plan_rows": improvement_plan(areas),
        "timeline": [m.row(start) for m in key_moments(lf, rows)],
        "figures": run_figures(lf, md, map_times_s),
        "notes": notes,
        "hazards": [_hazard_text(h) for h in card.get("hazards", [])],
    }


def _hazard_text(h: dict[str, Any]) -> str:
    p = h.get("params", {})
    bits = [f"{h['kind']} '{h['id']}'"]
    if "magnitude" in p:
        bits.append(f"magnitude {p['magnitude']}")
    if "chemical" in p:
        bits.append(str(p["chemical"]))
    bits.append(f"from {fmt.elapsed(h.get('start_s', 0.0))}")
    if h.get("duration_s"):
        bits.append(f"for {fmt.duration(h['duration_s'])}")
    return ", ".join(bits)
