"""The chemical release of a scenario: a puff train under the scenario's weather, read as the
concentration (ppm) at breathing height at any (time, place), and its impacts: roads inside
the AEGL-3 threat zone are too dangerous to drive through.

The stability class is the scenario's, or derived from wind, cloud and day/night by the
Pasquill–Turner table, for the first wind and for each shift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from drillsim.sim.hazards.base import HazardModel, HazardSpec, Impacts, register_hazard
from drillsim.sim.hazards.chemical.chemicals import aegl_ppm, to_ppm
from drillsim.sim.hazards.chemical.puffs import PuffTrain, Wind, wind_from
from drillsim.sim.hazards.chemical.stability import stability_class
from drillsim.sim.world import World

BREATHING_HEIGHT_M = 1.5
THREAT_DURATION_S = 3600.0
"""Threat zones are drawn with the 60-minute AEGLs, as emergency-response tools do (e.g.
ALOHA's default threat zones)."""


def winds(weather: Mapping[str, Any], start_s: float) -> tuple[Wind, ...]:
    """The release's winds: the first from ``start_s`` (in fact from the scenario's start),
    then each shift, each with its stability class."""
    daytime, cloud = bool(weather["daytime"]), weather.get("cloud_cover_oktas")

    def klass(speed: float) -> str:
        given = weather.get("stability")
        return str(given) if given else str(stability_class(speed, daytime, cloud))

    out = [wind_from(-np.inf, float(weather["wind_speed_m_s"]), float(weather["wind_from_deg"]),
                     klass(float(weather["wind_speed_m_s"])))]
    for shift in sorted(weather.get("shifts", ()), key=lambda s: s["at"]):
        out.append(wind_from(float(shift["at"]), float(shift["wind_speed_m_s"]),
                             float(shift["wind_from_deg"]), klass(float(shift["wind_speed_m_s"]))))
    del start_s
    return tuple(out)


DISPERSION_MODELS: dict[str, Callable[[HazardSpec], PuffTrain]] = {}
"""Dispersion models by the name a scenario gives (``model:``); each turns the release's
spec into a field with the :class:`~drillsim.sim.hazards.chemical.puffs.PuffTrain`
interface (``concentration``, ``upper_bound``, ``wind_at``, the source, the puffs' release
times and masses). A dense-gas model registers here under its own name."""


def register_dispersion(name: str) -> Callable[[Callable[[HazardSpec], PuffTrain]],
                                               Callable[[HazardSpec], PuffTrain]]:
    def register(make: Callable[[HazardSpec], PuffTrain]) -> Callable[[HazardSpec], PuffTrain]:
        if name in DISPERSION_MODELS:
            raise ValueError(f"dispersion model {name!r} is already registered")
        DISPERSION_MODELS[name] = make
        return make
    return register


@register_dispersion("gaussian-puff")
def puff_train(spec: HazardSpec) -> PuffTrain:
    """The release of ``spec`` as puffs (times from the scenario's start)."""
    p = spec.params
    source, weather = p["source"], p["weather"]
    common = {"terrain": p["terrain"], "mixing_height_m": float(weather["mixing_height_m"])}
    args = (float(source["x"]), float(source["y"]), float(p["height_m"]))
    if p.get("mass_kg") is not None:
        return PuffTrain.instantaneous(*args, float(p["mass_kg"]), spec.start_s,
                                       winds(weather, spec.start_s), **common)
    duration = spec.duration_s if spec.duration_s is not None else float(p["horizon_s"])
    return PuffTrain.continuous(*args, float(p["rate_kg_s"]), spec.start_s, duration,
                                winds(weather, spec.start_s), **common)


@register_hazard
class ChemicalHazard(HazardModel):
    """A toxic release carried by the wind."""

    kind = "chemical"
    measure = "concentration_ppm"

    def __init__(self, spec: HazardSpec, world: World) -> None:
        super().__init__(spec)
        self.world = world
        self.chemical = str(spec.params["chemical"])
        self.train = DISPERSION_MODELS[str(spec.params.get("model", "gaussian-puff"))](spec)
        self.stopped_s: float | None = None
        """When a team stopped the release (None: it ran its course)."""
        self.aegl3_ppm = float(aegl_ppm(self.chemical, 3, THREAT_DURATION_S))
        roads = world.roads
        self._link_x = (np.asarray(roads.x_m)[roads.link_from]
                        + np.asarray(roads.x_m)[roads.link_to]) / 2
        self._link_y = (np.asarray(roads.y_m)[roads.link_from]
                        + np.asarray(roads.y_m)[roads.link_to]) / 2

    @classmethod
    def build(cls, spec: HazardSpec, world: World, rng: np.random.Generator) -> ChemicalHazard:
        del rng  # nothing uncertain yet
        return cls(spec, world)

    def sample(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Concentration (ppm) at breathing height."""
        kg_m3 = self.train.concentration(t_s, x_m, y_m, BREATHING_HEIGHT_M)
        return np.asarray(to_ppm(kg_m3, self.chemical), float)

    def peak_ppm(self, t_s: float) -> float:
        """No place has more than this (ppm) at ``t_s``."""
        return float(to_ppm(self.train.upper_bound(t_s, BREATHING_HEIGHT_M), self.chemical))

    def stop(self, t_s: float) -> bool:
        """Stop the release at ``t_s`` (a hazmat team closed the leak): puffs not yet
        released carry nothing. False if nothing was still to be released."""
        later = self.train.released_s > t_s
        if not later.any() or not self.train.mass_kg[later].any():
            return False
        self.train.mass_kg[later] = 0.0
        self.train.forget()
        self.stopped_s = t_s
        return True

    def downwind(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray,
                 distance_m: float) -> np.ndarray:
        """Whether each point is in the protective-action area of the release at ``t_s``:
        the square of the Emergency Response Guidebook (ERG 2020, protective action
        distances), ``distance_m`` down the present wind from the source and half of it to
        either side."""
        wind = self.train.wind_at(t_s)
        dx = np.asarray(x_m, float) - self.train.x_m
        dy = np.asarray(y_m, float) - self.train.y_m
        along = dx * wind.to_east + dy * wind.to_north
        across = dx * wind.to_north - dy * wind.to_east
        return (along >= 0) & (along <= distance_m) & (np.abs(across) <= distance_m / 2)

    def felt_levels(self) -> tuple[float, float]:
        """(noticed, harmful), ppm: people notice the gas from the 60-minute AEGL-1
        (irritation, odour) and are harmed above the 60-minute AEGL-2."""
        return (float(aegl_ppm(self.chemical, 1, THREAT_DURATION_S)),
                float(aegl_ppm(self.chemical, 2, THREAT_DURATION_S)))

    def impacts(self, t_s: float) -> Impacts | None:
        """Roads whose middle is inside the AEGL-3 threat zone are closed to traffic."""
        if t_s < self.spec.start_s:
            return None
        if self.peak_ppm(t_s) < self.aegl3_ppm:
            return Impacts(link_speed_factor=np.ones(len(self._link_x)))  # nowhere that high
        ppm = self.sample(t_s, self._link_x, self._link_y)
        return Impacts(link_speed_factor=np.where(ppm >= self.aegl3_ppm, 0.0, 1.0))
