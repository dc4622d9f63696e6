"""Projection of an extract to metres: the UTM zone of its centre (pyproj), shifted so the
region's south-west corner is near (0, 0) — the coordinates scenarios place hazards with."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
"""Lengths are geodesic on the WGS 84 ellipsoid, not measured on the projected plane."""


@dataclass(frozen=True)
class Projection:
    epsg: int
    """UTM zone, EPSG:326xx (north) or 327xx (south)."""
    origin_e: float
    origin_n: float
    """Easting/northing of the region's (0, 0), m."""

    @property
    def transformer(self) -> Transformer:
        return Transformer.from_crs(4326, self.epsg, always_xy=True)

    def xy(self, lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        e, n = self.transformer.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(e) - self.origin_e, np.asarray(n) - self.origin_n

    def geometry(self, geom: BaseGeometry) -> BaseGeometry:
        """A lon/lat geometry in the region's metres."""
        tr = self.transformer

        def fwd(coords: np.ndarray) -> np.ndarray:
            e, n = tr.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([np.asarray(e) - self.origin_e, np.asarray(n) - self.origin_n])

        return shapely.transform(geom, fwd)

    def describe(self) -> str:
        return (f"metres east and north of E {self.origin_e:.0f} N {self.origin_n:.0f} in "
                f"EPSG:{self.epsg} (UTM)")


def projection_for(lons: np.ndarray, lats: np.ndarray) -> Projection:
    """The UTM zone of the points' centre, origin at their south-west corner rounded down to
    100 m."""
    lon0, lat0 = float(np.mean(lons)), float(np.mean(lats))
    zone = min(60, math.floor((lon0 + 180.0) / 6.0) + 1)
    epsg = (32600 if lat0 >= 0 else 32700) + zone
    tr = Transformer.from_crs(4326, epsg, always_xy=True)
    e, n = tr.transform(np.asarray(lons, float), np.asarray(lats, float))
    return Projection(epsg, math.floor(float(np.min(e)) / 100.0) * 100.0,
                      math.floor(float(np.min(n)) / 100.0) * 100.0)


def geodesic_length(lons: list[float], lats: list[float]) -> float:
    """Length of a lon/lat polyline along the WGS 84 ellipsoid, m."""
    return float(GEOD.line_length(lons, lats))


def geodesic_area(geom: BaseGeometry) -> float:
    """Area of a lon/lat polygon on the WGS 84 ellipsoid, m²."""
    return abs(float(GEOD.geometry_area_perimeter(geom)[0]))
