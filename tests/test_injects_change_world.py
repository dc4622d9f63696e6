"""Injects that change the world: an aftershock that shakes, damages and traps like any shock,
and a second hazard that starts when its inject fires (and never, in a run where a random
inject does not come up)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from builders import tiny, write

from drillsim.scenarios import load
from drillsim.scenarios.examples import EXAMPLES
from drillsim.sim import run


def test_an_aftershock_inject_shakes_damages_and_traps(tmp_path: Path) -> None:
    src = EXAMPLES["city-earthquake"]
    shutil.copy(src.parent / "quake-city-region.yaml", tmp_path)
    text = src.read_text(encoding="utf-8").replace("aftershocks: true", "aftershocks: false")
    text = text[:text.index("\ninjects:")] + textwrap.dedent("""
        injects:
          scripted:
            - {id: AS, at: 3h, action: aftershock, hazard: mainshock, magnitude: 6.2,
               epicentre: {x: 2000, y: 0}, depth_km: 8, message: M6.2 aftershock}
        """)
    path = tmp_path / "quake.yaml"
    path.write_text(text, encoding="utf-8")
    frame = run(load(path), 2, until_s=4 * 3600).log.to_table().to_pandas()
    shocks = frame[frame.kind == "quake.shock"]
    assert shocks[["t_s", "qty"]].values.tolist() == [[600.0, 6.8], [10800.0, 6.2]]
    assert bool(shocks.aftershock.iloc[1])
    fired = frame[frame.kind == "drill.inject"]
    assert fired[["t_s", "actor", "action"]].values.tolist() == [[10800.0, "AS", "aftershock"]]
    later = frame[frame.t_s == 10800.0]
    assert later[later.kind == "quake.damage"].qty.sum() > 0
    assert (later[later.kind == "incident.create"].type == "collapse_rescue").any()


def _second_hazard(random: bool) -> dict:
    data = tiny()
    data["hazards"] = [{"id": "calm", "kind": "none"},
                       {"id": "second", "kind": "none", "triggered_by": {"inject": "GO",
                                                                          "delay": "5min"}}]
    go = {"id": "GO", "action": "message", "message": "a second release"}
    if random:
        data["meta"]["unscripted"] = True
        data["injects"] = {"random": {"count": 1, "window": ["1h", "2h"],
                                      "pool": [go, {"id": "OTHER", "action": "message"}]}}
    else:
        data["injects"] = {"scripted": [{**go, "at": "1h"}]}
    return data


def test_a_hazard_starts_when_its_inject_fires(tmp_path: Path) -> None:
    frame = run(load(write(tmp_path, _second_hazard(False))), 1).log.to_table().to_pandas()
    onset = frame[(frame.kind == "hazard.onset") & (frame.actor == "second")]
    assert onset[["t_s", "cause"]].values.tolist() == [[3900.0, "inject GO"]]


def test_a_hazard_waiting_for_a_random_inject_starts_only_when_it_is_drawn(
        tmp_path: Path) -> None:
    compiled = load(write(tmp_path, _second_hazard(True)))
    seen = {True: 0, False: 0}
    for seed in range(1, 13):
        frame = run(compiled, seed).log.to_table().to_pandas()
        fired = frame[frame.kind == "drill.inject"]
        onset = frame[(frame.kind == "hazard.onset") & (frame.actor == "second")]
        drawn = "GO" in set(fired.actor)
        seen[drawn] += 1
        if drawn:
            t = float(fired[fired.actor == "GO"].t_s.iloc[0])
            assert onset.t_s.tolist() == [t + 300.0]
        else:
            assert onset.empty
    assert seen[True] and seen[False]


def test_a_chain_names_a_known_inject(tmp_path: Path) -> None:
    data = _second_hazard(False)
    data["hazards"][1]["triggered_by"] = {"inject": "G0"}
    from drillsim.scenarios import ScenarioError
    try:
        load(write(tmp_path, data))
    except ScenarioError as exc:
        assert "hazards[1].triggered_by.inject: no inject with id 'G0'" in str(exc)
    else:
        raise AssertionError("a chain on an unknown inject must not load")


def test_an_aftershock_names_an_earthquake_that_has_begun(tmp_path: Path) -> None:
    from drillsim.scenarios import ScenarioError

    data = tiny()
    data["injects"] = {"scripted": [
        {"id": "A1", "at": "1h", "action": "aftershock", "hazard": "calm", "magnitude": 5.5},
        {"id": "A2", "at": "1h", "action": "aftershock", "hazard": "quake", "magnitude": 5.5}]}
    with pytest.raises(ScenarioError) as err:
        load(write(tmp_path, data))
    text = str(err.value)
    assert "injects.scripted[0].hazard: hazard 'calm' is a none; an aftershock belongs" in text
    assert "injects.scripted[1].hazard: no hazard with id 'quake'" in text
