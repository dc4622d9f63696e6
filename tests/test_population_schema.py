"""The scenario side of the evacuation model: the ``population`` section compiled into the
engine's :class:`Behaviour`, road exits, the plan's transport fleets and shelter lists, and
shelter capacity from floor area (GB 21734-2008 / GB 51143-2015).

Mistakes are checked as `drillsim validate` reports them (``FILE:LINE:COL: field: message``):
each case is the starter template with one edit, and names the text the problem must point
at, so the expected line and column are read from the edited file itself.
"""

from __future__ import annotations

import copy
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from builders import tiny, write
from test_validate_errors import JARGON, STARTER
from typer.testing import CliRunner

from drillsim.cli.main import app
from drillsim.cli.outputs import json_schema
from drillsim.scenarios import check, load
from drillsim.scenarios.compile import compile_behaviour
from drillsim.scenarios.schema.base import DurationDist, NumberDist
from drillsim.scenarios.schema.population import Population
from drillsim.scenarios.schema.region import PLANNING_AREA_M2_PER_PERSON, Shelter
from drillsim.sim.behaviour import DEFAULT_CHANNELS, Behaviour
from drillsim.sim.distributions import Dist
from drillsim.sim.traffic import TrafficParams

BEFORE_HAZARDS = "hazards:\n"
BEFORE_AID = "  mutual_aid:\n"
AFTER_LINKS = "      - {id: L4, from: N4, to: N5, lanes: 1, free_speed_km_h: 50}\n"
SCHOOL_SIZE = "capacity_persons: 1500,\n       floor_area_m2: 3000, "


def starter(tmp_path: Path, *edits: tuple[str, str], name: str = "scenario.yaml") -> Path:
    """The starter template (and its DEM) in ``tmp_path``, each ``(old, new)`` applied once."""
    text = STARTER.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"the starter template no longer contains {old!r}"
        text = text.replace(old, new, 1)
    shutil.copy(STARTER.with_name("starter-dem.asc"), tmp_path / "starter-dem.asc")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def population(block: str) -> tuple[str, str]:
    """An edit adding a ``population`` section (``block``, indented by two) to the starter."""
    return BEFORE_HAZARDS, f"population:\n{block}\n{BEFORE_HAZARDS}"


def plan_entry(block: str) -> tuple[str, str]:
    """An edit adding ``block`` (plan keys, indented by two) before the starter's mutual aid."""
    return BEFORE_AID, f"{block}\n{BEFORE_AID}"


@dataclass(frozen=True)
class Mistake:
    """One edit of the starter, and the located error it must produce: at the first line
    (not a comment) containing ``line_text``, in the column where ``at`` starts there."""

    name: str
    edit: tuple[str, str]
    field: str
    line_text: str
    at: str
    phrases: tuple[str, ...]

    def where(self, path: Path) -> tuple[int, int]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if self.line_text in line and not line.lstrip().startswith("#"):
                return number, line.index(self.at, line.index(self.line_text)) + 1
        raise AssertionError(f"{self.line_text!r} is not in {path}")


