"""Indoor earthquake casualties per occupant: the Hazus casualty rates by damage state.

Source: FEMA, *Hazus-MH 2.1 Earthquake Model Technical Manual* (2012), Chapter 13:

* Tables 13.3-13.7, "Indoor Casualty Rates by Model Building Type" for slight, moderate,
  extensive, complete (no collapse) and complete (with collapse) structural damage, in % of
  the occupants, for the four injury severities (1: basic medical aid; 2: hospital care, not
  life threatening; 3: life threatening if not treated promptly; 4: killed). Kept as data in
  ``data/hazus_casualty_rates.csv`` (``damage_state`` "complete" is complete without
  collapse, "collapse" is complete with collapse).
* Table 13.8: the share (%) of completely damaged buildings of each type that collapse, in
  ``data/hazus_collapse.csv``.
* The casualty event tree of Chapter 13: the expected rate of severity s is
  sum over ds of P(ds) * rate(ds, s), where the complete state splits into collapse (share
  f_c) and no collapse (1 - f_c).

The tables were transcribed and then checked against two independent public implementations
of the same Hazus tables: one lists the complete-damage rates already mixed with the
collapse share (to two decimals), the other lists injured (severities 1-3 summed) and dead
rates for every type and state; every type agrees with both.

Hazus' occupancy-by-time-of-day table (Table 13.2) is not included: its residential factors
were not checked against the manual, so no numbers from it are shipped.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike

from drillsim.sim.hazards.quake.fragility import (
    BUILDING_TYPES,
    FloatArray,
    damage_probabilities,
    load_table,
    lookup_rows,
)

SEVERITIES = (1, 2, 3, 4)
CASUALTY_STATES = ("slight", "moderate", "extensive", "complete", "collapse")

_TYPE_INDEX = {t: i for i, t in enumerate(BUILDING_TYPES)}
_SEVERITY_COLUMNS = tuple(f"severity_{s}_pct" for s in SEVERITIES)


@functools.cache
def _rate_table() -> FloatArray:
    """Casualty rates as fractions [type, state, severity] (Tables 13.3-13.7)."""
    table = np.full((len(BUILDING_TYPES), len(CASUALTY_STATES), len(SEVERITIES)), np.nan)
    for row in load_table("hazus_casualty_rates.csv"):
        t = _TYPE_INDEX[row["building_type"]]
        ds = CASUALTY_STATES.index(row["damage_state"])
        table[t, ds] = [float(row[c]) / 100.0 for c in _SEVERITY_COLUMNS]
    if np.isnan(table).any():
        raise ValueError("hazus_casualty_rates.csv lacks some type/damage-state rows")
    return table


@functools.cache
def _collapse_table() -> FloatArray:
    """Collapse share given complete damage, by type (Table 13.8)."""
    rows = {r["building_type"]: r for r in load_table("hazus_collapse.csv")}
    return np.array([float(rows[t]["collapse_given_complete_pct"]) / 100 for t in BUILDING_TYPES])


def collapse_fraction(building_type: ArrayLike) -> FloatArray:
    """Share of completely damaged buildings of ``building_type`` that collapse (Table 13.8)."""
    return _collapse_table()[lookup_rows(building_type, _TYPE_INDEX, "building type")]


def casualty_rates_by_state(building_type: ArrayLike) -> FloatArray:
    """Indoor casualty rates [..., 5, 4] as fractions of occupants (Tables 13.3-13.7).

    Rows: slight, moderate, extensive, complete without collapse, collapse; columns:
    severity 1..4."""
    return _rate_table()[lookup_rows(building_type, _TYPE_INDEX, "building type")]


def casualty_rates(building_type: ArrayLike, code_level: ArrayLike, pga_g: ArrayLike) -> FloatArray:
    """Expected indoor casualties per occupant [..., 4] (severity 1..4) at ``pga_g``.

    The Chapter 13 event tree: sum of P(ds) * rate(ds) over slight..extensive, plus
    P(complete) * (f_c * rate(collapse) + (1 - f_c) * rate(complete, no collapse)), with the
    damage probabilities of the equivalent-PGA fragility (Tables 5.16a-d)."""
    types, levels, pga = np.broadcast_arrays(
        np.asarray(building_type, dtype=str), np.asarray(code_level, dtype=str), pga_g
    )
    p_state = damage_probabilities(types, levels, pga)
    rates = casualty_rates_by_state(types)
    f_c = collapse_fraction(types)[..., None]
    complete = f_c * rates[..., 4, :] + (1.0 - f_c) * rates[..., 3, :]
    mixed = np.concatenate([rates[..., :3, :], complete[..., None, :]], axis=-2)
    return np.einsum("...k,...ks->...s", p_state[..., 1:], mixed)
