"""Problems found in a scenario, each located in its file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or, with ``severity="warning"``, worth knowing) in a scenario."""

    location: Location | None
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        what = f"{self.field}: " if self.field else ""
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}{tag}{what}{self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be loaded; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid scenario")


def format_path(path: tuple[object, ...]) -> str:
    """``('region', 'zones', 3, 'population')`` → ``region.zones[3].population``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
