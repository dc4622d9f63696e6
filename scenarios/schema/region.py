"""The ``region`` section: zones, the road network and facilities."""

from __future__ import annotations

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
                                        "by structural type (Hazus names: W1, C1L, URML, …)")
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


class RoadNetwork(Strict):
    nodes: list[Node] = Field(min_length=1)
    links: list[Link] = Field(min_length=1)


class Stocks(Strict):
    water_l: NonNegative = 0.0
    food_rations: NonNegative = 0.0
    beds: NonNegative = 0.0


class Shelter(Strict):
    """An emergency shelter (GB 21734-2008 classes: I ≈ 30 days, II ≈ 10 days, III short
    stay)."""

    id: Id
    name: str = ""
    node: Id
    shelter_class: Literal["I", "II", "III"] = Field(alias="class")
    capacity_persons: Count
    floor_area_m2: Positive | None = None
    stocks: Stocks = Field(default_factory=Stocks)
    opening_delay: UncertainDuration = 0.0


class Hospital(Strict):
    id: Id
    name: str = ""
    node: Id
    beds: Count


class Depot(Strict):
    """Relief stocks at one administrative tier."""

    id: Id
    name: str = ""
    node: Id
    tier: Literal["city", "district", "street", "community"]
    stocks: Stocks = Field(default_factory=Stocks)


class Station(Strict):
    id: Id
    name: str = ""
    node: Id


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
    population_table: list[PopulationRow] = Field(default_factory=list)
    terrain: TerrainFile | None = Field(None, description="ground elevation grid (floods "
                                        "need one)")
