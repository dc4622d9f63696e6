"""The engine on the tiny scenario: the whole event log, checked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import tiny, write

from drillsim.scenarios import load
from drillsim.sim import run
from drillsim.sim.compiled import Compiled

RESIDENTS = ("evac.", "shelter.", "relief.", "transport.", "traffic.")
"""Kinds of the residents' events, checked in test_evacuation.py."""


def brief(compiled: Compiled, seed: int = 0) -> list[tuple[float, str, str, str]]:
    """The log without the residents' events."""
    return [(e.t_s, e.kind, e.actor, e.place) for e in run(compiled, seed).log
            if not e.kind.startswith(RESIDENTS)]


def test_whole_event_log_of_the_tiny_scenario(tiny_compiled: Compiled) -> None:
    # By hand: level IV at 1h warns Z1 and activates the shelter (opens 30 min later); the
    # reports at 2h and 2h05 bring deaths+missing to 5, seen at the 2h10 review; level III is
    # declared 15 min later (2h25), orders the evacuation of both zones and requests aid,
    # whose two teams are ready 1 h later; the bridge closes at 3h.
    assert brief(tiny_compiled) == [
        (0.0, "run.start", "", ""),
        (0.0, "zone.init", "Z1", "Z1"),
        (0.0, "zone.init", "Z2", "Z2"),
        (0.0, "facility.init", "S1", "C"),
        (0.0, "facility.init", "F1", "B"),
        (0.0, "team.init", "T1", "F1"),
        (0.0, "hazard.onset", "calm", ""),
        (300.0, "team.ready", "T1", "F1"),
        (3600.0, "plan.trigger", "level-IV", ""),
        (3600.0, "plan.level", "command", ""),
        (3600.0, "plan.order", "warn", "Z1"),
        (5400.0, "facility.open", "S1", "C"),
        (7200.0, "drill.inject", "I1", ""),
        (7200.0, "drill.report", "I1", ""),
        (7500.0, "drill.inject", "I2", ""),
        (7500.0, "drill.report", "I2", ""),
        (7800.0, "plan.trigger", "level-III", ""),
        (8700.0, "plan.level", "command", ""),
        (8700.0, "plan.order", "evac", "Z1"),
        (8700.0, "plan.order", "evac", "Z2"),
        (8700.0, "aid.request", "aid", ""),
        (8700.0, "team.init", "aid-1", "F1"),
        (8700.0, "team.init", "aid-2", "F1"),
        (10800.0, "drill.inject", "I3", ""),
        (10800.0, "link.close", "BC", ""),
        (12300.0, "team.ready", "aid-1", "F1"),
        (12300.0, "team.ready", "aid-2", "F1"),
        (14400.0, "run.end", "", ""),
    ]


def test_payloads_carry_levels_counts_and_reasons(tiny_compiled: Compiled) -> None:
    events = list(run(tiny_compiled, 0).log)
    levels = [(e.qty, e.data["level"], e.data["previous"]) for e in events
              if e.kind == "plan.level"]
    assert levels == [(1.0, "IV", "none"), (2.0, "III", "IV")]
    init = {e.actor: e.qty for e in events if e.kind == "zone.init"}
    assert init == {"Z1": 1000.0, "Z2": 500.0}
    trig = [e.data["condition"] for e in events if e.kind == "plan.trigger"]
    assert trig == ["time >= 1h", "deaths_and_missing >= 5"]
    closed = [e.data["reason"] for e in events if e.kind == "link.close"]
    assert closed == ["inject I3"]


def test_closing_a_two_way_link_closes_both_directions(tiny_compiled: Compiled) -> None:
    from drillsim.sim.model import DrillModel

    model = DrillModel(tiny_compiled, 0)
    for install in tiny_compiled.installers:
        install(model)
    model.env.run(until=3 * 3600 + 1)
    idx = tiny_compiled.world.roads.link_index("BC")
    assert len(idx) == 2 and not model.state.link_open[idx].any()
    assert model.state.link_open[tiny_compiled.world.roads.link_index("AB")].all()


