"""Headless Debian Chromium for tests of the pages drillsim writes (reports, replay).

`make test` installs the browser (`apt-get install chromium`); Playwright's own browser
download is never used. A page gets no network: every request other than a local file or an
inline resource is aborted and recorded, so a test can assert that a page is self-contained::

    with headless_page() as tab:
        tab.page.goto(path.as_uri())
        assert not tab.blocked and not tab.console_errors
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, Route, sync_playwright

# The Makefile exports CHROMIUM (default /usr/bin/chromium) and installs it when missing.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))

# Without the background-networking flags Chromium keeps calling home on a closed network;
# --disable-dev-shm-usage because a container's /dev/shm (64 MB in Docker) crashes renderers;
# the resolver rule fails, without DNS, anything the route below cannot stop (WebSockets,
# which Playwright only reports; IP literals are caught too).
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND",
]

# Schemes that never leave the machine; everything else (http, https, ws, ftp, …) is blocked.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

TIMEOUT_MS = 15_000


@dataclass
class BrowserTab:
    """A page in a fresh browser profile, with what it tried to fetch and what it logged."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    """URLs of requests (and WebSockets) that would have gone to the network, in order."""
    console_errors: list[str] = field(default_factory=list)
    """`console.error` messages and uncaught exceptions, in order."""

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _page_error(self, error: Error) -> None:
        self.console_errors.append(f"uncaught: {error.message}")


def require_chromium() -> Path:
    """The Chromium binary, or fail the test saying how to get it (never a silent skip)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `make test` installs it "
            "(apt-get install chromium), or set CHROMIUM=/path/to/chromium.",
            pytrace=False,
        )
    return CHROMIUM


@contextmanager
def headless_page(width: int = 1280, height: int = 800) -> Iterator[BrowserTab]:
    """Yield a `BrowserTab` in headless Chromium with an empty profile and no network.

    The profile directory is created for this page and removed afterwards, so no state
    (cache, storage, cookies) carries between tests.
    """
    executable = require_chromium()
    with tempfile.TemporaryDirectory(prefix="drillsim-chromium-") as profile, \
            sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=profile,
            executable_path=str(executable),
            headless=True,
            args=ARGS,
            viewport={"width": width, "height": height},
            service_workers="block",
        )
        try:
            context.set_default_timeout(TIMEOUT_MS)
            page = context.pages[0] if context.pages else context.new_page()
            tab = BrowserTab(page)
            context.route("**/*", tab._route)
            page.on("websocket", lambda ws: tab.blocked.append(ws.url))
            page.on("console", tab._console)
            page.on("pageerror", tab._page_error)
            yield tab
        finally:
            context.close()
