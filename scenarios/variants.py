"""Variants of a scenario for sweeps: the scenario with values drawn for its ``uncertainty``
parameters and chosen among its plan options, each checked and compiled like the file itself.

A path such as ``plan.mutual_aid.national-usar.arrival_delay`` is resolved against the validated
scenario (:func:`~drillsim.scenarios.schema.uncertainty.resolve`: list items by their id, levels
by their level, lists without ids by position) to a place in the read document. A variant is the
document with values put there, compiled through :func:`drillsim.scenarios.loader.check_source`,
so it is exactly the scenario a person would get by writing those values into the file.
Checking a scenario tries every choice and the ends of every distribution, so that a sweep does
not find out half-way that a value is invalid.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import special

from drillsim.scenarios import loader
from drillsim.scenarios import source as source_mod
from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.problems import Problem, ScenarioError, format_path
from drillsim.scenarios.schema import Scenario
from drillsim.scenarios.schema.uncertainty import (
    PARAMS,
    Choice,
    DataPath,
    LongDist,
    NoSuchPathError,
    amount,
    resolve,
)
from drillsim.scenarios.source import Source
from drillsim.scenarios.terrain import read_asc
from drillsim.sim.compiled import Compiled
from drillsim.sim.distributions import Dist
from drillsim.sim.world import Terrain

Value = float | str | bool
"""A value of a variant: a parameter's number (seconds for a duration) or an option's choice."""
TAIL = 1e-3
"""Distributions without bounds are tried at the quantiles ``TAIL`` and ``1 - TAIL`` too (a
warning if the scenario is invalid there: few draws would fail)."""


@dataclass(frozen=True)
class Parameter:
    """An uncertain value: the value at ``path`` follows ``kind(params)``, parameters in the
    order of :data:`~drillsim.scenarios.schema.uncertainty.PARAMS`, seconds for a duration."""

    name: str
    path: str
    kind: str
    params: tuple[float, ...]
    duration: bool = False
    """The value is a duration: written back into the document with units."""
    whole: bool = False
    """The value is a count (a team's size): rounded to the nearest whole number."""
    at: DataPath = ()
    """Where ``path`` is in the document."""

    def __post_init__(self) -> None:
        if len(PARAMS.get(self.kind, ())) != len(self.params):
            raise ValueError(f"{self.kind} takes {PARAMS.get(self.kind)}, got {self.params}")

    def quantiles(self, u: np.ndarray | float) -> np.ndarray:
        """The values at cumulative probabilities ``u`` (the inverse CDF): a design on the unit
        cube becomes draws of this distribution, strata for strata."""
        u = np.asarray(u, dtype=float)
        if self.kind == "normal":
            mean, sd = self.params
            x = mean + sd * special.ndtri(np.clip(u, 1e-12, 1.0 - 1e-12))
        else:
            x = Dist(self.kind, self.params).quantile(u)
        return np.round(x) if self.whole else np.asarray(x, dtype=float)

    def value(self, u: float) -> float:
        return float(self.quantiles(np.array([u]))[0])

    def bounded(self) -> bool:
        """Whether the distribution has finite ends (then the ends are tried)."""
        return self.kind in ("uniform", "triangular")

    def written(self, x: float) -> float | int | str:
        """``x`` as the document writes it: a duration with units, a count whole."""
        if self.duration:
            return np.format_float_positional(x, trim="-") + "s"  # exact, without exponent
        return round(x) if self.whole else float(x)


@dataclass(frozen=True)
class Option:
    """A plan option: the value at ``path`` is one of ``choices``."""

    name: str
    path: str
    choices: tuple[Choice, ...]
    at: DataPath = ()

    def index(self, u: np.ndarray | float) -> np.ndarray:
        """``floor(u·k)`` for ``k`` choices: equal shares of the unit interval."""
        k = len(self.choices)
        return np.clip(np.floor(np.asarray(u, dtype=float) * k), 0, k - 1).astype(int)

    def value(self, u: float) -> Choice:
        return self.choices[int(self.index(u))]

    def matching(self, value: object) -> Choice | None:
        """The declared choice equal to ``value`` (True is not 1 here), or None."""
        return next((c for c in self.choices
                     if c == value and isinstance(c, bool) == isinstance(value, bool)), None)


Finding = tuple[DataPath, str]


def declare(scenario: Scenario,
            data: Any) -> tuple[list[tuple[int, Parameter]], list[tuple[int, Option]],
                                list[Finding]]:
    """The declared parameters and options (with their index in the section) whose paths
    exist, and a finding for each path that does not, each repeated name and each value
    varied twice."""
    section = scenario.uncertainty
    params: list[tuple[int, Parameter]] = []
    options: list[tuple[int, Option]] = []
    findings: list[Finding] = []
    if section is None:
        return params, options, findings
    names: dict[str, DataPath] = {}
    places: dict[DataPath, DataPath] = {}
    items = [("parameters", i, p) for i, p in enumerate(section.parameters)]
    items += [("options", i, o) for i, o in enumerate(section.options)]
    for group, i, item in items:
        where: DataPath = ("uncertainty", group, i)
        if item.name in names:
            findings.append(((*where, "name"), f"'{item.name}' is declared twice (also at "
                             f"{format_path(names[item.name])})"))
        names.setdefault(item.name, where)
        try:
            if item.path.split(".")[0] == "uncertainty":
                raise NoSuchPathError("the uncertainty section is not part of a variant")
            at, whole = resolve(scenario, data, item.path)
        except NoSuchPathError as exc:
            findings.append(((*where, "path"), f"{item.path}: {exc}"))
            continue
        if at in places:
            findings.append(((*where, "path"), f"{item.path} is varied twice (also at "
                             f"{format_path(places[at])})"))
            continue
        places[at] = where
        if group == "options":
            options.append((i, Option(item.name, item.path, tuple(item.choices), at)))
            continue
        kind, given = item.spec()
        duration = any(isinstance(given[k], str) for k in PARAMS[kind])
        values = tuple(amount(given[k]) for k in PARAMS[kind])
        params.append((i, Parameter(item.name, item.path, kind, values, duration, whole, at)))
    return params, options, findings


def put(doc: Any, at: DataPath, value: Any) -> Any:
    """A copy of ``doc`` with ``value`` at ``at`` (sections missing from the document, which
    take their defaults, are created); everything off the path is shared, not copied."""
    if not at:
        return value
    head, rest = at[0], at[1:]
    if isinstance(doc, list) and isinstance(head, int):
        out: Any = list(doc)
        out[head] = put(doc[head], rest, value)
        return out
    out = dict(doc) if isinstance(doc, dict) else {}
    out[head] = put(out.get(head), rest, value)
    return out


def _nominal(data: dict[str, Any]) -> dict[str, Any]:
    """The document without its uncertainty section: what a variant compiles."""
    return {k: v for k, v in data.items() if k != "uncertainty"}


def _trials(i: int, p: Parameter, long: bool) -> list[tuple[DataPath, str, float, str]]:
    """(where, what, value, severity) of the values of ``p`` to try: the ends of a bounded
    distribution; else the median (most draws fail if it does), then the tails."""
    where: DataPath = ("uncertainty", "parameters", i, "dist")
    if p.bounded():
        ends = [("low", 0, p.params[0]), ("high", len(p.params) - 1, p.params[-1])]
        return [((*where, key) if long else (*where, p.kind, k),
                 f"the {'lower' if key == 'low' else 'upper'} bound", x, "error")
                for key, k, x in ends]
    return [(where, "the median", p.value(0.5), "error")] + [
        (where, f"the {100 * q:g}% quantile", p.value(q), "warning") for q in (TAIL, 1 - TAIL)]


def _shown(p: Parameter, x: float) -> str:
    if p.duration:
        return ("-" if x < 0 else "") + format_duration(abs(x))
    return f"{p.written(x):g}"


def uncertainty_problems(src: Source, scenario: Scenario,
                         read_terrain: Callable[[Path], Terrain] = read_asc) -> list[Problem]:
    """Every problem of the uncertainty section of the valid scenario ``src``: paths that do
    not exist, and choices and ends of distributions with which the scenario is invalid
    (found by checking the scenario with each of them)."""
    params, options, findings = declare(scenario, src.data)
    out = [Problem(src.locate(at)[0], format_path(at), message) for at, message in findings]
    section = scenario.uncertainty
    if section is None:
        return out
    base, read = _nominal(src.data), functools.cache(read_terrain)

    def failure(at: DataPath, value: Any) -> str | None:
        errors = loader.check_source(Source(put(base, at, value), src.locations), "",
                                     read).errors
        if not errors:
            return None
        e = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{e.field + ': ' if e.field else ''}{e.message}{more}"

    for i, p in params:
        long = isinstance(section.parameters[i].dist, LongDist)
        for where, what, x, severity in _trials(i, p, long):
            why = failure(p.at, p.written(x))
            if why is None:
                continue
            tail = ("; a few draws would fail: narrow it, or use a distribution with bounds "
                    "(uniform, triangular)") if severity == "warning" else ""
            out.append(Problem(src.locate(where)[0], format_path(where), f"{what} "
                               f"{_shown(p, x)} of '{p.name}' makes the scenario invalid: "
                               f"{why}{tail}", severity))
            if what == "the median":
                break
    for i, o in options:
        for k, choice in enumerate(o.choices):
            why = failure(o.at, choice)
            if why is not None:
                where = ("uncertainty", "options", i, "choices", k)
                out.append(Problem(src.locate(where)[0], format_path(where), f"the choice "
                                   f"{choice!r} of '{o.name}' makes the scenario invalid: {why}"))
    return out


class Variants:
    """A scenario and its declared parameters and options, compiled with values applied.

    Picklable, for the workers of a batch: it holds the read document (includes resolved),
    where each value was in the files (for located errors) and the terrain grids, so a variant
    compiles without reading any file again. A variant's ``digest`` is the hash of the files
    and the values applied; with none applied, the file's (equal to ``load(path)``'s).
    """

    cache_size = 4
    """Compiled variants kept (a worker runs many replicates of few variants)."""

    def __init__(self, path: str, data: dict[str, Any], locations: dict[Any, Any],
                 digest: str, terrains: dict[Path, Terrain],
                 parameters: tuple[Parameter, ...], options: tuple[Option, ...],
                 notes: tuple[Problem, ...] = ()) -> None:
        self.path, self.data, self.locations, self.digest = path, data, locations, digest
        self.terrains, self.parameters, self.options = terrains, parameters, options
        self.notes = notes
        """Warnings and notes from checking the scenario (e.g. distribution tails)."""
        self._cache: OrderedDict[tuple[tuple[str, Any], ...], Compiled] = OrderedDict()

    @classmethod
    def of(cls, path: str | Path) -> Variants:
        """The variants of the scenario file at ``path``; :class:`ScenarioError` lists every
        problem of the file, its uncertainty section included."""
        src = source_mod.load(path)
        terrains: dict[Path, Terrain] = {}

        def read(p: Path) -> Terrain:
            if p not in terrains:
                terrains[p] = read_asc(p)
            return terrains[p]

        result = loader.check_source(src, read_terrain=read)
        if result.errors or result.compiled is None or result.scenario is None:
            raise ScenarioError(result.problems)
        params, options, _ = declare(result.scenario, src.data)
        out = cls(str(path), _nominal(src.data), src.locations, result.compiled.digest,
                  terrains, tuple(p for _, p in params), tuple(o for _, o in options),
                  tuple(result.warnings))
        out._cache[()] = result.compiled
        return out

    @property
    def names(self) -> tuple[str, ...]:
        """Parameters then options: the columns of a sample."""
        return tuple(p.name for p in self.parameters) + tuple(o.name for o in self.options)

    def written(self, values: Mapping[str, Value]) -> dict[str, Any]:
        """``values`` as the document writes them; ValueError for a name not declared, a
        parameter's value that is not a finite number, an option's that is not a choice."""
        by_name: dict[str, Parameter | Option] = {p.name: p for p in self.parameters}
        by_name |= {o.name: o for o in self.options}
        out: dict[str, Any] = {}
        for name, value in values.items():
            item = by_name.get(name)
            if item is None:
                raise ValueError(f"'{name}' is not a parameter or option of {self.path} "
                                 f"(declared: {', '.join(self.names) or 'none'})")
            if isinstance(item, Option):
                choice = item.matching(value)
                if choice is None:
                    raise ValueError(f"{value!r} is not a choice of '{name}' "
                                     f"{list(item.choices)}")
                out[name] = choice
            elif isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value):
                raise ValueError(f"'{name}' needs a finite number, got {value!r}")
            else:
                out[name] = item.written(float(value))
        return out

    def compile(self, values: Mapping[str, Value]) -> Compiled:
        """The scenario with ``values`` (by name; the others keep the file's values), checked
        and compiled; :class:`ScenarioError` if that is not a valid scenario."""
        written = self.written(values)
        key = tuple(sorted(written.items(), key=lambda kv: kv[0]))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        at = {p.name: p.at for p in (*self.parameters, *self.options)}
        doc: Any = self.data
        for name, value in key:
            doc = put(doc, at[name], value)
        digest = self.digest if not key else hashlib.sha256(
            (self.digest + json.dumps(dict(key), sort_keys=True)).encode()).hexdigest()
        result = loader.check_source(Source(doc, self.locations), digest, self._read)
        if result.errors or result.compiled is None:
            raise ScenarioError(result.problems)
        self._cache[key] = result.compiled
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result.compiled

    def base(self) -> Compiled:
        """The nominal scenario: the file's own values (equal to ``load(path)``)."""
        return self.compile({})

    def _read(self, path: Path) -> Terrain:
        if path not in self.terrains:
            self.terrains[path] = read_asc(path)
        return self.terrains[path]

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_cache"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = OrderedDict()

    def __repr__(self) -> str:
        return f"Variants({self.path!r}, {', '.join(self.names) or 'no parameters'})"


__all__ = ["Option", "Parameter", "Value", "Variants", "declare", "uncertainty_problems"]
