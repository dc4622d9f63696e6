"""What the after-action report of a batch says: over the run folders of one scenario, each
objective's probability of being met with its Wilson interval, the spread of its values,
which objectives fail together, and how often each capability got each grade."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from drillsim.analysis.report import fmt
from drillsim.analysis.report.figures import Embedded, embed
from drillsim.analysis.report.findings import (
    RELIABLE,
    UNRELIABLE,
    batch_findings,
    improvement_plan,
)
from drillsim.analysis.report.run import ReportError, is_run_folder, with_defaults
from drillsim.analysis.runio import read_json
from drillsim.analysis.scoring import GRADE_RULE, GRADES, batch_table

GRADE_COLOURS = {"P": "#1a7f37", "S": "#7cb342", "M": "#f2a900", "U": "#c62828"}


def run_folders(folder: Path) -> list[Path]:
    """The run folders directly inside ``folder``, in name order."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and is_run_folder(p))


def _number(v: float | str | None) -> float:
    if v is None:
        return np.nan
    if isinstance(v, str):
        return -np.inf if v == "-inf" else np.inf
    return float(v)


@dataclass
class BatchRuns:
    """The runs of one batch as the report reads them: per run, its objectives' rows (id,
    text, metric, capability, weight, op, threshold, unit, value, met) and its grades."""

    scenario: str
    card: dict[str, Any]
    names: list[str]
    seeds: list[Any]
    rows: list[list[dict[str, Any]]]
    grades: list[dict[str, str]]
    duration_s: float
    links: list[str]
    note: str = ""


def from_run_folders(folder: Path) -> BatchRuns:
    """A folder of run folders (each written by ``drillsim run``); all of one scenario."""
    runs = run_folders(folder)
    if not runs:
        raise ReportError(f"{folder} holds no run folders (each needs summary.json and "
                          "events.parquet) and no batch (batch.duckdb)")
    summaries = [read_json(r / "summary.json") for r in runs]
    names = {s.get("scenario") for s in summaries}
    ids = {tuple(o["id"] for o in s.get("objectives", [])) for s in summaries}
    if len(names) > 1 or len(ids) > 1:
        raise ReportError(f"the runs in {folder} are not all of one scenario and plan "
                          f"(scenarios: {', '.join(sorted(map(str, names)))}); report on "
                          "each batch separately")
    card_file = runs[0] / "scenario.json"
    return BatchRuns(
        scenario=summaries[0].get("scenario", ""),
        card=read_json(card_file) if card_file.is_file() else {},
        names=[r.name for r in runs],
        seeds=[s.get("seed", {}).get("entropy") for s in summaries],
        rows=[s.get("scorecard", {}).get("objectives", []) for s in summaries],
        grades=[{k: v["grade"] for k, v in s.get("scorecard", {}).get("capabilities", {})
                 .items()} for s in summaries],
        duration_s=summaries[0].get("duration_s", 0.0),
        links=[f"{r.name}/report.html" if (r / "report.html").is_file() else "" for r in runs])


def from_store(folder: Path, variant: int = 0) -> BatchRuns:
    """A batch written by ``drillsim batch`` (``batch.duckdb``): its replicates that ran."""
    from drillsim.analysis.batch.store import Store
    from drillsim.analysis.metrics import SCALARS

    with Store(folder, read_only=True) as store:
        facts = dict(store.db.execute("SELECT key, value FROM batch").fetchall())
        reps = [r for r in store.table("replicates").to_pylist()
                if r["variant"] == variant and r["status"] == "ok"]
        objectives = [r for r in store.table("objectives").to_pylist()
                      if r["variant"] == variant]
        grades = [r for r in store.table("grades").to_pylist() if r["variant"] == variant]
        variants = store.db.execute("SELECT count(DISTINCT variant) FROM replicates").fetchone()
    if not reps:
        raise ReportError(f"the batch in {folder} has no finished replicate to report on")
    card = json.loads(facts.get("card", "{}"))
    defs = {o["id"]: o for o in card.get("objectives", [])}
    by_rep: dict[int, list[dict[str, Any]]] = {}
    for o in objectives:
        d = defs.get(o["objective"], {})
        by_rep.setdefault(o["replicate"], []).append({
            "id": o["objective"], "text": d.get("text", ""), "metric": o["metric"],
            "capability": o["capability"], "weight": d.get("weight", 1.0),
            "op": d.get("op"), "threshold": d.get("threshold"),
            "unit": SCALARS[o["metric"]].unit if o["metric"] in SCALARS else "",
            "value": o["value"], "met": o["met"]})
    by_grade: dict[int, dict[str, str]] = {}
    for g in grades:
        by_grade.setdefault(g["replicate"], {})[g["capability"]] = g["grade"]
    ids = [r["replicate"] for r in reps]
    n_var = int(variants[0]) if variants else 1
    return BatchRuns(
        scenario=card.get("name", folder.name), card=card,
        names=[f"replicate {i}" for i in ids], seeds=[f"[{i}]" for i in ids],
        rows=[by_rep.get(i, []) for i in ids], grades=[by_grade.get(i, {}) for i in ids],
        duration_s=card.get("duration_s", 0.0), links=[""] * len(ids),
        note=(f"This report covers variant {variant} of the batch's {n_var}." if n_var > 1
              else ""))


