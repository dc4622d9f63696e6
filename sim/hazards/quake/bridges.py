"""Highway-bridge fragility from spectral acceleration at 1.0 s: the Hazus HWB classes.

Source: FEMA, *Hazus-MH 2.1 Earthquake Model Technical Manual* (2012), Section 7.1, Table 7.9,
"Fragility Function Median Values for Highway Bridges": median Sa(1.0 s) (g) of the slight,
moderate, extensive and complete damage states of the 28 classes HWB1-HWB28 (Table 7.1
defines the classes), lognormal dispersion beta = 0.6. Kept as data in
``data/hazus_bridge_fragility.csv``; transcribed from a public copy of the Hazus values and
checked against a second independent public transcription (all 28 rows agree).

The medians are each class's standard-condition values, unmodified: the manual's skew
(K_skew), three-dimensional arch-action (K_3D) and short-period (K_shape) modifiers, which
depend on the individual bridge, are not applied, and the ground-failure (PGD) curves of the
same table are not included.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike

from drillsim.sim.hazards.quake.fragility import (
    FloatArray,
    exceedance_from_medians,
    load_table,
    lookup_rows,
    state_probabilities,
)

BRIDGE_CLASSES: tuple[str, ...] = tuple(f"HWB{n}" for n in range(1, 29))

_CLASS_INDEX = {c: i for i, c in enumerate(BRIDGE_CLASSES)}
_LIMIT_STATE_COLUMNS = ("slight_g", "moderate_g", "extensive_g", "complete_g")


@functools.cache
def _bridge_table() -> tuple[FloatArray, FloatArray]:
    """(medians [28, 4], beta [28]) in BRIDGE_CLASSES order (Table 7.9)."""
    rows = {r["bridge_class"]: r for r in load_table("hazus_bridge_fragility.csv")}
    medians = np.array([[float(rows[c][k]) for k in _LIMIT_STATE_COLUMNS] for c in BRIDGE_CLASSES])
    beta = np.array([float(rows[c]["beta"]) for c in BRIDGE_CLASSES])
    return medians, beta


def bridge_fragility(bridge_class: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Median Sa(1.0 s) (g) [..., 4] (slight..complete) and beta [...] (Table 7.9)."""
    medians, beta = _bridge_table()
    rows = lookup_rows(bridge_class, _CLASS_INDEX, "bridge class")
    return medians[rows], beta[rows]


def bridge_damage_probabilities(bridge_class: ArrayLike, sa10_g: ArrayLike) -> FloatArray:
    """P(DS = ds | Sa(1.0 s)) [..., 5] for none, slight, moderate, extensive, complete."""
    classes, sa = np.broadcast_arrays(
        np.asarray(bridge_class, dtype=str), np.asarray(sa10_g, float)
    )
    medians, beta = bridge_fragility(classes)
    return state_probabilities(exceedance_from_medians(medians, beta, sa))
