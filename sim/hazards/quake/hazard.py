"""The earthquake of a scenario: its shocks, the shaking of every zone, facility, bridge and
site, and the damage they do, realised once per replicate from the hazard's random stream.

Everything is drawn when the run starts (the aftershock sequence, each shock's residuals, each
building's damage), so the realised earthquake is a pure function of (scenario, seed); the run
then reveals it shock by shock. Each part draws from its own sub-stream of the hazard's
stream (shocks, shaking, buildings, facilities, bridges, sites), so changing one part of a
scenario (another aftershock, one more zone) leaves the others' draws alone. A zone's
buildings all feel the zone's shaking (one value per zone and shock: variability inside a
zone is not modelled). PGA and Sa(1.0 s) residuals are drawn independently (their
correlation is not modelled).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import ndtr

from drillsim.sim.hazards.base import HazardModel, HazardSpec, Impacts, register_hazard
from drillsim.sim.hazards.quake.bridges import bridge_fragility
from drillsim.sim.hazards.quake.damage import (
    EXTENSIVE,
    DamageHistory,
    Inventory,
    damage_history,
    draw_states,
)
from drillsim.sim.hazards.quake.shaking import (
    SA10,
    Places,
    Shock,
    median_motion,
    realised_motion,
    shocks_of,
)
from drillsim.sim.world import FACILITY_KINDS, World

BRIDGE_SPEED = np.array([1.0, 1.0, 0.5, 0.0, 0.0])
"""Share of free speed left on a bridge by damage state (none … complete). Stated model after
the Hazus damage-state descriptions: slight damage (minor cracking) leaves it open, moderate
damage restricts it to reduced speed, extensive and complete damage close it."""

UNUSABLE_FROM = EXTENSIVE
"""A facility whose building reaches this damage state cannot be used."""


@dataclass(frozen=True, eq=False)
class Shaking:
    """Peak ground acceleration (g) of each shock at each zone, facility and site, and
    spectral acceleration at 1 s at each bridge."""

    zone_pga_g: np.ndarray          # [shock, zone]
    facility_pga_g: dict[str, np.ndarray]  # kind → [shock, facility]
    site_pga_g: np.ndarray          # [shock, site]
    bridge_sa10_g: np.ndarray       # [shock, bridge road]


@register_hazard
class QuakeHazard(HazardModel):
    """An earthquake: a mainshock and (optionally) its aftershocks."""

    kind = "earthquake"
    measure = "pga_g"
    seen_from_home = False

    def __init__(self, spec: HazardSpec, world: World, shocks: list[Shock], shaking: Shaking,
                 buildings: Inventory, damage: DamageHistory,
                 facility_state: dict[str, np.ndarray], bridge_state: np.ndarray,
                 site_state: np.ndarray) -> None:
        super().__init__(spec)
        self.world = world
        self.shocks = shocks
        self.shaking = shaking
        self.buildings = buildings
        self.damage = damage
        self.facility_state = facility_state
        """kind → [shock, facility] damage state (-1: the facility has no building)."""
        self.bridge_state = bridge_state
        """[shock, bridge road] damage state."""
        self.site_state = site_state
        """[shock, site] True if the site has failed by then."""
        self.bridge_roads = _bridge_roads(world)
        self._times = np.array([s.t_s for s in shocks])
        self._impacts: dict[int, Impacts] = {}
        self._zone_tree = cKDTree(np.column_stack([world.zones.x_m, world.zones.y_m]))

    # -- building ------------------------------------------------------------------------
    @classmethod
    def build(cls, spec: HazardSpec, world: World, rng: np.random.Generator) -> QuakeHazard:
        p = spec.params
        draws = dict(zip(("shocks", "pga", "sa10", "buildings", "bridges", "sites",
                          *FACILITY_KINDS), rng.spawn(6 + len(FACILITY_KINDS)), strict=True))
        shocks = shocks_of(p, spec.start_s, draws["shocks"])
        model, mech, vary = p["ground_motion_model"], p["mechanism"], bool(p["variability"])
        pga = realised_motion(model, shocks, _places(world), mech, "PGA", draws["pga"], vary)
        sa10 = realised_motion(model, shocks, _bridge_places(world), mech, SA10, draws["sa10"],
                               vary)
        shaking = _split(world, pga, sa10)
        buildings = Inventory.of_zones(world.zones.building_types, world.zones.buildings)
        damage = damage_history(buildings, shaking.zone_pga_g[:, buildings.zone],
                                draws["buildings"])
        facility_state = {k: _facility_states(world.facilities(k).building,
                                              shaking.facility_pga_g[k], draws[k])
                          for k in FACILITY_KINDS}
        bridge_state = _bridge_states(world, shaking.bridge_sa10_g, draws["bridges"])
        site_state = _site_failures(world, shaking.site_pga_g, draws["sites"])
        return cls(spec, world, shocks, shaking, buildings, damage, facility_state,
                   bridge_state, site_state)

    # -- reading -------------------------------------------------------------------------
    def shock_index(self, t_s: float) -> int:
        """The last shock at or before ``t_s`` (-1: none yet)."""
        return int(np.searchsorted(self._times, t_s, side="right")) - 1

    def sample(self, t_s: float, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """The strongest PGA (g) of the shocks so far at each point: the realised shaking
        (residuals included) at a zone's centre, the median elsewhere (with the Vs30 of the
        nearest zone)."""
        x_m, y_m = np.broadcast_arrays(np.asarray(x_m, float), np.asarray(y_m, float))
        out = np.zeros(x_m.shape)
        k = self.shock_index(t_s)
        if k < 0 or out.size == 0:
            return out
        dist, near = self._zone_tree.query(np.column_stack([x_m.ravel(), y_m.ravel()]))
        at_zone = dist < 1.0
        flat = self.shaking.zone_pga_g[:k + 1, near].max(axis=0)
        off = ~at_zone
        if off.any():
            places = Places(x_m.ravel()[off], y_m.ravel()[off],
                            np.asarray(self.world.zones.vs30_m_s)[near[off]])
            p = self.spec.params
            flat[off] = np.max([median_motion(p["ground_motion_model"], shock, places,
                                              p["mechanism"])[0]
                                for shock in self.shocks[:k + 1]], axis=0)
        return flat.reshape(out.shape)

    def impacts(self, t_s: float) -> Impacts | None:
        k = self.shock_index(t_s)
        if k < 0:
            return None
        if k not in self._impacts:
            factor = np.ones(self.world.roads.n_links)
            speed = BRIDGE_SPEED[self.bridge_state[k]]
            for j, links in enumerate(self.bridge_roads.values()):
                factor[links] = speed[j]
            unusable = {kind: state[k] >= UNUSABLE_FROM
                        for kind, state in self.facility_state.items()}
            self._impacts[k] = Impacts(link_speed_factor=factor, facility_unusable=unusable)
        return self._impacts[k]

    def failure_time(self, site: str) -> float | None:
        """When the site ``site`` fails (the time of the shock that breaks it), or None."""
        row = self.world.sites.index(site)
        failed = np.flatnonzero(self.site_state[:, row])
        return None if len(failed) == 0 else self.shocks[int(failed[0])].t_s


def _bridge_roads(world: World) -> dict[str, np.ndarray]:
    """Bridge road id → its directed links (both directions of a two-way road)."""
    roads, out = world.roads, {}
    for i in np.flatnonzero(np.asarray(roads.bridge)).tolist():
        out.setdefault(roads.link_ids[i], []).append(i)
    return {k: np.array(v) for k, v in out.items()}


def _vs30_near(world: World, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    zones = world.zones
    if len(x_m) == 0:
        return np.zeros(0)
    near = cKDTree(np.column_stack([zones.x_m, zones.y_m])).query(np.column_stack([x_m, y_m]))[1]
    return np.asarray(zones.vs30_m_s, float)[near]


def _places(world: World) -> Places:
    """Zones, then facilities of each kind (at their road node), then sites; every place
    that is not a zone takes the Vs30 of the nearest zone."""
    roads, zones = world.roads, world.zones
    xs, ys = [np.asarray(zones.x_m, float)], [np.asarray(zones.y_m, float)]
    for kind in FACILITY_KINDS:
        node = world.facilities(kind).node
        xs.append(np.asarray(roads.x_m)[node])
        ys.append(np.asarray(roads.y_m)[node])
    xs.append(np.asarray(world.sites.x_m, float))
    ys.append(np.asarray(world.sites.y_m, float))
    x, y = np.concatenate(xs), np.concatenate(ys)
    n = len(zones)
    vs30 = np.concatenate([np.asarray(zones.vs30_m_s, float), _vs30_near(world, x[n:], y[n:])])
    return Places(x, y, vs30)


def _bridge_places(world: World) -> Places:
    roads = world.roads
    first = [links[0] for links in _bridge_roads(world).values()]
    x = (np.asarray(roads.x_m)[roads.link_from[first]] + np.asarray(roads.x_m)[
        roads.link_to[first]]) / 2 if first else np.zeros(0)
    y = (np.asarray(roads.y_m)[roads.link_from[first]] + np.asarray(roads.y_m)[
        roads.link_to[first]]) / 2 if first else np.zeros(0)
    return Places(np.asarray(x, float), np.asarray(y, float), _vs30_near(world, x, y))


def _split(world: World, pga: np.ndarray, sa10: np.ndarray) -> Shaking:
    at, out = len(world.zones), {}
    for kind in FACILITY_KINDS:
        n = len(world.facilities(kind))
        out[kind], at = pga[:, at:at + n], at + n
    return Shaking(pga[:, :len(world.zones)], out, pga[:, at:], sa10)


def _facility_states(buildings: tuple[str, ...], pga: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    """Damage state of each facility's building after each shock (-1: no building)."""
    state = np.full(pga.shape, -1, np.int8)
    built = [i for i, b in enumerate(buildings) if b]
    if not built:
        return state
    keys = [buildings[i] for i in built]
    inventory = Inventory(tuple(keys), np.zeros(len(keys), int), np.arange(len(keys)))
    history = damage_history(inventory, pga[:, built], rng)
    state[:, built] = history.state
    return state