def test_order_with_its_own_trigger_and_all_of(tmp_path: Path) -> None:
    data = tiny()
    data["plan"]["orders"].append({
        "id": "late", "action": "shelter_in_place", "zones": ["Z2"],
        "all_of": [{"at": "1h30min"}, {"metric": "deaths", "op": ">", "value": 0}]})
    got = [(e.t_s, e.actor, e.place) for e in run(load(write(tmp_path, data)), 0).log
           if e.kind == "plan.order"]
    # deaths > 0 from 2h (inject I1); the next review is 2h exactly (reviews every 10 min)
    assert (7200.0, "late", "Z2") in got
    assert [g for g in got if g[1] == "late"] == [(7200.0, "late", "Z2")]


def test_time_triggers_fire_exactly_between_reviews(tmp_path: Path) -> None:
    data = tiny()
    data["plan"]["levels"][0]["any_of"] = [{"at": "17min"}]
    log = run(load(write(tmp_path, data)), 0).log
    assert next(e.t_s for e in log if e.kind == "plan.level") == 17 * 60


def test_delay_team_inject_postpones_readiness(tmp_path: Path) -> None:
    data = tiny()
    data["plan"]["teams"][0]["available_after"] = "1h"
    data["injects"]["scripted"].append({"id": "D", "at": "10min", "action": "delay_team",
                                        "team": "T1", "delay": "45min"})
    log = list(run(load(write(tmp_path, data)), 0).log)
    assert [e.t_s for e in log if e.kind == "team.ready" and e.actor == "T1"] == [6300.0]
    assert [e.qty for e in log if e.kind == "team.delay"] == [2700.0]


def test_facility_injects_close_and_reopen(tmp_path: Path) -> None:
    data = tiny()
    data["injects"]["scripted"] += [
        {"id": "C", "at": "1h45min", "action": "close_facility", "facility": "S1"},
        {"id": "O", "at": "2h30min", "action": "open_facility", "facility": "S1"}]
    log = [(e.t_s, e.kind) for e in run(load(write(tmp_path, data)), 0).log
           if e.actor == "S1" and e.kind.startswith("facility.")]
    assert log == [(0.0, "facility.init"), (5400.0, "facility.open"),
                   (6300.0, "facility.close"), (9000.0, "facility.open")]


def test_random_injects_are_drawn_from_the_pool_within_the_window(tmp_path: Path) -> None:
    data = tiny()
    data["injects"]["random"] = {"count": 2, "window": ["30min", "3h"], "pool": [
        {"id": f"R{k}", "action": "message", "message": f"m{k}"} for k in range(5)]}
    compiled = load(write(tmp_path, data))
    seen = set()
    for seed in range(20):
        fired = [e for e in run(compiled, seed).log
                 if e.kind == "drill.inject" and e.data["random"]]
        assert len(fired) == 2 and len({e.actor for e in fired}) == 2
        assert all(1800 <= e.t_s <= 10800 for e in fired)
        seen |= {e.actor for e in fired}
    assert seen == {f"R{k}" for k in range(5)}


def test_uncertain_delays_vary_with_the_seed_within_their_bounds(tmp_path: Path) -> None:
    data = tiny()
    data["plan"]["teams"][0]["available_after"] = {"dist": "uniform", "low": "10min",
                                                   "high": "20min"}
    compiled = load(write(tmp_path, data))
    ready = np.array([next(e.t_s for e in run(compiled, s).log
                       if e.kind == "team.ready" and e.actor == "T1") for s in range(40)])
    assert ready.min() >= 600 and ready.max() <= 1200
    assert len(np.unique(ready)) == 40


def test_run_until_stops_early(tiny_compiled: Compiled) -> None:
    log = list(run(tiny_compiled, 0, until_s=3600).log)
    assert log[-1].kind == "run.end" and log[-1].t_s == 3600


