"""A release as a train of Gaussian puffs that ride a wind which may change.

A continuous release of ``rate_kg_s`` for ``duration_s`` is cut into puffs, one per
``puff_every_s``, each carrying the mass released in its interval and leaving the source at
the interval's middle; an instantaneous release is one puff. Every puff then moves with the
wind of the moment (a uniform wind field, piecewise constant in time: the scenario's wind
shifts), so a shift turns the part of the plume released after it while the puffs already
out keep their course from where they are. This is the puff-train idea of operational
puff models (e.g. INPUFF, Petersen & Lavdas 1986; CALPUFF, Scire et al. 2000), kept simple:

- a puff's spread grows with its travel along its own path: σy and σz are the Briggs
  coefficients (:func:`~drillsim.sim.hazards.chemical.dispersion.dispersion_sigmas`) of the
  stability class of each stretch, continued from the puff's virtual distance when the class
  changes (:func:`grow`);
- a puff stands for the stretch of plume released in its interval (length s, the distance
  between consecutive puffs); where its spread is still small against s (near the source),
  it is read as sub-puffs spaced at most σy/2 along that stretch, each with the spreads of
  its own travel distance, so the train has no gaps (the sampling idea of slug and
  integrated-puff models, e.g. CALPUFF, Scire et al. 2000);
- the concentration of one puff is the trivariate Gaussian with total reflection at the
  ground and, under a mixing lid, at the lid (images; well mixed far out), the vertical term
  of :func:`~drillsim.sim.hazards.chemical.dispersion.vertical_term`;
- the ground-level concentration sums all puffs out at the time; puffs that overlap are
  read as one (:func:`merge_neighbours`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from drillsim.sim.hazards.chemical.dispersion import dispersion_sigmas, gaussian_puff

MIN_SIGMA_M = 1.0
"""Smallest spread a puff is given (at the source it is a point: the kernel needs σ > 0)."""
SPLIT_SPACING = 0.5
"""Sub-puffs are at most this many σy apart along their stretch of plume."""
MAX_SPLIT = 64
REACH_SIGMAS = 6.0
"""Receptors farther than this many spreads from every puff read zero (exp(−18) ≈ 1.5e-8)."""


MERGE_WITHIN = 0.5
"""Consecutive puffs whose centres all lie within this many σy of the group's first are read
as one (see :func:`merge_neighbours`)."""


def merge_groups(x: np.ndarray, y: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """Group labels of puffs (in release order) that overlap: a run of consecutive puffs
    whose centres lie within :data:`MERGE_WITHIN` σy of the run's first puff."""
    xs, ys, ss = x.tolist(), y.tolist(), sy.tolist()  # plain floats: a tight loop
    labels = [0] * len(xs)
    first, g = 0, 0
    for i in range(1, len(xs)):
        reach = MERGE_WITHIN * min(ss[first], ss[i])
        if (xs[i] - xs[first]) ** 2 + (ys[i] - ys[first]) ** 2 > reach * reach:
            first, g = i, g + 1
        labels[i] = g
    return np.array(labels, np.int64)


def merge_neighbours(mass: np.ndarray, x: np.ndarray, y: np.ndarray, sy: np.ndarray,
                     sz: np.ndarray, *extra: np.ndarray) -> tuple[np.ndarray, ...]:
    """Puffs (in release order) merged where they overlap (:func:`merge_groups`): each group
    becomes one puff with the total mass, the mass-weighted centre, a horizontal variance
    that keeps the group's second moment (mean σy² + half the spread of the centres, per
    axis) and the mass-weighted σz; ``extra`` arrays are mass-weighted too. Old puffs, wide
    and close together, merge; young ones near the source stay apart. The idea is the puff
    merging of operational puff models (e.g. CALPUFF, Scire et al. 2000), kept to what
    preserves mass and the horizontal moments."""
    if len(mass) < 2:
        return (mass, x, y, sy, sz, *extra)
    group = merge_groups(x, y, sy)
    if group[-1] == len(mass) - 1:
        return (mass, x, y, sy, sz, *extra)
    m = np.bincount(group, weights=mass)
    w = mass / np.where(m[group] > 0, m[group], 1.0)
    cx, cy = np.bincount(group, w * x), np.bincount(group, w * y)
    spread = np.bincount(group, w * ((x - cx[group]) ** 2 + (y - cy[group]) ** 2)) / 2
    return (m, cx, cy, np.sqrt(np.bincount(group, w * sy * sy) + spread),
            np.bincount(group, w * sz), *(np.bincount(group, w * e) for e in extra))


@dataclass(frozen=True)
class Wind:
    """The wind from ``t_s`` on: speed, the direction it blows towards (unit vector), and the
    stability class of the atmosphere."""

    t_s: float
    speed_m_s: float
    to_east: float
    to_north: float
    stability: str


