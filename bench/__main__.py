"""Run the benchmarks and print the median (and range) of several timed repeats.

Each benchmark is a setup function returning a zero-argument callable to time; setup time is
not counted. Usage: ``python -m bench [--repeat N] [NAME ...]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.chemical import register as _register_chemical
from bench.evacuation import register as _register_evacuation
from drillsim.scenarios import load
from drillsim.scenarios.examples import EXAMPLES
from drillsim.scenarios.synth import CitySpec, write_city_scenario
from drillsim.sim import run

Bench = Callable[[], Callable[[], object]]
BENCHES: dict[str, Bench] = {}
TMP = Path(tempfile.mkdtemp(prefix="drillsim-bench-"))


def bench(name: str) -> Callable[[Bench], Bench]:
    def register(fn: Bench) -> Bench:
        BENCHES[name] = fn
        return fn
    return register


def _city(population: int) -> Path:
    path = TMP / f"city-{population}.yaml"
    if not path.exists():
        write_city_scenario(CitySpec(population=population, seed=0), path)
    return path


for _name, _path in EXAMPLES.items():
    bench(f"load+compile {_name}")(lambda p=_path: lambda: load(p))
    bench(f"run {_name} (one replicate)")(lambda p=_path: (lambda c: lambda: run(c, 1))(load(p)))

for _pop in (100_000, 1_000_000):
    bench(f"load+compile synthetic city {_pop:,}")(lambda n=_pop: (lambda p: lambda: load(p))(
        _city(n)))


def _riverside_flood() -> Callable[[], object]:
    """The flood example's 24-hour flood, solved afresh every time (no memo)."""
    import numpy as np

    from drillsim.sim.hazards.flood.hazard import realise, run_flood

    compiled = load(EXAMPLES["riverside-flood"])
    spec = compiled.hazards[0]
    realised = realise(spec.params, np.random.default_rng(0))
    return lambda: run_flood(compiled.world.terrain, spec.params, realised)  # type: ignore[arg-type]


bench("flood: riverside example, 24 h, 112x96 cells (target < 30 s)")(_riverside_flood)
_register_evacuation(bench)
_register_chemical(bench)
try:
    from bench.flood import register as _register_flood
except ImportError:  # the solver benchmarks are optional
    pass
else:
    _register_flood(bench)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("names", nargs="*", help="substrings of benchmark names (default: all)")
    ap.add_argument("--repeat", type=int, default=5, help="timed repeats (default 5)")
    args = ap.parse_args()
    chosen = [n for n in BENCHES if not args.names or any(s in n for s in args.names)]
    print(f"{'benchmark':58} {'median':>9} {'min':>9} {'max':>9}  (s, {args.repeat} repeats)")
    for name in chosen:
        fn = BENCHES[name]()
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        print(f"{name:58} {statistics.median(times):9.4f} {min(times):9.4f} {max(times):9.4f}",
              flush=True)


if __name__ == "__main__":
    main()
