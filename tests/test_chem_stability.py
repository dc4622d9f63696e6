"""Pasquill-Gifford class from weather, cell by cell against the Pasquill-Turner table.

Oracle: the table as printed in Boubel, Fox, Turner and Stern (1994), Fundamentals of Air
Pollution, 3rd ed., Table 19-3 ("From Pasquill"), which is Turner (1970) Workbook Table 1,
typed here by hand; the two blank night cells for winds below 2 m/s are NOAA READY's E and
F. Intermediate cells resolve to their more stable letter (the module's documented rule).
"""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.sim.hazards.chemical.stability import (
    insolation_from_cloud,
    pasquill_turner_category,
    stability_class,
)

# Rows: one wind speed inside each bin (m/s). Columns: strong, moderate, slight insolation;
# night >= 4/8 low cloud; night <= 3/8 cloud.
TABLE = {
    1.0: ("A", "A-B", "B", "E", "F"),
    2.5: ("A-B", "B", "C", "E", "F"),
    4.0: ("B", "B-C", "C", "D", "E"),
    5.5: ("C", "C-D", "D", "D", "D"),
    8.0: ("C", "D", "D", "D", "D"),
}
BIN_EDGES_M_S = {2.0: 2.5, 3.0: 4.0, 5.0: 5.5, 6.0: 8.0, 0.0: 1.0}
DAY = ("strong", "moderate", "slight")
NIGHT_CLOUD_OKTAS = (5.0, 2.0)
CELLS = [(wind, column, cell) for wind, row in TABLE.items() for column, cell in enumerate(row)]


def _category(wind_m_s: float, column: int) -> str:
    if column < 3:
        return str(pasquill_turner_category(wind_m_s, True, insolation=DAY[column]))
    return str(pasquill_turner_category(wind_m_s, False, NIGHT_CLOUD_OKTAS[column - 3]))


@pytest.mark.parametrize(("wind_m_s", "column", "cell"), CELLS)
def test_every_cell_of_the_table(wind_m_s: float, column: int, cell: str) -> None:
    assert _category(wind_m_s, column) == cell


@pytest.mark.parametrize(("wind_m_s", "column", "cell"), CELLS)
def test_every_cell_resolves_to_its_more_stable_letter(
    wind_m_s: float, column: int, cell: str
) -> None:
    if column < 3:
        got = stability_class(wind_m_s, True, insolation=DAY[column])
    else:
        got = stability_class(wind_m_s, False, NIGHT_CLOUD_OKTAS[column - 3])
    assert got == cell[-1]


@pytest.mark.parametrize(("edge_m_s", "inside_m_s"), BIN_EDGES_M_S.items())
def test_bin_edges_belong_to_the_upper_bin(edge_m_s: float, inside_m_s: float) -> None:
    for column in range(5):
        assert _category(edge_m_s, column) == TABLE[inside_m_s][column]


@pytest.mark.parametrize("wind_m_s", [0.5, 2.0, 4.0, 5.5, 12.0])
@pytest.mark.parametrize("daytime", [True, False])
def test_overcast_is_neutral_day_and_night(wind_m_s: float, daytime: bool) -> None:
    assert stability_class(wind_m_s, daytime, cloud_cover_oktas=8) == "D"
    if daytime:
        assert stability_class(wind_m_s, True, 8, insolation="strong") == "D"


def test_night_cloud_threshold_is_four_oktas() -> None:
    assert stability_class(2.5, False, 4.0) == "E"
    assert stability_class(2.5, False, 3.0) == "F"


def test_insolation_from_cloud_cover() -> None:
    levels = insolation_from_cloud([0, 2, 3, 5, 6, 7])
    assert levels.tolist() == ["strong", "strong", "moderate", "moderate", "slight", "slight"]
    assert stability_class(1.0, True, cloud_cover_oktas=1) == "A"
    assert stability_class(4.0, True, cloud_cover_oktas=4) == "C"  # moderate: B-C
    assert stability_class(2.5, True, cloud_cover_oktas=7) == "C"  # slight


def test_given_insolation_overrides_cloud_by_day() -> None:
    assert stability_class(1.0, True, cloud_cover_oktas=7, insolation="strong") == "A"


def test_vectorised_matches_elementwise() -> None:
    wind = np.array([1.0, 2.5, 4.0, 5.5, 8.0, 3.0])
    daytime = np.array([True, True, False, False, True, False])
    cloud = np.array([1.0, 6.0, 2.0, 5.0, 8.0, 4.0])
    classes = stability_class(wind, daytime, cloud)
    assert isinstance(classes, np.ndarray)
    expected = [stability_class(*args) for args in zip(wind, daytime, cloud, strict=True)]
    assert classes.tolist() == expected
    assert expected == ["A", "C", "E", "D", "D", "D"]


def test_scalar_input_returns_a_string() -> None:
    assert isinstance(stability_class(3.0, True, insolation="slight"), str)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((3.0, False), {}, "cloud_cover_oktas"),
        ((3.0, True), {}, "insolation"),
        ((3.0, True), {"insolation": "blazing"}, "strong"),
        ((3.0, False), {"cloud_cover_oktas": 9}, "0-8"),
        ((-1.0, True), {"insolation": "strong"}, "wind_m_s"),
    ],
)
def test_bad_inputs_raise(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        stability_class(*args, **kwargs)
