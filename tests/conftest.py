"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import tiny, write

from drillsim.scenarios import load
from drillsim.sim.compiled import Compiled


@pytest.fixture
def tiny_compiled(tmp_path: Path) -> Compiled:
    return load(write(tmp_path, tiny()))

