"""The timeline of a run's key events and injects, as an after-action report lists them.

A run logs hundreds of thousands of events; a reader wants the few dozen that shaped it: the
hazards, the shocks, each response level, the first time each order reached a zone, every
inject, mutual aid requested and arriving, facilities lost, the first shelter and hospital
to fill, stock-outs, and the moment each objective was decided. Events that repeat (orders
reaching zone after zone, shelters filling one after another) are folded into one line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.report import fmt

FIRST_OF_EACH = 4
"""Shelters (hospitals, depots) listed one by one as they fill or run out; the rest folded."""
LISTED_AFTERSHOCK = 5.0
"""Aftershocks of this magnitude or more get a line each; smaller ones share one."""
ITEMS = {"water_l": "water", "food_rations": "food"}
NAMED = 6
"""Facilities named in a line about several closing at once; the rest counted."""


@dataclass(frozen=True)
class Moment:
    """One line of the timeline. ``tag`` styles it: hazard, command, inject, resource,
    shortfall, met, missed."""

    t_s: float
    tag: str
    text: str
    seq: int = -1
    """The log row it comes from (-1: derived)."""

    def row(self, start_iso: str) -> dict[str, Any]:
        return {"t_s": self.t_s, "elapsed": fmt.elapsed(self.t_s),
                "clock": fmt.wall_clock(start_iso, self.t_s), "tag": self.tag,
                "text": self.text, "seq": self.seq}


def _hazards(lf: LogFrame) -> list[Moment]:
    out = []
    shocks = lf.where("quake.shock")
    shaken = set(lf.actor[shocks].tolist())
    for r in lf.where("hazard.onset"):
        d = lf.data(r)
        if lf.actor[r] in shaken or d.get("hazard_kind") == "none":
            continue  # its first shock says it; "none" is no hazard at all
        cause = f", set off by {d['cause']}" if d.get("cause") else ""
        out.append(Moment(lf.t_s[r], "hazard",
                          f"{d.get('hazard_kind', 'hazard').capitalize()} '{lf.actor[r]}' "
                          f"begins{cause}", int(r)))
    small = []
    for r in shocks:
        if not lf.data(r).get("aftershock"):
            out.append(Moment(lf.t_s[r], "hazard", f"Earthquake '{lf.actor[r]}' of magnitude "
                              f"{lf.qty[r]:.1f}", int(r)))
        elif lf.qty[r] >= LISTED_AFTERSHOCK:
            out.append(Moment(lf.t_s[r], "hazard", f"Aftershock of magnitude {lf.qty[r]:.1f}",
                              int(r)))
        else:
            small.append(int(r))
    if small:
        m = lf.qty[small]
        out.append(Moment(lf.t_s[small[0]], "hazard", f"First of {len(small)} smaller "
                          f"aftershocks (magnitude {m.min():.1f}–{m.max():.1f}) over the run",
                          small[0]))
    for r in lf.where("hazard.stop"):
        by = lf.data(r).get("by")
        out.append(Moment(lf.t_s[r], "command", f"Release '{lf.actor[r]}' stopped at its "
                          f"source{' by ' + by if by else ''}", int(r)))
    nothing = {lf.actor[r] for r in lf.where("hazard.onset")
               if lf.data(r).get("hazard_kind") == "none"}
    out += [Moment(lf.t_s[r], "hazard", f"Hazard '{lf.actor[r]}' ends", int(r))
            for r in lf.where("hazard.end") if lf.actor[r] not in nothing]
    return out


def _command(lf: LogFrame) -> list[Moment]:
    out = []
    for r in lf.where("plan.level"):
        d = lf.data(r)
        if d.get("reason") == "stand down":
            text = f"Stood down to level {d.get('level')}"
        else:
            text = f"Level {d.get('level')} response declared"
        out.append(Moment(lf.t_s[r], "command", text, int(r)))
    rows = lf.where("plan.order")
    orders = lf.column("order")[rows]
    for oid in dict.fromkeys(orders.tolist()):
        mine = rows[orders == oid]
        action = (lf.data(mine[0]).get("action") or "order").replace("_", " ")
        n = len(set(lf.place[mine].tolist()))
        span = (f"; the last at {fmt.elapsed(lf.t_s[mine[-1]])}"
                if lf.t_s[mine[-1]] > lf.t_s[mine[0]] else "")
        out.append(Moment(lf.t_s[mine[0]], "command",
                          f"Order '{oid}' ({action}) reaches {n} zone{'s' * (n != 1)}{span}",
                          int(mine[0])))
    for r in lf.where("aid.request"):
        d = lf.data(r)
        out.append(Moment(lf.t_s[r], "command",
                          f"Mutual aid '{lf.actor[r]}' requested: {lf.qty[r]:.0f} "
                          f"{(d.get('type') or 'team').replace('_', ' ')} team(s)", int(r)))
    ready = lf.where("team.ready")
    aid = ready[np.array([bool(v) for v in lf.column("mutual_aid")[ready]], bool)] \
        if len(ready) else ready
    if len(aid):
        out.append(Moment(lf.t_s[aid[0]], "resource", "First mutual-aid team ready "
                          f"({lf.actor[aid[0]]})", int(aid[0])))
        if len(aid) > 1:
            out.append(Moment(lf.t_s[aid[-1]], "resource",
                              f"All {len(aid)} mutual-aid teams ready", int(aid[-1])))
    for r in lf.where("hospital.surge"):
        out.append(Moment(lf.t_s[r], "resource",
                          f"{lf.qty[r]:.0f} surge beds open at {lf.actor[r]}", int(r)))
    return out


def _injects(lf: LogFrame) -> list[Moment]:
    out = []
    for r in lf.where("drill.inject"):
        d = lf.data(r)
        flags = [w for w, on in (("drawn at random", d.get("random")),
                                 ("hidden from players", d.get("hidden"))) if on]
        extra = f" [{', '.join(flags)}]" if flags else ""
        msg = d.get("message") or (d.get("action") or "").replace("_", " ")
        out.append(Moment(lf.t_s[r], "inject", f"Inject '{lf.actor[r]}': {msg}{extra}", int(r)))
    return out


def _firsts(lf: LogFrame, kind: str, text: str, tag: str = "shortfall",
            by_item: bool = False) -> list[Moment]:
    """The first event of ``kind`` per actor (and item), the first few one by one and the
    rest folded into one line."""
    rows = lf.where(kind)
    keys = [(lf.actor[r], lf.column("item")[r] if by_item else None) for r in rows]
    first: dict[tuple[Any, Any], int] = {}
    for k, r in zip(keys, rows, strict=True):
        first.setdefault(k, int(r))
    ordered = sorted(first.items(), key=lambda kv: lf.t_s[kv[1]])
    out = []
    for (actor, item), r in ordered[:FIRST_OF_EACH]:
        out.append(Moment(lf.t_s[r], tag, text.format(actor=actor, item=_item(item)), r))
    if len(ordered) > FIRST_OF_EACH:
        (actor, item), last = ordered[-1]
        out.append(Moment(lf.t_s[last], tag, text.format(actor=actor, item=_item(item))
                          + f": the last of {len(ordered) - FIRST_OF_EACH} more", last))
    return out


def _item(item: Any) -> str:
    return ITEMS.get(item, str(item or "").replace("_", " "))


def _closures(lf: LogFrame) -> list[Moment]:
    """Facilities closing, one line per moment and cause (hospitals named first)."""
    init = lf.where("facility.init")
    kind_of = dict(zip(lf.actor[init].tolist(), lf.column("type")[init].tolist(), strict=True))
    groups: dict[tuple[float, str], list[int]] = {}
    for r in lf.where("facility.close"):
        groups.setdefault((float(lf.t_s[r]), lf.data(r).get("reason") or ""), []).append(int(r))
    out = []
    for (t, reason), rows in groups.items():
        ids = sorted((lf.actor[r] for r in rows), key=lambda f: kind_of.get(f) != "hospital")
        why = f" ({reason})" if reason else ""
        if len(ids) == 1:
            out.append(Moment(t, "shortfall", f"{kind_of.get(ids[0], 'facility').capitalize()} "
                              f"{ids[0]} closes{why}", rows[0]))
            continue
        kinds = Counter(kind_of.get(f, "facility") for f in ids)
        what = ", ".join(f"{n} {k}{'s' * (n != 1)}" for k, n in kinds.most_common())
        named = ", ".join(ids[:NAMED]) + (f" and {len(ids) - NAMED} more"
                                          if len(ids) > NAMED else "")
        out.append(Moment(t, "shortfall", f"{what} close{why}: {named}", rows[0]))
    return out


def _resources(lf: LogFrame) -> list[Moment]:
    out = []
    out += _closures(lf)
    out += _firsts(lf, "hospital.full", "Hospital {actor} full")
    out += _firsts(lf, "shelter.full", "Shelter {actor} full")
    out += _firsts(lf, "depot.stockout", "Depot {actor} out of {item}", by_item=True)
    out += _firsts(lf, "shelter.stockout", "Shelter {actor} out of {item}", by_item=True)
    rows = lf.where("link.close")
    if len(rows):
        out.append(Moment(lf.t_s[rows[0]], "shortfall",
                          f"First road closed ({lf.data(rows[0]).get('reason') or 'hazard'}); "
                          f"{len(set(lf.actor[rows].tolist()))} road links close during the run",
                          int(rows[0])))
    return out


def _objectives(rows: list[dict[str, Any]]) -> list[Moment]:
    out = []
    for o in rows:
        at = o.get("decided_at_s")
        if at is None:
            continue
        title = o.get("text") or o["id"]
        tag, verb = ("met", "met") if o["met"] else ("missed", "missed")
        seq = (o.get("deciding_events") or [-1])[0]
        out.append(Moment(float(at), tag, f"Objective '{o['id']}' {verb}: {title}", seq))
    return out


def key_moments(lf: LogFrame, scorecard_rows: list[dict[str, Any]] = ()) -> list[Moment]:  # type: ignore[assignment]
    """The run's key moments in time order (ties in log order)."""
    moments = (_hazards(lf) + _command(lf) + _injects(lf) + _resources(lf)
               + _objectives(list(scorecard_rows)))
    end = lf.where("run.end")
    if len(end):
        moments.append(Moment(lf.t_s[end[-1]], "command", "End of the exercise period",
                              int(end[-1])))
    return sorted(moments, key=lambda m: (m.t_s, m.seq if m.seq >= 0 else 1 << 62))
