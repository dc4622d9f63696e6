"""The region map snapshot (``map.npz``) and the map figure.

Oracles: the hazard's own ``sample`` at the frame times (the snapshot must hold exactly what
the hazard says, not an approximation of it), the world's tables for the region, a file read
back field by field, and event logs built by hand for what the log says at a time:

    t (s)   event
    0       facility.init S1 (shelter, 100 persons, not open) and H1 (hospital, 20 beds, open)
    100     link.close AB (both directions of the two-way road)
    300     link.close BC (an inject)
    400     facility.open S1; shelter.admit 30 persons at S1
    500     link.open AB
    600     evac.census Z1: 700 at home
    900     shelter.admit 50 persons at S1; facility.close H1
    2000    link.close AB again
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from builders import example_run, tiny, write
from hypothesis import given
from hypothesis import strategies as st

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.mapdata import (
    HazardFrames,
    MapData,
    closed_links_at,
    facilities_open_at,
    frame_times,
    grid_points,
    map_data,
    people_home_at,
    read_map,
    shelter_load_at,
    write_map,
)
from drillsim.analysis.plots import save_figure
from drillsim.analysis.plots.region_map import default_map_times, region_maps_figure
from drillsim.scenarios import load
from drillsim.sim import run
from drillsim.sim.events import EventLog

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RELEASE = {"id": "leak", "kind": "chemical", "start": "10min", "duration": "1h",
           "chemical": "chlorine", "source": {"x": -400, "y": 0}, "rate_kg_s": 0.15,
           "terrain": "rural", "stop_on_site": None,
           "weather": {"wind_speed_m_s": 3.0, "wind_from_deg": 270, "stability": "D"}}


@pytest.fixture(scope="module")
def tiny_release(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """The tiny scenario with a chlorine release beside Z1 (and the calm "none" hazard)."""
    data = tiny(hazards=[RELEASE, {"id": "calm", "kind": "none"}])
    compiled = load(write(tmp_path_factory.mktemp("tiny"), data))
    result = run(compiled, 1)
    return compiled, result


# -- frames -------------------------------------------------------------------------------------

def test_frames_fall_on_round_times_and_stretch_to_the_limit() -> None:
    day = frame_times(86400.0, 900.0, 97)
    assert len(day) == 97 and np.all(np.diff(day) == 900.0) and day[-1] == 86400.0
    three_days = frame_times(3 * 86400.0, 900.0, 97)
    assert len(three_days) == 97 and np.all(np.diff(three_days) == 2700.0)
    assert frame_times(1000.0, 900.0, 97).tolist() == [0.0, 900.0, 1000.0]
    assert frame_times(0.0, 900.0, 97).tolist() == [0.0]
    with pytest.raises(ValueError):
        frame_times(3600.0, 900.0, 1)


@given(st.floats(1.0, 1e6), st.floats(1.0, 1e4), st.integers(2, 200))
def test_frames_never_exceed_the_limit_and_end_at_the_end(duration_s: float, every_s: float,
                                                          max_frames: int) -> None:
    t = frame_times(duration_s, every_s, max_frames)
    step = np.diff(t)
    assert 2 <= len(t) <= max_frames and t[0] == 0.0 and t[-1] == duration_s
    assert np.all(step > 0)
    ratio = step[:-1] / every_s
    assert np.allclose(ratio, np.round(ratio)) and np.all(ratio >= 1 - 1e-9)


# -- building ------------------------------------------------------------------------------------

def test_the_snapshot_holds_what_the_hazard_samples(tiny_release: tuple) -> None:
    compiled, result = tiny_release
    md = map_data(compiled.world, result.hazards, compiled.duration_s)
    assert [h.id for h in md.hazards] == ["leak"]  # the "none" hazard has nothing to draw
    h, leak = md.hazards[0], result.hazards[0]
    assert (h.kind, h.measure, h.levels) == ("chemical", "concentration_ppm",
                                            leak.felt_levels())
    assert h.times_s.tolist() == frame_times(compiled.duration_s, 900.0, 97).tolist()
    assert h.zone_values.dtype == np.float32 and h.zone_values.shape == (len(h.times_s), 2)
    gx, gy = grid_points(h.grid_extent, 96)
    assert h.grid.shape == (len(h.times_s), *gx.shape) and max(gx.shape) == 96
    for k, t in enumerate(h.times_s):
        expected = leak.sample(t, md.zone_x, md.zone_y).astype(np.float32)
        np.testing.assert_array_equal(h.zone_values[k], expected)
        np.testing.assert_array_equal(h.grid[k], leak.sample(t, gx, gy).astype(np.float16))
    assert h.zone_values[0].max() == 0.0 and h.zone_values[:, 0].max() > leak.felt_levels()[1]


def test_the_snapshot_holds_the_region(tiny_release: tuple) -> None:
    compiled, result = tiny_release
    md = map_data(compiled.world, result.hazards, compiled.duration_s)
    assert md.zone_ids.tolist() == ["Z1", "Z2"] and md.zone_pop.tolist() == [1000.0, 500.0]
    # two two-way roads: four directed links, A(0, 0) - B(1000, 0) - C(2000, 0)
    assert md.link_ids.tolist() == ["AB", "AB", "BC", "BC"]
    assert sorted(map(tuple, md.link_x.tolist())) == [(0, 1000), (1000, 0), (1000, 2000),
                                                      (2000, 1000)]
    assert md.bridge.tolist() == [False, False, True, True]
    assert md.fac_kind.tolist() == ["shelter", "station"] and md.fac_ids.tolist() == ["S1", "F1"]
    assert (md.fac_x.tolist(), md.fac_capacity.tolist()) == ([2000.0, 1000.0], [800.0, 0.0])
    x0, x1, y0, y1 = md.bounds
    assert x0 < 0 < 2000 < x1 and y0 < 0 < y1 and x1 - 2000 == pytest.approx(-x0)


def test_a_written_map_reads_back_exactly(tiny_release: tuple, tmp_path: Path) -> None:
    compiled, result = tiny_release
    md = map_data(compiled.world, result.hazards, compiled.duration_s, every_s=600.0)
    back = read_map(write_map(md, tmp_path / "map.npz"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.npz"]
    assert back.bounds == md.bounds and len(back.hazards) == len(md.hazards) == 1
    for name in MapData.__dataclass_fields__:
        if name not in ("bounds", "hazards"):
            _same(getattr(back, name), getattr(md, name), name)
    h, g = back.hazards[0], md.hazards[0]
    assert (h.id, h.kind, h.measure, h.levels, h.grid_extent) == \
        (g.id, g.kind, g.measure, g.levels, g.grid_extent)
    for name in ("times_s", "zone_values", "grid"):
        _same(getattr(h, name), getattr(g, name), name)
    with np.load(tmp_path / "map.npz", allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)


def _same(a: np.ndarray, b: np.ndarray, name: str) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape, name
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name


# -- what the log says at a time ---------------------------------------------------------------

def _hand_map() -> MapData:
    """Zones Z1 and Z2; two-way roads AB and BC and one-way CD; shelter S1 and hospital H1."""
    text = lambda *v: np.array(v, dtype=str)  # noqa: E731
    two = np.zeros((5, 2))
    return MapData(
        bounds=(0.0, 1.0, 0.0, 1.0), zone_ids=text("Z1", "Z2"), zone_names=text("Z1", "Z2"),
        zone_x=np.zeros(2), zone_y=np.zeros(2), zone_pop=np.array([1000.0, 500.0]),
        link_ids=text("AB", "AB", "BC", "BC", "CD"), link_x=two, link_y=two,
        bridge=np.zeros(5, bool), fac_kind=text("shelter", "hospital"),
        fac_ids=text("S1", "H1"), fac_names=text("S1", "H1"), fac_x=np.zeros(2),
        fac_y=np.zeros(2), fac_capacity=np.array([100.0, 20.0]), hazards=[])


def _hand_log(census: bool = True) -> LogFrame:
    log = EventLog()
    log.emit(0, "zone.init", "Z1", "Z1", 1000.0, households=400)
    log.emit(0, "zone.init", "Z2", "Z2", 500.0, households=200)
    log.emit(0, "facility.init", "S1", "C", 100.0, type="shelter", unit="persons", open=False)
    log.emit(0, "facility.init", "H1", "B", 20.0, type="hospital", unit="beds", open=True)
    log.emit(100, "link.close", "AB", reason="flood")
    log.emit(300, "link.close", "BC", reason="inject I3")
    log.emit(400, "facility.open", "S1", "C", reason="plan")
    log.emit(400, "shelter.admit", "S1", "Z1", 30.0, household="H1")
    log.emit(500, "link.open", "AB", reason="flood")
    if census:
        log.emit(600, "evac.census", "Z1", "Z1", 1000.0, home=700, on_way=270, sheltered=30)
    log.emit(900, "shelter.admit", "S1", "Z2", 50.0, household="H2")
    log.emit(900, "facility.close", "H1", "B", reason="flood")
    log.emit(2000, "link.close", "AB", reason="flood")
    log.emit(3600, "run.end")
    return LogFrame.of(log)


@pytest.mark.parametrize(("t_s", "closed"), [
    (99.0, [0, 0, 0, 0, 0]),
    (100.0, [1, 1, 0, 0, 0]),  # an event counts from its own time on
    (300.0, [1, 1, 1, 1, 0]),
    (500.0, [0, 0, 1, 1, 0]),
    (1999.0, [0, 0, 1, 1, 0]),
    (3600.0, [1, 1, 1, 1, 0]),  # the last event of each road decides
])
def test_closed_roads_close_both_directions_until_they_reopen(t_s: float,
                                                              closed: list[int]) -> None:
    assert closed_links_at(_hand_log(), _hand_map(), t_s).tolist() == [bool(c) for c in closed]


def test_shelter_load_facilities_open_and_people_at_home_by_hand() -> None:
    lf, md = _hand_log(), _hand_map()
    assert np.array_equal(shelter_load_at(lf, md, 399.0), [0.0, np.nan], equal_nan=True)
    assert np.array_equal(shelter_load_at(lf, md, 900.0), [80.0, np.nan], equal_nan=True)
    assert facilities_open_at(lf, md, 0.0).tolist() == [False, True]
    assert facilities_open_at(lf, md, 400.0).tolist() == [True, True]
    assert facilities_open_at(lf, md, 900.0).tolist() == [True, False]
    assert people_home_at(lf, md, 599.0).tolist() == [1000.0, 500.0]  # before any census
    assert people_home_at(lf, md, 600.0).tolist() == [700.0, 500.0]  # Z2 was never counted
    assert people_home_at(_hand_log(census=False), md, 900.0) is None


def test_the_runs_own_inject_closure_reads_on_the_map(tiny_release: tuple) -> None:
    """The tiny scenario's inject I3 closes road BC at 3 h (both directions)."""
    compiled, result = tiny_release
    md = map_data(compiled.world, result.hazards, compiled.duration_s)
    lf = LogFrame.of(result.log)
    assert not closed_links_at(lf, md, 3 * 3600.0 - 1).any()
    assert closed_links_at(lf, md, 3 * 3600.0).tolist() == [False, False, True, True]


