"""Monte Carlo batches: the same results on any backend and worker count, nothing lost when a
batch is killed or a replicate raises, and the statistics checked exactly."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from builders import example

from drillsim.analysis.batch.replicate import Fixed, Settings, Task
from drillsim.analysis.batch.runner import (
    DaskCluster,
    InProcess,
    LocalPool,
    chunk_size,
    run_tasks,
)
from drillsim.analysis.batch.stats import (
    convergence,
    mean_interval,
    metric_stats,
    objective_stats,
    runs_for_probability,
)
from drillsim.analysis.batch.store import SpecMismatch, Store
from drillsim.analysis.scoring import wilson
from drillsim.sim import run

DRILLSIM = str(Path(sys.executable).with_name("drillsim"))
CHEM = "chemical-park-chlorine"
COMPARED = ("replicates", "objectives", "grades", "metrics")


def results(store: Store) -> dict[str, list[dict]]:
    """The store's result tables without the wall times (the only thing that may differ)."""
    out = {}
    for name in COMPARED:
        t = store.table(name)
        out[name] = t.drop_columns(["wall_s", "log_path"]).to_pylist() \
            if name == "replicates" else t.to_pylist()
    return out


def batch_with(backend_of, folder: Path, n: int) -> dict[str, list[dict]]:
    compiled = example(CHEM)
    settings = Settings(root_seed=11)
    backend = backend_of(Fixed(compiled), settings)
    with Store(folder) as store:
        store.begin({"n": n}, [], resume=False)
        outcome = run_tasks(backend, store, [Task(i) for i in range(n)])
        backend.close()
        assert (outcome.ok, outcome.failed) == (n, 0)
        return results(store)


def test_one_worker_two_workers_and_dask_give_the_same_results(tmp_path: Path) -> None:
    """Replicate i has seed SeedSequence(root, spawn_key=(i,)) wherever it runs: in this
    process, on a pool of two processes, and on a Dask LocalCluster of two workers on
    loopback; the stored rows (event-log digests included) are identical."""
    n = 4
    one = batch_with(lambda s, st: InProcess(s, st), tmp_path / "one", n)
    two = batch_with(lambda s, st: LocalPool(s, st, 2), tmp_path / "two", n)
    dask = batch_with(lambda s, st: DaskCluster(s, st, 2), tmp_path / "dask", n)
    assert one == two == dask
    assert len({r["digest"] for r in one["replicates"]}) == n  # the seeds differ
    assert len(one["objectives"]) == n * len(example(CHEM).plan.objectives)


def raise_on_replicate_two(compiled, seed):  # a run function that fails once
    if tuple(seed.spawn_key) == (2,):
        raise RuntimeError("boom in replicate two")
    return run(compiled, seed)


def test_a_replicate_that_raises_is_recorded_and_the_batch_goes_on(tmp_path: Path) -> None:
    compiled = example(CHEM)
    backend = InProcess(Fixed(compiled), Settings(root_seed=5), raise_on_replicate_two)
    with Store(tmp_path) as store:
        store.begin({"n": 4}, [], resume=False)
        outcome = run_tasks(backend, store, [Task(i) for i in range(4)])
        reps = store.table("replicates").to_pylist()
    assert (outcome.ok, outcome.failed) == (3, 1)
    assert [r["status"] for r in reps] == ["ok", "ok", "error", "ok"]
    bad = reps[2]
    assert bad["seed_entropy"] == 5 and bad["spawn_key"] == "[2]"
    assert "RuntimeError: boom in replicate two" in bad["error"]
    assert "Traceback" in bad["error"]


def test_a_resume_with_another_spec_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.begin({"root_seed": 1, "replicates": 4}, [], resume=False)
        with pytest.raises(SpecMismatch, match="pass --resume"):
            store.begin({"root_seed": 1, "replicates": 4}, [], resume=False)
        with pytest.raises(SpecMismatch, match="replicates changed"):
            store.begin({"root_seed": 1, "replicates": 5}, [], resume=True)
        store.begin({"root_seed": 1, "replicates": 4}, [], resume=True)  # the same: fine


