"""The response figure: written as a PNG of the expected size for the hand-built log of
``test_response_metrics`` and for a run of the bundled earthquake example, saying what it
shows; nothing for a log with neither incidents nor hospital admissions."""

from __future__ import annotations

import struct
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from builders import example, example_run
from test_response_metrics import response_log

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.plots.response import free_beds, response_figure, write_response_figures
from drillsim.sim.events import EventLog
from drillsim.sim.plan import LEVEL_NAMES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIZE_PX = (1430, 935)
"""13 × 8.5 inches at 110 dpi."""


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_hand_built_log_gives_one_png(tmp_path: Path) -> None:
    paths = write_response_figures(response_log(), None, tmp_path)
    assert paths == [tmp_path / "response.png"]
    assert png_size(paths[0]) == SIZE_PX
    assert paths[0].stat().st_size > 50_000
    assert sorted(tmp_path.iterdir()) == paths


def test_the_figure_says_what_it_shows() -> None:
    fig = response_figure(LogFrame.of(response_log()), None)
    try:
        trapped, teams, hospital, level = fig.axes[:4]
        for ax in (trapped, teams, hospital, level):
            assert ax.get_title() and "(h)" in ax.get_xlabel() and ax.get_ylabel()
        assert "mutual-aid team ready (1)" in trapped.get_legend_handles_labels()[1]
        labels = [t.get_text() for t in teams.get_legend().get_texts()]
        assert labels == ["incidents waiting for a first team", "teams ready (right axis)",
                          "teams busy (right axis)", "teams resting (right axis)"]
        beds = [t.get_text() for t in hospital.get_legend().get_texts()]
        assert "free beds in open hospitals (beds in use at the start unknown)" in beds
        assert [t.get_text() for t in level.get_yticklabels()] == list(LEVEL_NAMES)
        assert "mutual aid requested (1 team)" in level.get_legend_handles_labels()[1]
        assert fig.texts[0].get_text().startswith(
            "Response: 9 of 17 trapped freed alive, 7 died waiting; 6 incidents, 2 never "
            "reached; 17 admitted to hospital")
    finally:
        plt.close(fig)


def test_free_beds_without_a_world_count_every_bed() -> None:
    lf = LogFrame.of(response_log())
    beds, known = free_beds(lf, None, np.array([0.0, 900.0, 2700.0, 3000.0, 6000.0]))
    assert not known
    # H1 10 and H2 5 beds: less 5 (900 s), 4 + 1 (by 2700 s: H1 full), 1 and 2 + 4 (H2 full)
    assert beds.tolist() == [15.0, 10.0, 5.0, 4.0, 0.0]


@pytest.mark.parametrize("as_table", [False, True])
def test_a_log_without_incidents_or_admissions_draws_nothing(tmp_path: Path,
                                                             as_table: bool) -> None:
    log = EventLog()
    log.emit(0, "team.ready", "T1", "FS1", mutual_aid=False)
    log.emit(900, "plan.level", "command", qty=1, level="IV", previous="none",
             reason="escalate")
    log.emit(3600, "run.end")
    assert write_response_figures(log.to_table() if as_table else log, None, tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_the_earthquake_example(tmp_path: Path) -> None:
    compiled = example("city-earthquake")
    result = example_run("city-earthquake", 3)
    paths = write_response_figures(result.log, compiled.world, tmp_path)
    assert paths == [tmp_path / "response.png"]
    assert png_size(paths[0]) == SIZE_PX
    assert paths[0].stat().st_size > 80_000
    lf = LogFrame.of(result.log)
    beds, known = free_beds(lf, compiled.world, np.array([0.0]))
    h = compiled.world.hospitals
    in_use = np.round(np.asarray(h.beds, float) * np.asarray(h.occupied_share, float))
    assert known and beds[0] == float(np.sum(np.asarray(h.beds, float) - in_use))
