"""Chemical-release figure: the threat zones (AEGL-1/2/3 for 60 minutes) of the realised
release at a few moments, drawn over the region with the wind of each moment; and, from the
event log, the people whose toxic load passed AEGL-2 and AEGL-3 over time, by where they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pyarrow as pa
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from drillsim.analysis.chemical import (
    AEGL_LEVELS,
    WHERE,
    chemical_hazard_ids,
    chemical_outcomes,
    exposure_rows,
    onset_time_s,
    stop_time_s,
)
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.plots import save_figure
from drillsim.sim.events import EventLog
from drillsim.sim.hazards.chemical.chemicals import aegl_ppm
from drillsim.sim.hazards.chemical.hazard import THREAT_DURATION_S, ChemicalHazard
from drillsim.sim.hazards.chemical.puffs import Wind
from drillsim.sim.world import World

HOUR = 3600.0
MINUTE = 60.0
LEVEL_COLOURS = {1: "#d4a800", 2: "tab:orange", 3: "tab:red"}
"""Yellow, orange, red: the colours emergency-response tools give the AEGL threat zones."""
TIME_STYLES = ("solid", "dashed", "dashdot", "dotted")
WHERE_STYLES = {"home": "-", "road": "--", "shelter": ":"}
MAX_SNAPSHOTS = len(TIME_STYLES)
COMPASS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
           "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")


def threat_levels_ppm(chemical: str) -> tuple[float, float, float]:
    """The 60-minute AEGL-1, -2 and -3 (ppm) of ``chemical``: the threat-zone contours."""
    one, two, three = (float(aegl_ppm(chemical, k, THREAT_DURATION_S)) for k in AEGL_LEVELS)
    return one, two, three


def clock(t_s: float) -> str:
    """``h:mm`` since the start of the run."""
    minutes = round(t_s / MINUTE)
    return f"{minutes // 60}:{minutes % 60:02d}"


def wind_text(w: Wind) -> str:
    from_deg = np.degrees(np.arctan2(-w.to_east, -w.to_north)) % 360.0
    return f"{w.speed_m_s:.0f} m/s from {COMPASS[round(from_deg / 22.5) % 16]}, " \
        f"class {w.stability}"


def region_grid(world: World, hazard: ChemicalHazard, cells: int = 220
                ) -> tuple[np.ndarray, np.ndarray]:
    """Receptor grid (x, y in m) over the zones, the roads and the source, with a margin."""
    t = hazard.train
    xs = np.concatenate([world.zones.x_m, world.roads.x_m, [t.x_m]])
    ys = np.concatenate([world.zones.y_m, world.roads.y_m, [t.y_m]])
    margin = max(200.0, 0.08 * max(np.ptp(xs), np.ptp(ys)))
    x = np.linspace(xs.min() - margin, xs.max() + margin, cells)
    step = x[1] - x[0]
    y = np.arange(ys.min() - margin, ys.max() + margin + step, step)
    return np.meshgrid(x, y)


def release_end_s(hazard: ChemicalHazard, stop_s: float = np.nan) -> float:
    """When the release ends: its planned end, or its stop if that came first."""
    spec = hazard.spec
    planned = spec.start_s + spec.duration_s if spec.duration_s is not None \
        else float(hazard.train.released_s.max())
    return float(np.fmin(planned, stop_s))


def snapshot_times_s(world: World, hazard: ChemicalHazard, stop_s: float = np.nan
                     ) -> list[float]:
    """Moments to draw: 15 min into the release, a minute before and ten minutes after each
    wind shift, the end of the release and five minutes later; only those when some place of
    the region is above AEGL-1, at most four (the first, the last and evenly between)."""
    onset, end = hazard.spec.start_s, release_end_s(hazard, stop_s)
    candidates = [onset + 15 * MINUTE, end, end + 5 * MINUTE]
    for w in hazard.train.winds[1:]:
        if w.t_s > onset:
            candidates += [w.t_s - MINUTE, w.t_s + 10 * MINUTE]
    x, y = region_grid(world, hazard, cells=80)
    aegl1 = threat_levels_ppm(hazard.chemical)[0]
    times: list[float] = []
    for t in sorted(candidates):
        if (not times or t - times[-1] >= 2 * MINUTE) and hazard.sample(t, x, y).max() >= aegl1:
            times.append(float(t))
    if len(times) > MAX_SNAPSHOTS:
        times = [times[i] for i in np.linspace(0, len(times) - 1, MAX_SNAPSHOTS).round()
                 .astype(int)]
    return times


def _region(ax: Axes, world: World) -> None:
    """Roads (light) and zone centroids."""
    r = world.roads
    for a, b in zip(r.link_from, r.link_to, strict=True):
        ax.plot([r.x_m[a] / 1000, r.x_m[b] / 1000], [r.y_m[a] / 1000, r.y_m[b] / 1000],
                color="0.85", lw=0.6, zorder=1)
    ax.scatter(world.zones.x_m / 1000, world.zones.y_m / 1000, s=14, color="0.35", zorder=3)


def _wind_arrow(ax: Axes, hazard: ChemicalHazard, w: Wind, k: int, n: int, span_m: float,
                style: str) -> None:
    """An arrow from the source the way the wind blows (length ∝ speed); arrows of several
    moments sit side by side."""
    t = hazard.train
    length = 0.05 * span_m * w.speed_m_s / max(x.speed_m_s for x in t.winds)
    offset = (k - (n - 1) / 2) * 0.02 * span_m
    x0, y0 = t.x_m - w.to_north * offset, t.y_m + w.to_east * offset
    ax.annotate("", xy=((x0 + length * w.to_east) / 1000, (y0 + length * w.to_north) / 1000),
                xytext=(x0 / 1000, y0 / 1000), zorder=5,
                arrowprops={"arrowstyle": "-|>", "linestyle": style, "color": "black",
                            "lw": 1.3, "shrinkA": 0, "shrinkB": 0})


def _legend_in_columns(ax: Axes, groups: list[list[Any]]) -> None:
    """A legend under the axes with one column per group (blank entries fill the gaps)."""
    rows = max(len(g) for g in groups)
    blank = Line2D([], [], alpha=0.0, label=" ")
    handles = [h for g in groups for h in [*g, *[blank] * (rows - len(g))]]
    ax.legend(handles=handles, fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.1),
              ncol=len(groups), frameon=False)


def threat_zone_map(ax: Axes, world: World, hazard: ChemicalHazard, times_s: list[float]
                    ) -> None:
    """Threat zones at ``times_s`` (up to four): the 60-minute AEGL-1/2/3 contours of the
    concentration at breathing height, a line style per moment and a colour per level, with
    the wind of each moment as an arrow at the source."""
    x, y = region_grid(world, hazard)
    levels = threat_levels_ppm(hazard.chemical)
    _region(ax, world)
    span_m = float(max(np.ptp(x), np.ptp(y)))
    colours = [Line2D([], [], color=LEVEL_COLOURS[k], lw=2, label=f"AEGL-{k}: {lv:g} ppm")
               for k, lv in zip(AEGL_LEVELS, levels, strict=True)]
    moments: list[Any] = []
    for k, (t, style) in enumerate(zip(times_s, TIME_STYLES, strict=False)):
        ppm = hazard.sample(t, x, y)
        drawn = [i for i, lv in enumerate(levels) if ppm.max() >= lv]
        if drawn:
            ax.contour(x / 1000, y / 1000, ppm, levels=[levels[i] for i in drawn],
                       colors=[LEVEL_COLOURS[AEGL_LEVELS[i]] for i in drawn],
                       linestyles=style, linewidths=1.6, zorder=4)
        w = hazard.train.wind_at(t)
        _wind_arrow(ax, hazard, w, k, len(times_s), span_m, style)
        moments.append(Line2D([], [], color="black", ls=style,
                              label=f"{clock(t)}: wind {wind_text(w)}"))
    ax.scatter([hazard.train.x_m / 1000], [hazard.train.y_m / 1000], marker="*", s=220,
               color="black", edgecolors="white", zorder=6)
    places = [Line2D([], [], marker="*", ms=12, color="black", ls="", label="release"),
              Line2D([], [], marker="o", ms=4, color="0.35", ls="", label="zones")]
    _legend_in_columns(ax, [colours, moments, places])
    ax.set_xlim(x.min() / 1000, x.max() / 1000)
    ax.set_ylim(y.min() / 1000, y.max() / 1000)
    ax.set_aspect("equal")
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.set_title(f"{hazard.chemical.capitalize()} threat zones at 1.5 m (60-min AEGLs)",
                 fontsize=9)


def _running(lf: LogFrame, rows: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """Running total of the ``qty`` of ``rows`` at each of ``times_s``."""
    order = np.argsort(lf.t_s[rows], kind="stable")
    t, total = lf.t_s[rows][order], np.concatenate([[0.0], np.cumsum(lf.qty[rows][order])])
    return total[np.searchsorted(t, times_s, side="right")]


def _time_span_s(lf: LogFrame) -> float:
    """The part of the run worth showing: up to 1.25 times the time of the last exposure, stop
    or onset, at least an hour past the first onset, at most the run."""
    kinds = ("chem.exposure", "hazard.stop", "hazard.onset")
    rows = np.concatenate([lf.where(k) for k in kinds])
    last = float(lf.t_s[rows].max(initial=0.0))
    first = float(lf.t_s[lf.where("hazard.onset")].min(initial=0.0))
    return min(max(1.25 * last, first + HOUR), max(lf.duration_s, MINUTE))


def _first_order_s(lf: LogFrame, action: str) -> float:
    rows = lf.where("plan.order")
    t = lf.t_s[rows][lf.column("action")[rows] == action]
    return float(t.min()) if len(t) else np.nan


def exposure_curves(ax: Axes, lf: LogFrame, hazard_id: str | None = None) -> None:
    """Cumulative persons whose toxic load passed AEGL-2 and AEGL-3, at home, on the road
    and in a shelter; onset and stop of the release and the first protective orders marked."""
    times = np.linspace(0.0, _time_span_s(lf), 600)
    h = times / HOUR
    drawn = 0
    for level in (2, 3):
        for where in WHERE:
            rows = exposure_rows(lf, level, where)
            if len(rows):
                ax.step(h, _running(lf, rows, times), where="post", color=LEVEL_COLOURS[level],
                        ls=WHERE_STYLES[where], lw=1.8, label=f"above AEGL-{level}, {where}")
                drawn += 1
    if not drawn:
        ax.text(0.5, 0.75, "no one passed AEGL-2", transform=ax.transAxes, ha="center",
                color="0.4", bbox={"facecolor": "white", "edgecolor": "none"})
    right = ax.twinx()
    right.step(h, _running(lf, exposure_rows(lf, 1), times), where="post",
               color=LEVEL_COLOURS[1], lw=1.0, label="above AEGL-1, all (right axis)")
    right.set_ylim(bottom=0)
    right.set_ylabel("persons above AEGL-1 (cumulative)")
    ids = [hazard_id] if hazard_id is not None else chemical_hazard_ids(lf)
    marks = [(onset_time_s(lf, hid), "release begins", "black", "-") for hid in ids]
    marks += [(stop_time_s(lf, hid), "release stopped", "black", "-.") for hid in ids]
    marks += [(_first_order_s(lf, action), f"first order: {action.replace('_', ' ')}", colour,
               "-") for action, colour in (("shelter_in_place", "tab:blue"),
                                           ("evacuate", "tab:green"))]
    labelled: set[str] = set()
    for t, label, colour, style in marks:
        if np.isfinite(t):
            ax.axvline(t / HOUR, color=colour, ls=style, lw=1.1,
                       label=None if label in labelled else label)
            labelled.add(label)
    ax.set_xlim(0, h[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("time since the start (h)")
    ax.set_ylabel("persons (cumulative)")
    ax.set_title("People whose toxic load passed AEGL-2 / AEGL-3 (ten Berge), by where",
                 fontsize=9)
    lines, more = ax.get_legend_handles_labels(), right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=7.5, loc="upper center",
              bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)


def _count(n: float, one: str, many: str) -> str:
    return f"{n:,.0f} {one if n == 1 else many}"


def _title(hazard: ChemicalHazard, o: dict[str, float]) -> str:
    stopped = "never stopped" if np.isnan(o["release_stopped_s"]) else \
        f"stopped {o['release_stopped_after_s'] / MINUTE:.0f} min after onset"
    return (f"{hazard.chemical.capitalize()} release '{hazard.spec.id}': "
            f"{o['aegl1_persons']:,.0f} people above AEGL-1, {o['aegl2_persons']:,.0f} above "
            f"AEGL-2, {o['aegl3_persons']:,.0f} above AEGL-3, "
            f"{_count(o['casualties'], 'casualty', 'casualties')}\n"
            f"{stopped}; {_count(o['roads_closed'], 'road', 'roads')} closed; "
            f"{_count(o['zones_sheltering'], 'zone', 'zones')} told to shelter in place, "
            f"{o['zones_evacuated']:.0f} to evacuate")


def chemical_figure(world: World, hazard: ChemicalHazard, lf: LogFrame) -> Figure:
    """Threat-zone map and exposure curves, titled with the release's key outcomes."""
    fig = plt.figure(figsize=(15, 7.5), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
    stop_s = stop_time_s(lf, hazard.spec.id)
    threat_zone_map(left, world, hazard, snapshot_times_s(world, hazard, stop_s))
    exposure_curves(right, lf, hazard.spec.id)
    fig.suptitle(_title(hazard, chemical_outcomes(lf, hazard.spec.id)), fontsize=11)
    return fig


def write_chemical_figures(world: World, hazards: list[Any],
                           log: LogFrame | EventLog | pa.Table, folder: Path) -> list[Path]:
    """``chemical.png`` for the chemical hazard that started (``chemical-<id>.png`` each if
    several did); nothing if none did."""
    lf = log if isinstance(log, LogFrame) else LogFrame.of(log)
    started = set(chemical_hazard_ids(lf))
    chems = [h for h in hazards if getattr(h, "kind", "") == "chemical"
             and h.spec.id in started]
    out = []
    for h in chems:
        fig = chemical_figure(world, h, lf)
        name = "chemical.png" if len(chems) == 1 else f"chemical-{h.spec.id}.png"
        out.append(save_figure(fig, folder / name))
    return out
