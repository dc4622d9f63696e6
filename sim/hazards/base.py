"""The hazard protocol and registry (see the package docstring)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from drillsim.sim.world import World


class FrozenDict(dict):  # type: ignore[type-arg]
    """A read-only dict (picklable, unlike MappingProxyType): parameters are shared by every
    replicate, so nobody may change them."""

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("hazard parameters are read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


def freeze(value: Any) -> Any:
    """``value`` with every dict made a :class:`FrozenDict` and every list a tuple."""
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class HazardSpec:
    """A hazard of the scenario as the engine sees it: kind, timing and kind-specific
    parameters (already validated at the boundary)."""

    id: str
    kind: str
    start_s: float = 0.0
    duration_s: float | None = None
    params: Mapping[str, Any] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", freeze(dict(self.params)))


class HazardModel(ABC):
    """A hazard realised for one run. Subclasses declare ``kind`` (the registry name),
    ``measure`` (what :meth:`sample` returns, with its unit in the name, e.g. ``depth_m``) and
    set ``modelled = False`` only if they carry no physics; the declaration is checked when the
    class is created."""

    kind: ClassVar[str]
    measure: ClassVar[str]
    modelled: ClassVar[bool] = True
    seen_from_home: ClassVar[bool] = True
    """Whether residents at home see its field as a cue to leave (a flood at the door is;
    an earthquake's shaking acts on people through the damage it does instead)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attr in ("kind", "measure"):
            if not isinstance(cls.__dict__.get(attr, getattr(cls, attr, None)), str):
                raise TypeError(f"hazard model {cls.__name__} must declare {attr!r} as a str")

    def __init__(self, spec: HazardSpec) -> None:
        self.spec = spec

    @classmethod
    def build(cls, spec: HazardSpec, world: World, rng: np.random.Generator) -> HazardModel:
        """Realise the hazard for one run (sample its uncertain parts from ``rng``)."""
        del world, rng
        return cls(spec)

    @abstractmethod
    def sample(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """The hazard's ``measure`` at time ``t_s`` at each point; same shape as ``x_m``."""


    def felt_levels(self) -> tuple[float, float] | None:
        """The field values at which people at home notice the hazard (and may leave) and
        at which it harms them (exposure); None: the scenario's behaviour settings decide
        (the flood's cue and exposure depths)."""
        return None

    def impacts(self, t_s: float) -> Impacts | None:
        """What the hazard does to the world at ``t_s`` (None: nothing it models)."""
        del t_s
        return None


@dataclass(frozen=True)
class Impacts:
    """A hazard's effect on the world at one time, as the engine applies it.

    ``link_speed_factor``: per directed link, the fraction of free speed still possible (1 free,
    0 impassable). ``facility_unusable``: per facility kind, a flag per facility.
    ``zone_people_in_danger``: per zone, whether people at home there are in danger and need
    rescue. Each is optional."""

    link_speed_factor: np.ndarray | None = None
    facility_unusable: Mapping[str, np.ndarray] = field(default_factory=dict)
    zone_people_in_danger: np.ndarray | None = None


HAZARDS: dict[str, type[HazardModel]] = {}


def register_hazard(cls: type[HazardModel]) -> type[HazardModel]:
    """Class decorator: make ``cls`` the model of hazard kind ``cls.kind``."""
    if cls.kind in HAZARDS and HAZARDS[cls.kind] is not cls:
        raise ValueError(f"hazard kind {cls.kind!r} is already registered")
    HAZARDS[cls.kind] = cls
    return cls


@register_hazard
class NullHazard(HazardModel):
    """No hazard at all: intensity zero everywhere, always. For tests and plan-only drills."""

    kind = "none"
    measure = "intensity"

    def sample(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        return np.zeros(np.broadcast(x_m, y_m).shape)


class UnmodelledHazard(HazardModel):
    """A hazard kind the schema knows whose physics is not in this version of the engine.

    Its onset and end are logged (``modelled: false``) and its field reads NaN, so no
    hazard-threshold trigger can fire on it; the run summary warns about it."""

    kind = "unmodelled"
    measure = "none"
    modelled = False

    def sample(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        return np.full(np.broadcast(x_m, y_m).shape, np.nan)


def build_hazard(spec: HazardSpec, world: World, rng: np.random.Generator) -> HazardModel:
    """Realise ``spec`` with its registered model (or :class:`UnmodelledHazard`)."""
    cls = HAZARDS.get(spec.kind, UnmodelledHazard)
    return cls.build(spec, world, rng)
