"""Verification of the dispatch model against queueing theory.

With one incident type, Poisson arrivals, exponential work times, c identical teams at the
incident's own node (zero travel) and no shifts, the dispatch board is an M/M/c queue: the
mean wait from an incident's creation to its first team on scene must match Erlang's C
formula (:func:`drillsim.analysis.queueing.mmc_mean_wait`). Each seed is one independent
replication; the test requires the formula's value inside the 95 % confidence interval of the
mean of the replications' mean waits (Student t), with the interval narrow enough (±15 % of
the formula) that the comparison means something.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from builders import tiny, write
from scipy import stats

from drillsim.analysis.queueing import erlang_c, mmc_mean_wait
from drillsim.scenarios import load
from drillsim.sim import run

WARM_UP_S = 10 * 3600.0
"""Incidents created before this are left out: the queue starts empty."""


def mmc_scenario(tmp_path: Path, per_hour: float, mean_min: float, teams: int,
                 hours: float) -> Path:
    data = tiny()
    data["meta"]["duration"] = f"{hours}h"
    data["region"]["zones"] = [{"id": "Z1", "x": 0, "y": 0, "population": 10,
                                "households": 4}]
    data["region"]["roads"] = {
        "nodes": [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 1000, "y": 0}],
        "links": [{"id": "AB", "from": "A", "to": "B", "free_speed_km_h": 36}]}
    data["region"]["shelters"] = []
    data["region"]["stations"] = [{"id": "F1", "node": "A"}]
    data["hazards"] = []
    data["plan"] = {"id": "mmc", "teams": [
        {"id": f"T{k}", "type": "fire_rescue", "size": 4, "base": "F1"}
        for k in range(teams)]}
    data["incidents"] = {
        "types": {"call": {"teams": ["fire_rescue"], "max_teams": 1,
                           "work_time": {"dist": "exponential", "mean": f"{mean_min}min"}}},
        "arrivals": [{"type": "call", "per_hour": per_hour, "zones": ["Z1"]}]}
    data["injects"] = {}
    return write(tmp_path, data)


def mean_waits(path: Path, seeds: range) -> np.ndarray:
    """Each seed's mean wait (s) from creation to first team on scene, after warm-up."""
    compiled = load(path)
    out = []
    for seed in seeds:
        frame = run(compiled, seed).log.to_table().to_pandas()
        created = frame[frame.kind == "incident.create"].set_index("actor").t_s
        arrived = frame[frame.kind == "team.arrive"].groupby("task").t_s.min()
        wait = (arrived.reindex(created.index) - created)[created >= WARM_UP_S]
        assert wait.notna().mean() > 0.95  # nearly all reached before the end
        out.append(float(wait.dropna().mean()))
    return np.array(out)


def check_against_erlang(waits: np.ndarray, per_hour: float, mean_min: float,
                         teams: int) -> tuple[float, float, float]:
    expected = mmc_mean_wait(per_hour / 3600.0, 1.0 / (mean_min * 60.0), teams)
    mean = float(waits.mean())
    half = float(stats.t.ppf(0.975, len(waits) - 1) * waits.std(ddof=1)
                 / math.sqrt(len(waits)))
    assert half < 0.15 * expected, f"interval ±{half:.0f} s too wide to test anything"
    assert mean - half <= expected <= mean + half, (mean, half, expected)
    return expected, mean, half


def test_erlang_c_formula_matches_textbook_values() -> None:
    # a = 2 Erlang on 3 servers: C = 4/9 (closed form: (a^c/c!)(c/(c-a)) / (Σ + same))
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)
    # one server: C = ρ
    assert erlang_c(1, 0.7) == pytest.approx(0.7, rel=1e-12)
    assert mmc_mean_wait(0.7, 1.0, 1) == pytest.approx(0.7 / 0.3, rel=1e-12)
    assert erlang_c(2, 2.5) == 1.0 and math.isinf(mmc_mean_wait(3.0, 1.0, 2))


def test_dispatch_queue_matches_erlang_c(tmp_path: Path) -> None:
    """c = 3 teams, ρ = 0.7: 24 replications of 300 h."""
    waits = mean_waits(mmc_scenario(tmp_path, 2.1, 60.0, 3, 300), range(1, 25))
    check_against_erlang(waits, 2.1, 60.0, 3)


@pytest.mark.slow
@pytest.mark.parametrize(("per_hour", "mean_min", "teams"),
                         [(0.5, 60.0, 1), (3.0, 48.0, 3), (8.0, 45.0, 8)])
def test_dispatch_queue_matches_erlang_c_more_loads(tmp_path: Path, per_hour: float,
                                                   mean_min: float, teams: int) -> None:
    """M/M/1 at ρ = 0.5, M/M/3 at ρ = 0.8 and M/M/8 at ρ = 0.75: 60 replications of 400 h."""
    path = mmc_scenario(tmp_path, per_hour, mean_min, teams, 400)
    check_against_erlang(mean_waits(path, range(1, 61)), per_hour, mean_min, teams)