MISTAKES = [
    Mistake("reach above one", population("  channels:\n    siren: {reach: 1.5}"),
            "population.channels.siren.reach", "siren: {reach: 1.5}", "reach",
            ("less than or equal to 1", "1.5")),
    Mistake("traffic step above a minute", population("  traffic: {step: 2min}"),
            "population.traffic.step", "traffic: {step: 2min}", "step",
            ("too coarse", "at most 1min")),
    Mistake("logistic without a scale", population(
        "  mobilization: {dist: logistic, midpoint: 45min}"),
            "population.mobilization", "mobilization: {", "mobilization",
            ("logistic takes exactly midpoint, scale",)),
    Mistake("door-to-door delay", population(
        "  channels:\n    door_to_door: {delay: 10min}"),
            "population.channels.door_to_door.delay", "door_to_door: {delay", "delay",
            ("unknown key 'delay'",)),
    Mistake("unknown exit node", (AFTER_LINKS, AFTER_LINKS + "    exits: [N1, N55]\n"),
            "region.roads.exits[1]", "exits: [N1, N55]", "N55",
            ("no road node with id 'N55'", "did you mean 'N5'")),
    Mistake("unknown fleet base", plan_entry(
        "  transport:\n    - {id: buses, vehicles: 4, seats: 50, base: FS9}"),
            "plan.transport[0].base", "{id: buses", "base",
            ("no station with id 'FS9'", "did you mean 'FS1'")),
    Mistake("fleet id taken by a team", plan_entry(
        "  transport:\n    - {id: FR-1, vehicles: 4, seats: 50, base: FS1}"),
            "plan.transport[0].id", "{id: FR-1, vehicles", "id",
            ("duplicate fleet id 'FR-1'", "plan.teams[0]")),
    Mistake("fleet without seats", plan_entry(
        "  transport:\n    - {id: buses, vehicles: 4, seats: 0, base: FS1}"),
            "plan.transport[0].seats", "{id: buses", "seats",
            ("greater than or equal to 1",)),
    Mistake("preassigned with two shelters", plan_entry(
        "  shelter_assignment:\n    policy: preassigned\n"
        "    zones: {Z-north: [S-school, S-stadium]}"),
            "plan.shelter_assignment.zones.Z-north", "zones: {Z-north", "Z-north",
            ("exactly one shelter", "lists 2")),
    Mistake("unknown shelter in an assignment", plan_entry(
        "  shelter_assignment:\n    policy: by_zone\n    zones: {Z-south: [S-scool]}"),
            "plan.shelter_assignment.zones.Z-south[0]", "zones: {Z-south", "S-scool",
            ("no shelter with id 'S-scool'", "did you mean 'S-school'")),
    Mistake("unknown zone in an assignment", plan_entry(
        "  shelter_assignment:\n    policy: by_zone\n    zones: {Z-nort: [S-school]}"),
            "plan.shelter_assignment.zones.Z-nort", "zones: {Z-nort", "Z-nort",
            ("no zone with id 'Z-nort'", "did you mean 'Z-north'")),
    Mistake("by_zone without zones", plan_entry("  shelter_assignment: {policy: by_zone}"),
            "plan.shelter_assignment.policy", "shelter_assignment: {policy", "policy",
            ("list zones:",)),
    Mistake("shelter with neither capacity nor area", (SCHOOL_SIZE, ""),
            "region.shelters[0]", "{id: S-school", "{",
            ("give capacity_persons or floor_area_m2", "3.0 m² per person")),
]


def _one_error(path: Path, mistake: Mistake) -> None:
    errors = check(path).errors
    assert [e.field for e in errors] == [mistake.field], [str(e) for e in errors]
    found = errors[0]
    assert found.location is not None
    line, column = mistake.where(path)
    assert (Path(found.location.file), found.location.line, found.location.column) == (
        path, line, column), str(found)
    for phrase in mistake.phrases:
        assert phrase in found.message, str(found)
    for word in JARGON:
        assert word not in found.message, str(found)


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_each_mistake_is_one_located_error(tmp_path: Path, mistake: Mistake) -> None:
    _one_error(starter(tmp_path, mistake.edit), mistake)


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_validate_prints_the_located_line(tmp_path: Path, mistake: Mistake) -> None:
    path = starter(tmp_path, mistake.edit)
    result = CliRunner().invoke(app, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    line, column = mistake.where(path)
    prefix = f"{path}:{line}:{column}: {mistake.field}: "
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(prefix)]
    assert lines, f"no line starting {prefix!r} in:\n{result.stderr}"
    assert mistake.phrases[0] in lines[0]


def test_the_starter_with_every_new_section_is_valid(tmp_path: Path) -> None:
    """The cases above are errors because of their one edit, not of the sections around it."""
    path = starter(
        tmp_path,
        population("  channels:\n    siren: {reach: 0.5}\n  traffic: {step: 30s}"),
        (AFTER_LINKS, AFTER_LINKS + "    exits: [N1, N5]\n"),
        plan_entry("  transport:\n    - {id: buses, vehicles: 4, seats: 50, base: FS1}\n"
                   "  shelter_assignment:\n    policy: preassigned\n"
                   "    zones: {Z-north: [S-stadium]}"))
    result = check(path)
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.compiled is not None


