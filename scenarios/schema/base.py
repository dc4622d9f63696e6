"""Shared pieces of the scenario schema: the strict base model, ids, durations, shares."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from drillsim.scenarios.durations import PATTERN, parse_duration


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not be silently ignored); models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$", max_length=64),
               Field(description="an identifier: letters, digits and _ . : - (no spaces)")]


def _non_negative(seconds: float) -> float:
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    AfterValidator(_non_negative),
    WithJsonSchema({"type": "string", "pattern": PATTERN,
                    "description": "a duration: '90s', '15min', '2h30m', '1d' or ISO 'PT2H'",
                    "examples": ["90s", "15min", "2h30m"]}),
]
"""A duration written with units, in seconds once parsed."""


def _number_or_duration(value: object) -> object:
    return parse_duration(value) if isinstance(value, str) else value


NumberOrDuration = Annotated[
    float,
    BeforeValidator(_number_or_duration),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": PATTERN}],
                    "description": "a number, or a duration such as '10h' for time metrics"}),
]

Share = Annotated[float, Field(ge=0.0, le=1.0, description="a share between 0 and 1")]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Count = Annotated[int, Field(ge=0)]
Comparison = Literal[">=", ">", "<=", "<", "=="]
