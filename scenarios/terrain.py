"""Terrain grids (digital elevation models) in the ESRI ASCII grid format (``.asc``).

The format is a six-line header (``ncols``, ``nrows``, ``xllcorner`` or ``xllcenter``,
``yllcorner`` or ``yllcenter``, ``cellsize``, optional ``NODATA_value``) followed by ``nrows``
rows of values, the northernmost row first. Inside drillsim row 0 is the southernmost row, so
rows are flipped on reading and writing. NODATA cells become walls (very high ground).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from drillsim.sim.world import Terrain

WALL_M = 1.0e4
"""Elevation given to NODATA cells: water never reaches them."""


class TerrainError(ValueError):
    """A DEM file that cannot be read, with the line at fault."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line = path, line


def read_asc(path: Path) -> Terrain:
    """Read an ESRI ASCII grid into a :class:`Terrain`."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header: dict[str, float] = {}
    n = 0
    for n, line in enumerate(lines[:6]):
        parts = line.split()
        if len(parts) != 2 or not parts[0][0].isalpha():
            break
        try:
            header[parts[0].lower()] = float(parts[1])
        except ValueError:
            raise TerrainError(path, n + 1, f"header value {parts[1]!r} is not a number") from None
    else:
        n = min(len(lines), 6)
    for key in ("ncols", "nrows", "cellsize"):
        if key not in header:
            raise TerrainError(path, 1, f"the ESRI ASCII grid header has no {key}")
    ncols, nrows, cell = int(header["ncols"]), int(header["nrows"]), header["cellsize"]
    x0 = header.get("xllcorner", header.get("xllcenter", 0.0) - cell / 2)
    y0 = header.get("yllcorner", header.get("yllcenter", 0.0) - cell / 2)
    rows = [ln.split() for ln in lines[n:] if ln.strip()]
    if len(rows) != nrows:
        raise TerrainError(path, n + 1, f"expected {nrows} rows of values, found {len(rows)}")
    for k, row in enumerate(rows):
        if len(row) != ncols:
            raise TerrainError(path, n + 1 + k, f"expected {ncols} values, found {len(row)}")
    try:
        grid = np.array(rows, dtype=float)[::-1]
    except ValueError:
        raise TerrainError(path, n + 1, "a value in the grid is not a number") from None
    nodata = header.get("nodata_value")
    if nodata is not None:
        grid[grid == nodata] = WALL_M
    return Terrain(elevation_m=grid, x0_m=x0, y0_m=y0, cell_m=cell)


def write_asc(terrain: Terrain, path: Path, decimals: int = 2) -> None:
    """Write a :class:`Terrain` as an ESRI ASCII grid."""
    nrows, ncols = terrain.elevation_m.shape
    head = (f"ncols {ncols}\nnrows {nrows}\nxllcorner {terrain.x0_m:g}\n"
            f"yllcorner {terrain.y0_m:g}\ncellsize {terrain.cell_m:g}\nNODATA_value -9999\n")
    body = "\n".join(" ".join(f"{v:.{decimals}f}" for v in row)
                     for row in terrain.elevation_m[::-1])
    path.write_text(head + body + "\n", encoding="utf-8")
