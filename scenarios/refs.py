"""Helpers of the cross-reference checks: findings, duplicate ids, references to missing
things (with a suggestion when one is close), times at or after the end, facility ids."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.problems import format_path
from drillsim.scenarios.schema.region import Region
from drillsim.scenarios.schema.scenario import Meta

Finding = tuple[tuple[Any, ...], str] | tuple[tuple[Any, ...], str, str]
"""(data path, message) or (data path, message, severity)."""


def dupes(items: list[Any], path: tuple[Any, ...], what: str,
           seen: dict[str, tuple[Any, ...]] | None = None) -> Iterator[Finding]:
    seen = {} if seen is None else seen
    for i, item in enumerate(items):
        if item.id in seen:
            yield (*path, i, "id"), (f"duplicate {what} id '{item.id}' (also at "
                                     f"{show(seen[item.id])})")
        else:
            seen[item.id] = (*path, i)


def past_end(at: float, meta: Meta | None, path: tuple[Any, ...], what: str) -> Iterator[Finding]:
    """Something timed at or after the end never happens: say so."""
    if meta is not None and at >= meta.duration:
        yield path, (f"{what} {format_duration(at)} is at or after the end of the scenario "
                     f"({format_duration(meta.duration)}), so it would never happen")


def show(path: tuple[Any, ...]) -> str:
    return format_path(path)


def missing(ref: str, known: set[str] | dict[str, Any], what: str,
             path: tuple[Any, ...]) -> Iterator[Finding]:
    if ref not in known:
        close = difflib.get_close_matches(ref, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        yield path, f"no {what} with id '{ref}'{hint}"


def facility_ids(region: Region) -> dict[str, str]:
    """Every facility id with its kind (ids are one namespace: injects name them)."""
    out = {}
    for kind in ("shelters", "hospitals", "depots", "stations"):
        for f in getattr(region, kind):
            out.setdefault(f.id, kind[:-1])
    return out
