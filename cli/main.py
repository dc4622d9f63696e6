"""``drillsim`` — validate, run and author disaster drill scenarios.

Errors a person can fix are one clear sentence (or one located line per problem in a scenario
file); a Python traceback is shown only with ``DRILLSIM_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from drillsim.scenarios.examples import EXAMPLES, resolve
from drillsim.scenarios.problems import ScenarioError

app = typer.Typer(
    name="drillsim",
    help="Disaster scenario simulation and drill engine: floods, earthquakes and chemical "
    "releases, evacuation, rescue and shelters, scored against the response plan under test.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

ScenarioArg = Annotated[str, typer.Argument(
    help="a scenario YAML file, or the name of a bundled example (see `drillsim examples`)",
    show_default=False)]


class Failure(Exception):  # noqa: N818 (it is what the user sees fail)
    """A failure to report as one sentence, with an exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def friendly(fn: F) -> F:
    """Turn every failure into a readable message and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except ScenarioError as exc:
            _print_problems(exc.problems)
            raise typer.Exit(1) from None
        except Failure as exc:
            err.print(f"drillsim: {exc}", markup=False)
            raise typer.Exit(exc.code) from None
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            err.print(f"drillsim: cannot write or read{where}: {exc.strerror or exc}",
                      markup=False)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("drillsim: interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get("DRILLSIM_DEBUG"):
                raise
            err.print(f"drillsim: internal error: {type(exc).__name__}: {exc}. This is a bug; "
                      "please report it with the scenario file (set DRILLSIM_DEBUG=1 for the "
                      "traceback).", markup=False)
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


def _print_problems(problems: list[Any]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        err.print(str(p), markup=False)
    if errors:
        n = len(errors)
        err.print(f"{n} error{'s' if n != 1 else ''} found.", markup=False)


def _scenario_path(name: str) -> Path:
    try:
        return resolve(name)
    except FileNotFoundError as exc:
        raise Failure(str(exc)) from None


@app.command()
@friendly
def validate(
    files: Annotated[list[str], typer.Argument(help="scenario files (or bundled example "
                                                     "names)", show_default=False)],
) -> None:
    """Check scenario files and report every problem with its file, line and column."""
    from drillsim.scenarios import check

    failed = False
    for name in files:
        try:
            path = _scenario_path(name)
        except Failure as exc:
            err.print(f"drillsim: {exc}", markup=False)
            failed = True
            continue
        result = check(path)
        _print_problems(result.problems)
        if result.errors:
            failed = True
        else:
            w = result.compiled.world if result.compiled else None
            detail = (f" ({len(w.zones)} zones, {w.population:,} residents, "
                      f"{len(set(w.roads.link_ids))} road links, {len(w.shelters)} shelters)"
                      if w else "")
            out.print(f"{name}: valid{detail}", markup=False)
    if failed:
        raise typer.Exit(1)


@app.command()
@friendly
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="write here instead of to stdout")] = None,
) -> None:
    """Write the scenario JSON Schema, for editors that complete and check YAML."""
    from drillsim.cli import outputs

    text = json.dumps(outputs.json_schema(), indent=2, ensure_ascii=False)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")
        out.print(f"wrote {output}", markup=False)


@app.command()
@friendly
def run(
    scenario: ScenarioArg,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's "
                                                  "meta.seed)", min=0)] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (default: "
                                                 "runs/<scenario>-seed<N>)")] = None,
    metrics_every: Annotated[str, typer.Option(help="metrics sampling interval")] = "5min",
) -> None:
    """Run one replicate and write events.parquet, metrics.parquet and summary.json."""
    from drillsim.cli import outputs
    from drillsim.scenarios import load
    from drillsim.scenarios.durations import parse_duration

    path = _scenario_path(scenario)
    try:
        every = parse_duration(metrics_every)
    except ValueError as exc:
        raise Failure(f"--metrics-every: {exc}") from None
    if every <= 0:
        raise Failure("--metrics-every must be longer than 0s")
    compiled = load(path)
    used = compiled.default_seed if seed is None else seed
    target = out_dir or Path("runs") / f"{path.stem}-seed{used}"
    target.mkdir(parents=True, exist_ok=True)  # fail now, not after a long run
    with outputs.run_progress(err, f"{compiled.name} (seed {used})") as progress:
        result = outputs.run_and_write(compiled, used, target, every, progress, source=path)
    outputs.print_summary(out, result)


@app.command()
@friendly
def report(
    folder: Annotated[Path, typer.Argument(help="a run folder (from `drillsim run`) or a "
                                           "folder of run folders (a batch)",
                                           show_default=False)],
    out_file: Annotated[Path | None, typer.Option("--out", help="where to write the HTML "
                                                  "(default: FOLDER/report.html)")] = None,
    at: Annotated[list[str] | None, typer.Option("--at", help="a time for the map, e.g. "
                                                 "'2h' (repeat for up to 4; default: key "
                                                 "moments of the hazard)")] = None,
) -> None:
    """Write the after-action report: one HTML file that opens offline and prints to PDF."""
    from drillsim.analysis.report import ReportError, write_report
    from drillsim.scenarios.durations import parse_duration

    times = []
    for text in at or []:
        try:
            times.append(parse_duration(text))
        except ValueError as exc:
            raise Failure(f"--at {text}: {exc}") from None
    if len(times) > 4:
        raise Failure("--at: at most 4 map times")
    try:
        path = write_report(folder, out_file, times or None)
    except ReportError as exc:
        raise Failure(str(exc)) from None
    out.print(f"wrote {path}", markup=False)


WorkersOpt = Annotated[int, typer.Option("--workers", "-w", min=0,
                                         help="worker processes (0: run in this process)")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="run on the Dask scheduler at this address, e.g. tcp://host:8786")]
DaskLocalOpt = Annotated[bool, typer.Option("--dask-local", help="run on a local Dask "
                                            "cluster of --workers processes")]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="finish a batch that was "
                                         "interrupted: run only the missing replicates")]


@app.command()
@friendly
def batch(
    scenario: ScenarioArg,
    n: Annotated[int, typer.Option("-n", help="replicates to run", min=1)],
    workers: WorkersOpt = 2,
    out_dir: Annotated[Path | None, typer.Option("--out", help="batch folder (default: "
                                                 "runs/<scenario>-batch)")] = None,
    seed: Annotated[int | None, typer.Option(help="root seed (default: the scenario's "
                                                  "meta.seed)", min=0)] = None,
    scheduler: SchedulerOpt = None,
    dask_local: DaskLocalOpt = False,
    resume: ResumeOpt = False,
    keep_logs: Annotated[bool, typer.Option("--keep-logs", help="keep every replicate's "
                                            "event log (logs/*.parquet)")] = False,
    parquet: Annotated[bool, typer.Option("--parquet", help="also export the results to "
                                          "parquet/*.parquet")] = False,
) -> None:
    """Run N replicates (a Monte Carlo batch) and store the results in DuckDB."""
    from drillsim.analysis.batch.replicate import Fixed, Task
    from drillsim.analysis.batch.store import Store
    from drillsim.analysis.scenario_card import scenario_card
    from drillsim.cli import batching
    from drillsim.scenarios import load

    path = _scenario_path(scenario)
    compiled = load(path)
    root = compiled.default_seed if seed is None else seed
    target = out_dir or Path("runs") / f"{path.stem}-batch"
    where = batching.Where(workers, scheduler, dask_local)
    err.print(f"{compiled.name}: {n} replicates (root seed {root}) on {where.text()}, "
              f"results in {target}", markup=False)

    def report(store: Store) -> None:
        batching.print_batch_summary(out, store)
        if parquet:
            out.print(f"parquet: {store.export_parquet(target / 'parquet')[0].parent}",
                      markup=False)

    with _batch_failures():
        batching.run_stored(
            Fixed(compiled), [Task(i) for i in range(n)],
            batching.spec_of("batch", compiled, root, n, [{}], keep_logs), [],
            {"source": str(path.resolve()), "card": json.dumps(scenario_card(compiled))},
            target, where, resume, keep_logs, root, err, compiled.name, report)
    out.print(f"results: {target / 'batch.duckdb'} (tables replicates, objectives, grades, "
              f"metrics); report: drillsim report {target}", markup=False)


@contextlib.contextmanager
def _batch_failures() -> Iterator[None]:
    """A stored batch's failures a person can act on, told as one sentence."""
    from drillsim.analysis.batch.store import SpecMismatch
    from drillsim.cli.batching import Interrupted

    try:
        yield
    except SpecMismatch as exc:
        raise Failure(str(exc)) from None
    except Interrupted as exc:
        raise Failure(str(exc), 130) from None


