"""Chemical-release outcomes and figure: outcomes summed by hand from a small log, threat zones
drawn at the 60-minute AEGLs, and a figure written only for a chemical release that started."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import ContourSet

from drillsim.analysis.chemical import chemical_outcomes, has_chemical
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.plots.chemical import (
    chemical_figure,
    exposure_curves,
    snapshot_times_s,
    threat_levels_ppm,
    threat_zone_map,
    write_chemical_figures,
)
from drillsim.scenarios import load
from drillsim.scenarios.examples import EXAMPLES
from drillsim.sim.events import EventLog
from drillsim.sim.hazards.chemical.hazard import ChemicalHazard
from drillsim.sim.model import DrillModel
from drillsim.sim.world import World

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def chlorine() -> tuple[World, ChemicalHazard]:
    m = DrillModel(load(EXAMPLES["chemical-park-chlorine"]), 1)
    return m.world, m.hazards[0]


def base_log() -> EventLog:
    log = EventLog({"scenario": "chem-hand"})
    log.emit(0, "run.start", scenario="chem-hand", seed={"entropy": 1, "spawn_key": []})
    log.emit(0, "hazard.onset", "quake", hazard_kind="earthquake", modelled=True)
    return log


def chem_log(stopped: bool = True) -> EventLog:
    """Exposures: AEGL-1 5 + 3 + 2 = 10 (home 8, road 2); AEGL-2 4 + 1 + 2 = 7 (home 4,
    road 1, shelter 2); AEGL-3 2 + 1 = 3 (home 2, road 1). Casualties 2 + 1 of the release
    (not the 4 of the quake nor the severity-2 ones). Stopped at 3000 s (onset 300 s)."""
    events: list[tuple[float, str, str, str, float, dict[str, object]]] = []

    def e(t_s: float, kind: str, actor: str = "", place: str = "", qty: float = math.nan,
          **data: object) -> None:
        events.append((t_s, kind, actor, place, qty, data))

    e(300, "hazard.onset", "tank-T3", hazard_kind="chemical", modelled=True)
    e(480, "link.close", "L1", reason="tank-T3")
    e(500, "link.close", "L2", reason="inject CH-03")
    e(510, "link.close", "L3", reason="quake")
    e(600, "link.close", "L1", reason="tank-T3")  # the same road again: counted once
    e(700, "link.close", "L4", reason="tank-T3")
    e(600, "chem.exposure", "Z1", "Z1", 5, aegl=1, where="home")
    e(660, "chem.exposure", "Z2", "Z2", 3, aegl=1, where="home")
    e(720, "chem.exposure", "Z2", "Z2", 2, aegl=1, where="road")
    e(900, "chem.exposure", "Z1", "Z1", 4, aegl=2, where="home")
    e(960, "chem.exposure", "Z2", "Z2", 1, aegl=2, where="road")
    e(1500, "chem.exposure", "Z3", "Z3", 2, aegl=2, where="shelter")
    e(1200, "chem.exposure", "Z1", "Z1", 2, aegl=3, where="home")
    e(1260, "chem.exposure", "Z2", "Z2", 1, aegl=3, where="road")
    e(1200, "people.injured", "Z1", "Z1", 2, severity=3, cause="tank-T3")
    e(1260, "people.injured", "Z2", "Z2", 1, severity=3, cause="tank-T3")
    e(1300, "people.injured", "Z2", "Z2", 6, severity=2, cause="tank-T3")
    e(1400, "people.injured", "Z3", "Z3", 4, severity=3, cause="quake")
    for z in ("Z1", "Z2", "Z3"):
        e(900, "plan.order", "shelter-east", z, action="shelter_in_place", order="shelter-east")
    e(1800, "plan.order", "evacuate-east", "Z1", action="evacuate", order="evacuate-east")
    e(18000, "plan.order", "all-clear", "Z1", action="all_clear", order="all-clear")
    if stopped:
        e(3000, "hazard.stop", "tank-T3", by="HZ-PARK")
    e(21600, "run.end")
    log = base_log()
    for t_s, kind, actor, place, qty, data in sorted(events, key=lambda ev: ev[0]):
        log.emit(t_s, kind, actor, place, qty, **data)
    return log


def test_outcomes_are_the_hand_sums() -> None:
    o = chemical_outcomes(LogFrame.of(chem_log()))
    assert o["aegl1_persons"] == 10 and o["aegl2_persons"] == 7 and o["aegl3_persons"] == 3
    assert (o["aegl1_persons_home"], o["aegl1_persons_road"], o["aegl1_persons_shelter"]) \
        == (8, 2, 0)
    assert (o["aegl2_persons_home"], o["aegl2_persons_road"], o["aegl2_persons_shelter"]) \
        == (4, 1, 2)
    assert (o["aegl3_persons_home"], o["aegl3_persons_road"]) == (2, 1)
    assert o["casualties"] == 3
    assert o["release_stopped_s"] == 3000 and o["release_stopped_after_s"] == 2700
    assert o["roads_closed"] == 2
    assert o["zones_sheltering"] == 3 and o["zones_evacuated"] == 1


def test_a_release_never_stopped_has_no_stop_time() -> None:
    o = chemical_outcomes(LogFrame.of(chem_log(stopped=False).to_table()))
    assert math.isnan(o["release_stopped_s"]) and math.isnan(o["release_stopped_after_s"])


def test_only_a_chemical_onset_counts() -> None:
    assert has_chemical(LogFrame.of(chem_log()))
    assert not has_chemical(LogFrame.of(base_log()))


def test_threat_zones_are_the_60_minute_aegls() -> None:
    assert threat_levels_ppm("chlorine") == (0.5, 2.0, 20.0)


def test_the_map_draws_the_chlorine_aegls(chlorine: tuple[World, ChemicalHazard]) -> None:
    world, hz = chlorine
    fig, ax = plt.subplots()
    try:
        threat_zone_map(ax, world, hz, [hz.spec.start_s + 900.0])
        sets = [c for c in ax.get_children() if isinstance(c, ContourSet)]
        assert len(sets) == 1
        np.testing.assert_allclose(sets[0].levels, [0.5, 2.0, 20.0])
        labels = ax.get_legend().get_texts()
        assert "AEGL-3: 20 ppm" in [t.get_text() for t in labels]
        assert any("0:20: wind 3 m/s from E" in t.get_text() for t in labels)
    finally:
        plt.close(fig)


def test_snapshots_fall_within_the_cloud(chlorine: tuple[World, ChemicalHazard]) -> None:
    world, hz = chlorine
    times = snapshot_times_s(world, hz)
    # 15 min in, just before the wind shift at 25 min, the end of the release, 5 min later
    # (at most four moments: 10 min after the shift is the one left out)
    assert times == [1200.0, 1440.0, 2700.0, 3000.0]
    # stopped at 25 min: the moments after it follow the stop, not the planned end
    assert snapshot_times_s(world, hz, stop_s=1500.0) == [1200.0, 1440.0, 1800.0, 2100.0]


def test_the_curves_count_persons_by_level_and_place() -> None:
    fig, ax = plt.subplots()
    try:
        exposure_curves(ax, LogFrame.of(chem_log()))
        lines = {ln.get_label(): ln for ln in ax.get_lines()}
        assert lines["above AEGL-2, shelter"].get_ydata()[-1] == 2
        assert lines["above AEGL-3, home"].get_ydata()[-1] == 2
        assert "above AEGL-3, shelter" not in lines  # nobody: no line
        assert lines["release stopped"].get_xdata()[0] == pytest.approx(3000 / 3600)
    finally:
        plt.close(fig)


def test_the_figure_is_written_with_its_outcomes(tmp_path: Path,
                                                 chlorine: tuple[World, ChemicalHazard]
                                                 ) -> None:
    world, hz = chlorine
    fig = chemical_figure(world, hz, LogFrame.of(chem_log()))
    try:
        title = fig.get_suptitle()
        assert "10 people above AEGL-1, 7 above AEGL-2, 3 above AEGL-3, 3 casualties" in title
        assert "stopped 45 min after onset" in title and "2 roads closed" in title
    finally:
        plt.close(fig)
    paths = write_chemical_figures(world, [hz], chem_log(), tmp_path)
    assert [p.name for p in paths] == ["chemical.png"]
    data = paths[0].read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 50_000


def test_no_figure_without_a_chemical_release(tmp_path: Path,
                                              chlorine: tuple[World, ChemicalHazard]) -> None:
    world, hz = chlorine
    assert write_chemical_figures(world, [hz], base_log(), tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_one_figure_per_chemical_release_that_started(
        tmp_path: Path, chlorine: tuple[World, ChemicalHazard]) -> None:
    world, hz = chlorine
    second = ChemicalHazard(dataclasses.replace(hz.spec, id="tank-T4"), world)
    never = ChemicalHazard(dataclasses.replace(hz.spec, id="tank-T5"), world)
    log = chem_log(stopped=False)
    log.emit(21600, "hazard.onset", "tank-T4", hazard_kind="chemical", modelled=True)
    paths = write_chemical_figures(world, [hz, second, never], log, tmp_path)
    assert [p.name for p in paths] == ["chemical-tank-T3.png", "chemical-tank-T4.png"]