def test_killed_batch_resumes_to_the_same_final_tables(tmp_path: Path) -> None:
    """kill -9 the whole batch (coordinator and workers) after a few replicates; --resume
    runs only the missing ones and the tables equal an uninterrupted batch's."""
    n, folder = 10, tmp_path / "killed"
    args = [DRILLSIM, "batch", CHEM, "-n", str(n), "--workers", "1", "--seed", "11",
            "--out", str(folder)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    seen = 0
    assert proc.stderr is not None
    for line in proc.stderr:
        if "runs," in line:
            seen = int(line.split(": ")[1].split("/")[0])
            if seen >= 3:
                break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert 3 <= seen < n, "the batch must be killed midway"
    again = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=300,
                           check=False)
    assert again.returncode == 0, again.stderr
    assert "were already done" in again.stderr
    with Store(folder, read_only=True) as store:
        resumed = results(store)
    fresh = batch_with(lambda s, st: InProcess(s, st), tmp_path / "fresh", n)
    assert resumed == fresh


def test_rerun_reproduces_a_replicate_and_parquet_export(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    p = subprocess.run([DRILLSIM, "batch", CHEM, "-n", "3", "--workers", "0", "--seed", "4",
                        "--out", str(folder), "--parquet"], capture_output=True, text=True,
                       timeout=300, check=False)
    assert p.returncode == 0, p.stderr
    assert "Objectives over the runs" in p.stdout and "P(met)" in p.stdout
    objectives = pq.read_table(folder / "parquet" / "objectives.parquet")
    assert objectives.num_rows == 3 * len(example(CHEM).plan.objectives)
    with Store(folder, read_only=True) as store:
        digest = store.table("replicates").column("digest").to_pylist()[1]
    r = subprocess.run([DRILLSIM, "rerun", str(folder), "--replicate", "1"],
                       capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    from drillsim.analysis.runio import read_events

    assert read_events(folder / "rerun-v0-r1" / "events.parquet").digest() == digest
    from drillsim.analysis.report import write_report

    page = write_report(folder).read_text(encoding="utf-8")
    assert "batch of 3 runs" in page and '<section id="objectives"' in page
    bad = subprocess.run([DRILLSIM, "rerun", str(folder), "--replicate", "9"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "replicates 0-2" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_statistics_are_the_published_formulas() -> None:
    import pyarrow as pa

    objectives = pa.table({"variant": [0] * 4, "objective": ["a"] * 4,
                           "capability": ["c"] * 4, "metric": ["m"] * 4,
                           "met": [True, True, False, True]})
    (o,) = objective_stats(objectives)
    assert (o.met, o.runs) == (3, 4) and (o.low, o.high) == wilson(3, 4)
    metrics = pa.table({"variant": [0] * 5, "metric": ["m"] * 5,
                        "value": [1.0, 2.0, 3.0, None, math.inf]})
    (m,) = metric_stats(metrics)
    assert (m.runs, m.never, m.mean, m.q50) == (3, 2, 2.0, 2.0)
    mean, half = mean_interval(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0 and half == pytest.approx(4.302652729749464 * 1.0 / math.sqrt(3))
    assert runs_for_probability(0.5) == 385  # the textbook ±5 points at p = 0.5
    assert runs_for_probability(1.0) == 73   # p held at 0.95
    verdict = convergence([o], [m], metrics)
    assert not verdict.enough and verdict.needed >= 289


def test_chunks_run_long_enough_but_leave_work_for_every_worker() -> None:
    assert chunk_size(None, 100, 2) == 1
    assert chunk_size(2.0, 100, 2) == 1
    assert chunk_size(0.01, 1000, 2) == 50
    assert chunk_size(0.01, 20, 2) == 2


def test_paired_differences_of_two_plans() -> None:
    """Four paired runs: A met 2, B met 3 (B alone met run 1); value differences 1, 2, 3,
    4: mean 2.5 ± t(0.975, 3)·sd/√4."""
    import pyarrow as pa

    from drillsim.analysis.batch.compare import paired

    rows = {"variant": [], "replicate": [], "objective": [], "metric": [], "met": [],
            "value": []}
    for v, met, values in ((0, [1, 0, 1, 0], [10.0, 20, 30, 40]),
                           (1, [1, 1, 1, 0], [11.0, 22, 33, 44])):
        for i in range(4):
            for key, x in (("variant", v), ("replicate", i), ("objective", "o"),
                           ("metric", "m"), ("met", bool(met[i])), ("value", values[i])):
                rows[key].append(x)
    (r,) = paired(pa.table(rows))
    assert (r.p_a, r.p_b, r.diff, r.only_a, r.only_b) == (0.5, 0.75, 0.25, 0, 1)
    assert r.mcnemar_p == 1.0
    sd = np.std([1, 2, 3, 4], ddof=1)
    assert r.value_diff == 2.5
    assert r.value_half == pytest.approx(3.182446305284263 * sd / 2)
    assert r.correlation == pytest.approx(1.0)


def test_compare_runs_both_plans_on_common_random_numbers(tmp_path: Path) -> None:
    from drillsim.scenarios.examples import EXAMPLES

    src = EXAMPLES[CHEM]
    (tmp_path / "chem-park-region.yaml").write_text(
        src.with_name("chem-park-region.yaml").read_text())
    text = src.read_text()
    (tmp_path / "slow.yaml").write_text(text)
    faster = text.replace("median: 15min, sigma: 0.5", "median: 5min, sigma: 0.5")
    assert faster != text
    (tmp_path / "fast.yaml").write_text(faster)
    p = subprocess.run([DRILLSIM, "compare", str(tmp_path / "slow.yaml"),
                        str(tmp_path / "fast.yaml"), "-n", "3", "--workers", "0",
                        "--out", str(tmp_path / "cmp")], capture_output=True, text=True,
                       timeout=300, check=False)
    assert p.returncode == 0, p.stderr
    assert "fast against slow (common random numbers)" in p.stdout
    with Store(tmp_path / "cmp", read_only=True) as store:
        reps = store.table("replicates").to_pylist()
    seeds = {(r["variant"], r["replicate"]): (r["seed_entropy"], r["spawn_key"]) for r in reps}
    assert all(seeds[(0, i)] == seeds[(1, i)] for i in range(3))


def test_sweep_runs_each_sampled_variant_and_ranks_the_drivers(tmp_path: Path) -> None:
    from drillsim.scenarios.examples import EXAMPLES

    src = EXAMPLES[CHEM]
    (tmp_path / "chem-park-region.yaml").write_text(
        src.with_name("chem-park-region.yaml").read_text())
    (tmp_path / "sweep.yaml").write_text(src.read_text() + """
uncertainty:
  parameters:
    - {name: l3_delay, path: plan.levels.III.declare_delay.median,
       dist: {uniform: [3min, 30min]}}
  options:
    - {name: dispatch, path: plan.dispatch.policy, choices: [nearest, severity]}
""")
    p = subprocess.run([DRILLSIM, "sweep", str(tmp_path / "sweep.yaml"), "-n", "3", "-r", "1",
                        "--workers", "0", "--out", str(tmp_path / "sw")], capture_output=True,
                       text=True, timeout=300, check=False)
    assert p.returncode == 0, p.stderr
    assert "Objectives over the sweep (3 variants)" in p.stdout
    assert "Spearman rank correlation" in p.stdout
    with Store(tmp_path / "sw", read_only=True) as store:
        values = store.table("variants").to_pylist()
        lags = [r["value"] for r in store.table("metrics").to_pylist()
                if r["metric"] == "level_declaration_lag_s"]
    delays = sorted(float(r["value"]) for r in values if r["name"] == "l3_delay")
    assert len(delays) == 3 and all(180.0 <= d <= 1800.0 for d in delays)
    assert sorted((d - 180.0) // 540.0 for d in delays) == [0.0, 1.0, 2.0]  # one per stratum
    assert len(lags) == 3  # one run of each variant
    bad = subprocess.run([DRILLSIM, "sweep", CHEM, "-n", "2"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "declares nothing uncertain" in bad.stderr


def test_the_command_refuses_to_mix_batches_in_one_folder(tmp_path: Path) -> None:
    args = [DRILLSIM, "batch", CHEM, "-n", "1", "--workers", "0", "--out", str(tmp_path)]
    assert subprocess.run(args, capture_output=True, timeout=300, check=False).returncode == 0
    again = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 2 and "already holds a batch; pass --resume" in again.stderr
    other = subprocess.run([*args[:4], "2", *args[5:], "--resume"], capture_output=True,
                           text=True, timeout=300, check=False)
    assert other.returncode == 2 and "(replicates changed)" in other.stderr
    assert "Traceback" not in again.stderr + other.stderr
