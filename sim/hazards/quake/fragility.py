"""Building fragility from peak ground acceleration: Hazus equivalent-PGA lognormal curves.

Source: FEMA, *Hazus-MH 2.1 Earthquake Model Technical Manual* (2012), Section 5.4.4,
Tables 5.16a (high-code), 5.16b (moderate-code), 5.16c (low-code) and 5.16d (pre-code),
"Equivalent-PGA Structural Fragility": median PGA (g) of the slight, moderate, extensive and
complete structural damage states for the 36 model building types, with the same lognormal
dispersion beta = 0.64 for every curve. The medians are kept as data in
``data/hazus_building_fragility.csv`` (one row per type and design level). The table was
transcribed from a public copy of the Hazus values and checked, row by row, against a second
independent public transcription (all 128 rows agree); the tests carry a third, partial one.

Hazus defines no curves for S5, C3 and URM buildings at the high- and moderate-code levels
(those systems are not permitted by modern codes); they are absent here and asking for them
raises :class:`ValueError` naming the levels that exist.

The curves are the reference-spectrum medians (Hazus Section 5.4.4: a large-magnitude western
US event on soil); the manual's spectrum-shape adjustment of the medians is not applied.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

FloatArray = NDArray[np.float64]

BUILDING_TYPES: tuple[str, ...] = (
    "W1", "W2",
    "S1L", "S1M", "S1H", "S2L", "S2M", "S2H", "S3", "S4L", "S4M", "S4H", "S5L", "S5M", "S5H",
    "C1L", "C1M", "C1H", "C2L", "C2M", "C2H", "C3L", "C3M", "C3H",
    "PC1", "PC2L", "PC2M", "PC2H",
    "RM1L", "RM1M", "RM2L", "RM2M", "RM2H",
    "URML", "URMM", "MH",
)  # fmt: skip
CODE_LEVELS = ("high", "moderate", "low", "pre")
DAMAGE_STATES = ("none", "slight", "moderate", "extensive", "complete")

_LIMIT_STATE_COLUMNS = ("slight_g", "moderate_g", "extensive_g", "complete_g")
_LEVEL_ALIASES = {f"{level}-code": level for level in CODE_LEVELS}


def load_table(file_name: str) -> list[dict[str, str]]:
    """Rows of one of the package's coefficient tables (``data/<file_name>``), as strings."""
    text = resources.files("drillsim.sim.hazards.quake").joinpath("data", file_name).read_text()
    return list(csv.DictReader(text.splitlines()))


def lookup_rows(keys: ArrayLike, index: dict[str, int], what: str) -> NDArray[np.intp]:
    """Row numbers of ``keys`` (any shape of strings) in ``index``; ValueError on unknown keys."""
    arr = np.asarray(keys, dtype=str)
    unique, inverse = np.unique(arr, return_inverse=True)
    unknown = [str(u) for u in unique if u not in index]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; valid: {', '.join(index)}")
    rows = np.array([index[str(u)] for u in unique], dtype=np.intp)
    return rows[inverse].reshape(arr.shape)


def exceedance_from_medians(
    medians: ArrayLike, beta: ArrayLike, intensity: ArrayLike
) -> FloatArray:
    """Lognormal fragility P(DS >= ds | IM) = Phi(ln(IM / median_ds) / beta) (Hazus Eq. 5-1 form).

    ``medians`` has the damage states on its last axis; ``beta`` and ``intensity`` broadcast
    against the others. An intensity of 0 gives probability 0."""
    im = np.asarray(intensity, dtype=float)
    if np.any(im < 0) or not np.all(np.isfinite(im)):
        raise ValueError("intensity must be finite and non-negative")
    with np.errstate(divide="ignore"):
        z = np.log(im[..., None] / np.asarray(medians, dtype=float))
    return ndtr(z / np.asarray(beta, dtype=float)[..., None])


def state_probabilities(exceedance: ArrayLike) -> FloatArray:
    """Discrete damage-state probabilities [..., n+1] (none first) from exceedances [..., n]."""
    p = np.asarray(exceedance, dtype=float)
    upper = np.concatenate([np.ones_like(p[..., :1]), p], axis=-1)
    lower = np.concatenate([p, np.zeros_like(p[..., :1])], axis=-1)
    return upper - lower


@functools.cache
def _building_table() -> tuple[dict[tuple[str, str], int], FloatArray, FloatArray]:
    """(row of each (type, level), medians [rows, 4], beta [rows]) from the CSV."""
    rows = load_table("hazus_building_fragility.csv")
    index = {(r["building_type"], r["code_level"]): i for i, r in enumerate(rows)}
    medians = np.array([[float(r[c]) for c in _LIMIT_STATE_COLUMNS] for r in rows])
    beta = np.array([float(r["beta"]) for r in rows])
    return index, medians, beta


def _level_names(code_level: ArrayLike) -> NDArray[np.str_]:
    """Code levels with the "high-code"-style aliases mapped to the short names."""
    arr = np.asarray(code_level, dtype=str)
    return np.vectorize(lambda s: _LEVEL_ALIASES.get(s, s), otypes=[str])(arr)


def _building_rows(building_type: ArrayLike, code_level: ArrayLike) -> NDArray[np.intp]:
    """Row numbers for broadcast (type, level) pairs, with a clear error for invalid pairs."""
    index, _, _ = _building_table()
    types, levels = np.broadcast_arrays(
        np.asarray(building_type, dtype=str), _level_names(code_level)
    )
    lookup_rows(types, dict.fromkeys(BUILDING_TYPES, 0), "building type")
    lookup_rows(levels, dict.fromkeys(CODE_LEVELS, 0), "code level")
    pairs = np.char.add(np.char.add(types, "|"), levels)
    pair_index = {f"{t}|{lv}": i for (t, lv), i in index.items()}
    for pair in np.unique(pairs):
        if str(pair) not in pair_index:
            t, lv = str(pair).split("|")
            valid = [level for level in CODE_LEVELS if (t, level) in index]
            raise ValueError(
                f"Hazus defines no {lv}-code fragility for {t}; valid levels: {', '.join(valid)}"
            )
    return lookup_rows(pairs, pair_index, "type|level pair")


def fragility(building_type: ArrayLike, code_level: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Equivalent-PGA medians (g) [..., 4] (slight..complete) and dispersion beta [...].

    Hazus-MH 2.1 Tables 5.16a-d; ``building_type`` and ``code_level`` broadcast together."""
    _, medians, beta = _building_table()
    rows = _building_rows(building_type, code_level)
    return medians[rows], beta[rows]


def exceedance_probabilities(
    building_type: ArrayLike, code_level: ArrayLike, pga_g: ArrayLike
) -> FloatArray:
    """P(DS >= ds | PGA) [..., 4] for slight, moderate, extensive, complete (Tables 5.16a-d)."""
    types, levels, pga = np.broadcast_arrays(
        np.asarray(building_type, dtype=str), _level_names(code_level), np.asarray(pga_g, float)
    )
    medians, beta = fragility(types, levels)
    return exceedance_from_medians(medians, beta, pga)


def damage_probabilities(
    building_type: ArrayLike, code_level: ArrayLike, pga_g: ArrayLike
) -> FloatArray:
    """P(DS = ds | PGA) [..., 5] for none, slight, moderate, extensive, complete; sums to 1."""
    return state_probabilities(exceedance_probabilities(building_type, code_level, pga_g))
