"""What a toxic release does to people, and the hazmat team that stops it.

**Exposure.** Every minute, each household breathes the concentration where it is: indoors at
home (waiting for transport counts as home; outdoor air there is the mean over the zone's
:func:`home_points`) or in a shelter with a building, outdoors on the
road, at a shelter's door or in an open-space shelter. Indoor air follows outdoor air with
the building's air changes per hour λ (dCᵢ/dt = λ (C₀ − Cᵢ), solved exactly over each minute):
homes in a zone ordered to shelter in place are sealed (``air_changes_per_h.sheltering``),
other buildings are not (``normal``). Each person's toxic load Σ Cⁿ Δt (ten Berge, with the
chemical's exponent n) is compared with that of each AEGL at the time exposed so far:
passing a level is logged once per household
(``chem.exposure``); people past AEGL-3 (life-threatening effects) are casualties
(severity 3) and those at home become casualties for the medical teams
(:mod:`drillsim.agents.casualties`); those on the road or in a shelter stay where they are
(not modelled further). People who reached safety or
left the region breathe clean air. A household carries its indoor air with it: arriving at
a shelter, it starts from the air it last breathed (a conservative simplification).

**Stopping the leak.** A continuous release that teams can stop (``stop_on_site``) is a
``hazmat_leak`` incident at the road node nearest the source from its onset: dispatch sends a
capable team (:mod:`drillsim.agents.incidents`), which drives there on the road graph as it is
(hazmat crews wear protection: a cloud does not close their road) and stops the release after
working ``stop_on_site``.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy
from scipy.spatial import cKDTree

from drillsim.agents.casualties import CasualtyFlow
from drillsim.agents.incidents import Incident, IncidentBoard
from drillsim.agents.population import AT_DOOR, HOME, ON_WAY, SHELTERED, WAITING
from drillsim.agents.residents import Residents
from drillsim.agents.teams import TeamAgent
from drillsim.sim.distributions import Dist
from drillsim.sim.hazards.chemical.chemicals import aegl_ppm, chemical
from drillsim.sim.hazards.chemical.hazard import ChemicalHazard
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.traffic.movement import OFF

STEP_S = 60.0
PLACE_OF_STATUS = np.full(16, -1, np.int8)
"""Where a household of each status breathes: 0 home, 1 road, 2 shelter, -1 nowhere in
reach (safe outside, gone, in hospital, dead)."""
PLACE_OF_STATUS[[HOME, WAITING]] = 0
PLACE_OF_STATUS[ON_WAY] = 1
PLACE_OF_STATUS[[AT_DOOR, SHELTERED]] = 2
WHERE = ("home", "road", "shelter")


def home_points(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[zone, 9] points where a zone's homes are: a 3 × 3 lattice over a square block
    around its centre, the block as wide as the distance to the nearest other zone centre
    (zones tile the region), so a narrow cloud passing between two centres still reaches
    the homes it crosses. A lone zone is read at its centre."""
    n = len(x_m)
    if n < 2:
        return x_m[:, None].repeat(9, axis=1), y_m[:, None].repeat(9, axis=1)
    tree = cKDTree(np.column_stack([x_m, y_m]))
    width = tree.query(np.column_stack([x_m, y_m]), k=2)[0][:, 1]
    offsets = np.array([-1.0, 0.0, 1.0]) / 3.0
    ox, oy = (a.ravel() for a in np.meshgrid(offsets, offsets))
    return x_m[:, None] + width[:, None] * ox, y_m[:, None] + width[:, None] * oy


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
        self.home_xy = home_points(np.asarray(world.zones.x_m, float),
                                   np.asarray(world.zones.y_m, float))
        model.env.process(self._run())

    def zone_air_ppm(self, now: float) -> np.ndarray:
        """Outdoor concentration around each zone's homes: the mean over its
        :func:`home_points`."""
        x, y = self.home_xy
        return np.asarray(self.hazard.sample(now, x, y), float).mean(axis=1)

    def _run(self) -> Generator[simpy.Event]:
        env = self.model.env
        start = self.hazard.spec.start_s
        yield env.timeout(max(start - env.now, 0.0))
        last_release = float(self.hazard.train.released_s.max())
        while True:
            yield env.timeout(STEP_S)
            self.breathe(STEP_S)
            if env.now > last_release and self._clean(env.now):
                return

    def _clean(self, now: float) -> bool:
        """The air is clean again everywhere people can be (every zone and road node,
        indoors too) and no wind shift is still to come that could bring the cloud back."""
        if any(w.t_s > now for w in self.hazard.train.winds):
            return False
        if self.indoor_ppm.max(initial=0.0) >= self.noticed_ppm:
            return False
        zones = self.model.world.zones
        places_x = np.concatenate([zones.x_m, self.node_xy[0]])
        places_y = np.concatenate([zones.y_m, self.node_xy[1]])
        return float(self.hazard.sample(now, places_x, places_y).max()) < self.noticed_ppm

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
        where = PLACE_OF_STATUS[status]
        out = np.zeros(len(status))
        home = where == 0
        if home.any():
            out[home] = self.zone_air_ppm(now)[t.zone[home]]
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
        return (PLACE_OF_STATUS[status] == 0) & told[res.table.zone]

    def _roofed(self, status: np.ndarray) -> np.ndarray:
        return (status == SHELTERED) & self.roofed_node[self.residents.traffic.node]

    def _judge(self, where: np.ndarray) -> None:
        """Log households whose load newly passes an AEGL level; AEGL-3 makes casualties.
        A level is passed when the load reaches that of the AEGL at the time exposed so far
        (ten Berge: AEGL(T)ⁿ·T; the table's 10-minute value below 10 minutes and its 8-hour
        value beyond 8 hours), within a relative 1e-9; a level with no AEGL is never
        passed."""
        active = np.flatnonzero((self.load > 0) & (self.level < 3))
        if len(active) == 0:
            return
        duration = np.maximum(self.exposed_s[active], STEP_S)
        times, inverse = np.unique(duration, return_inverse=True)
        reached = np.zeros(len(active), np.int8)
        for level in (1, 2, 3):
            limit = aegl_ppm(self.hazard.chemical, level, times)
            threshold = np.where(np.isnan(limit), np.inf, limit ** self.exponent * times)
            reached = np.where(self.load[active] >= threshold[inverse] * (1 - 1e-9), level,
                               reached)
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
            if np.isnan(aegl_ppm(self.hazard.chemical, level, 3600.0)):
                continue  # no AEGL at this level (not recommended): nothing to pass
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
            size = res.table.size[at_home].copy()
            res.take_out(at_home, {"dead": zero, "hospital": size, "trapped": zero})
            flow = CasualtyFlow.of(self.model)
            per = np.bincount(res.table.zone[at_home], weights=size, minlength=len(zones))
            for zi in np.flatnonzero(per).tolist():
                flow.injured(zi, int(per[zi]), 3, self.hazard.spec.id)


