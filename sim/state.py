"""What changes during a run: road links open or closed, facilities open or closed, and the
state counters that plan triggers read. It belongs to the run, never to a class."""

from __future__ import annotations

import numpy as np

from drillsim.sim.world import World

COUNTERS: dict[str, str] = {
    "deaths": "people killed",
    "missing": "people missing",
    "deaths_and_missing": "deaths + missing (the national relief plan's level criterion)",
    "injured": "people injured",
    "trapped": "people trapped (in collapsed buildings, or cut off by water) awaiting rescue",
    "displaced": "people relocated or needing emergency aid",
    "rooms_collapsed": "rooms collapsed or severely damaged",
    "evacuated": "people who left their zone",
    "sheltered": "people in shelters",
}
"""State counters that plan triggers may name, with their meaning."""

DERIVED: dict[str, tuple[str, ...]] = {"deaths_and_missing": ("deaths", "missing")}
"""Counters that are sums of others (they cannot be reported directly)."""

BASE_COUNTERS: tuple[str, ...] = tuple(c for c in COUNTERS if c not in DERIVED)


def counter_value(counters: dict[str, float], name: str) -> float:
    """The value of counter ``name`` (derived counters are sums of their parts)."""
    parts = DERIVED.get(name)
    if parts is not None:
        return sum(counters.get(p, 0.0) for p in parts)
    return counters.get(name, 0.0)


class WorldState:
    """Mutable per-run state over a shared, immutable :class:`World`."""

    def __init__(self, world: World) -> None:
        self.link_open = np.ones(world.roads.n_links, dtype=bool)
        self.shelter_open = np.zeros(len(world.shelters), dtype=bool)
        self.hospital_open = np.ones(len(world.hospitals), dtype=bool)
        self.depot_open = np.ones(len(world.depots), dtype=bool)
        self.station_open = np.ones(len(world.stations), dtype=bool)
        self.held_closed: set[str] = set()
        """Facilities an inject has closed: the plan does not open them by itself."""
        self.link_speed_factor = np.ones(world.roads.n_links)
        """Fraction of free speed the hazards allow on each link (1 free, 0 impassable)."""
        self.link_closed_by = np.full(world.roads.n_links, "", dtype=object)
        """The hazard (its id) whose impact closed each link ("" for links it has not)."""
        self.link_held = np.zeros(world.roads.n_links, dtype=bool)
        """Links an inject has closed (until an inject opens them)."""
        self.hazard_closed: set[str] = set()
        """Facilities a hazard has made unusable (they cannot open while it lasts)."""
        self.due_open: set[str] = set()
        """Facilities whose plan opening time has come (opened as soon as nothing prevents
        it)."""

    def refresh_links(self) -> np.ndarray:
        """Recompute which links are open: not held closed by an inject and passable under
        every hazard. Returns the links whose state changed."""
        now_open = ~self.link_held & (self.link_speed_factor > 0.0)
        changed = np.flatnonzero(now_open != self.link_open)
        self.link_open[:] = now_open
        return changed

    def facility_flags(self, kind: str) -> np.ndarray:
        """The open/closed flags of a facility table by its kind name."""
        return {
            "shelter": self.shelter_open, "hospital": self.hospital_open,
            "depot": self.depot_open, "station": self.station_open,
        }[kind]
