"""What an earthquake does to people: at each shock, the households whose building was newly
damaged lose members (killed, injured, trapped) and, if the home is uninhabitable, leave for a
public shelter; trapped people become collapse-rescue incidents (one per zone and shock) for
the plan's rescue teams, and die as they wait, following the survival curve of
:mod:`drillsim.sim.hazards.quake.trapped` (:mod:`drillsim.agents.incidents`); the injured go
to hospital (:mod:`drillsim.agents.casualties`).

People: the members of a household at home are indoors with the residential occupancy of the
hour (:func:`indoor_share`); each indoor person's injury severity is drawn with the Hazus
indoor casualty rates of the building's type and new damage state (severity 4 is death) —
after an aftershock, with the increase of those rates over the building's earlier state, so
a building that gets worse does not harm its occupants twice for the same damage; in a
collapsed building, a share of the survivors (Coburn & Spence's M3, by material) is trapped.
Severity 2 and 3 go to hospital (severity 3 by the plan's medical teams); severity 1 is
treated on the spot and stays with the household.

Homes: a household whose building reaches extensive damage is uninhabitable with the Hazus
weight of its housing type (multi-family 0.9, single-family 0), complete damage always
(Hazus-MH 2.1 Technical Manual, chapter 14, displaced households; wood and manufactured
housing read as single-family, every other type as multi-family). Rooms collapsed or severely
damaged are counted at three rooms per household (the national relief plan's level I
thresholds: 300,000 rooms, 100,000 households).
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from drillsim.agents.casualties import CasualtyFlow
from drillsim.agents.incidents import IncidentBoard
from drillsim.agents.population import HOME, WAITING
from drillsim.agents.residents import Residents
from drillsim.sim.hazards.quake.casualty import casualty_rates_by_state
from drillsim.sim.hazards.quake.damage import (
    EXTENSIVE,
    TYPICAL_STORIES,
    counts_by_state,
    material,
)
from drillsim.sim.hazards.quake.gmice import pga_to_mmi
from drillsim.sim.hazards.quake.hazard import QuakeHazard
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel

ROOMS_PER_HOUSEHOLD = 3.0
"""Rooms per household (national natural-disaster relief plan: 300,000 rooms ≈ 100,000
households)."""

UNINHABITABLE = {"single": np.array([0, 0, 0, 0.0, 1.0]),
                 "multi": np.array([0, 0, 0, 0.9, 1.0])}
"""Probability that a home is uninhabitable by damage state (none … complete), Hazus-MH 2.1
Technical Manual chapter 14 (weights w_SF, w_MF)."""

SINGLE_FAMILY = ("W1", "W2", "MH")

MMI_LOGGED = 4.0
"""Shaking is logged where a shock is felt at least this strongly (MMI IV: felt indoors by
many)."""


def indoor_share(hour: float) -> float:
    """Share of residents at home who are indoors: 0.99 at night (22:00–06:00), 0.75 by day
    (09:00–17:00), 0.5 at the commuting hours between. After the Hazus default population
    distribution (MH 2.1 Technical Manual Table 13.2: 0.99 × night residents at 2 AM, 0.75 ×
    day residents at 2 PM, 0.5 × night residents at 5 PM), read as shares of the people at
    home (check: the table's day value applies to daytime residents)."""
    h = hour % 24.0
    if h >= 22.0 or h < 6.0:
        return 0.99
    if 9.0 <= h < 17.0:
        return 0.75
    return 0.5


class QuakeAftermath(mesa.Agent):
    """The earthquake's effect on the residents, shock by shock."""

    model: DrillModel

    def __init__(self, model: DrillModel, residents: Residents, quake: QuakeHazard) -> None:
        super().__init__(model)
        self.residents, self.quake = residents, quake
        self.draws = model.streams(f"quake-people:{quake.spec.id}")
        self.home = self._homes()
        inv = quake.buildings
        types = inv.types()
        self.rates = np.asarray(casualty_rates_by_state(np.array(types)), float) \
            if types else np.zeros((0, 5, 4))
        shares = quake.spec.params["trapped_share"]
        self.trapped_share = np.array([shares[material(t)] for t in types], float)
        self.uninhabitable = np.array([UNINHABITABLE["single" if t in SINGLE_FAMILY
                                                     else "multi"] for t in types], float)
        self.damaged = np.zeros(len(residents.table), bool)
        """Households whose home has been counted as collapsed or severely damaged."""
        self.board = IncidentBoard.of(model)
        self.casualties = CasualtyFlow.of(model)
        model.env.process(self._shocks())

    def _homes(self) -> np.ndarray:
        """The building each household lives in (-1: its zone has none): drawn within its
        zone in proportion to the buildings' typical stories."""
        t, inv = self.residents.table, self.quake.buildings
        home = np.full(len(t), -1, np.int64)
        stories = np.array([TYPICAL_STORIES[k] for k in inv.types()], float)[inv.kind] \
            if len(inv) else np.zeros(0)
        order = np.argsort(inv.zone, kind="stable")
        starts = np.searchsorted(inv.zone[order], np.arange(len(t.zone_start)))
        for z in range(len(t.zone_start) - 1):
            mine = order[starts[z]:starts[z + 1]]
            members = t.of_zone(z)
            if len(mine) and len(members):
                w = stories[mine]
                home[members] = mine[self.draws.choice(len(mine), len(members), p=w / w.sum())]
        return home

    # -- the process ---------------------------------------------------------------------
    def _shocks(self) -> Generator[simpy.Event]:
        env, quake = self.model.env, self.quake
        for k, shock in enumerate(quake.shocks):
            if shock.t_s > env.now:
                yield env.timeout(shock.t_s - env.now)
            self._log_shock(k)
            self._people(k)

    def _log_shock(self, k: int) -> None:
        quake, model, zones = self.quake, self.model, self.model.world.zones
        shock = quake.shocks[k]
        near = int(np.argmin(np.hypot(zones.x_m - shock.rupture.x_m,
                                      zones.y_m - shock.rupture.y_m)))
        model.emit("quake.shock", quake.spec.id, zones.ids[near], shock.magnitude,
                   aftershock=shock.aftershock, depth_km=float(shock.rupture.depth_km))
        pga = quake.shaking.zone_pga_g[k]
        mmi = np.asarray(pga_to_mmi(pga), float)
        for z in np.flatnonzero(mmi >= MMI_LOGGED).tolist():
            model.emit("quake.shaking", zones.ids[z], zones.ids[z], float(pga[z]),
                       mmi=round(float(mmi[z]), 2))
        inv, dmg, n = quake.buildings, quake.damage, len(zones)
        before = dmg.state[k - 1] if k else np.zeros(len(inv), np.int8)
        now = dmg.state[k]
        changed = np.bincount(inv.zone[now != before], minlength=n)
        counts = counts_by_state(inv.zone, now, n)
        newly = np.bincount(inv.zone[(now >= EXTENSIVE) & (before < EXTENSIVE)], minlength=n)
        fallen = np.bincount(inv.zone[dmg.collapsed[k]], minlength=n)
        for z in np.flatnonzero(changed).tolist():
            model.emit("quake.damage", zones.ids[z], zones.ids[z], float(newly[z]),
                       slight=int(counts[z, 1]), moderate=int(counts[z, 2]),
                       extensive=int(counts[z, 3]), complete=int(counts[z, 4]),
                       collapsed=int(fallen[z]))
        self._log_structures(k)

    def _log_structures(self, k: int) -> None:
        quake, model, world = self.quake, self.model, self.model.world
        names = ("none", "slight", "moderate", "extensive", "complete")
        rows = [(kind, world.facilities(kind).ids, quake.facility_state[kind])
                for kind in quake.facility_state]
        rows.append(("bridge", tuple(quake.bridge_roads), quake.bridge_state))
        for kind, ids, state in rows:
            before = state[k - 1] if k else np.zeros(state.shape[1], np.int8)
            for j in np.flatnonzero(state[k] > np.maximum(before, 0)).tolist():
                model.emit("quake.structure", ids[j], qty=float(state[k][j]),
                           state=names[int(state[k][j])], type=kind)
        was = quake.site_state[k - 1] if k else np.zeros_like(quake.site_state[k])
        for j in np.flatnonzero(quake.site_state[k] & ~was).tolist():
            model.emit("quake.structure", world.sites.ids[j], qty=float(world.sites.fails_at[j]),
                       state="failed", type=world.sites.kind[j])

    # -- people --------------------------------------------------------------------------
    def _people(self, k: int) -> None:
        """Casualties, trapped people, lost homes and the displaced of shock ``k``."""
        res, dmg = self.residents, self.quake.damage
        if len(self.quake.buildings) == 0:
            return  # no building inventory: shaking harms nobody
        state = dmg.state[k]
        before = dmg.state[k - 1] if k else np.zeros(len(state), np.int8)
        has_home = self.home >= 0
        b = np.where(has_home, self.home, 0)
        worse = has_home & (state[b] > before[b])
        self._lost_homes(worse & (state[b] >= EXTENSIVE) & ~self.damaged)
        at_home = worse & np.isin(res.status, (HOME, WAITING)) & (res.table.size > 0)
        ids = np.flatnonzero(at_home)
        if len(ids):
            was_fallen = dmg.collapsed[k - 1][b[ids]] if k else np.zeros(len(ids), bool)
            self._harm(ids, b[ids], (before[b[ids]], was_fallen),
                       (state[b[ids]], dmg.collapsed[k][b[ids]]), k)
        gone = np.flatnonzero(worse & (state[b] >= EXTENSIVE) & (res.status == HOME)
                              & (res.table.size > 0))
        u = self.draws.random(len(gone))
        kind = self.quake.buildings.kind[b[gone]]
        out = gone[u < self.uninhabitable[kind, state[b[gone]]]]
        self._displace(out)

    def _lost_homes(self, newly: np.ndarray) -> None:
        """Count the homes newly collapsed or severely damaged (rooms, per zone)."""
        t, zones = self.residents.table, self.model.world.zones
        self.damaged |= newly
        per_zone = np.bincount(t.zone[newly], minlength=len(zones))
        for z in np.flatnonzero(per_zone).tolist():
            self.model.emit("housing.damage", zones.ids[z], zones.ids[z],
                            float(per_zone[z] * ROOMS_PER_HOUSEHOLD),
                            households=int(per_zone[z]))

    def rates_at(self, kind: np.ndarray, state: np.ndarray, collapsed: np.ndarray
                 ) -> np.ndarray:
        """[household, severity 1..4] Hazus indoor casualty rates of buildings of ``kind``
        in damage ``state`` (0 none … 4 complete), collapsed or not."""
        row = np.where(collapsed, 4, np.maximum(state.astype(np.int64) - 1, 0))
        return np.where((state > 0)[:, None], self.rates[kind, row], 0.0)

    def _harm(self, ids: np.ndarray, building: np.ndarray, was: tuple[np.ndarray, np.ndarray],
              now: tuple[np.ndarray, np.ndarray], k: int) -> None:
        res, rng, zones = self.residents, self.draws, self.model.world.zones
        hour = float(self.quake.spec.params.get("start_hour", 2.0)) \
            + (self.quake.shocks[k].t_s - self.quake.spec.start_s) / 3600.0
        indoors = rng.binomial(res.table.size[ids], indoor_share(hour))
        kind = self.quake.buildings.kind[building]
        collapsed = now[1] & ~was[1]  # the newly collapsed trap their occupants
        p = np.maximum(self.rates_at(kind, *now) - self.rates_at(kind, *was), 0.0)
        pvals = np.column_stack([p, 1.0 - p.sum(axis=1)])
        hurt = rng.multinomial(indoors, pvals)  # severity 1, 2, 3, 4, unhurt
        trapped = np.where(collapsed[:, None],
                           rng.binomial(np.delete(hurt, 3, axis=1),
                                        self.trapped_share[kind][:, None]), 0)
        free = np.delete(hurt, 3, axis=1) - trapped  # severity 1, 2, 3, unhurt (not trapped)
        dead, hospital = hurt[:, 3], free[:, 1] + free[:, 2]
        caught = trapped.sum(axis=1)
        res.take_out(ids, {"dead": dead, "hospital": hospital, "trapped": caught})
        cause = self.quake.spec.id
        z = res.table.zone[ids]
        n = len(zones)
        per = np.bincount(z, weights=dead, minlength=n)
        for zi in np.flatnonzero(per).tolist():
            self.model.emit("people.killed", zones.ids[zi], zones.ids[zi], float(per[zi]),
                            cause=cause)
        for sev in (1, 2, 3):
            per = np.bincount(z, weights=free[:, sev - 1], minlength=n)
            for zi in np.flatnonzero(per).tolist():
                self.model.emit("people.injured", zones.ids[zi], zones.ids[zi], float(per[zi]),
                                severity=sev, cause=cause)
                self.casualties.injured(zi, int(per[zi]), sev, cause)
        per = np.bincount(z, weights=caught, minlength=n)
        for zi in np.flatnonzero(per).tolist():
            self.board.create(f"{cause}:{zones.ids[zi]}:{k}", "collapse_rescue", zi,
                              int(per[zi]), cause=cause)

    def _displace(self, ids: np.ndarray) -> None:
        res, zones = self.residents, self.model.world.zones
        ids = ids[~res.homeless[ids]]
        per = np.bincount(res.table.zone[ids], weights=res.table.size[ids],
                          minlength=len(zones))
        for z in np.flatnonzero(per).tolist():
            self.model.emit("people.displaced", zones.ids[z], zones.ids[z], float(per[z]),
                            cause=self.quake.spec.id)
        res.must_leave(ids, "home damaged")
