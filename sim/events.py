"""The event log: the single source of truth of a run.

Every state change is an immutable record ``(t_s, seq, kind, actor, place, qty, data)``:
``kind`` is a dotted name from :data:`KINDS`, ``actor`` and ``place`` are ids from the
scenario (or ``""``), ``qty`` is the event's one number (persons, seconds, a level; NaN when
it has none) and ``data`` is its payload. Payload fields are declared per kind and typed in
:data:`FIELDS`; in the Arrow table (saved as Parquet) each field is a column of its own, null
where a kind does not carry it, so analysts filter on ``action = 'evacuate'`` directly. The
run's manifest is in the schema metadata. Metrics, scores, plots and the replay read the log
and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class EventKind:
    """A kind of event: its name, what it means, the payload fields it may carry and,
    optionally, the state counter that its ``qty`` adds to (``"*"``: the counter named by the
    payload field ``counter``)."""

    name: str
    doc: str
    fields: frozenset[str] = frozenset()
    counter: str | None = None
    counted_types: frozenset[str] | None = None
    """If set, only events whose payload ``type`` is one of these add to the counter."""

    def counts(self, data: Mapping[str, Any]) -> str | None:
        """The counter an event of this kind with payload ``data`` adds its qty to."""
        if self.counter is None:
            return None
        if self.counted_types is not None and data.get("type") not in self.counted_types:
            return None
        return str(data["counter"]) if self.counter == "*" else self.counter


def _kinds(*kinds: EventKind) -> dict[str, EventKind]:
    return {k.name: k for k in kinds}


KINDS: dict[str, EventKind] = _kinds(
    EventKind("run.start", "The run begins.", frozenset({"scenario", "seed"})),
    EventKind("run.end", "The run ends at the scenario's duration."),
    EventKind("zone.init", "A zone's residents at the start (qty: persons).",
              frozenset({"households"})),
    EventKind("facility.init", "A facility at the start (qty: capacity in its unit; a "
              "hospital's occupied: beds already in use; shelters and depots: their stocks).",
              frozenset({"type", "class", "unit", "open", "occupied", "water_l",
                         "food_rations"})),
    EventKind("team.init", "A team of the plan (qty: members); a reserve team waits for the "
              "level that activates it.", frozenset({"type", "mutual_aid", "reserve"})),
    EventKind("hazard.onset", "A hazard begins (a chained one names its cause: the hazard "
              "that made a site fail, and the site).",
              frozenset({"hazard_kind", "modelled", "cause", "site"})),
    EventKind("quake.shock", "An earthquake shock (qty: magnitude; actor: the hazard; place: "
              "the zone nearest the epicentre).", frozenset({"aftershock", "depth_km"})),
    EventKind("quake.shaking", "How hard a shock shakes a zone (qty: peak ground "
              "acceleration, g; mmi: intensity by Worden et al. 2012).", frozenset({"mmi"})),
    EventKind("quake.damage", "Buildings of a zone after a shock (qty: buildings newly at "
              "extensive damage or worse; the counts are of buildings in each state).",
              frozenset({"slight", "moderate", "extensive", "complete", "collapsed"})),
    EventKind("quake.structure", "A facility, bridge or site is damaged by a shock (qty: "
              "damage state 1 slight … 4 complete; actor: its id).",
              frozenset({"state", "type"})),
    EventKind("housing.damage", "Homes collapse or are severely damaged (qty: rooms, at "
              "three rooms per household; place: the zone).", frozenset({"households"}),
              counter="rooms_collapsed"),
    EventKind("people.killed", "People die (qty: persons; place: their zone); those who die "
              "waiting for a team name the incident.", frozenset({"cause", "incident"}),
              counter="deaths"),
    EventKind("people.injured", "People are injured (qty: persons; place: their zone); "
              "Hazus severity 1 first aid, 2 hospital care, 3 life-threatening.",
              frozenset({"severity", "cause"}), counter="injured"),
    EventKind("people.displaced", "People cannot stay in their damaged homes and need "
              "shelter (qty: persons; place: their zone).", frozenset({"cause"}),
              counter="displaced"),
    EventKind("hazard.end", "A hazard ends."),
    EventKind("hazard.stop", "A release is stopped at its source (actor: the hazard; by: "
              "the team that stopped it).", frozenset({"by"})),
    EventKind("chem.exposure", "Persons whose toxic load newly passes an AEGL level (qty: "
              "persons; place: their zone; aegl: 1–3; where: home, road or shelter).",
              frozenset({"aegl", "where"})),
    EventKind("plan.trigger", "A plan trigger's condition became true.",
              frozenset({"condition", "for"})),
    EventKind("plan.level", "The response level changes (qty: 0 none … 4 = level I); "
              "reason: 'escalate' or 'stand down'.", frozenset({"level", "previous", "reason"})),
    EventKind("plan.order", "An order reaches a zone (place: the zone).",
              frozenset({"action", "order"})),
    EventKind("facility.open", "A facility opens.", frozenset({"reason"})),
    EventKind("facility.close", "A facility closes.", frozenset({"reason"})),
    EventKind("link.close", "A road link becomes impassable.", frozenset({"reason"})),
    EventKind("link.open", "A road link opens again.", frozenset({"reason"})),
    EventKind("link.slow", "A road link's speed changes (qty: fraction of free speed).",
              frozenset({"reason"})),
    EventKind("incident.create", "An incident needs a team (actor: the incident; place: the "
              "zone; qty: its work units: persons trapped, casualties, or 1 for a fire or "
              "leak). Collapse and water rescues add their persons to the trapped counter.",
              frozenset({"type", "cause", "severity"}), counter="trapped",
              counted_types=frozenset({"collapse_rescue", "water_rescue"})),
    EventKind("incident.assign", "Dispatch sends a team to an incident (actor: the incident; "
              "place: its zone; qty: expected travel, s); reason says why this pair.",
              frozenset({"team", "policy", "reason", "type"})),
    EventKind("incident.close", "An incident needs no more work (actor: the incident; qty: "
              "units done); reason: done, or nobody left alive to rescue.",
              frozenset({"reason", "type"})),
    EventKind("rescue.alive", "A team frees people alive (qty: persons; actor: the team; "
              "place: the zone).", frozenset({"incident", "type"})),
    EventKind("team.ready", "A team is available at its base.", frozenset({"mutual_aid"})),
    EventKind("team.dispatch", "A team sets out for a task (place: where it goes; qty: "
              "expected travel, s).", frozenset({"task"})),
    EventKind("team.arrive", "A team reaches its task (place: where).", frozenset({"task"})),
    EventKind("team.free", "A team has finished its task and waits for the next one where "
              "it is (place: the road node).", frozenset({"task"})),
    EventKind("team.rest", "A team's shift is over: it rests at its base (qty: rest, s).",
              frozenset({"reason"})),
    EventKind("team.delay", "A team's availability is delayed (qty: seconds).",
              frozenset({"reason"})),
    EventKind("hospital.admit", "A hospital admits casualties (qty: persons; place: their "
              "zone; by: the team that brought them, or 'self').",
              frozenset({"severity", "by"})),
    EventKind("hospital.divert", "Casualties reach a full or closed hospital and go on to "
              "another (actor: the hospital; target: the next one; qty: persons).",
              frozenset({"severity", "target", "reason"})),
    EventKind("hospital.queue", "Casualties wait for a bed: every hospital they can reach is "
              "full or closed (actor: the hospital they wait at; qty: persons).",
              frozenset({"severity"})),
    EventKind("hospital.full", "A hospital has no free bed (qty: occupied beds)."),
    EventKind("hospital.surge", "A hospital opens surge beds (qty: beds added; level: the "
              "response level that called for them).", frozenset({"level"})),
    EventKind("relief.dispatch", "A relief-transport team loads stock at a depot for a "
              "shelter (actor: the team; place: the depot; qty: amount; target: the "
              "shelter).", frozenset({"item", "target"})),
    EventKind("relief.deliver", "Stock reaches a shelter (actor: the shelter; qty: amount; "
              "by: the team).", frozenset({"item", "by"})),
    EventKind("depot.stockout", "A depot has none left of an item.", frozenset({"item"})),
    EventKind("shelter.stock", "A shelter's stocks, hourly while it is open and has people "
              "(qty: days its water would last at the present occupancy).",
              frozenset({"water_l", "food_rations"})),
    EventKind("aid.request", "Mutual aid is requested (qty: teams).",
              frozenset({"level", "type"})),
    EventKind("drill.inject", "An inject of the master scenario events list fires.",
              frozenset({"action", "message", "random", "hidden", "target"})),
    EventKind("evac.decide", "A household decides to leave or stay (qty: persons; place: "
              "its zone).", frozenset({"decision", "reason", "order", "channel"})),
    EventKind("evac.wait", "A household that decided to leave needs the plan's transport "
              "(qty: persons).", frozenset({"need"})),
    EventKind("evac.depart", "A household leaves home (qty: persons; place: its zone).",
              frozenset({"mode", "dest"}), counter="evacuated"),
    EventKind("evac.safe", "A household is safe outside the shelters: left the region or "
              "reached family and friends outside the ordered zones (qty: persons).",
              frozenset({"mode"})),
    EventKind("evac.stranded", "A household on the way cannot go on: its road closed or no "
              "route is open (qty: persons; place: the link or node).",
              frozenset({"reason"})),
    EventKind("shelter.admit", "A shelter takes in a household (qty: persons; place: the "
              "household's zone).", frozenset({"household"}), counter="sheltered"),
    EventKind("shelter.wait", "A household reaches a shelter that has not opened yet and "
              "waits at its door (qty: persons; place: the household's zone).",
              frozenset({"household"})),
    EventKind("shelter.turn_away", "A shelter turns a household away (qty: persons).",
              frozenset({"household", "reason"})),
    EventKind("shelter.full", "A shelter is full (qty: its occupancy)."),
    EventKind("shelter.stockout", "A shelter runs out of an item.", frozenset({"item"})),
    EventKind("relief.basic", "A household in a shelter receives basic relief: water and "
              "food (qty: persons).", frozenset({"household"})),
    EventKind("transport.ready", "A vehicle of the plan's fleet is ready at its base.",
              frozenset({"fleet"})),
    EventKind("transport.pickup", "A fleet vehicle boards a household (qty: persons; place: "
              "the zone).", frozenset({"household", "fleet"})),
    EventKind("evac.census", "Where a zone's residents are (qty: residents; actor: the zone, "
              "or 'region' for the total).",
              frozenset({"home", "on_way", "sheltered", "safe", "hospital", "dead",
                         "trapped"})),
    EventKind("evac.exposure", "Person-minutes spent in the hazard above the exposure "
              "threshold since the last census (qty; actor: the zone).",
              frozenset({"where"})),
    EventKind("traffic.queue", "Vehicles queued on a road at a census time, both "
              "directions together (qty; only roads with a queue).", frozenset({"bridge"})),
    EventKind("drill.report", "A reported count changes a state counter (qty: the change).",
              frozenset({"counter"}), counter="*"),
)


FIELDS: dict[str, tuple[type | tuple[type, ...], pa.DataType]] = {
    "action": (str, pa.string()),
    "aegl": (int, pa.int64()),
    "aftershock": (bool, pa.bool_()),
    "bridge": (bool, pa.bool_()),
    "by": (str, pa.string()),
    "cause": (str, pa.string()),
    "channel": (str, pa.string()),
    "class": (str, pa.string()),
    "collapsed": (int, pa.int64()),
    "complete": (int, pa.int64()),
    "condition": (str, pa.string()),
    "counter": (str, pa.string()),
    "dead": (int, pa.int64()),
    "decision": (str, pa.string()),
    "depth_km": (float, pa.float64()),
    "dest": (str, pa.string()),
    "extensive": (int, pa.int64()),
    "fleet": (str, pa.string()),
    "food_rations": (float, pa.float64()),
    "for": (str, pa.string()),
    "hazard_kind": (str, pa.string()),
    "hidden": (bool, pa.bool_()),
    "home": (int, pa.int64()),
    "hospital": (int, pa.int64()),
    "household": (str, pa.string()),
    "households": (int, pa.int64()),
    "incident": (str, pa.string()),
    "item": (str, pa.string()),
    "level": (str, pa.string()),
    "message": (str, pa.string()),
    "mmi": (float, pa.float64()),
    "mode": (str, pa.string()),
    "modelled": (bool, pa.bool_()),
    "moderate": (int, pa.int64()),
    "mutual_aid": (bool, pa.bool_()),
    "need": (str, pa.string()),
    "occupied": (int, pa.int64()),
    "on_way": (int, pa.int64()),
    "open": (bool, pa.bool_()),
    "order": (str, pa.string()),
    "policy": (str, pa.string()),
    "previous": (str, pa.string()),
    "random": (bool, pa.bool_()),
    "reason": (str, pa.string()),
    "reserve": (bool, pa.bool_()),
    "safe": (int, pa.int64()),
    "scenario": (str, pa.string()),
    "seed": (dict, pa.string()),  # JSON text: {"entropy": …, "spawn_key": […]}
    "severity": (int, pa.int64()),
    "sheltered": (int, pa.int64()),
    "site": (str, pa.string()),
    "slight": (int, pa.int64()),
    "state": (str, pa.string()),
    "target": (str, pa.string()),
    "task": (str, pa.string()),
    "team": (str, pa.string()),
    "trapped": (int, pa.int64()),
    "type": (str, pa.string()),
    "unit": (str, pa.string()),
    "water_l": (float, pa.float64()),
    "where": (str, pa.string()),
}
"""Every payload field: the Python type an event must carry and its Arrow column type."""

JSON_FIELDS = frozenset(f for f, (py, _) in FIELDS.items() if py is dict)
_undeclared = {f for k in KINDS.values() for f in k.fields} - set(FIELDS)
assert not _undeclared, f"payload fields without a type: {_undeclared}"


class Event(NamedTuple):
    """One record of the log."""

    t_s: float
    seq: int
    kind: str
    actor: str
    place: str
    qty: float
    data: dict[str, Any]


BASE_SCHEMA = pa.schema([
    ("t_s", pa.float64()),
    ("seq", pa.int64()),
    ("kind", pa.string()),
    ("actor", pa.string()),
    ("place", pa.string()),
    ("qty", pa.float64()),
])
SCHEMA = pa.schema([*BASE_SCHEMA, *((f, FIELDS[f][1]) for f in sorted(FIELDS))])
"""The columns of a log table: the record, then one column per payload field."""


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class EventLog:
    """An append-only, columnar log of events with the run's manifest."""

    def __init__(self, manifest: Mapping[str, Any] | None = None) -> None:
        self.manifest: dict[str, Any] = dict(manifest or {})
        self._t: list[float] = []
        self._kind: list[str] = []
        self._actor: list[str] = []
        self._place: list[str] = []
        self._qty: list[float] = []
        self._data: list[dict[str, Any]] = []
        self.counters: dict[str, float] = {}

    def emit(self, t_s: float, kind: str, actor: str = "", place: str = "",
             qty: float = math.nan, **data: Any) -> None:
        """Append one event. Unknown kinds, undeclared payload fields and values of the wrong
        type are errors."""
        spec = KINDS.get(kind)
        if spec is None:
            raise KeyError(f"unknown event kind {kind!r}")
        if not spec.fields.issuperset(data):
            extra = sorted(set(data) - spec.fields)
            raise KeyError(f"event {kind!r} does not declare payload fields {extra}")
        for name, value in data.items():
            expected = FIELDS[name][0]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise TypeError(f"event {kind!r}: field {name!r} must be "
                                f"{getattr(expected, '__name__', expected)}, got {value!r}")
        if self._t and t_s < self._t[-1]:
            raise ValueError(f"event {kind!r} at t={t_s} is earlier than the last one")
        self._t.append(float(t_s))
        self._kind.append(kind)
        self._actor.append(actor)
        self._place.append(place)
        self._qty.append(float(qty))
        self._data.append(data)
        name = spec.counts(data)
        if name is not None:
            self.counters[name] = self.counters.get(name, 0.0) + float(qty)

    def __len__(self) -> int:
        return len(self._t)

    def __iter__(self) -> Iterator[Event]:
        for i in range(len(self._t)):
            yield Event(self._t[i], i, self._kind[i], self._actor[i], self._place[i],
                        self._qty[i], dict(self._data[i]))

    def to_table(self) -> pa.Table:
        """The log as an Arrow table; the manifest is in the schema metadata."""
        cols = [
            pa.array(self._t, pa.float64()),
            pa.array(np.arange(len(self._t), dtype=np.int64)),
            pa.array(self._kind, pa.string()),
            pa.array(self._actor, pa.string()),
            pa.array(self._place, pa.string()),
            pa.array(self._qty, pa.float64()),
        ]
        for name in sorted(FIELDS):
            values = [d.get(name) for d in self._data]
            if name in JSON_FIELDS:
                values = [None if v is None else _canonical(v) for v in values]
            cols.append(pa.array(values, FIELDS[name][1]))
        meta = {b"drillsim.manifest": _canonical(self.manifest).encode()}
        return pa.Table.from_arrays(cols, schema=SCHEMA.with_metadata(meta))

    @classmethod
    def from_table(cls, table: pa.Table) -> EventLog:
        """Rebuild a log from :meth:`to_table` output (e.g. a Parquet file read back)."""
        meta = (table.schema.metadata or {}).get(b"drillsim.manifest", b"")
        log = cls(json.loads(meta) if meta else {})
        cols = table.to_pydict()
        for i, kind in enumerate(cols["kind"]):
            data = {}
            for name in KINDS[kind].fields:
                value = cols[name][i] if name in cols else None
                if value is not None:
                    data[name] = json.loads(value) if name in JSON_FIELDS else value
            log.emit(cols["t_s"][i], kind, cols["actor"][i], cols["place"][i], cols["qty"][i],
                     **data)
        return log

    def digest(self) -> str:
        """A SHA-256 digest of every record (not the manifest): equal logs, equal digests."""
        h = hashlib.sha256()
        h.update(np.asarray(self._t, dtype=np.float64).tobytes())
        h.update(np.asarray(self._qty, dtype=np.float64).tobytes())
        for col in (self._kind, self._actor, self._place, [_canonical(d) for d in self._data]):
            h.update("\x1f".join(col).encode())
            h.update(b"\x1e")
        return h.hexdigest()
