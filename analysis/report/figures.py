"""The report's figures, drawn with the house plotting functions and embedded in the page
as PNG data URIs (the file works offline and can be mailed as one attachment)."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from drillsim.analysis.evacuation import has_evacuation
from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.plots.evacuation import evacuation_figures
from drillsim.analysis.plots.response import (
    hospital_curves,
    level_curve,
    team_curves,
    trapped_curves,
)
from drillsim.analysis.response import TRAPPED_TYPES, Incidents, has_response

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from drillsim.analysis.mapdata import MapData

DPI = 130
"""Sharp enough to print at A4 width."""


HALF = (6.4, 3.9)
"""Size (inches) of a figure shown half the page wide."""


@dataclass(frozen=True)
class Embedded:
    """A figure ready for the page; ``wide`` ones take the page's width, the others half."""

    id: str
    title: str
    caption: str
    uri: str
    wide: bool = False


def embed(fig: Figure, fig_id: str, title: str, caption: str, wide: bool = False
          ) -> Embedded:
    """``fig`` as a PNG data URI (the figure is closed); a narrow one is resized to
    :data:`HALF` so its text stays legible at half the page's width."""
    if not wide:  # the caption names it; a long title would be clipped at this size
        fig.set_size_inches(*HALF)
        for ax in fig.axes:
            ax.set_title("")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    return Embedded(fig_id, title, caption, uri, wide)


def _times(lf: LogFrame) -> np.ndarray:
    end = max(lf.duration_s, 60.0)
    return np.linspace(0.0, end, int(min(end / 60.0, 1000)) + 1)


def _single(draw: Callable[[Axes], None], size: tuple[float, float] = HALF) -> Figure:
    fig = plt.figure(figsize=size, layout="constrained")
    draw(fig.subplots())
    return fig


EVACUATION_CAPTIONS = {
    "evacuation-curve": ("Evacuation curves",
                         "Residents who have left home and who have reached safety, for the "
                         "region and the zones most left; dotted lines mark evacuation orders."),
    "evacuation-shelters": ("Shelter load against capacity",
                            "People in each of the fullest shelters (solid) against its "
                            "capacity (dashed)."),
    "evacuation-remaining": ("Residents still at home in ordered zones",
                             "Residents of the zones ordered to leave who had not left yet."),
    "evacuation-relief": ("Wait for basic relief",
                          "Hours from leaving home to receiving water and food in a shelter; "
                          "the plan's target is 10 h."),
}


def run_figures(lf: LogFrame, md: MapData | None = None,
                map_times_s: list[float] | None = None) -> list[Embedded]:
    """Every figure the run has data for, in the order the report shows them: the map at
    the chosen times, evacuation, shelters, rescue, teams, hospitals, response level."""
    out = []
    if md is not None:
        from drillsim.analysis.plots.region_map import default_map_times, region_maps_figure

        times = map_times_s or default_map_times(md, lf)
        out.append(embed(region_maps_figure(md, lf, times), "map",
                         "The region at key moments",
                         "Zones, roads, shelters and the hazard's extent; closed roads dashed "
                         "red, shelters coloured by how full they are.", wide=True))
    if has_evacuation(lf):
        for stem, fig in evacuation_figures(lf).items():
            title, caption = EVACUATION_CAPTIONS.get(stem, (stem, ""))
            out.append(embed(fig, stem, title, caption))
    times = _times(lf)
    if has_response(lf):
        inc = Incidents.of(lf)
        if np.isin(inc.type, TRAPPED_TYPES).any():
            out.append(embed(_single(lambda ax: trapped_curves(ax, lf, times)), "rescue",
                             "Trapped people: rescued alive, waiting, died waiting",
                             "People trapped in collapses or cut off by water, by what became "
                             "of them; dotted lines mark mutual-aid teams becoming ready."))
        if len(lf.where("team.init")):
            out.append(embed(_single(lambda ax: team_curves(ax, lf, times)), "teams",
                             "Team utilisation",
                             "Incidents waiting for a first team against teams at work, "
                             "resting and ready."))
        if len(lf.where("hospital.admit")) or len(lf.where("hospital.queue")):
            out.append(embed(_single(lambda ax: hospital_curves(ax, lf, None, times)),
                             "hospitals", "Hospitals",
                             "Admissions against free beds, and casualties waiting for a bed."))
    if len(lf.where("plan.level")):
        out.append(embed(_single(lambda ax: level_curve(ax, lf, times)), "level",
                         "Response level over time",
                         "The response level declared (IV lowest, I highest)."))
    return out
