"""The replay of a run in a terminal, for rooms without a browser on the projector.

:func:`replay_tui` plays the replay data of a run (version 1: ``meta``, ``timeline``,
``objectives`` and ``decisions``) against a clock. On a terminal it is a full screen: a header
with the scenario, the view and the clock (``T+h:mm`` and the scenario's wall clock), the latest
events of the timeline coloured by kind, and one tile per objective that turns green (met) or
red (missed) when the clock reaches the moment it was decided. The clock stops at every inject
and every decision point until a key is pressed; at a decision point the number keys compare
the outcomes of its options side by side.

Keys: space pauses and resumes (and continues from an inject or a decision point), → and ←
step one event forward and back, + and - change the speed, p switches between the facilitator
and the player view, 1–9 choose an option at a decision point, q quits.

Off a terminal (a log, a pipe, a test) the same replay is printed as plain lines at full speed:
each event with its time, each objective's verdict when it is decided, and at each decision
point its question with the outcomes of all its options side by side.

The player view never shows the timeline entries marked hidden; the facilitator view shows them,
marked as hidden.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich import box
from rich.console import Console, Group, RenderableType
from rich.layout import Layout
from rich.live import Live
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drillsim.analysis.report.fmt import elapsed, wall_clock

try:  # POSIX only: elsewhere the replay is printed as plain lines.
    import termios
    import tty
except ImportError:  # pragma: no cover - not POSIX
    termios = None  # type: ignore[assignment]
    tty = None  # type: ignore[assignment]

__all__ = ["SPEEDS", "TAG_STYLES", "VIEWS", "replay_tui"]

View = Literal["facilitator", "player"]
VIEWS: tuple[View, ...] = ("facilitator", "player")

TAG_STYLES: dict[str, str] = {
    "hazard": "bold red3",
    "command": "cyan",
    "inject": "bold magenta",
    "resource": "blue",
    "shortfall": "yellow",
    "met": "green",
    "missed": "red",
    "decision": "bold yellow",
}
"""How each kind of timeline entry is coloured."""

SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0,
                             600.0)
"""The speeds (simulated minutes per real second) that + and - step through."""

TAG_WIDTH = 9  # "shortfall"
FRAME_S = 0.05  # how long one pass of the screen loop waits for a key
HEADER_LINES = 5


@dataclass(frozen=True)
class _Item:
    """One thing that happens at ``t_s``: a timeline entry, an objective's verdict or a decision
    point (``data`` is the entry, the objective or the decision as given)."""

    t_s: float
    kind: Literal["entry", "verdict", "decision"]
    data: Mapping[str, Any]
    hidden: bool = False

    def visible(self, view: View) -> bool:
        """Whether the ``view`` shows this item."""
        return view == "facilitator" or not self.hidden

    def stops(self, view: View) -> bool:
        """Whether the clock stops here in ``view`` (injects and decision points)."""
        if not self.visible(view):
            return False
        return self.kind == "decision" or (
            self.kind == "entry" and self.data.get("tag") == "inject")


def _items(data: Mapping[str, Any], end_s: float) -> list[_Item]:
    """Everything that happens in the run, in time order. At the same moment a decision point
    comes first (the question is put before its outcome is seen), then the timeline entries,
    then the objectives decided at that moment. An objective without a decision time is decided
    at the end of the run."""
    rank = {"decision": 0, "entry": 1, "verdict": 2}
    items = [_Item(float(e.get("t_s", 0.0)), "entry", e, bool(e.get("hidden", False)))
             for e in data.get("timeline", [])]
    for obj in data.get("objectives", []):
        at = obj.get("decided_s")
        items.append(_Item(end_s if at is None else float(at), "verdict", obj))
    items.extend(_Item(float(d.get("at_s", 0.0)), "decision", d)
                 for d in data.get("decisions", []))
    order = sorted(range(len(items)), key=lambda i: (items[i].t_s, rank[items[i].kind], i))
    return [items[i] for i in order]


def _end_s(data: Mapping[str, Any]) -> float:
    """The end of the replay: the run's duration, or its last event if that is later."""
    times = [float(e.get("t_s", 0.0)) for e in data.get("timeline", [])]
    times += [float(d.get("at_s", 0.0)) for d in data.get("decisions", [])]
    times += [float(o["decided_s"]) for o in data.get("objectives", [])
              if o.get("decided_s") is not None]
    return max([float(data.get("meta", {}).get("duration_s", 0.0)), *times])


