"""Running a batch: one coordinator loop for every backend.

The coordinator submits chunks of replicates to an executor, waits for the first to finish
(``wait(FIRST_COMPLETED)``), writes its rows to the store in one transaction and reports
progress. The backends differ only in how the compiled scenario reaches the workers:

* :class:`LocalPool` — a ``ProcessPoolExecutor`` (spawned processes, so no state leaks from
  the parent) whose initializer receives the scenario once per worker;
* :class:`DaskCluster` — Dask distributed, on a scheduler at an address or on a
  ``LocalCluster`` on loopback; the scenario is scattered to every worker once and the chunks
  go through the client's ``concurrent.futures`` executor;
* :class:`InProcess` — no workers (debugging, ``rerun``, small tests).

Results do not depend on the backend, the number of workers or the completion order: each
replicate's seed is ``SeedSequence(root, spawn_key=(replicate,))`` and the store is read in key
order.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from drillsim.analysis.batch.replicate import (
    RunFn,
    Scenarios,
    Settings,
    Task,
    install,
    run_chunk,
    run_installed,
)
from drillsim.analysis.batch.store import Store

CHUNK_TARGET_S = 0.5
"""Chunks are sized to run at least this long (a task costs ~0.1 ms in a process pool and
~4 ms on Dask), so scheduling stays a small share of the work."""


class InProcess:
    """Run chunks in this process, one at a time."""

    workers = 1

    def __init__(self, scenarios: Scenarios, settings: Settings, run_fn: RunFn | None = None
                 ) -> None:
        self.args = (scenarios, settings, run_fn)

    def submit(self, tasks: Sequence[Task]) -> Future[Any]:
        f: Future[Any] = Future()
        try:
            f.set_result(run_chunk(*self.args, tasks))
        except BaseException as exc:  # handed to the coordinator as it is
            f.set_exception(exc)
        return f

    def close(self, cancel: bool = False) -> None:
        del cancel


class LocalPool:
    """A pool of ``workers`` spawned processes on this machine."""

    def __init__(self, scenarios: Scenarios, settings: Settings, workers: int,
                 run_fn: RunFn | None = None) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=install,
                                        initargs=(scenarios, settings, run_fn))

    def submit(self, tasks: Sequence[Task]) -> Future[Any]:
        return self.pool.submit(run_installed, list(tasks))

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskCluster:
    """Dask distributed: the scheduler at ``address`` (``tcp://host:port``) or, without one,
    a ``LocalCluster`` of ``workers`` single-threaded processes on 127.0.0.1."""

    def __init__(self, scenarios: Scenarios, settings: Settings, workers: int,
                 address: str | None = None, run_fn: RunFn | None = None) -> None:
        from distributed import Client, LocalCluster

        self.cluster = None
        if address is None:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        host="127.0.0.1", dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.client = Client(address, timeout="20s")
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))
        self.executor: Executor = self.client.get_executor(pure=False)
        payload = self.client.scatter(scenarios, broadcast=True)
        self.args = (payload, settings, run_fn)

    def submit(self, tasks: Sequence[Task]) -> Future[Any]:
        return self.executor.submit(run_chunk, *self.args, list(tasks))

    def close(self, cancel: bool = False) -> None:
        del cancel
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


Backend = InProcess | LocalPool | DaskCluster


@dataclass
class Outcome:
    """What a call of :func:`run_tasks` did."""

    submitted: int
    ok: int = 0
    failed: int = 0
    run_s: float = 0.0
    """Sum of the replicates' own wall time (run and scoring, in the workers)."""
    write_s: float = 0.0
    """Time the coordinator spent writing results to the store."""


Progress = Callable[[int, int, int], None]
"""Called after each chunk with (replicates finished, replicates to run, failed so far)."""


def chunk_size(mean_s: float | None, remaining: int, workers: int) -> int:
    """Replicates per chunk: enough to run :data:`CHUNK_TARGET_S`, but never so many that the
    workers run out of chunks (at least four per worker remain)."""
    if not mean_s or mean_s <= 0:
        return 1
    want = math.ceil(CHUNK_TARGET_S / mean_s)
    return max(1, min(want, remaining // (4 * workers) or 1))


def run_tasks(backend: Backend, store: Store, tasks: Sequence[Task],
              progress: Progress | None = None, chunk: int = 0) -> Outcome:
    """Run the ``tasks`` not in the store yet and write their rows as each chunk finishes.
    ``chunk`` 0 sizes chunks from the replicates' run times."""
    done = store.done()
    todo = [t for t in tasks if (t.variant, t.replicate) not in done]
    out = Outcome(len(todo))
    pending = list(reversed(todo))
    in_flight: dict[Future[Any], int] = {}
    finished = 0
    limit = 2 * backend.workers
    try:
        while pending or in_flight:
            while pending and len(in_flight) < limit:
                mean = out.run_s / (out.ok + out.failed) if out.ok + out.failed else None
                k = chunk or chunk_size(mean, len(pending), backend.workers)
                part = [pending.pop() for _ in range(min(k, len(pending)))]
                in_flight[backend.submit(part)] = len(part)
            ready, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for f in ready:
                n = in_flight.pop(f)
                results = f.result()
                t0 = time.perf_counter()
                store.write(results)
                out.write_s += time.perf_counter() - t0
                for r in results:
                    row = r["replicates"][0]
                    out.run_s += row[6]
                    if row[4] == "ok":
                        out.ok += 1
                    else:
                        out.failed += 1
                finished += n
                if progress is not None:
                    progress(finished, len(todo), out.failed)
    except BaseException:
        for f in in_flight:
            f.cancel()
        raise
    return out
