"""Relief logistics: stocks move from depots to shelters by the plan's relief-transport
teams, following the plan's resupply rule (:class:`~drillsim.sim.plan.Resupply`).

Every ``check_every_s`` the logistics cell looks at each open shelter: an item (water, food)
whose stock would last less than ``below_s`` at the present occupancy (or, with ``basis:
capacity``, when full), or that households are waiting for, is ordered up to ``up_to_s`` of
that need (plus the first ration of those waiting). The most urgent shelter is served
first. Its order goes to the depot of the lowest tier that holds the item and is open
(community first, then street, district and city: relief stocks are held close to people
first), the one with the shortest trip within a tier, and to the free relief-transport team
nearest that depot. The team
drives to the depot, loads (``load_s``), carries at most its ``payload``, drives to the
shelter and unloads (``load_s``); households waiting there get their basic relief at once.
A depot or shelter that closes meanwhile ends the trip (a load goes back to its depot).
One delivery per shelter is on its way at a time. Every hour each open shelter with people
logs its stocks.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import numpy as np
import simpy

from drillsim.agents.facilities import ShelterAgent
from drillsim.agents.teams import Roster, TeamAgent
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel

ITEMS = {"water_l": "water", "food_rations": "food"}
"""Depot stock names → shelter stock names."""
TRANSPORT = ("relief_transport",)
STOCK_REPORT_S = 3600.0
"""How often shelters report their stocks."""


class ReliefLogistics(mesa.Agent):
    """The logistics cell: depot stocks and the resupply of shelters."""

    model: DrillModel

    def __init__(self, model: DrillModel, shelters: list[ShelterAgent]) -> None:
        super().__init__(model)
        self.rule = model.compiled.plan.resupply
        self.shelters = shelters
        d = model.world.depots
        self.stock = {"water_l": np.array(d.water_l, float),
                      "food_rations": np.array(d.food_rations, float)}
        self.empty: set[tuple[int, str]] = set()
        self.en_route: set[int] = set()
        """Shelters with a delivery on its way."""
        self.roster = Roster.of(model)
        if self.rule is not None and len(d) and shelters:
            model.env.process(self._review())
        if shelters:
            model.env.process(self._report_stocks())

    def _report_stocks(self) -> Generator[simpy.Event]:
        """Every hour, each open shelter with people logs its stocks (``shelter.stock``)."""
        while True:
            yield self.model.env.timeout(STOCK_REPORT_S)
            for s in self.shelters:
                if not s.is_open or s.occupancy == 0:
                    continue
                need = s.daily_need("water")
                days = s.stock["water"] / need if need > 0 else float("inf")
                self.model.emit("shelter.stock", s.shelter_id, qty=days,
                                water_l=float(s.stock["water"]),
                                food_rations=float(s.stock["food"]))

    def _review(self) -> Generator[simpy.Event]:
        env, every = self.model.env, self.rule.check_every_s  # type: ignore[union-attr]
        while True:
            self.review()
            yield env.timeout(every)

    def needs(self, shelter: ShelterAgent) -> dict[str, float]:
        """What ``shelter`` should be sent now, by depot item (empty: nothing)."""
        rule = self.rule
        if rule is None or not shelter.is_open or shelter.index in self.en_route:
            return {}
        out = {}
        carried = {item for item, amount in rule.payload if amount > 0}
        for item, mine in ITEMS.items():
            if item not in carried:
                continue  # the trucks do not carry it
            per_day = shelter.daily_need(mine, rule.basis == "capacity")
            if per_day <= 0:
                continue
            lasts_s = shelter.stock[mine] / per_day * 86400.0
            waiting = mine in shelter.out_of or bool(shelter.unrelieved)
            if lasts_s < rule.below_s or waiting:
                want = per_day * rule.up_to_s / 86400.0 - shelter.stock[mine]
                if want > 0:
                    out[item] = want
        return out

    def review(self) -> None:
        """Send what the shelters need, most urgent first, while teams are free."""
        orders = []
        for s in self.shelters:
            need = self.needs(s)
            if need:
                urgency = min(s.stock[ITEMS[k]] / max(s.daily_need(ITEMS[k]), 1e-9)
                              for k in need)  # days left at the present occupancy
                orders.append((urgency, s.index, s, need))
        for _, _, shelter, need in sorted(orders, key=lambda o: (o[0], o[1])):
            free = self.roster.free(TRANSPORT)
            if not free:
                return
            pick = self._source(shelter, need, free)
            if pick is None:
                continue
            depot, team = pick
            self.en_route.add(shelter.index)
            team.claim(lambda t, d=depot, s=shelter, n=need: self._trip(t, d, s, n))

    def _source(self, shelter: ShelterAgent, need: dict[str, float],
                free: list[TeamAgent]) -> tuple[int, TeamAgent] | None:
        """The depot (lowest tier holding something needed, shortest trip) and the free team
        nearest it; None if no depot with stock can be reached."""
        d, routes = self.model.world.depots, self.roster.routes
        target = int(self.model.world.shelters.node[shelter.index])
        best = None
        for i in range(len(d)):
            if not self.model.state.depot_open[i]:
                continue
            if not any(self.stock[item][i] > 0 for item in need):
                continue
            onward = routes.time(int(d.node[i]), target)
            if not math.isfinite(onward):
                continue
            key = (-int(d.tier[i]), onward)
            if best is None or key < best[0]:
                best = (key, i)
        if best is None:
            return None
        depot = best[1]
        node = int(d.node[depot])
        times = [(routes.time(t.node, node), k) for k, t in enumerate(free)]
        t_s, k = min(times)
        if not math.isfinite(t_s):
            return None
        return depot, free[k]

    def _trip(self, team: TeamAgent, depot: int, shelter: ShelterAgent,
              need: dict[str, float]) -> Generator[simpy.Event]:
        env, d = self.model.env, self.model.world.depots
        rule = self.rule
        assert rule is not None
        payload = dict(rule.payload)
        try:
            yield from team.go(int(d.node[depot]), f"load:{d.ids[depot]}")
            if not self.model.state.depot_open[depot] or not shelter.is_open:
                return  # closed meanwhile: the next review sends another order
            yield env.timeout(rule.load_s)
            load = {}
            for item, want in need.items():
                amount = min(want, payload.get(item, 0.0), self.stock[item][depot])
                if amount <= 0:
                    continue
                self.stock[item][depot] -= amount
                load[item] = amount
                self.model.emit("relief.dispatch", team.team_id, d.ids[depot], amount,
                                item=item, target=shelter.shelter_id)
                if self.stock[item][depot] <= 0 and (depot, item) not in self.empty:
                    self.empty.add((depot, item))
                    self.model.emit("depot.stockout", d.ids[depot], item=item)
            if not load:
                return
            node = int(self.model.world.shelters.node[shelter.index])
            yield from team.go(node, f"deliver:{shelter.shelter_id}")
            if not shelter.is_open:  # closed on the way: the load goes back to the depot
                yield from team.go(int(d.node[depot]), f"return:{d.ids[depot]}")
                for item, amount in load.items():
                    self.stock[item][depot] += amount
                    self.empty.discard((depot, item))
                return
            yield env.timeout(rule.load_s)
            for item, amount in load.items():
                self.model.emit("relief.deliver", shelter.shelter_id, qty=amount, item=item,
                                by=team.team_id)
                shelter.restock(ITEMS[item], amount)
        finally:
            self.en_route.discard(shelter.index)
