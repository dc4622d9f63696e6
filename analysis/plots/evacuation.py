"""Evacuation figures, from the event log alone: who left and who is safe over time, shelter
occupancy against capacity, people still in the zones ordered to leave, and how long the
people in shelters waited for basic relief."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pyarrow as pa
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from drillsim.analysis.evacuation import (
    RELIEF_TARGET_S,
    departure_rows,
    evacuation_curves,
    evacuees_departed,
    evacuees_safe,
    has_evacuation,
    ordered_zones,
    relief_waits,
    remaining_by_zone,
    shelter_occupancy_by_shelter,
)
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.registry import facilities
from drillsim.sim.events import EventLog

TOP_ZONES = 6
"""Zones drawn one by one in the evacuation curve (those with the most departures)."""

TOP_SHELTERS = 10
"""Shelters drawn one by one in the occupancy figure (the full ones first, then by load)."""

HOUR = 3600.0


def _grid(lf: LogFrame) -> np.ndarray:
    """Sampling times: every minute, or 1,000 points over longer runs."""
    end = max(lf.duration_s, 60.0)
    return np.linspace(0.0, end, int(min(end / 60.0, 1000)) + 1)


def _mark_orders(ax: Axes, lf: LogFrame) -> None:
    """A dotted vertical line at each time zones were ordered to leave."""
    for k, t in enumerate(sorted(set(ordered_zones(lf).values()))):
        ax.axvline(t / HOUR, color="0.3", ls=":", lw=1.0,
                   label="evacuation order" if k == 0 else None)


def evacuation_curve(ax: Axes, lf: LogFrame, times: np.ndarray) -> None:
    """Persons departed and safe over time for the region and the zones most left."""
    h = times / HOUR
    ax.step(h, evacuees_departed(lf, times), where="post", color="black", lw=2,
            label="region: left home")
    ax.step(h, evacuees_safe(lf, times), where="post", color="black", lw=2, ls="--",
            label="region: safe")
    curves = evacuation_curves(lf, times)
    top = sorted(curves, key=lambda z: -curves[z][0][-1])[:TOP_ZONES]
    for k, zone in enumerate(top):
        departed, safe = curves[zone]
        color = f"C{k}"
        ax.step(h, departed, where="post", color=color, lw=1.2, label=f"zone {zone}: left home")
        ax.step(h, safe, where="post", color=color, lw=1.2, ls="--", label=f"zone {zone}: safe")
    _mark_orders(ax, lf)
    ax.set_xlabel("time since the start (h)")
    ax.set_ylabel("persons")
    ax.set_title("Evacuation: persons who left home (solid) and reached safety (dashed)")
    ax.legend(fontsize=7, ncol=2)


def occupancy_curves(ax: Axes, lf: LogFrame, times: np.ndarray) -> None:
    """Occupancy over time of the shelters that took in or turned away anyone, each with its
    capacity dashed in the same colour; shelters that were full drawn thick, turn-aways in the
    legend; beyond the fullest few, the rest in grey."""
    occupancy = shelter_occupancy_by_shelter(lf, times)
    capacity = {s: c for s, (c, _) in facilities(lf, "shelter").items()}
    full = set(lf.actor[lf.where("shelter.full")])
    away_rows = lf.where("shelter.turn_away")
    away = {s: float(lf.qty[away_rows][lf.actor[away_rows] == s].sum()) for s in occupancy}
    used = [s for s in occupancy if occupancy[s][-1] > 0 or away[s] > 0]

    def load(s: str) -> float:
        return occupancy[s][-1] / capacity[s] if capacity.get(s, 0) > 0 else 0.0

    top = sorted(used, key=lambda s: (s not in full, -load(s)))[:TOP_SHELTERS]
    h = times / HOUR
    for s in used:
        if s not in top:
            ax.step(h, occupancy[s], where="post", color="0.8", lw=0.8)
    for k, s in enumerate(top):
        notes = [n for n in ("full" if s in full else "",
                             f"{away[s]:,.0f} turned away" if away[s] else "") if n]
        label = f"{s} ({', '.join(notes)})" if notes else s
        ax.step(h, occupancy[s], where="post", color=f"C{k}", lw=2.5 if s in full else 1.2,
                label=label)
        if s in capacity:
            ax.axhline(capacity[s], color=f"C{k}", ls="--", lw=0.8)
    if len(used) > len(top):
        ax.plot([], [], color="0.8", lw=0.8, label=f"{len(used) - len(top)} other shelters")
    if len(occupancy) > len(used):
        ax.plot([], [], " ", label=f"{len(occupancy) - len(used)} shelters took no one")
    ax.set_xlabel("time since the start (h)")
    ax.set_ylabel("persons in the shelter")
    ax.set_title("Shelter occupancy (solid) and capacity (dashed); full shelters drawn thick")
    ax.legend(fontsize=7)


def remaining_curve(ax: Axes, lf: LogFrame, times: np.ndarray) -> None:
    """Residents still at home or on the way in the zones ordered to leave, stacked by zone."""
    by_zone = remaining_by_zone(lf, times)
    top = sorted(by_zone, key=lambda z: -by_zone[z].max())[:TOP_ZONES]
    stacks = [by_zone[z] for z in top]
    labels = [f"zone {z}" for z in top]
    rest = [v for z, v in by_zone.items() if z not in top]
    if rest:
        stacks.append(np.sum(rest, axis=0))
        labels.append(f"{len(rest)} other zones")
    ax.stackplot(times / HOUR, *stacks, labels=labels, alpha=0.8, step="post")
    _mark_orders(ax, lf)
    ax.set_xlabel("time since the start (h)")
    ax.set_ylabel("persons at home or on the way")
    ax.set_title("People still in the zones ordered to leave")
    ax.legend(fontsize=7)


def relief_histogram(ax: Axes, lf: LogFrame) -> None:
    """Persons in shelters by the time from leaving home to basic relief, with the target."""
    persons, waits = relief_waits(lf)
    done = np.isfinite(waits)
    hours = waits[done] / HOUR
    top = max(float(hours.max(initial=0.0)), RELIEF_TARGET_S / HOUR) * 1.05
    ax.hist(hours, bins=np.linspace(0.0, top, 25), weights=persons[done], color="C0")
    ax.axvline(RELIEF_TARGET_S / HOUR, color="C3", ls="--", lw=1.2,
               label=f"target: within {RELIEF_TARGET_S / HOUR:g} h")
    never = persons[~done].sum()
    ax.set_xlabel("time from leaving home to basic relief (h)")
    ax.set_ylabel("persons")
    title = "Time to basic relief of the people in shelters"
    ax.set_title(f"{title}\n({never:,.0f} {'person' if never == 1 else 'persons'} not "
                 "relieved by the end)" if never else title)
    ax.legend(fontsize=8)


def _figure(draw: Callable[[Axes], None]) -> Figure:
    fig = plt.figure(figsize=(9, 5), layout="constrained")
    draw(fig.subplots())
    return fig


def evacuation_figures(lf: LogFrame) -> dict[str, Figure]:
    """The figures the log has data for, by file stem."""
    if not has_evacuation(lf):
        return {}
    times = _grid(lf)
    figures = {}
    if len(departure_rows(lf)):
        figures["evacuation-curve"] = _figure(lambda ax: evacuation_curve(ax, lf, times))
    if len(lf.where("shelter.admit")) or len(lf.where("shelter.turn_away")):
        figures["evacuation-shelters"] = _figure(lambda ax: occupancy_curves(ax, lf, times))
    if remaining_by_zone(lf, times[:1]):
        figures["evacuation-remaining"] = _figure(lambda ax: remaining_curve(ax, lf, times))
    if len(relief_waits(lf)[0]):
        figures["evacuation-relief"] = _figure(lambda ax: relief_histogram(ax, lf))
    return figures


def write_evacuation_figures(log: LogFrame | EventLog | pa.Table, folder: Path) -> list[Path]:
    """A PNG per evacuation figure the log has data for (none without evacuation events)."""
    lf = log if isinstance(log, LogFrame) else LogFrame.of(log)
    out = []
    for stem, fig in evacuation_figures(lf).items():
        path = folder / f"{stem}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        out.append(path)
    return out
