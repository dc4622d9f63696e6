"""Earthquake outcomes from the event log: what the shocks did to buildings and people."""

from __future__ import annotations

import numpy as np

from drillsim.analysis.logframe import LogFrame

STATES = ("slight", "moderate", "extensive", "complete", "collapsed")


def has_quake(lf: LogFrame) -> bool:
    return len(lf.where("quake.shock")) > 0


def building_damage(lf: LogFrame) -> dict[str, int]:
    """Buildings in each damage state at the end (the last count of each zone)."""
    rows = lf.where("quake.damage")
    last: dict[str, int] = {}
    for i in rows.tolist():
        last[lf.actor[i]] = i
    return {s: int(sum(lf.column(s)[i] for i in last.values())) for s in STATES}


def collapse_rows(lf: LogFrame) -> np.ndarray:
    """Rows of the collapse-rescue incidents (qty: persons trapped)."""
    rows = lf.where("incident.create")
    return rows[lf.column("type")[rows] == "collapse_rescue"]


def rescued_rows(lf: LogFrame) -> np.ndarray:
    """Rows of people freed alive from collapses (qty: persons)."""
    rows = lf.where("rescue.alive")
    return rows[lf.column("type")[rows] == "collapse_rescue"]


def died_trapped(lf: LogFrame, killed: np.ndarray) -> np.ndarray:
    """Which of the ``people.killed`` rows ``killed`` died trapped in a collapse, waiting
    for rescue (cause ``waiting:<incident>`` of a collapse-rescue incident)."""
    collapses = {f"waiting:{a}" for a in lf.actor[collapse_rows(lf)].tolist()}
    return np.array([c in collapses for c in lf.column("cause")[killed].tolist()], bool)


def quake_outcomes(lf: LogFrame) -> dict[str, float]:
    """Deaths (at the shocks and among the trapped), injured by severity, people trapped and
    freed alive, displaced, homes lost, bridges closed and facilities damaged."""
    killed = lf.where("people.killed")
    trapped_died = died_trapped(lf, killed)
    injured = lf.where("people.injured")
    severity = lf.column("severity")[injured]
    structure = lf.where("quake.structure")
    kinds = lf.column("type")[structure]
    states = lf.column("state")[structure]
    out = {
        "deaths_at_shocks": float(lf.qty[killed][~trapped_died].sum()),
        "deaths_while_trapped": float(lf.qty[killed][trapped_died].sum()),
        "trapped": float(lf.qty[collapse_rows(lf)].sum()),
        "rescued_alive": float(lf.qty[rescued_rows(lf)].sum()),
        "displaced": float(lf.qty[lf.where("people.displaced")].sum()),
        "rooms_lost": float(lf.qty[lf.where("housing.damage")].sum()),
        "bridges_closed": float(len(set(lf.actor[structure][(kinds == "bridge") & np.isin(
            states, ["extensive", "complete"])]))),
        "facilities_damaged": float(len(set(lf.actor[structure][(kinds != "bridge") & np.isin(
            states, ["extensive", "complete", "failed"])]))),
    }
    for s in (1, 2, 3):
        out[f"injured_severity_{s}"] = float(lf.qty[injured][severity == s].sum())
    return out


def cumulative(lf: LogFrame, kind: str, times: np.ndarray, mask: np.ndarray | None = None
               ) -> np.ndarray:
    """Running total of the ``qty`` of events of ``kind`` at each of ``times``."""
    rows = lf.where(kind)
    if mask is not None:
        rows = rows[mask]
    t, q = lf.t_s[rows], lf.qty[rows]
    return np.array([q[t <= x].sum() for x in times])
