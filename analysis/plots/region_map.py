"""The region at a chosen moment, drawn from a run's map snapshot (:mod:`~drillsim.analysis.
mapdata`) and its event log alone: each hazard's extent, the roads (closed ones in red), the
zones with the people still at home, the shelters by how full they are, and the hospitals,
depots and stations.

Hazard colours follow the other figures: water depth in blues (as the flood figure), shaking
in yellow-to-red (as the earthquake figure) and a toxic cloud as yellow and orange contours at
the levels where people notice it and are harmed by it (as the threat zones of the chemical
figure). Panels of one figure share every colour scale, so moments can be compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, Colormap, ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.mapdata import (
    HazardFrames,
    MapData,
    closed_links_at,
    facilities_open_at,
    people_home_at,
    shelter_load_at,
)
from drillsim.analysis.plots.chemical import LEVEL_COLOURS
from drillsim.analysis.registry import open_count
from drillsim.sim.hazards.quake.gmice import mmi_to_pga


@dataclass(frozen=True)
class FieldStyle:
    """How a hazard measure is drawn as a filled field: in bands from ``bounds`` (nothing
    below the first; the last open-ended), so a reader can tell a value from its colour on
    any panel, with ``ticks`` naming the bounds; no bounds: a continuous scale from 0."""

    label: str
    cmap: str
    alpha: float
    bounds: tuple[float, ...] = ()
    ticks: tuple[str, ...] = ()

    @property
    def floor(self) -> float:
        return self.bounds[0] if self.bounds else 0.0


MMI_BANDS = (4, 5, 6, 7, 8, 9)
ROMAN = {4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX"}
DEPTH_BANDS_M = (0.01, 0.15, 0.3, 0.5, 1.0, 2.0)
"""Bands of water depth (m): wet, ankle-deep, deep enough to close roads (the scenarios'
default), unsafe to wade, waist-deep, over a person's head."""
FIELD_STYLES: dict[str, FieldStyle] = {
    "depth_m": FieldStyle("water depth (m)", "Blues", 0.85, DEPTH_BANDS_M,
                          ("0.01", "0.15", "0.3", "0.5", "1", "2")),
    "pga_g": FieldStyle(
        "strongest shaking so far: peak ground acceleration (g)\nand intensity (MMI, "
        "Worden et al. 2012)", "YlOrRd", 0.45,
        tuple(float(mmi_to_pga(m)) for m in MMI_BANDS),
        tuple(f"{float(mmi_to_pga(m)):.2g} g, {ROMAN[m]}" for m in MMI_BANDS)),
}
"""Measures drawn as a filled field (shaking covers the whole region, so it is drawn
lighter); any other measure with ``levels`` is drawn as contours at them, and one without as a
continuous field in :data:`OTHER_CMAP`."""

OTHER_CMAP = "viridis"
LEVEL_NAMES = ("noticeable", "harmful")
SHARE_CLASSES = ((0.0, "white", "empty"), (1e-9, "#a6d96a", "under half full"),
                 (0.5, "#fdae61", "half to 90 % full"), (0.9, "#d7191c", "90 % full or more"))
"""Shelter colours by the share of their capacity in use: (from share, colour, label)."""
CLOSED_COLOUR = "0.55"
ZONE_AREA_PT2 = 420.0
"""Marker area (points²) of the most populous zone."""


def measure_label(measure: str) -> str:
    """``concentration_ppm`` → ``concentration (ppm)``: a colour-bar label from a measure."""
    if measure in FIELD_STYLES:
        return FIELD_STYLES[measure].label
    name, _, unit = measure.rpartition("_")
    return f"{name.replace('_', ' ')} ({unit})" if name else measure


def _drawn(md: MapData, hazard_id: str | None) -> list[HazardFrames]:
    return md.hazards if hazard_id is None else [md.hazard(hazard_id)]


def _style(h: HazardFrames) -> FieldStyle | None:
    """The field style of ``h`` (None: drawn as contours at its levels)."""
    if h.measure in FIELD_STYLES:
        return FIELD_STYLES[h.measure]
    if h.levels:
        return None
    return FieldStyle(measure_label(h.measure), OTHER_CMAP, 0.8)


def _norm(h: HazardFrames, style: FieldStyle) -> Normalize:
    """The colour scale: the style's bands, or 0 to the 99.5th percentile over every frame
    (one scale for the whole run either way)."""
    if style.bounds:
        return BoundaryNorm(list(style.bounds), len(style.bounds), extend="max")
    values = h.grid[np.isfinite(h.grid)].astype(float)
    return Normalize(0.0, max(float(np.percentile(values, 99.5)) if values.size else 0.0,
                              1e-9))


