"""The ``hazards`` section: a list of hazard events, each tagged by ``kind``.

The schema of every kind is here; the physics of a kind lives in ``drillsim.sim.hazards`` and
is registered under the same name.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from drillsim.scenarios.schema.base import (
    Duration,
    Id,
    NonNegative,
    Positive,
    Share,
    Strict,
    UncertainDuration,
    UncertainNumber,
)


class Trigger(Strict):
    """What starts this hazard: an earthquake that makes a site fail (a disaster chain:
    ``{hazard, site}``), or an inject of the drill (``{inject}``, e.g. a second release)."""

    hazard: Id | None = Field(None, description="the earthquake whose shaking can make the "
                              "site fail")
    site: Id | None = Field(None, description="a site of the region (a hazmat store, a dam, "
                            "a levee)")
    inject: Id | None = Field(None, description="an inject: the hazard starts when it fires")
    delay: Duration = Field(0.0, description="from the failure (or the inject) to this "
                            "hazard's onset")

    @model_validator(mode="after")
    def _one_cause(self) -> Trigger:
        chain = self.hazard is not None or self.site is not None
        if chain == (self.inject is not None) or (chain and None in (self.hazard, self.site)):
            raise ValueError("give hazard and site (a disaster chain) or inject, not both")
        return self


class HazardBase(Strict):
    id: Id
    start: Duration = Field(0.0, description="onset, from the scenario's start")
    duration: Duration | None = Field(None, description="how long it lasts (default: to the "
                                      "end of the scenario)")
    triggered_by: Trigger | None = Field(
        None, description="start only if an earthquake makes a site fail, or when an inject "
        "fires (then ``start`` is ignored); otherwise the hazard never happens")


class NoHazard(HazardBase):
    """No physical hazard: a plan-only drill, and the null hazard of tests."""

    kind: Literal["none"]


class Point(Strict):
    x: float
    y: float


class HydrographPoint(Strict):
    at: Duration
    discharge_m3_s: NonNegative


class Breach(Strict):
    """A levee breach: at its time the ground within ``width_m``/2 of ``location`` drops to
    ``invert_m`` (default: the median ground level around the opening)."""

    at: UncertainDuration
    width_m: UncertainNumber
    location: Point
    invert_m: float | None = None


class RiverLevel(Strict):
    at: Duration
    level_m: float


class Gauge(Strict):
    id: Id
    location: Point


class FloodHazard(HazardBase):
    """A river flood, a breach or extreme rainfall over the region's terrain."""

    kind: Literal["flood"]
    model: Literal["inertial", "bathtub"] = Field(
        "inertial", description="2D local-inertial shallow water, or level-pool filling")
    inflow: Point | None = Field(None, description="where the river enters the region")
    hydrograph: list[HydrographPoint] = Field(default_factory=list)
    peak_factor: UncertainNumber = Field(1.0, description="scales every discharge of the "
                                         "hydrograph (declare it uncertain to sample the peak)")
    breach: Breach | None = None
    rain_mm_h: NonNegative = 0.0
    manning_n: UncertainNumber = Field(0.035, description="Manning roughness, s/m^(1/3)")
    open_edges: list[Literal["north", "south", "east", "west"]] = Field(
        default_factory=list, description="edges of the terrain where water flows out freely "
        "(the others are walls)")
    river_levels: list[RiverLevel] = Field(default_factory=list, description="bathtub model: "
                                           "water level of the river over time")
    gauges: list[Gauge] = Field(default_factory=list)
    road_closure_depth_m: Positive = Field(0.3, description="roads impassable from this depth "
                                           "(Pregnolato et al. 2017)")
    facility_closure_depth_m: Positive = 0.3
    rescue_hazard_rating: Positive = Field(1.25, description="people at home need rescue from "
                                           "this flood hazard rating (FD2321)")
    bridge_clearance_m: NonNegative = 1.0
    output_every: Duration = Field(300.0, description="time resolution of the stored flood")

    @model_validator(mode="after")
    def _has_water(self) -> FloodHazard:
        if self.model == "bathtub":
            if not self.river_levels or self.inflow is None:
                raise ValueError("the bathtub model needs river_levels and an inflow point "
                                 "(where the river is)")
            return self
        if not self.hydrograph and self.rain_mm_h == 0 and self.breach is None:
            raise ValueError("a flood needs a hydrograph, a breach or rain_mm_h > 0")
        if self.hydrograph and self.inflow is None:
            raise ValueError("a hydrograph needs an inflow point")
        return self


Material = Literal["masonry", "concrete", "steel", "wood", "other"]
TRAPPED_SHARE: dict[str, float] = {
    "masonry": 0.5, "concrete": 0.7, "steel": 0.7, "wood": 0.5, "other": 0.5}
"""Share of a collapsed building's occupants trapped (Coburn & Spence 2002, Earthquake
Protection, 2nd ed., the M3 factor of the casualty model: masonry 50 %, reinforced concrete
70 %; steel taken as concrete, wood and other as masonry)."""