def _clock(meta: Mapping[str, Any], t_s: float) -> str:
    """``T+h:mm`` and, with a start time, the scenario's wall clock (to the same minute)."""
    wall = wall_clock(str(meta.get("start_iso", "")), 60.0 * round(float(t_s) / 60.0))
    return f"{elapsed(t_s)}  {wall}" if wall else elapsed(t_s)


def _verdict(obj: Mapping[str, Any]) -> Text:
    """``MET`` in green or ``MISSED`` in red."""
    return (Text("MET", style="bold green") if obj.get("met")
            else Text("MISSED", style="bold red"))


def _value_vs_target(obj: Mapping[str, Any]) -> str:
    value, target = str(obj.get("value", "")), str(obj.get("target", ""))
    return f"{value} vs target {target}" if target else value


def _entry_text(entry: Mapping[str, Any], view: View) -> Text:
    """An entry's text, marked when it is hidden from the players."""
    text = Text()
    if entry.get("hidden") and view == "facilitator":
        text.append("(hidden) ", style="italic dim")
    text.append(str(entry.get("text", "")))
    return text


def _outcomes_table(decision: Mapping[str, Any], objectives: Sequence[Mapping[str, Any]],
                    chosen: int | None = None) -> Table:
    """The objectives' outcomes under each option of ``decision``, one column per option; the
    option played in the run is marked, the ``chosen`` one (index) highlighted."""
    options = list(decision.get("options", []))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("objective")
    for i, option in enumerate(options):
        label = f"{i + 1}. {option.get('label', option.get('id', ''))}"
        if option.get("played"):
            label += " (played)"
        table.add_column(label, style="reverse" if i == chosen else None,
                         header_style="bold reverse" if i == chosen else "bold")
    texts = {str(o.get("id")): str(o.get("text", o.get("id", ""))) for o in objectives}
    outcomes = [{str(r.get("id")): r for r in option.get("objectives", [])} for option in options]
    ids = [i for i in texts if any(i in o for o in outcomes)]
    ids += [i for o in outcomes for i in o if i not in ids and i not in texts]
    ids = list(dict.fromkeys(ids))
    for oid in ids:
        cells: list[RenderableType] = [Text(texts.get(oid, oid))]
        for outcome in outcomes:
            result = outcome.get(oid)
            if result is None:
                cells.append(Text("—", style="dim"))
            else:
                cell = _verdict(result)
                cell.append(f" {result.get('value', '')}".rstrip())
                cells.append(cell)
        table.add_row(*cells)
    return table


# ---------------------------------------------------------------------------------------------
# Off a terminal: plain lines at full speed.


def _print_plain(data: Mapping[str, Any], console: Console, view: View, start_s: float) -> None:
    meta = data.get("meta", {})
    end_s = _end_s(data)
    objectives = list(data.get("objectives", []))
    title = Text(f"{meta.get('name', 'replay')} — {view} view", style="bold")
    if start_s > 0:
        title.append(f", from {_clock(meta, start_s)}")
    console.print(title, soft_wrap=True)
    if meta.get("description"):
        console.print(Text(str(meta["description"])), soft_wrap=True)
    for line in meta.get("hazard_text", []) or []:
        console.print(Text(f"  {line}", style="dim"), soft_wrap=True)
    for item in _items(data, end_s):
        if item.t_s < start_s or not item.visible(view):
            continue
        line = Text(f"{_clock(meta, item.t_s)}  ")
        if item.kind == "entry":
            tag = str(item.data.get("tag", ""))
            line.append(f"{tag:<{TAG_WIDTH}}", style=TAG_STYLES.get(tag, ""))
            line.append("  ").append_text(_entry_text(item.data, view))
            console.print(line, soft_wrap=True)
        elif item.kind == "verdict":
            word = _verdict(item.data)
            word.pad_right(TAG_WIDTH - len(word))
            line.append_text(word)
            line.append(f"  {item.data.get('text', item.data.get('id', ''))}"
                        f" — {_value_vs_target(item.data)}")
            console.print(line, soft_wrap=True)
        else:
            line.append(f"{'DECISION':<{TAG_WIDTH}}", style=TAG_STYLES["decision"])
            line.append(f"  {item.data.get('question', '')}")
            console.print(line, soft_wrap=True)
            console.print(Padding(_outcomes_table(item.data, objectives), (0, 0, 0, 2)))
    console.print(Text(f"{_clock(meta, end_s)}  end of the run", style="dim"), soft_wrap=True)


# ---------------------------------------------------------------------------------------------
# On a terminal: the screen and its keys.


