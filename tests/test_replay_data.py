"""The replay's data and decision points: what the page draws, read from a run folder and
checked against the run's own log; decision options run on the run's random numbers."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from builders import example, example_run, tiny, write

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.replay.data import CLOSED, SHARE_SCALE, replay_data
from drillsim.analysis.replay.decisions import decision_outcomes, with_option
from drillsim.scenarios import check, load
from drillsim.sim import run

CHEM = "chemical-park-chlorine"


def u8(text: str, rows: int) -> np.ndarray:
    raw = np.frombuffer(base64.b64decode(text), np.uint8)
    return raw.reshape(rows, -1)


def test_replay_data_holds_the_run(chem_run: Path) -> None:
    data = replay_data(chem_run)
    t = np.array(data["frames"]["t_s"])
    zones = data["region"]["zones"]
    assert t[0] == 0 and np.all(np.diff(t) == 300.0) and t[-1] == data["meta"]["duration_s"]
    home = u8(data["frames"]["people_home"], len(t)) / SHARE_SCALE
    assert home.shape == (len(t), len(zones["id"]))
    assert np.all(home[0] == 1.0) and home.min() >= 0 and home.max() <= 1.0
    assert home[-1].min() < 1.0  # someone left home
    load = u8(data["frames"]["shelter_load"], len(t))
    kinds = np.array(data["region"]["facilities"]["kind"])
    shelters = load[:, kinds == "shelter"]
    assert shelters[-1][shelters[-1] != CLOSED].max() > 0  # shelters took people in
    (hazard,) = data["frames"]["hazards"]
    classes = u8(hazard["zone_class"], len(t))
    assert classes.max() >= 1 and classes.max() <= len(hazard["levels"])
    assert classes[0].max() == 0  # before the release
    changes = data["road_changes"]
    assert [c[0] for c in changes] == sorted(c[0] for c in changes)
    assert all(0 <= c[1] < len(data["region"]["roads"]["id"]) for c in changes)
    hidden = [e for e in data["timeline"] if e["hidden"]]
    assert [e["text"].split("'")[1] for e in hidden] == ["CH-04"]  # the hidden inject
    tracks = [tr["track"] for tr in data["teams"]]
    assert tracks and all(np.all(np.diff([p[0] for p in tr]) >= 0) for tr in tracks)
    missed = [o for o in data["objectives"] if not o["met"]]
    assert all(o["decided_s"] is not None for o in data["objectives"])
    assert {o["id"] for o in missed} <= {"level-on-time", "hazmat-reinforced"}


def test_a_continuation_is_the_run_until_the_decision() -> None:
    """Option 'call the hazmat teams now' adds one inject at 20 min: every event before is
    the run's own; after it the aid request comes at 20 min instead of at level III."""
    compiled = example(CHEM)
    (decision,) = compiled.decisions
    base = example_run(CHEM, 4).log.to_table()
    option = next(o for o in decision.options if o.id == "call-now")
    other = run(with_option(compiled, option), 4).log.to_table()
    def upto(table: pa.Table) -> list[dict]:  # NaN never equals itself: compare as text
        return [{k: ("nan" if v != v else v) for k, v in row.items()}
                for row in table.filter(pc.less(table["t_s"], decision.at_s)).to_pylist()]

    same = upto(base)
    assert len(same) > 1000 and same == upto(other)
    lf = LogFrame.of(other)
    asked = lf.t_s[lf.where("aid.request")]
    assert asked[0] == decision.at_s
    first_in_base = LogFrame.of(base)
    assert first_in_base.t_s[first_in_base.where("aid.request")][0] > decision.at_s


def test_decision_outcomes_run_every_option_but_the_played_one() -> None:
    compiled = example(CHEM)
    calls: list[str] = []
    rows = [{"id": o.id, "met": True, "value": 1.0, "unit": ""} for o in compiled.plan.objectives]
    out = decision_outcomes(compiled, 4, rows, progress=calls.append)
    (d,) = out
    assert [o["played"] for o in d["options"]] == [True, False, False]
    assert len(calls) == 2 and all("D1-reinforce" in c for c in calls)
    played = d["options"][0]["objectives"]
    assert all(o["met"] for o in played)  # the run's own verdicts, as given
    ids = [o.id for o in compiled.plan.objectives]
    assert all([x["id"] for x in o["objectives"]] == ids for o in d["options"])


def test_injects_that_request_aid_and_issue_orders(tmp_path: Path) -> None:
    data = tiny(injects={"scripted": [
        {"id": "call", "at": "30min", "action": "request_aid", "aid": "aid"},
        {"id": "go", "at": "40min", "action": "issue_order", "order": "evac"}]})
    lf = LogFrame.of(run(load(write(tmp_path, data)), 1).log)
    req = lf.where("aid.request")
    assert lf.t_s[req[0]] == 1800.0 and lf.actor[req[0]] == "aid"
    orders = lf.where("plan.order")
    evac = orders[lf.column("order")[orders] == "evac"]
    assert lf.t_s[evac[0]] == 2400.0 and len(evac) == 2  # both zones


@pytest.mark.parametrize(("decision", "message"), [
    ({"id": "d", "at": "1h", "question": "?", "options": [
        {"id": "a", "label": "A"},
        {"id": "b", "label": "B", "actions": [
            {"id": "x", "action": "request_aid", "aid": "nobody"}]}]},
     "no mutual aid with id 'nobody'"),
    ({"id": "d", "at": "1h", "question": "?", "options": [
        {"id": "a", "label": "A", "played": True, "actions": [
            {"id": "x", "action": "issue_order", "order": "evac"}]},
        {"id": "b", "label": "B"}]},
     "takes no actions"),
    ({"id": "d", "at": "9h", "question": "?", "options": [
        {"id": "a", "label": "A"}, {"id": "b", "label": "B"}]},
     "after the end"),
])
def test_bad_decision_points_are_located_errors(tmp_path: Path, decision: dict,
                                                message: str) -> None:
    data = tiny()
    data["injects"]["decisions"] = [decision]
    result = check(write(tmp_path, data))
    assert result.errors, "expected an error"
    text = " ".join(str(p) for p in result.errors)
    assert message in text and "scenario.yaml:" in text
