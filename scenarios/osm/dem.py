"""Ground elevation for an imported region from a digital elevation model: a GeoTIFF (read
with rasterio, an optional dependency) or a numpy array with its affine transform."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj import Transformer

from drillsim.scenarios.osm.read import OsmError


@dataclass(frozen=True)
class Dem:
    """``elevation[row, col]`` with the GDAL/affine transform ``(a, b, c, d, e, f)``:
    x = a·col + b·row + c, y = d·col + e·row + f (cell corners), in ``crs``."""

    elevation: np.ndarray
    transform: tuple[float, float, float, float, float, float]
    crs: str = "EPSG:4326"
    nodata: float | None = None

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Elevation at lon/lat points (nearest cell; 0 outside the grid or on no-data)."""
        x, y = Transformer.from_crs(4326, self.crs, always_xy=True).transform(
            np.asarray(lon, float), np.asarray(lat, float))
        a, b, c, d, e, f = self.transform
        det = a * e - b * d
        col = np.floor((e * (np.asarray(x) - c) - b * (np.asarray(y) - f)) / det).astype(int)
        row = np.floor((-d * (np.asarray(x) - c) + a * (np.asarray(y) - f)) / det).astype(int)
        rows, cols = self.elevation.shape
        ok = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
        out = np.zeros(np.shape(x))
        out[ok] = self.elevation[row[ok], col[ok]]
        if self.nodata is not None:
            out[out == self.nodata] = 0.0
        return out


def read_geotiff(path: Path) -> Dem:
    """The first band of a GeoTIFF."""
    try:
        import rasterio
    except ImportError:
        raise OsmError("reading a GeoTIFF needs rasterio: pip install rasterio") from None
    if not path.is_file():
        raise OsmError(f"no such DEM file: {path}")
    try:
        with rasterio.open(path) as src:
            t = src.transform
            return Dem(src.read(1).astype(float), (t.a, t.b, t.c, t.d, t.e, t.f),
                       src.crs.to_string() if src.crs else "EPSG:4326", src.nodata)
    except rasterio.errors.RasterioIOError as exc:
        raise OsmError(f"{path} is not a readable GeoTIFF ({exc})") from None
