"""Variants of a scenario for sweeps: the ``uncertainty`` section, values applied at their
paths, located errors for paths and values that do not fit, and the sample designs (LHS,
Sobol', Saltelli) with Sobol' indices checked against the Ishigami function."""

from __future__ import annotations

import math
import pickle
import shutil
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import numpy as np
import pytest
import yaml
from builders import tiny
from scipy import stats

from drillsim.cli.outputs import json_schema
from drillsim.scenarios import ScenarioError, check, load
from drillsim.scenarios.examples import EXAMPLES
from drillsim.scenarios.sampling import SampleSizeWarning, sample, sobol_indices, unit_design
from drillsim.scenarios.variants import Option, Parameter, Variants

QUAKE = {"id": "mainshock", "kind": "earthquake", "magnitude": 6.8,
         "hypocentre": {"x": 0, "y": -5000, "depth_km": 10}}
UNCERTAINTY = """
uncertainty:
  parameters:
    - {name: magnitude, path: hazards.mainshock.magnitude, dist: {uniform: [6.4, 7.2]}}
    - {name: crew, path: plan.teams.T1.size, dist: {triangular: [6, 10, 14]}}
    - {name: aid_delay, path: plan.mutual_aid.aid.arrival_delay,
       dist: {dist: lognormal, median: 1h, sigma: 0.3}}
  options:
    - {name: dispatch, path: plan.dispatch.policy, choices: [nearest, severity]}
"""


def _scenario(tmp_path: Path, uncertainty: str = UNCERTAINTY) -> Path:
    """The tiny scenario with an earthquake, and ``uncertainty`` written as a person would."""
    path = tmp_path / "sweep.yaml"
    text = yaml.safe_dump(tiny(hazards=[QUAKE]), sort_keys=False)
    path.write_text(text + uncertainty, encoding="utf-8")
    return path


