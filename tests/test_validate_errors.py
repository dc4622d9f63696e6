"""`drillsim validate` on broken scenario files: every problem is reported, located
(``FILE:LINE:COL: field.path: message``), readable, with a non-zero exit and no traceback.

The broken files are in ``tests/data/broken/`` (files included by them in ``parts/``); each is
the starter template with one mistake a drill designer could make (see each file's first line).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import drillsim.scenarios
from drillsim.cli.main import app
from drillsim.scenarios import Problem, check

DATA = Path(__file__).parent / "data" / "broken"
STARTER = Path(drillsim.scenarios.__file__).parent / "templates" / "starter.yaml"

JARGON = ("\n", "<unicode string>", "found using", "Input should", "Keys should be strings")
"""Never in a message: a second line, or wording from YAML/pydantic internals."""

OUTPUT_LINE = re.compile(r"\S.*:\d+:\d+: |note: |warning: |\d+ errors? found\.$|drillsim: ")
"""A line `drillsim validate` may print to stderr (`drillsim: ...` is checked on its own)."""


@dataclass(frozen=True)
class Case:
    """A broken file and the problem it must produce."""

    name: str
    line: int
    column: int
    field: str
    phrases: tuple[str, ...]
    where: str = ""  # the file the problem is in, relative to DATA (default: ``name``)

    @property
    def path(self) -> Path:
        return DATA / self.name

    @property
    def located_in(self) -> Path:
        return DATA / (self.where or self.name)

    @property
    def prefix(self) -> str:
        """How the CLI's line for this problem starts."""
        what = f"{self.field}: " if self.field else ""
        return f"{self.located_in}:{self.line}:{self.column}: {what}"


CASES = [
    Case("wrong_type.yaml", 13, 53, "region.zones[0].population",
         ("expected a valid integer", "'many'")),
    Case("missing_field.yaml", 30, 7, "region.shelters[0].node",
         ("missing required field 'node'",)),
    Case("unknown_key.yaml", 10, 3, "meta.colour", ("unknown key 'colour'",)),
    Case("typo_key.yaml", 15, 54, "region.zones[1].populaton",
         ("unknown key 'populaton'", "did you mean 'population'")),
    Case("bad_duration.yaml", 7, 3, "meta.duration",
         ("write a duration with units", "'12 hours'")),
    Case("bare_number_duration.yaml", 53, 3, "plan.review_every", ("bare number is ambiguous",)),
    Case("bad_start_date.yaml", 6, 3, "meta.start", ("valid datetime", "'next tuesday'")),
    Case("dangling_reference.yaml", 69, 47, "plan.teams[0].base",
         ("no station with id 'FS2'", "did you mean 'FS1'")),
    Case("duplicate_id.yaml", 15, 8, "region.zones[1].id",
         ("duplicate zone id 'Z-north'", "region.zones[0]")),
    Case("duplicate_key.yaml", 10, 3, "meta.seed", ("duplicate key 'seed'", "first at line 9")),
    Case("negative_capacity.yaml", 32, 58, "region.shelters[1].capacity_persons",
         ("greater than or equal to 0", "-5000")),
    Case("unknown_metric.yaml", 76, 7, "plan.objectives[0].metric",
         ("'first_order_time'", "did you mean 'first_order_time_s'")),
    Case("inject_after_end.yaml", 90, 19, "injects.scripted[1].at",
         ("13h is at or after the end of the scenario (12h)",)),
    Case("unreachable_shelter.yaml", 34, 38, "region.shelters[1].node",
         ("shelter 'S-stadium' cannot be reached by road from any zone",)),
    Case("condition_without_kind.yaml", 62, 11, "plan.levels[1].any_of[1]",
         ("a condition needs 'at'",)),
    Case("level_without_trigger.yaml", 55, 7, "plan.levels[0]", ("a level needs a trigger",)),
    Case("multiple_errors.yaml", 7, 3, "meta.duration", ("'twelve hours'",)),
    Case("missing_include.yaml", 41, 10, "hazards",
         ("included file not found", "no_such_hazards.yaml")),
    Case("include_error.yaml", 10, 36, "region.roads.links[1].lanes",
         ("expected a valid integer", "'two'"), where="parts/roads_bad_lanes.yaml"),
    Case("include_syntax_error.yaml", 5, 2, "region.roads", ("YAML syntax error",),
         where="parts/roads_syntax.yaml"),
    Case("yaml_syntax.yaml", 4, 21, "", ("YAML syntax error", "mapping values are not allowed")),
    Case("empty.yaml", 1, 1, "", ("the file is empty", "meta, region and plan")),
    Case("comments_only.yaml", 1, 1, "", ("the file is empty",)),
    Case("binary.yaml", 1, 1, "", ("not a text file",)),
    Case("top_level_list.yaml", 2, 1, "", ("expected a mapping of sections", "got list")),
]