def draw_hazard(ax: Axes, h: HazardFrames, t_s: float) -> Any:
    """The frame of ``h`` nearest ``t_s``: a masked field (returned, for a colour bar) or
    contours at its levels (None returned)."""
    frame = h.grid[h.frame_at(t_s)].astype(float)
    x0, x1, y0, y1 = h.grid_extent
    style = _style(h)
    if style is None:
        _draw_levels(ax, h, frame)
        return None
    shown = np.ma.masked_where(~(frame >= style.floor), frame)
    cmap = _band_cmap(style)
    return ax.imshow(shown, origin="lower", extent=(x0 / 1e3, x1 / 1e3, y0 / 1e3, y1 / 1e3),
                     cmap=cmap, norm=_norm(h, style), alpha=style.alpha, zorder=1,
                     interpolation="nearest")


def _band_cmap(style: FieldStyle) -> Colormap:
    """The style's colour map; with bands, one colour per band from its lighter quarter on
    (the palest colours would vanish on the white map)."""
    cmap = plt.get_cmap(style.cmap)
    if not style.bounds:
        return cmap
    return ListedColormap(cmap(np.linspace(0.25, 1.0, len(style.bounds))))


def _draw_levels(ax: Axes, h: HazardFrames, frame: np.ndarray) -> None:
    """Filled bands (light) and outlines at the hazard's levels, AEGL colours."""
    levels = list(h.levels or ())
    if not levels or not np.nanmax(frame, initial=-np.inf) >= levels[0]:
        return
    x0, x1, y0, y1 = h.grid_extent
    ny, nx = frame.shape
    x = np.linspace(x0, x1, 2 * nx + 1)[1::2] / 1e3
    y = np.linspace(y0, y1, 2 * ny + 1)[1::2] / 1e3
    colours = [LEVEL_COLOURS[k + 1] for k in range(len(levels))]
    ax.contourf(x, y, frame, levels=[*levels, np.inf], colors=colours, alpha=0.3, zorder=2)
    ax.contour(x, y, frame, levels=levels, colors=colours, linewidths=2.0, zorder=2)


def draw_roads(ax: Axes, md: MapData, closed: np.ndarray) -> None:
    """One line per road (the two directions of a two-way road are drawn once): thin grey,
    bridges thick, closed roads red and dashed on top."""
    _, first = np.unique(md.link_ids, return_index=True)
    shut = {str(k) for k in md.link_ids[closed]}
    is_shut = np.array([str(k) in shut for k in md.link_ids[first]], bool)
    segs = np.stack([md.link_x[first], md.link_y[first]], axis=-1) / 1e3
    bridge = md.bridge[first]
    ax.add_collection(LineCollection(segs[~bridge], colors="0.45", linewidths=0.7, zorder=3))
    ax.add_collection(LineCollection(segs[bridge], colors="0.1", linewidths=2.4, zorder=3))
    ax.add_collection(LineCollection(segs[is_shut], colors="#e00000", linewidths=1.8,
                                     linestyles=(0, (3, 1.5)), zorder=4))


def _zone_sizes(md: MapData, persons: np.ndarray) -> np.ndarray:
    top = float(md.zone_pop.max(initial=0.0))
    return ZONE_AREA_PT2 * np.nan_to_num(persons) / top if top > 0 else np.zeros(len(persons))


def draw_zones(ax: Axes, md: MapData, home: np.ndarray | None) -> None:
    """A circle per zone, its area the zone's residents; filled in proportion to the people
    still at home when the log counts them (else filled grey)."""
    x, y = md.zone_x / 1e3, md.zone_y / 1e3
    ax.scatter(x, y, s=_zone_sizes(md, md.zone_pop), facecolors="none" if home is not None
               else "0.5", edgecolors="0.2", linewidths=0.8, alpha=0.9, zorder=5)
    if home is not None:
        ax.scatter(x, y, s=_zone_sizes(md, home), color="0.25", alpha=0.55, linewidths=0,
                   zorder=5)


def _share_colours(share: np.ndarray) -> list[str]:
    starts = np.array([s for s, _, _ in SHARE_CLASSES])
    k = np.searchsorted(starts, np.nan_to_num(share), side="right") - 1
    return [SHARE_CLASSES[i][1] for i in k]


