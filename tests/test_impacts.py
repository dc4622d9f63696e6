"""Hazard impacts turned into events, with a scripted hazard (independent of any physics)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import pytest

from drillsim.sim import run
from drillsim.sim.compiled import Compiled
from drillsim.sim.hazards import HAZARDS, HazardModel, HazardSpec, Impacts


class ScriptedPond(HazardModel):
    """Water rises on link BC from 10 min (slow), closes it at 20 min, floods the shelter and
    endangers zone Z2 at 30 min, and recedes at 50 min."""

    kind = "test-pond"
    measure = "depth_m"

    def sample(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        return np.zeros(np.shape(x_m))

    def impacts(self, t_s: float) -> Impacts:
        factor = np.ones(4)  # AB both ways, BC both ways
        if 600 <= t_s < 3000:
            factor[2:] = 0.47 if t_s < 1200 else 0.0
        wet = 1800 <= t_s < 3000
        return Impacts(link_speed_factor=factor,
                       facility_unusable={"shelter": np.array([wet])},
                       zone_people_in_danger=np.array([False, wet]))


@pytest.fixture
def pond(tiny_compiled: Compiled) -> Iterator[Compiled]:
    HAZARDS["test-pond"] = ScriptedPond
    try:
        yield dataclasses.replace(tiny_compiled, hazards=(HazardSpec("pond", "test-pond"),),
                                  injects=())
    finally:
        del HAZARDS["test-pond"]


def test_impacts_become_events(pond: Compiled) -> None:
    events = [(e.t_s, e.kind, e.actor, e.qty) for e in run(pond, 0).log
              if e.kind in ("link.slow", "link.close", "link.open", "incident.create")
              or (e.kind.startswith("facility.") and e.actor == "S1")]
    def pick(kind: str) -> list:  # type: ignore[type-arg]
        return [(t, a, q) for t, k, a, q in events if k == kind]
    # One event per road (both directions change together); the road reopens only after
    # 30 min clear of water (dry from 50 min: 1 h 20).
    assert [(t, a, q) for t, a, q in pick("link.slow")] == [(600.0, "BC", 0.5),
                                                           (4800.0, "BC", 1.0)]
    assert [(t, a) for t, a, _ in pick("link.close")] == [(1200.0, "BC")]
    assert [(t, a) for t, a, _ in pick("link.open")] == [(4800.0, "BC")]
    assert pick("incident.create") == [(1800.0, "pond:Z2", 500.0)]
    shelter = [(t, k) for t, k, a, _ in events if a == "S1" and k != "facility.init"]
    # Flooded at 30 min, before the plan activates shelters (1 h); clear from 50 min and
    # recovered at 1 h 20, so when its opening delay ends (1 h 30) the shelter opens.
    assert shelter == [(1800.0, "facility.close"), (5400.0, "facility.open")]


def test_a_shelter_due_while_flooded_opens_once_the_water_has_gone(pond: Compiled) -> None:
    import dataclasses as dc

    from drillsim.sim.distributions import Dist

    w = pond.world
    slow = dc.replace(w.shelters, opening_delay_s=(Dist.fixed(600.0),))
    early = dc.replace(pond, world=dc.replace(w, shelters=slow))
    shelter = [(e.t_s, e.kind) for e in run(early, 0).log
               if e.actor == "S1" and e.kind in ("facility.open", "facility.close")]
    # Activated at 1 h, due at 1 h 10 but not yet recovered (clear since 50 min, recovered
    # at 1 h 20): it opens at 1 h 20.
    assert shelter == [(1800.0, "facility.close"), (4800.0, "facility.open")]


def test_incidents_count_as_trapped(pond: Compiled) -> None:
    from drillsim.analysis.logframe import LogFrame
    from drillsim.analysis.metrics import time_series

    ts = time_series(LogFrame.of(run(pond, 0).log), 900).to_pydict()
    assert ts["trapped"][:4] == [0, 0, 500, 500]
