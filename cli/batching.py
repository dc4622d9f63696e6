"""What ``drillsim batch``, ``sweep``, ``compare`` and ``rerun`` do, behind the thin commands
in :mod:`drillsim.cli.main`: choose the backend, keep the store, show progress and print the
statistics at the end."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from drillsim.analysis.batch.replicate import Scenarios, Settings, Task
from drillsim.analysis.batch.runner import (
    Backend,
    DaskCluster,
    InProcess,
    LocalPool,
    Outcome,
    run_tasks,
)
from drillsim.analysis.batch.runner import (
    Progress as ProgressFn,
)
from drillsim.analysis.batch.stats import convergence, metric_stats, objective_stats
from drillsim.analysis.batch.store import Store
from drillsim.analysis.metrics import SCALARS
from drillsim.analysis.report import fmt


@dataclass(frozen=True)
class Where:
    """Where a batch runs: ``workers`` local processes (0: in this process), or Dask at
    ``scheduler`` (or on a local cluster with ``dask_local``)."""

    workers: int = 2
    scheduler: str | None = None
    dask_local: bool = False

    def backend(self, scenarios: Scenarios, settings: Settings) -> Backend:
        if self.scheduler or self.dask_local:
            return DaskCluster(scenarios, settings, max(1, self.workers), self.scheduler)
        if self.workers <= 0:
            return InProcess(scenarios, settings)
        return LocalPool(scenarios, settings, self.workers)

    def text(self) -> str:
        if self.scheduler:
            return f"Dask at {self.scheduler}"
        if self.dask_local:
            return f"a local Dask cluster of {self.workers}"
        return f"{self.workers} worker process{'es' * (self.workers != 1)}" if self.workers \
            else "this process"


@contextlib.contextmanager
def batch_progress(console: Console, label: str) -> Iterator[ProgressFn]:
    """A live bar with rate and time remaining on a terminal; a plain line every tenth of the
    batch otherwise (log files get no carriage-return frames)."""
    started = time.perf_counter()
    if console.is_terminal:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                      TextColumn("left"), TimeRemainingColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task(escape(label), total=None, rate="")

            def update(done: int, total: int, failed: int) -> None:
                rate = done / max(time.perf_counter() - started, 1e-9)
                note = f"{rate:.2f} runs/s" + (f", {failed} failed" if failed else "")
                bar.update(task, completed=done, total=total, rate=note)

            yield update
        return
    last = [-1]

    def line(done: int, total: int, failed: int) -> None:
        tenth = int(10 * done / max(total, 1))
        if tenth > last[0]:
            last[0] = tenth
            rate = done / max(time.perf_counter() - started, 1e-9)
            left = (total - done) / rate if rate > 0 else float("nan")
            console.print(f"{escape(label)}: {done}/{total} runs, {rate:.2f} runs/s, "
                          f"about {left:.0f} s left" + (f", {failed} failed" if failed else ""))

    yield line


def execute(scenarios: Scenarios, tasks: Sequence[Task], settings: Settings, where: Where,
            store: Store, console: Console, label: str) -> Outcome:
    """Run the tasks not yet in ``store`` and keep what finished, even when interrupted."""
    backend = where.backend(scenarios, settings)
    try:
        with batch_progress(console, label) as progress:
            outcome = run_tasks(backend, store, tasks, progress)
    except BaseException:
        backend.close(cancel=True)
        raise
    backend.close()
    return outcome


def spec_of(kind: str, compiled: Any, root_seed: int, replicates: int,
            variants: Sequence[dict[str, Any]], keep_logs: bool) -> dict[str, Any]:
    """What a batch is, for the store's resume check (not where its file lives)."""
    return {"kind": kind, "scenario": compiled.name, "digest": compiled.digest,
            "root_seed": root_seed, "replicates": replicates,
            "variants": json.loads(json.dumps(list(variants))), "keep_logs": keep_logs}


