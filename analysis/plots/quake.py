"""Earthquake figure, from the event log alone: how hard the mainshock shook each zone and how
many of its buildings it wrecked; and the toll over time (deaths, people trapped, displaced)
with the aftershocks."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pyarrow as pa
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.plots import save_figure
from drillsim.analysis.quake import cumulative, died_trapped, has_quake, quake_outcomes
from drillsim.sim.events import EventLog
from drillsim.sim.world import World

HOUR = 3600.0


def shaking_map(ax: Axes, lf: LogFrame, world: World) -> None:
    """Zones coloured by the mainshock's intensity (MMI), sized by buildings wrecked
    (extensive damage or worse), with the epicentres of the shocks."""
    zones = world.zones
    first = lf.where("quake.shock")[0]
    rows = lf.where("quake.shaking")
    rows = rows[lf.t_s[rows] == lf.t_s[first]]
    mmi = dict(zip(lf.actor[rows], lf.column("mmi")[rows], strict=True))
    values = np.array([mmi.get(z, np.nan) for z in zones.ids], float)
    wrecked = dict.fromkeys(zones.ids, 0)
    for i in lf.where("quake.damage").tolist():
        wrecked[lf.actor[i]] = int(lf.column("extensive")[i] + lf.column("complete")[i])
    size = 12 + 4 * np.array([wrecked[z] for z in zones.ids], float)
    dots = ax.scatter(zones.x_m / 1000, zones.y_m / 1000, c=values, s=size, cmap="YlOrRd",
                      vmin=np.nanmin(values) - 0.5, vmax=np.nanmax(values) + 0.5,
                      edgecolors="0.3", linewidths=0.4)
    plt.colorbar(dots, ax=ax, label="mainshock intensity (MMI, Worden et al. 2012)")
    ax.set_aspect("equal")
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.set_title("Shaking; dot size: buildings at extensive damage or worse", fontsize=9)


def toll_curves(ax: Axes, lf: LogFrame) -> None:
    """Deaths, people trapped (alive) and people displaced over time; aftershocks marked."""
    times = np.linspace(0.0, max(lf.duration_s, 60.0), 600)
    h = times / HOUR
    killed = lf.where("people.killed")
    deaths = cumulative(lf, "people.killed", times)
    created = lf.where("incident.create")
    freed = lf.where("rescue.alive")
    trapped = (cumulative(lf, "incident.create", times,
                          lf.column("type")[created] == "collapse_rescue")
               - cumulative(lf, "people.killed", times, died_trapped(lf, killed))
               - cumulative(lf, "rescue.alive", times,
                            lf.column("type")[freed] == "collapse_rescue"))
    ax.step(h, deaths, where="post", color="black", lw=2, label="dead")
    ax.step(h, trapped, where="post", color="tab:red", label="trapped, alive")
    ax.step(h, cumulative(lf, "rescue.alive", times,
                          lf.column("type")[freed] == "collapse_rescue"),
            where="post", color="tab:green", label="freed alive")
    ax.set_ylabel("persons")
    ax2 = ax.twinx()
    ax2.step(h, cumulative(lf, "people.displaced", times), where="post", color="tab:blue",
             ls="--", label="displaced (right axis)")
    ax2.set_ylabel("displaced persons")
    for k, i in enumerate(lf.where("quake.shock").tolist()):
        ax.axvline(lf.t_s[i] / HOUR, color="0.6", lw=0.6 + 0.3 * max(lf.qty[i] - 4.5, 0),
                   label="shocks (width: magnitude)" if k == 0 else None)
    lines = ax.get_legend_handles_labels()
    more = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="center right")
    ax.set_xlabel("hours")
    ax.set_title("Toll over time", fontsize=9)


def quake_figure(lf: LogFrame, world: World) -> Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2))
    shaking_map(left, lf, world)
    toll_curves(right, lf)
    o = quake_outcomes(lf)
    fig.suptitle(f"Earthquake: {o['deaths_at_shocks'] + o['deaths_while_trapped']:,.0f} dead, "
                 f"{o['trapped']:,.0f} trapped ({o['rescued_alive']:,.0f} freed alive), "
                 f"{o['displaced']:,.0f} displaced, "
                 f"{o['bridges_closed']:.0f} bridges closed")
    fig.tight_layout()
    return fig


def write_quake_figures(log: LogFrame | EventLog | pa.Table, world: World,
                        folder: Path) -> list[Path]:
    """``earthquake.png`` if the run had an earthquake."""
    lf = log if isinstance(log, LogFrame) else LogFrame.of(log)
    if not has_quake(lf):
        return []
    fig = quake_figure(lf, world)
    return [save_figure(fig, folder / "earthquake.png")]
