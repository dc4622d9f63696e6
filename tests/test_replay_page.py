"""The tabletop replay page end to end in headless Chromium: opened from disk with no network,
played, paused at injects and decision points, switched between facilitator and player view.

Screenshots (start, at an inject, at the decision with outcomes) go to the folder named by
``DRILLSIM_REPLAY_SHOTS`` when it is set, otherwise to the test's temporary folder.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import BrowserTab, headless_page
from replay_fixture import (
    LARGE_SIZES,
    SMALL_DECISION_S,
    SMALL_DURATION_S,
    SMALL_FRAME_S,
    SMALL_HIDDEN_INJECT_S,
    SMALL_HIDDEN_TEXT,
    SMALL_INJECT_S,
    SMALL_INJECT_TEXT,
    SMALL_MISSED_S,
    large_replay,
    render_page,
    small_replay,
)

PLAY_TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def small_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small replay rendered to a file."""
    return render_page(small_replay(), tmp_path_factory.mktemp("replay") / "replay.html")


@pytest.fixture(scope="module")
def large_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The large replay rendered to a file."""
    return render_page(large_replay(), tmp_path_factory.mktemp("replay-large") / "replay.html")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go."""
    folder = Path(os.environ.get("DRILLSIM_REPLAY_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def tab() -> Iterator[BrowserTab]:
    """A fresh offline browser page; checks nothing was fetched and nothing logged an error."""
    with headless_page() as t:
        yield t
        assert t.blocked == []
        assert t.console_errors == []


def open_replay(tab: BrowserTab, page: Path, view: str | None = None) -> None:
    """Open ``page`` (optionally with ``#player``/``#facilitator``) and wait for the script."""
    tab.page.goto(page.as_uri() + (f"#{view}" if view else ""))
    tab.page.wait_for_function("window.__replay !== undefined")


def state(tab: BrowserTab) -> dict[str, Any]:
    """``window.__replay.state()``."""
    return tab.page.evaluate("window.__replay.state()")


def seek(tab: BrowserTab, t_s: float) -> None:
    """Set the clock."""
    tab.page.evaluate(f"window.__replay.seek({t_s})")


def play_until_paused(tab: BrowserTab, speed: int = 60) -> dict[str, Any]:
    """Choose ``speed``, press play and wait until play stops on its own."""
    tab.page.click(f"#speed button[data-speed='{speed}']")
    tab.page.click("#btn-play")
    tab.page.wait_for_function("!window.__replay.state().playing", timeout=PLAY_TIMEOUT_MS)
    return state(tab)


def visible_timeline(tab: BrowserTab) -> list[str]:
    """Texts of the timeline entries on screen, in order."""
    return tab.page.eval_on_selector_all(
        "#timeline .tl-item", "els => els.filter(e => e.offsetParent !== null)"
        ".map(e => e.querySelector('.tl-text').textContent)")


def test_opens_from_file_with_clock_map_timeline_and_tiles(
        tab: BrowserTab, small_page: Path, shots: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    assert page.title() == "Tabletop replay — Riverside flood — spring tide"
    assert page.text_content("#clock-t") == "T+0:00"
    assert page.text_content("#clock-wall").startswith("Day 1 06:00")
    assert state(tab) == {"t_s": 0, "playing": False, "view": "facilitator", "frame": 0,
                          "speed": 15}
    assert page.locator("#timeline .tl-item").count() == 12     # 11 entries and the decision
    assert page.locator(".obj.pending").count() == 3
    assert page.locator("#layer-switch button").all_text_contents() == [
        "Flood", "People at home"]
    assert "water depth (m)" in page.text_content("#legend")
    colours = page.evaluate("""() => {
        const c = document.getElementById('map');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i+1] << 8) | d[i+2]);
        return seen.size;
    }""")
    assert colours > 20
    page.click("#layer-switch button:has-text('People at home')")
    assert "still at home" in page.text_content("#legend")
    page.click("#layer-switch button:has-text('Flood')")
    page.screenshot(path=str(shots / "replay-1-start.png"))


def test_play_advances_the_clock_and_space_pauses(tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    page.click("#speed button[data-speed='15']")
    page.click("#btn-play")
    page.wait_for_function("window.__replay.state().t_s > 300")
    s = state(tab)
    assert s["playing"] and s["frame"] >= 1
    assert page.text_content("#clock-t") != "T+0:00"
    page.keyboard.press("Space")
    page.wait_for_function("!window.__replay.state().playing")
    paused_at = state(tab)["t_s"]
    page.wait_for_timeout(200)
    assert state(tab)["t_s"] == paused_at
    assert len(page.evaluate("window.__replay.frameTimes")) > 3


def test_play_pauses_at_each_inject_with_a_banner(
        tab: BrowserTab, small_page: Path, shots: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    s = play_until_paused(tab)
    assert s["t_s"] == SMALL_INJECT_S
    assert page.is_visible("#inject-banner")
    assert SMALL_INJECT_TEXT in page.text_content("#inject-banner")
    assert page.text_content("#clock-t") == "T+1:30"
    current = page.locator("#timeline .tl-item.current")
    assert current.count() == 1 and SMALL_INJECT_TEXT in current.text_content()
    page.screenshot(path=str(shots / "replay-2-inject.png"))

    # facilitator view: play also stops at the hidden inject, marked as hidden
    page.click("#inject-resume")
    page.wait_for_function("!window.__replay.state().playing", timeout=PLAY_TIMEOUT_MS)
    assert state(tab)["t_s"] == SMALL_HIDDEN_INJECT_S
    banner = page.text_content("#inject-banner")
    assert SMALL_HIDDEN_TEXT in banner and "hidden from players" in banner


def test_missed_objective_turns_red_at_its_exact_time(tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    tile = page.locator(".obj[data-id='shelter-capacity']")
    assert tile.get_attribute("data-state") == "pending"
    tile.click()
    assert state(tab)["t_s"] == SMALL_MISSED_S
    assert tile.get_attribute("data-state") == "missed"
    assert "missed" in tile.get_attribute("class")
    assert "112 %" in tile.text_content() and "≤ 100 %" in tile.text_content()
    bg = tile.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert bg == "rgb(198, 40, 40)"                                  # U #c62828

    page.click("#btn-back")                                          # one frame earlier
    assert state(tab)["t_s"] == SMALL_MISSED_S // SMALL_FRAME_S * SMALL_FRAME_S
    assert tile.get_attribute("data-state") == "pending"
    assert "112 %" not in tile.text_content()
    page.keyboard.press("ArrowRight")                                # the next frame
    assert state(tab)["t_s"] == (SMALL_MISSED_S // SMALL_FRAME_S + 1) * SMALL_FRAME_S
    assert tile.get_attribute("data-state") == "missed"

    # decided_s null: decided at the end of the run
    end = page.locator(".obj[data-id='hospital-open']")
    assert end.get_attribute("data-state") == "pending"
    end.click()
    assert state(tab)["t_s"] == SMALL_DURATION_S
    assert end.get_attribute("data-state") == "met"


def test_timeline_click_jumps_and_highlights(tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    page.click("#timeline .tl-item:has-text('Quayside Road closed')")
    assert state(tab)["t_s"] == 7200.0
    assert "Quayside Road closed" in page.text_content("#timeline .tl-item.current")
    assert page.text_content("#clock-t") == "T+2:00"
    page.click(f"#timeline .tl-item:has-text('{SMALL_INJECT_TEXT}')")
    assert state(tab)["t_s"] == SMALL_INJECT_S
    assert page.is_visible("#inject-banner")
    page.keyboard.press("Escape")
    assert not page.is_visible("#inject-banner")


def test_player_view_hides_hidden_entries_future_and_hazard_details(
        tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    seek(tab, 12_000.0)
    facilitator = visible_timeline(tab)
    assert len(facilitator) == 12
    assert any(SMALL_HIDDEN_TEXT in t and "hidden from players" in t for t in facilitator)
    assert page.is_visible("#hazard-brief")
    assert page.text_content("#view-label").startswith("Facilitator view")

    page.click("#view-player")
    assert state(tab)["view"] == "player"
    assert page.evaluate("location.hash") == "#player"
    assert page.text_content("#view-label").startswith("Player view")
    player = visible_timeline(tab)
    assert not any(SMALL_HIDDEN_TEXT in t for t in player)
    assert len(player) == 6                       # entries up to T+3:20, the hidden one left out
    assert all("River crest" not in t and "Foundry" not in t for t in player)
    assert not page.is_visible("#hazard-brief")
    assert page.locator("#ticks .tick:visible").count() == 0
    # the clock moves on: entries appear as it reaches them
    seek(tab, 12_600.0)
    assert len(visible_timeline(tab)) == 7

    page.click("#view-facilitator")
    assert page.evaluate("location.hash") == "#facilitator"
    assert len(visible_timeline(tab)) == 12


def test_player_view_from_the_url_and_no_stop_at_hidden_injects(
        tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page, view="player")
    page = tab.page
    assert state(tab)["view"] == "player"
    assert page.is_visible("#view-player[aria-pressed='true']")
    seek(tab, SMALL_INJECT_S + 60)
    s = play_until_paused(tab)
    assert s["t_s"] == SMALL_DECISION_S                  # passed the hidden inject at T+3:00
    assert not page.is_visible("#inject-banner")
    assert page.is_visible("#decision")


def test_decision_point_pauses_and_shows_outcomes_side_by_side(
        tab: BrowserTab, small_page: Path, shots: Path) -> None:
    open_replay(tab, small_page, view="player")
    page = tab.page
    seek(tab, SMALL_DECISION_S - 600)
    s = play_until_paused(tab, speed=15)
    assert s["t_s"] == SMALL_DECISION_S
    assert page.is_visible("#decision")
    assert "Open Oakfield School" in page.text_content("#decision-q")
    assert page.locator("#decision-options .option").count() == 2
    # player view: no outcome before the room has chosen, and nothing says what was played
    assert page.locator("table.outcomes").count() == 0
    assert "as played" not in page.text_content("#decision")

    page.click("#decision-options .option[data-option='open-now']")
    table = page.locator("table.outcomes")
    assert table.count() == 1
    headers = table.locator("thead th").all_text_contents()
    assert headers[0] == "Objective"
    assert headers[1].startswith("Open Oakfield School now") and "room's choice" in headers[1]
    assert headers[2].startswith("Hold staff") and "as played" in headers[2]
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    capacity = rows.filter(has_text="No shelter over its capacity").locator("td.cell")
    assert capacity.nth(0).get_attribute("data-state") == "met"
    assert "91 %" in capacity.nth(0).text_content()
    assert capacity.nth(1).get_attribute("data-state") == "missed"
    assert "112 %" in capacity.nth(1).text_content()
    assert table.locator("tfoot").text_content().count("of 3") == 2
    page.screenshot(path=str(shots / "replay-3-decision.png"))

    page.click("#decision-continue")
    assert not page.is_visible("#decision")
    page.wait_for_function(f"window.__replay.state().t_s > {SMALL_DECISION_S}")
    page.click("#btn-play")                                          # pause again
    # reopened from the timeline, the room's choice is remembered
    page.click("#timeline .tl-item.tag-decision")
    assert page.is_visible("#decision")
    assert state(tab)["t_s"] == SMALL_DECISION_S
    assert page.locator("#decision-options .option.chosen").get_attribute(
        "data-option") == "open-now"
    assert "room chose: Open Oakfield School now" in page.text_content(
        "#timeline .tl-item.tag-decision")


def test_facilitator_view_shows_outcomes_before_a_choice(
        tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    page.click("#timeline .tl-item.tag-decision")
    assert page.locator("table.outcomes tbody tr").count() == 3
    assert "as played" in page.text_content("#decision-options")
    page.click("#view-player")                                       # hidden again for the room
    assert page.locator("table.outcomes").count() == 0


def test_step_buttons_and_arrow_keys_move_one_frame(tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert state(tab)["t_s"] == 2 * SMALL_FRAME_S and state(tab)["frame"] == 2
    page.click("#btn-back")
    assert state(tab)["t_s"] == SMALL_FRAME_S
    seek(tab, 1000.0)                                     # between frames 3 and 4
    page.keyboard.press("ArrowLeft")
    assert state(tab)["t_s"] == 900.0
    page.click("#btn-fwd")
    assert state(tab)["t_s"] == 1200.0
    page.locator("#scrubber").focus()                     # the scrubber does not steal arrows
    page.keyboard.press("ArrowRight")
    assert state(tab)["t_s"] == 1500.0


def test_hover_shows_zone_and_shelter_tooltips(tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    seek(tab, 18_000.0)
    box = page.locator("#map").bounding_box()
    assert box is not None

    def hover(x: float, y: float) -> str:
        p = page.evaluate(f"window.__replay.project({x}, {y})")
        page.mouse.move(box["x"] + p["x"], box["y"] + p["y"])
        page.wait_for_selector("#tooltip:not([hidden])")
        return page.text_content("#tooltip")

    zone = hover(1000.0, 1000.0)                                   # Weir Street, by the river
    assert "Weir Street" in zone and "water depth (m)" in zone and "or more" in zone
    shelter = hover(6000.0, 4200.0)                                # Foundry Hall, over capacity
    assert "Foundry Hall" in shelter and "Occupancy" in shelter and "%" in shelter
    closed = hover(7600.0, 5400.0)                                 # Highgate Church, closed
    assert "closed" in closed
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] - 2)
    page.wait_for_selector("#tooltip", state="hidden")


def test_map_follows_the_window_and_counts_what_is_on_it(
        tab: BrowserTab, small_page: Path) -> None:
    open_replay(tab, small_page)
    page = tab.page
    seek(tab, 13_500.0)
    page.wait_for_timeout(100)
    before = page.evaluate("document.getElementById('map').width")
    page.set_viewport_size({"width": 1600, "height": 900})
    page.wait_for_function(f"document.getElementById('map').width > {before}")
    wrap = page.locator("#map-wrap").bounding_box()
    canvas = page.locator("#map").bounding_box()
    assert wrap is not None and canvas is not None
    assert abs(wrap["width"] - canvas["width"]) <= 1 and abs(wrap["height"] - canvas["height"]) <= 1
    # at T+3:45: I2, I4 and I5 open; four teams out; roads 1, 2 and 18 closed
    stats = page.text_content("#map-stats")
    assert "3 incidents open" in stats and "4 teams out" in stats and "3 roads closed" in stats


def test_sparse_data_still_plays(tab: BrowserTab, tmp_path: Path) -> None:
    """No hazards, no start time, no decisions, no teams: the page still opens and plays."""
    data = small_replay()
    data["meta"].update(start_iso="", seed=None, hazard_text=[])
    data["frames"]["hazards"] = []
    for key in ("decisions", "teams", "incidents", "road_changes"):
        data[key] = []
    page = render_page(data, tmp_path / "sparse.html")
    open_replay(tab, page)
    assert tab.page.locator("#layer-switch button").count() == 1      # people at home only
    assert not tab.page.is_visible("#hazard-brief")
    s = play_until_paused(tab)
    assert s["t_s"] == SMALL_INJECT_S


def test_unreadable_data_is_explained_on_the_page(tab: BrowserTab, tmp_path: Path) -> None:
    data = small_replay()
    data["version"] = 2
    page = render_page(data, tmp_path / "v2.html")
    tab.page.goto(page.as_uri())
    assert "this page reads version 1" in tab.page.text_content(".error")


def test_large_city_plays_with_short_frames(tab: BrowserTab, large_page: Path) -> None:
    open_replay(tab, large_page)
    page = tab.page
    timeline = page.locator("#timeline .tl-item").count()
    assert timeline > 600
    assert page.evaluate("window.__replay.state().frame") == 0
    page.evaluate("window.__replay.setAutoPause(false)")
    seek(tab, 80_000.0)
    page.click("#speed button[data-speed='60']")
    page.click("#btn-play")
    page.wait_for_timeout(3000)
    page.click("#btn-play")
    times = page.evaluate("window.__replay.frameTimes")
    assert len(times) > 30
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"large replay ({LARGE_SIZES}): {len(times)} frames, median "
          f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms")
    assert p95 < 50.0