def draw_facilities(ax: Axes, md: MapData, lf: LogFrame, t_s: float) -> None:
    """Shelters as squares coloured by how full they are, hospitals as crosses, depots and
    stations as small markers; closed facilities grey."""
    is_open = facilities_open_at(lf, md, t_s)
    load = shelter_load_at(lf, md, t_s)
    x, y = md.fac_x / 1e3, md.fac_y / 1e3
    sh = md.fac_kind == "shelter"
    cap = np.where(md.fac_capacity > 0, md.fac_capacity, np.nan)
    colours = np.array(_share_colours(load / cap), dtype=object)
    colours[~is_open] = CLOSED_COLOUR
    ax.scatter(x[sh], y[sh], marker="s", s=70, c=list(colours[sh]), edgecolors="black",
               linewidths=1.0, zorder=7)
    hosp = md.fac_kind == "hospital"
    ax.scatter(x[hosp], y[hosp], marker="P", s=150, c=np.where(is_open[hosp], "#c00000",
               CLOSED_COLOUR), edgecolors="white", linewidths=0.8, zorder=7)
    for kind, marker, colour in (("depot", "D", "saddlebrown"), ("station", "^", "navy")):
        mine = md.fac_kind == kind
        ax.scatter(x[mine], y[mine], marker=marker, s=40, c=np.where(is_open[mine], colour,
                   CLOSED_COLOUR), edgecolors="white", linewidths=0.6, zorder=7)


def _title(t_s: float, hazards: list[HazardFrames]) -> str:
    title = f"{hh_mm(t_s)} after the start"
    off = [h for h in hazards if abs(h.times_s[h.frame_at(t_s)] - t_s) > 60.0]
    if off:
        title += f"\n(hazard as at {hh_mm(float(off[0].times_s[off[0].frame_at(t_s)]))})"
    return title


def hh_mm(t_s: float) -> str:
    """``HH:MM`` since the start (hours past 24 go on counting: ``50:15``)."""
    minutes = round(t_s / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def region_map(ax: Axes, md: MapData, lf: LogFrame, t_s: float, hazard_id: str | None = None,
               colorbar: bool = True, legend: bool = True) -> list[tuple[Any, HazardFrames]]:
    """Draw the region at ``t_s`` (s since the start) on ``ax``: every hazard (or only
    ``hazard_id``) at its frame nearest ``t_s``, roads, zones and facilities as the log has
    them at ``t_s``. Returns the filled hazard fields drawn, with their hazards (for colour
    bars)."""
    hazards = _drawn(md, hazard_id)
    fields = [(m, h) for h in hazards if (m := draw_hazard(ax, h, t_s)) is not None]
    draw_roads(ax, md, closed_links_at(lf, md, t_s))
    draw_zones(ax, md, people_home_at(lf, md, t_s))
    draw_facilities(ax, md, lf, t_s)
    x0, x1, y0, y1 = md.bounds
    ax.set_xlim(x0 / 1e3, x1 / 1e3)
    ax.set_ylim(y0 / 1e3, y1 / 1e3)
    ax.set_aspect("equal")
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.set_title(_title(t_s, hazards), fontsize=10)
    if colorbar:
        for mappable, h in fields:
            add_colorbar(ax.get_figure(), mappable, h, ax)
    if legend:
        ax.legend(handles=legend_handles(md, lf, [t_s], hazards), fontsize=7.5,
                  loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, frameon=False)
    return fields


def add_colorbar(fig: Any, mappable: Any, h: HazardFrames, ax: Any) -> None:
    """A colour bar for the field of ``h``, its bands named by the style's ticks."""
    style = _style(h)
    bar = fig.colorbar(mappable, ax=ax, label=measure_label(h.measure), shrink=0.75, pad=0.01)
    if style is not None and style.ticks:
        bar.set_ticks(list(style.bounds), labels=list(style.ticks))
    bar.ax.tick_params(labelsize=8)


def legend_handles(md: MapData, lf: LogFrame, times_s: list[float],
                   hazards: list[HazardFrames]) -> list[Any]:
    """Legend entries for what panels at ``times_s`` show (closed roads and people at home
    only if there are any)."""
    line = Line2D
    out: list[Any] = [line([], [], color="0.45", lw=0.7, label="road"),
                      line([], [], color="0.1", lw=2.4, label="bridge")]
    if any(closed_links_at(lf, md, t).any() for t in times_s):
        out.append(line([], [], color="#e00000", lw=1.8, ls=(0, (3, 1.5)), label="road closed"))
    top = float(md.zone_pop.max(initial=0.0))
    counted = people_home_at(lf, md, times_s[0]) is not None
    out.append(line([], [], marker="o", ls="", ms=math.sqrt(ZONE_AREA_PT2), mfc="none"
                    if counted else "0.5", mec="0.2", label=f"zone of {top:,.0f} residents"))
    if counted:
        out.append(line([], [], marker="o", ls="", ms=math.sqrt(ZONE_AREA_PT2 / 2), mfc="0.25",
                        alpha=0.55, mec="none", label="half of them still at home"))
    if (md.fac_kind == "shelter").any():
        out += [line([], [], marker="s", ls="", ms=8, mfc=colour, mec="black",
                     label=f"shelter, {label}") for _, colour, label in SHARE_CLASSES]
    for kind, marker, colour, ms in (("hospital", "P", "#c00000", 11),
                                     ("depot", "D", "saddlebrown", 6),
                                     ("station", "^", "navy", 7)):
        if (md.fac_kind == kind).any():
            out.append(line([], [], marker=marker, ls="", ms=ms, mfc=colour, mec="white",
                            label=kind))
    out.append(line([], [], marker="s", ls="", ms=8, mfc=CLOSED_COLOUR, mec="black",
                    label="closed or not yet open"))
    for h in hazards:
        if _style(h) is None:
            unit = h.measure.rpartition("_")[2]
            out += [Patch(facecolor=LEVEL_COLOURS[k + 1], edgecolor=LEVEL_COLOURS[k + 1],
                          alpha=0.6, label=f"{h.id}: {name} (≥ {lv:g} {unit})")
                    for k, (lv, name) in enumerate(zip(h.levels or (), LEVEL_NAMES,
                                                       strict=False))]
    return out


def region_maps_figure(md: MapData, lf: LogFrame, times_s: list[float],
                       hazard_id: str | None = None) -> Figure:
    """One map panel per time (1 to 4: one or two in a row, three or four in two rows, so a
    page-wide figure keeps the maps large), sharing colour bars and one legend."""
    n = len(times_s)
    if not 1 <= n <= 4:
        raise ValueError(f"a region-map figure has 1 to 4 panels, not {n}")
    rows, cols = (2, 2) if n > 2 else (1, n)
    x0, x1, y0, y1 = md.bounds
    panel = 4.6
    fig = plt.figure(figsize=(cols * panel + 1.6, rows * panel * (y1 - y0) / (x1 - x0) + 1.9),
                     layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True)).ravel()
    fields: list[tuple[Any, HazardFrames]] = []
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax, t in zip(axes, times_s, strict=False):
        fields = region_map(ax, md, lf, t, hazard_id, colorbar=False, legend=False)
    for mappable, h in fields:
        add_colorbar(fig, mappable, h, list(axes))
    hazards = _drawn(md, hazard_id)
    fig.legend(handles=legend_handles(md, lf, times_s, hazards), loc="outside lower center",
               ncol=min(5, 2 + n), fontsize=8, frameon=False)
    names = ", ".join(f"{h.kind} '{h.id}'" for h in hazards) or "no hazard"
    fig.suptitle(f"Region map: {names}", fontsize=11)
    return fig


