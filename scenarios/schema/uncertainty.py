"""The ``uncertainty`` section: what a sweep of Monte Carlo batches varies.

``parameters`` are values of the scenario known only as a distribution (a magnitude, a delay of
the mutual aid); ``options`` are the plan's alternatives under test (a dispatch policy). Each
names the value it replaces by a dotted ``path`` into the document (list items by their id), so
the rest of the file stays the nominal scenario, valid and runnable on its own::

    uncertainty:
      parameters:
        - {name: magnitude, path: hazards.mainshock.magnitude, dist: {uniform: [6.4, 7.2]}}
        - {name: usar_delay, path: plan.mutual_aid.national-usar.arrival_delay,
           dist: {dist: triangular, low: 4h, mode: 6h, high: 10h}}
      options:
        - {name: dispatch, path: plan.dispatch.policy, choices: [nearest, severity]}

A distribution is written short (``{kind: [parameters in order]}``) or the way the rest of the
language writes one (``{dist: kind, <parameter>: value, …}``). Values carry units where the
value varied is a duration; ``sigma`` and ``shape`` are plain numbers. Whether the paths exist
and every value drawn gives a valid scenario is checked against the scenario itself
(:mod:`drillsim.scenarios.variants`).
"""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    model_validator,
)

from drillsim.scenarios.durations import PATTERN, parse_duration
from drillsim.scenarios.schema.base import Id, Strict
from drillsim.sim.distributions import DIST_PARAMS

PARAMS: dict[str, tuple[str, ...]] = {
    **{k: v for k, v in DIST_PARAMS.items() if k != "fixed"}, "normal": ("mean", "sd")}
"""Each distribution's parameters, in the order the short form lists them."""
PLAIN = ("sigma", "shape")
"""Parameters without units (the others are in the units of the value varied)."""
_MAY_BE_ZERO_OR_LESS = ("low", "mode", "high", "midpoint")
"""Parameters that may be 0 or, for numbers, negative (a range, a centre)."""

DistName = Literal[tuple(PARAMS)]  # type: ignore[valid-type]


def _duration_text(value: str) -> str:
    parse_duration(value)
    return value


Amount = Annotated[
    float | Annotated[str, AfterValidator(_duration_text)],
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": PATTERN}],
                    "description": "a number, or a duration such as '6h' where a duration is "
                    "varied"}),
]
"""A parameter of a distribution: a number, or a duration kept as written (so that the value
varied is known to be a duration)."""


def amount(value: float | str) -> float:
    """The number in an :data:`Amount` (seconds for a duration)."""
    return parse_duration(value) if isinstance(value, str) else float(value)


def check_dist(kind: str, values: dict[str, float | str]) -> None:
    """Raise ValueError, readably, unless ``values`` are the parameters of a ``kind``."""
    need = PARAMS[kind]
    if set(values) != set(need):
        raise ValueError(f"{kind} takes exactly {', '.join(need)}; got "
                         f"{', '.join(sorted(values)) or 'nothing'}")
    for k in PLAIN:
        if isinstance(values.get(k), str):
            raise ValueError(f"{kind}: {k} is a plain number, without units")
    scaled = [values[k] for k in need if k not in PLAIN]
    if len({isinstance(v, str) for v in scaled}) > 1:
        raise ValueError(f"{kind}: write {', '.join(k for k in need if k not in PLAIN)} all "
                         "with units (a duration, e.g. 4h) or all without (a number)")
    x = {k: amount(v) for k, v in values.items()}
    ordered = [x[k] for k in need]
    if kind in ("uniform", "triangular") and (ordered != sorted(ordered)
                                              or ordered[0] == ordered[-1]):
        raise ValueError(f"{kind} needs {' <= '.join(need)} with low < high (to vary nothing, "
                         "leave the value out of the uncertainty section)")
    free = (*_MAY_BE_ZERO_OR_LESS, "mean") if kind == "normal" else _MAY_BE_ZERO_OR_LESS
    positive = [k for k in need if k not in free]
    if any(x[k] <= 0 for k in positive):
        raise ValueError(f"{kind}: {', '.join(positive)} must be > 0")
    if kind == "logistic" and x["midpoint"] < 0:
        raise ValueError("logistic: the midpoint must be >= 0 (the curve starts at 0)")


