"""Response figure, from the event log (and the hospitals' beds in use at the start, from the
world): the trapped freed alive, still waiting and dead; incidents waiting for a first team
against the teams at work; hospital admissions against the free beds, with the queue; and the
response level over time."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pyarrow as pa
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from drillsim.analysis.care import hospital_queue_curve
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.plots import save_figure
from drillsim.analysis.registry import cumulative, open_count, step_values
from drillsim.analysis.response import (
    BUSY,
    RESTING,
    TRAPPED_TYPES,
    Incidents,
    TeamStates,
    died_waiting_curve,
    freed_rows,
    has_response,
    incidents_waiting,
    persons_waiting,
)
from drillsim.sim.events import EventLog
from drillsim.sim.plan import LEVEL_NAMES
from drillsim.sim.world import World

HOUR = 3600.0


def _grid(lf: LogFrame) -> np.ndarray:
    """Sampling times: every minute, or 1,000 points over longer runs."""
    end = max(lf.duration_s, 60.0)
    return np.linspace(0.0, end, int(min(end / 60.0, 1000)) + 1)


def _hours(ax: Axes, times: np.ndarray) -> None:
    ax.set_xlim(0.0, times[-1] / HOUR)
    ax.set_xlabel("time since the start (h)")


def trapped_curves(ax: Axes, lf: LogFrame, times: np.ndarray) -> None:
    """Persons trapped (collapse and water rescues): freed alive so far, still waiting, died
    waiting so far; a dotted line when each mutual-aid team became ready."""
    h = times / HOUR
    rows, _ = freed_rows(lf)
    ax.step(h, cumulative(times, lf.t_s[rows], lf.qty[rows]), where="post", color="tab:green",
            lw=2, label="freed alive (so far)")
    ax.step(h, persons_waiting(lf, times, TRAPPED_TYPES), where="post", color="tab:red", lw=2,
            label="still trapped")
    ax.step(h, died_waiting_curve(lf, times, TRAPPED_TYPES), where="post", color="black",
            lw=1.5, ls="--", label="died while trapped (so far)")
    ready = lf.where("team.ready")
    aid = ready[lf.column("mutual_aid")[ready].astype(bool)] if len(ready) else ready
    for k, t in enumerate(sorted(set(lf.t_s[aid].tolist()))):
        ax.axvline(t / HOUR, color="tab:blue", ls=":", lw=0.9,
                   label=f"mutual-aid team ready ({len(aid)})" if k == 0 else None)
    ax.set_ylabel("persons")
    ax.set_title("(a) Trapped people: freed alive, still waiting, died waiting", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    _hours(ax, times)


def team_curves(ax: Axes, lf: LogFrame, times: np.ndarray) -> None:
    """Incidents waiting for a first team (left axis) against the teams ready, busy and
    resting (right axis)."""
    h = times / HOUR
    ax.step(h, incidents_waiting(lf, times), where="post", color="tab:orange", lw=2,
            label="incidents waiting for a first team")
    ax.set_ylabel("incidents")
    right = ax.twinx()
    states = TeamStates.of(lf)
    ready = lf.where("team.ready")
    right.step(h, cumulative(times, lf.t_s[ready]), where="post", color="0.35", lw=1.5,
               label="teams ready (right axis)")
    busy = states.count(times, BUSY)
    right.fill_between(h, 0.0, busy, step="post", color="tab:blue", alpha=0.35, lw=0,
                       label="teams busy (right axis)")
    resting = states.count(times, RESTING)
    if resting.any():
        right.fill_between(h, busy, busy + resting, step="post", color="tab:purple",
                           alpha=0.3, lw=0, label="teams resting (right axis)")
    right.set_ylabel("teams")
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    # headroom above the curves for the legend; the incidents drawn over the teams
    right.set_ylim(0.0, max(float(right.get_ylim()[1]), 1.0) * 1.3)
    ax.set_ylim(0.0, max(float(ax.get_ylim()[1]), 1.0) * 1.3)
    ax.set_zorder(right.get_zorder() + 1)
    ax.patch.set_visible(False)
    lines, labels = ax.get_legend_handles_labels()
    more, more_labels = right.get_legend_handles_labels()
    ax.legend(lines + more, labels + more_labels, fontsize=7, loc="upper right", ncol=2)
    ax.set_title("(b) Incidents waiting for a team; teams at work", fontsize=9)
    _hours(ax, times)


def free_beds(lf: LogFrame, world: World | None, times: np.ndarray) -> tuple[np.ndarray, bool]:
    """Free beds of the open hospitals at ``times``: each hospital's beds (``facility.init``)
    less those in use at the start (its ``occupied`` field; for logs without it, ``world``'s
    occupied share, rounded as the engine does; none if neither knows) less its admissions
    so far; and whether the beds in use at the start were known for every hospital."""
    rows = lf.where("facility.init")
    rows = rows[lf.column("type")[rows] == "hospital"] if len(rows) else rows
    start: dict[str, float] = {}
    if world is not None:
        h = world.hospitals
        start = dict(zip(h.ids, np.round(np.asarray(h.beds, float)
                                         * np.asarray(h.occupied_share, float)), strict=True))
    logged = lf.column("occupied")
    for r in rows.tolist():  # the log's own count of beds in use at the start, if it has one
        if logged[r] is not None:
            start[lf.actor[r]] = float(logged[r])
    admit = lf.where("hospital.admit")
    total = np.zeros(len(times))
    for r in rows.tolist():
        hid = lf.actor[r]
        mine = admit[lf.actor[admit] == hid]
        left = lf.qty[r] - start.get(hid, 0.0) - cumulative(times, lf.t_s[mine], lf.qty[mine])
        is_open = open_count(lf, times, "facility.open", "facility.close",
                             {hid} if lf.column("open")[r] else set(), actors={hid})
        total += np.maximum(left, 0.0) * is_open
    return total, all(lf.actor[r] in start for r in rows.tolist())


def hospital_curves(ax: Axes, lf: LogFrame, world: World | None, times: np.ndarray) -> None:
    """Persons admitted to hospital so far, free beds of the open hospitals, and persons
    waiting for a bed."""
    h = times / HOUR
    admit = lf.where("hospital.admit")
    ax.step(h, cumulative(times, lf.t_s[admit], lf.qty[admit]), where="post",
            color="tab:green", lw=2, label="admitted (so far)")
    beds, known = free_beds(lf, world, times)
    note = f"{beds[0]:,.0f} at the start" if known else "beds in use at the start unknown"
    ax.step(h, beds, where="post", color="0.35", lw=1.5,
            label=f"free beds in open hospitals ({note})")
    ax.step(h, hospital_queue_curve(lf, times), where="post", color="tab:red", lw=2,
            label="waiting for a bed")
    full = lf.where("hospital.full")
    for k, t in enumerate(lf.t_s[full].tolist()):
        ax.axvline(t / HOUR, color="tab:red", ls=":", lw=0.9,
                   label="a hospital is full" if k == 0 else None)
    ax.set_ylabel("persons or beds")
    ax.set_ylim(bottom=0.0)
    ax.set_title("(c) Hospitals: admissions, free beds, queue", fontsize=9)
    ax.legend(fontsize=7, loc="center right")
    _hours(ax, times)


def level_curve(ax: Axes, lf: LogFrame, times: np.ndarray) -> None:
    """The response level over time (I most severe), with the mutual-aid requests."""
    rows = lf.where("plan.level")
    ax.step(times / HOUR, step_values(times, lf.t_s[rows], lf.qty[rows]), where="post",
            color="tab:purple", lw=2, label="response level")
    aid = lf.where("aid.request")
    if len(aid):
        level = step_values(lf.t_s[aid], lf.t_s[rows], lf.qty[rows])
        teams = lf.qty[aid].sum()
        ax.plot(lf.t_s[aid] / HOUR, level, "v", color="tab:blue", ms=7,
                label=f"mutual aid requested ({teams:,.0f} team{'' if teams == 1 else 's'})")
    ax.set_yticks(range(len(LEVEL_NAMES)), LEVEL_NAMES)
    ax.set_ylim(-0.3, len(LEVEL_NAMES) - 0.7)
    ax.set_ylabel("response level")
    ax.set_title("(d) Response level (IV least, I most severe)", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    _hours(ax, times)


def _headline(lf: LogFrame) -> str:
    inc = Incidents.of(lf)
    trapped = inc.units[np.isin(inc.type, TRAPPED_TYPES)].sum()
    rows, _ = freed_rows(lf)
    end = np.array([lf.duration_s])
    died = float(died_waiting_curve(lf, end)[0])
    unreached = int((~np.isfinite(inc.first_team_s)).sum())
    admitted = lf.qty[lf.where("hospital.admit")].sum()
    return (f"Response: {lf.qty[rows].sum():,.0f} of {trapped:,.0f} trapped freed alive, "
            f"{died:,.0f} died waiting; {len(inc.id)} incidents, {unreached} never reached; "
            f"{admitted:,.0f} admitted to hospital")


def response_figure(lf: LogFrame, world: World | None) -> Figure:
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), sharex=True)
    times = _grid(lf)
    trapped_curves(axes[0, 0], lf, times)
    team_curves(axes[0, 1], lf, times)
    hospital_curves(axes[1, 0], lf, world, times)
    level_curve(axes[1, 1], lf, times)
    for ax in axes[0]:
        ax.tick_params(labelbottom=True)
    fig.suptitle(_headline(lf))
    fig.tight_layout()
    return fig


def write_response_figures(log: LogFrame | EventLog | pa.Table, world: World | None,
                           folder: Path) -> list[Path]:
    """``response.png`` if the run had any incident or hospital admission."""
    lf = log if isinstance(log, LogFrame) else LogFrame.of(log)
    if not has_response(lf):
        return []
    fig = response_figure(lf, world)
    return [save_figure(fig, folder / "response.png")]
