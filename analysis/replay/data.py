"""The data of the tabletop replay page (version 1), built from a run folder.

Everything the page draws is aggregated here, once, so the browser only looks values up:
hazard intensity per zone as a colour class per frame, the share of each zone's residents
still at home, each facility's load, road closures as a list of changes, teams as tracks of
positions, incidents with their open and close times, the timeline of key moments, and the
objectives with the moment each was decided. Per-frame arrays are uint8, base64-encoded
(a 1,000,000-resident city over three days stays a few megabytes).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.mapdata import HazardFrames, MapData, frame_times, read_map
from drillsim.analysis.report import fmt
from drillsim.analysis.report.timeline import key_moments
from drillsim.analysis.runio import read_json

VERSION = 1
FRAME_S = 300.0
MAX_FRAMES = 901
SHARE_SCALE = 200.0
"""Shares are stored as byte / 200 (up to 127 %); 255 marks a closed facility."""
CLOSED = 255
FLOOD_BANDS_M = (0.01, 0.15, 0.3, 0.5, 1.0, 2.0)
"""Water depth classes (m): the region map's bands (0.3 m closes roads)."""
PGA_BANDS_G = (0.028, 0.062, 0.12, 0.22, 0.40, 0.75)
"""Shaking classes: PGA at MMI IV–IX by Worden et al. (2012), as the region map draws them."""


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, np.uint8).tobytes()).decode("ascii")


def share_bytes(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(np.nan_to_num(x, nan=0.0) * SHARE_SCALE), 0, CLOSED - 1
                   ).astype(np.uint8)


def hazard_levels(h: HazardFrames) -> tuple[float, ...]:
    """The class bounds of a hazard's measure: the region map's bands, the hazard's own
    levels (e.g. AEGL-based for a release), or five even steps up to its 99.5th percentile."""
    if h.measure == "depth_m":
        return FLOOD_BANDS_M
    if h.measure == "pga_g":
        return PGA_BANDS_G
    if h.levels:
        return tuple(float(v) for v in h.levels)
    v = h.zone_values[np.isfinite(h.zone_values)]
    top = float(np.percentile(v, 99.5)) if v.size else 0.0
    return tuple(top * k / 5 for k in range(1, 6)) if top > 0 else (1.0,)