def _line(path: Path, needle: str) -> tuple[int, int]:
    """Line and column (1-based) of the first ``needle`` in the file."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return n, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def variants(tmp_path: Path) -> Variants:
    return Variants.of(_scenario(tmp_path))


def test_declarations_are_typed_with_units_and_counts(variants: Variants) -> None:
    magnitude, crew, delay = variants.parameters
    assert (magnitude.kind, magnitude.params, magnitude.at) == (
        "uniform", (6.4, 7.2), ("hazards", 0, "magnitude"))
    assert crew.whole and not magnitude.whole and not crew.duration
    assert delay.duration and delay.params == (3600.0, 0.3)
    assert variants.options == (Option("dispatch", "plan.dispatch.policy",
                                       ("nearest", "severity"), ("plan", "dispatch", "policy")),)
    assert variants.names == ("magnitude", "crew", "aid_delay", "dispatch")


def test_values_change_the_hazard_and_the_plan(variants: Variants) -> None:
    c = variants.compile({"magnitude": 7.1, "crew": 12.4, "aid_delay": 7201.123456789,
                          "dispatch": "severity"})
    assert c.hazards[0].params["magnitude"] == 7.1
    assert c.plan.teams[0].size == 12
    assert c.plan.aid[0].arrival_delay_s.kind == "fixed"
    assert c.plan.aid[0].arrival_delay_s.params == (7201.123456789,)  # written with units
    assert c.plan.dispatch.policy == "severity"
    base = variants.base()
    assert base.hazards[0].params["magnitude"] == 6.8
    assert (base.plan.teams[0].size, base.plan.dispatch.policy) == (10, "nearest")
    assert base.plan.aid[0].arrival_delay_s.params == (3600.0,)
    assert c.digest != base.digest
    assert variants.compile({"crew": 12.0}).plan.teams[0].size == 12  # the others: nominal


def test_base_is_the_scenario_as_loaded(tmp_path: Path) -> None:
    path = _scenario(tmp_path)
    loaded, base = load(path), Variants.of(path).base()
    assert base.digest == loaded.digest
    assert (base.name, base.duration_s, base.plan, base.hazards, base.injects) == (
        loaded.name, loaded.duration_s, loaded.plan, loaded.hazards, loaded.injects)
    assert base.world.zones.ids == loaded.world.zones.ids
    np.testing.assert_array_equal(base.world.zone_to_shelter_s, loaded.world.zone_to_shelter_s)


def test_compiled_variants_are_cached_and_a_value_is_checked(variants: Variants) -> None:
    first = variants.compile({"magnitude": 7.0})
    assert variants.compile({"magnitude": 7.0}) is first
    assert variants.compile({"crew": 7.2}) is variants.compile({"crew": 6.9})  # both 7
    for m in (6.5, 6.6, 6.7, 6.9, 7.1):
        variants.compile({"magnitude": m})
    assert variants.compile({"magnitude": 7.0}) is not first  # evicted: a few are kept
    with pytest.raises(ValueError, match="'magnitud' is not a parameter or option"):
        variants.compile({"magnitud": 7.0})
    with pytest.raises(ValueError, match="'fastest' is not a choice of 'dispatch'"):
        variants.compile({"dispatch": "fastest"})
    with pytest.raises(ValueError, match="finite number"):
        variants.compile({"crew": math.nan})
    with pytest.raises(ScenarioError, match=r"less than or equal to 9\.5"):
        variants.compile({"magnitude": 9.9})


def test_variants_pickle_and_never_read_the_files_again(tmp_path: Path) -> None:
    """An example with an include and a DEM: after the files are gone, variants compile."""
    for name in ("riverside-flood.yaml", "riverside-region.yaml", "riverside-dem.asc"):
        shutil.copy(EXAMPLES["riverside-flood"].parent / name, tmp_path / name)
    path = tmp_path / "riverside-flood.yaml"
    with path.open("a", encoding="utf-8") as f:
        f.write("\nuncertainty:\n  parameters:\n    - {name: breach, path: "
                "hazards.river-flood.breach.width_m, dist: {uniform: [40, 80]}}\n")
    digest = load(path).digest
    variants = pickle.loads(pickle.dumps(Variants.of(path)))
    for name in ("riverside-region.yaml", "riverside-dem.asc"):
        (tmp_path / name).unlink()
    path.write_text("changed", encoding="utf-8")
    assert variants.base().digest == digest
    c = variants.compile({"breach": 75.0})
    assert c.hazards[0].params["breach"]["width_m"] == 75.0
    assert c.world.terrain is not None


def test_unknown_paths_are_located_at_the_path(tmp_path: Path) -> None:
    text = UNCERTAINTY.replace("hazards.mainshock.magnitude", "hazards.mainshock.magnitud")
    text = text.replace("plan.teams.T1.size", "plan.teams.T7.size")
    path = _scenario(tmp_path, text)
    errors = check(path).errors
    assert [e.field for e in errors] == ["uncertainty.parameters[0].path",
                                         "uncertainty.parameters[1].path"]
    line, column = _line(path, "path: hazards.mainshock.magnitud")
    assert (errors[0].location.line, errors[0].location.column) == (line, column)
    assert errors[0].message.startswith("hazards.mainshock.magnitud: no field 'magnitud' in "
                                        "hazard 'mainshock' (did you mean 'magnitude'?)")
    assert "(fields: id, start, duration, triggered_by, kind, magnitude," in errors[0].message
    assert errors[1].location.line == _line(path, "path: plan.teams.T7.size")[0]
    assert "no team 'T7' in plan.teams" in errors[1].message
    with pytest.raises(ScenarioError, match="magnitud"):
        Variants.of(path)


def test_a_choice_the_plan_rejects_is_located_at_the_choice(tmp_path: Path) -> None:
    path = _scenario(tmp_path, UNCERTAINTY.replace("[nearest, severity]",
                                                   "[nearest, fastest]"))
    (error,) = check(path).errors
    assert error.field == "uncertainty.options[0].choices[1]"
    assert (error.location.line, error.location.column) == _line(path, "fastest")
    assert "the choice 'fastest' of 'dispatch' makes the scenario invalid" in error.message
    assert "plan.dispatch.policy: expected 'nearest', 'severity' or 'weighted'" in error.message


def test_a_bound_outside_the_schema_is_located_at_the_bound(tmp_path: Path) -> None:
    path = _scenario(tmp_path, UNCERTAINTY.replace("[6.4, 7.2]", "[6.4, 9.9]"))
    (error,) = check(path).errors
    assert error.field == "uncertainty.parameters[0].dist.uniform[1]"
    assert (error.location.line, error.location.column) == _line(path, "9.9")
    assert "the upper bound 9.9 of 'magnitude'" in error.message


def test_a_distribution_whose_median_is_invalid_is_an_error(tmp_path: Path) -> None:
    """Plain numbers for a duration: the median already fails (an error, not a tail)."""
    path = _scenario(tmp_path, UNCERTAINTY.replace("median: 1h", "median: 60"))
    (error,) = check(path).errors
    assert error.field == "uncertainty.parameters[2].dist"
    assert "the median 60 of 'aid_delay'" in error.message and "ambiguous" in error.message


@pytest.mark.parametrize(("old", "new", "field", "phrase"), [
    ("[6.4, 7.2]", "[7.2, 6.4]", "uncertainty.parameters[0].dist", "low < high"),
    ("[6.4, 7.2]", "[6.4]", "uncertainty.parameters[0].dist", "uniform takes 2 values"),
    ("{uniform: [6.4, 7.2]}", "{uniform: [6, 7], normal: [6.8, 0.2]}",
     "uncertainty.parameters[0].dist", "give one distribution"),
    ("median: 1h, sigma: 0.3", "median: 1h, sigma: 30min",
     "uncertainty.parameters[2].dist.sigma", "expected a valid number"),
    ("[6, 10, 14]", "[6, 10, 14], lognormal: [6, 1h]", "uncertainty.parameters[1].dist",
     "give one distribution"),
    ("[6, 10, 14]", "[6, 10h, 14]", "uncertainty.parameters[1].dist", "all with units"),
    ("name: crew", "name: magnitude", "uncertainty.parameters[1].name", "declared twice"),
    ("plan.dispatch.policy", "plan.teams.T1.size", "uncertainty.options[0].path",
     "varied twice"),
    ("[nearest, severity]", "[nearest]", "uncertainty.options[0].choices", "at least 2"),
])
def test_mistakes_in_the_section(tmp_path: Path, old: str, new: str, field: str,
                                 phrase: str) -> None:
    assert old in UNCERTAINTY
    path = _scenario(tmp_path, UNCERTAINTY.replace(old, new))
    errors = check(path).errors
    assert [(e.field, phrase in e.message) for e in errors] == [(field, True)], errors
    assert errors[0].location is not None and errors[0].location.file == str(path)


def test_the_json_schema_accepts_both_ways_of_writing_a_distribution(tmp_path: Path) -> None:
    schema = json_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    data = yaml.safe_load(_scenario(tmp_path).read_text(encoding="utf-8"))
    data["meta"]["start"] = str(data["meta"]["start"])
    assert not list(validator.iter_errors(data))
    data["uncertainty"]["parameters"][0]["dist"] = {"uniform": [6, 7], "normal": [6.8, 0.2]}
    assert list(validator.iter_errors(data))


INVERSE_CDFS = [
    (("uniform", (2.0, 5.0)), stats.uniform(loc=2.0, scale=3.0)),
    (("triangular", (1.0, 2.0, 6.0)), stats.triang(c=0.2, loc=1.0, scale=5.0)),
    (("normal", (-3.0, 2.0)), stats.norm(loc=-3.0, scale=2.0)),
    (("lognormal", (3600.0, 0.3)), stats.lognorm(s=0.3, scale=3600.0)),
    (("exponential", (20.0,)), stats.expon(scale=20.0)),
    (("gamma", (2.5, 4.0)), stats.gamma(a=2.5, scale=4.0)),
    (("weibull", (7.0, 1.5)), stats.weibull_min(c=1.5, scale=7.0)),
    (("rayleigh", (3.0,)), stats.rayleigh(scale=3.0)),
]


@pytest.mark.parametrize(("spec", "frozen"), INVERSE_CDFS, ids=[s[0] for s, _ in INVERSE_CDFS])
def test_inverse_cdfs_match_scipy(spec: tuple[str, tuple[float, ...]], frozen) -> None:  # type: ignore[no-untyped-def]
    q = np.array([0.01, 0.25, 0.5, 0.9, 0.99])
    p = Parameter("x", "x", *spec)
    np.testing.assert_allclose(p.quantiles(q), frozen.ppf(q), rtol=1e-9)


def test_options_take_equal_shares_of_the_unit_interval() -> None:
    o = Option("policy", "plan.dispatch.policy", ("nearest", "severity", "weighted"))
    assert [o.value(u) for u in (0.0, 0.33, 0.34, 0.66, 0.67, 0.999999)] == [
        "nearest", "nearest", "severity", "severity", "weighted", "weighted"]


def test_latin_hypercube_hits_every_stratum_once_and_is_reproducible(
        variants: Variants) -> None:
    n = 20
    rows = sample(variants, n, "lhs", seed=7)
    assert len(rows) == n and sample(variants, n, "lhs", seed=7) == rows
    assert sample(variants, n, "lhs", seed=8) != rows
    magnitude = np.array([r["magnitude"] for r in rows])
    strata = np.floor((magnitude - 6.4) / 0.8 * n).astype(int)
    assert sorted(strata) == list(range(n))
    u = unit_design(len(variants.names), n, "lhs", seed=7)
    for column in u.T:
        assert sorted(np.floor(column * n).astype(int)) == list(range(n))
    assert sum(r["dispatch"] == "severity" for r in rows) == n // 2
    assert {r["crew"] for r in rows} <= set(range(6, 15))


def test_sobol_points_are_rounded_up_to_a_power_of_two(variants: Variants) -> None:
    with pytest.warns(SampleSizeWarning, match="10 rounded up to 16"):
        rows = sample(variants, 10, "sobol", seed=3)
    assert len(rows) == 16 and sample(variants, 16, "sobol", seed=3) == rows


def test_saltelli_gives_n_times_2d_plus_2_points(variants: Variants) -> None:
    rows = sample(variants, 8, "saltelli", seed=1)
    assert len(rows) == 8 * (2 * 4 + 2)
    assert sample(variants, 8, "saltelli", seed=1) == rows
    with pytest.raises(ValueError, match="not a saltelli sample"):
        sobol_indices(variants, rows[:-1], np.zeros(len(rows) - 1))


def test_sobol_indices_of_the_ishigami_function() -> None:
    """Ishigami & Homma (1990), a = 7, b = 0.1, x ~ U(-π, π)³: S1 = 0.314, 0.442, 0;
    ST = 0.558, 0.442, 0.244. At N = 1024 (8,192 runs) the estimates are within 0.03 over 30
    seeds; the tolerance is 0.05, and the truth lies within each confidence interval."""
    declared = SimpleNamespace(options=(), parameters=tuple(
        Parameter(f"x{i}", f"x{i}", "uniform", (-math.pi, math.pi)) for i in (1, 2, 3)))
    rows = sample(declared, 1024, "saltelli", seed=11)
    x = np.array([[r["x1"], r["x2"], r["x3"]] for r in rows])
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    result = sobol_indices(declared, rows, y, seed=11)
    truth = {"x1": (0.3139, 0.5576), "x2": (0.4424, 0.4424), "x3": (0.0, 0.2437)}
    for name, (s1, st) in truth.items():
        got = result[name]
        assert abs(got["S1"] - s1) < 0.05 and abs(got["ST"] - st) < 0.05, (name, got)
        assert abs(got["S1"] - s1) <= got["S1_conf"] and abs(got["ST"] - st) <= got["ST_conf"]


def test_sobol_indices_name_the_samples_without_an_output(variants: Variants) -> None:
    rows = sample(variants, 4, "saltelli", seed=2)
    y = np.ones(len(rows))
    y[[3, 17]] = np.nan
    with pytest.raises(ValueError, match=r"2 of 40 samples \(index 3, 17\)"):
        sobol_indices(variants, rows, y)
