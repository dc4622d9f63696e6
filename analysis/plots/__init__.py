"""Figures for reports (matplotlib; the only place drillsim draws)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 110
"""Resolution of the saved figures."""


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` to ``path`` and free it (pyplot keeps every open figure otherwise)."""
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
