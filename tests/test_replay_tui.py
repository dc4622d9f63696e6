"""The terminal replay: its plain output off a terminal checked line by line on a hand-made run,
its clock and keys on the replay state, and a whole session driven through a pseudo-terminal."""

from __future__ import annotations

import io
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from drillsim.analysis.report.fmt import elapsed
from drillsim.cli.replay_tui import _keys, _Replay, replay_tui

HIDDEN = "Embankment seepage at Kings Staith"

DATA: dict[str, Any] = {
    "meta": {"name": "Riverside flood", "description": "Spring flood on the Ouse",
             "start_iso": "2024-03-02T06:00:00", "duration_s": 3 * 3600.0,
             "unscripted": False, "seed": 7, "drill_type": "flood",
             "hazard_text": ["River peaks at 5.1 m at T+2:00"]},
    "timeline": [
        {"t_s": 0.0, "tag": "hazard", "text": "Gauge at Low Bridge reads 3.9 m", "hidden": False},
        {"t_s": 600.0, "tag": "inject", "text": "Caller reports water in Mill Lane",
         "hidden": False},
        {"t_s": 1200.0, "tag": "command", "text": "Silver opens the rest centre [St Anne's]",
         "hidden": False},
        {"t_s": 1500.0, "tag": "hazard", "text": HIDDEN, "hidden": True},
        {"t_s": 3600.0, "tag": "command", "text": "Evacuate zone A", "hidden": False},
        {"t_s": 5400.0, "tag": "shortfall", "text": "Only 2 of 4 buses available",
         "hidden": False},
        {"t_s": 7200.0, "tag": "resource", "text": "Mutual aid boats arrive", "hidden": False},
    ],
    "objectives": [
        {"id": "evac-a", "text": "Zone A cleared within 80 min", "capability": "Evacuation",
         "met": False, "decided_s": 5400.0, "value": "1 h 30 min",
         "target": "at most 1 h 20 min"},
        {"id": "shelter", "text": "Rest centre open within 1 h", "capability": "Mass care",
         "met": True, "decided_s": 1200.0, "value": "20 min", "target": "at most 1 h"},
    ],
    "decisions": [
        {"id": "d1", "at_s": 3600.0, "question": "Evacuate zone A now or wait for the forecast?",
         "options": [
             {"id": "now", "label": "Evacuate now", "played": True,
              "objectives": [{"id": "evac-a", "met": False, "value": "1 h 30 min"},
                             {"id": "shelter", "met": True, "value": "20 min"}]},
             {"id": "wait", "label": "Wait 30 min", "played": False,
              "objectives": [{"id": "evac-a", "met": False, "value": "2 h 05 min"},
                             {"id": "shelter", "met": True, "value": "25 min"}]},
         ]},
    ],
}


def plain(view: str = "facilitator", **kwargs: Any) -> list[str]:
    out = io.StringIO()
    replay_tui(DATA, Console(file=out, width=200), view=view, **kwargs)
    return out.getvalue().splitlines()


def line_of(lines: list[str], *parts: str) -> int:
    """The index of the only line holding all ``parts``."""
    found = [i for i, line in enumerate(lines) if all(p in line for p in parts)]
    assert len(found) == 1, (parts, found, "\n".join(lines))
    return found[0]


# -- off a terminal ------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["facilitator", "player"])
def test_plain_output_lists_the_events_in_order_with_their_times(view: str) -> None:
    lines = plain(view)
    assert lines[0] == f"Riverside flood — {view} view"
    shown = [e for e in DATA["timeline"] if view == "facilitator" or not e["hidden"]]
    at = [line_of(lines, elapsed(e["t_s"]), e["tag"], e["text"]) for e in shown]
    assert at == sorted(at)
    assert lines[at[0]].startswith("T+0:00  day 1 06:00  hazard ")
    # Markup-like text is printed as written.
    assert "Silver opens the rest centre [St Anne's]" in lines[at[2]]
    if view == "facilitator":
        assert "(hidden) " + HIDDEN in lines[line_of(lines, HIDDEN)]
    else:
        assert not any(HIDDEN in line for line in lines)
    assert lines[-1] == "T+3:00  day 1 09:00  end of the run"


def test_plain_output_gives_each_verdict_when_it_is_decided() -> None:
    lines = plain()
    missed = line_of(lines, "MISSED     Zone A cleared within 80 min")
    assert lines[missed] == ("T+1:30  day 1 07:30  MISSED     Zone A cleared within 80 min — "
                             "1 h 30 min vs target at most 1 h 20 min")
    for entry in DATA["timeline"]:
        at = line_of(lines, entry["tag"], entry["text"])
        assert (at < missed) if entry["t_s"] <= 5400.0 else (at > missed), entry
    met = line_of(lines, "MET        Rest centre open within 1 h")
    assert lines[met].startswith("T+0:20  day 1 06:20  MET ")
    assert line_of(lines, "Silver opens") < met < line_of(lines, HIDDEN)