# -- the figure ---------------------------------------------------------------------------------

def test_the_map_figure_of_an_example_renders(tmp_path: Path) -> None:
    result = example_run("chemical-park-chlorine", 5)
    from builders import example

    compiled = example("chemical-park-chlorine")
    md = read_map(write_map(map_data(compiled.world, result.hazards, compiled.duration_s),
                            tmp_path / "map.npz"))
    lf = LogFrame.of(result.log)
    times = default_map_times(md, lf)
    h = md.hazards[0]
    assert 1 <= len(times) <= 3 and times == sorted(times) and set(times) <= set(h.times_s)
    reached = h.times_s[np.argmax((h.zone_values >= h.levels[0]).any(axis=1))]
    assert times[0] == reached and times[-1] == lf.duration_s
    fig = region_maps_figure(md, lf, times)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    path = save_figure(fig, tmp_path / "region-map.png")
    assert titles[0] == f"{round(times[0] / 60) // 60:02d}:{round(times[0] / 60) % 60:02d} " \
        "after the start" and len(titles) == len(times)
    assert "road closed" in labels and "tank-T3: harmful (≥ 2 ppm)" in labels
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 50_000


def test_a_map_figure_has_one_to_four_panels() -> None:
    md, lf = _hand_map(), _hand_log()
    md.hazards = [HazardFrames("x", "flood", "depth_m", np.array([0.0, 3600.0]),
                               np.zeros((2, 2), np.float32), (0.0, 1.0, 0.0, 1.0),
                               np.zeros((2, 4, 4), np.float16))]
    with pytest.raises(ValueError, match="1 to 4 panels"):
        region_maps_figure(md, lf, [0.0] * 5)
    fig = region_maps_figure(md, lf, [0.0, 100.0, 200.0, 300.0])
    try:
        assert sum(1 for ax in fig.axes if ax.get_title()) == 4
    finally:
        plt.close(fig)
