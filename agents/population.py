"""The households of a region, drawn once per run from the zones' figures.

Each zone's residents are split into its households (sizes differ by at most the spread of a
multinomial draw; the zone's population is kept exactly). Shares are read per household:
``carless_share`` of households have no car, ``elderly_share`` are elderly households and
``disabled_share`` have a member who cannot leave without help (a household-level reading of
the zone's shares, stated here because census tables give them per person). Every household
also carries its own uniform random numbers (:data:`U`), so its draws are the same under any
plan (common random numbers when plans are compared).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drillsim.sim.world import Zones

HOME, WAITING, ON_WAY, AT_DOOR, SHELTERED, SAFE, HOSPITAL, DEAD, GONE = range(9)
STATUS = ("home", "waiting", "on_way", "at_door", "sheltered", "safe", "hospital", "dead",
          "gone")
"""Where a household is. ``waiting``: at home for the plan's transport; ``at_door``: at a
shelter that has not opened yet; ``gone``: nobody of it is left to act (its members were
killed, taken to hospital or trapped: the casualty tallies count them)."""

CASUALTY_TALLIES = ("dead", "hospital", "trapped")
"""Persons taken out of their households by a hazard, counted per zone."""

U: dict[str, int] = {name: k for k, name in enumerate((
    "comply", "cue", "mobilize", "destination", "walk",
    "reach:siren", "reach:phone", "reach:broadcast", "reach:door_to_door",
    "delay:siren", "delay:phone", "delay:broadcast", "delay:door_to_door",
))}
"""Columns of a household's own uniform numbers, by the decision that uses them."""


@dataclass(frozen=True, eq=False)
class Households:
    """Parallel arrays, one row per household, ordered by zone."""

    zone: np.ndarray
    size: np.ndarray
    car: np.ndarray
    elderly: np.ndarray
    disabled: np.ndarray
    u: np.ndarray
    zone_start: np.ndarray
    """Households of zone ``z`` are rows ``zone_start[z]:zone_start[z + 1]``."""

    def __len__(self) -> int:
        return len(self.zone)

    def of_zone(self, z: int) -> np.ndarray:
        return np.arange(self.zone_start[z], self.zone_start[z + 1])


def draw_households(zones: Zones, rng: np.random.Generator) -> Households:
    """The households of ``zones``: counts from the zones, sizes and make-up drawn with
    ``rng`` (the run's ``households`` stream)."""
    pop = np.asarray(zones.population, np.int64)
    n_hh = np.minimum(np.maximum(np.asarray(zones.households, np.int64), (pop > 0)), pop)
    zone = np.repeat(np.arange(len(pop)), n_hh)
    size = np.ones(len(zone), np.int64)
    start = np.r_[0, np.cumsum(n_hh)]
    for z in np.flatnonzero(n_hh):
        extra = int(pop[z] - n_hh[z])
        if extra:
            size[start[z]:start[z + 1]] += rng.multinomial(extra, np.full(n_hh[z], 1 / n_hh[z]))
    u = rng.random((len(zone), len(U)))
    make_up = rng.random((len(zone), 3))
    return Households(
        zone=zone, size=size,
        car=make_up[:, 0] >= np.asarray(zones.carless_share)[zone],
        elderly=make_up[:, 1] < np.asarray(zones.elderly_share)[zone],
        disabled=make_up[:, 2] < np.asarray(zones.disabled_share)[zone],
        u=u, zone_start=start,
    )
