"""Building damage through a sequence of shocks: every building of the inventory, its damage
state after each shock, and whether it collapsed.

Each building draws one uniform number, its capacity, for the whole sequence: its damage state
under a shock is the number of states whose exceedance probability is above that number, so
P(DS = k) is exactly the fragility's probability for any one shock, and a building that
withstood strong shaking also withstands weaker shaking (redrawing at every shock would
wear buildings down by chance alone). The state never goes down: after an aftershock a
building is in the worse of its old state and the new one. A damaged building is weaker: the
medians of its curves are multiplied by :data:`WEAKENED_MEDIAN` of its state before the
shock. A building that first reaches complete damage collapses with the Hazus
collapse fraction of its type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from drillsim.sim.hazards.quake.casualty import collapse_fraction
from drillsim.sim.hazards.quake.fragility import CODE_LEVELS, fragility

NONE, SLIGHT, MODERATE, EXTENSIVE, COMPLETE = range(5)

WEAKENED_MEDIAN = np.array([1.0, 1.0, 0.9, 0.75, 0.75])
"""Factor on a building's fragility medians by its damage state before a shock. Planning
assumption (not a published table) in the range of the aftershock-fragility literature (e.g.
Raghunandan, Liel & Luco 2015, Earthquake Engng Struct. Dyn. 44(3): the collapse capacity of
damaged concrete frames falls by up to about 40 %): undamaged and slightly damaged buildings
keep their curves."""

TYPICAL_STORIES: dict[str, int] = {
    "W1": 1, "W2": 2, "S1L": 2, "S1M": 5, "S1H": 13, "S2L": 2, "S2M": 5, "S2H": 13, "S3": 1,
    "S4L": 2, "S4M": 5, "S4H": 13, "S5L": 2, "S5M": 5, "S5H": 13, "C1L": 2, "C1M": 5,
    "C1H": 12, "C2L": 2, "C2M": 5, "C2H": 12, "C3L": 2, "C3M": 5, "C3H": 12, "PC1": 1,
    "PC2L": 2, "PC2M": 5, "PC2H": 12, "RM1L": 2, "RM1M": 5, "RM2L": 2, "RM2M": 5, "RM2H": 12,
    "URML": 1, "URMM": 3, "MH": 1,
}
"""Typical number of stories of each Hazus model building type (Hazus Earthquake Model
Technical Manual, Table 5.1 / MH 2.1 Table 3.1). Occupants are spread over a zone's buildings
in proportion to their stories (floor area, for buildings of one footprint)."""


def material(building_type: str) -> str:
    """The structural material of a Hazus model building type: wood (W), steel (S), concrete
    (C, PC), masonry (RM, URM) or other (MH)."""
    for prefix, name in (("URM", "masonry"), ("RM", "masonry"), ("PC", "concrete"),
                         ("MH", "other"), ("W", "wood"), ("S", "steel"), ("C", "concrete")):
        if building_type.startswith(prefix):
            return name
    return "other"


def defined_level(building_type: str, level: str) -> str:
    """``level`` if Hazus defines fragility curves for ``building_type`` at it, else the
    nearest level it does define, lower codes first (unreinforced masonry, for one, has only
    low- and pre-code curves: in a moderate-code zone it takes the low-code ones)."""
    order = list(CODE_LEVELS)
    start = order.index(level)
    for candidate in order[start:] + order[:start][::-1]:
        try:
            fragility(building_type, candidate)
        except ValueError:
            continue
        return candidate
    raise ValueError(f"Hazus defines no fragility for {building_type}")


def split_key(key: str) -> tuple[str, str]:
    """``"URML/pre"`` → ``("URML", "pre")``."""
    building_type, _, level = key.partition("/")
    return building_type, level or "moderate"


@dataclass(frozen=True, eq=False)
class Inventory:
    """One row per building: its zone and its kind (index into ``keys``, ``"TYPE/level"``)."""

    keys: tuple[str, ...]
    zone: np.ndarray
    kind: np.ndarray

    @classmethod
    def of_zones(cls, keys: Sequence[str], counts: np.ndarray) -> Inventory:
        """The buildings of zones whose ``counts[zone, key]`` are given."""
        counts = np.rint(np.asarray(counts, float)).astype(np.int64)
        n_zones = counts.shape[0]
        zone = np.repeat(np.repeat(np.arange(n_zones), counts.shape[1]), counts.ravel())
        kind = np.repeat(np.tile(np.arange(counts.shape[1]), n_zones), counts.ravel())
        return cls(tuple(keys), zone, kind)

    def __len__(self) -> int:
        return len(self.zone)

    def types(self) -> list[str]:
        return [split_key(k)[0] for k in self.keys]

    def medians_g(self) -> np.ndarray:
        """[kind, 4] fragility medians (slight … complete)."""
        if not self.keys:
            return np.zeros((0, 4))
        types, levels = zip(*(split_key(k) for k in self.keys), strict=True)
        return np.asarray(fragility(np.array(types), np.array(levels))[0], float)

    def betas(self) -> np.ndarray:
        if not self.keys:
            return np.zeros(0)
        types, levels = zip(*(split_key(k) for k in self.keys), strict=True)
        return np.broadcast_to(np.asarray(fragility(np.array(types), np.array(levels))[1],
                                          float), (len(self.keys),)).copy()

    def collapse_fraction(self) -> np.ndarray:
        return np.asarray(collapse_fraction(np.array(self.types())), float) \
            if self.keys else np.zeros(0)

    def stories(self) -> np.ndarray:
        return np.array([TYPICAL_STORIES[t] for t in self.types()], float)


def draw_states(medians_g: np.ndarray, beta: np.ndarray, pga_g: np.ndarray,
                u: np.ndarray) -> np.ndarray:
    """Damage states drawn from lognormal fragility curves with one uniform ``u`` per item:
    DS = the number of states whose exceedance probability Φ(ln(a / median) / β) is above
    ``u`` (medians [n, 4] ascending, so exceedance falls with the state)."""
    a = np.maximum(np.asarray(pga_g, float), 1e-12)[:, None]
    exceed = ndtr(np.log(a / medians_g) / np.asarray(beta, float)[:, None])
    return (np.asarray(u)[:, None] < exceed).sum(axis=1).astype(np.int8)


def next_states(state: np.ndarray, medians_g: np.ndarray, beta: np.ndarray,
                pga_g: np.ndarray, u: np.ndarray) -> np.ndarray:
    """States after one more shock: the worse of the old state and one drawn with the
    weakened curves of the old state (:data:`WEAKENED_MEDIAN`)."""
    weakened = medians_g * WEAKENED_MEDIAN[state][:, None]
    return np.maximum(state, draw_states(weakened, beta, pga_g, u))


@dataclass(frozen=True, eq=False)
class DamageHistory:
    """Damage after each shock: ``state[k]`` (int8 per building) and ``collapsed[k]``."""

    state: np.ndarray
    collapsed: np.ndarray


def damage_history(inventory: Inventory, pga_g: np.ndarray,
                   rng: np.random.Generator) -> DamageHistory:
    """Damage of every building after each shock; ``pga_g[k, building]`` is the shaking of
    shock ``k`` at the building's place."""
    n_shocks, n = pga_g.shape[0], len(inventory)
    medians, betas = inventory.medians_g(), inventory.betas()
    collapse_p = inventory.collapse_fraction()
    state = np.zeros((n_shocks, n), np.int8)
    collapsed = np.zeros((n_shocks, n), bool)
    capacity, collapse_u = rng.random(n), rng.random(n)
    now, fallen = np.zeros(n, np.int8), np.zeros(n, bool)
    for k in range(n_shocks):
        now = next_states(now, medians[inventory.kind], betas[inventory.kind], pga_g[k],
                          capacity)
        fallen = fallen | ((now == COMPLETE) & (collapse_u < collapse_p[inventory.kind]))
        state[k], collapsed[k] = now, fallen
    return DamageHistory(state, collapsed)


def counts_by_state(zone: np.ndarray, state: np.ndarray, n_zones: int) -> np.ndarray:
    """[zone, 5] buildings in each damage state."""
    out = np.zeros((n_zones, 5), np.int64)
    np.add.at(out, (zone, state.astype(np.int64)), 1)
    return out