class _Replay:
    """The state of an interactive replay: the clock, what has been revealed, the view, the
    speed, where the clock stopped, and the options chosen at decision points."""

    def __init__(self, data: Mapping[str, Any], *, speed_min_per_s: float, view: View,
                 start_s: float) -> None:
        self.meta: Mapping[str, Any] = data.get("meta", {})
        self.objectives: list[Mapping[str, Any]] = list(data.get("objectives", []))
        self.end_s = _end_s(data)
        self.items = _items(data, self.end_s)
        self.view: View = view
        self.speed = float(speed_min_per_s)
        self.paused = False
        self.halt: _Item | None = None
        self.choice: dict[int, int] = {}  # decision item index -> option index
        self.quit = False
        self.t = min(max(float(start_s), 0.0), self.end_s)
        self.shown = sum(1 for item in self.items if item.t_s < self.t)

    @property
    def ended(self) -> bool:
        """Whether the clock has reached the end with everything revealed."""
        return self.shown >= len(self.items) and self.t >= self.end_s

    @property
    def running(self) -> bool:
        return not (self.paused or self.halt is not None or self.ended)

    def tick(self, real_s: float) -> None:
        """Advance the clock by ``real_s`` real seconds, revealing what happens, and stop at the
        first inject or decision point reached."""
        if not self.running:
            return
        self.t = min(self.t + real_s * self.speed * 60.0, self.end_s)
        while self.shown < len(self.items) and self.items[self.shown].t_s <= self.t:
            item = self.items[self.shown]
            self.shown += 1
            if item.stops(self.view):
                self.halt, self.t = item, item.t_s
                return

    def key(self, key: str) -> None:
        """Act on one key (``"right"``, ``"left"``, ``"enter"`` or a character)."""
        if len(key) == 1:
            key = key.lower()
        if key == "q":
            self.quit = True
        elif key == "p":
            self.view = "player" if self.view == "facilitator" else "facilitator"
            if self.halt is not None and not self.halt.stops(self.view):
                self.halt = None
        elif len(key) == 1 and key in "+=":
            self.speed = next((s for s in SPEEDS if s > self.speed), self.speed)
        elif len(key) == 1 and key in "-_":
            self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), self.speed)
        elif len(key) == 1 and key in "123456789":
            if self.halt is not None and self.halt.kind == "decision":
                index = int(key) - 1
                if index < len(self.halt.data.get("options", [])):
                    self.choice[self.shown - 1] = index
        elif key == "right":
            self.step_forward()
        elif key == "left":
            self.step_back()
        elif key == " " and self.halt is None and not self.ended:
            self.paused = not self.paused
        elif self.halt is not None:  # any other key continues from an inject or decision
            self.halt, self.paused = None, False

    def _is_event(self, item: _Item) -> bool:
        return item.kind != "verdict" and item.visible(self.view)

    def step_forward(self) -> None:
        """Reveal up to the next event this view shows (and the objectives decided with it),
        and pause there."""
        self.halt, self.paused = None, True
        while self.shown < len(self.items):
            item = self.items[self.shown]
            self.shown += 1
            self.t = item.t_s
            if self._is_event(item):
                if item.stops(self.view):
                    self.halt = item
                    return
                break
        else:
            self.t = self.end_s
        while (self.shown < len(self.items) and self.items[self.shown].kind == "verdict"
               and self.items[self.shown].t_s <= self.t):
            self.shown += 1

    def step_back(self) -> None:
        """Take back the latest event this view shows (and what came with it), and pause."""
        self.halt, self.paused = None, True
        last = next((i for i in range(self.shown - 1, -1, -1) if self._is_event(self.items[i])),
                    None)
        self.shown = 0 if last is None else last
        self.t = self.items[self.shown - 1].t_s if self.shown else 0.0

    # -- drawing ----------------------------------------------------------------------------

    def status(self) -> Text:
        if self.ended:
            return Text("■ END — q quits, ← steps back", style="bold")
        if self.halt is not None and self.halt.kind == "decision":
            n = len(self.halt.data.get("options", []))
            return Text(f"⏸ DECISION — 1–{n} compare, space continues",
                        style="bold black on yellow")
        if self.halt is not None:
            return Text("⏸ INJECT — any key continues", style="bold white on magenta")
        if self.paused:
            return Text("⏸ PAUSED", style="bold reverse")
        return Text(f"▶ {self.speed:g} min/s", style="bold green")

    def header(self) -> Panel:
        meta = self.meta
        top = Text(str(meta.get("name", "replay")), style="bold")
        top.append("   ")
        top.append(f" {self.view.upper()} VIEW ",
                   style="bold black on cyan" if self.view == "facilitator"
                   else "bold black on green")
        top.append(f"   {_clock(meta, self.t)}   ", style="bold")
        top.append_text(self.status())
        kind = " · ".join(str(p) for p in (
            f"{meta['drill_type']} drill" if meta.get("drill_type") else "",
            f"seed {meta['seed']}" if meta.get("seed") is not None else "",
            "unscripted" if meta.get("unscripted") else "scripted") if p)
        about = Text(kind, style="dim")
        if meta.get("description"):
            about.append(f" — {meta['description']}", style="dim")
        hazard = Text(" · ".join(str(h) for h in meta.get("hazard_text", []) or []),
                      style="italic")
        for line in (top, about, hazard):
            line.no_wrap, line.overflow = True, "ellipsis"
        return Panel(Group(top, about, hazard), box=box.ROUNDED, padding=(0, 1))

    def events(self, rows: int) -> Panel:
        shown = [it for it in self.items[:self.shown] if self._is_event(it)]
        latest = shown[-max(rows, 1):]
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(no_wrap=True, style="dim",
                        min_width=max((len(elapsed(it.t_s)) for it in latest), default=6))
        grid.add_column(no_wrap=True, min_width=TAG_WIDTH)
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        for item in latest:
            if item.kind == "entry":
                tag = str(item.data.get("tag", ""))
                grid.add_row(elapsed(item.t_s), Text(tag, style=TAG_STYLES.get(tag, "")),
                             _entry_text(item.data, self.view))
            else:
                grid.add_row(elapsed(item.t_s), Text("decision", style=TAG_STYLES["decision"]),
                             Text(str(item.data.get("question", ""))))
        return Panel(grid, title=f"events ({len(shown)})", title_align="left",
                     border_style="dim")

    def tiles(self, height: int) -> Panel:
        """One tile per objective; one line each when the tiles would not fit in ``height``."""
        decided = {id(it.data) for it in self.items[:self.shown] if it.kind == "verdict"}
        compact = 4 * len(self.objectives) > height - 2
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(no_wrap=True, min_width=7)
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1, style="dim")
        tiles: list[RenderableType] = []
        for obj in self.objectives:
            text = str(obj.get("text", obj.get("id", "")))
            if id(obj) in decided:
                badge, detail = _verdict(obj), _value_vs_target(obj)
                border = "green" if obj.get("met") else "red"
            else:
                badge = Text("pending", style="dim")
                detail = f"target {obj['target']}" if obj.get("target") else ""
                border = "grey50"
            if compact:
                grid.add_row(badge, text, detail)
                continue
            body = Text(text + "\n")
            body.append_text(badge)
            body.append(f"  {detail}", style="" if id(obj) in decided else "dim")
            title = str(obj.get("capability") or obj.get("id", ""))
            tiles.append(Panel(body, title=title, title_align="left", border_style=border,
                               padding=(0, 1)))
        return Panel(grid if compact else Group(*tiles), title="objectives", title_align="left",
                     border_style="dim")

    def decision(self) -> Panel | None:
        if self.halt is None or self.halt.kind != "decision":
            return None
        data = self.halt.data
        chosen = self.choice.get(self.shown - 1)
        lines: list[RenderableType] = [Text(str(data.get("question", "")), style="bold")]
        for i, option in enumerate(data.get("options", [])):
            line = Text(f"  {i + 1}. {option.get('label', option.get('id', ''))}",
                        style="reverse" if i == chosen else "")
            if option.get("played"):
                line.append("  (played)", style="bold yellow")
            lines.append(line)
        if chosen is not None:
            lines.append(_outcomes_table(data, self.objectives, chosen))
        else:
            lines.append(Text("press a number to compare the options' outcomes", style="dim"))
        return Panel(Group(*lines), title=f"decision at {elapsed(self.halt.t_s)}",
                     title_align="left", border_style="yellow")

    def render(self, width: int, height: int) -> Layout:
        """The whole screen for a terminal of ``height`` lines."""
        body_h = max(height - HEADER_LINES - 1, 4)
        footer = Text("space pause/resume · ←/→ step · +/- speed · p view · 1–9 choose option"
                      " · q quit", style="dim", no_wrap=True, overflow="ellipsis")
        layout = Layout()
        layout.split_column(Layout(self.header(), size=HEADER_LINES), Layout(name="body"),
                            Layout(footer, size=1))
        left = Layout(name="left", ratio=3)
        layout["body"].split_row(left, Layout(self.tiles(body_h), ratio=2))
        decision = self.decision()
        events_h = body_h
        if decision is not None:
            options = len(self.halt.data.get("options", [])) if self.halt else 0
            chosen = (self.shown - 1) in self.choice
            need = 4 + options + (4 + len(self.objectives) * 2 if chosen else 1)
            decision_h = min(need, max(body_h - 5, 3))
            events_h = body_h - decision_h
            left.split_column(Layout(self.events(events_h - 2)), Layout(decision,
                                                                        size=decision_h))
        else:
            left.update(self.events(events_h - 2))
        return layout

    def signature(self) -> tuple[object, ...]:
        """What the screen shows, to redraw only when it changes."""
        return (elapsed(self.t), self.shown, self.view, self.speed, self.paused,
                id(self.halt), tuple(sorted(self.choice.items())), self.ended)


