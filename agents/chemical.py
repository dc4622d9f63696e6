"""What a toxic release does to people, and the hazmat team that stops it.

**Exposure.** Every minute, each household breathes the concentration where it is: indoors at
home (waiting for transport counts as home) or in a shelter with a building, outdoors on the
road, at a shelter's door or in an open-space shelter. Indoor air follows outdoor air with
the building's air changes per hour λ (dCᵢ/dt = λ (C₀ − Cᵢ), solved exactly over each minute):
homes in a zone ordered to shelter in place are sealed (``air_changes_per_h.sheltering``),
other buildings are not (``normal``). Each person's toxic load Σ Cⁿ Δt (ten Berge, with the
chemical's exponent n) is compared with that of each AEGL at the time exposed so far (at
least 10 minutes, at most 8 hours): passing a level is logged once per household
(``chem.exposure``); people past AEGL-3 (life-threatening effects) are casualties
(severity 3) and those at home are taken to hospital. People who reached safety or left the
region breathe clean air.

**Stopping the leak.** A continuous release that teams can stop (``stop_on_site``) draws the
first hazmat team that is ready after the release begins: it drives from its base to the
source (free-flow time on the road network; hazmat crews wear protection and may pass closed
roads) and stops the release after working ``stop_on_site`` there.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from drillsim.agents.population import AT_DOOR, HOME, ON_WAY, SHELTERED, WAITING
from drillsim.agents.residents import Residents
from drillsim.agents.teams import TeamAgent
from drillsim.sim.hazards.chemical.chemicals import aegl_ppm, chemical
from drillsim.sim.hazards.chemical.hazard import ChemicalHazard
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.traffic.movement import OFF

STEP_S = 60.0
MIN_S, MAX_S = 600.0, 28800.0
"""The exposure time a load is judged over is held to the AEGL table's 10 minutes … 8 hours."""
WHERE = ("home", "road", "shelter")


