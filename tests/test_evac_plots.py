"""Evacuation figures drawn from a hand-built log: one PNG per figure the log has data for, and
none for a log without evacuation."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from test_evac_metrics import base_log, evac_log

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.plots.evacuation import evacuation_figures, write_evacuation_figures
from drillsim.sim.events import EventLog

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STEMS = ["evacuation-curve", "evacuation-shelters", "evacuation-remaining",
         "evacuation-relief"]


def test_every_figure_is_written_as_a_png(tmp_path: Path) -> None:
    paths = write_evacuation_figures(evac_log(), tmp_path)
    assert [p.stem for p in paths] == STEMS
    for p in paths:
        data = p.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 20_000, p.name
    assert sorted(tmp_path.iterdir()) == sorted(paths)


def test_figures_say_what_they_show_with_units() -> None:
    figures = evacuation_figures(LogFrame.of(evac_log()))
    try:
        for stem, fig in figures.items():
            ax = fig.axes[0]
            assert ax.get_title() and "(h)" in ax.get_xlabel() and ax.get_ylabel(), stem
        curve = figures["evacuation-curve"].axes[0]
        labels = curve.get_legend_handles_labels()[1]
        assert "evacuation order" in labels and "zone Z1: left home" in labels
        shelters = figures["evacuation-shelters"].axes[0].get_legend_handles_labels()[1]
        assert "S1 (full, 3 turned away)" in shelters and "S2" in shelters
        relief = figures["evacuation-relief"].axes[0]
        assert "1 person not relieved by the end" in relief.get_title()
    finally:
        for fig in figures.values():
            plt.close(fig)


@pytest.mark.parametrize("as_table", [False, True])
def test_a_log_without_evacuation_draws_nothing(tmp_path: Path, as_table: bool) -> None:
    log: EventLog = base_log()
    log.emit(900, "plan.order", "evac", "Z1", action="evacuate", order="evac")
    log.emit(3600, "run.end")
    assert write_evacuation_figures(log.to_table() if as_table else log, tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_only_the_figures_with_data(tmp_path: Path) -> None:
    log = base_log()
    log.emit(600, "evac.depart", "H1", "Z1", 2, mode="car", dest="safety")
    log.emit(1200, "evac.safe", "H1", "Z1", 2, mode="car")
    log.emit(3600, "run.end")
    assert [p.stem for p in write_evacuation_figures(log, tmp_path)] == ["evacuation-curve"]