@app.command()
@friendly
def compare(
    plan_a: Annotated[str, typer.Argument(help="scenario with plan A (file or example name)",
                                          show_default=False)],
    plan_b: Annotated[str, typer.Argument(help="the same scenario with plan B",
                                          show_default=False)],
    n: Annotated[int, typer.Option("-n", help="replicates of each plan", min=2)],
    workers: WorkersOpt = 2,
    out_dir: Annotated[Path | None, typer.Option("--out", help="batch folder (default: "
                                                 "runs/<A>-vs-<B>)")] = None,
    seed: Annotated[int | None, typer.Option(help="root seed (default: A's meta.seed)",
                                             min=0)] = None,
    scheduler: SchedulerOpt = None,
    dask_local: DaskLocalOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Run two plans on common random numbers and report their paired differences."""
    from drillsim.analysis.batch.replicate import Named, Task
    from drillsim.analysis.batch.store import Store
    from drillsim.analysis.scenario_card import scenario_card
    from drillsim.cli import batching
    from drillsim.scenarios import load

    pa, pb = _scenario_path(plan_a), _scenario_path(plan_b)
    ca, cb = load(pa), load(pb)
    names = (pa.stem, pb.stem) if pa.stem != pb.stem else ("A", "B")
    root = ca.default_seed if seed is None else seed
    target = out_dir or Path("runs") / f"{names[0]}-vs-{names[1]}"
    where = batching.Where(workers, scheduler, dask_local)
    variants = [{"plan": names[0]}, {"plan": names[1]}]
    tasks = [Task(i, v, (("plan", names[v]),)) for i in range(n) for v in (0, 1)]
    spec = batching.spec_of("compare", ca, root, n, variants, False)
    spec["digest_b"] = cb.digest
    err.print(f"{names[0]} against {names[1]}: {n} replicates each on common random numbers "
              f"(root seed {root}), on {where.text()}, results in {target}", markup=False)

    def report(store: Store) -> None:
        batching.print_batch_summary(out, store, names)
        batching.print_comparison(out, store, names)

    with _batch_failures():
        batching.run_stored(
            Named(((names[0], ca), (names[1], cb))), tasks, spec, variants,
            {"source": str(pa.resolve()), "source_b": str(pb.resolve()),
             "card": json.dumps(scenario_card(ca))},
            target, where, resume, False, root, err, f"{names[0]} vs {names[1]}", report)


@app.command()
@friendly
def sweep(
    scenario: ScenarioArg,
    n: Annotated[int, typer.Option("-n", help="variants to sample (saltelli: the base size "
                                   "N, giving N·(2D+2) variants)", min=1)],
    method: Annotated[str, typer.Option(help="lhs (Latin hypercube), sobol (quasi-random) or "
                                        "saltelli (for Sobol' indices)")] = "lhs",
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="replicates of each "
                                            "variant", min=1)] = 5,
    workers: WorkersOpt = 2,
    out_dir: Annotated[Path | None, typer.Option("--out", help="batch folder (default: "
                                                 "runs/<scenario>-sweep)")] = None,
    seed: Annotated[int | None, typer.Option(help="root seed of the replicates and the "
                                             "design (default: meta.seed)", min=0)] = None,
    scheduler: SchedulerOpt = None,
    dask_local: DaskLocalOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Sample the scenario's uncertain parameters and plan options and run each variant."""
    import warnings

    from drillsim.analysis.batch.replicate import Task
    from drillsim.analysis.batch.store import Store
    from drillsim.analysis.scenario_card import scenario_card
    from drillsim.cli import batching
    from drillsim.scenarios.sampling import METHODS, sample
    from drillsim.scenarios.variants import Variants

    if method not in METHODS:
        raise Failure(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    path = _scenario_path(scenario)
    variants = Variants.of(path)
    if not variants.names:
        raise Failure(f"{path} declares nothing uncertain: add an `uncertainty:` section with "
                      "parameters (distributions) or options (choices) to sweep")
    base = variants.base()
    root = base.default_seed if seed is None else seed
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        samples = sample(variants, n, method, root)  # type: ignore[arg-type]
    for w in caught:
        err.print(f"note: {w.message}", markup=False)
    target = out_dir or Path("runs") / f"{path.stem}-sweep"
    where = batching.Where(workers, scheduler, dask_local)
    tasks = [Task(i, k, tuple(sorted(v.items()))) for k, v in enumerate(samples)
             for i in range(replicates)]
    spec = batching.spec_of("sweep", base, root, replicates, samples, False)
    spec["method"] = method
    err.print(f"{base.name}: {len(samples)} variants ({method}) × {replicates} replicates on "
              f"{where.text()}, results in {target}", markup=False)

    def report(store: Store) -> None:
        batching.print_sweep(out, store, variants, samples, method)

    with _batch_failures():
        batching.run_stored(
            variants, tasks, spec, samples,
            {"source": str(path.resolve()), "card": json.dumps(scenario_card(base))},
            target, where, resume, False, root, err, f"{base.name} sweep", report)
    out.print(f"results: {target / 'batch.duckdb'} (the variants table holds each variant's "
              "values)", markup=False)


@app.command()
@friendly
def rerun(
    folder: Annotated[Path, typer.Argument(help="a batch folder", show_default=False)],
    replicate: Annotated[int, typer.Option("--replicate", "-r", help="the replicate to run "
                                           "again", min=0)],
    variant: Annotated[int, typer.Option("--variant", help="its variant (sweeps and "
                                         "comparisons)", min=0)] = 0,
    out_dir: Annotated[Path | None, typer.Option("--out", help="run folder (default: "
                                                 "FOLDER/rerun-v<variant>-r<replicate>)")] = None,
) -> None:
    """Run one replicate of a batch again, with its own seed, and write it as a run folder
    (a replicate that failed shows its traceback)."""
    import traceback

    from drillsim.cli import batching, outputs
    from drillsim.sim.streams import replicate_seed

    try:
        spec, facts = batching.read_spec(folder)
    except FileNotFoundError:
        raise Failure(f"{folder} holds no batch (batch.duckdb)") from None
    if not spec:
        raise Failure(f"{folder} holds no batch spec")
    n_variants = max(1, len(spec.get("variants", [])))
    if replicate >= spec["replicates"] or variant >= n_variants:
        raise Failure(f"the batch has replicates 0-{spec['replicates'] - 1} and variants "
                      f"0-{n_variants - 1}")
    try:
        compiled = batching.compile_variant(facts, spec, variant)
    except FileNotFoundError as exc:
        raise Failure(f"the batch's scenario file {exc} is gone; rerun needs it") from None
    if compiled.digest != spec["digest"] and not spec.get("variants", [{}])[variant]:
        err.print("note: the scenario file changed since the batch ran; the rerun uses it as "
                  "it is now", markup=False)
    seed = replicate_seed(spec["root_seed"], replicate)
    target = out_dir or folder / f"rerun-v{variant}-r{replicate}"
    target.mkdir(parents=True, exist_ok=True)
    try:
        with outputs.run_progress(err, f"replicate {replicate}") as progress:
            result = outputs.run_and_write(compiled, seed, target, 300.0, progress)
    except Exception:
        err.print(f"replicate {replicate} (variant {variant}, seed {spec['root_seed']} spawn "
                  f"key [{replicate}]) raised:", markup=False)
        err.print(traceback.format_exc(), markup=False)
        raise typer.Exit(1) from None
    outputs.print_summary(out, result)


@app.command()
@friendly
def replay(
    folder: Annotated[Path, typer.Argument(help="a run folder (from `drillsim run`)",
                                           show_default=False)],
    out_file: Annotated[Path | None, typer.Option("--out", help="where to write the page "
                                                  "(default: FOLDER/replay.html)")] = None,
    scenario: Annotated[Path | None, typer.Option(help="the run's scenario file, for its "
                                                  "decision points (default: the one the "
                                                  "run recorded)")] = None,
    serve: Annotated[bool, typer.Option("--serve", help="also serve the page on "
                                        "127.0.0.1 until Ctrl-C")] = False,
    port: Annotated[int, typer.Option(help="port for --serve (0: any free one)", min=0,
                                      max=65535)] = 8765,
    tui: Annotated[bool, typer.Option("--tui", help="replay in the terminal instead: clock, "
                                      "events and objective tiles")] = False,
    view: Annotated[str, typer.Option(help="--tui view: facilitator or player")] = "facilitator",
    speed: Annotated[float, typer.Option(help="--tui speed, simulated minutes per second",
                                         min=0.01)] = 5.0,
) -> None:
    """Replay a run for a tabletop exercise: a self-contained page (or the terminal) with
    the map, the clock, injects, objective tiles and decision points."""
    from drillsim.cli import replay as rp

    if view not in ("facilitator", "player"):
        raise Failure(f"--view must be facilitator or player, not {view!r}")
    try:  # each decision option other than the one played is a run: say which
        data = rp.build(folder, scenario,
                        lambda text: err.print(f"running {text}", markup=False))
    except rp.ReplayError as exc:
        raise Failure(str(exc)) from None
    if tui:
        from drillsim.cli.replay_tui import replay_tui

        replay_tui(data, out, speed_min_per_s=speed, view=view)
        return
    target = out_file or folder / "replay.html"
    target.write_text(rp.page(data), encoding="utf-8")
    out.print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB; opens offline)",
              markup=False)
    if serve:
        rp.serve(target, port, lambda url: out.print(f"serving on {url} (127.0.0.1 only; "
                                                     "Ctrl-C stops)", markup=False))


