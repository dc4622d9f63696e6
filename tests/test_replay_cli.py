"""`drillsim replay` end to end: a real run's page with its decision point's outcomes, the
page served on 127.0.0.1 only, the terminal replay, and clear errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from drillsim.cli.replay import build, page, start_server

DRILLSIM = str(Path(sys.executable).with_name("drillsim"))


def embedded(html: str) -> dict:
    m = re.search(r'<script id="replay-data" type="application/json">(.*?)</script>', html,
                  re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_replay_page_of_a_run_with_its_decision_point(chem_run: Path, tmp_path: Path) -> None:
    from drillsim.scenarios.examples import EXAMPLES

    data = build(chem_run, EXAMPLES["chemical-park-chlorine"])
    html = page(data)
    assert not re.search(r'(src|href)="https?://', html), "no resource outside the page"
    back = embedded(html)
    assert back["meta"]["name"] == "Chemical park chlorine release"
    (d,) = back["decisions"]
    assert [o["id"] for o in d["options"]] == ["wait", "call-now", "evacuate-now"]
    assert [o["played"] for o in d["options"]] == [True, False, False]
    played = {o["id"]: o["met"] for o in d["options"][0]["objectives"]}
    assert played == {o["id"]: o["met"] for o in back["objectives"]}
    # calling the hazmat teams at 20 min gets them ready sooner: never worse on that objective
    call = {o["id"]: o["met"] for o in d["options"][1]["objectives"]}
    assert call["hazmat-reinforced"] >= played["hazmat-reinforced"]
    path = tmp_path / "replay.html"
    path.write_text(html, encoding="utf-8")
    url, stop = start_server(path)
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as r:  # loopback only
            assert r.read().decode("utf-8") == html
    finally:
        stop()


def test_replay_command_and_terminal_view(chem_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    p = subprocess.run([DRILLSIM, "replay", str(chem_run), "--out", str(out)],
                       capture_output=True, text=True, timeout=300, check=False)
    assert p.returncode == 0, p.stderr
    assert f"wrote {out}" in p.stdout and out.stat().st_size > 10_000
    tui = subprocess.run([DRILLSIM, "replay", str(chem_run), "--tui", "--view", "player"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert tui.returncode == 0, tui.stderr
    assert "player view" in tui.stdout and "CH-04" not in tui.stdout  # the hidden inject
    bad = subprocess.run([DRILLSIM, "replay", str(tmp_path)], capture_output=True, text=True,
                         timeout=60, check=False)
    assert bad.returncode == 2 and "lacks summary.json" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_real_replay_in_the_browser_pauses_and_shows_a_decision(chem_run: Path,
                                                                 tmp_path: Path) -> None:
    """The chemical example's page: play stops at the first inject (T+0:05), then at the
    decision point (T+0:20); choosing 'call the hazmat teams now' shows that option's
    outcome beside the run as played."""
    from browser import headless_page

    from drillsim.scenarios.examples import EXAMPLES

    data = build(chem_run, EXAMPLES["chemical-park-chlorine"])
    path = tmp_path / "replay.html"
    path.write_text(page(data), encoding="utf-8")
    with headless_page() as tab:
        p = tab.page
        p.set_viewport_size({"width": 1400, "height": 900})
        p.goto(path.as_uri())
        p.evaluate("window.__replay.setSpeed(5); window.__replay.play()")
        p.wait_for_function("!window.__replay.state().playing", timeout=20_000)
        assert p.evaluate("window.__replay.state().t_s") == 300  # inject CH-01
        assert p.locator("text=chlorine alarm at tank T-3").first.is_visible()
        p.evaluate("window.__replay.play()")
        p.wait_for_function("!window.__replay.state().playing", timeout=20_000)
        assert p.evaluate("window.__replay.state().t_s") == 1200  # the decision point
        p.locator("text=Call the city hazmat teams now").first.click()
        (decision,) = data["decisions"]
        call = next(o for o in decision["options"] if o["id"] == "call-now")
        want = next(o for o in call["objectives"] if o["id"] == "hazmat-reinforced")
        assert p.locator(f"text={want['value']}").first.is_visible()
        p.screenshot(path=str(tmp_path / "decision.png"))
        assert not tab.blocked and not tab.console_errors