class Hypocentre(Strict):
    x: float
    y: float
    depth_km: Positive


class FiniteFault(Strict):
    strike_deg: float = Field(ge=0, lt=360)
    dip_deg: float = Field(gt=0, le=90)
    length_km: Positive
    width_km: Positive


class Aftershocks(Strict):
    """A Reasenberg & Jones (1989) aftershock sequence: rate of aftershocks of magnitude ≥ M
    at t days after a mainshock Mm is 10^(a + b (Mm − M)) (t + c)^−p. Defaults: their generic
    California parameters."""

    a: float = -1.67
    b: Positive = 0.91
    p: Positive = 1.08
    c_days: Positive = 0.05
    min_magnitude: float = Field(4.5, ge=3.0, description="smallest aftershock simulated "
                                 "(smaller ones rarely add damage)")


class EarthquakeHazard(HazardBase):
    """A rupture that shakes every zone; aftershocks follow if asked."""

    kind: Literal["earthquake"]
    magnitude: float = Field(ge=3.0, le=9.5)
    hypocentre: Hypocentre
    mechanism: Literal["strike-slip", "normal", "reverse", "unspecified"] = "unspecified"
    ground_motion_model: Literal["BA08", "BSSA14", "CN-IPE"] = "BSSA14"
    fault: FiniteFault | None = None
    aftershocks: bool | Aftershocks = Field(
        True, description="true: the generic Reasenberg–Jones sequence; false: none; or the "
        "sequence's parameters")
    variability: bool = Field(True, description="sample between-event and spatially "
                              "correlated within-event residuals (false: median shaking)")
    trapped_share: dict[Material, Share] = Field(
        default_factory=lambda: dict(TRAPPED_SHARE),
        description="share of the occupants of a collapsed building who are trapped, by "
        "material (masonry, concrete, steel, wood, other)")


class WindShift(Strict):
    at: Duration
    wind_speed_m_s: Positive
    wind_from_deg: float = Field(ge=0, lt=360)


class Weather(Strict):
    wind_speed_m_s: Positive
    wind_from_deg: float = Field(ge=0, lt=360, description="direction the wind blows FROM")
    stability: Literal["A", "B", "C", "D", "E", "F"] | None = Field(
        None, description="Pasquill–Gifford class; derived from cloud cover and daytime if "
        "absent")
    cloud_cover_oktas: int | None = Field(None, ge=0, le=8)
    daytime: bool = True
    mixing_height_m: Positive = 1000.0
    shifts: list[WindShift] = Field(default_factory=list)

    @model_validator(mode="after")
    def _stability_known(self) -> Weather:
        if self.stability is None and self.cloud_cover_oktas is None:
            raise ValueError("give the stability class, or cloud_cover_oktas so that it can be "
                             "derived (Pasquill–Turner table, with wind speed and daytime)")
        return self


class AirChanges(Strict):
    """Air changes per hour of buildings. Sheltering (doors and windows shut, ventilation
    off) leaves only infiltration, about 0.5 per hour in typical homes (Chan, Price & Gadgil
    2004, LBNL-55575, check); otherwise planning assumption."""

    sheltering: Positive = 0.5
    normal: Positive = 1.5


class ChemicalHazard(HazardBase):
    """A toxic release at a facility or a point."""

    kind: Literal["chemical"]
    model: Literal["gaussian-puff"] = Field(
        "gaussian-puff", description="dispersion model: a train of Gaussian puffs (passive, "
        "neutrally buoyant gas; dense-gas models are not in this version)")
    chemical: Literal["chlorine", "ammonia", "hydrogen_sulfide", "sulfur_dioxide"]
    source: Point
    mass_kg: Positive | None = Field(None, description="an instantaneous release")
    rate_kg_s: Positive | None = Field(None, description="a continuous release for the "
                                       "hazard's duration")
    height_m: NonNegative = 0.0
    terrain: Literal["rural", "urban"] = "urban"
    weather: Weather
    air_changes_per_h: AirChanges = Field(default_factory=lambda: AirChanges(),
                                          description="how fast outdoor air replaces indoor "
                                          "air in homes and shelters")
    stop_on_site: Duration | None = Field(
        20 * 60.0, description="time a hazmat team needs at the source to stop a continuous "
        "release (none: teams cannot stop it)")

    @model_validator(mode="after")
    def _amount(self) -> ChemicalHazard:
        if (self.mass_kg is None) == (self.rate_kg_s is None):
            raise ValueError("give mass_kg (instantaneous) or rate_kg_s (continuous), one of them")
        if self.rate_kg_s is not None and self.duration is None:
            raise ValueError("a continuous release (rate_kg_s) needs a duration")
        if self.height_m >= self.weather.mixing_height_m:
            raise ValueError(f"the release height ({self.height_m:g} m) must be below the "
                             f"mixing height ({self.weather.mixing_height_m:g} m)")
        return self


Hazard = Annotated[NoHazard | FloodHazard | EarthquakeHazard | ChemicalHazard,
                   Field(discriminator="kind")]
