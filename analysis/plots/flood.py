"""Flood figures: maximum depth and arrival time over the region, depth over time at points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from drillsim.sim.world import Terrain, World


def _extent(t: Terrain) -> tuple[float, float, float, float]:
    rows, cols = t.shape
    return (t.x0_m, t.x0_m + cols * t.cell_m, t.y0_m, t.y0_m + rows * t.cell_m)


def _base(ax: Axes, world: World, terrain: Terrain) -> None:
    """Ground contours, roads (bridges thicker) and zone centroids."""
    ax.contour(terrain.elevation_m, levels=12, colors="0.75", linewidths=0.5,
               extent=_extent(terrain), origin="lower")
    r = world.roads
    for a, b, bridge in zip(r.link_from, r.link_to, r.bridge, strict=True):
        ax.plot([r.x_m[a], r.x_m[b]], [r.y_m[a], r.y_m[b]], color="0.35" if not bridge
                else "black", lw=0.6 if not bridge else 2.0, zorder=3)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")


def max_depth_map(ax: Axes, world: World, terrain: Terrain, max_depth_m: np.ndarray) -> Any:
    depth = np.ma.masked_less(max_depth_m, 0.01)
    im = ax.imshow(depth, origin="lower", extent=_extent(terrain), cmap="Blues", vmin=0,
                   vmax=max(0.5, float(np.nanpercentile(max_depth_m, 99))))
    _base(ax, world, terrain)
    ax.set_title("Maximum water depth")
    return im


def arrival_map(ax: Axes, world: World, terrain: Terrain, arrival_s: np.ndarray) -> Any:
    hours = np.ma.masked_invalid(arrival_s / 3600.0)
    im = ax.imshow(hours, origin="lower", extent=_extent(terrain), cmap="magma_r")
    _base(ax, world, terrain)
    ax.set_title("Arrival time of water (> 1 cm)")
    return im


def depth_series(ax: Axes, times_s: np.ndarray, series: dict[str, np.ndarray]) -> None:
    for label, depth in series.items():
        ax.plot(times_s / 3600.0, depth, label=label)
    ax.axhline(0.3, color="0.4", ls="--", lw=0.8)
    ax.text(0.01, 0.3, " roads close (0.3 m)", va="bottom", fontsize=8, color="0.3",
            transform=ax.get_yaxis_transform())
    ax.set_xlabel("time since the flood began (h)")
    ax.set_ylabel("depth (m)")
    ax.set_title("Depth over time")
    ax.legend(fontsize=8)


def flood_figure(world: World, flood: Any, points: dict[str, tuple[float, float]]
                 ) -> Figure:
    """Three panels for a report: maximum depth, arrival time, depth at ``points``."""
    res, terrain = flood.result, flood.terrain
    fig = plt.figure(figsize=(15, 4.8), layout="constrained")
    axes = fig.subplots(1, 3)
    fig.colorbar(max_depth_map(axes[0], world, terrain, res.max_depth_m[::-1]), ax=axes[0],
                 label="m", shrink=0.8)
    fig.colorbar(arrival_map(axes[1], world, terrain, res.arrival_time_s[::-1]), ax=axes[1],
                 label="h after the flood began", shrink=0.8)
    series = {}
    for label, (x, y) in points.items():
        series[label] = np.array([flood.sample(flood.spec.start_s + t, np.array([x]),
                                               np.array([y]))[0] for t in res.times_s])
    depth_series(axes[2], res.times_s, series)
    fig.suptitle(f"Flood '{flood.spec.id}'")
    return fig


def write_flood_figures(world: World, hazards: list[Any], folder: Path) -> list[Path]:
    """A PNG per flood, with depth over time at the three zones that flood deepest."""
    out = []
    for h in hazards:
        if getattr(h, "kind", "") != "flood":
            continue
        z = world.zones
        flat = h.result.max_depth_m.ravel()
        peak = np.array([flat[c] if c >= 0 else 0.0 for c in h.probes.zone_cells])
        deepest = np.argsort(peak)[::-1][:3]
        points = {f"zone {z.ids[i]}": (float(z.x_m[i]), float(z.y_m[i])) for i in deepest}
        fig = flood_figure(world, h, points)
        path = folder / f"flood-{h.spec.id}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        out.append(path)
    return out