def wind_from(t_s: float, speed_m_s: float, from_deg: float, stability: str) -> Wind:
    """A wind blowing FROM ``from_deg`` (meteorological convention, clockwise from north)."""
    towards = np.radians(from_deg + 180.0)
    return Wind(t_s, speed_m_s, float(np.sin(towards)), float(np.cos(towards)), stability)


@dataclass(frozen=True, eq=False)
class PuffTrain:
    """Puffs (mass, release time) from a source at (``x_m``, ``y_m``, ``height_m``) under a
    sequence of winds (times ascending, the first at or before the first release)."""

    x_m: float
    y_m: float
    height_m: float
    mass_kg: np.ndarray
    released_s: np.ndarray
    winds: tuple[Wind, ...]
    terrain: str = "rural"
    mixing_height_m: float | None = None
    spacing_m: np.ndarray | None = None
    """Distance between a puff and the next one when they left (wind speed × interval)."""
    _memo: dict[str, object] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("x_m", "y_m", "height_m"):
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "mass_kg", np.asarray(self.mass_kg, float))
        object.__setattr__(self, "released_s", np.asarray(self.released_s, float))
        if self.spacing_m is None:
            object.__setattr__(self, "spacing_m", np.zeros(len(self.mass_kg)))
        object.__setattr__(self, "_memo", {})

    @classmethod
    def continuous(cls, x_m: float, y_m: float, height_m: float, rate_kg_s: float,
                   start_s: float, duration_s: float, winds: tuple[Wind, ...],
                   puff_every_s: float = 15.0, **kw: object) -> PuffTrain:
        n = max(1, int(np.ceil(duration_s / puff_every_s - 1e-9)))
        edges = np.minimum(start_s + np.arange(n + 1) * puff_every_s, start_s + duration_s)
        mid = (edges[:-1] + edges[1:]) / 2
        starts = np.array([w.t_s for w in winds])
        speed = np.array([w.speed_m_s for w in winds])[
            np.maximum(np.searchsorted(starts, mid, side="right") - 1, 0)]
        return cls(x_m, y_m, height_m, rate_kg_s * np.diff(edges), mid, winds,
                   spacing_m=speed * np.diff(edges), **kw)  # type: ignore[arg-type]

    @classmethod
    def instantaneous(cls, x_m: float, y_m: float, height_m: float, mass_kg: float,
                      at_s: float, winds: tuple[Wind, ...], **kw: object) -> PuffTrain:
        return cls(x_m, y_m, height_m, np.array([mass_kg], float), np.array([at_s], float),
                   winds, **kw)  # type: ignore[arg-type]

    def wind_at(self, t_s: float) -> Wind:
        k = int(np.searchsorted([w.t_s for w in self.winds], t_s, side="right")) - 1
        return self.winds[max(k, 0)]

    def positions(self, t_s: float) -> tuple[np.ndarray, ...]:
        """(x, y, σy, σz, travel, mask of puffs out) of every puff at ``t_s``: each has
        moved with each wind, and spread under each wind's stability class, for the part of
        [release, t] that wind blew."""
        out = self.released_s <= t_s
        n = len(self.mass_kg)
        x, y = np.full(n, self.x_m), np.full(n, self.y_m)
        sy, sz, travel = np.zeros(n), np.zeros(n), np.zeros(n)
        starts = [w.t_s for w in self.winds]
        ends = [*starts[1:], np.inf]
        for w, t0, t1 in zip(self.winds, starts, ends, strict=True):
            blown = np.clip(np.minimum(t1, t_s) - np.maximum(t0, self.released_s), 0.0, None)
            step = w.speed_m_s * blown
            x += step * w.to_east
            y += step * w.to_north
            travel += step
            sy, sz = grow(sy, sz, step, w.stability, self.terrain)
        return x, y, sy, sz, travel, out

    def puffs(self, t_s: float, z_m: float) -> tuple[np.ndarray, ...]:
        """(x, y, σy, peak) of the puffs out at ``t_s`` (split near the source, merged where
        they overlap): centre, horizontal spread, and the concentration (kg/m³) at height
        ``z_m`` under the centre. The last answer is kept (a run reads the same time at
        zones, roads and shelters)."""
        key = (float(t_s), float(z_m))
        if self._memo.get("key") != key:
            self._memo.clear()
            self._memo["key"], self._memo["value"] = key, self._puffs(t_s, z_m)
        return self._memo["value"]  # type: ignore[return-value]

    def forget(self) -> None:
        """Drop the kept answer (after the masses change: a release was stopped)."""
        self._memo.clear()

    def _puffs(self, t_s: float, z_m: float) -> tuple[np.ndarray, ...]:
        px, py, sy, sz, travel, out = self.positions(t_s)
        out &= self.mass_kg > 0
        merged = merge_neighbours(self.mass_kg[out], px[out], py[out],
                                  np.maximum(sy[out], MIN_SIGMA_M),
                                  np.maximum(sz[out], MIN_SIGMA_M), travel[out],
                                  np.asarray(self.spacing_m)[out])
        mass, px, py, sy, sz = self._split(*merged, self.wind_at(t_s))
        peak = gaussian_puff(mass, sy, sy, sz, 0.0, 0.0, z_m, self.height_m,
                             self.mixing_height_m)  # under the centre
        return px, py, sy, peak

    def _split(self, mass: np.ndarray, x: np.ndarray, y: np.ndarray, sy: np.ndarray,
               sz: np.ndarray, travel: np.ndarray, spacing: np.ndarray, wind: Wind
               ) -> tuple[np.ndarray, ...]:
        """Puffs narrower than twice their stretch of plume, read as sub-puffs spaced at
        most σy/2 along the present wind over that stretch, each with the spreads of its
        own travel (scaled from the puff's)."""
        k = np.clip(np.ceil(spacing / (SPLIT_SPACING * sy)), 1, MAX_SPLIT).astype(np.int64)
        if (k == 1).all():
            return mass, x, y, sy, sz
        idx = np.repeat(np.arange(len(k)), k)
        first = np.repeat(np.cumsum(k) - k, k)
        offset = ((np.arange(len(idx)) - first + 0.5) / k[idx] - 0.5) * spacing[idx]
        here = np.maximum(travel[idx], 1.0)
        there = np.maximum(travel[idx] + offset, 1.0)
        y_here, z_here = dispersion_sigmas(here, wind.stability, self.terrain)
        y_there, z_there = dispersion_sigmas(there, wind.stability, self.terrain)
        grow_y = np.asarray(y_there) / np.maximum(np.asarray(y_here), 1e-9)
        grow_z = np.asarray(z_there) / np.maximum(np.asarray(z_here), 1e-9)
        return (mass[idx] / k[idx], x[idx] + offset * wind.to_east,
                y[idx] + offset * wind.to_north, np.maximum(sy[idx] * grow_y, MIN_SIGMA_M),
                np.maximum(sz[idx] * grow_z, MIN_SIGMA_M))

    def upper_bound(self, t_s: float, z_m: float = 1.5) -> float:
        """No place has a higher concentration (kg/m³) than this at ``t_s``: the sum of the
        puffs' peaks."""
        return float(self.puffs(t_s, z_m)[3].sum())

    def concentration(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray,
                      z_m: float = 1.5) -> np.ndarray:
        """kg/m³ at the receptors (x, y) at height ``z_m`` at time ``t_s``. Receptors out of
        every puff's reach (:data:`REACH_SIGMAS`) are skipped; the sum over puffs is a plain
        reduction, so it does not depend on the machine's threads."""
        x_m, y_m = np.broadcast_arrays(np.asarray(x_m, float), np.asarray(y_m, float))
        out = np.zeros(x_m.size)
        px, py, sy, peak = self.puffs(t_s, z_m)
        if len(px) == 0:
            return out.reshape(x_m.shape)
        fx, fy = x_m.ravel(), y_m.ravel()
        reach = REACH_SIGMAS * sy
        near = np.flatnonzero((fx >= (px - reach).min()) & (fx <= (px + reach).max())
                              & (fy >= (py - reach).min()) & (fy <= (py + reach).max()))
        if len(near) == 0:
            return out.reshape(x_m.shape)
        r2 = (fx[near][None, :] - px[:, None]) ** 2 + (fy[near][None, :] - py[:, None]) ** 2
        out[near] = (peak[:, None] * np.exp(-0.5 * r2 / (sy * sy)[:, None])).sum(axis=0)
        return out.reshape(x_m.shape)


