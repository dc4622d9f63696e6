"""Benchmark of the evacuation model: a synthetic city with a full evacuation order, one
replicate of 12 simulated hours, at 100,000 and 1,000,000 residents.

Targets (the evacuation issue): < 5 s at 100,000; < 60 s and < 4 GB at 1,000,000; time at
1,000,000 / time at 100,000 ≤ 11. Each repeat runs in a fresh process so that its peak
memory (``ru_maxrss``) is its own; the time is the run alone (scenario loading excluded,
and reported separately).

The 1,000,000 case is run twice: as one city (everyone not sheltered drives to the city's
edge, so trips get longer as the city grows and the work — traveller-steps, link
traversals — grows about as residents^1.5), and as ten separate towns of 100,000 (the
work grows exactly with the residents, so the ratio is the engine's own scaling).

Usage: ``python -m bench.evacuation [--repeat 3] [--sizes 100000 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drillsim.scenarios.synth import (
    CitySpec,
    build_region,
    city_scenario,
    dump_yaml,
    write_city_scenario,
)

Setup = Callable[[], Callable[[], object]]
TARGETS = {100_000: (5.0, None), 1_000_000: (60.0, 4096.0)}
"""Residents → (seconds, MB) targets."""

_CHILD = """
import json, resource, sys, time
from drillsim.scenarios import load
from drillsim.sim import run
t0 = time.perf_counter(); compiled = load(sys.argv[1]); t1 = time.perf_counter()
log = run(compiled, 1).log
t2 = time.perf_counter()
census = [e for e in log if e.kind == "evac.census" and e.actor == "region"][-1]
print(json.dumps({"load_s": t1 - t0, "run_s": t2 - t1, "events": len(log),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "end": census.data}))
"""


def towns_file(towns: int, per_town: int, folder: Path) -> Path:
    """``towns`` synthetic towns of ``per_town`` residents side by side, 2 km apart and not
    connected: the work of an evacuation then grows exactly with the residents (each town
    clears like the others), so the time ratio measures the engine's own scaling. In one big
    city evacuating to its edge, trips lengthen with the city's size and the work itself
    grows faster than the residents."""
    path = folder / f"towns-{towns}x{per_town}.yaml"
    if path.exists():
        return path
    data = city_scenario(CitySpec(population=per_town, seed=0))
    region: dict[str, Any] = {"name": f"{towns} towns", "zones": [], "shelters": [],
                              "hospitals": [], "depots": [], "stations": [],
                              "roads": {"nodes": [], "links": [], "exits": []}}
    fleets, teams = [], []
    for k in range(towns):
        town = build_region(CitySpec(population=per_town, seed=k, prefix=f"T{k}-"))
        shift = k * (max(n["x"] for n in town["roads"]["nodes"]) + 2000.0)
        for node in town["roads"]["nodes"]:
            node["x"] = round(node["x"] + shift, 1)
        for zone in town["zones"]:
            zone["x"] = round(zone["x"] + shift, 1)
        for key in ("zones", "shelters", "hospitals", "depots", "stations"):
            region[key] += town[key]
        for key in ("nodes", "links", "exits"):
            region["roads"][key] += town["roads"][key]
        base = town["stations"][0]["id"]
        fleets.append({"id": f"T{k}-buses", "vehicles": max(2, per_town // 20000),
                       "seats": 50, "base": base, "available_after": "20min"})
        teams += [{"id": f"FR-{s['id']}", "type": "fire_rescue", "size": 12, "base": s["id"]}
                  for s in town["stations"]]
    data["region"] = region
    data["plan"]["transport"] = fleets
    data["plan"]["teams"] = teams
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


def city_file(population: int, folder: Path) -> Path:
    path = folder / f"city-{population}.yaml"
    if not path.exists():
        write_city_scenario(CitySpec(population=population, seed=0), path)
    return path


def measure(path: Path) -> dict[str, float]:
    """One replicate in a fresh interpreter: load and run times, peak memory, the end state."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def register(bench: Callable[[str], Callable[[Setup], Setup]]) -> None:
    """Add the 100,000-resident case to the ``python -m bench`` harness (timing only)."""
    from drillsim.scenarios import load
    from drillsim.sim import run

    folder = Path(tempfile.mkdtemp(prefix="drillsim-evac-"))
    bench("evacuation: synthetic city 100,000, 12 h, full order (target < 5 s)")(
        lambda: (lambda c: lambda: run(c, 1))(load(city_file(100_000, folder))))


def _report(label: str, path: Path, repeat: int, target: tuple[float | None, float | None]
            ) -> float:
    rows = [measure(path) for _ in range(repeat)]
    times = [r["run_s"] for r in rows]
    median = statistics.median(times)
    rss = max(r["rss_mb"] for r in rows)
    verdict = "" if target[0] is None else (
        " ok" if median < target[0] and (target[1] is None or rss < target[1])
        else " OVER TARGET")
    print(f"{label:>22} {median:10.2f}s {min(times):6.2f}s {max(times):6.2f}s "
          f"{statistics.median(r['load_s'] for r in rows):5.2f}s {rss:8.0f} "
          f"{rows[0]['events']:>9,}  {rows[0]['end']}{verdict}", flush=True)
    return median


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.evacuation", description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="*", default=sorted(TARGETS))
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="drillsim-evac-"))
    medians = {}
    print(f"{'residents':>22} {'run median':>11} {'min':>7} {'max':>7} {'load':>6} "
          f"{'peak MB':>8} {'events':>9}  end of run (persons)")
    for n in args.sizes:
        medians[n] = _report(f"city of {n:,}", city_file(n, folder), args.repeat,
                             TARGETS.get(n, (None, None)))
    if 100_000 in medians and 1_000_000 in medians:
        towns = _report("10 towns of 100,000", towns_file(10, 100_000, folder), args.repeat,
                        (60.0, 4096.0))
        for label, big in (("one city of 1,000,000", medians[1_000_000]),
                           ("ten towns of 100,000", towns)):
            ratio = big / medians[100_000]
            print(f"time for {label} / time for 100,000 = {ratio:.1f} (target <= 11)"
                  f"{' ok' if ratio <= 11 else ' OVER TARGET'}")


if __name__ == "__main__":
    main()