@pytest.mark.parametrize("seed", [-1, 1.5, "x"])
def test_bad_seeds_are_refused(tiny_compiled: Compiled, seed: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        run(tiny_compiled, seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("every", ["0.7s", "1.1s", "7min"])
def test_fractional_review_intervals_finish_and_review_on_schedule(tmp_path: Path,
                                                                   every: str) -> None:
    data = tiny()
    data["meta"]["duration"] = "10min"
    data["plan"]["review_every"] = every
    data["plan"]["levels"][0]["any_of"] = [{"metric": "deaths", "op": ">=", "value": 1}]
    data["injects"]["scripted"] = [{"id": "R", "at": "3min", "action": "report",
                                    "counter": "deaths", "value": 1}]
    log = list(run(load(write(tmp_path, data)), 0).log)
    assert log[-1].kind == "run.end" and log[-1].t_s == 600
    seconds = {"0.7s": 0.7, "1.1s": 1.1, "7min": 420.0}[every]
    first_review_after = np.ceil(180 / seconds - 1e-9) * seconds
    assert next(e.t_s for e in log if e.kind == "plan.level") == pytest.approx(
        first_review_after)


def test_a_higher_level_includes_the_measures_of_lower_ones(tmp_path: Path) -> None:
    data = tiny()
    data["plan"]["levels"][0]["declare_delay"] = "30min"  # IV would be declared at 1h30
    data["plan"]["levels"][1]["any_of"] = [{"at": "1h"}]  # III at 1h15, before IV
    log = list(run(load(write(tmp_path, data)), 0).log)
    assert [(e.t_s, e.data["level"]) for e in log if e.kind == "plan.level"] == [(4500.0, "III")]
    orders = [(e.t_s, e.actor, e.place) for e in log if e.kind == "plan.order"]
    assert (4500.0, "warn", "Z1") in orders  # level IV's order, issued with level III


def test_an_inject_closing_a_shelter_before_it_opens_keeps_it_closed(tmp_path: Path) -> None:
    data = tiny()
    data["injects"]["scripted"] += [
        {"id": "C", "at": "30min", "action": "close_facility", "facility": "S1"},
        {"id": "O", "at": "3h30min", "action": "open_facility", "facility": "S1"}]
    log = [(e.t_s, e.kind) for e in run(load(write(tmp_path, data)), 0).log
           if e.actor == "S1" and e.kind.startswith("facility.")]
    assert log == [(0.0, "facility.init"), (1800.0, "facility.close"), (12600.0, "facility.open")]


def test_a_finished_run_is_garbage_collected(tiny_compiled: Compiled) -> None:
    import gc
    import weakref

    from drillsim.sim import model as model_mod

    made: list[weakref.ref] = []  # type: ignore[type-arg]
    original = model_mod.DrillModel.__init__

    def spy(self, *a, **k):  # type: ignore[no-untyped-def]
        original(self, *a, **k)
        made.append(weakref.ref(self))

    model_mod.DrillModel.__init__ = spy  # type: ignore[method-assign]
    try:
        run(tiny_compiled, 0)
    finally:
        model_mod.DrillModel.__init__ = original  # type: ignore[method-assign]
    gc.collect()
    assert len(made) == 1 and made[0]() is None


def test_importing_drillsim_leaves_the_process_start_method_alone() -> None:
    import subprocess
    import sys

    code = ("import multiprocessing as mp; import drillsim.agents, drillsim.sim, "
            "drillsim.scenarios.loader, drillsim.cli.main; "
            "print(mp.get_start_method(allow_none=True))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "None"


def test_a_zero_length_run(tiny_compiled: Compiled) -> None:
    log = list(run(tiny_compiled, 0, until_s=0).log)
    assert log[-1].kind == "run.end" and log[-1].t_s == 0


def test_progress_is_reported_without_changing_the_run(tiny_compiled: Compiled) -> None:
    seen: list[float] = []
    with_progress = run(tiny_compiled, 3, progress=seen.append).log
    assert with_progress.digest() == run(tiny_compiled, 3).log.digest()
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) == 101
    assert seen == sorted(seen)
