"""Benchmark of the evacuation model: a synthetic city with a full evacuation order, one
replicate of 12 simulated hours, at 100,000 and 1,000,000 residents.

Targets (the evacuation issue): < 5 s at 100,000; < 60 s and < 4 GB at 1,000,000; time at
1,000,000 / time at 100,000 ≤ 11. Each repeat runs in a fresh process so that its peak
memory (``ru_maxrss``) is its own; the time is the run alone (scenario loading excluded,
and reported separately).

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

from drillsim.scenarios.synth import CitySpec, write_city_scenario

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


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.evacuation", description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="*", default=sorted(TARGETS))
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="drillsim-evac-"))
    medians = {}
    print(f"{'residents':>10} {'run median':>11} {'min':>7} {'max':>7} {'load':>6} "
          f"{'peak MB':>8} {'events':>9}  end of run (persons)")
    for n in args.sizes:
        path = city_file(n, folder)
        rows = [measure(path) for _ in range(args.repeat)]
        times = [r["run_s"] for r in rows]
        medians[n] = statistics.median(times)
        rss = max(r["rss_mb"] for r in rows)
        target = TARGETS.get(n, (None, None))
        verdict = "" if target[0] is None else (
            " ok" if medians[n] < target[0] and (target[1] is None or rss < target[1])
            else " OVER TARGET")
        print(f"{n:>10,} {medians[n]:10.2f}s {min(times):6.2f}s {max(times):6.2f}s "
              f"{statistics.median(r['load_s'] for r in rows):5.2f}s {rss:8.0f} "
              f"{rows[0]['events']:>9,}  {rows[0]['end']}{verdict}", flush=True)
    if 100_000 in medians and 1_000_000 in medians:
        ratio = medians[1_000_000] / medians[100_000]
        print(f"time at 1,000,000 / time at 100,000 = {ratio:.1f} (target <= 11)"
              f"{' ok' if ratio <= 11 else ' OVER TARGET'}")


if __name__ == "__main__":
    main()