CASES += [  # YAML syntax, tags, unions, durations and encodings
    Case("yaml_missing_colon.yaml", 8, 3, "", ("YAML syntax error",)),
    Case("yaml_unclosed_quote.yaml", 90, 70, "", ("YAML syntax error",)),
    Case("yaml_unclosed_bracket.yaml", 23, 9, "", ("YAML syntax error",)),
    Case("yaml_tab.yaml", 9, 1, "", ("YAML syntax error", "tab")),
    Case("unknown_tag.yaml", 41, 10, "hazards", ("'!includ'",)),
    Case("unknown_hazard_kind.yaml", 43, 5, "hazards[0].kind",
         ("'tsunami'", "'flood'")),
    Case("thousands_separator.yaml", 30, 84, "region.shelters[0]",
         ("'500'", "thousands separators", "1500, not 1,500")),
    Case("order_zones_word.yaml", 66, 38, "plan.orders[0].zones",
         ("'all'", "list")),
    Case("zero_duration.yaml", 7, 3, "meta.duration", ("must be longer than 0s",)),
    Case("negative_duration.yaml", 44, 5, "hazards[0].start", ("negative",)),
    Case("latin1.yaml", 3, 9, "", ("UTF-8",)),
]

ALL_CASES = [pytest.param(c, id=c.name) for c in CASES]
ALL_FILES = [c.name for c in CASES]

MULTIPLE = [  # every error in multiple_errors.yaml: (line, column, field, phrase)
    (7, 3, "meta.duration", "'twelve hours'"),
    (32, 58, "region.shelters[1].capacity_persons", "greater than or equal to 0"),
    (64, 28, "plan.levels[1].activates.orders[0]", "did you mean 'evac-north'"),
]


def _matching(problems: list[Problem], case: Case) -> list[Problem]:
    return [p for p in problems if p.field == case.field and p.location is not None
            and p.location.line == case.line]


# -- the checker ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ALL_CASES)
def test_check_locates_the_problem(case: Case) -> None:
    errors = check(case.path).errors
    assert errors, "a broken file must have errors"
    assert all(e.location is not None for e in errors), [str(e) for e in errors]
    by_field = [e for e in errors if e.field == case.field]
    assert by_field, f"no error for {case.field!r}: {[str(e) for e in errors]}"
    found = by_field[0]
    assert found.location is not None
    assert (Path(found.location.file), found.location.line, found.location.column) == (
        case.located_in, case.line, case.column), str(found)
    for phrase in case.phrases:
        assert phrase in found.message, str(found)
    for word in JARGON:
        assert word not in found.message, str(found)
    assert len(_matching(errors, case)) == 1, "one mistake, one message: " + str(
        [str(e) for e in errors])


def test_every_error_of_a_file_is_reported_at_once() -> None:
    errors = check(DATA / "multiple_errors.yaml").errors
    got = [(e.location.line, e.location.column, e.field) for e in errors if e.location]
    assert got == [(line, col, field) for line, col, field, _ in MULTIPLE]
    for e, (*_, phrase) in zip(errors, MULTIPLE, strict=True):
        assert phrase in e.message, str(e)


