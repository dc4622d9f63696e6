"""Industrial chemicals: molecular weight, AEGL thresholds and the ten Berge toxic load.

Acute Exposure Guideline Levels (AEGLs) are the US EPA / National Research Council airborne
concentrations (ppm) above which the general population could experience notable discomfort
(AEGL-1), irreversible or escape-impairing effects (AEGL-2) or life-threatening effects
(AEGL-3), for single exposures of 10 min, 30 min, 1 h, 4 h and 8 h. The final values are kept
as data in ``data/aegl.csv`` (one row per chemical and level) and ``data/chemicals.csv``
(molecular weight, time-scaling exponent, source). Sources, per chemical:

* chlorine — NRC (2004) *Acute Exposure Guideline Levels for Selected Airborne Chemicals*,
  Vol. 4, ch. Chlorine, summary table of AEGL values;
* ammonia — NRC (2008) ibid., Vol. 6, ch. Ammonia, summary table;
* hydrogen sulfide — NRC (2010) ibid., Vol. 9, ch. Hydrogen Sulfide, summary table;
* sulfur dioxide — NRC (2010) ibid., Vol. 8, ch. Sulfur Dioxide, summary table.

The values were transcribed from public copies of these final values; the ``check`` column of
``aegl.csv`` says, row by row, how far each was cross-checked. The sulfur dioxide AEGL-3 row
rests on a single transcription and its time-scaling exponent is a default (see
``chemicals.csv``). "NR" (not recommended: insufficient data) cells are read as NaN; none of
the chemicals tabulated so far has one.

Time scaling follows ten Berge, Zwart and Appelman (1986), *J. Hazard. Mater.* 13, 301-309:
a toxic effect is reached at a constant toxic load, C^n * t = k, with the exponent n each
AEGL technical support document used (stored per chemical).
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

AEGL_DURATIONS_S = (600.0, 1800.0, 3600.0, 14400.0, 28800.0)
LEVELS = (1, 2, 3)

GAS_CONSTANT_J_MOL_K = 8.314462618
ZERO_CELSIUS_K = 273.15
# Relative slack for the ">=" of an exceedance, so that a load summed step by step that equals
# the threshold load in exact arithmetic is not lost to round-off.
_EXCEEDANCE_RTOL = 1e-9
_AEGL_COLUMNS = ("ppm_10min", "ppm_30min", "ppm_60min", "ppm_4h", "ppm_8h")


@dataclass(frozen=True)
class Chemical:
    """One chemical: ``aegl_ppm`` has shape (3, 5), levels 1-3 by ``AEGL_DURATIONS_S``."""

    name: str
    molecular_weight_g_mol: float
    aegl_ppm: FloatArray
    toxic_load_exponent: float
    source: str


def _load_table(file_name: str) -> list[dict[str, str]]:
    text = resources.files("drillsim.sim.hazards.chemical").joinpath("data", file_name)
    return list(csv.DictReader(text.read_text().splitlines()))


def _ppm(cell: str) -> float:
    """A table cell in ppm; "NR" (AEGL not recommended) becomes NaN."""
    return math.nan if cell.strip().upper() == "NR" else float(cell)


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


@functools.cache
def _registry() -> tuple[dict[str, Chemical], dict[str, str]]:
    """(chemicals by canonical name, canonical name of every accepted alias)."""
    aegl_rows = _load_table("aegl.csv")
    chemicals: dict[str, Chemical] = {}
    aliases: dict[str, str] = {}
    for row in _load_table("chemicals.csv"):
        name = row["name"]
        by_level = {int(r["level"]): r for r in aegl_rows if r["name"] == name}
        table = np.array([[_ppm(by_level[lv][c]) for c in _AEGL_COLUMNS] for lv in LEVELS])
        table.setflags(write=False)
        chemicals[name] = Chemical(
            name=name,
            molecular_weight_g_mol=float(row["molecular_weight_g_mol"]),
            aegl_ppm=table,
            toxic_load_exponent=float(row["toxic_load_exponent"]),
            source=row["source"],
        )
        for alias in [name, row["formula"], *row["aliases"].split(";")]:
            aliases[_normalise(alias)] = name
    return chemicals, aliases


def chemical_names() -> tuple[str, ...]:
    """Canonical (scenario-schema) names of the tabulated chemicals."""
    return tuple(_registry()[0])


def chemical(name: str) -> Chemical:
    """The chemical called ``name`` (canonical name, formula such as "Cl2", or alias)."""
    chemicals, aliases = _registry()
    key = aliases.get(_normalise(name))
    if key is None:
        raise ValueError(f"unknown chemical {name!r}; known: {', '.join(chemicals)}")
    return chemicals[key]


def molar_volume_l_mol(
    temperature_c: ArrayLike = 25.0, pressure_kpa: ArrayLike = 101.325
) -> FloatArray:
    """Ideal-gas molar volume V = R T / p in L/mol (24.47 at 25 °C and 1 atm; the AEGL
    documents round it to 24.45)."""
    temperature_k = np.asarray(temperature_c, dtype=float) + ZERO_CELSIUS_K
    return GAS_CONSTANT_J_MOL_K * temperature_k / np.asarray(pressure_kpa, dtype=float)


def to_ppm(
    conc_kg_m3: ArrayLike,
    chemical_name: str,
    temperature_c: ArrayLike = 25.0,
    pressure_kpa: ArrayLike = 101.325,
) -> FloatArray:
    """Volume mixing ratio (ppm) of a mass concentration: ppm = C[mg/m³] · V_m / M."""
    mg_m3 = np.asarray(conc_kg_m3, dtype=float) * 1e6
    volume = molar_volume_l_mol(temperature_c, pressure_kpa)
    return mg_m3 * volume / chemical(chemical_name).molecular_weight_g_mol


def to_kg_m3(
    ppm: ArrayLike,
    chemical_name: str,
    temperature_c: ArrayLike = 25.0,
    pressure_kpa: ArrayLike = 101.325,
) -> FloatArray:
    """Mass concentration (kg/m³) of a volume mixing ratio: C[mg/m³] = ppm · M / V_m."""
    volume = molar_volume_l_mol(temperature_c, pressure_kpa)
    mg_m3 = np.asarray(ppm, dtype=float) * chemical(chemical_name).molecular_weight_g_mol / volume
    return mg_m3 * 1e-6


def aegl_ppm(chemical_name: str, level: int, duration_s: ArrayLike) -> FloatArray:
    """AEGL-``level`` (ppm) for exposures of ``duration_s`` (any shape).

    At the five tabulated durations the table value; between them log-log interpolation
    (a straight line in log C against log t, i.e. the local ten Berge line through the two
    neighbours); below 10 min the 10-min value (AEGL practice does not extrapolate below
    10 min); above 8 h the 8-h value. NR (NaN) entries stay NaN."""
    if level not in LEVELS:
        raise ValueError(f"AEGL level must be one of {LEVELS}, not {level!r}")
    row = chemical(chemical_name).aegl_ppm[level - 1]
    knots = np.array(AEGL_DURATIONS_S)
    t = np.clip(np.asarray(duration_s, dtype=float), knots[0], knots[-1])
    i = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(knots) - 2)
    fraction = np.log(t / knots[i]) / np.log(knots[i + 1] / knots[i])
    # C = C_i (C_i+1 / C_i)^fraction: exact at the knots and on flat segments.
    return row[i] * (row[i + 1] / row[i]) ** fraction


def toxic_load(conc_ppm: ArrayLike, dt_s: float, exponent: float) -> FloatArray:
    """Ten Berge toxic load Σ C^n Δt (ppm^n · s) of a time series on the last axis."""
    c = np.asarray(conc_ppm, dtype=float)
    if np.any(c < 0):
        raise ValueError("concentrations must be non-negative")
    return np.sum(c**exponent, axis=-1) * float(dt_s)


def equivalent_concentration_ppm(
    load: ArrayLike, duration_s: ArrayLike, exponent: float
) -> FloatArray:
    """Constant concentration giving ``load`` over ``duration_s``: (load / t)^(1/n)."""
    rate = np.asarray(load, dtype=float) / np.asarray(duration_s, dtype=float)
    return rate ** (1.0 / exponent)


def aegl_level_exceeded(conc_ppm_series: ArrayLike, dt_s: float, chemical_name: str) -> NDArray:
    """Highest AEGL level (0-3) reached by each exposure series (time on the last axis).

    The exposure lasts T = (number of steps) · ``dt_s``. Its ten Berge load Σ C^n Δt, with the
    chemical's exponent n, is compared with the load of a constant exposure at each AEGL for
    the same T, AEGL(T)^n · T (``aegl_ppm`` gives AEGL(T)). A level is reached when the load is
    at or above that threshold (">=", with a relative 1e-9 allowance for round-off), so a
    constant exposure exactly at an AEGL counts as reaching it. An NR (NaN) level is never
    reported. Leading or trailing clean-air steps lengthen T, so pass the exposure window."""
    c = np.asarray(conc_ppm_series, dtype=float)
    n = chemical(chemical_name).toxic_load_exponent
    duration_s = c.shape[-1] * float(dt_s)
    load = toxic_load(c, dt_s, n)
    result = np.zeros(load.shape, dtype=np.int64)
    for level in LEVELS:
        threshold = aegl_ppm(chemical_name, level, duration_s) ** n * duration_s
        reached = load >= threshold * (1.0 - _EXCEEDANCE_RTOL)
        result = np.where(reached, level, result)
    return result
