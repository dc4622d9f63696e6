"""Numbers as an after-action report prints them: durations in hours and minutes, shares as
percentages, response levels as I–IV, times as both "T+h:mm" and the scenario's clock."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from drillsim.sim.plan import LEVEL_NAMES


def duration(seconds: float) -> str:
    """``15120`` → ``'4 h 12 min'``; under a minute in seconds; days past 48 h."""
    if not math.isfinite(seconds):
        return "never"
    s = round(abs(seconds))
    sign = "−" if seconds < 0 else ""
    if s < 60:
        return f"{sign}{s} s"
    d, rest = divmod(s, 86400)
    h, rest = divmod(rest, 3600)
    m = rest // 60
    if d and d * 24 + h > 48:
        return f"{sign}{d} d {h} h" if h else f"{sign}{d} d"
    h += 24 * d
    if not h:
        return f"{sign}{m} min"
    return f"{sign}{h} h {m:02d} min" if m else f"{sign}{h} h"


def value(v: float | str | None, unit: str) -> str:
    """A metric's value with its unit, as a person reads it (``None``: nothing measured)."""
    if v is None:
        return "—"
    if isinstance(v, str):
        return {"never": "never", "-inf": "−∞"}.get(v, v)
    if not math.isfinite(v):
        return "never" if v > 0 else "−∞"
    if unit == "s":
        return duration(v)
    if unit == "share":
        return f"{100 * v:.1f} %"
    if unit == "severity":
        return f"level {LEVEL_NAMES[int(v)]}" if 0 < v < len(LEVEL_NAMES) else "none"
    text = f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.3g}"
    return f"{text} {unit}" if unit else text


def target(op: str, threshold: float, unit: str) -> str:
    words = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than",
             "==": "exactly"}
    return f"{words.get(op, op)} {value(threshold, unit)}"


def margin(m: float | str | None) -> str:
    if m is None or isinstance(m, str):
        return "—"
    return f"{100 * m:+.0f} %"


def elapsed(t_s: float) -> str:
    """``T+h:mm`` since the start of the run."""
    m = round(float(t_s) / 60.0)
    return f"T+{m // 60}:{m % 60:02d}"


def wall_clock(start_iso: str, t_s: float) -> str:
    """The scenario's local time ``t_s`` after its start (``''`` without a start)."""
    try:
        start = datetime.fromisoformat(start_iso)
    except (TypeError, ValueError):
        return ""
    at = start + timedelta(seconds=t_s)
    day = (at.date() - start.date()).days + 1
    return f"day {day} {at:%H:%M}"


def start_text(start_iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(start_iso):%d %B %Y, %H:%M}"
    except (TypeError, ValueError):
        return ""