def test_binary_fixture_is_binary() -> None:
    raw = (DATA / "binary.yaml").read_bytes()
    assert raw.startswith(b"\x89PNG\r\n\x1a\n") and b"\x00" in raw


def test_every_broken_file_has_a_case() -> None:
    assert {p.name for p in DATA.glob("*.yaml")} == set(ALL_FILES)


def test_starter_is_valid() -> None:
    result = check(STARTER)
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.compiled is not None


# -- the command line -------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


Runs = dict[str, Run]


def _validate(*files: Path) -> Run:
    """`drillsim validate FILES` in a real subprocess (what a user runs)."""
    env = {k: v for k, v in os.environ.items() if k != "DRILLSIM_DEBUG"}
    p = subprocess.run(
        [sys.executable, "-m", "drillsim.cli.main", "validate", *map(str, files)],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    return Run(p.returncode, p.stdout, p.stderr)


def _validate_in_process(path: Path) -> Run:
    """The same command through click's test runner: same entry point, exit code and output,
    without paying a Python start-up per file."""
    result = CliRunner().invoke(app, ["validate", str(path)], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def cli_runs(monkeypatch_module: pytest.MonkeyPatch) -> Runs:
    """`drillsim validate FILE` for every broken file."""
    monkeypatch_module.delenv("DRILLSIM_DEBUG", raising=False)
    return {name: _validate_in_process(DATA / name) for name in ALL_FILES}


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_a_real_process_exits_1_with_located_lines() -> None:
    run = _validate(DATA / "unknown_key.yaml")
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr
    assert run.stderr.startswith(f"{DATA / 'unknown_key.yaml'}:10:3: meta.colour: ")


@pytest.mark.parametrize("case", ALL_CASES)
def test_cli_reports_located_problem(case: Case, cli_runs: Runs) -> None:
    run = cli_runs[case.name]
    assert run.returncode != 0
    assert "Traceback" not in run.stdout + run.stderr
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith(case.prefix)]
    assert lines, f"no line starting {case.prefix!r} in:\n{run.stderr}"
    message = lines[0].removeprefix(case.prefix)
    for phrase in case.phrases:
        assert phrase in message, lines[0]
    for word in JARGON:
        assert word not in message, lines[0]
    odd = [ln for ln in run.stderr.splitlines() if not OUTPUT_LINE.match(ln)]
    assert odd == [], "every stderr line must be one located problem (or the summary)"


def test_cli_exit_code_is_1_without_internal_error(cli_runs: Runs) -> None:
    wrong = {name: (run.returncode, run.stderr.splitlines()[-1:]) for name, run in cli_runs.items()
             if run.returncode != 1 or "internal error" in run.stderr}
    assert wrong == {}


def test_cli_reports_every_error_of_a_file(cli_runs: Runs) -> None:
    run = cli_runs["multiple_errors.yaml"]
    path = DATA / "multiple_errors.yaml"
    for line, col, field, phrase in MULTIPLE:
        prefix = f"{path}:{line}:{col}: {field}: "
        assert any(ln.startswith(prefix) and phrase in ln for ln in run.stderr.splitlines()), (
            prefix, run.stderr)
    assert "3 errors found." in run.stderr


def test_cli_valid_starter_exits_0() -> None:
    run = _validate(STARTER)
    assert run.returncode == 0, run.stderr
    assert f"{STARTER}: valid" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert "error" not in run.stderr


def test_cli_checks_every_file_given() -> None:
    bad1, bad2 = DATA / "wrong_type.yaml", DATA / "unknown_key.yaml"
    run = _validate(bad1, STARTER, bad2)
    assert run.returncode != 0
    assert f"{bad1}:13:53: region.zones[0].population: " in run.stderr
    assert f"{bad2}:10:3: meta.colour: unknown key 'colour'" in run.stderr
    assert f"{STARTER}: valid" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
