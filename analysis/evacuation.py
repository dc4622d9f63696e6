"""Evacuation metrics: who left, who reached safety and when, how full the shelters got and how
soon the people in them had basic relief — read from the log's evacuation events alone.

Definitions every metric here shares:

* a zone is **ordered to leave** from its first ``plan.order`` with ``action = evacuate`` on;
* a household (``H…``) **departs** at its first ``evac.depart``; its zone and persons are
  that event's ``place`` and ``qty``;
* it is **safe** at its first ``shelter.admit`` (the household is the ``household`` field) or
  ``evac.safe`` (the household is the actor), whichever comes first;
* a shelter's **occupancy** is the persons it has admitted so far: no event says that anyone
  leaves a shelter, so occupancy never falls.

Scalars read the log as it stood at the objective's deadline (or the end of the run): only
orders, departures, admissions and relief up to then count. A time that was not reached by
then is ``inf``; a metric with nothing to measure (no one departed from an ordered zone, no one
was sheltered, no shelter in scope) is NaN, which an objective counts as not met.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.registry import (
    ScalarFn,
    cumulative,
    facilities,
    horizon,
    scalar,
    series,
    step_values,
)
from drillsim.sim.events import KINDS
from drillsim.sim.plan import Objective

EVACUATION_KINDS = frozenset(k for k in KINDS
                             if k.split(".")[0] in {"evac", "shelter", "relief", "transport"})
"""Event kinds that only an evacuation model emits."""

RELIEF_TARGET_S = 10 * 3600.0
"""Basic relief within 10 hours of leaving home (the planning target of
``share_relieved_within_10h``)."""

EVACUATION_SCALARS: list[str] = []
"""Names of the scalars this module registers, in order (the run summary shows them)."""

NEVER = math.inf


def has_evacuation(lf: LogFrame) -> bool:
    """Whether the log holds any evacuation event."""
    return bool(np.isin(lf.kind, sorted(EVACUATION_KINDS)).any())


# -- reading the log ----------------------------------------------------------------------------

def _upto(lf: LogFrame, kind: str, end_s: float) -> np.ndarray:
    rows = lf.where(kind)
    return rows[lf.t_s[rows] <= end_s]


def _household(lf: LogFrame, rows: np.ndarray) -> np.ndarray:
    """The household of each row: its ``household`` field, or else its actor."""
    if not len(rows):  # (logs written before the evacuation fields have no such column)
        return np.zeros(0, dtype=object)
    named = lf.column("household")[rows]
    return np.array([h if h is not None else a for h, a in zip(named, lf.actor[rows],
                                                               strict=True)], dtype=object)


def _first_rows(lf: LogFrame, rows: np.ndarray) -> np.ndarray:
    """Of ``rows`` (in log order), the first of each household."""
    _, first = np.unique(_household(lf, rows), return_index=True)
    return np.sort(rows[first])


def _first_by_household(lf: LogFrame, kinds: tuple[str, ...], end_s: float) -> np.ndarray:
    rows = np.sort(np.concatenate([np.zeros(0, np.int64),
                                   *(_upto(lf, k, end_s) for k in kinds)]))
    return _first_rows(lf, rows)


def departure_rows(lf: LogFrame, end_s: float = NEVER) -> np.ndarray:
    """Each household's first ``evac.depart`` up to ``end_s``."""
    return _first_by_household(lf, ("evac.depart",), end_s)


def safe_rows(lf: LogFrame, end_s: float = NEVER) -> np.ndarray:
    """Each household's first ``shelter.admit`` or ``evac.safe`` up to ``end_s``."""
    return _first_by_household(lf, ("shelter.admit", "evac.safe"), end_s)


def ordered_zones(lf: LogFrame, end_s: float = NEVER) -> dict[str, float]:
    """Zones ordered to leave by ``end_s``: zone → time of its first evacuate order."""
    rows = _upto(lf, "plan.order", end_s)
    out: dict[str, float] = {}
    for r in rows[lf.column("action")[rows] == "evacuate"]:
        out.setdefault(lf.place[r], float(lf.t_s[r]))
    return out