def _bridge_states(world: World, sa10: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Damage state of each bridge after each shock: Hazus highway-bridge fragility in
    Sa(1.0 s) with one capacity draw per bridge (as for buildings), never going down."""
    classes = [world.roads.bridge_class[links[0]] for links in _bridge_roads(world).values()]
    state = np.zeros(sa10.shape, np.int8)
    if not classes:
        return state
    medians, beta = bridge_fragility(np.array(classes))
    medians = np.asarray(medians, float).reshape(len(classes), 4)
    beta = np.broadcast_to(np.asarray(beta, float), (len(classes),))
    now, capacity = np.zeros(len(classes), np.int8), rng.random(len(classes))
    for k in range(sa10.shape[0]):
        now = np.maximum(now, draw_states(medians, beta, sa10[k], capacity))
        state[k] = now
    return state


def _site_failures(world: World, pga: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whether each site has failed after each shock: its building reaches its failure
    state (damaged as any building, weakening included), or its own fragility curve is
    exceeded (one capacity draw per site); failed stays failed."""
    sites = world.sites
    failed = np.zeros(pga.shape, bool)
    for j in range(len(sites)):
        if sites.building[j]:
            one = Inventory((sites.building[j],), np.zeros(1, int), np.zeros(1, int))
            state = damage_history(one, pga[:, j:j + 1], rng).state[:, 0]
            failed[:, j] = state >= sites.fails_at[j]
        else:
            p = ndtr(np.log(np.maximum(pga[:, j], 1e-12) / sites.median_pga_g[j])
                     / sites.beta[j])
            failed[:, j] = np.logical_or.accumulate(rng.random() < p)
    return failed


__all__ = ["QuakeHazard"]
