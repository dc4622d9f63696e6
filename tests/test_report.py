"""The after-action report: its number formats, findings and timeline checked exactly on
hand-built inputs, and the whole page written for a run folder and for a batch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.report import ReportError, fmt, write_report
from drillsim.analysis.report.findings import (
    GENERIC,
    RECOMMENDATIONS,
    improvement_plan,
    run_findings,
)
from drillsim.analysis.report.timeline import key_moments
from drillsim.analysis.scoring import wilson
from drillsim.cli.main import app
from drillsim.sim.events import EventLog

SECTIONS = ("summary", "overview", "objectives", "analysis", "timeline", "figures", "plan",
            "method")


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0 s"), (59, "59 s"), (60, "1 min"), (15120, "4 h 12 min"), (7200, "2 h"),
    (36000, "10 h"), (172800, "48 h"), (180000, "2 d 2 h"), (float("inf"), "never"),
    (-300, "−5 min"),
])
def test_durations_read_as_hours_and_minutes(seconds: float, text: str) -> None:
    assert fmt.duration(seconds) == text


def test_values_targets_and_clocks() -> None:
    assert fmt.value(0.9512, "share") == "95.1 %"
    assert fmt.value(None, "s") == "—"
    assert fmt.value("never", "s") == "never"
    assert fmt.value(3.0, "severity") == "level II"
    assert fmt.value(1234.4, "persons") == "1,234 persons"
    assert fmt.value(6.0, "teams") == "6 teams"
    assert fmt.target("<=", 36000.0, "s") == "at most 10 h"
    assert fmt.target(">=", 0.95, "share") == "at least 95.0 %"
    assert fmt.margin(0.163) == "+16 %" and fmt.margin(None) == "—"
    assert fmt.elapsed(3 * 3600 + 7 * 60 + 20) == "T+3:07"
    assert fmt.wall_clock("2026-03-12T22:30:00+08:00", 3 * 3600) == "day 2 01:30"
    assert fmt.wall_clock("not a date", 60) == ""


def _row(oid: str, metric: str, met: bool, margin: float | None, value: float | None,
         op: str = "<=", threshold: float = 3600.0, unit: str = "s") -> dict:
    return {"id": oid, "text": f"objective {oid}", "metric": metric, "unit": unit, "op": op,
            "threshold": threshold, "value": value, "met": met, "margin": margin,
            "weight": 1.0, "capability": "mass care services", "decided_at_s": 1800.0}


def test_findings_sort_objectives_into_strengths_and_areas() -> None:
    """Met by ≥ 10 %: a strength; met by less: an area ('narrow'); missed: an area with the
    recommendation for its metric; never measured: says so."""
    rows = [_row("ok", "first_order_time_s", True, 0.5, 1800.0),
            _row("narrow", "first_order_time_s", True, 0.05, 3420.0),
            _row("missed", "time_to_basic_relief_s", False, -1.0, 7200.0),
            _row("unmeasured", "not_a_known_metric", False, None, None)]
    strengths, areas = run_findings(rows, "2026-03-12T02:00:00+08:00")
    assert [f.objective for f in strengths] == ["ok"]
    assert strengths[0].detail == ("Met with a margin of +50 %: 30 min against at most 1 h "
                                   "(decided at T+0:30, day 1 02:30).")
    assert [f.objective for f in areas] == ["missed", "unmeasured", "narrow"]
    missed = areas[0]
    assert missed.detail.startswith("Missed: 2 h against a target of at most 1 h")
    assert missed.recommendation == RECOMMENDATIONS["time_to_basic_relief_s"]
    assert "nothing was measured" in areas[1].detail and areas[1].recommendation == GENERIC
    assert areas[2].detail.startswith("Met by a narrow margin (+5 %)")
    plan = improvement_plan(areas)
    assert len(plan) == 3 and all(r["owner"] == "" and r["due"] == "" for r in plan)
    assert plan[0]["recommendation"] == missed.recommendation


def hand_log() -> LogFrame:
    log = EventLog({"scenario": "hand", "start": "2026-03-12T02:00:00+08:00"})
    e = log.emit
    e(0, "run.start", scenario="hand", seed={"entropy": 1, "spawn_key": []})
    e(0, "hazard.onset", "river", hazard_kind="flood", modelled=True)
    e(600, "plan.level", "command", qty=1.0, level="IV", previous="none", reason="escalate")
    for k, z in enumerate(("Z1", "Z2", "Z3")):
        e(900 + 60 * k, "plan.order", "evac-low", z, action="evacuate", order="evac-low")
    e(1100, "drill.inject", "I-1", action="report", message="Levee seeping", random=False,
      hidden=True, target="")
    for k in range(6):  # six shelters fill: four listed, the rest folded
        e(2000 + 100 * k, "shelter.full", f"S{k}", f"S{k}", 100)
    e(2600, "shelter.full", "S0", "S0", 100)  # full again: not a new line
    e(3000, "link.close", "L1", reason="flood")
    e(3100, "link.close", "L2", reason="flood")
    e(7200, "run.end")
    return LogFrame.of(log)


def test_timeline_keeps_key_moments_and_folds_repeats() -> None:
    rows = [{"id": "warn", "text": "Warn in 1 h", "met": False, "decided_at_s": 3600.0,
             "deciding_events": []}]
    lines = [(m.t_s, m.tag, m.text) for m in key_moments(hand_log(), rows)]
    assert lines[0] == (0, "hazard", "Flood 'river' begins")
    assert (600, "command", "Level IV response declared") in lines
    assert (900, "command", "Order 'evac-low' (evacuate) reaches 3 zones; the last at "
            "T+0:17") in lines
    assert (1100, "inject", "Inject 'I-1': Levee seeping [hidden from players]") in lines
    full = [t for t in lines if "full" in t[2]]
    assert [t[2] for t in full] == ["Shelter S0 full", "Shelter S1 full", "Shelter S2 full",
                                    "Shelter S3 full", "Shelter S5 full: the last of 2 more"]
    assert (3000, "shortfall", "First road closed (flood); 2 road links close during the "
            "run") in lines
    assert (3600.0, "missed", "Objective 'warn' missed: Warn in 1 h") in lines
    assert lines[-1] == (7200, "command", "End of the exercise period")
    assert [t[0] for t in lines] == sorted(t[0] for t in lines)


def test_run_report_has_every_section_and_needs_no_network(chem_run: Path) -> None:
    page = write_report(chem_run).read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'<section id="{section}"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "every resource is inside the page"
    assert "@media print" in page and "@page" in page
    assert page.count('src="data:image/png;base64,') >= 4
    assert 'id="fig-map"' in page
    summary = json.loads((chem_run / "summary.json").read_text())
    n_met = sum(o["met"] for o in summary["objectives"])
    assert f"<b>{n_met} of {len(summary['objectives'])}</b>" in page
    for o in summary["objectives"]:
        assert f'id="obj-{o["id"]}"' in page


def test_scenario_text_is_escaped(chem_run: Path, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    for f in chem_run.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    card = json.loads((folder / "scenario.json").read_text())
    card["description"] = "<script>alert('x')</script> & co"
    (folder / "scenario.json").write_text(json.dumps(card))
    page = write_report(folder).read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in page


def test_batch_report_gives_probabilities_with_wilson_intervals(chem_run: Path,
                                                                 tmp_path: Path) -> None:
    """Three copies of one run, one with an objective turned to missed: 2 of 3 met."""
    batch = tmp_path / "batch"
    for k in range(3):
        run_dir = batch / f"seed{k}"
        run_dir.mkdir(parents=True)
        for f in ("summary.json", "events.parquet", "scenario.json"):
            (run_dir / f).write_bytes((chem_run / f).read_bytes())
    s = json.loads((batch / "seed0" / "summary.json").read_text())
    first = s["scorecard"]["objectives"][0]
    first["met"], first["margin"] = False, -0.5
    (batch / "seed0" / "summary.json").write_text(json.dumps(s))
    page = write_report(batch).read_text(encoding="utf-8")
    for section in ("summary", "objectives", "analysis", "figures", "plan", "runs", "method"):
        assert f'<section id="{section}"' in page
    met = 2 if json.loads((chem_run / "summary.json").read_text())["scorecard"][
        "objectives"][0]["met"] else 0
    low, high = wilson(met, 3)
    assert f"{met} / 3" in page
    assert f"{100 * low:.0f} % – {100 * high:.0f} %" in page


def test_batch_findings_need_enough_runs_to_call_an_objective_reliable() -> None:
    from drillsim.analysis.report.findings import batch_findings

    def view(oid: str, k: int, n: int) -> dict:
        low, high = wilson(k, n)
        return {"id": oid, "text": "", "metric": "first_order_time_s", "capability": "c",
                "probability": k / n, "low": low, "high": high, "runs": n, "met": k}

    strengths, areas = batch_findings([view("sure", 60, 60), view("few", 6, 6),
                                       view("half", 4, 6), view("bad", 1, 6)])
    assert [f.objective for f in strengths] == ["sure", "few"]
    assert strengths[1].detail.endswith("more runs would confirm it.")
    assert [f.objective for f in areas] == ["bad", "half"]
    assert areas[1].detail.startswith("Not reliable")


def test_reports_refuse_what_they_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="holds no run folders"):
        write_report(tmp_path)
    result = CliRunner().invoke(app, ["report", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "is not a folder" in result.output
    assert "Traceback" not in result.output


def test_a_folder_without_card_or_map_still_gets_its_report(chem_run: Path,
                                                          tmp_path: Path) -> None:
    """Folders written before runs kept a scenario card and a map snapshot: the report says
    what it lacks instead of failing."""
    folder = tmp_path / "old"
    folder.mkdir()
    for f in ("summary.json", "events.parquet"):
        (folder / f).write_bytes((chem_run / f).read_bytes())
    page = write_report(folder).read_text(encoding="utf-8")
    assert "has no map snapshot" in page and "has no scenario card" in page
    assert '<section id="timeline"' in page and 'id="fig-map"' not in page
    batch = tmp_path / "batch"
    (batch / "one").mkdir(parents=True)
    for f in ("summary.json", "events.parquet"):
        (batch / "one" / f).write_bytes((chem_run / f).read_bytes())
    assert "batch of 1 runs" in write_report(batch).read_text(encoding="utf-8")