# -- the population section --------------------------------------------------------------------

def test_no_population_section_compiles_to_the_engine_defaults(tmp_path: Path) -> None:
    compiled = load(starter(tmp_path))
    assert compiled.behaviour == Behaviour()
    assert compile_behaviour(Population()) == Behaviour()
    assert compile_behaviour(Population.model_validate({"channels": {}, "traffic": {}})) == \
        Behaviour()


OVERRIDES = """\
  channels:
    siren: {reach: 0.5}
    phone: {delay: {dist: uniform, low: 30s, high: 2min}}
    door_to_door: {teams_per_zone: 8}
  comply: {warn: 0.3}
  shadow: 0.1
  cue_odds: 2.5
  elderly_odds: 0.8
  cue_depth_m: 0.2
  mobilization: {dist: logistic, midpoint: 45min, scale: 10min}
  public_shelter_share: 0.15
  walk_max_m: 2000
  relief: {water_l: 2.5}
  exposure_depth_m: 0.5
  census_every: 10min
  traffic:
    step: 30s
    capacity_factor: 0.5
    jam_spacing_m: 8
    min_speed_fraction: 0.05
    stuck_time: 2min
    reroute_every: 5min
    walk_speed_m_s: 1.1"""


@pytest.fixture(scope="module")
def overridden(tmp_path_factory: pytest.TempPathFactory) -> Behaviour:
    return load(starter(tmp_path_factory.mktemp("population"), population(OVERRIDES))).behaviour


def test_channels_merge_field_by_field(overridden: Behaviour) -> None:
    siren, phone, door = (overridden.channels[k] for k in ("siren", "phone", "door_to_door"))
    assert (siren.reach, siren.delay_s) == (0.5, DEFAULT_CHANNELS["siren"].delay_s)
    assert phone.reach == DEFAULT_CHANNELS["phone"].reach
    assert phone.delay_s == Dist("uniform", (30.0, 120.0))
    assert (door.teams_per_zone, door.per_team_hour) == (
        8, DEFAULT_CHANNELS["door_to_door"].per_team_hour)
    assert overridden.channels["broadcast"] == DEFAULT_CHANNELS["broadcast"]
    assert set(overridden.channels) == set(DEFAULT_CHANNELS)


def test_scalars_comply_and_relief_land_in_their_fields(overridden: Behaviour) -> None:
    default = Behaviour()
    assert dict(overridden.comply) == {"evacuate": default.comply["evacuate"], "warn": 0.3}
    assert (overridden.shadow, overridden.cue_odds, overridden.elderly_odds) == (0.1, 2.5, 0.8)
    assert (overridden.cue_depth_m, overridden.exposure_depth_m) == (0.2, 0.5)
    assert (overridden.public_shelter_share, overridden.walk_max_m) == (0.15, 2000.0)
    assert (overridden.relief_water_l, overridden.relief_food) == (2.5, default.relief_food)
    assert overridden.census_every_s == 600.0


def test_the_overridden_behaviour_travels_to_another_process(overridden: Behaviour) -> None:
    """Batches send the compiled scenario to worker processes."""
    assert pickle.loads(pickle.dumps(overridden)) == overridden


def test_logistic_mobilization(overridden: Behaviour) -> None:
    assert overridden.mobilization_s == Dist("logistic", (2700.0, 600.0))
    median = overridden.mobilization_s.quantile(np.array([0.5]))[0]
    assert 2700.0 < median < 2760.0  # just above the midpoint: the curve is cut at zero


def test_traffic_params(overridden: Behaviour) -> None:
    assert overridden.traffic == TrafficParams(
        step_s=30.0, capacity_factor=0.5, jam_spacing_m=8.0, min_speed_fraction=0.05,
        stuck_s=120.0, reroute_every_s=300.0, walk_speed_m_s=1.1,
        alpha=TrafficParams().alpha)


@pytest.mark.parametrize(("traffic", "ok"), [
    ({"step": "60s"}, True), ({"step": "61s"}, False), ({"capacity_factor": 2}, True),
    ({"capacity_factor": 2.01}, False), ({"capacity_factor": 0}, False),
    ({"min_speed_fraction": 0}, False), ({"min_speed_fraction": 0.01}, True),
    ({"min_speed_fraction": 1}, False),
])
def test_traffic_bounds(traffic: dict[str, object], ok: bool) -> None:
    try:
        Population.model_validate({"traffic": traffic})
    except ValueError:
        assert not ok
    else:
        assert ok


