"""Shared pieces of the scenario schema: the strict base model, ids, durations, shares."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    model_validator,
)

from drillsim.scenarios.durations import PATTERN, parse_duration
from drillsim.sim.distributions import DIST_PARAMS, Dist


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not be silently ignored); models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)


def _id_text(value: object) -> object:
    """Numeric ids (administrative division codes such as 110101) are ids too."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


ID_PATTERN = r"^[^\s#,\[\]{}]+$"
Id = Annotated[str, BeforeValidator(_id_text),
               StringConstraints(pattern=ID_PATTERN, min_length=1, max_length=64),
               Field(description="an identifier: any letters (北区 too), digits and _ . : - "
                     "without spaces, commas, brackets or #")]


MAX_DURATION_S = 400 * 86400.0
"""Longest duration accepted (a scenario longer than this is almost surely a typo)."""


def _non_negative(seconds: float) -> float:
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_DURATION_S:
        raise ValueError("a duration longer than 400 days is not supported")
    return seconds


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    AfterValidator(_non_negative),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": PATTERN}, {"const": 0}],
                    "description": "a duration: '90s', '15min', '2h30m', '1d' or ISO 'PT2H'",
                    "examples": ["90s", "15min", "2h30m"]}),
]
"""A duration written with units, in seconds once parsed."""


def _positive(seconds: float) -> float:
    if seconds <= 0:
        raise ValueError("must be longer than 0s")
    return seconds


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
"""A duration longer than zero."""


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


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {str(value).lower()}")
    return value


Count = Annotated[int, Field(ge=0), BeforeValidator(_not_bool)]
Comparison = Literal[">=", ">", "<=", "<", "=="]
DistKind = Literal["uniform", "triangular", "exponential", "lognormal", "gamma", "weibull",
                   "rayleigh", "logistic"]


class DurationDist(Strict):
    """An uncertain duration: ``{dist: lognormal, median: 30min, sigma: 0.4}``,
    ``{dist: uniform, low: 10min, high: 1h}``, ``{dist: triangular, low, mode, high}``,
    ``{dist: exponential, mean: 20min}``, ``{dist: weibull, scale: 2h, shape: 1.5}``,
    ``{dist: rayleigh, scale: 1h}``, ``{dist: gamma, shape: 2, scale: 15min}``,
    ``{dist: logistic, midpoint: 45min, scale: 10min}`` (an S-shaped curve, truncated at 0)."""

    dist: DistKind
    low: Duration | None = None
    mode: Duration | None = None
    high: Duration | None = None
    mean: Duration | None = None
    median: Duration | None = None
    midpoint: Duration | None = None
    scale: Duration | None = None
    sigma: Annotated[float, Field(gt=0)] | None = None
    shape: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _params(self) -> DurationDist:
        _check_dist(self)
        return self

    def to_dist(self) -> Dist:
        return Dist(self.dist, tuple(float(getattr(self, k)) for k in DIST_PARAMS[self.dist]))


_DIST_KEYS = ("low", "mode", "high", "mean", "median", "midpoint", "scale", "sigma", "shape")
_MAY_BE_ZERO = ("low", "mode", "midpoint")
"""Parameters that may be 0 (a range may start at 0, an S-curve may be centred on it)."""


def _check_dist(d: DurationDist | NumberDist) -> None:
    need = DIST_PARAMS[d.dist]
    given = {k for k in _DIST_KEYS if getattr(d, k) is not None}
    if given != set(need):
        raise ValueError(f"{d.dist} takes exactly {', '.join(need)}; got "
                         f"{', '.join(sorted(given)) or 'nothing'}")
    values = [getattr(d, k) for k in need]
    if d.dist in ("uniform", "triangular") and (values != sorted(values)
                                                or values[0] == values[-1]):
        raise ValueError(f"{d.dist} needs {' <= '.join(need)} with low < high "
                         "(for a fixed value, write the value itself)")
    positive = [k for k in need if k not in _MAY_BE_ZERO]
    if any(getattr(d, k) <= 0 for k in positive):
        raise ValueError(f"{d.dist}: {', '.join(positive)} must be > 0")


class NumberDist(Strict):
    """An uncertain number: ``{dist: lognormal, median: 0.035, sigma: 0.2}``,
    ``{dist: uniform, low: 0.8, high: 1.2}``, ``{dist: triangular, low, mode, high}``,
    ``{dist: logistic, midpoint: 1.0, scale: 0.2}`` (truncated at 0), …"""

    dist: DistKind
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    median: float | None = None
    midpoint: Annotated[float, Field(ge=0)] | None = None
    scale: float | None = None
    sigma: Annotated[float, Field(gt=0)] | None = None
    shape: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _params(self) -> NumberDist:
        _check_dist(self)
        return self


def _duration_or_dist(value: object) -> str:
    return "distribution" if isinstance(value, dict) else "fixed-duration"


UncertainDuration = Annotated[
    Annotated[Duration, Tag("fixed-duration")] | Annotated[DurationDist, Tag("distribution")],
    Discriminator(_duration_or_dist),
    Field(description="a duration, or a distribution of durations"),
]


UncertainNumber = Annotated[
    Annotated[Positive, Tag("fixed-number")] | Annotated[NumberDist, Tag("distribution")],
    Discriminator(lambda v: "distribution" if isinstance(v, dict) else "fixed-number"),
    Field(description="a number > 0, or a distribution of numbers"),
]


def as_dist(value: float | DurationDist) -> Dist:
    """The engine's distribution for a fixed or uncertain duration."""
    return value.to_dist() if isinstance(value, DurationDist) else Dist.fixed(value)
