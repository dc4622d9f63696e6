"""Sample data for the tabletop replay page (``REPLAY`` version 1) and a helper that renders it.

``small_replay()`` is a hand-made riverside flood, small enough to reason about in a test: its
injects, objectives and decision sit at known times (the ``SMALL_*`` constants).
``large_replay()`` is a deterministic synthetic city at the sizes the page must play smoothly
(3,000 zones, 12,000 roads, 900 frames, 300 teams, 2,000 incidents). ``render_page`` does what
the report code does with the template: substitutes the stylesheet, script and JSON.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

TEMPLATES = Path(__file__).resolve().parents[1] / "analysis" / "replay" / "templates"

SMALL_FRAME_S = 300.0
"""Seconds between frames of the small replay."""
SMALL_FRAMES = 97
"""Frames of the small replay (0 to 8 h)."""
SMALL_DURATION_S = SMALL_FRAME_S * (SMALL_FRAMES - 1)
SMALL_INJECT_S = 5_400.0
"""The first (visible) inject: T+1:30."""
SMALL_HIDDEN_INJECT_S = 10_800.0
"""The hidden inject: T+3:00."""
SMALL_DECISION_S = 14_400.0
"""The decision point: T+4:00."""
SMALL_MISSED_S = 17_160.0
"""When the missed objective is decided: T+4:46, between two frames."""
SMALL_HIDDEN_TEXT = "Facilitator: tell the room the Mill Lane bridge has been washed out"
SMALL_INJECT_TEXT = "River gauge at Weir Street reads 0.6 m above flood stage and rising"


def b64(array: np.ndarray) -> str:
    """Base64 of an array's bytes as uint8, row-major (the encoding of ``frames`` arrays)."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode("ascii")


def _classes(values: np.ndarray, levels: list[float]) -> np.ndarray:
    """Class of each value: 0 below ``levels[0]``, k at or above ``levels[k - 1]``."""
    return np.searchsorted(np.asarray(levels), values, side="right").astype(np.uint8)


