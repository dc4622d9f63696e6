"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import example, example_run, tiny, write

from drillsim.scenarios import load
from drillsim.sim.compiled import Compiled


@pytest.fixture
def tiny_compiled(tmp_path: Path) -> Compiled:
    return load(write(tmp_path, tiny()))



@pytest.fixture(scope="session")
def chem_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chemical example (seed 4) written as `drillsim run` writes it, without figures."""
    from drillsim.analysis.runio import write_run
    from drillsim.analysis.scenario_card import scenario_card
    from drillsim.cli.outputs import write_map_snapshot

    folder = tmp_path_factory.mktemp("chem-run")
    compiled = example("chemical-park-chlorine")
    result = example_run("chemical-park-chlorine", 4)
    write_run(result.log, folder, compiled.plan.objectives, card=scenario_card(compiled))
    write_map_snapshot(compiled, result, folder)
    return folder
