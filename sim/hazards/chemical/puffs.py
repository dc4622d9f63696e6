"""A release as a train of Gaussian puffs that ride a wind which may change.

A continuous release of ``rate_kg_s`` for ``duration_s`` is cut into puffs, one per
``puff_every_s``, each carrying the mass released in its interval and leaving the source at
the interval's middle; an instantaneous release is one puff. Every puff then moves with the
wind of the moment (a uniform wind field, piecewise constant in time: the scenario's wind
shifts), so a shift turns the part of the plume released after it while the puffs already
out keep their course from where they are. This is the puff-train idea of operational
puff models (e.g. INPUFF, Petersen & Lavdas 1986; CALPUFF, Scire et al. 2000), kept simple:

- a puff's spread follows its travel distance along its own path: σx = σy and σz are the
  Briggs coefficients (:func:`~drillsim.sim.hazards.chemical.dispersion.dispersion_sigmas`)
  at that distance, for the stability class of the moment;
- the concentration of one puff is the trivariate Gaussian with total reflection at the
  ground and, under a mixing lid, at the lid (images), the form of the instantaneous puff of
  Turner (1970, eq. 5.4 with its reflection terms);
- the ground-level concentration sums all puffs out at the time.

Since σx = σy, a puff's horizontal kernel depends only on the distance to its centre, which
keeps the sum one vectorised expression over (puffs × receptors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drillsim.sim.hazards.chemical.dispersion import dispersion_sigmas

TWO_PI_3_2 = (2.0 * np.pi) ** 1.5
MIN_SIGMA_M = 1.0
"""Smallest spread a puff is given (at the source it is a point: the kernel needs σ > 0)."""
LID_IMAGES = 3
"""Pairs of image sources above the lid and below the ground kept in the vertical sum."""


MERGE_WITHIN = 0.5
"""Consecutive puffs whose centres all lie within this many σy of the group's first are read
as one (see :func:`merge_neighbours`)."""


def merge_neighbours(mass: np.ndarray, x: np.ndarray, y: np.ndarray, sy: np.ndarray,
                     sz: np.ndarray) -> tuple[np.ndarray, ...]:
    """Puffs (in release order) merged where they overlap: a run of consecutive puffs whose
    centres lie within :data:`MERGE_WITHIN` σy of the run's first puff becomes one puff with
    their total mass, their mass-weighted centre and spreads that keep the run's second
    moments (σy² = mean σy² + spread of the centres; σz mass-weighted). Old puffs, wide and
    close together, merge; young ones near the source stay apart. The idea is the puff
    merging of operational puff models (e.g. CALPUFF, Scire et al. 2000), kept to what
    preserves mass and the first two moments exactly."""
    n = len(mass)
    if n < 2:
        return mass, x, y, sy, sz
    group = np.zeros(n, np.int64)
    first, g = 0, 0
    for i in range(1, n):
        reach = MERGE_WITHIN * min(sy[first], sy[i])
        if (x[i] - x[first]) ** 2 + (y[i] - y[first]) ** 2 > reach * reach:
            first, g = i, g + 1
        group[i] = g
    if g == n - 1:
        return mass, x, y, sy, sz
    m = np.bincount(group, weights=mass)
    w = np.where(m[group] > 0, mass / np.where(m[group] > 0, m[group], 1.0), 0.0)
    cx, cy = np.bincount(group, w * x), np.bincount(group, w * y)
    spread = np.bincount(group, w * ((x - cx[group]) ** 2 + (y - cy[group]) ** 2)) / 2
    var_y = np.bincount(group, w * sy * sy) + spread
    return (m, cx, cy, np.sqrt(var_y), np.bincount(group, w * sz))


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

    @classmethod
    def continuous(cls, x_m: float, y_m: float, height_m: float, rate_kg_s: float,
                   start_s: float, duration_s: float, winds: tuple[Wind, ...],
                   puff_every_s: float = 15.0, **kw: object) -> PuffTrain:
        n = max(1, int(np.ceil(duration_s / puff_every_s - 1e-9)))
        edges = np.minimum(start_s + np.arange(n + 1) * puff_every_s, start_s + duration_s)
        return cls(x_m, y_m, height_m, rate_kg_s * np.diff(edges),
                   (edges[:-1] + edges[1:]) / 2, winds, **kw)  # type: ignore[arg-type]

    @classmethod
    def instantaneous(cls, x_m: float, y_m: float, height_m: float, mass_kg: float,
                      at_s: float, winds: tuple[Wind, ...], **kw: object) -> PuffTrain:
        return cls(x_m, y_m, height_m, np.array([mass_kg], float), np.array([at_s], float),
                   winds, **kw)  # type: ignore[arg-type]

    def wind_at(self, t_s: float) -> Wind:
        k = int(np.searchsorted([w.t_s for w in self.winds], t_s, side="right")) - 1
        return self.winds[max(k, 0)]

    def positions(self, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(x, y, travel distance, mask of puffs out) of every puff at ``t_s``: each has
        moved with each wind for the part of [release, t] the wind blew."""
        out = self.released_s <= t_s
        x = np.full(len(self.mass_kg), self.x_m)
        y = np.full(len(self.mass_kg), self.y_m)
        travel = np.zeros(len(self.mass_kg))
        starts = [w.t_s for w in self.winds]
        ends = [*starts[1:], np.inf]
        for w, t0, t1 in zip(self.winds, starts, ends, strict=True):
            blown = np.clip(np.minimum(t1, t_s) - np.maximum(t0, self.released_s), 0.0, None)
            step = w.speed_m_s * blown
            x += step * w.to_east
            y += step * w.to_north
            travel += step
        return x, y, travel, out

    def puffs(self, t_s: float, z_m: float) -> tuple[np.ndarray, ...]:
        """(x, y, σy, peak) of the puffs out at ``t_s``: centre, horizontal spread, and the
        concentration (kg/m³) at height ``z_m`` under the centre."""
        px, py, travel, out = self.positions(t_s)
        out &= self.mass_kg > 0
        mass, px, py, travel = self.mass_kg[out], px[out], py[out], travel[out]
        sy, sz = dispersion_sigmas(travel, self.wind_at(t_s).stability, self.terrain)
        sy = np.maximum(np.asarray(sy, float), MIN_SIGMA_M)
        sz = np.maximum(np.asarray(sz, float), MIN_SIGMA_M)
        mass, px, py, sy, sz = merge_neighbours(mass, px, py, sy, sz)
        peak = mass / (TWO_PI_3_2 * sy * sy * sz) * self._vertical(z_m, sz)
        return px, py, sy, peak

    def upper_bound(self, t_s: float, z_m: float = 1.5) -> float:
        """No place has a higher concentration (kg/m³) than this at ``t_s``: the sum of the
        puffs' peaks."""
        return float(self.puffs(t_s, z_m)[3].sum())

    def concentration(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray,
                      z_m: float = 1.5) -> np.ndarray:
        """kg/m³ at the receptors (x, y) at height ``z_m`` at time ``t_s``."""
        x_m, y_m = np.broadcast_arrays(np.asarray(x_m, float), np.asarray(y_m, float))
        px, py, sy, scale = self.puffs(t_s, z_m)
        if len(px) == 0:
            return np.zeros(x_m.shape)
        flat_x, flat_y = x_m.ravel(), y_m.ravel()
        r2 = (flat_x[None, :] - px[:, None]) ** 2 + (flat_y[None, :] - py[:, None]) ** 2
        c = scale @ np.exp(-0.5 * r2 / (sy * sy)[:, None])
        return c.reshape(x_m.shape)

    def _vertical(self, z_m: float, sz: np.ndarray) -> np.ndarray:
        """Σ over the source and its images of exp(−(z − z_image)² / 2σz²): the ground
        reflects, and so does the mixing lid if there is one."""
        h, lid = self.height_m, self.mixing_height_m
        total = np.exp(-0.5 * ((z_m - h) / sz) ** 2) + np.exp(-0.5 * ((z_m + h) / sz) ** 2)
        if lid is None:
            return total
        for k in range(1, LID_IMAGES + 1):
            for image in (2 * k * lid - h, 2 * k * lid + h, -2 * k * lid - h, -2 * k * lid + h):
                total = total + np.exp(-0.5 * ((z_m - image) / sz) ** 2)
        return total
