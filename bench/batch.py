"""Batch machinery: parallel efficiency and per-replicate overhead.

Targets (issue "Monte Carlo batches"): on a 2-core machine, 2 workers at least 1.8 times faster
than 1 worker for the flood example at N = 200; the batch machinery (process start, scheduling,
storage) under 5 % of the replicates' own run time.

Usage: ``python -m bench.batch [--n 200] [--repeat 1] [--example riverside-flood]``. Each repeat
runs the batch with 1 and with 2 local worker processes into a fresh DuckDB store and prints:
wall time, the replicates' own time (run and scoring, measured in the workers), the speed-up,
and the overhead of the machinery with one worker, (wall − Σ replicate time) / Σ replicate time,
of which the store's writes are shown apart. With several repeats, medians are printed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from drillsim.analysis.batch.replicate import Fixed, Settings, Task
from drillsim.analysis.batch.runner import LocalPool, run_tasks
from drillsim.analysis.batch.store import Store
from drillsim.scenarios import load
from drillsim.scenarios.examples import EXAMPLES


def one(example: str, n: int, workers: int, folder: Path) -> tuple[float, float, float]:
    """(wall, Σ replicate time, store writes) of one batch, pool start included."""
    compiled = load(EXAMPLES[example])
    started = time.perf_counter()
    pool = LocalPool(Fixed(compiled), Settings(root_seed=1), workers)
    with Store(folder) as store:
        store.begin({"bench": example, "n": n, "workers": workers}, [], resume=False)
        outcome = run_tasks(pool, store, [Task(i) for i in range(n)])
    pool.close()
    wall = time.perf_counter() - started
    assert outcome.ok == n, outcome
    return wall, outcome.run_s, outcome.write_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--example", default="riverside-flood")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="drillsim-bench-batch-"))
    speedups, overheads, writes, walls = [], [], [], {1: [], 2: []}
    for k in range(args.repeat):
        w1, r1, s1 = one(args.example, args.n, 1, tmp / f"w1-{k}")
        w2, r2, _ = one(args.example, args.n, 2, tmp / f"w2-{k}")
        walls[1].append(w1)
        walls[2].append(w2)
        speedups.append(w1 / w2)
        overheads.append((w1 - r1) / r1)
        writes.append(s1 / r1)
        print(f"repeat {k + 1}: 1 worker {w1:.1f} s (replicates {r1:.1f} s, store {s1:.2f} s); "
              f"2 workers {w2:.1f} s (replicates {r2:.1f} s); speed-up {w1 / w2:.2f}; "
              f"overhead {100 * (w1 - r1) / r1:.1f} % (store {100 * s1 / r1:.2f} %)", flush=True)
    med = statistics.median
    print(f"{args.example}, N = {args.n}, {args.repeat} repeat(s), medians: "
          f"1 worker {med(walls[1]):.1f} s, 2 workers {med(walls[2]):.1f} s, "
          f"speed-up {med(speedups):.2f} (target ≥ 1.8), machinery overhead "
          f"{100 * med(overheads):.1f} % of the replicates' time (target < 5 %), of which "
          f"store writes {100 * med(writes):.2f} %")


if __name__ == "__main__":
    main()