def residents(lf: LogFrame) -> dict[str, float]:
    """Residents of each zone at the start (``zone.init``)."""
    return {lf.actor[r]: float(lf.qty[r]) for r in lf.where("zone.init")}


@dataclass(frozen=True)
class Departures:
    """Households that left home, one row each in order of departure; ``safe_s`` is ``inf``
    for a household not safe (yet)."""

    household: np.ndarray
    zone: np.ndarray
    persons: np.ndarray
    depart_s: np.ndarray
    safe_s: np.ndarray

    @classmethod
    def of(cls, lf: LogFrame, end_s: float = NEVER) -> Departures:
        """Departures up to ``end_s``, and when each household was safe up to ``end_s``."""
        rows = departure_rows(lf, end_s)
        safe = safe_rows(lf, end_s)
        safe_at = dict(zip(_household(lf, safe), lf.t_s[safe], strict=True))
        hh = _household(lf, rows)
        return cls(hh, lf.place[rows], lf.qty[rows].astype(float), lf.t_s[rows],
                   np.array([safe_at.get(h, NEVER) for h in hh], dtype=float))


def relief_waits(lf: LogFrame, end_s: float = NEVER) -> tuple[np.ndarray, np.ndarray]:
    """For each household admitted to a shelter by ``end_s`` (and seen departing): its persons
    and the time from its departure to its first basic relief (``inf`` if none by
    ``end_s``)."""
    admitted = _first_by_household(lf, ("shelter.admit",), end_s)
    departed = departure_rows(lf, end_s)
    depart_at = dict(zip(_household(lf, departed), lf.t_s[departed], strict=True))
    relieved = _first_by_household(lf, ("relief.basic",), end_s)
    relief_at = dict(zip(_household(lf, relieved), lf.t_s[relieved], strict=True))
    keep = [r for r, h in zip(admitted, _household(lf, admitted), strict=True)
            if h in depart_at]
    hh = _household(lf, np.asarray(keep, dtype=np.int64))
    waits = np.array([relief_at.get(h, NEVER) - depart_at[h] for h in hh], dtype=float)
    return lf.qty[np.asarray(keep, dtype=np.int64)].astype(float), waits


# -- per-entity curves (for figures) ------------------------------------------------------------