def load_batch(folder: Path) -> BatchRuns:
    from drillsim.analysis.batch.store import DB_NAME

    return from_store(folder) if (folder / DB_NAME).is_file() else from_run_folders(folder)


def batch_context(folder: Path) -> dict[str, Any]:
    b = load_batch(folder)
    rows, card = b.rows, with_defaults(b.card)
    first = rows[0]
    ids = [r["id"] for r in first]
    met = np.array([[bool(r["met"]) for r in rr] for rr in rows], bool).reshape(len(rows), -1)
    values = np.array([[_number(r.get("value")) for r in rr] for rr in rows],
                      float).reshape(len(rows), -1)
    table, both = batch_table(ids, met, values)
    objectives = []
    for j, (bo, r) in enumerate(zip(table, first, strict=True)):
        unit = r.get("unit", "")
        finite = values[:, j][np.isfinite(values[:, j])]
        objectives.append({
            **{k: r.get(k) for k in ("id", "text", "metric", "capability", "weight", "op",
                                     "threshold", "unit")},
            "met": bo.met, "runs": bo.runs, "probability": bo.probability, "low": bo.low,
            "high": bo.high,
            "target_text": (fmt.target(r["op"], r["threshold"], unit) if r.get("op")
                            else "—"),  # a store written before batches kept the card
            "median_text": fmt.value(float(np.median(finite)), unit) if len(finite) else "—",
            "range_text": (f"{fmt.value(bo.quantiles[0], unit)} – "
                           f"{fmt.value(bo.quantiles[-1], unit)}" if bo.quantiles else "—"),
            "unmeasured": int(np.isnan(values[:, j]).sum()),
        })
    strengths, areas = batch_findings(objectives)
    grade_counts: dict[str, Counter[str]] = {}
    for g in b.grades:
        for name, letter in g.items():
            grade_counts.setdefault(name, Counter())[letter] += 1
    per_run = [{"name": name, "seed": seed, "met": sum(bool(o["met"]) for o in rr),
                "objectives": len(rr), "grades": g, "report": link}
               for name, seed, rr, g, link in zip(b.names, b.seeds, rows, b.grades, b.links,
                                                  strict=True)]
    return {
        "kind": "batch",
        "title": b.scenario or card.get("name") or folder.name,
        "card": card,
        "start_text": fmt.start_text(card.get("start", "")),
        "duration_text": fmt.duration(b.duration_s),
        "generated": date.today().isoformat(),
        "n_runs": len(rows),
        "objectives": objectives,
        "capabilities": [{"name": name, "counts": {g: c.get(g, 0) for g in GRADES},
                          "runs": sum(c.values())} for name, c in grade_counts.items()],
        "joint": {"ids": ids, "counts": both.tolist()},
        "grade_rule": GRADE_RULE,
        "grades": GRADES,
        "strengths": strengths,
        "areas": areas,
        "plan_rows": improvement_plan(areas),
        "runs": per_run,
        "figures": batch_figures(objectives, values, both, grade_counts),
        "notes": [b.note] if b.note else [],
    }


