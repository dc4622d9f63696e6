"""Chemical-release outcomes from the event log: who breathed how much (by AEGL level and by
where they were), the casualties, when the release was stopped, the roads it closed and the
protective actions ordered."""

from __future__ import annotations

import numpy as np

from drillsim.analysis.logframe import LogFrame

AEGL_LEVELS = (1, 2, 3)
WHERE = ("home", "road", "shelter")
"""Where people were when their toxic load passed a level (``chem.exposure``'s ``where``)."""
PROTECTIVE_ACTIONS = {"shelter_in_place": "zones_sheltering", "evacuate": "zones_evacuated"}


def chemical_hazard_ids(lf: LogFrame) -> list[str]:
    """Ids of the chemical hazards that started, in onset order."""
    rows = lf.where("hazard.onset")
    kinds = lf.column("hazard_kind")[rows]
    return list(dict.fromkeys(lf.actor[rows][kinds == "chemical"].tolist()))


def has_chemical(lf: LogFrame) -> bool:
    return bool(chemical_hazard_ids(lf))


def exposure_rows(lf: LogFrame, level: int, where: str | None = None) -> np.ndarray:
    """Rows of ``chem.exposure`` at AEGL-``level`` (and, if given, at ``where``)."""
    rows = lf.where("chem.exposure")
    keep = lf.column("aegl")[rows] == level
    if where is not None:
        keep &= lf.column("where")[rows] == where
    return rows[keep]


def casualty_rows(lf: LogFrame, hazard_ids: list[str]) -> np.ndarray:
    """Rows of ``people.injured`` at severity 3 caused by one of ``hazard_ids``."""
    rows = lf.where("people.injured")
    keep = (lf.column("severity")[rows] == 3) & np.isin(lf.column("cause")[rows], hazard_ids)
    return rows[keep]


def stop_time_s(lf: LogFrame, hazard_id: str) -> float:
    """When the release of ``hazard_id`` was stopped at its source (NaN if it never was)."""
    rows = lf.where("hazard.stop")
    rows = rows[lf.actor[rows] == hazard_id]
    return float(lf.t_s[rows[0]]) if len(rows) else float("nan")


def onset_time_s(lf: LogFrame, hazard_id: str) -> float:
    rows = lf.where("hazard.onset")
    rows = rows[lf.actor[rows] == hazard_id]
    return float(lf.t_s[rows[0]]) if len(rows) else float("nan")


def chemical_outcomes(lf: LogFrame, hazard_id: str | None = None) -> dict[str, float]:
    """Persons whose toxic load passed AEGL-1, -2 and -3 (in all and at home, on the road, in
    a shelter), casualties (severity-3 injuries caused by the release), when the release was
    stopped (run time, and after its onset; NaN if never), roads the release closed, and
    zones ordered to shelter in place and to evacuate.

    With several chemical hazards the outcomes are over all of them (the latest stop; NaN if
    any was never stopped), or over ``hazard_id`` alone, except the exposures and the orders,
    which the log does not attribute to a hazard."""
    ids = [hazard_id] if hazard_id is not None else chemical_hazard_ids(lf)
    out: dict[str, float] = {}
    for level in AEGL_LEVELS:
        out[f"aegl{level}_persons"] = float(lf.qty[exposure_rows(lf, level)].sum())
        for where in WHERE:
            out[f"aegl{level}_persons_{where}"] = float(
                lf.qty[exposure_rows(lf, level, where)].sum())
    out["casualties"] = float(lf.qty[casualty_rows(lf, ids)].sum())
    stops = [stop_time_s(lf, h) for h in ids]
    delays = [s - onset_time_s(lf, h) for s, h in zip(stops, ids, strict=True)]
    out["release_stopped_s"] = float(np.max(stops)) if ids else float("nan")
    out["release_stopped_after_s"] = float(np.max(delays)) if ids else float("nan")
    closed = lf.where("link.close")
    out["roads_closed"] = float(len(set(
        lf.actor[closed][np.isin(lf.column("reason")[closed], ids)].tolist())))
    orders = lf.where("plan.order")
    for action, key in PROTECTIVE_ACTIONS.items():
        zones = lf.place[orders][lf.column("action")[orders] == action]
        out[key] = float(len(set(zones.tolist())))
    return out