class ShortDist(Strict):
    """``{uniform: [6.4, 7.2]}``, ``{triangular: [4h, 6h, 10h]}``, ``{normal: [mean, sd]}``,
    ``{lognormal: [median, sigma]}``: one kind, its parameters in order."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    uniform: list[Amount] | None = Field(None, description="[low, high]")
    triangular: list[Amount] | None = Field(None, description="[low, mode, high]")
    normal: list[Amount] | None = Field(None, description="[mean, sd]")
    lognormal: list[Amount] | None = Field(None, description="[median, sigma]")
    exponential: list[Amount] | None = Field(None, description="[mean]")
    gamma: list[Amount] | None = Field(None, description="[shape, scale]")
    weibull: list[Amount] | None = Field(None, description="[scale, shape]")
    rayleigh: list[Amount] | None = Field(None, description="[scale]")
    logistic: list[Amount] | None = Field(None, description="[midpoint, scale]")

    @model_validator(mode="after")
    def _one(self) -> ShortDist:
        given = [k for k in PARAMS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give one distribution, e.g. {{uniform: [low, high]}}; got "
                             f"{', '.join(given) or 'none'}")
        kind, values, need = given[0], getattr(self, given[0]), PARAMS[given[0]]
        if len(values) != len(need):
            raise ValueError(f"{kind} takes {len(need)} values [{', '.join(need)}]; got "
                             f"{len(values)}")
        check_dist(kind, dict(zip(need, values, strict=True)))
        return self

    def spec(self) -> tuple[str, dict[str, float | str]]:
        kind = next(k for k in PARAMS if getattr(self, k) is not None)
        return kind, dict(zip(PARAMS[kind], getattr(self, kind), strict=True))


class LongDist(Strict):
    """``{dist: triangular, low: 4h, mode: 6h, high: 10h}``, as distributions are written
    elsewhere in a scenario (and ``{dist: normal, mean, sd}``)."""

    dist: DistName
    low: Amount | None = None
    mode: Amount | None = None
    high: Amount | None = None
    mean: Amount | None = None
    sd: Amount | None = None
    median: Amount | None = None
    midpoint: Amount | None = None
    scale: Amount | None = None
    sigma: float | None = None
    shape: float | None = None

    @model_validator(mode="after")
    def _params(self) -> LongDist:
        check_dist(self.dist, self._given())
        return self

    def _given(self) -> dict[str, float | str]:
        names = [k for k in type(self).model_fields if k != "dist"]
        return {k: getattr(self, k) for k in names if getattr(self, k) is not None}

    def spec(self) -> tuple[str, dict[str, float | str]]:
        return self.dist, self._given()


def _dist_form(value: Any) -> str:
    long = isinstance(value, LongDist) or (isinstance(value, dict) and "dist" in value)
    return "long" if long else "short"


ParameterDist = Annotated[
    Annotated[ShortDist, Tag("short")] | Annotated[LongDist, Tag("long")],
    Discriminator(_dist_form),
    Field(description="a distribution: {uniform: [6.4, 7.2]} or {dist: uniform, low: 6.4, "
          "high: 7.2}"),
]


def _dotted(value: str) -> str:
    if not value or any(not part for part in value.split(".")) or any(c.isspace()
                                                                      for c in value):
        raise ValueError("a path is names joined by dots, list items by their id, e.g. "
                         f"hazards.mainshock.magnitude; got {value!r}")
    return value


DottedPath = Annotated[str, AfterValidator(_dotted), Field(
    description="where the value is: keys joined by dots, list items by their id (levels by "
    "their level, lists without ids by position), e.g. plan.teams.USAR-1.size",
    examples=["hazards.mainshock.magnitude", "plan.dispatch.policy"])]

Choice = str | bool | int | float
"""A plan option's alternative: a value as YAML writes it."""


class UncertainParameter(Strict):
    """A value of the scenario drawn from a distribution for each variant."""

    name: Id
    path: DottedPath
    dist: ParameterDist

    def spec(self) -> tuple[str, dict[str, float | str]]:
        """The distribution's kind and parameters (as written)."""
        return self.dist.spec()


class PlanOption(Strict):
    """A value of the scenario chosen among alternatives for each variant."""

    name: Id
    path: DottedPath
    choices: list[Choice] = Field(min_length=2, description="the alternatives, e.g. "
                                  "[nearest, severity]")

    @model_validator(mode="after")
    def _distinct(self) -> PlanOption:
        seen = [(type(c), c) for c in self.choices]
        if len(set(seen)) != len(seen):
            raise ValueError("every choice must be different")
        return self


class Uncertainty(Strict):
    """What a sweep varies: uncertain ``parameters`` and the plan's ``options``."""

    parameters: list[UncertainParameter] = Field(default_factory=list)
    options: list[PlanOption] = Field(default_factory=list)


# What a path means: resolved against the validated scenario (which knows the kind of each
# hazard, the ids of list items and the type of every value), not against the document.