@pytest.mark.parametrize(("model", "unit"), [(DurationDist, "min"), (NumberDist, 1)])
def test_logistic_may_be_centred_on_zero_but_needs_a_positive_scale(model: type,
                                                                     unit: str | int) -> None:
    def value(x: int) -> str | int:
        return f"{x}{unit}" if isinstance(unit, str) else x * unit

    assert model.model_validate({"dist": "logistic", "midpoint": 0, "scale": value(5)})
    with pytest.raises(ValueError, match="scale must be > 0"):
        model.model_validate({"dist": "logistic", "midpoint": value(10), "scale": 0})
    with pytest.raises(ValueError, match=r"negative|greater than or equal to 0"):
        model.model_validate({"dist": "logistic", "midpoint": value(-1), "scale": value(5)})


def test_a_logistic_duration_becomes_the_engine_distribution() -> None:
    d = DurationDist.model_validate({"dist": "logistic", "midpoint": "1h", "scale": "5min"})
    assert d.to_dist() == Dist("logistic", (3600.0, 300.0))


# -- region and plan ---------------------------------------------------------------------------

@pytest.mark.parametrize("klass", ["I", "II", "III"])
def test_shelter_capacity_from_floor_area(klass: str) -> None:
    s = Shelter.model_validate({"id": "S", "node": "N", "class": klass, "floor_area_m2": 1000})
    assert s.capacity == int(1000 // PLANNING_AREA_M2_PER_PERSON[klass])
    assert PLANNING_AREA_M2_PER_PERSON == {"III": 2.0, "II": 3.0, "I": 4.5}
    given = s.model_copy(update={"capacity_persons": 123})
    assert given.capacity == 123


def test_compiled_capacity_uses_the_floor_area(tmp_path: Path) -> None:
    compiled = load(starter(tmp_path, (SCHOOL_SIZE, "floor_area_m2: 3000, ")))
    assert compiled.world.shelters.capacity_persons.tolist() == [1000.0, 5000.0]


def test_a_crowded_shelter_is_a_located_warning_and_a_note(tmp_path: Path) -> None:
    path = starter(tmp_path, ("capacity_persons: 1500,", "capacity_persons: 2500,"))
    result = check(path)
    assert result.errors == [] and result.compiled is not None
    assert [p.field for p in result.warnings if "m² per person" in p.message] == [
        "region.shelters[0].capacity_persons"]
    assert [n for n in result.compiled.notes if "S-school" in n and "m² per" in n] == [
        "shelter 'S-school' gives 1.20 m² per person, below the 1.5 m² of GB 21734-2008"]
    assert not any("S-stadium" in n and "m² per person" in n for n in result.compiled.notes)


def test_exits_compile_to_frozen_node_indices(tmp_path: Path) -> None:
    compiled = load(starter(tmp_path, (AFTER_LINKS, AFTER_LINKS + "    exits: [N5, N1, N5]\n")))
    exits = compiled.world.exits
    assert exits.dtype == np.int64 and not exits.flags.writeable
    assert [compiled.world.roads.ids[i] for i in exits] == ["N5", "N1"]


def test_no_exits_compile_to_an_empty_array(tmp_path: Path) -> None:
    exits = load(starter(tmp_path)).world.exits
    assert exits.shape == (0,) and exits.dtype == np.int64


def test_fleets_compile(tmp_path: Path) -> None:
    compiled = load(starter(tmp_path, plan_entry(
        "  transport:\n"
        "    - {id: buses, vehicles: 6, seats: 50, base: FS1, available_after: 20min}\n"
        "    - {id: vans, vehicles: 2, seats: 6, base: FS1, serves: [assisted],\n"
        "       available_after: {dist: uniform, low: 10min, high: 30min}, load_time: 5min}")))
    buses, vans = compiled.plan.transport
    assert (buses.id, buses.vehicles, buses.seats, buses.station) == ("buses", 6, 50, 0)
    assert buses.serves == ("carless", "assisted")
    assert (buses.available_after_s, buses.load_s) == (Dist.fixed(1200.0), 120.0)
    assert (vans.serves, vans.load_s) == (("assisted",), 300.0)
    assert vans.available_after_s == Dist("uniform", (600.0, 1800.0))


@pytest.mark.parametrize(("policy", "zones", "lists"), [
    ("by_zone", "{Z-south: [S-stadium, S-school]}", ((), (1, 0))),
    ("preassigned", "{Z-north: [S-stadium], Z-south: [S-school]}", ((1,), (0,))),
])
def test_shelter_lists_follow_the_world_zone_order(tmp_path: Path, policy: str, zones: str,
                                                   lists: tuple[tuple[int, ...], ...]) -> None:
    compiled = load(starter(tmp_path, plan_entry(
        f"  shelter_assignment:\n    policy: {policy}\n    zones: {zones}")))
    assert compiled.world.zones.ids == ("Z-north", "Z-south")
    assert compiled.plan.shelter_policy == policy
    assert compiled.plan.shelter_lists == lists


def test_nearest_ignores_zone_lists_and_says_so(tmp_path: Path) -> None:
    result = check(starter(tmp_path, plan_entry(
        "  shelter_assignment:\n    zones: {Z-south: [S-stadium]}")))
    assert result.errors == [] and result.compiled is not None
    assert result.compiled.plan.shelter_lists == ((), ())
    assert [p.field for p in result.warnings if "ignores" in p.message] == [
        "plan.shelter_assignment.zones"]


# -- the JSON Schema ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def _with_population(block: dict[str, object]) -> dict[str, object]:
    data = copy.deepcopy(tiny())
    data["population"] = block
    return data


def test_the_schema_accepts_the_new_sections(validator: jsonschema.protocols.Validator,
                                             tmp_path: Path) -> None:
    data = _with_population({"channels": {"siren": {"reach": 0.5}},
                             "mobilization": {"dist": "logistic", "midpoint": "45min",
                                              "scale": "10min"},
                             "traffic": {"step": "30s"}})
    data["region"]["roads"]["exits"] = ["A", "C"]
    data["region"]["shelters"].append({"id": "S2", "node": "A", "class": "III",
                                       "floor_area_m2": 900})
    data["plan"]["transport"] = [{"id": "bus", "vehicles": 2, "seats": 40, "base": "F1"}]
    assert list(validator.iter_errors(data)) == []
    assert check(write(tmp_path, data)).errors == []


@pytest.mark.parametrize("block", [
    {"channels": {"siren": {"reach": 1.5}}},
    {"channels": {"pager": {"reach": 0.5}}},
    {"comply": {"flee": 0.5}},
    {"mobilization": {"dist": "logistic", "midpoint": "-5min", "scale": "1min"}},
])
def test_the_schema_rejects_population_mistakes(validator: jsonschema.protocols.Validator,
                                                block: dict[str, object]) -> None:
    assert list(validator.iter_errors(_with_population(block)))


@pytest.mark.parametrize(("klass", "water_l", "food", "noted"), [
    ("I", 800 * 3 * 2, 800 * 2, True),     # two days for a class built for 30 days or more
    ("I", 800 * 3 * 31, 800 * 31, False),  # a month's stock
    ("II", 800 * 3 * 11, 800 * 9, True),   # food runs short of the 10 days class II needs
    ("III", 10, 10, False),                # class III has no minimum stay
    ("I", 0, 0, False),                    # no stocks stated: relief is not in the drill
])
def test_a_note_when_stocks_fall_short_of_the_class_stay(tmp_path: Path, klass: str,
                                                          water_l: int, food: int,
                                                          noted: bool) -> None:
    data = tiny()
    shelter = data["region"]["shelters"][0]
    shelter["class"] = klass
    shelter["stocks"] = {"water_l": water_l, "food_rations": food}
    notes = [n for n in load(write(tmp_path, data)).notes if "GB 21734-2008" in n
             and "stocks" in n]
    assert bool(notes) == noted
    if noted:
        assert "'S1'" in notes[0]
