"""The ``region`` section: zones, the road network and facilities."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from drillsim.scenarios.schema.base import (
    Count,
    Id,
    NonNegative,
    Positive,
    Share,
    Strict,
    UncertainDuration,
)

# NEHRP site classes → a representative Vs30 (m/s), mid-range of each class's band
# (BSSC 2003, NEHRP Recommended Provisions, Table 3.5-1 / ASCE 7 Table 20.3-1).
SITE_CLASS_VS30 = {"A": 1800.0, "B": 1080.0, "C": 560.0, "D": 270.0, "E": 150.0}

# Emergency shelters. GB 21734-2008 (Emergency shelter for earthquake disasters — site and its
# facilities) §4 classes them by how long they can house people; §5.4 sets the minimum living
# area per person. GB 51143-2015 (Code for design of disaster mitigation emergency congregate
# shelter) gives the area per person to plan with by length of stay: short 2.0, medium 3.0,
# long 4.5 m²; each class is mapped to the stay it is built for (III short, II medium, I long).
SHELTER_STAY_DAYS: dict[str, tuple[float, float]] = {
    "I": (30.0, math.inf), "II": (10.0, 30.0), "III": (0.0, 10.0)}
"""Length of stay each shelter class is built for, days (GB 21734-2008 §4)."""
MIN_AREA_M2_PER_PERSON = 1.5
"""Minimum living area per sheltered person, m² (GB 21734-2008 §5.4)."""
PLANNING_AREA_M2_PER_PERSON: dict[str, float] = {"III": 2.0, "II": 3.0, "I": 4.5}
"""Area per person to plan a shelter's capacity with, m², by class (GB 51143-2015: short,
medium and long stay)."""


CodeLevel = Literal["high", "moderate", "low", "pre"]
"""Seismic design level of a building (Hazus: high-, moderate-, low- and pre-code)."""


class Building(Strict):
    """The building a facility or site occupies, for earthquake damage: a Hazus model
    building type (W1, C2M, URML, …) and its seismic design level."""

    type: str = Field(min_length=1, description="Hazus model building type (W1, C2M, URML, …)")
    code_level: CodeLevel = Field("moderate", description="seismic design level (left at "
                                  "its default, a type Hazus does not define at moderate "
                                  "code takes the nearest level it does)")


class Zone(Strict):
    """A residential zone with its people and buildings."""

    id: Id
    name: str = ""
    x: float | None = Field(None, description="centroid easting (m)")
    y: float | None = Field(None, description="centroid northing (m)")
    polygon: list[tuple[float, float]] | None = Field(
        None, min_length=3, description="outline as [x, y] points (m); its centroid is used "
        "when x, y are not given")
    population: Count
    households: Count | None = Field(None, description="default: population / 2.62, the "
                                     "average household size of China's 2020 census")
    elderly_share: Share = 0.0
    disabled_share: Share = 0.0
    carless_share: Share = 0.0
    buildings: dict[str, Count] = Field(default_factory=dict, description="number of buildings "
                                        "by structural type (Hazus names: W1, C1L, URML, …), "
                                        "optionally with its design level: URML/pre")
    code_level: CodeLevel | None = Field(None, description="seismic design level of the "
                                         "zone's buildings (default: the region's); a type "
                                         "Hazus does not define at it takes the nearest level "
                                         "it does (URM: low or pre)")
    elevation_m: float = 0.0
    vs30_m_s: Positive | None = None
    site_class: Literal["A", "B", "C", "D", "E"] | None = None
    node: Id | None = Field(None, description="road node residents leave from; default: the "
                            "nearest node to the centroid")

    @model_validator(mode="after")
    def _where(self) -> Zone:
        if (self.x is None) != (self.y is None):
            raise ValueError("give both x and y (or a polygon)")
        if self.x is None and self.polygon is None:
            raise ValueError("a zone needs a centroid (x, y) or a polygon")
        if self.vs30_m_s is not None and self.site_class is not None:
            raise ValueError("give vs30_m_s or site_class, not both")
        return self


class Node(Strict):
    id: Id
    x: float
    y: float
    elevation_m: float = 0.0


class Link(Strict):
    """A road link. Two-way links are two directed links with the same id."""

    id: Id
    from_: Id = Field(alias="from")
    to: Id
    length_m: Positive | None = Field(None, description="default: straight-line distance")
    lanes: int = Field(1, ge=1, le=12)
    free_speed_km_h: Positive = 50.0
    capacity_veh_h: Positive | None = Field(
        None, description="per direction; default 1,900 vehicles/h per lane (HCM base "
        "saturation flow rate)")
    two_way: bool = True
    bridge: bool = False
    bridge_class: str | None = Field(None, description="Hazus highway bridge class HWB1–HWB28 "
                                     "for earthquake damage (default for a bridge: HWB28, "
                                     "Hazus's class for bridges not otherwise classified)")
    tunnel: bool = Field(False, description="the road runs under ground or water: a flood "
                         "closes it when water stands at either portal (its ends), never for "
                         "water above its middle")

    @model_validator(mode="after")
    def _bridge(self) -> Link:
        if self.bridge_class is not None and not self.bridge:
            raise ValueError("bridge_class is given but bridge is false")
        if self.bridge and self.tunnel:
            raise ValueError("a link is a bridge or a tunnel, not both: split it at the "
                             "portal")
        return self


class RoadNetwork(Strict):
    nodes: list[Node] = Field(min_length=1)
    links: list[Link] = Field(min_length=1)
    exits: list[Id] = Field(default_factory=list, description="road node ids where evacuees "
                            "leave the region (reaching one is reaching safety)")


class Stocks(Strict):
    water_l: NonNegative = 0.0
    food_rations: NonNegative = 0.0
    beds: NonNegative = 0.0


class Shelter(Strict):
    """An emergency shelter (GB 21734-2008 classes: I houses people 30 days or more, II 10 to
    30 days, III up to 10 days). Give its capacity, its floor area, or both."""

    id: Id
    name: str = ""
    node: Id
    shelter_class: Literal["I", "II", "III"] = Field(
        alias="class", description="GB 21734-2008: I for stays of 30 days or more, II for 10 "
        "to 30 days, III for up to 10 days")
    capacity_persons: Count | None = Field(
        None, description="people it can house; default: floor_area_m2 ÷ the planning area "
        "per person of its class (GB 51143-2015: III 2.0, II 3.0, I 4.5 m²)")
    floor_area_m2: Positive | None = None
    stocks: Stocks = Field(default_factory=Stocks)
    opening_delay: UncertainDuration = 0.0
    building: Building | None = Field(None, description="its building, for earthquake damage "
                                      "(none: shaking does not damage it, e.g. an open space)")

    @model_validator(mode="after")
    def _size(self) -> Shelter:
        if self.capacity_persons is None and self.floor_area_m2 is None:
            per = PLANNING_AREA_M2_PER_PERSON[self.shelter_class]
            raise ValueError("give capacity_persons or floor_area_m2 (the capacity is then "
                             f"the floor area ÷ {per:.1f} m² per person for a class "
                             f"{self.shelter_class} shelter, GB 51143-2015)")
        return self

    @property
    def capacity(self) -> int:
        """People it can house: ``capacity_persons``, or the floor area planned at its class's
        area per person (rounded down)."""
        if self.capacity_persons is not None:
            return self.capacity_persons
        per = PLANNING_AREA_M2_PER_PERSON[self.shelter_class]
        return math.floor((self.floor_area_m2 or 0.0) / per + 1e-9)


HOSPITAL_LEVELS = ("primary", "secondary", "tertiary")
"""Chinese hospital grades (一级, 二级, 三级), lowest first."""

BED_OCCUPANCY = 0.84
"""Share of hospital beds in use on an ordinary day: the bed utilisation rate of Chinese
hospitals, 83.6 % in 2019 (China Health Statistics Yearbook 2020, check)."""


class Hospital(Strict):
    """A hospital. Casualties with life-threatening injuries go to secondary or tertiary
    hospitals where they can."""

    id: Id
    name: str = ""
    node: Id
    beds: Count
    level: Literal["primary", "secondary", "tertiary"] = "secondary"
    occupied: float = Field(BED_OCCUPANCY, ge=0.0, le=1.0, description="share of beds in use "
                            "when the disaster strikes (default: the national bed "
                            "utilisation rate, 0.84)")
    building: Building | None = Field(None, description="its building, for earthquake damage "
                                      "(none: shaking does not damage it, e.g. an open space)")


class Depot(Strict):
    """Relief stocks at one administrative tier."""

    id: Id
    name: str = ""
    node: Id
    tier: Literal["city", "district", "street", "community"]
    stocks: Stocks = Field(default_factory=Stocks)
    building: Building | None = Field(None, description="its building, for earthquake damage "
                                      "(none: shaking does not damage it, e.g. an open space)")


class Station(Strict):
    id: Id
    name: str = ""
    node: Id
    building: Building | None = Field(None, description="its building, for earthquake damage "
                                      "(none: shaking does not damage it, e.g. an open space)")


class Fragility(Strict):
    """A lognormal fragility curve: the median peak ground acceleration at which the site
    fails and the dispersion (standard deviation of ln PGA)."""

    median_pga_g: Positive
    beta: Positive = 0.6


class Site(Strict):
    """A structure whose failure in an earthquake can start another hazard (a disaster
    chain): a store of hazardous material, a dam or a levee. Give its building (it fails at
    ``fails_at`` damage) or its own fragility curve."""

    id: Id
    name: str = ""
    kind: Literal["hazmat", "dam", "levee", "other"]
    x: float
    y: float
    building: Building | None = None
    fragility: Fragility | None = None
    fails_at: Literal["moderate", "extensive", "complete"] = Field(
        "extensive", description="the building damage state at which the site fails")
    stores: str = Field("", description="what it holds, for the log (e.g. 'chlorine, 30 t')")

    @model_validator(mode="after")
    def _how_it_fails(self) -> Site:
        if (self.building is None) == (self.fragility is None):
            raise ValueError("give the site's building or its fragility, one of them")
        return self


class TerrainFile(Strict):
    """A digital elevation model: an ESRI ASCII grid (``.asc``) in projected metres, relative
    to the file that names it."""

    file: str = Field(min_length=1, description="path of the .asc file")


class PopulationRow(Strict):
    zone: Id
    population: Count


class Region(Strict):
    """The area of the drill. ``population_table`` (e.g. ``!include population.csv``)
    overrides zone populations."""

    name: str = ""
    zones: list[Zone] = Field(min_length=1)
    roads: RoadNetwork
    shelters: list[Shelter] = Field(default_factory=list)
    hospitals: list[Hospital] = Field(default_factory=list)
    depots: list[Depot] = Field(default_factory=list)
    stations: list[Station] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list, description="structures whose failure can "
                              "start another hazard (hazardous-material stores, dams, levees)")
    code_level: CodeLevel = Field("moderate", description="seismic design level of buildings "
                                  "where a zone does not give one")
    population_table: list[PopulationRow] = Field(default_factory=list)
    terrain: TerrainFile | None = Field(None, description="ground elevation grid (floods "
                                        "need one)")