def small_replay() -> dict[str, Any]:
    """A riverside flood over 8 h: 12 zones, 20 roads, 4 shelters, 2 injects (one hidden),
    3 objectives (one missed at ``SMALL_MISSED_S``), 1 decision with 2 options."""
    t = np.arange(SMALL_FRAMES) * SMALL_FRAME_S
    n_t = t.size
    # zones on a 4 × 3 grid; the river runs along the south (y = 0)
    gx, gy = np.meshgrid([1000.0, 3000.0, 5000.0, 7000.0], [1000.0, 3000.0, 5000.0])
    zx, zy = gx.ravel(), gy.ravel()
    names = ["Weir Street", "Mill Lane", "Quayside", "Tannery Row", "Church Hill", "Market",
             "Station Road", "Foundry", "Upper Town", "Oakfield", "Beacon Park", "Highgate"]
    pop = np.array([2400, 1800, 3100, 900, 1500, 2700, 2000, 1200, 800, 1900, 1100, 600])

    # water depth rises to a crest at 5 h, less deep further from the river
    crest = np.clip(np.minimum(t / 18_000.0, 1.0) * 1.6 - np.maximum(t - 21_600.0, 0) / 20_000.0,
                    0, None)
    depth = crest[:, None] - (zy[None, :] - 1000.0) / 1600.0 - 0.1 * (zx[None, :] / 7000.0)
    levels = [0.15, 0.3, 0.5, 1.0]
    zone_class = _classes(np.clip(depth, 0, None), levels)
    # people leave the wet zones from 1 h on
    leave = np.clip((t[:, None] - 3600.0 - zy[None, :] * 0.6) / 9000.0, 0, 1)
    home = np.round((1.0 - 0.85 * leave) * 200)

    # roads: the grid's links (17) and three river crossings, two of them bridges
    nodes = {(i, j): (1000.0 + 2000 * i, 1000.0 + 2000 * j) for i in range(4) for j in range(3)}
    links = [((i, j), (i + 1, j)) for j in range(3) for i in range(3)]
    links += [((i, j), (i, j + 1)) for j in range(2) for i in range(4)]
    segs = [(*nodes[a], *nodes[b]) for a, b in links]
    segs += [(3000.0, 1000.0, 3000.0, 0.0), (5000.0, 1000.0, 5200.0, 0.0),
             (7000.0, 1000.0, 7800.0, 0.0)]
    bridge = [0] * 17 + [1, 1, 0]

    kinds = ["shelter"] * 4 + ["hospital", "depot", "station"]
    fac_xy = [(2000.0, 5000.0), (4200.0, 5600.0), (6000.0, 4200.0), (7600.0, 5400.0),
              (4000.0, 4000.0), (1200.0, 4200.0), (6200.0, 2000.0)]
    capacity = [400, 600, 300, 250, 120, 0, 0]
    fill = np.clip((t - 4000.0) / 14_000.0, 0, None)
    load = np.zeros((n_t, len(kinds)))
    load[:, 0] = np.minimum(fill * 0.9, 0.95)
    load[:, 1] = np.minimum(fill * 0.5, 0.6)
    load[:, 2] = np.minimum(fill * 1.3, 1.12)       # over capacity from about T+4:30
    load[:, 3] = np.minimum(fill * 0.3, 0.4)
    load_b = np.round(load * 200).astype(np.uint8)
    load_b[t >= 12_600.0, 3] = 255                  # shelter 4 closes at T+3:30

    teams = [
        {"id": "ENG-1", "type": "fire engine",
         "track": [[600.0, 6200.0, 2000.0], [2400.0, 3000.0, 1200.0], [9000.0, 3000.0, 1200.0],
                   [11_000.0, 1000.0, 1000.0]]},
        {"id": "BOAT-1", "type": "rescue boat",
         "track": [[3600.0, 1200.0, 4200.0], [7200.0, 1000.0, 1100.0], [14_400.0, 5000.0, 1000.0],
                   [21_600.0, 7000.0, 1000.0]]},
        {"id": "AMB-1", "type": "ambulance",
         "track": [[0.0, 4000.0, 4000.0], [5000.0, 5000.0, 3000.0], [8000.0, 4000.0, 4000.0]]},
        {"id": "BUS-2", "type": "bus",
         "track": [[9000.0, 6200.0, 2000.0], [12_000.0, 7000.0, 3000.0],
                   [15_000.0, 6000.0, 4200.0]]},
    ]
    incidents = [
        {"id": "I1", "type": "rescue", "x": 1000.0, "y": 1100.0, "open_s": 4200.0,
         "close_s": 9000.0, "units": 2.0},
        {"id": "I2", "type": "rescue", "x": 3000.0, "y": 900.0, "open_s": 6000.0,
         "close_s": 15_000.0, "units": 4.0},
        {"id": "I3", "type": "medical", "x": 5000.0, "y": 3000.0, "open_s": 7800.0,
         "close_s": 8400.0, "units": 1.0},
        {"id": "I4", "type": "fire", "x": 7000.0, "y": 3000.0, "open_s": 12_000.0,
         "close_s": None, "units": 6.0},
        {"id": "I5", "type": "rescue", "x": 5000.0, "y": 1000.0, "open_s": 13_000.0,
         "close_s": 20_000.0, "units": 3.0},
        {"id": "I6", "type": "medical", "x": 2000.0, "y": 3200.0, "open_s": 18_000.0,
         "close_s": 19_800.0, "units": 1.0},
    ]
    timeline = [
        {"t_s": 0.0, "tag": "hazard", "text": "Heavy rain warning in force; river at bankfull",
         "hidden": False},
        {"t_s": 1800.0, "tag": "command", "text": "Incident command post opened at the depot",
         "hidden": False},
        {"t_s": 3600.0, "tag": "command",
         "text": "Evacuation ordered for Weir Street, Mill Lane, Quayside and Tannery Row",
         "hidden": False},
        {"t_s": SMALL_INJECT_S, "tag": "inject", "text": SMALL_INJECT_TEXT, "hidden": False},
        {"t_s": 7200.0, "tag": "hazard", "text": "Quayside Road closed: 0.35 m of water",
         "hidden": False},
        {"t_s": 9000.0, "tag": "met",
         "text": "Objective met: riverside zones evacuated within 3 h", "hidden": False},
        {"t_s": SMALL_HIDDEN_INJECT_S, "tag": "inject", "text": SMALL_HIDDEN_TEXT,
         "hidden": True},
        {"t_s": 12_600.0, "tag": "resource",
         "text": "Highgate shelter closed: power lost", "hidden": False},
        {"t_s": 16_200.0, "tag": "shortfall",
         "text": "Foundry Hall over capacity; no second shelter open nearby", "hidden": False},
        {"t_s": SMALL_MISSED_S, "tag": "missed",
         "text": "Objective missed: no shelter over capacity", "hidden": False},
        {"t_s": 21_600.0, "tag": "hazard", "text": "River crest passing; water receding",
         "hidden": False},
    ]
    objectives = [
        {"id": "evac-riverside", "text": "Evacuate the riverside zones within 3 h",
         "capability": "Mass care: evacuation", "met": True, "decided_s": 9000.0,
         "value": "2 h 30 min", "target": "≤ 3 h"},
        {"id": "shelter-capacity", "text": "No shelter over its capacity",
         "capability": "Mass care: sheltering", "met": False, "decided_s": SMALL_MISSED_S,
         "value": "112 %", "target": "≤ 100 %"},
        {"id": "hospital-open", "text": "Hospital accepts patients throughout",
         "capability": "Public health and medical services", "met": True, "decided_s": None,
         "value": "open 8 h", "target": "open all run"},
    ]
    decisions = [{
        "id": "open-school", "at_s": SMALL_DECISION_S,
        "question": "Foundry Hall is filling fast. Open Oakfield School as an overflow shelter "
                    "now, or hold its staff for the second wave?",
        "options": [
            {"id": "open-now", "label": "Open Oakfield School now", "played": False,
             "objectives": [{"id": "evac-riverside", "met": True, "value": "2 h 30 min"},
                            {"id": "shelter-capacity", "met": True, "value": "91 %"},
                            {"id": "hospital-open", "met": True, "value": "open 8 h"}]},
            {"id": "hold", "label": "Hold staff for the second wave", "played": True,
             "objectives": [{"id": "evac-riverside", "met": True, "value": "2 h 30 min"},
                            {"id": "shelter-capacity", "met": False, "value": "112 %"},
                            {"id": "hospital-open", "met": True, "value": "open 8 h"}]},
        ],
    }]
    return {
        "version": 1,
        "meta": {
            "name": "Riverside flood — spring tide", "start_iso": "2024-03-14T06:00:00",
            "description": "Rain on saturated ground lifts the river over its banks at the weir; "
                           "four riverside neighbourhoods must be evacuated.",
            "duration_s": SMALL_DURATION_S, "unscripted": False, "seed": 42,
            "drill_type": "Functional exercise",
            "hazard_text": ["Peak 1.6 m at the weir at T+5:00 (100-year event)",
                            "Mill Lane bridge fails at T+3:00 (hidden inject)"],
        },
        "region": {
            "bounds": [0.0, 8000.0, 0.0, 6000.0],
            "zones": {"id": [f"Z{i:02d}" for i in range(12)], "name": names,
                      "x": zx.tolist(), "y": zy.tolist(), "pop": pop.tolist()},
            "roads": {"id": [f"R{i:02d}" for i in range(len(segs))],
                      "x0": [s[0] for s in segs], "y0": [s[1] for s in segs],
                      "x1": [s[2] for s in segs], "y1": [s[3] for s in segs], "bridge": bridge},
            "facilities": {"kind": kinds,
                           "id": ["S1", "S2", "S3", "S4", "H1", "D1", "F1"],
                           "name": ["Town Hall", "Leisure Centre", "Foundry Hall",
                                    "Highgate Church", "St Mary's Hospital", "Council Depot",
                                    "Fire Station"],
                           "x": [p[0] for p in fac_xy], "y": [p[1] for p in fac_xy],
                           "capacity": capacity},
        },
        "frames": {
            "t_s": t.tolist(),
            "hazards": [{"id": "river", "kind": "flood", "measure": "depth_m",
                         "label": "water depth (m)", "levels": levels,
                         "zone_class": b64(zone_class)}],
            "people_home": b64(home),
            "shelter_load": b64(load_b),
        },
        "road_changes": [[7200.0, 2, 1], [SMALL_HIDDEN_INJECT_S, 18, 1], [12_000.0, 1, 1],
                         [21_600.0, 2, 0]],
        "teams": teams,
        "incidents": incidents,
        "timeline": timeline,
        "objectives": objectives,
        "decisions": decisions,
    }