def print_batch_summary(console: Console, store: Store, variant_names: Sequence[str] = ()
                        ) -> None:
    """Each objective's probability with its Wilson interval, the means of the metrics the
    objectives name, the convergence verdict and the failed replicates."""
    objectives, metrics = store.table("objectives"), store.table("metrics")
    objs, mets = objective_stats(objectives), metric_stats(metrics)
    multi = len({o.variant for o in objs}) > 1

    def vname(v: int) -> str:
        return variant_names[v] if v < len(variant_names) else f"variant {v}"

    table = Table(title="Objectives over the runs", title_justify="left")
    for col in (["variant"] if multi else []) + ["objective", "met", "P(met)", "95 % interval"]:
        table.add_column(col)
    for o in objs:
        colour = "green" if o.low >= 0.8 else "red" if o.probability < 0.5 else "yellow"
        table.add_row(*([escape(vname(o.variant))] if multi else []), escape(o.objective),
                      f"{o.met}/{o.runs}", f"[{colour}]{o.probability:.0%}[/{colour}]",
                      f"{o.low:.0%} – {o.high:.0%}")
    if objs:
        console.print(table)
    named = {o.metric for o in objs}
    mt = Table(title="Metrics the objectives name", title_justify="left")
    for col in (["variant"] if multi else []) + ["metric", "mean ± 95 %", "5 % – median – 95 %",
                                                  "never"]:
        mt.add_column(col)
    for m in mets:
        if m.metric not in named:
            continue
        unit = SCALARS[m.metric].unit if m.metric in SCALARS else ""
        bare = unit if unit in ("s", "share", "severity") else ""  # units said once
        tail = f" {unit}" if unit and not bare else ""
        half = f" ± {fmt.value(m.half_width, bare)}" if m.half_width == m.half_width else ""
        mt.add_row(*([escape(vname(m.variant))] if multi else []), m.metric,
                   fmt.value(m.mean, bare) + half + tail,
                   " – ".join(fmt.value(q, bare) for q in (m.q05, m.q50, m.q95)) + tail,
                   str(m.never))
    if named:
        console.print(mt)
    conv = convergence(objs, mets, metrics)
    if conv.enough:
        console.print(f"[green]enough runs:[/green] every probability within ±5 points and "
                      f"every mean within ±5 % ({conv.runs} runs)")
    else:
        console.print(f"[yellow]not enough runs yet[/yellow] ({conv.runs}); about "
                      f"{conv.needed} would do:")
        for v, text in conv.short[:8]:
            console.print(f"  {escape(vname(v)) + ': ' if multi else ''}{escape(text)}")
        if len(conv.short) > 8:
            console.print(f"  … and {len(conv.short) - 8} more")
    failed = store.db.execute("SELECT variant, replicate FROM replicates WHERE status = 'error' "
                              "ORDER BY variant, replicate").fetchall()
    if failed:
        first_v, first_r = failed[0]
        console.print(f"[red]{len(failed)} replicate(s) failed[/red]; their seeds and "
                      f"tracebacks are in the replicates table. Reproduce one with: drillsim "
                      f"rerun {escape(str(store.path.parent))} --replicate {first_r}"
                      + (f" --variant {first_v}" if first_v else ""))


def read_spec(folder: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """A batch folder's spec and facts, read without locking it for long."""
    with Store(folder, read_only=True) as store:
        spec = store.spec() or {}
        facts = dict(store.db.execute("SELECT key, value FROM batch").fetchall())
    return spec, facts


def write_facts(store: Store, facts: dict[str, str]) -> None:
    store.db.executemany("INSERT OR REPLACE INTO batch VALUES (?, ?)", list(facts.items()))


def compile_variant(facts: dict[str, str], spec: dict[str, Any], variant: int) -> Any:
    """The compiled scenario of ``variant`` of a stored batch, from its scenario file."""
    from drillsim.scenarios import load

    compared = spec.get("kind") == "compare"
    source = Path(facts.get("source_b" if compared and variant == 1 else "source", ""))
    if not source.is_file():
        raise FileNotFoundError(source)
    values = (spec.get("variants") or [{}])[variant]
    if not values or compared:
        return load(source)
    from drillsim.scenarios.variants import Variants

    return Variants.of(source).compile(values)


class Interrupted(Exception):  # noqa: N818 (what the user sees)
    """A batch stopped by Ctrl-C, with what is kept."""


def run_stored(scenarios: Scenarios, tasks: Sequence[Task], spec: dict[str, Any],
               variants: Sequence[dict[str, Any]], facts: dict[str, str], target: Path,
               where: Where, resume: bool, keep_logs: bool, root_seed: int, console: Console,
               label: str, report: Callable[[Store], None]) -> Outcome:
    """The life of a stored batch: begin (or check the spec on resume: ``SpecMismatch``), run
    what is missing (Ctrl-C: ``Interrupted``), and ``report`` on the store, which is closed
    however the batch ends."""
    with Store(target) as store:
        store.begin(spec, variants, resume)  # SpecMismatch: another batch is there
        write_facts(store, facts)
        logs = target / "logs"
        if keep_logs:
            logs.mkdir(exist_ok=True)
        settings = Settings(root_seed, str(logs) if keep_logs else "")
        try:
            outcome = execute(scenarios, tasks, settings, where, store, console, label)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted: {len(store.done())} of {len(tasks)} replicates "
                              f"are kept in {target}; rerun the same command with --resume "
                              "to finish") from None
        if resume and outcome.submitted < len(tasks):
            console.print(f"resumed: {len(tasks) - outcome.submitted} replicates were already "
                          "done", markup=False)
        report(store)
    return outcome


