"""``drillsim replay``: build the tabletop replay page of a run (and its decision points'
continuations), serve it on 127.0.0.1, or replay it in the terminal."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from drillsim.analysis.replay.data import replay_data
from drillsim.analysis.replay.decisions import decision_outcomes, seed_of
from drillsim.analysis.runio import read_json

NEEDS = ("summary.json", "events.parquet", "map.npz")


class ReplayError(Exception):
    """A run folder that cannot be replayed, in one sentence."""


def check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ReplayError(f"{folder} is not a folder")
    missing = [f for f in NEEDS if not (folder / f).is_file()]
    if missing:
        raise ReplayError(f"{folder} is not a run folder that can be replayed: it lacks "
                          f"{', '.join(missing)} (write one with `drillsim run`)")


def scenario_source(folder: Path, given: Path | None) -> Path | None:
    """The scenario file of the run: as given, or as recorded in its ``scenario.json``."""
    if given is not None:
        return given
    card_file = folder / "scenario.json"
    if card_file.is_file():
        source = read_json(card_file).get("source")
        if source and Path(source).is_file():
            return Path(source)
    return None


def build(folder: Path, scenario: Path | None,
          progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The replay data of the run in ``folder``, with its decision points' outcomes if the
    scenario declares any (each option run on the run's own seed)."""
    from drillsim.scenarios import load

    check_folder(folder)
    data = replay_data(folder)
    source = scenario_source(folder, scenario)
    if source is None:
        return data
    compiled = load(source)
    manifest = pq.read_schema(folder / "events.parquet").metadata or {}
    digest = json.loads(manifest.get(b"drillsim.manifest", b"{}")).get("scenario_digest")
    if digest and compiled.digest != digest:
        raise ReplayError(f"{source} has changed since this run was made, so its decision "
                          "points cannot be replayed on the run's random numbers; run the "
                          "scenario again")
    if compiled.decisions:
        summary = read_json(folder / "summary.json")
        rows = summary.get("scorecard", {}).get("objectives", [])
        data["decisions"] = decision_outcomes(compiled, seed_of(summary), rows, progress)
    return data


def page(data: dict[str, Any]) -> str:
    """The self-contained replay page: its styles, script and data inline."""
    import jinja2

    files = resources.files("drillsim.analysis.replay") / "templates"
    html = (files / "replay.html").read_text(encoding="utf-8")
    # every "<" escaped (still JSON): no text in the data can close or open a tag
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return jinja2.Template(html).render(
        css=(files / "replay.css").read_text(encoding="utf-8"),
        js=(files / "replay.js").read_text(encoding="utf-8"), data_json=text)


def serve(path: Path, port: int, ready: Callable[[str], None]) -> None:
    """Serve ``path``'s folder on 127.0.0.1 only (the page is the index) until Ctrl-C."""
    handler = functools.partial(_Quiet, directory=str(path.parent), page=path.name)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        ready(f"http://127.0.0.1:{httpd.server_address[1]}/")
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the page at ``/`` and nothing outside its folder; logs nothing."""

    def __init__(self, *args: Any, page: str, **kwargs: Any) -> None:
        self.page = page
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path in ("/", ""):
            self.path = "/" + self.page
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


def start_server(path: Path, port: int = 0) -> tuple[str, Callable[[], None]]:
    """Serve in a background thread (for tests): (address, stop)."""
    handler = functools.partial(_Quiet, directory=str(path.parent), page=path.name)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    return f"http://127.0.0.1:{httpd.server_address[1]}/", stop