LARGE_SIZES = {"zones": 3000, "roads": 12_000, "frames": 900, "teams": 300, "incidents": 2000}


def large_replay(seed: int = 7) -> dict[str, Any]:
    """A synthetic city at the sizes of ``LARGE_SIZES`` (deterministic for a seed): a flood
    and a chemical release, 1,500 road changes, 600 timeline entries, 12 injects, 4 decisions."""
    rng = np.random.default_rng(seed)
    n_z, n_r, n_t = LARGE_SIZES["zones"], LARGE_SIZES["roads"], LARGE_SIZES["frames"]
    n_team, n_inc = LARGE_SIZES["teams"], LARGE_SIZES["incidents"]
    w, h = 40_000.0, 30_000.0
    t = np.arange(n_t) * 300.0
    duration = float(t[-1])

    zx, zy = rng.uniform(0, w, n_z), rng.uniform(0, h, n_z)
    pop = np.round(rng.lognormal(7.0, 0.8, n_z))
    river_y = 9000.0 + 2500.0 * np.sin(zx / 6000.0)
    dist = np.abs(zy - river_y)

    # road grid 90 × 68 nodes, jittered; the first 12,000 links
    nx, ny = 90, 68
    gx = np.linspace(0, w, nx)[None, :] + rng.normal(0, 80, (ny, nx))
    gy = np.linspace(0, h, ny)[:, None] + rng.normal(0, 80, (ny, nx))
    a = np.concatenate([np.ravel_multi_index(np.mgrid[0:ny, 0:nx - 1], (ny, nx)).ravel(),
                        np.ravel_multi_index(np.mgrid[0:ny - 1, 0:nx], (ny, nx)).ravel()])
    b = np.concatenate([a[: ny * (nx - 1)] + 1, a[ny * (nx - 1):] + nx])[:n_r]
    a = a[:n_r]
    x0, y0, x1, y1 = gx.ravel()[a], gy.ravel()[a], gx.ravel()[b], gy.ravel()[b]
    ry0 = 9000.0 + 2500.0 * np.sin(x0 / 6000.0)
    bridge = ((y0 - ry0) * (y1 - ry0) < 0).astype(int)

    # flood: depth rises over 30 h, recedes after; chemical: a plume moving east from T+12h
    crest = np.interp(t, [0, 108_000, duration], [0.0, 3.0, 0.8])
    depth = crest[:, None] - dist[None, :] / 2500.0
    flood_levels = [0.01, 0.15, 0.3, 0.5, 1.0, 2.0]
    flood = _classes(np.clip(depth, 0, None), flood_levels)
    src_x = np.interp(t, [43_200, duration], [5000.0, 35_000.0])
    plume = np.exp(-(((zx[None, :] - src_x[:, None]) / 5000.0) ** 2
                     + ((zy[None, :] - 20_000.0) / 2500.0) ** 2)) * 400.0
    plume[t < 43_200] = 0.0
    chem_levels = [1.0, 20.0, 100.0]
    chem = _classes(plume, chem_levels)

    start = rng.uniform(0, 60_000, n_z) + dist
    home = np.round(np.exp(-np.clip(t[:, None] - start[None, :], 0, None) / 20_000.0) * 200)

    n_sh, n_hos, n_dep, n_sta = 60, 12, 10, 20
    kinds = (["shelter"] * n_sh + ["hospital"] * n_hos + ["depot"] * n_dep
             + ["station"] * n_sta)
    n_f = len(kinds)
    fx, fy = rng.uniform(0, w, n_f), rng.uniform(0, h, n_f)
    cap = np.concatenate([rng.integers(200, 1500, n_sh), rng.integers(50, 400, n_hos),
                          np.zeros(n_dep + n_sta, int)])
    rate = rng.uniform(0.3, 1.4, n_f)
    load = np.clip(rate[None, :] * np.clip(t[:, None] - 7200.0, 0, None) / 150_000.0, 0, 1.27)
    load_b = np.round(load * 200).astype(np.uint8)
    load_b[:, n_sh:] = 0
    close_at = rng.uniform(50_000, 400_000, n_f)
    load_b[t[:, None] >= close_at[None, :]] = 255

    closes = rng.uniform(0, duration, 1000)
    roads_c = rng.integers(0, n_r, 1000)
    changes = [[float(c), int(r), 1] for c, r in zip(closes, roads_c, strict=True)]
    reopen = rng.random(1000) < 0.5
    changes += [[float(c + rng.uniform(3600, 40_000)), int(r), 0]
                for c, r, o in zip(closes, roads_c, reopen, strict=True) if o]
    changes = sorted((c for c in changes if c[0] <= duration), key=lambda c: c[0])

    types = ["fire engine", "ambulance", "rescue boat", "police", "bus", "utility crew"]
    teams = []
    for i in range(n_team):
        n_p = 60
        ts = np.sort(rng.uniform(0, duration, n_p))
        px = np.clip(rng.uniform(0, w) + np.cumsum(rng.normal(0, 900, n_p)), 0, w)
        py = np.clip(rng.uniform(0, h) + np.cumsum(rng.normal(0, 900, n_p)), 0, h)
        teams.append({"id": f"T{i:03d}", "type": types[i % len(types)],
                      "track": np.column_stack([ts, px, py]).round(1).tolist()})

    opens = np.sort(rng.uniform(0, duration, n_inc))
    lengths = rng.exponential(10_800, n_inc)
    incidents = [
        {"id": f"I{i:04d}", "type": ["rescue", "medical", "fire"][i % 3],
         "x": float(rng.uniform(0, w)), "y": float(rng.uniform(0, h)), "open_s": float(o),
         "close_s": None if i % 10 == 0 else float(o + d), "units": float(rng.integers(1, 9))}
        for i, (o, d) in enumerate(zip(opens, lengths, strict=True))
    ]

    tags = ["hazard", "command", "resource", "shortfall"]
    news = ["rising water", "road blocked", "crew arrived", "shelter full"]
    timeline = [{"t_s": float(x), "tag": tags[i % 4],
                 "text": f"Entry {i}: zone Z{i % n_z:04d} reports {news[i % 4]}", "hidden": False}
                for i, x in enumerate(np.sort(rng.uniform(0, duration, 600)))]
    timeline += [{"t_s": float(x), "tag": "inject", "text": f"Inject {i + 1}: media call about "
                  f"zone Z{i * 37:04d}", "hidden": i % 4 == 3}
                 for i, x in enumerate(np.linspace(20_000, duration - 10_000, 12))]
    objectives = [
        {"id": f"O{i:02d}", "text": f"Objective {i + 1}: clear sector {i + 1} within 24 h",
         "capability": ["Evacuation", "Sheltering", "Search and rescue", "Medical"][i % 4],
         "met": i % 3 != 1, "decided_s": float(30_000 + i * 18_000), "value": f"{18 + i} h",
         "target": "≤ 24 h"}
        for i in range(12)
    ]
    decisions = [
        {"id": f"D{k}", "at_s": float(50_000 + k * 55_000),
         "question": f"Decision {k + 1}: redeploy boats from the north to the south sector?",
         "options": [{"id": f"D{k}-o{j}", "label": ["Redeploy", "Hold", "Split"][j],
                      "played": j == 1,
                      "objectives": [{"id": o["id"], "met": bool((j + n) % 3),
                                      "value": f"{17 + n + j} h"}
                                     for n, o in enumerate(objectives)]}
                     for j in range(3)]}
        for k in range(4)
    ]
    timeline.sort(key=lambda e: e["t_s"])
    return {
        "version": 1,
        "meta": {"name": "Metro flood and chlorine release (synthetic, large)",
                 "description": "A synthetic city at the sizes the replay must play smoothly.",
                 "start_iso": "2024-10-02T22:00:00", "duration_s": duration,
                 "unscripted": True, "seed": seed, "drill_type": "Full-scale exercise",
                 "hazard_text": ["Crest 3 m at T+30:00", "Chlorine plume from T+12:00"]},
        "region": {
            "bounds": [0.0, w, 0.0, h],
            "zones": {"id": [f"Z{i:04d}" for i in range(n_z)],
                      "name": [f"Zone {i:04d}" for i in range(n_z)],
                      "x": zx.round(1).tolist(), "y": zy.round(1).tolist(),
                      "pop": pop.tolist()},
            "roads": {"id": [f"R{i:05d}" for i in range(n_r)], "x0": x0.round(1).tolist(),
                      "y0": y0.round(1).tolist(), "x1": x1.round(1).tolist(),
                      "y1": y1.round(1).tolist(), "bridge": bridge.tolist()},
            "facilities": {"kind": kinds, "id": [f"F{i:03d}" for i in range(n_f)],
                           "name": [f"{k.title()} {i}" for i, k in enumerate(kinds)],
                           "x": fx.round(1).tolist(), "y": fy.round(1).tolist(),
                           "capacity": cap.tolist()},
        },
        "frames": {
            "t_s": t.tolist(),
            "hazards": [
                {"id": "river", "kind": "flood", "measure": "depth_m", "label": "water depth (m)",
                 "levels": flood_levels, "zone_class": b64(flood)},
                {"id": "chlorine", "kind": "chemical", "measure": "concentration_ppm",
                 "label": "chlorine (ppm)", "levels": chem_levels, "zone_class": b64(chem)},
            ],
            "people_home": b64(home),
            "shelter_load": b64(load_b),
        },
        "road_changes": changes,
        "teams": teams,
        "incidents": incidents,
        "timeline": timeline,
        "objectives": objectives,
        "decisions": decisions,
    }


def render_page(data: dict[str, Any], path: Path) -> Path:
    """Write the replay page for ``data`` to ``path`` as the report code renders it: the
    template with the stylesheet, script and JSON (``</`` escaped) substituted."""
    html = (TEMPLATES / "replay.html").read_text(encoding="utf-8")
    css = (TEMPLATES / "replay.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "replay.js").read_text(encoding="utf-8")
    data_json = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    page = jinja2.Template(html).render(css=css, js=js, data_json=data_json)
    path.write_text(page, encoding="utf-8")
    return path