def evacuation_curves(lf: LogFrame, times: np.ndarray
                      ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per zone with departures: persons departed and persons safe so far, read at
    ``times`` (safe counts the household's zone, wherever it found safety)."""
    dep, safe = departure_rows(lf), safe_rows(lf)
    order = {z: i for i, z in enumerate(residents(lf))}
    zones = sorted(set(lf.place[dep]), key=lambda z: (order.get(z, len(order)), z))
    out = {}
    for z in zones:
        d, s = dep[lf.place[dep] == z], safe[lf.place[safe] == z]
        out[z] = (cumulative(times, lf.t_s[d], lf.qty[d]),
                  cumulative(times, lf.t_s[s], lf.qty[s]))
    return out


def shelter_occupancy_by_shelter(lf: LogFrame, times: np.ndarray) -> dict[str, np.ndarray]:
    """Per shelter (those of ``facility.init`` first, then any other that admitted
    someone): persons admitted so far, read at ``times``."""
    rows = lf.where("shelter.admit")
    ids = list(facilities(lf, "shelter"))
    ids += sorted(set(lf.actor[rows]) - set(ids))
    out = {}
    for s in ids:
        mine = rows[lf.actor[rows] == s]
        out[s] = cumulative(times, lf.t_s[mine], lf.qty[mine])
    return out


def remaining_by_zone(lf: LogFrame, times: np.ndarray) -> dict[str, np.ndarray]:
    """Per zone ordered to leave (and counted by ``evac.census``): its residents at home or
    on the way, read at ``times`` from the zone's last census; 0 before the zone's order,
    its residents at the start before its first census."""
    rows = lf.where("evac.census")
    start = residents(lf)
    out = {}
    for zone, ordered_s in ordered_zones(lf).items():
        mine = rows[lf.actor[rows] == zone]
        if not len(mine):
            continue
        left = (lf.column("home")[mine].astype(float)
                + lf.column("on_way")[mine].astype(float))
        value = step_values(times, lf.t_s[mine], left, start.get(zone, 0.0))
        out[zone] = np.where(times >= ordered_s, value, 0.0)
    return out


# -- series -------------------------------------------------------------------------------------

@series("evacuees_departed", "persons who have left home so far")
def evacuees_departed(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    rows = departure_rows(lf)
    return cumulative(times, lf.t_s[rows], lf.qty[rows])


@series("evacuees_safe", "persons safe so far: admitted to a shelter or safe elsewhere")
def evacuees_safe(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    rows = safe_rows(lf)
    return cumulative(times, lf.t_s[rows], lf.qty[rows])


@series("people_in_ordered_zones", "residents of the zones ordered to leave who are still "
        "at home or on the way (from the zones' census)")
def people_in_ordered_zones(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    return np.sum([np.zeros(len(times)), *remaining_by_zone(lf, times).values()], axis=0)


@series("shelter_occupancy", "persons in shelters (all shelters)")
def shelter_occupancy(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    rows = lf.where("shelter.admit")
    return cumulative(times, lf.t_s[rows], lf.qty[rows])


# -- scalars ------------------------------------------------------------------------------------

def _scalar(name: str, unit: str, doc: str, scopes: tuple[str, ...] = (),
            facility_kind: str | None = None) -> Callable[[ScalarFn], ScalarFn]:
    EVACUATION_SCALARS.append(name)
    return scalar(name, unit, doc, scopes, facility_kind)


def _in_scope(ids: np.ndarray, scope: tuple[str, ...]) -> np.ndarray:
    return np.isin(ids, list(scope)) if scope else np.ones(len(ids), bool)


def clearance_time(lf: LogFrame, share: float, end_s: float,
                   zones: tuple[str, ...] = ()) -> float:
    """The time by which ``share`` of the persons who departed from zones ordered to leave
    (before or after the order) were safe, as the log stood at ``end_s``."""
    ordered = [z for z in ordered_zones(lf, end_s) if not zones or z in zones]
    d = Departures.of(lf, end_s)
    keep = np.isin(d.zone, ordered)
    persons, safe_s = d.persons[keep], d.safe_s[keep]
    if persons.sum() <= 0:
        return math.nan
    order = np.argsort(safe_s, kind="stable")
    safe_so_far = np.cumsum(persons[order])
    k = np.searchsorted(safe_so_far, share * persons.sum() * (1 - 1e-12))
    return float(safe_s[order][k])


def _clearance(share: float) -> ScalarFn:
    def fn(lf: LogFrame, obj: Objective) -> float:
        return clearance_time(lf, share, horizon(obj, lf), obj.zones)
    return fn


for _pct in (90, 95, 100):
    _scalar(f"clearance_time_{_pct}", "s",
            f"time since the start by which {_pct} % of the persons who left zones ordered to "
            "leave (before or after the order) were safe (in a shelter or safe elsewhere), as "
            "the log stood at the deadline; inf if not reached by then, NaN if no one left an "
            "ordered zone", scopes=("zones",))(_clearance(_pct / 100))


@_scalar("share_ordered_safe", "share", "share of the residents of the zones ordered to leave "
         "who were safe (in a shelter or safe elsewhere) by the deadline; NaN if no zone in "
         "scope was ordered to leave", scopes=("zones",))
def _share_ordered_safe(lf: LogFrame, obj: Objective) -> float:
    end = horizon(obj, lf)
    zones = [z for z in ordered_zones(lf, end) if not obj.zones or z in obj.zones]
    population = sum(residents(lf).get(z, 0.0) for z in zones)
    if population <= 0:
        return math.nan
    rows = safe_rows(lf, end)
    return float(lf.qty[rows][np.isin(lf.place[rows], zones)].sum() / population)


@_scalar("turned_away", "persons", "persons turned away by shelters by the deadline, counted "
         "at every shelter that turned them away", scopes=("facilities",),
         facility_kind="shelter")
def _turned_away(lf: LogFrame, obj: Objective) -> float:
    rows = _upto(lf, "shelter.turn_away", horizon(obj, lf))
    return float(lf.qty[rows][_in_scope(lf.actor[rows], obj.facilities)].sum())


@_scalar("peak_shelter_load", "share", "highest occupancy of any shelter in scope by the "
         "deadline, as a share of its capacity (above 1 if over capacity); NaN if no shelter "
         "in scope has a capacity", scopes=("facilities",), facility_kind="shelter")
def _peak_shelter_load(lf: LogFrame, obj: Objective) -> float:
    rows = _upto(lf, "shelter.admit", horizon(obj, lf))
    loads = [lf.qty[rows][lf.actor[rows] == s].sum() / cap
             for s, (cap, _) in facilities(lf, "shelter").items()
             if cap > 0 and (not obj.facilities or s in obj.facilities)]
    return float(max(loads)) if loads else math.nan


@_scalar("shelter_stockouts", "stockouts", "times a shelter in scope ran out of water or food "
         "by the deadline", scopes=("facilities",), facility_kind="shelter")
def _stockouts(lf: LogFrame, obj: Objective) -> float:
    rows = _upto(lf, "shelter.stockout", horizon(obj, lf))
    return float(_in_scope(lf.actor[rows], obj.facilities).sum())


@_scalar("time_to_basic_relief_max", "s", "longest time, over persons admitted to a shelter by "
         "the deadline, from leaving home to basic relief; inf if someone had none by the "
         "deadline, NaN if no one was sheltered")
def _relief_max(lf: LogFrame, obj: Objective) -> float:
    _, waits = relief_waits(lf, horizon(obj, lf))
    return float(waits.max()) if len(waits) else math.nan


@_scalar("time_to_basic_relief_mean", "s", "mean time, over persons admitted to a shelter and "
         "relieved by the deadline, from leaving home to basic relief (those not relieved are "
         "left out: see time_to_basic_relief_max); NaN if no one was relieved")
def _relief_mean(lf: LogFrame, obj: Objective) -> float:
    persons, waits = relief_waits(lf, horizon(obj, lf))
    done = np.isfinite(waits)
    return float(np.average(waits[done], weights=persons[done])) if done.any() else math.nan


@_scalar("share_relieved_within_10h", "share", "share of the persons admitted to a shelter by "
         "the deadline who had basic relief within 10 h of leaving home; NaN if no one was "
         "sheltered")
def _relieved_in_time(lf: LogFrame, obj: Objective) -> float:
    persons, waits = relief_waits(lf, horizon(obj, lf))
    if persons.sum() <= 0:
        return math.nan
    return float(persons[waits <= RELIEF_TARGET_S].sum() / persons.sum())


@_scalar("exposure_person_minutes", "person-min", "person-minutes spent at home or on the road "
         "in the hazard above the exposure threshold, by the deadline", scopes=("zones",))
def _exposure(lf: LogFrame, obj: Objective) -> float:
    rows = _upto(lf, "evac.exposure", horizon(obj, lf))
    return float(np.nansum(lf.qty[rows][_in_scope(lf.place[rows], obj.zones)]))


@_scalar("stranded", "persons", "persons in households stranded on the way by the deadline "
         "(each household counted once)")
def _stranded(lf: LogFrame, obj: Objective) -> float:
    rows = _first_by_household(lf, ("evac.stranded",), horizon(obj, lf))
    return float(lf.qty[rows].sum())


@_scalar("peak_bridge_queue", "vehicles", "longest queue of cars seen on a bridge at a census "
         "time by the deadline (both directions together); 0 if none")
def _peak_bridge_queue(lf: LogFrame, obj: Objective) -> float:
    rows = _upto(lf, "traffic.queue", horizon(obj, lf))
    rows = rows[lf.column("bridge")[rows].astype(bool)]
    return float(lf.qty[rows].max()) if len(rows) else 0.0


@series("vehicles_queued", "cars standing in queues on all roads at census times (the value "
        "holds until the next census)")
def vehicles_queued(lf: LogFrame, times: np.ndarray) -> np.ndarray:
    census = lf.where("evac.census")
    census = census[lf.actor[census] == "region"]
    queues = lf.where("traffic.queue")
    at = lf.t_s[census]
    totals = np.array([lf.qty[queues][lf.t_s[queues] == t].sum() for t in at])
    return step_values(times, at, totals)
