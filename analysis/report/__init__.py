"""The after-action report: ``drillsim report RUN_OR_BATCH_DIR`` writes one self-contained
HTML file (styles and figures inside, no network needed) that prints cleanly to A4 or PDF.

A run folder gets the report of one exercise run; a folder of run folders (a batch) gets the
probabilities over its runs. The structure follows the HSEEP after-action report and
improvement plan (exercise overview, analysis of capabilities with strengths and areas for
improvement, improvement plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drillsim.analysis.report.run import ReportError, is_run_folder

__all__ = ["ReportError", "render", "write_report"]


def render(template: str, context: dict[str, Any]) -> str:
    """The page for ``context`` from the package's ``template`` (autoescaped)."""
    import jinja2

    from drillsim.analysis.report import fmt

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("drillsim.analysis.report", "templates"),
        autoescape=jinja2.select_autoescape(("html",)),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["pct"] = lambda p: "—" if p is None else f"{100 * p:.0f} %"
    env.filters["duration"] = fmt.duration
    env.filters["elapsed"] = fmt.elapsed
    return env.get_template(template).render(**context)


def write_report(folder: Path, out: Path | None = None,
                 map_times_s: list[float] | None = None) -> Path:
    """Write the report of the run or batch in ``folder`` (to ``folder/report.html`` unless
    ``out`` is given) and return its path."""
    if not folder.is_dir():
        raise ReportError(f"{folder} is not a folder")
    if is_run_folder(folder):
        from drillsim.analysis.report.run import run_context

        page = render("run.html", run_context(folder, map_times_s))
    else:
        from drillsim.analysis.report.batch import batch_context

        page = render("batch.html", batch_context(folder))
    target = out or folder / "report.html"
    target.write_text(page, encoding="utf-8")
    return target