# -- choosing the moments -----------------------------------------------------------------------

def _shown(h: HazardFrames, values: np.ndarray) -> np.ndarray:
    """Whether ``values`` of ``h`` are drawn (at or above its floor or first level)."""
    style = _style(h)
    floor = style.floor if style is not None else (h.levels or (0.0,))[0]
    return np.asarray(values, float) >= max(floor, 1e-12)


def _moments(h: HazardFrames) -> list[float]:
    """When ``h`` first reaches a zone (or, if it never does, first shows), covers most
    ground and last shows; nothing if it never shows."""
    cells = _shown(h, h.grid).reshape(len(h.times_s), -1).sum(axis=1)
    if not cells.any():
        return []
    reached = _shown(h, h.zone_values).any(axis=1)
    first = int(np.argmax(reached if reached.any() else cells > 0))
    last = len(cells) - 1 - int(np.argmax(cells[::-1] > 0))
    return [float(h.times_s[k]) for k in (first, int(np.argmax(cells)), last)]


def default_map_times(md: MapData, lf: LogFrame) -> list[float]:
    """Up to three moments worth a look, in time order: when a hazard first reaches a zone,
    the end of the run, and then the first of these that differs from both: when a hazard
    covers most ground, when it last shows, when the most roads were closed. Moments fall on
    the map's frames, so the hazard drawn is the hazard of that moment."""
    moments = [m for h in md.hazards if (m := _moments(h))]
    candidates = [min(m[0] for m in moments)] if moments else []
    candidates += [float(lf.duration_s), *(m[1] for m in moments), *(m[2] for m in moments),
                   _most_roads_closed_s(lf)]
    frames = np.unique(np.concatenate([np.zeros(0), *(h.times_s for h in md.hazards)]))
    step = float(np.diff(frames).min()) if len(frames) > 1 else 0.0
    chosen: list[float] = []
    for t in candidates:
        if len(frames) and math.isfinite(t):
            t = float(frames[np.argmin(np.abs(frames - t))])
        if math.isfinite(t) and all(abs(t - c) > step / 2 for c in chosen):
            chosen.append(t)
    return sorted(chosen[:3])


def _most_roads_closed_s(lf: LogFrame) -> float:
    """When the most roads were closed at once (NaN if none ever was)."""
    at = np.unique(lf.t_s[np.concatenate([lf.where("link.close"), lf.where("link.open")])])
    if not len(at):
        return math.nan
    closed = open_count(lf, at, "link.close", "link.open", set())
    return float(at[np.argmax(closed)]) if closed.max() > 0 else math.nan