def _keys(raw: bytes) -> list[str]:
    """The keys in what the terminal sent: arrows as ``"right"``/``"left"``, Enter as
    ``"enter"``, other escape sequences dropped."""
    text = raw.decode("utf-8", errors="ignore")
    keys: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\x1b":
            seq = text[i:i + 3]
            if seq in ("\x1b[C", "\x1bOC"):
                keys.append("right")
            elif seq in ("\x1b[D", "\x1bOD"):
                keys.append("left")
            elif len(seq) == 1:
                keys.append("escape")
                i += 1
                continue
            # Skip the rest of a CSI sequence (parameters up to the final byte).
            j = i + 2
            while j < len(text) and not ("@" <= text[j] <= "~"):
                j += 1
            i = j + 1
            continue
        keys.append("enter" if text[i] in "\r\n" else text[i])
        i += 1
    return keys


@contextlib.contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    """Keys one at a time without echo; the terminal's settings come back however this ends
    (Ctrl-C still interrupts)."""
    assert termios is not None and tty is not None
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _read_keys(fd: int, timeout_s: float) -> list[str]:
    """The keys pressed within ``timeout_s`` (``["q"]`` once the terminal is gone)."""
    ready, _, _ = select.select([fd], [], [], timeout_s)
    if not ready:
        return []
    try:
        raw = os.read(fd, 64)
    except OSError:
        return ["q"]
    return _keys(raw) if raw else ["q"]


