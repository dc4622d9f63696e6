"""Benchmarks of the 2D flood solver (drillsim.sim.hazards.flood.simulate).

``python -m bench.flood`` prints the median speed in cell-steps per second on a 500 x 500
grid (200 steps, 5 repeats) and the time of a 24-hour flood on a town-sized grid;
:func:`register` adds the same cases to the ``python -m bench`` harness.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
from scipy import ndimage

from drillsim.sim.hazards.flood import FloodResult, simulate

Setup = Callable[[], Callable[[], object]]
GRID_STEPS = 200
GRID_DT_S = 0.5  # held below the stability bound (~1.2 s here), so the step count is exact


def random_terrain(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """Smooth random hills, 0-4 m, on a fixed seed."""
    rng = np.random.default_rng(seed)
    hills = ndimage.gaussian_filter(rng.standard_normal(shape), sigma=8.0, mode="wrap")
    return 4.0 * (hills - hills.min()) / np.ptp(hills)


def grid_case(size: int = 500) -> Callable[[], FloodResult]:
    """``size`` x ``size`` cells of 10 m, water level at 2.5 m (most cells wet, some dry
    hills), friction n = 0.035, 200 steps of 0.5 s."""
    z = random_terrain((size, size))
    depth = np.maximum(2.5 - z, 0.0)
    return lambda: simulate(z, 10.0, 0.035, GRID_STEPS * GRID_DT_S, initial_depth_m=depth,
                            output_every_s=GRID_STEPS * GRID_DT_S, max_dt_s=GRID_DT_S)


def town_case() -> Callable[[], FloodResult]:
    """The issue's target: 24 h of a river flood on a 120 x 100 grid of 20 m cells (a valley
    falling 1:1000 eastwards, a 3-cell river channel 2.5 m deep, a 24-hour hydrograph peaking
    at 250 m³/s that overtops the banks, an open east edge); depths reach a few metres."""
    rows, cols, dx = 120, 100, 20.0
    y, x = np.mgrid[0:rows, 0:cols]
    z = 5.0 - 1e-3 * dx * x + 0.03 * np.abs(y - 60) + random_terrain((rows, cols), 1) * 0.2
    z[59:62, :] -= 2.5
    river = [(r, 0) for r in range(59, 62)]
    hydrograph = ([0.0, 6 * 3600.0, 12 * 3600.0, 24 * 3600.0], [30.0, 250.0, 150.0, 30.0])
    return lambda: simulate(z, dx, 0.04, 24 * 3600.0, inflows=[(river, *hydrograph)],
                            open_boundary=("east",), output_every_s=600.0)


def register(bench: Callable[[str], Callable[[Setup], Setup]]) -> None:
    """Add the flood cases to a ``bench(name)`` registry decorator."""
    bench(f"flood: 500x500 grid, {GRID_STEPS} steps")(grid_case)
    bench("flood: town 120x100 at 20 m, 24 h")(town_case)


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(repeats: int = 5) -> None:
    """Print the grid benchmark in cell-steps per second and the town run's time."""
    run = grid_case()
    assert run().n_steps == GRID_STEPS
    seconds = median_seconds(run, repeats)
    rate = 500 * 500 * GRID_STEPS / seconds
    print(f"flood 500x500, {GRID_STEPS} steps: median {seconds:.3f} s over {repeats} repeats"
          f" = {rate / 1e6:.1f} million cell-steps/s")
    town = town_case()
    t0 = time.perf_counter()
    res = town()
    seconds = time.perf_counter() - t0
    print(f"flood town 120x100, 24 h: {seconds:.1f} s, {res.n_steps} steps, max depth "
          f"{res.max_depth_m.max():.2f} m, {120 * 100 * res.n_steps / seconds / 1e6:.1f} million"
          " cell-steps/s")


if __name__ == "__main__":
    main()
