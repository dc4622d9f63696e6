"""What the commands print and write."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from drillsim.analysis.metrics import SCALARS
from drillsim.analysis.runio import RunOutputs, write_run
from drillsim.analysis.scenario_card import scenario_card
from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.schema import Scenario
from drillsim.sim import run
from drillsim.sim.compiled import Compiled
from drillsim.sim.plan import LEVEL_NAMES


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "drillsim scenario"
    return schema


def starter_text(dem_name: str = "starter-dem.asc") -> str:
    """The commented starter scenario of ``drillsim new``, naming its DEM file."""
    text = (resources.files("drillsim.scenarios") / "templates" / "starter.yaml").read_text(
        encoding="utf-8")
    return text.replace("file: starter-dem.asc", f"file: {dem_name}")


def write_starter(path: Path) -> Path:
    """Write the starter scenario and its terrain (a river valley) beside it."""
    from drillsim.scenarios.synth import river_valley
    from drillsim.scenarios.terrain import write_asc

    dem = path.with_name(f"{path.stem}-dem.asc")
    path.write_text(starter_text(dem.name), encoding="utf-8")
    write_asc(river_valley(-800.0, -1000.0, 80, 80, 25.0, river_y=0.0, east_end_m=1200.0),
              dem)
    return dem


def run_and_write(compiled: Compiled, seed: Any, folder: Path, every_s: float,
                  progress: Callable[[float], None] | None = None,
                  source: Path | None = None) -> RunOutputs:
    from drillsim.analysis.plots.chemical import write_chemical_figures
    from drillsim.analysis.plots.evacuation import write_evacuation_figures
    from drillsim.analysis.plots.flood import write_flood_figures
    from drillsim.analysis.plots.quake import write_quake_figures
    from drillsim.analysis.plots.response import write_response_figures

    result = run(compiled, seed, progress=progress)
    card = scenario_card(compiled)
    if source is not None:  # where a replay finds the scenario to run decision points
        card["source"] = str(source.resolve())
    outputs = write_run(result.log, folder, compiled.plan.objectives, every_s, card=card)
    write_map_snapshot(compiled, result, folder)
    outputs.figures = write_flood_figures(compiled.world, result.hazards, folder)
    outputs.figures += write_quake_figures(result.log, compiled.world, folder)
    outputs.figures += write_chemical_figures(compiled.world, result.hazards, result.log, folder)
    outputs.figures += write_response_figures(result.log, compiled.world, folder)
    outputs.figures += write_evacuation_figures(result.log, folder)
    return outputs


def write_map_snapshot(compiled: Compiled, result: Any, folder: Path) -> Path:
    """``map.npz``: the region and each hazard's field on frames (every 5 min for runs up to
    12 h, where releases change fast, every 15 min beyond), so reports and the replay can draw
    the map without the scenario file."""
    from drillsim.analysis.mapdata import map_data, write_map

    every = 300.0 if compiled.duration_s <= 12 * 3600.0 else 900.0
    md = map_data(compiled.world, result.hazards, compiled.duration_s, every_s=every,
                  max_frames=145)
    return write_map(md, folder / "map.npz")


@contextlib.contextmanager
def run_progress(console: Console, label: str) -> Iterator[Callable[[float], None]]:
    """A progress reporter for a run: a live bar on a terminal, a plain line every tenth of
    the run otherwise (log files get no carriage-return frames)."""
    if console.is_terminal:
        with Progress(TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.percentage:>3.0f}% simulated"), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task(escape(label), total=1.0)
            yield lambda done: bar.update(task, completed=done)
        return
    last = [-1]

    def line(done: float) -> None:
        tenth = int(done * 10)
        if tenth > last[0]:
            last[0] = tenth
            console.print(f"{escape(label)}: {10 * tenth}% simulated")

    yield line


def shown(value: float | str | None, unit: str) -> str:
    """A metric value as a person reads it: durations as durations, levels as I–IV, shares
    as percentages; ``"never"`` (a time never reached) as it is."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if unit == "s":
        return format_duration(value)
    if unit == "severity":
        return LEVEL_NAMES[int(value)]
    if unit == "share":
        return f"{100 * value:.1f} %"
    return f"{value:,.4g}"


def evacuation_table(values: dict[str, float | str | None]) -> Table:
    """The run's evacuation metrics, each with its value and unit."""
    table = Table(title="Evacuation", title_justify="left")
    for col in ("metric", "value", "unit"):
        table.add_column(col)
    for name, value in values.items():
        unit = SCALARS[name].unit
        table.add_row(name, shown(value, unit), "" if unit in ("s", "share") else unit)
    return table


def print_summary(console: Console, r: RunOutputs) -> None:
    s = r.summary
    console.print(f"[bold]{escape(s['scenario'])}[/bold] — seed {s['seed'].get('entropy')}, "
                  f"{format_duration(s['duration_s'])} simulated, {s['events']:,} events")
    orders = ", ".join(s["orders_issued"]) or "none"
    console.print(f"population {s['population']:,.0f} · highest response level "
                  f"{s['max_response_level']} · orders {orders} · injects "
                  f"{s['injects_fired']} · teams ready {s['teams_ready']}", markup=False)
    if s["objectives"]:
        table = Table(title="Objectives", title_justify="left")
        for col in ("objective", "metric", "value", "target", "met", "margin", "decided at"):
            table.add_column(col)
        card = {o["id"]: o for o in s.get("scorecard", {}).get("objectives", [])}
        for o in s["objectives"]:
            unit = SCALARS[o["metric"]].unit
            c = card.get(o["id"], {})
            m, at = c.get("margin"), c.get("decided_at_s")
            table.add_row(escape(o["id"]), o["metric"], shown(o["value"], unit),
                          f"{o['op']} {shown(o['threshold'], unit)}",
                          "[green]yes[/green]" if o["met"] else "[red]no[/red]",
                          f"{m:+.0%}" if isinstance(m, float) else "–",
                          format_duration(at) if at is not None else "–")
        console.print(table)
        for name, g in s.get("scorecard", {}).get("capabilities", {}).items():
            console.print(f"capability {escape(name)}: [bold]{g['grade']}[/bold] "
                          f"({g['meaning']})")
    if s.get("evacuation"):
        console.print(evacuation_table(s["evacuation"]))
    for w in s["warnings"]:
        console.print(f"[yellow]note:[/yellow] {escape(w)}")
    console.print("outputs:")
    for label, path in (("events", r.events), ("metrics", r.metrics),
                        ("summary", r.summary_file), *(("figure", f) for f in r.figures)):
        console.print(f"  {label:8} {path}", markup=False)
    console.print(f"after-action report: drillsim report {r.folder}", markup=False)
