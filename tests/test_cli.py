"""The command line, end to end, as a person would use it (real subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from builders import tiny, write

from drillsim.scenarios import check

DRILLSIM = [str(Path(sys.executable).with_name("drillsim"))]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DRILLSIM, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, check=False)


def no_traceback(p: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in p.stdout + p.stderr


def test_run_writes_events_metrics_and_summary(tmp_path: Path) -> None:
    p = cli("run", "chemical-park-chlorine", "--seed", "4", "--out", str(tmp_path / "out"))
    assert p.returncode == 0, p.stderr
    # Off a terminal, progress is a plain line every tenth of the run, on stderr only.
    progress = [line for line in p.stderr.splitlines() if "simulated" in line]
    assert len(progress) == 11 and progress[-1].endswith("100% simulated")
    assert "\r" not in p.stderr and "% simulated" not in p.stdout
    out = tmp_path / "out"
    events = pq.read_table(out / "events.parquet")
    assert events.num_rows > 50 and events.column_names[:3] == ["t_s", "seq", "kind"]
    manifest = json.loads(events.schema.metadata[b"drillsim.manifest"])
    assert manifest["seed"]["entropy"] == 4
    assert manifest["scenario"] == "Chemical park chlorine release"
    metrics = pq.read_table(out / "metrics.parquet")
    assert metrics.column("t_s").to_pylist()[:2] == [0.0, 300.0]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["population"] == 31_000 and len(summary["objectives"]) == 3
    assert str(out / "events.parquet") in p.stdout  # tells the user where outputs are
    card = json.loads((out / "scenario.json").read_text())
    assert card["name"] == "Chemical park chlorine release"
    assert [o["id"] for o in card["objectives"]] == [o["id"] for o in summary["objectives"]]
    assert (out / "map.npz").stat().st_size > 1000
    no_traceback(p)
    r = cli("report", str(out), "--at", "20min", "--at", "1h")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote {out / 'report.html'}"
    assert "00:20 after the start" not in r.stdout  # the page holds it, not the terminal
    bad = cli("report", str(out), "--at", "soon")
    assert bad.returncode == 2 and "--at soon" in bad.stderr
    no_traceback(bad)


def test_default_seed_and_output_folder(tmp_path: Path) -> None:
    path = write(tmp_path, tiny())
    p = cli("run", str(path), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "runs" / "scenario-seed1" / "summary.json").exists()


def test_schema_is_json_schema_of_the_whole_language(tmp_path: Path) -> None:
    p = cli("schema", "-o", str(tmp_path / "s.json"))
    assert p.returncode == 0
    schema = json.loads((tmp_path / "s.json").read_text())
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) == {"meta", "region", "plan"}
    assert schema["additionalProperties"] is False
    text = json.dumps(schema)
    for name in ("FloodHazard", "EarthquakeHazard", "ChemicalHazard", "DurationDist"):
        assert name in text
    stdout = cli("schema")
    assert json.loads(stdout.stdout) == schema


def test_new_writes_a_starter_that_validates_and_runs(tmp_path: Path) -> None:
    p = cli("new", "drill.yaml", cwd=tmp_path)
    assert p.returncode == 0
    text = (tmp_path / "drill.yaml").read_text()
    assert text.count("#") > 10  # commented
    assert not check(tmp_path / "drill.yaml").errors
    assert cli("run", "drill.yaml", cwd=tmp_path).returncode == 0
    again = cli("new", "drill.yaml", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr
    no_traceback(again)


def test_generate_city(tmp_path: Path) -> None:
    p = cli("generate-city", "--population", "30000", "-o", str(tmp_path / "c.yaml"))
    assert p.returncode == 0 and "30,000 residents" in p.stdout
    data = yaml.safe_load((tmp_path / "c.yaml").read_text())
    assert sum(z["population"] for z in data["region"]["zones"]) == 30_000
    assert cli("validate", str(tmp_path / "c.yaml")).returncode == 0


def test_examples_are_listed_and_validate() -> None:
    p = cli("examples")
    names = [line.split()[0] for line in p.stdout.splitlines()]
    assert names == ["chemical-park-chlorine", "city-earthquake", "helsinki-quake-chlorine",
                     "riverside-flood"]
    v = cli("validate", *names)
    assert v.returncode == 0 and v.stdout.count(": valid") == 4


@pytest.mark.parametrize(("args", "phrase"), [
    (["run", "no-such-file.yaml"], "no such file"),
    (["run", "riverside-flood", "--metrics-every", "5"], "--metrics-every"),
    (["run", "riverside-flood", "--seed", "-3"], "seed"),
    (["generate-city", "--population", "5"], "population"),
    (["validate"], "Missing argument"),
])
def test_usage_errors_are_one_clear_message(args: list[str], phrase: str) -> None:
    p = cli(*args)
    assert p.returncode != 0
    assert phrase in p.stderr
    no_traceback(p)


def test_help_for_every_command() -> None:
    import re

    top = cli("--help")
    for cmd in ("validate", "schema", "run", "new", "examples", "generate-city"):
        assert re.search(rf"^\W*{cmd}\s+\S", top.stdout, re.M), cmd  # listed with its help
        sub = cli(cmd, "--help")
        assert sub.returncode == 0 and "Usage" in sub.stdout


def test_output_path_problems_are_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (["run", "chemical-park-chlorine", "--out", str(blocker)],
                 ["schema", "-o", str(tmp_path / "missing" / "s.json")],
                 ["new", str(tmp_path / "missing" / "x.yaml")]):
        p = cli(*args)
        assert p.returncode == 2 and p.stderr.startswith("drillsim: cannot write or read")
        no_traceback(p)


def test_validate_goes_on_after_a_missing_file(tmp_path: Path) -> None:
    p = cli("validate", str(tmp_path / "nope.yaml"), "chemical-park-chlorine")
    assert p.returncode == 1
    assert "no such file" in p.stderr and "chemical-park-chlorine: valid" in p.stdout


def test_scenario_text_is_printed_as_written(tmp_path: Path) -> None:
    data = tiny()
    data["meta"]["name"] = "Flood drill [/draft] [red]v2"
    p = cli("run", str(write(tmp_path, data)), "--out", str(tmp_path / "o"))
    assert p.returncode == 0, p.stderr
    assert "Flood drill [/draft] [red]v2" in p.stdout
