"""The README's opening commands and its Python example, executed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README.read_text(), re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]


def test_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for code in blocks:
        exec(compile(code, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert "orders reached zones" in out and "'met':" in out


def test_yaml_examples_are_valid_scenario_sections(tmp_path: Path) -> None:
    """Every YAML block in the README is a section a scenario accepts as written."""
    import yaml
    from builders import tiny, write

    from drillsim.scenarios import check

    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(), re.S)
    assert blocks
    for block in blocks:
        data = tiny(**yaml.safe_load(block))
        result = check(write(tmp_path, data))
        assert not result.errors, [str(p) for p in result.errors]
