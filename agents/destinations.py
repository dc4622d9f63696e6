"""Where households go: the shelters they consider, in order, and the safe places outside
the shelters (the region's exits, and zones not ordered to leave)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.households import Household
from drillsim.sim.model import DrillModel
from drillsim.sim.traffic import Traffic


class Destinations:
    """Shelter choice and safety for the residents of one run. Destination ``safe_row``
    of the traffic's routing tables is "safety"; the others are the shelters."""

    def __init__(self, model: DrillModel, shelters: list[ShelterAgent]) -> None:
        self.model = model
        self.shelters = shelters
        self.safe_row = len(shelters)
        self.traffic: Traffic | None = None
        self._ranked: list[list[int]] | None = None

    def safe_nodes(self, ordered_out: set[int]) -> np.ndarray:
        """Exits, and the nodes of zones not ordered to leave (family and friends there)."""
        zones = self.model.world.zones
        free = [int(zones.node[z]) for z in range(len(zones)) if z not in ordered_out]
        return np.unique(np.concatenate([np.asarray(self.model.world.exits, np.int64),
                                         np.asarray(free, np.int64)]))

    def has_safety(self) -> bool:
        return len(self._router(False).targets[self.safe_row]) > 0

    def ranked_shelters(self, zone: int, walk: bool) -> list[int]:
        """Shelters for a household of ``zone``, best first, that can take people now and
        can be reached on the roads as they are (see :meth:`_ranking`)."""
        origin = int(self.model.world.zones.node[zone])
        return list(self._reachable(self._ranking(zone), origin, walk))

    def best_shelter(self, hh: Household, walk: bool, node: int | None = None) -> int | None:
        """The household's choice among the shelters that can take it and that it can reach
        from ``node`` (default: its home), without building the list (full shelters stay
        full, so they are dropped from the ranking for good)."""
        ranked = self._ranking(hh.zone)
        while ranked and self.shelters[ranked[0]].full:
            ranked.pop(0)
        origin = int(self.model.world.zones.node[hh.zone]) if node is None else node
        return hh.choose_shelter(self._reachable(ranked, origin, walk))

    def next_destination(self, hh: Household, node: int, walk: bool) -> int | None:
        """The next shelter that can take the household and that it can reach from
        ``node``, else safety if reachable, else None."""
        nxt = self.best_shelter(hh, walk, node)
        if nxt is None and self.has_safety() and \
                self._router(walk).time(self.safe_row, node) < np.inf:
            nxt = self.safe_row
        return nxt

    def _router(self, walk: bool):  # type: ignore[no-untyped-def]
        assert self.traffic is not None
        return self.traffic.foot_router if walk else self.traffic.car_router

    def _reachable(self, ranked: list[int], node: int, walk: bool) -> Iterator[int]:
        router = self._router(walk)
        return (s for s in ranked if self.shelters[s].can_take()
                and router.time(s, node) < np.inf)

    def _ranking(self, zone: int) -> list[int]:
        """The zone's shelters in the order households consider them: the plan's list for
        the zone (``preassigned`` / ``by_zone``), then the rest by free-flow travel time
        from the zone (what residents know of their town: the nearest shelter, not today's
        traffic). Computed once for all zones."""
        if self._ranked is None:
            times = self.model.world.zone_to_shelter_s  # zone × shelter
            order = np.argsort(times, axis=1, kind="stable")
            lists = self.model.compiled.plan.shelter_lists
            self._ranked = []
            for z, row in enumerate(order.tolist()):
                listed = list(lists[z]) if lists else []
                self._ranked.append(listed + [s for s in row if s not in listed]
                                    if listed else row)
        return self._ranked[zone]
