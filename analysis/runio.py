"""Writing one run's outputs: ``events.parquet`` (the log, with its manifest),
``metrics.parquet`` (time series derived from the log), ``summary.json`` and, given the
scenario's card, ``scenario.json`` (what the scenario was, so the folder reads on its own)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.metrics import time_series
from drillsim.analysis.summary import run_summary
from drillsim.sim.events import EventLog
from drillsim.sim.plan import Objective


@dataclass
class RunOutputs:
    folder: Path
    events: Path
    metrics: Path
    summary_file: Path
    summary: dict[str, Any]
    figures: list[Path] = field(default_factory=list)
    scenario_file: Path | None = None


def write_run(log: EventLog, folder: Path, objectives: tuple[Objective, ...] = (),
              metrics_every_s: float = 300.0, card: dict[str, Any] | None = None
              ) -> RunOutputs:
    """Write a run's log, metrics, summary and (given) scenario card into ``folder``
    (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    table = log.to_table()
    events = folder / "events.parquet"
    pq.write_table(table, events)
    lf = LogFrame.of(table)
    metrics = folder / "metrics.parquet"
    pq.write_table(time_series(lf, metrics_every_s), metrics)
    summary = run_summary(lf, objectives)
    summary_file = folder / "summary.json"
    write_json(summary_file, summary)
    outputs = RunOutputs(folder, events, metrics, summary_file, summary)
    if card is not None:
        outputs.scenario_file = write_json(folder / "scenario.json", card)
    return outputs


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def read_events(path: Path) -> EventLog:
    """An event log saved by :func:`write_run`."""
    return EventLog.from_table(pq.read_table(path))
