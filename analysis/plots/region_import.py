"""The map of an imported region: roads by class, zones shaded by residents, shelters,
hospitals and fire stations (what ``drillsim import-osm`` shows beside its report)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

CLASS_STYLE = {"motorway": (2.2, "#b2182b"), "trunk": (2.0, "#d6604d"),
               "primary": (1.8, "#f4a582"), "secondary": (1.4, "#92c5de"),
               "tertiary": (1.2, "#4393c3")}
"""Line width and colour of the main road classes; other roads are thin grey."""

Outline = tuple[Sequence[float], Sequence[float]]


def import_map(region: Mapping[str, Any], road_classes: Mapping[str, str],
               zone_outlines: Mapping[str, Sequence[Outline]], title: str) -> Figure:
    """``region`` as the region YAML holds it; ``road_classes`` by link id; each zone's
    outline rings (x, y)."""
    fig, ax = plt.subplots(figsize=(9, 9))
    zones = {z["id"]: z for z in region["zones"]}
    top = max((z["population"] for z in zones.values()), default=0) or 1
    for zid, rings in zone_outlines.items():
        for x, y in rings:
            ax.fill(x, y, color="#fdae61", alpha=0.1 + 0.5 * zones[zid]["population"] / top,
                    lw=0.4, ec="#a6611a")
    nodes = {n["id"]: (n["x"], n["y"]) for n in region["roads"]["nodes"]}
    for klass in ("other", *reversed(CLASS_STYLE)):
        segs = [(nodes[lk["from"]], nodes[lk["to"]]) for lk in region["roads"]["links"]
                if road_classes.get(lk["id"]) == klass
                or (klass == "other" and road_classes.get(lk["id"]) not in CLASS_STYLE)]
        if not segs:
            continue
        width, colour = CLASS_STYLE.get(klass, (0.6, "#777777"))
        ax.add_collection(LineCollection(segs, linewidths=width, colors=colour,
                                         label=f"{klass} roads ({len(segs)})"))
    for flag, style, label in (("tunnel", ":", "tunnel"), ("bridge", "-", "bridge")):
        segs = [(nodes[lk["from"]], nodes[lk["to"]]) for lk in region["roads"]["links"]
                if lk.get(flag)]
        if segs:  # over the class colour: tunnels dotted purple, bridges black
            ax.add_collection(LineCollection(segs, linewidths=1.4, linestyles=style,
                                             colors="#542788" if flag == "tunnel" else "black",
                                             zorder=3, label=f"{label} links ({len(segs)})"))
    for key, marker, colour, label in (("shelters", "s", "#1a9641", "shelter"),
                                       ("hospitals", "P", "#d7191c", "hospital"),
                                       ("stations", "^", "#2c7bb6", "fire station")):
        items = region.get(key) or []
        if items:
            ax.scatter([nodes[i["node"]][0] for i in items], [nodes[i["node"]][1] for i in items],
                       marker=marker, s=60, c=colour, edgecolors="k", zorder=5,
                       label=f"{label} ({len(items)})")
    ax.set_title(title)
    ax.set_xlabel("x (m east)")
    ax.set_ylabel("y (m north)")
    ax.set_aspect("equal")
    ax.autoscale()
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
