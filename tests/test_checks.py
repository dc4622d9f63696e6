"""Cross-checks and input hygiene on variants of the tiny scenario: each mistake gives one
located error (or warning) with a readable message, and good unusual input is accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from builders import tiny, write

from drillsim.scenarios import check

Edit = Callable[[dict[str, Any]], None]


def problems(tmp_path: Path, edit: Edit) -> list[tuple[str, str, str]]:
    data = tiny()
    edit(data)
    return [(p.field, p.message, p.severity) for p in check(write(tmp_path, data)).problems]


def _set(path: str, value: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        parts = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return edit


def _add_inject(inject: dict[str, Any]) -> Edit:
    return lambda d: d["injects"]["scripted"].append(inject)


ERRORS = [
    ("report on a derived counter", _add_inject(
        {"id": "X", "at": "1h", "action": "report", "counter": "deaths_and_missing",
         "value": 3}), "injects.scripted[3].counter", "'deaths'"),
    ("inject exactly at the end", _add_inject({"id": "X", "at": "4h", "action": "message"}),
     "injects.scripted[3].at", "at or after the end"),
    ("condition exactly at the end", _set("plan.levels.0.any_of", [{"at": "4h"}]),
     "plan.levels[0].any_of[0].at", "would never happen"),
    ("random window after the end", _set("injects.random", {
        "count": 1, "window": ["1h", "5h"], "pool": [{"id": "R", "action": "message"}]}),
     "injects.random.window[1]", "after the end"),
    ("random window too short", _set("injects.random", {
        "count": 1, "window": ["1h"], "pool": [{"id": "R", "action": "message"}]}),
     "injects.random.window", "needs more items"),
    ("hazard starting after the end", _set("hazards.0.start", "5h"), "hazards[0].start",
     "at or after the end"),
    ("aid team ids clash with a team", _set("plan.teams.0.id", "aid-2"),
     "plan.mutual_aid[0].id", "'aid-2' is already a team id"),
    ("NaN coordinate", _set("region.roads.nodes.0.x", float("nan")),
     "region.roads.nodes[0].x", "finite number"),
    ("infinite speed", _set("region.roads.links.0.free_speed_km_h", float("inf")),
     "region.roads.links[0].free_speed_km_h", "finite number"),
    ("degenerate triangular", _set("plan.teams.0.available_after", {
        "dist": "triangular", "low": "5min", "mode": "5min", "high": "5min"}),
     "plan.teams[0].available_after", "low < high"),
    ("distribution missing a parameter", _set("plan.teams.0.available_after", {
        "dist": "lognormal", "median": "5min"}),
     "plan.teams[0].available_after", "takes exactly median, sigma"),
    ("boolean population", _set("region.zones.0.population", True),
     "region.zones[0].population", "whole number"),
    ("id with a space", _set("region.zones.0.id", "north bank"), "region.zones[0].id",
     "without spaces"),
    ("absurd duration", _set("meta.duration", "100000d"), "meta.duration", "400 days"),
]


@pytest.mark.parametrize(("edit", "field", "phrase"), [e[1:] for e in ERRORS],
                         ids=[e[0] for e in ERRORS])
def test_one_clear_error(tmp_path: Path, edit: Edit, field: str, phrase: str) -> None:
    errors = [p for p in problems(tmp_path, edit) if p[2] == "error"]
    assert len(errors) == 1, errors
    assert errors[0][0] == field and phrase in errors[0][1], errors[0]


def test_objective_scoped_to_a_station_for_a_shelter_metric(tmp_path: Path) -> None:
    found = problems(tmp_path, _set("plan.objectives", [{
        "id": "o", "metric": "shelters_open", "op": ">=", "threshold": 1,
        "scope": {"facilities": ["F1"]}}]))
    assert found == [("plan.objectives[0].scope.facilities[0]",
                      "'F1' is a station; metric 'shelters_open' counts shelters", "error")]


UNMODELLED = {
    "earthquake": {"magnitude": 6.0, "hypocentre": {"x": 0, "y": 0, "depth_km": 10}},
    "chemical": {"chemical": "chlorine", "source": {"x": 0, "y": 0}, "mass_kg": 100,
                 "weather": {"wind_speed_m_s": 3, "wind_from_deg": 90}},
}


def test_conditions_on_hazards_without_physics_are_warned_about(tmp_path: Path) -> None:
    from drillsim.sim.hazards import HAZARDS

    kinds = [k for k in UNMODELLED if k not in HAZARDS]
    if not kinds:
        pytest.skip("every hazard kind has its physics now")

    def edit(d: dict[str, Any]) -> None:
        d["hazards"] = [{"id": "h", "kind": kinds[0], **UNMODELLED[kinds[0]]}]
        d["plan"]["levels"][0]["any_of"] = [{"hazard": "h", "zones": ["Z1"], "value": 0.3}]
    found = problems(tmp_path, edit)
    assert [p for p in found if p[2] == "error"] == []
    assert ("plan.levels[0].any_of[0].hazard", f"hazard 'h' is a {kinds[0]}, which has no "
            "physics model in this version: this condition cannot become true yet",
            "warning") in found


def test_numeric_and_chinese_ids_are_ids(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["region"]["zones"][0]["id"] = 110101
        d["region"]["zones"][1]["id"] = "北区"
        d["plan"]["orders"][0]["zones"] = [110101, "北区"]
    assert problems(tmp_path, edit) == []


def test_population_table_with_division_codes(tmp_path: Path) -> None:
    (tmp_path / "pop.csv").write_text("zone,population\n110101,1200\n110102,300\n")

    def edit(d: dict[str, Any]) -> None:
        d["region"]["zones"][0]["id"] = "110101"
        d["region"]["zones"][1]["id"] = "110102"
        d["plan"]["orders"][0]["zones"] = ["110101"]
    data = tiny()
    edit(data)
    text = write(tmp_path, data).read_text().replace(
        "region:\n", "region:\n  population_table: !include pop.csv\n", 1)
    path = tmp_path / "with_csv.yaml"
    path.write_text(text)
    result = check(path)
    assert not result.errors, [str(p) for p in result.errors]
    assert list(result.compiled.world.zones.population) == [1200, 300]  # type: ignore[union-attr]


def test_recursive_alias_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("meta: &a\n  loop: *a\n")
    result = check(path)
    assert result.errors and "refers to itself" in result.errors[0].message


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    result = check(path)
    assert result.errors and "expands to more than" in result.errors[0].message


def test_duplicate_gauge_ids_are_refused(tmp_path: Path) -> None:
    from test_flood_coupling import plain

    data = plain(tmp_path)
    data["hazards"][0]["gauges"].append({"id": "G", "location": {"x": 550, "y": 100}})
    found = [(p.field, p.message) for p in check(write(tmp_path, data)).errors]
    assert found == [("hazards[0].gauges[1].id",
                      "duplicate gauge id 'G' (also at hazards[0].gauges[0])")]