class ChemicalExposure(mesa.Agent):
    """Toxic loads of every household under one release."""

    model: DrillModel

    def __init__(self, model: DrillModel, residents: Residents, hazard: ChemicalHazard) -> None:
        super().__init__(model)
        self.residents, self.hazard = residents, hazard
        n = len(residents.table)
        self.exponent = chemical(hazard.chemical).toxic_load_exponent
        self.indoor_ppm = np.zeros(n)
        self.load = np.zeros(n)
        """Σ Cⁿ Δt per person, ppmⁿ·s."""
        self.exposed_s = np.zeros(n)
        self.level = np.zeros(n, np.int8)
        air = hazard.spec.params["air_changes_per_h"]
        self.sealed_per_s = float(air["sheltering"]) / 3600.0
        self.normal_per_s = float(air["normal"]) / 3600.0
        self.noticed_ppm = hazard.felt_levels()[0] / 100.0
        """Below this the air counts as clean (a hundredth of the 60-minute AEGL-1)."""
        world = model.world
        built = {int(world.shelters.node[i]) for i, b in enumerate(world.shelters.building) if b}
        self.roofed_node = np.zeros(len(world.roads.ids), bool)
        self.roofed_node[list(built)] = True
        roads = world.roads
        self.node_xy = (np.asarray(roads.x_m, float), np.asarray(roads.y_m, float))
        self.link_xy = ((self.node_xy[0][roads.link_from] + self.node_xy[0][roads.link_to]) / 2,
                        (self.node_xy[1][roads.link_from] + self.node_xy[1][roads.link_to]) / 2)
        model.env.process(self._run())

    def _run(self) -> Generator[simpy.Event]:
        env = self.model.env
        start = self.hazard.spec.start_s
        yield env.timeout(max(start - env.now, 0.0))
        last_release = float(self.hazard.train.released_s.max())
        while True:
            yield env.timeout(STEP_S)
            self.breathe(STEP_S)
            if env.now > last_release and self.hazard.peak_ppm(env.now) < self.noticed_ppm \
                    and self.indoor_ppm.max() < self.noticed_ppm:
                return  # the air is clean again, outdoors and in

    # -- one minute of breathing ----------------------------------------------------------
    def breathe(self, dt_s: float) -> None:
        """Advance indoor air, loads and levels by ``dt_s``."""
        res, now = self.residents, self.model.now
        status = res.status
        outdoor, where = self._outdoor_ppm(status, now)
        indoor = (where == 0) | ((where == 2) & self._roofed(status))
        rate = np.where(self._sealed(status), self.sealed_per_s, self.normal_per_s)
        keep = np.exp(-rate * dt_s)
        self.indoor_ppm = np.where(indoor, outdoor + (self.indoor_ppm - outdoor) * keep, outdoor)
        breathed = np.where(where >= 0, np.where(indoor, self.indoor_ppm, outdoor), 0.0)
        self.load += breathed ** self.exponent * dt_s
        self.exposed_s += np.where(breathed > self.noticed_ppm, dt_s, 0.0)
        self._judge(where)

    def _outdoor_ppm(self, status: np.ndarray, now: float) -> tuple[np.ndarray, np.ndarray]:
        """Outdoor concentration where each household is, and where that is (0 home, 1
        road, 2 shelter, -1 out of reach: safe, gone, in hospital)."""
        res, t = self.residents, self.residents.table
        traffic = res.traffic
        where = np.full(len(status), -1, np.int8)
        where[np.isin(status, (HOME, WAITING))] = 0
        where[status == ON_WAY] = 1
        where[np.isin(status, (AT_DOOR, SHELTERED))] = 2
        out = np.zeros(len(status))
        zones = self.model.world.zones
        home = where == 0
        if home.any():
            out[home] = self.hazard.sample(now, zones.x_m, zones.y_m)[t.zone[home]]
        on_link = (where == 1) & (traffic.link != OFF)
        at_node = ((where == 1) & (traffic.link == OFF)) | (where == 2)
        for mask, xy, index in ((on_link, self.link_xy, traffic.link),
                                (at_node, self.node_xy, traffic.node)):
            if mask.any():
                places, inverse = np.unique(index[mask], return_inverse=True)
                out[mask] = self.hazard.sample(now, xy[0][places], xy[1][places])[inverse]
        return out, where

    def _sealed(self, status: np.ndarray) -> np.ndarray:
        """Households at home in a zone told to shelter in place."""
        res = self.residents
        told = np.zeros(len(self.model.world.zones), bool)
        for z, (action, _) in res.zone_orders.items():
            told[z] = action == "shelter_in_place"
        return np.isin(status, (HOME, WAITING)) & told[res.table.zone]

    def _roofed(self, status: np.ndarray) -> np.ndarray:
        return (status == SHELTERED) & self.roofed_node[self.residents.traffic.node]

    def _judge(self, where: np.ndarray) -> None:
        """Log households whose load newly passes an AEGL level; AEGL-3 makes casualties."""
        active = np.flatnonzero((self.load > 0) & (self.level < 3))
        if len(active) == 0:
            return
        duration = np.clip(self.exposed_s[active], MIN_S, MAX_S)
        reached = np.zeros(len(active), np.int8)
        for level in (1, 2, 3):
            limit = aegl_ppm(self.hazard.chemical, level, duration)
            threshold = np.where(np.isnan(limit), np.inf, limit) ** self.exponent * duration
            reached = np.where(self.load[active] >= threshold, level, reached)
        new = reached > self.level[active]
        ids, levels = active[new], reached[new]
        if len(ids) == 0:
            return
        old = self.level[ids].copy()
        self.level[ids] = levels
        self._log(ids, old, levels, where[ids])

    def _log(self, ids: np.ndarray, old: np.ndarray, new: np.ndarray,
             where: np.ndarray) -> None:
        res, zones, size = self.residents, self.model.world.zones, self.residents.table.size
        z = res.table.zone[ids]
        for level in (1, 2, 3):
            passed = (old < level) & (new >= level)
            for w in range(3):
                sel = passed & (where == w)
                per = np.bincount(z[sel], weights=size[ids][sel], minlength=len(zones))
                for zi in np.flatnonzero(per).tolist():
                    self.model.emit("chem.exposure", zones.ids[zi], zones.ids[zi],
                                    float(per[zi]), aegl=level, where=WHERE[w])
        hurt = ids[(new >= 3) & (old < 3)]
        per = np.bincount(res.table.zone[hurt], weights=size[hurt], minlength=len(zones))
        for zi in np.flatnonzero(per).tolist():
            self.model.emit("people.injured", zones.ids[zi], zones.ids[zi], float(per[zi]),
                            severity=3, cause=self.hazard.spec.id)
        at_home = hurt[np.isin(res.status[hurt], (HOME, WAITING))]
        if len(at_home):
            zero = np.zeros(len(at_home), np.int64)
            res.take_out(at_home, {"dead": zero, "hospital": res.table.size[at_home].copy(),
                                   "trapped": zero})


class LeakResponse(mesa.Agent):
    """The hazmat team that stops a continuous release."""

    model: DrillModel

    def __init__(self, model: DrillModel, hazard: ChemicalHazard) -> None:
        super().__init__(model)
        self.hazard = hazard
        model.env.process(self._run())

    def _run(self) -> Generator[simpy.Event]:
        env, spec = self.model.env, self.hazard.spec
        work_s = spec.params.get("stop_on_site")
        if work_s is None or spec.params.get("rate_kg_s") is None:
            return
        yield env.timeout(max(spec.start_s - env.now, 0.0))
        team = None
        while team is None:
            team = self._ready_team()
            if team is None:
                yield env.timeout(STEP_S)
        task = f"stop:{spec.id}"
        team.busy = True  # type: ignore[attr-defined]
        roads = self.model.world.roads
        source = int(np.argmin(np.hypot(np.asarray(roads.x_m) - self.hazard.train.x_m,
                                        np.asarray(roads.y_m) - self.hazard.train.y_m)))
        base = int(self.model.world.stations.node[team.station])
        travel_s = float(roads.travel_times_s(np.array([base]))[0, source])
        place = roads.ids[source]
        self.model.emit("team.dispatch", team.team_id, place, travel_s, task=task)
        yield env.timeout(travel_s)
        self.model.emit("team.arrive", team.team_id, place, task=task)
        yield env.timeout(float(work_s))
        if self.hazard.stop(env.now):
            self.model.emit("hazard.stop", spec.id, place, by=team.team_id)
        team.busy = False  # type: ignore[attr-defined]

    def _ready_team(self) -> TeamAgent | None:
        teams = [t for t in self.model.agents_by_type.get(TeamAgent, [])
                 if t.team_type == "hazmat" and t.ready and not getattr(t, "busy", False)]
        return min(teams, key=lambda t: t.team_id) if teams else None
