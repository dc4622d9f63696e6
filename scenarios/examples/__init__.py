"""The bundled example scenarios, by name."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
EXAMPLES: dict[str, Path] = {
    p.stem: p for p in sorted(HERE.glob("*.yaml")) if not p.stem.endswith("-region")
}
"""Example name → scenario file (``*-region.yaml`` files are included by the scenarios)."""


def resolve(name: str) -> Path:
    """A scenario file path: ``name`` itself if it is a file, else a bundled example."""
    path = Path(name)
    if path.exists():
        return path
    if name in EXAMPLES:
        return EXAMPLES[name]
    known = ", ".join(EXAMPLES) or "none"
    raise FileNotFoundError(f"no such file: {name} (bundled examples: {known})")