@functools.lru_cache(maxsize=64)
def _sigma_table(stability: str, terrain: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Briggs σy(x), σz(x) on a log grid of travel distances, to invert (virtual distance)."""
    x = np.concatenate([[0.0], np.geomspace(0.1, 500_000.0, 2000)])
    sy, sz = dispersion_sigmas(x, stability, terrain)
    return x, np.maximum.accumulate(np.asarray(sy, float)), np.maximum.accumulate(
        np.asarray(sz, float))


def grow(sigma_y: np.ndarray, sigma_z: np.ndarray, step_m: np.ndarray, stability: str,
         terrain: str) -> tuple[np.ndarray, np.ndarray]:
    """Spreads after travelling ``step_m`` more under ``stability``: each axis continues
    from its virtual distance (the distance at which the class's Briggs σ equals the spread
    the puff already has), as puff models do when the atmosphere changes (e.g. CALPUFF,
    Scire et al. 2000, §2.1); a spread never shrinks."""
    x, ty, tz = _sigma_table(stability, terrain)
    vy = np.interp(sigma_y, ty, x)
    vz = np.interp(sigma_z, tz, x)
    new_y = dispersion_sigmas(vy + step_m, stability, terrain)[0]
    new_z = dispersion_sigmas(vz + step_m, stability, terrain)[1]
    moved = step_m > 0
    return (np.where(moved, np.maximum(sigma_y, new_y), sigma_y),
            np.where(moved, np.maximum(sigma_z, new_z), sigma_z))