def _can_interact(console: Console) -> bool:
    if termios is None or not console.is_terminal or console.is_dumb_terminal:
        return False
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _play(replay: _Replay, console: Console) -> None:
    fd = sys.stdin.fileno()
    with _cbreak(fd), Live(console=console, screen=True, auto_refresh=False,
                           redirect_stdout=False, redirect_stderr=False) as live:
        drawn: tuple[object, ...] | None = None
        last = time.monotonic()
        while not replay.quit:
            size = console.size
            screen = (replay.signature(), size)
            if screen != drawn:
                live.update(replay.render(size.width, size.height), refresh=True)
                drawn = screen
            for key in _read_keys(fd, FRAME_S):
                replay.key(key)
                if replay.quit:
                    break
            now = time.monotonic()
            replay.tick(now - last)
            last = now


def replay_tui(data: Mapping[str, Any], console: Console, *, speed_min_per_s: float = 5.0,
               view: str = "facilitator", interactive: bool | None = None,
               start_s: float = 0.0) -> None:
    """Replay a run's replay ``data`` (version 1) on ``console``.

    On a terminal (``interactive`` ``None``: when both the console and standard input are
    terminals; ``True`` asks for it, and falls back to plain lines where keys cannot be read)
    this is the full-screen replay with its keys, its clock running at ``speed_min_per_s``
    simulated minutes per real second from ``start_s`` and stopping at injects and decision
    points; it returns when q is pressed, with the terminal as it was. Otherwise the replay
    (from ``start_s``) is printed as plain lines at full speed. ``view`` is ``"facilitator"``
    (hidden entries shown, marked) or ``"player"`` (hidden entries left out).
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    if speed_min_per_s <= 0:
        raise ValueError("speed_min_per_s must be positive")
    chosen: View = "facilitator" if view == "facilitator" else "player"
    if interactive is False or not _can_interact(console):
        _print_plain(data, console, chosen, float(start_s))
        return
    _play(_Replay(data, speed_min_per_s=speed_min_per_s, view=chosen, start_s=start_s), console)