@app.command()
@friendly
def new(
    file: Annotated[Path, typer.Argument(help="where to write the starter scenario")] = Path(
        "scenario.yaml"),
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Write a commented starter scenario to edit."""
    from drillsim.cli.outputs import write_starter

    if file.exists() and not force:
        raise Failure(f"{file} exists; choose another name or pass --force")
    dem = write_starter(file)
    out.print(f"wrote {file} and its terrain {dem}; check it with: drillsim validate {file}",
              markup=False)


@app.command()
@friendly
def examples() -> None:
    """List the bundled example scenarios."""
    for name, path in EXAMPLES.items():
        out.print(f"{name:24} {path}", markup=False)


@app.command("generate-city")
@friendly
def generate_city(
    population: Annotated[int, typer.Option(help="residents", min=100)],
    output: Annotated[Path, typer.Option("--out", "-o", help="scenario file to write")] = Path(
        "city.yaml"),
    seed: Annotated[int, typer.Option(help="seed of the city's layout", min=0)] = 0,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Generate a synthetic city of any size (for benchmarks and experiments)."""
    from drillsim.scenarios.synth import CitySpec, write_city_scenario

    if output.exists() and not force:
        raise Failure(f"{output} exists; choose another name or pass --force")
    stats = write_city_scenario(CitySpec(population=population, seed=seed), output)
    out.print(f"wrote {output}: {stats}", markup=False)


@app.command("import-osm")
@friendly
def import_osm(
    extract: Annotated[Path, typer.Argument(help="OpenStreetMap extract (.osm.pbf or .osm XML)",
                                            show_default=False)],
    output: Annotated[Path, typer.Option("--out", "-o", help="region file to write (a map "
                                         "is written beside it as .png)")] = Path(
        "region.yaml"),
    bbox: Annotated[str | None, typer.Option(help="west,south,east,north in degrees")] = None,
    zones: Annotated[str, typer.Option(help="grid, admin (administrative boundaries) or "
                                       "auto")] = "auto",
    cell: Annotated[float, typer.Option(help="grid cell side, m", min=50.0)] = 500.0,
    floor_area: Annotated[float, typer.Option(help="residential floor area per person, m²",
                                              min=1.0)] = 36.5,
    usable_share: Annotated[float, typer.Option(help="share of a shelter site's effective "
                                                "area usable for sheltering (lower it for "
                                                "paths and beds the map does not show)",
                                                min=0.05, max=1.0)] = 1.0,
    population: Annotated[Path | None, typer.Option(help="CSV of zone,population to use "
                                                    "instead of the building estimate")] = None,
    dem: Annotated[Path | None, typer.Option(help="GeoTIFF of ground elevation")] = None,
    material: Annotated[str, typer.Option(help="structural material of buildings that do "
                                          "not tag one: wood, masonry, concrete or "
                                          "steel")] = "concrete",
    code_level: Annotated[str | None, typer.Option(help="seismic design level of the "
                                                   "buildings: high, moderate, low or pre "
                                                   "(Hazus)")] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Build a scenario's region from an OpenStreetMap extract, offline."""
    from drillsim.scenarios import osm

    if output.exists() and not force:
        raise Failure(f"{output} exists; choose another name or pass --force")
    if zones not in ("grid", "admin", "auto"):
        raise Failure(f"--zones must be grid, admin or auto, not {zones!r}")
    try:
        box = tuple(float(v) for v in bbox.split(",")) if bbox else None
    except ValueError:
        box = ()
    if box is not None and len(box) != 4:
        raise Failure("--bbox takes four numbers: west,south,east,north in degrees")
    try:
        options = osm.ImportOptions(
            bbox=box, zones=zones, cell_m=cell, floor_area_m2_per_person=floor_area,  # type: ignore[arg-type]
            population_csv=population, dem=osm.read_geotiff(dem) if dem else None,
            default_material=material, code_level=code_level, usable_share=usable_share)
        result = osm.import_osm(extract, options)
    except osm.OsmError as exc:
        raise Failure(str(exc)) from None
    osm.write_region(result, output, extract.name)
    osm.write_map(result, output.with_suffix(".png"))
    for line in osm.report_lines(result, extract.name):
        out.print(line, markup=False)
    out.print(f"wrote {output} and {output.with_suffix('.png')}", markup=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