def test_plain_output_compares_the_options_at_a_decision_point() -> None:
    lines = plain("player")
    question = line_of(lines, "DECISION", "Evacuate zone A now or wait for the forecast?")
    assert lines[question].startswith("T+1:00  day 1 07:00  DECISION ")
    # The question comes before what was done at that moment, the options side by side.
    assert question < line_of(lines, "command", "Evacuate zone A")
    header = line_of(lines, "1. Evacuate now (played)", "2. Wait 30 min")
    row = line_of(lines, "Zone A cleared within 80 min", "MISSED 1 h 30 min", "MISSED 2 h 05 min")
    other = line_of(lines, "Rest centre open within 1 h", "MET 20 min", "MET 25 min")
    assert question < header < row < other < line_of(lines, "command", "Evacuate zone A")
    played = lines[header].index("1. Evacuate now")
    assert lines[row].index("MISSED 1 h 30 min") == played
    assert lines[row].index("MISSED 2 h 05 min") == lines[header].index("2. Wait 30 min")


def test_plain_output_from_a_start_time() -> None:
    lines = plain(start_s=3600.0, interactive=False)
    assert lines[0] == "Riverside flood — facilitator view, from T+1:00  day 1 07:00"
    assert not any(line.startswith("T+0:") for line in lines)
    assert line_of(lines, "DECISION") < line_of(lines, "Mutual aid boats arrive")


def test_a_view_must_be_known() -> None:
    with pytest.raises(ValueError, match="view"):
        plain("observer")


# -- the clock and the keys ----------------------------------------------------------------------


def test_the_clock_stops_at_injects_and_decision_points() -> None:
    replay = _Replay(DATA, speed_min_per_s=60.0, view="facilitator", start_s=0.0)
    replay.tick(100.0)
    assert replay.halt is not None and replay.halt.data["tag"] == "inject"
    assert replay.t == 600.0
    replay.tick(1.0)
    assert replay.t == 600.0
    replay.key(" ")  # continues
    replay.tick(100.0)
    assert replay.halt is not None and replay.halt.kind == "decision" and replay.t == 3600.0
    assert "Evacuate zone A" not in [it.data.get("text") for it in replay.items[:replay.shown]]
    replay.key("2")
    assert replay.choice == {replay.shown - 1: 1}
    replay.key("9")  # no ninth option
    assert replay.choice == {replay.shown - 1: 1}
    replay.key("enter")
    replay.tick(1000.0)
    assert replay.ended and replay.t == 3 * 3600.0
    replay.key(" ")
    assert replay.ended and not replay.paused


def test_stepping_pausing_speed_and_view() -> None:
    replay = _Replay(DATA, speed_min_per_s=5.0, view="player", start_s=1300.0)
    assert replay.shown == 4  # hazard, inject, command and the verdict decided with it
    replay.key("right")  # the hidden entry is skipped in the player view
    assert replay.halt is not None and replay.halt.kind == "decision" and replay.paused
    replay.key("p")
    assert replay.view == "facilitator"
    replay.key("left")
    assert replay.halt is None and replay.t == 1500.0
    replay.key("left")  # the hidden entry, now shown
    assert replay.t == 1200.0 and replay.shown == 4
    replay.key("left")  # back before the command, and before its verdict
    assert replay.t == 600.0 and replay.shown == 2
    replay.key("right")
    assert replay.t == 1200.0 and replay.shown == 4
    replay.key(" ")
    assert not replay.paused
    replay.key(" ")
    assert replay.paused
    replay.key("+")
    replay.key("+")
    assert replay.speed == 20.0
    replay.key("-")
    assert replay.speed == 10.0
    replay.key("q")
    assert replay.quit


def test_keys_from_a_terminal() -> None:
    assert _keys(b" p\x1b[C\x1b[D\x1bOC\x1b[1;5C+\r\x1bq") == [
        " ", "p", "right", "left", "right", "+", "enter"]
    assert _keys(b"\x1b") == ["escape"]


# -- on a terminal -------------------------------------------------------------------------------

SCRIPT = """\
import json, signal, sys
# A shell that starts the test suite in the background makes its children ignore Ctrl-C;
# a person at a terminal does not: restore the default so the interrupt test means that.
signal.signal(signal.SIGINT, signal.default_int_handler)
from rich.console import Console
from drillsim.cli.replay_tui import replay_tui
with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
replay_tui(data, Console(highlight=False, soft_wrap=True), speed_min_per_s=600.0,
           interactive=True)
"""
ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>])")
BUDGET_S = 60.0
"""A hard limit on each session, so the suite never hangs; generous because a loaded CI
machine can take seconds to start Python and import the engine."""
EXIT_S = 15.0


