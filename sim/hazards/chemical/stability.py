"""Pasquill-Gifford stability class from surface weather: the Pasquill-Turner table.

Pasquill, F. (1961). The estimation of the dispersion of windborne material. Meteorological
Magazine 90, 33-49; as tabulated in Turner, D. B. (1970). Workbook of Atmospheric
Dispersion Estimates, EPA AP-26, Table 1, and reproduced in Boubel, R. W., Fox, D. L.,
Turner, D. B. and Stern, A. C. (1994). Fundamentals of Air Pollution, 3rd ed., Table 19-3
(the copy read for this module). The table is kept in ``data/pasquill_turner.csv``:

    surface wind   day: insolation          night
    (m/s, 10 m)    strong moderate slight   thinly overcast or >= 4/8 low cloud   <= 3/8
    < 2            A      A-B      B        E*                                    F*
    2-3            A-B    B        C        E                                     F
    3-5            B      B-C      C        D                                     E
    5-6            C      C-D      D        D                                     D
    > 6            C      D        D        D                                     D

and class D "regardless of wind speed, for overcast conditions during day or night"
(note 3 of the table). Night is the period from 1 h before sunset to 1 h after sunrise;
the same note asks for D during the hour either side of night, which the caller expresses
by passing overcast sky or choosing the day/night flag accordingly.

Conventions of this module (not part of the published table):

* Wind bins: u < 2, 2 <= u < 3, 3 <= u < 5, 5 <= u < 6, u >= 6 m/s.
* *The night cells for u < 2 m/s are blank in Pasquill's and Turner's tables; they are
  filled with E and F as in NOAA's READY tables (Pasquill stability classes page), which
  reproduce Pasquill (1961) with those cells filled.
* Intermediate categories (A-B, B-C, C-D; Turner: "take the average of values for A and
  B") resolve to the more stable letter: for near-ground toxic releases the more stable
  class gives the higher ground-level concentration, so the choice errs on the safe side.
  :func:`pasquill_turner_category` returns the unresolved table cell.
* Night columns: cloud >= 4 oktas is "thinly overcast or >= 4/8 low cloud", < 4 oktas
  "<= 3/8"; 8 oktas is overcast (class D) by day or night.
* Insolation, when not given, is derived from the cloud cover alone: 0-2 oktas strong,
  3-5 moderate, 6-7 slight (8 is overcast, D). Pasquill's insolation also depends on the
  sun's elevation (strong = sunny midsummer midday in England, slight = the same in
  midwinter), which this fallback ignores; pass ``insolation`` when it is known.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike, NDArray

INSOLATION_LEVELS = ("strong", "moderate", "slight")
OVERCAST_OKTAS = 8.0
#: Night column threshold: ">= 4/8 low cloud" vs "<= 3/8" (Turner 1970, Table 1).
NIGHT_CLOUDY_FROM_OKTAS = 4.0
#: This module's fallback: cloud (oktas) from which insolation drops to moderate, slight.
MODERATE_FROM_OKTAS = 3.0
SLIGHT_FROM_OKTAS = 6.0
_COLUMNS = ("day_strong", "day_moderate", "day_slight", "night_cloudy", "night_clear")


@cache
def pasquill_turner_table() -> tuple[NDArray[np.float64], NDArray[np.str_]]:
    """Read ``data/pasquill_turner.csv``: lower wind edges (m/s) and the [row, column] cells."""
    text = resources.files(__package__).joinpath("data", "pasquill_turner.csv").read_text()
    rows = list(csv.DictReader(text.splitlines()))
    edges = np.array([float(row["wind_from_m_s"]) for row in rows])
    cells = np.array([[row[column] for column in _COLUMNS] for row in rows])
    return edges, cells


def insolation_from_cloud(cloud_cover_oktas: ArrayLike) -> NDArray[np.str_]:
    """This module's fallback insolation from cloud alone: 0-2 strong, 3-5 moderate, else slight."""
    oktas = _oktas(cloud_cover_oktas)
    level = np.digitize(oktas, [MODERATE_FROM_OKTAS, SLIGHT_FROM_OKTAS])
    return np.asarray(INSOLATION_LEVELS)[level]


def pasquill_turner_category(
    wind_m_s: ArrayLike,
    daytime: ArrayLike,
    cloud_cover_oktas: ArrayLike | None = None,
    insolation: ArrayLike | None = None,
) -> NDArray[np.str_]:
    """The cell of the Pasquill-Turner table (Turner 1970 Table 1), e.g. "A-B" or "D".

    Day: column by ``insolation`` ("strong", "moderate", "slight"), else derived from
    ``cloud_cover_oktas`` (see :func:`insolation_from_cloud`). Night: column by cloud cover.
    Overcast (8 oktas) gives D day or night. Arguments broadcast.
    """
    wind_m_s = np.asarray(wind_m_s, dtype=float)
    if np.any(~(wind_m_s >= 0.0)):
        raise ValueError("wind_m_s must be >= 0")
    daytime = np.asarray(daytime, dtype=bool)
    edges, cells = pasquill_turner_table()
    row = np.digitize(wind_m_s, edges[1:])
    column = _column(daytime, cloud_cover_oktas, insolation)
    category = cells[row, column]
    if cloud_cover_oktas is not None:
        category = np.where(_oktas(cloud_cover_oktas) >= OVERCAST_OKTAS, "D", category)
    return np.asarray(category)


def stability_class(
    wind_m_s: ArrayLike,
    daytime: ArrayLike,
    cloud_cover_oktas: ArrayLike | None = None,
    insolation: ArrayLike | None = None,
) -> str | NDArray[np.str_]:
    """Pasquill-Gifford class A-F from the Pasquill-Turner table (Turner 1970, Table 1).

    An intermediate cell resolves to its more stable letter (A-B -> B). Returns a ``str``
    for scalar inputs, else an array of letters. Night needs ``cloud_cover_oktas``; day
    needs ``insolation`` or ``cloud_cover_oktas``.
    """
    category = pasquill_turner_category(wind_m_s, daytime, cloud_cover_oktas, insolation)
    letters = np.asarray(np.char.rpartition(category, "-")[..., 2])
    return str(letters) if letters.ndim == 0 else letters


def _column(
    daytime: NDArray[np.bool_], cloud: ArrayLike | None, insolation: ArrayLike | None
) -> NDArray[np.intp]:
    if cloud is None and np.any(~daytime):
        raise ValueError("a night-time stability class needs cloud_cover_oktas")
    if insolation is None and cloud is None:
        raise ValueError("a daytime stability class needs insolation or cloud_cover_oktas")
    if insolation is None:
        day_level = insolation_from_cloud(cloud)
    else:
        day_level = np.char.lower(np.asarray(insolation, dtype=str))
    day_column = np.full(np.shape(day_level), -1, dtype=np.intp)
    for i, level in enumerate(INSOLATION_LEVELS):
        day_column[day_level == level] = i
    night_column = 3 if cloud is None else np.where(_oktas(cloud) >= NIGHT_CLOUDY_FROM_OKTAS, 3, 4)
    column = np.where(daytime, day_column, night_column)
    if np.any(column < 0):
        raise ValueError(f"unknown insolation; valid values are {list(INSOLATION_LEVELS)}")
    return column


def _oktas(cloud_cover_oktas: ArrayLike) -> NDArray[np.float64]:
    oktas = np.asarray(cloud_cover_oktas, dtype=float)
    if np.any(~((oktas >= 0.0) & (oktas <= OVERCAST_OKTAS))):
        raise ValueError("cloud_cover_oktas must be within 0-8")
    return oktas