def print_comparison(console: Console, store: Store, names: Sequence[str]) -> None:
    """The paired differences of plan B against plan A, objective by objective."""
    from drillsim.analysis.batch.compare import paired

    rows = paired(store.table("objectives"))
    a, b = names
    table = Table(title=f"{b} against {a} (common random numbers)", title_justify="left")
    for col in ("objective", f"P({a})", f"P({b})", "difference [95 %]", "only A / only B",
                "McNemar p", "mean value difference [95 %]"):
        table.add_column(col)
    for r in rows:
        unit = SCALARS[r.metric].unit if r.metric in SCALARS else ""
        colour = "green" if r.diff - r.diff_half > 0 else "red" if r.diff + r.diff_half < 0 \
            else "white"
        half = f"± {100 * r.diff_half:.0f}" if r.diff_half == r.diff_half else ""
        vd = (f"{fmt.value(r.value_diff, unit)} ± {fmt.value(r.value_half, unit)}"
              if r.value_half == r.value_half else fmt.value(r.value_diff, unit))
        table.add_row(escape(r.objective), f"{r.p_a:.0%}", f"{r.p_b:.0%}",
                      f"[{colour}]{100 * r.diff:+.0f} {half} points[/{colour}]",
                      f"{r.only_a} / {r.only_b}", f"{r.mcnemar_p:.3g}", vd)
    console.print(table)
    console.print("A difference whose interval excludes 0 is coloured; McNemar's test uses "
                  "only the runs in which exactly one plan met the objective.")


SOBOL_BASE_N = 256
"""Base sample below which Sobol' estimates are flagged as rough (Saltelli et al. 2010 use
N of 500 and more; bootstrap intervals shrink as 1/√N)."""


def per_variant(objectives: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each objective: per variant, the mean of its finite values (NaN if none) and the
    share of runs that met it."""
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in objectives.to_pylist():
        groups.setdefault((r["objective"], r["variant"]), []).append(r)
    n_var = 1 + max((v for _, v in groups), default=-1)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for (oid, v), rows in groups.items():
        mean, share = out.setdefault(oid, (np.full(n_var, np.nan), np.full(n_var, np.nan)))
        x = np.array([np.nan if r["value"] is None else r["value"] for r in rows], float)
        mean[v] = x[np.isfinite(x)].mean() if np.isfinite(x).any() else np.nan
        share[v] = np.mean([bool(r["met"]) for r in rows])
    return out


def print_sweep(console: Console, store: Store, declared: Any, samples: Sequence[dict[str, Any]],
                method: str) -> None:
    """Each objective's probability over the whole sweep (the uncertainty averaged over), and
    which parameter drives it: Sobol' indices for a Saltelli design, Spearman rank
    correlations otherwise."""
    from scipy import stats

    from drillsim.analysis.batch.stats import objective_stats
    from drillsim.analysis.scoring import wilson
    from drillsim.scenarios.sampling import sobol_indices

    objectives = store.table("objectives")
    pooled: dict[str, list[int]] = {}
    for o in objective_stats(objectives):
        k, n = pooled.setdefault(o.objective, [0, 0])
        pooled[o.objective] = [k + o.met, n + o.runs]
    table = Table(title=f"Objectives over the sweep ({len(samples)} variants)",
                  title_justify="left")
    for col in ("objective", "met", "P(met)", "95 % interval"):
        table.add_column(col)
    for oid, (k, n) in pooled.items():
        low, high = wilson(k, n)
        table.add_row(escape(oid), f"{k}/{n}", f"{k / n:.0%}", f"{low:.0%} – {high:.0%}")
    console.print(table)
    names = [p.name for p in declared.parameters] + [o.name for o in declared.options]
    choices = {o.name: list(o.choices) for o in declared.options}
    done = {v for v, _ in store.done()}
    if len(done) < len(samples):
        console.print("sensitivity needs every variant; finish the sweep with --resume")
        return
    title = ("Sobol' indices: first order S1 (total ST)" if method == "saltelli"
             else "Spearman rank correlation with each parameter")
    sens = Table(title=title, title_justify="left")
    for col in ("objective", "output", *names):
        sens.add_column(col)
    for oid, (mean, share) in per_variant(objectives).items():
        y, label = (mean, "mean value") if np.isfinite(mean).all() else (share, "P(met)")
        if np.ptp(y) == 0:
            sens.add_row(escape(oid), label, *["–"] * len(names))
            continue
        if method == "saltelli":
            idx = sobol_indices(declared, samples, y)
            cells = [f"{idx[n]['S1']:.2f} ± {idx[n]['S1_conf']:.2f} ({idx[n]['ST']:.2f})"
                     for n in names]
        else:
            cells = []
            for n in names:
                # an option's choices ranked in the order the scenario lists them
                x = [choices[n].index(s[n]) if n in choices else float(s[n]) for s in samples]
                rho = stats.spearmanr(x, y).statistic if len(set(x)) > 1 else float("nan")
                cells.append(f"{rho:+.2f}")
        sens.add_row(escape(oid), label, *cells)
    console.print(sens)
    base_n = len(samples) // (2 * len(names) + 2)
    if method == "saltelli" and base_n < SOBOL_BASE_N:
        console.print(f"[yellow]note:[/yellow] a base sample of {base_n} is small for Sobol' "
                      f"indices (values outside 0-1 are estimator noise); use -n "
                      f"{SOBOL_BASE_N} or more for estimates to rely on.")
    if method != "saltelli":
        console.print("For Sobol' indices (the share of variance each parameter explains), "
                      "sweep with --method saltelli.")
