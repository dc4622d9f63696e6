"""Conformance of every registered hazard model, and the registry's declarations."""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.scenarios.examples import EXAMPLES
from drillsim.sim.hazards import HAZARDS, HazardModel, HazardSpec, build_hazard
from drillsim.sim.hazards.base import UnmodelledHazard


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    from drillsim.scenarios import load

    return load(EXAMPLES["riverside-flood"]).world


def example_spec(kind: str) -> HazardSpec:
    """A realistic spec of ``kind``: the first bundled example that has one."""
    from drillsim.scenarios import load

    if kind == "none":
        return HazardSpec(id="h", kind="none")
    for path in EXAMPLES.values():
        for spec in load(path).hazards:
            if spec.kind == kind:
                return spec
    raise AssertionError(f"no bundled example exercises hazard kind {kind!r}")


@pytest.mark.parametrize("kind", sorted(HAZARDS))
def test_registered_models_conform(kind: str, world) -> None:  # type: ignore[no-untyped-def]
    spec = example_spec(kind)
    x = np.linspace(0, 2000, 7)
    y = np.linspace(0, 1000, 7)
    x0, y0 = x.copy(), y.copy()
    t = spec.start_s + 3 * 3600.0
    a = build_hazard(spec, world, np.random.default_rng(1)).sample(t, x, y)
    b = build_hazard(spec, world, np.random.default_rng(1)).sample(t, x, y)
    assert a.shape == x.shape
    assert np.array_equal(a, b)  # deterministic under a fixed rng
    assert not np.isnan(a).any()
    assert np.array_equal(x, x0) and np.array_equal(y, y0)  # inputs untouched


def test_a_model_must_declare_what_it_measures() -> None:
    with pytest.raises(TypeError, match="measure"):
        class Bad(HazardModel):
            kind = "bad"

            def sample(self, t_s, x_m, y_m):  # type: ignore[no-untyped-def]
                return x_m


def test_kinds_without_physics_read_nan_and_say_so(world) -> None:  # type: ignore[no-untyped-def]
    h = build_hazard(HazardSpec(id="q", kind="not-yet"), world, np.random.default_rng(0))
    assert isinstance(h, UnmodelledHazard) and not h.modelled
    assert np.isnan(h.sample(0.0, np.zeros(3), np.zeros(3))).all()
    import dataclasses

    from drillsim.analysis.logframe import LogFrame
    from drillsim.analysis.summary import run_summary
    from drillsim.scenarios import load
    from drillsim.sim import run

    # every kind the schema knows has physics now: put an unknown one in a compiled scenario
    compiled = load(EXAMPLES["chemical-park-chlorine"])
    compiled = dataclasses.replace(compiled, hazards=(HazardSpec(id="q", kind="not-yet"),))
    summary = run_summary(LogFrame.of(run(compiled, 0, until_s=600.0).log))
    assert summary["warnings"] == ["hazard 'q' (not-yet): no physics model in this version; "
                                   "only its onset and end are logged"]


def test_hazard_parameters_are_read_only_and_travel_intact() -> None:
    import pickle

    spec = HazardSpec(id="h", kind="flood", params={"hydrograph": [{"at": 0.0}], "n": 0.03})
    with pytest.raises(TypeError, match="read-only"):
        spec.params["n"] = 0.1  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        spec.params["hydrograph"][0]["at"] = 5.0
    assert pickle.loads(pickle.dumps(spec)) == spec
