"""Benchmark of the chemical release: concentration at 10,000 receptors for a 2-hour release
at 1-minute resolution (puffs every minute, read every minute: 120 readings of up to 120
puffs at 10,000 places), with a wind shift halfway.

Target (the chemical issue): under 2 s. Usage: ``python -m bench.chemical [--repeat 5]``;
:func:`register` adds the case to the ``python -m bench`` harness.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from drillsim.sim.hazards.chemical.puffs import PuffTrain, wind_from

Setup = Callable[[], Callable[[], object]]
RECEPTORS = 10_000
RELEASE_S = 7200.0
STEP_S = 60.0
TARGET_S = 2.0


def setup() -> Callable[[], object]:
    """A 2-hour chlorine-sized release (1 kg/s) over a 10 km square of receptors."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-5000.0, 5000.0, RECEPTORS)
    y = rng.uniform(-5000.0, 5000.0, RECEPTORS)
    winds = (wind_from(-np.inf, 3.0, 270.0, "D"), wind_from(RELEASE_S / 2, 2.0, 225.0, "E"))
    train = PuffTrain.continuous(0.0, 0.0, 2.0, 1.0, 0.0, RELEASE_S, winds,
                                 terrain="urban", mixing_height_m=800.0)
    times = np.arange(STEP_S, RELEASE_S + STEP_S / 2, STEP_S)

    def readings() -> float:
        return float(sum(train.concentration(t, x, y).max() for t in times))

    return readings


def register(bench: Callable[[str], Callable[[Setup], Setup]]) -> None:
    bench(f"chemical: {RECEPTORS:,} receptors, 2 h release, 1-min readings "
          f"(target < {TARGET_S:g} s)")(setup)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.chemical", description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    fn, times = setup(), []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(f"chemical: {RECEPTORS:,} receptors x {int(RELEASE_S / STEP_S)} readings, "
          f"median {median:.3f} s (min {min(times):.3f}, max {max(times):.3f}; "
          f"{args.repeat} repeats); target < {TARGET_S:g} s: "
          f"{'met' if median < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
