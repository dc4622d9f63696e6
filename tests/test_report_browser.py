"""The after-action report in a real browser (headless Debian Chromium): it opens from a file
with no network, shows every section and figure, and its print style makes a paged A4
document without the on-screen contents bar."""

from __future__ import annotations

import re
from pathlib import Path

from browser import headless_page

from drillsim.analysis.report import write_report

SECTIONS = ("summary", "overview", "objectives", "analysis", "timeline", "figures", "plan",
            "method")


def test_report_opens_offline_and_shows_every_section(chem_run: Path, tmp_path: Path) -> None:
    page_file = write_report(chem_run, tmp_path / "report.html")
    with headless_page() as tab:
        page = tab.page
        page.set_viewport_size({"width": 1200, "height": 900})
        page.goto(page_file.as_uri())
        for section in SECTIONS:
            box = page.locator(f"section#{section}").bounding_box()
            assert box is not None and box["height"] > 40, f"section {section} is empty"
        images = page.evaluate("""() => [...document.images].map(
            i => ({ok: i.complete && i.naturalWidth > 300, alt: i.alt}))""")
        assert len(images) >= 4 and all(i["ok"] for i in images), images
        page.click("nav.toc a[href='#plan']")
        assert page.evaluate("location.hash") == "#plan"
        assert page.locator("section#plan").is_visible()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") \
            == "none"
        pdf = page.pdf(format="A4", print_background=True)
        assert not tab.blocked, tab.blocked
        assert not tab.console_errors, tab.console_errors
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pdf.startswith(b"%PDF") and pages >= 4, pages
    assert (tmp_path / "report.png").stat().st_size > 50_000
