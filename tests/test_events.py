from __future__ import annotations

import math

import pytest

from drillsim.sim.events import KINDS, EventLog


def test_emit_and_read_back() -> None:
    log = EventLog({"scenario": "x"})
    log.emit(0.0, "run.start", scenario="x", seed={"entropy": 1, "spawn_key": []})
    log.emit(5.0, "plan.order", "evac", "Z1", action="evacuate", order="evac")
    events = list(log)
    assert [(e.seq, e.kind, e.actor, e.place) for e in events] == [
        (0, "run.start", "", ""), (1, "plan.order", "evac", "Z1")]
    assert events[1].data == {"action": "evacuate", "order": "evac"}
    assert math.isnan(events[1].qty)


def test_unknown_kinds_and_fields_are_refused() -> None:
    log = EventLog()
    with pytest.raises(KeyError, match="unknown event kind"):
        log.emit(0.0, "plan.typo")
    with pytest.raises(KeyError, match="does not declare"):
        log.emit(0.0, "plan.order", "o", "z", colour="red")


def test_time_never_runs_backwards() -> None:
    log = EventLog()
    log.emit(10.0, "run.end")
    with pytest.raises(ValueError, match="earlier"):
        log.emit(9.0, "run.end")


def test_reports_add_to_their_counter() -> None:
    log = EventLog()
    log.emit(0.0, "drill.report", "i", qty=3, counter="deaths")
    log.emit(1.0, "drill.report", "j", qty=2, counter="deaths")
    log.emit(1.0, "drill.report", "k", qty=7, counter="displaced")
    assert log.counters == {"deaths": 5.0, "displaced": 7.0}


def test_table_round_trip_and_digest() -> None:
    log = EventLog({"seed": 4})
    log.emit(0.0, "zone.init", "Z", "Z", 12.0, households=5)
    log.emit(3.5, "link.close", "L", reason="flood")
    back = EventLog.from_table(log.to_table())
    assert back.digest() == log.digest()
    assert back.manifest == {"seed": 4}
    other = EventLog()
    other.emit(0.0, "zone.init", "Z", "Z", 13.0, households=5)
    other.emit(3.5, "link.close", "L", reason="flood")
    assert other.digest() != log.digest()


def test_every_kind_is_documented_and_dotted() -> None:
    for name, kind in KINDS.items():
        assert name == kind.name and "." in name and kind.doc.endswith((".", ")"))


def test_payload_fields_are_typed_columns() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    log = EventLog()
    log.emit(0.0, "plan.order", "evac", "Z1", action="evacuate", order="evac")
    log.emit(1.0, "plan.order", "warn", "Z2", action="warn", order="warn")
    log.emit(2.0, "facility.init", "S1", "n", 300.0, type="shelter", open=False)
    table = log.to_table()
    assert table.schema.field("action").type == pa.string()
    assert table.schema.field("open").type == pa.bool_()
    evac = table.filter(pc.equal(table["action"], "evacuate"))
    assert evac["actor"].to_pylist() == ["evac"]
    assert table["open"].to_pylist() == [None, None, False]


@pytest.mark.parametrize(("field", "value"), [("households", "40"), ("households", True),
                                               ("open", 1), ("message", 3)])
def test_payload_values_of_the_wrong_type_are_refused(field: str, value: object) -> None:
    kind = {"households": "zone.init", "open": "facility.init", "message": "drill.inject"}[field]
    with pytest.raises(TypeError, match=field):
        EventLog().emit(0.0, kind, **{field: value})


def test_every_declared_field_has_a_column_type() -> None:
    from drillsim.sim.events import FIELDS, SCHEMA

    declared = {f for k in KINDS.values() for f in k.fields}
    assert declared <= set(FIELDS) and declared <= set(SCHEMA.names)
