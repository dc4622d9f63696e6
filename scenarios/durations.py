"""Durations as people write them: ``90s``, ``15min``, ``2h30m``, ``1d 6h``, or ISO 8601
(``PT2H``, ``P3D``). Parsed to seconds (float)."""

from __future__ import annotations

import re

_UNITS = {"d": 86400.0, "h": 3600.0, "min": 60.0, "m": 60.0, "s": 1.0}
_ORDER = {"d": 0, "h": 1, "min": 2, "m": 2, "s": 3}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(d|h|min|m|s)(?![a-z])", re.IGNORECASE)
_ISO = re.compile(r"P(?=\d|T\d)(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?"
                  r"(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?", re.IGNORECASE)
HINT = "write a duration with units, e.g. '90s', '15min', '2h30m' or 'PT2H'"
_NUM = r"\d+(\.\d+)?"
_UNIT = r"([dD]|[hH]|[mM][iI][nN]|[mM]|[sS])"
PATTERN = (rf"^\s*({_NUM}\s*{_UNIT}\s*)+$"
           rf"|^\s*[pP](?=\d|[tT]\d)({_NUM}[dD])?([tT](?=\d)({_NUM}[hH])?({_NUM}[mM])?"
           rf"({_NUM}[sS])?)?\s*$"
           r"|^\s*0\s*$")
"""The JSON Schema pattern of a duration string (ECMA-262 and Python regex alike). It admits
every string :func:`parse_duration` accepts (units in any order are refused by the parser
only)."""


def parse_duration(value: object) -> float:
    """Seconds in ``value``; raises ValueError with a readable reason."""
    if isinstance(value, bool):
        raise ValueError(f"{HINT}; got {value!r}")
    if isinstance(value, int | float):
        if value == 0:
            return 0.0
        if value < 0:
            raise ValueError(f"a duration cannot be negative; got {value!r}")
        raise ValueError(f"a bare number is ambiguous: {HINT}; got {value!r}")
    if not isinstance(value, str):
        raise ValueError(f"{HINT}; got {type(value).__name__}")
    text = value.strip()
    if text == "0":
        return 0.0
    if text.startswith("-"):
        raise ValueError(f"a duration cannot be negative; got {value!r}")
    iso = _ISO.fullmatch(text)
    if iso and any(iso.groups()):
        days, hours, minutes, seconds = (float(g) if g else 0.0 for g in iso.groups())
        return days * 86400.0 + hours * 3600.0 + minutes * 60.0 + seconds
    return _parse_units(text, value)


def _parse_units(text: str, original: str) -> float:
    total, pos, last = 0.0, 0, -1
    for m in _PART.finditer(text):
        if m.start() != pos:
            break
        unit = m.group(2).lower()
        if _ORDER[unit] <= last:
            raise ValueError(f"units must go from large to small, each once; got {original!r}")
        last = _ORDER[unit]
        total += float(m.group(1)) * _UNITS[unit]
        pos = m.end()
    if pos == 0 or text[pos:].strip():
        raise ValueError(f"{HINT}; got {original!r}")
    return total


def format_duration(seconds: float) -> str:
    """``5400`` → ``'1h30min'``; ``0`` → ``'0s'``."""
    s = round(float(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        n, s = divmod(s, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts) or "0s"
