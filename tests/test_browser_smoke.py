"""The browser harness itself: a local page runs, clicks and renders; the network stays shut."""

from __future__ import annotations

from pathlib import Path

from browser import headless_page

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>smoke</title></head>
<body>
  <svg width="120" height="60" viewBox="0 0 120 60" role="img" aria-label="zone">
    <rect x="5" y="5" width="110" height="50" fill="#2a6f97"/>
  </svg>
  <button id="go" type="button">order evacuation</button>
  <p id="status">level I</p>
  <script>
    document.getElementById("go").addEventListener("click", () => {
      document.getElementById("status").textContent = "level III: evacuate zone A";
    });
  </script>
</body></html>
"""


def test_local_page_clicks_renders_and_stays_offline(tmp_path: Path) -> None:
    html = tmp_path / "smoke.html"
    html.write_text(PAGE, encoding="utf-8")
    shot = tmp_path / "smoke.png"
    with headless_page() as tab:
        tab.page.goto(html.as_uri())
        assert tab.page.locator("#status").text_content() == "level I"
        assert tab.page.locator("svg rect").count() == 1
        tab.page.click("#go")
        assert tab.page.locator("#status").text_content() == "level III: evacuate zone A"
        tab.page.screenshot(path=str(shot), full_page=True)
        assert tab.blocked == []
        assert tab.console_errors == []
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000


def test_external_resources_are_blocked_and_counted(tmp_path: Path) -> None:
    html = tmp_path / "leaky.html"
    html.write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '</head><body><img src="http://tiles.example.org/0/0/0.png" alt="tile"></body></html>',
        encoding="utf-8",
    )
    with headless_page() as tab:
        tab.page.goto(html.as_uri())
        tab.page.wait_for_load_state("load")
        assert sorted(tab.blocked) == [
            "http://tiles.example.org/0/0/0.png", "https://cdn.example.com/x.css",
        ]