def _nearest(src: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Index of the frame of ``src`` nearest to each time in ``at``."""
    k = np.clip(np.searchsorted(src, at), 1, max(len(src) - 1, 1))
    if len(src) == 1:
        return np.zeros(len(at), np.int64)
    return np.where(at - src[k - 1] <= src[k] - at, k - 1, k)


def hazard_layers(md: MapData, t: np.ndarray) -> list[dict[str, Any]]:
    from drillsim.analysis.plots.region_map import measure_label

    out = []
    for h in md.hazards:
        levels = hazard_levels(h)
        values = h.zone_values[_nearest(h.times_s, t)]
        classes = np.searchsorted(np.asarray(levels), np.nan_to_num(values, nan=0.0),
                                  side="right")
        out.append({"id": h.id, "kind": h.kind, "measure": h.measure,
                    "label": measure_label(h.measure).replace("\n", " "),
                    "levels": list(levels), "zone_class": b64(classes)})
    return out


def _fill_forward(t: np.ndarray, rows_t: np.ndarray, cols: np.ndarray, values: np.ndarray,
                  shape: tuple[int, int], initial: np.ndarray) -> np.ndarray:
    """A frames × items matrix of the latest value at or before each frame (``initial``
    before the first), from events (time, item, value) in time order."""
    out = np.full(shape, np.nan)
    k = np.searchsorted(t, rows_t, side="left")  # the first frame at or after the event
    keep = k < shape[0]
    out[k[keep], cols[keep]] = values[keep]  # later events at one frame win (log order)
    out[0] = np.where(np.isnan(out[0]), initial, out[0])
    idx = np.where(np.isnan(out), 0, np.arange(shape[0])[:, None])
    np.maximum.accumulate(idx, axis=0, out=idx)
    return out[idx, np.arange(shape[1])[None, :]]


def people_home(lf: LogFrame, md: MapData, t: np.ndarray) -> np.ndarray:
    """Share of each zone's residents at home at each frame, from the zones' censuses (the
    share at the frame is that of the last census at or before it; all at home before)."""
    z = {zid: i for i, zid in enumerate(md.zone_ids)}
    rows = lf.where("evac.census")
    rows = rows[np.array([a in z for a in lf.actor[rows]], bool)] if len(rows) else rows
    pop = np.maximum(np.asarray(md.zone_pop, float), 1.0)
    if not len(rows):
        return np.ones((len(t), len(md.zone_ids)))
    cols = np.array([z[a] for a in lf.actor[rows]])
    home = np.array([float(v or 0.0) for v in lf.column("home")[rows]])
    return _fill_forward(t, lf.t_s[rows] + 1e-9, cols, home / pop[cols],
                         (len(t), len(md.zone_ids)), np.ones(len(md.zone_ids)))


def facility_load(lf: LogFrame, md: MapData, t: np.ndarray) -> np.ndarray:
    """Per frame and facility: a shelter's persons admitted ÷ capacity, 0 for others, and
    :data:`CLOSED` while a facility is closed (as bytes)."""
    from drillsim.analysis.evacuation import shelter_occupancy_by_shelter

    n = len(md.fac_ids)
    load = np.zeros((len(t), n))
    occupancy = shelter_occupancy_by_shelter(lf, t)
    for j, fid in enumerate(md.fac_ids):
        if md.fac_kind[j] == "shelter" and fid in occupancy and md.fac_capacity[j] > 0:
            load[:, j] = occupancy[fid] / md.fac_capacity[j]
    out = share_bytes(load)
    index = {fid: j for j, fid in enumerate(md.fac_ids)}
    init = lf.where("facility.init")
    start_open = np.ones(n)
    for r in init:
        if lf.actor[r] in index and lf.column("open")[r] is False:
            start_open[index[lf.actor[r]]] = 0.0
    rows = np.sort(np.concatenate([lf.where("facility.close"), lf.where("facility.open")]))
    rows = rows[np.array([a in index for a in lf.actor[rows]], bool)] if len(rows) else rows
    is_open = _fill_forward(t, lf.t_s[rows], np.array([index[a] for a in lf.actor[rows]],
                                                       np.int64),
                            (lf.kind[rows] == "facility.open").astype(float), (len(t), n),
                            start_open) if len(rows) else np.tile(start_open, (len(t), 1))
    out[is_open < 0.5] = CLOSED
    return out


def roads(md: MapData) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """One entry per road id (a two-way road's two directed links drawn once)."""
    first: dict[str, int] = {}
    for k, rid in enumerate(md.link_ids):
        first.setdefault(str(rid), k)
    keep = np.array(list(first.values()), np.int64)
    r1 = lambda a: np.round(np.asarray(a, float), 1).tolist()  # noqa: E731 (decimetres)
    return ({"id": list(first), "x0": r1(md.link_x[keep, 0]), "y0": r1(md.link_y[keep, 0]),
             "x1": r1(md.link_x[keep, 1]), "y1": r1(md.link_y[keep, 1]),
             "bridge": np.asarray(md.bridge)[keep].astype(int).tolist()},
            {rid: i for i, rid in enumerate(first)})


def road_changes(lf: LogFrame, index: dict[str, int]) -> list[list[float]]:
    rows = np.sort(np.concatenate([lf.where("link.close"), lf.where("link.open")]))
    return [[float(lf.t_s[r]), index[lf.actor[r]], int(lf.kind[r] == "link.close")]
            for r in rows if lf.actor[r] in index]


def team_tracks(lf: LogFrame, md: MapData) -> list[dict[str, Any]]:
    """Each team's positions: at its station when ready or resting, leaving where it was at
    dispatch and reaching the destination at arrival (the page interpolates between)."""
    where = {**{str(n): (x, y) for n, x, y in zip(md.node_ids, md.node_x, md.node_y,
                                                   strict=True)},
             **{str(f): (x, y) for f, x, y in zip(md.fac_ids, md.fac_x, md.fac_y,
                                                   strict=True)}}
    kinds = ("team.ready", "team.dispatch", "team.arrive", "team.free", "team.rest")
    rows = np.sort(np.concatenate([lf.where(k) for k in kinds]))
    tracks: dict[str, list[list[float]]] = {}
    types = {lf.actor[r]: lf.data(r).get("type", "") for r in lf.where("team.init")}
    for r in rows:
        team, place = lf.actor[r], lf.place[r]
        if place not in where:
            continue
        x, y = where[place]
        track = tracks.setdefault(team, [])
        t = float(lf.t_s[r])
        if lf.kind[r] == "team.dispatch":
            if track:
                track.append([t, track[-1][1], track[-1][2]])  # sets out from where it is
            continue  # the destination is reached at team.arrive
        track.append([t, round(float(x), 1), round(float(y), 1)])
    return [{"id": k, "type": types.get(k, ""), "track": v} for k, v in tracks.items()]


def incidents(lf: LogFrame, md: MapData) -> list[dict[str, Any]]:
    z = {zid: (x, y) for zid, x, y in zip(md.zone_ids, md.zone_x, md.zone_y, strict=True)}
    closed = {lf.actor[r]: float(lf.t_s[r]) for r in lf.where("incident.close")}
    out = []
    for r in lf.where("incident.create"):
        x, y = z.get(lf.place[r], (np.nan, np.nan))
        if not np.isfinite(x):
            continue
        out.append({"id": lf.actor[r], "type": lf.data(r).get("type", ""),
                    "x": round(float(x), 1), "y": round(float(y), 1),
                    "open_s": float(lf.t_s[r]), "close_s": closed.get(lf.actor[r]),
                    "units": float(lf.qty[r])})
    return out


def timeline(lf: LogFrame, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Key moments, each inject flagged ``hidden`` if the players were not to see it."""
    hidden = lf.column("hidden")
    return [{"t_s": m.t_s, "tag": m.tag, "text": m.text,
             "hidden": bool(m.seq >= 0 and lf.kind[m.seq] == "drill.inject"
                            and hidden[m.seq])}
            for m in key_moments(lf, rows)]


def objectives(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": r["id"], "text": r.get("text") or r["id"],
             "capability": r.get("capability", ""), "met": bool(r["met"]),
             "decided_s": r.get("decided_at_s"),
             "value": fmt.value(r.get("value"), r.get("unit", "")),
             "target": fmt.target(r["op"], r["threshold"], r.get("unit", ""))}
            for r in rows]


def replay_data(folder: Path) -> dict[str, Any]:
    """The replay data of the run in ``folder`` (without decision points: see
    :mod:`drillsim.analysis.replay.decisions`)."""
    summary = read_json(folder / "summary.json")
    card = read_json(folder / "scenario.json") if (folder / "scenario.json").is_file() else {}
    lf = LogFrame.of(pq.read_table(folder / "events.parquet"))
    md = read_map(folder / "map.npz")
    t = frame_times(lf.duration_s, FRAME_S, MAX_FRAMES)
    rows = summary.get("scorecard", {}).get("objectives", [])
    road_table, road_index = roads(md)
    x0, x1, y0, y1 = md.bounds
    return {
        "version": VERSION,
        "meta": {"name": summary.get("scenario") or card.get("name", ""),
                 "description": card.get("description", ""),
                 "start_iso": card.get("start") or lf.manifest.get("start", ""),
                 "duration_s": float(lf.duration_s),
                 "unscripted": bool(card.get("unscripted", False)),
                 "seed": summary.get("seed", {}).get("entropy"),
                 "drill_type": card.get("drill_type", ""),
                 "hazard_text": [_hazard_line(h) for h in card.get("hazards", [])
                                 if h.get("kind") != "none"]},
        "region": {
            "bounds": [float(x0), float(x1), float(y0), float(y1)],
            "zones": {"id": list(map(str, md.zone_ids)), "name": list(map(str, md.zone_names)),
                      "x": np.round(md.zone_x, 1).tolist(), "y": np.round(md.zone_y, 1).tolist(),
                      "pop": np.asarray(md.zone_pop, float).round().tolist()},
            "roads": road_table,
            "facilities": {"kind": list(map(str, md.fac_kind)), "id": list(map(str, md.fac_ids)),
                           "name": list(map(str, md.fac_names)),
                           "x": np.round(md.fac_x, 1).tolist(),
                           "y": np.round(md.fac_y, 1).tolist(),
                           "capacity": np.asarray(md.fac_capacity, float).round().tolist()},
        },
        "frames": {"t_s": t.tolist(), "hazards": hazard_layers(md, t),
                   "people_home": b64(share_bytes(people_home(lf, md, t))),
                   "shelter_load": b64(facility_load(lf, md, t))},
        "road_changes": road_changes(lf, road_index),
        "teams": team_tracks(lf, md),
        "incidents": incidents(lf, md),
        "timeline": timeline(lf, rows),
        "objectives": objectives(rows),
        "decisions": [],
    }


INTERNAL = frozenset({"model", "horizon_s", "scenario_s", "start_hour"})
"""Hazard parameters the engine derives; the facilitator is shown what the author wrote."""


def _hazard_line(h: dict[str, Any]) -> str:
    params = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in h.get("params", {}).items()
                       if k not in INTERNAL)
    return f"{h['kind']} '{h['id']}' from {fmt.elapsed(h.get('start_s', 0.0))}" + (
        f": {params}" if params else "")