class Terminal:
    """A child process on a pseudo-terminal: what it drew so far, keys to send."""

    def __init__(self, tmp_path: Path) -> None:
        import fcntl
        import struct
        import termios

        (tmp_path / "data.json").write_text(json.dumps(DATA), encoding="utf-8")
        (tmp_path / "play.py").write_text(SCRIPT, encoding="utf-8")
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 130, 0, 0))
        self.initial_lflag = self.lflag()
        env = {k: v for k, v in os.environ.items()
               if k not in ("COLUMNS", "LINES", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")}
        env["TERM"] = "xterm-256color"
        self.proc = subprocess.Popen(
            [sys.executable, str(tmp_path / "play.py"), str(tmp_path / "data.json")],
            stdin=self.slave, stdout=self.slave, stderr=self.slave, env=env, close_fds=True)
        self.raw = b""
        self.deadline = time.monotonic() + BUDGET_S

    def _pump(self, until: float) -> None:
        while time.monotonic() < until:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if ready:
                self.raw += os.read(self.master, 65536)
            elif self.proc.poll() is not None:
                return

    def text(self, since: int = 0) -> str:
        return ANSI.sub("", self.raw[since:].decode("utf-8", errors="replace"))

    def wait_for(self, text: str, since: int = 0) -> None:
        while text not in self.text(since):
            assert time.monotonic() < self.deadline, f"no {text!r} in:\n{self.text(since)}"
            assert self.proc.poll() is None, f"exited {self.proc.returncode}:\n{self.text()}"
            self._pump(time.monotonic() + 0.05)

    def settle(self, quiet_s: float = 0.15) -> None:
        """Read until a whole frame has been drawn (it ends with the line of keys) and the screen
        has been still for ``quiet_s``."""
        while time.monotonic() < self.deadline and self.proc.poll() is None:
            size = len(self.raw)
            self._pump(time.monotonic() + quiet_s)
            if len(self.raw) == size and self.text().rstrip().endswith("q quit"):
                return

    def send(self, keys: bytes) -> int:
        """Send ``keys`` once the screen is still; the position in the output from which their
        effect shows."""
        self.settle()
        mark = len(self.raw)
        os.write(self.master, keys)
        return mark

    def exit_code(self) -> int:
        deadline = max(self.deadline, time.monotonic() + EXIT_S)  # its own time to exit
        while self.proc.poll() is None:
            assert time.monotonic() < deadline, "the replay did not exit"
            self._pump(time.monotonic() + 0.05)
        self._pump(time.monotonic() + 0.1)
        return self.proc.wait()

    def lflag(self) -> int:
        import termios

        return int(termios.tcgetattr(self.slave)[3])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    if sys.platform == "win32":
        pytest.skip("pseudo-terminals are POSIX")
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        term.close()


def test_a_session_on_a_terminal(terminal: Terminal) -> None:
    import termios

    terminal.wait_for("INJECT — any key continues")
    terminal.wait_for("FACILITATOR VIEW")
    terminal.wait_for("Caller reports water in Mill Lane")
    assert "T+0:10" in terminal.text()
    assert not terminal.lflag() & (termios.ECHO | termios.ICANON)  # keys one by one, no echo
    mark = terminal.send(b" ")
    terminal.wait_for("DECISION — 1–2 compare", mark)
    terminal.wait_for(HIDDEN, mark)  # shown to the facilitator
    mark = terminal.send(b"2")
    terminal.wait_for("MISSED 2 h 05 min", mark)
    terminal.wait_for("1. Evacuate now (played)", mark)
    mark = terminal.send(b" ")
    terminal.wait_for("END", mark)
    terminal.wait_for("MISSED  1 h 30 min vs target", mark)  # the objective's tile
    mark = terminal.send(b"p")
    terminal.wait_for("PLAYER VIEW", mark)
    terminal.wait_for("Mutual aid boats arrive", mark)
    terminal.settle()
    assert HIDDEN not in terminal.text(mark)
    terminal.send(b"q")
    assert terminal.exit_code() == 0
    assert terminal.raw.endswith(b"\x1b[?1049l")  # back from the full screen
    assert terminal.lflag() == terminal.initial_lflag


def test_the_terminal_is_restored_after_an_interrupt(terminal: Terminal) -> None:
    terminal.wait_for("INJECT")
    terminal.proc.send_signal(signal.SIGINT)
    assert terminal.exit_code() != 0
    assert b"\x1b[?1049l" in terminal.raw
    assert terminal.lflag() == terminal.initial_lflag