DataPath = tuple[str | int, ...]
"""A place in the read document: keys and list positions."""
_KEYS = ("id", "level", "name")
"""What list items are addressed by, the first their model has."""
_NOUNS = {"transport": "fleet", "mutual_aid": "mutual aid", "scripted": "inject",
          "pool": "inject", "population_table": "row", "any_of": "condition",
          "all_of": "condition"}


class NoSuchPathError(Exception):
    """A path to something the scenario does not have (the message says what it has)."""


def _plain(tp: Any) -> tuple[Any, ...]:
    """The types a field may hold, without Optional and Annotated wrappers."""
    if get_origin(tp) is Annotated:
        return _plain(get_args(tp)[0])
    if get_origin(tp) in (Union, types.UnionType):
        return tuple(t for arg in get_args(tp) for t in _plain(arg))
    return (tp,)


def _member(tp: Any, index: int) -> Any:
    """The type of a list's items (index 0) or a dict's values (index 1)."""
    for t in _plain(tp):
        args = get_args(t)
        if get_origin(t) in (list, tuple) and args:
            return args[0]
        if get_origin(t) is dict and len(args) == 2:
            return args[index]
    return Any


def _hint(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _listed(names: list[str]) -> str:
    return ", ".join(names[:12]) + (f", … ({len(names)} in all)" if len(names) > 12 else "")


def _match(parts: list[str], i: int, keys: list[str]) -> int | None:
    """The end of the longest run of parts from ``i`` that, joined by dots, is one of
    ``keys`` (ids may contain dots)."""
    return next((j for j in range(len(parts), i, -1) if ".".join(parts[i:j]) in keys), None)


def resolve(scenario: BaseModel, data: Any, path: str) -> tuple[DataPath, bool]:
    """Where the dotted ``path`` is in the document ``data`` (of which ``scenario`` is the
    validated model), and whether the value there is a whole number. Raises an error saying
    what does not exist, with the names that do."""
    parts = path.split(".")
    node: Any = scenario
    raw, tp, at, what, field = data, Any, (), "the scenario", ""
    i = 0
    while i < len(parts):
        part, done = parts[i], ".".join(parts[:i])
        if isinstance(node, BaseModel):
            fields = type(node).model_fields
            names = {f.alias or n: n for n, f in fields.items()}
            name = names.get(part, part if part in fields else None)
            if name is None:
                raise NoSuchPathError(f"no field '{part}' in {what}{_hint(part, list(names))} "
                                      f"(fields: {_listed(list(names))})")
            spelled = [k for k in (part, fields[name].alias, name) if k]
            key = next((k for k in spelled if isinstance(raw, dict) and k in raw), spelled[0])
            node, tp, field = getattr(node, name), fields[name].annotation, part
            raw = raw.get(key) if isinstance(raw, dict) else None
            at, what, i = (*at, key), ".".join(parts[: i + 1]), i + 1
        elif isinstance(node, list | tuple) and node:
            noun = _NOUNS.get(field, field.removesuffix("s"))
            by = next((k for k in _KEYS if isinstance(node[0], BaseModel)
                       and k in type(node[0]).model_fields), None)
            if by is None:
                if not (part.isdigit() and int(part) < len(node)):
                    raise NoSuchPathError(f"{done} has no ids: give an item's position, 0 to "
                                          f"{len(node) - 1}; got '{part}'")
                index, j, what = int(part), i + 1, f"{done}.{part}"
            else:
                ids = [str(getattr(item, by)) for item in node]
                j = _match(parts, i, ids)
                if j is None:
                    raise NoSuchPathError(f"no {noun} '{part}' in {done}{_hint(part, ids)} "
                                          f"({by}s: {_listed(ids)})")
                index = ids.index(".".join(parts[i:j]))
                what = f"{noun} '{'.'.join(parts[i:j])}'"
            node, tp = node[index], _member(tp, 0)
            raw = raw[index] if isinstance(raw, list) and index < len(raw) else None
            at, i = (*at, index), j
        elif isinstance(node, dict) and node:
            keys = [str(k) for k in node]
            j = _match(parts, i, keys)
            if j is None:
                raise NoSuchPathError(f"no key '{part}' in {done}{_hint(part, keys)} (keys: "
                                      f"{_listed(keys)})")
            key = ".".join(parts[i:j])
            node = next(v for k, v in node.items() if str(k) == key)
            raw = raw.get(key) if isinstance(raw, dict) else None
            tp, at, what, i = _member(tp, 1), (*at, key), f"{done}.{key}", j
        else:
            state = ("is empty" if isinstance(node, list | tuple | dict) else "is not set in "
                     "this scenario (add it to vary its values)" if node is None
                     else f"is a value ({node!r}), with no '{part}' in it")
            raise NoSuchPathError(f"{done} {state}")
    kinds = _plain(tp)
    return at, int in kinds and float not in kinds and bool not in kinds
