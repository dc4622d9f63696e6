"""The exported JSON Schema accepts what drillsim accepts (so editors do not flag valid files)
and rejects typical mistakes."""

from __future__ import annotations

import copy

import jsonschema
import pytest
from builders import tiny

from drillsim.cli.outputs import json_schema
from drillsim.scenarios import source
from drillsim.scenarios.examples import EXAMPLES
from drillsim.scenarios.templates import __path__ as templates_path


def _jsonable(value: object) -> object:
    """YAML timestamps are strings in the editor's view of the file."""
    import datetime as dt

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_conform_to_the_schema(validator, name: str) -> None:  # type: ignore[no-untyped-def]
    data = _jsonable(source.load(EXAMPLES[name]).data)
    errors = [e.message for e in validator.iter_errors(data)]
    assert errors == []


def test_starter_and_tiny_conform(validator) -> None:  # type: ignore[no-untyped-def]
    starter = source.load(f"{next(iter(templates_path))}/starter.yaml").data
    assert not list(validator.iter_errors(_jsonable(starter)))
    assert not list(validator.iter_errors(tiny()))


@pytest.mark.parametrize(("path", "value"), [
    (("meta", "duration"), "4 hours"),
    (("meta", "colour"), "red"),
    (("region", "zones", 0, "population"), -1),
    (("plan", "levels", 0, "level"), "V"),
    (("hazards", 0, "kind"), "tsunami"),
])
def test_schema_rejects_mistakes(validator, path: tuple, value: object) -> None:  # type: ignore[no-untyped-def,type-arg]
    data = copy.deepcopy(tiny())
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    assert list(validator.iter_errors(data))