def batch_figures(objectives: list[dict[str, Any]], values: np.ndarray, both: np.ndarray,
                  grades: dict[str, Counter[str]]) -> list[Embedded]:
    out = [embed(_probability_figure(objectives), "probabilities",
                 "Probability that each objective is met",
                 "Share of runs meeting each objective, with its 95 % Wilson interval.",
                 wide=True)]
    out.append(embed(_values_figure(objectives, values), "values",
                     "Distribution of each objective's value",
                     "Each dot is one run; the line is the objective's threshold, the shaded "
                     "side is where it is met.", wide=True))
    if len(objectives) > 1 and both.any():
        out.append(embed(_joint_figure(objectives, both), "joint",
                         "Objectives that fail together",
                         "Runs in which both objectives failed (the diagonal: runs in which "
                         "that objective failed)."))
    if grades:
        out.append(embed(_grades_figure(grades), "grades", "Capability grades over the runs",
                         "How many runs gave each capability each grade."))
    return out


def _label(o: dict[str, Any]) -> str:
    return o["id"]


def _probability_figure(objectives: list[dict[str, Any]]) -> Any:
    n = len(objectives)
    fig, ax = plt.subplots(figsize=(9, 0.45 * n + 1.3), layout="constrained")
    y = np.arange(n)[::-1]
    p = np.array([o["probability"] for o in objectives])
    lo = np.array([o["low"] for o in objectives])
    hi = np.array([o["high"] for o in objectives])
    colours = [GRADE_COLOURS["P"] if b >= RELIABLE else GRADE_COLOURS["U"]
               if v < UNRELIABLE else GRADE_COLOURS["M"] for v, b in zip(p, lo, strict=True)]
    ax.barh(y, p, color=colours, alpha=0.85)
    ax.errorbar(p, y, xerr=np.clip([p - lo, hi - p], 0, None), fmt="none", ecolor="black",
                capsize=3, lw=1)
    ax.set_yticks(y, [_label(o) for o in objectives])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("runs meeting the objective")
    ax.grid(axis="x", alpha=0.3)
    return fig


def _values_figure(objectives: list[dict[str, Any]], values: np.ndarray) -> Any:
    n = len(objectives)
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.4 * rows), squeeze=False,
                             layout="constrained")
    rng = np.random.default_rng(0)  # jitter only
    for j, o in enumerate(objectives):
        ax = axes[j // cols][j % cols]
        v = values[:, j]
        factor = 1 / 3600.0 if o["unit"] == "s" else 100.0 if o["unit"] == "share" else 1.0
        unit = "h" if o["unit"] == "s" else "%" if o["unit"] == "share" else o["unit"]
        finite = v[np.isfinite(v)] * factor
        x = rng.uniform(-0.25, 0.25, len(finite))
        thr = o["threshold"] * factor
        good = ">" in o["op"]
        ax.scatter(x, finite, s=12, color="0.2", alpha=0.7, zorder=3)
        if len(finite):
            ax.boxplot(finite, positions=[0], widths=0.6, showfliers=False,
                       medianprops={"color": "tab:blue"})
        ax.axhline(thr, color="#c62828", lw=1.2)
        lo_y, hi_y = ax.get_ylim()
        lo_y, hi_y = min(lo_y, thr), max(hi_y, thr)
        ax.axhspan(thr, hi_y if good else lo_y, color="#1a7f37", alpha=0.08)
        ax.set_ylim(lo_y, hi_y)
        ax.set_xticks([])
        ax.set_title(_label(o), fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        missing = len(v) - len(finite)
        if missing:
            ax.text(0.02, 0.02, f"{missing} run(s) not measured or never", fontsize=7,
                    transform=ax.transAxes, color="0.35")
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    return fig


def _joint_figure(objectives: list[dict[str, Any]], both: np.ndarray) -> Any:
    n = len(objectives)
    fig, ax = plt.subplots(figsize=(0.6 * n + 3.2, 0.6 * n + 2.2), layout="constrained")
    im = ax.imshow(both, cmap="Reds", vmin=0)
    labels = [_label(o) for o in objectives]
    ax.set_xticks(range(n), labels, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(both[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if both[i, j] > 0.6 * both.max() else "black")
    fig.colorbar(im, ax=ax, label="runs failing both", shrink=0.8)
    return fig


def _grades_figure(grades: dict[str, Counter[str]]) -> Any:
    names = list(grades)
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(names) + 1.3), layout="constrained")
    y = np.arange(len(names))[::-1]
    left = np.zeros(len(names))
    for g in GRADES:
        counts = np.array([grades[n].get(g, 0) for n in names], float)
        ax.barh(y, counts, left=left, color=GRADE_COLOURS[g], label=f"{g}: {GRADES[g]}")
        left += counts
    ax.set_yticks(y, names)
    ax.set_xlabel("runs")
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
              frameon=False)
    return fig