class LeakResponse(mesa.Agent):
    """The leak as an incident: a ``hazmat_leak`` at the road node nearest the source, opened
    at the release's onset, whose one unit of work is ``stop_on_site``."""

    model: DrillModel

    def __init__(self, model: DrillModel, hazard: ChemicalHazard) -> None:
        super().__init__(model)
        self.hazard = hazard
        spec = hazard.spec
        if spec.params.get("stop_on_site") is not None and spec.params.get("rate_kg_s"):
            model.env.process(self._open())

    def _open(self) -> Generator[simpy.Event]:
        env, spec = self.model.env, self.hazard.spec
        yield env.timeout(max(spec.start_s - env.now, 0.0))
        roads, zones = self.model.world.roads, self.model.world.zones
        x, y = self.hazard.train.x_m, self.hazard.train.y_m
        node = int(np.argmin(np.hypot(np.asarray(roads.x_m) - x, np.asarray(roads.y_m) - y)))
        zone = int(np.argmin(np.hypot(zones.x_m - x, zones.y_m - y)))
        board = IncidentBoard.of(self.model)
        inc = board.create(f"stop:{spec.id}", "hazmat_leak", zone, 1, cause=spec.id, node=node,
                           on_unit=self._stopped)
        inc.work_s = Dist.fixed(float(spec.params["stop_on_site"]))
        last = float(self.hazard.train.released_s.max())
        yield env.timeout(max(last - env.now, 0.0))
        board.cancel(inc, "the release ended")

    def _stopped(self, inc: Incident, team: TeamAgent, units: int) -> Generator[simpy.Event]:
        if self.hazard.stop(self.model.now):
            self.model.emit("hazard.stop", self.hazard.spec.id,
                            self.model.world.roads.ids[inc.node], by=team.team_id)
        return
        yield
