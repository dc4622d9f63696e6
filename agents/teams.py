"""Response teams as Mesa agents driven by SimPy processes.

A team becomes ready at its base after its availability delay (from the start, or from the
declaration of the response level that holds it in reserve; injects can lengthen it). A ready
team is *free* where it is until a job claims it: the dispatcher's incidents
(:mod:`drillsim.agents.incidents`) or the relief logistics (:mod:`drillsim.agents.relief`).
A job moves the team on the present road graph (:class:`Routes`) and works; when it ends, a
team that has worked its shift (time on jobs since it last rested) drives back to its base
and rests before it is free again.

Teams drive at the roads' free speed times the hazards' speed factor, on open links only;
they are not held in the evacuees' queues (emergency vehicles with right of way — a planning
simplification). Water-rescue teams go by boat where a flood has closed a road
(:data:`BOAT_SPEED_M_S`), hazmat crews through roads a toxic cloud has closed
(:data:`PASSES`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace

import numpy as np
import simpy
from scipy import sparse
from scipy.sparse import csgraph

from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.plan import MutualAid, Team

BOAT_SPEED_M_S = 2.5
"""Speed of a rescue boat on a flooded street (≈ 9 km/h: a planning value for flat-bottomed
boats among obstacles and current, not a published figure)."""

PASSES: dict[str, tuple[tuple[str, ...], float]] = {
    "water_rescue": (("flood",), BOAT_SPEED_M_S),
    "hazmat": (("chemical",), 0.0),
}
"""Team types that pass roads closed by hazards of some kinds, and at what speed (0: the
road's free speed): water-rescue teams by boat through floods, hazmat crews in protective
equipment through toxic clouds."""

Job = Callable[["TeamAgent"], Generator[simpy.Event]]
"""What a team is claimed for: a generator function run as the team's process."""


class Routes:
    """Shortest travel times for response vehicles over the road graph as it is now. The
    sparse time matrix is rebuilt only when a link opens, closes or changes speed."""

    def __init__(self, model: DrillModel) -> None:
        self.model = model
        self._key: tuple[bytes, bytes] | None = None
        """What the cached matrices were built for (closures and speeds change rarely)."""
        self._matrices: dict[str, sparse.csr_matrix] = {}
        self._cache: dict[tuple[str, int], np.ndarray] = {}
        self._kind = {h.spec.id: h.kind for h in model.hazards}

    def _refresh(self) -> None:
        state = self.model.state
        key = (state.link_open.tobytes() + state.link_held.tobytes(),
               state.link_speed_factor.tobytes())
        if key != self._key:
            self._key, self._matrices, self._cache = key, {}, {}

    def _matrix(self, mode: str) -> sparse.csr_matrix:
        m = self._matrices.get(mode)
        if m is None:
            roads, state = self.model.world.roads, self.model.state
            factor = np.where(state.link_open, state.link_speed_factor, 0.0)
            with np.errstate(divide="ignore"):
                t = np.where(factor > 0, roads.length_m / (roads.free_speed_m_s * factor),
                             np.inf)
            if mode in PASSES:  # through what a hazard (not an inject) has closed
                kinds, speed = PASSES[mode]
                passable = ~state.link_held & (state.link_speed_factor == 0.0) & np.array(
                    [self._kind.get(c, "") in kinds for c in state.link_closed_by], bool)
                speed_m_s = speed if speed > 0 else roads.free_speed_m_s
                t = np.where(passable, roads.length_m / speed_m_s, t)
            keep = np.isfinite(t)
            n = len(roads.ids)
            # parallel links: keep the fastest (a sparse matrix would sum them)
            rows, cols, vals = roads.link_from[keep], roads.link_to[keep], t[keep]
            order = np.lexsort((vals, cols, rows))
            rows, cols, vals = rows[order], cols[order], vals[order]
            first = np.ones(len(rows), bool)
            first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
            m = sparse.csr_matrix((np.maximum(vals[first], 1e-9),
                                   (rows[first], cols[first])), shape=(n, n))
            self._matrices[mode] = m
        return m

    def from_node(self, node: int, mode: str = "") -> np.ndarray:
        """Travel time from ``node`` to every node for a team of type ``mode`` (boats and
        protected crews pass some closed roads; "" for an ordinary vehicle), s (inf where
        unreachable)."""
        self._refresh()
        mode = mode if mode in PASSES else ""
        key = (mode, int(node))
        out = self._cache.get(key)
        if out is None:
            out = csgraph.dijkstra(self._matrix(mode), directed=True, indices=int(node))
            out[int(node)] = 0.0
            out.flags.writeable = False
            self._cache[key] = out
        return out

    def time(self, a: int, b: int, mode: str = "") -> float:
        return 0.0 if a == b else float(self.from_node(a, mode)[b])


class Signal:
    """A SimPy event that many processes can wait on and that is re-armed once it fires:
    ``yield signal.wait()``; ``signal.poke()`` wakes every waiter."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self._event = env.event()

    def wait(self) -> simpy.Event:
        if self._event.triggered:
            self._event = self.env.event()
        return self._event

    def poke(self) -> None:
        if not self._event.triggered:
            self._event.succeed()


class Roster(mesa.Agent):
    """Every team of the run, the routes they drive, and a signal that fires whenever a team
    becomes free (so that waiting work can claim it)."""

    model: DrillModel

    def __init__(self, model: DrillModel) -> None:
        super().__init__(model)
        self.teams: list[TeamAgent] = []
        self.routes = Routes(model)
        self.freed = Signal(model.env)

    @staticmethod
    def of(model: DrillModel) -> Roster:
        return model.agents_by_type[Roster][0]  # type: ignore[return-value]

    def free(self, types: tuple[str, ...] | None = None) -> list[TeamAgent]:
        """Teams free now (of ``types``, if given), in the order they were created."""
        return [t for t in self.teams if t.is_free and (types is None or t.team_type in types)]

    def reserve(self, team_index: int) -> TeamAgent | None:
        """The plan's team ``team_index`` (it has the index in ``plan.teams``)."""
        for t in self.teams:
            if t.plan_index == team_index:
                return t
        return None


@dataclass
class _Shift:
    started_s: float = 0.0
    worked_s: float = 0.0


class TeamAgent(mesa.Agent):
    """A team: type, size, base station, skills; ready after a delay drawn from its
    ``available_after_s`` with the team's own random stream."""

    model: DrillModel

    def __init__(self, model: DrillModel, spec: Team, mutual_aid: bool = False,
                 plan_index: int = -1) -> None:
        super().__init__(model)
        self.spec = spec
        self.team_id = spec.id
        self.team_type = spec.type
        self.size = spec.size
        self.station = spec.station
        self.mutual_aid = mutual_aid
        self.plan_index = plan_index
        self.ready = False
        self.busy = False
        self.resting = False
        self.extra_delay_s = 0.0
        self.base = int(model.world.stations.node[spec.station])
        self.node = self.base
        self.shift = _Shift()
        self.busy_s = 0.0
        """Seconds spent on jobs so far (for utilization)."""
        self.job_started_s = 0.0
        self.roster = Roster.of(model)
        self.roster.teams.append(self)
        self.draws = model.streams(f"team:{spec.id}")
        model.emit("team.init", spec.id, model.world.stations.ids[spec.station],
                   float(spec.size), type=spec.type, mutual_aid=mutual_aid,
                   reserve=spec.reserve)
        if not spec.reserve:
            self.activate()

    @classmethod
    def from_aid(cls, model: DrillModel, aid: MutualAid, k: int) -> TeamAgent:
        """Team ``k`` (from 1) of a mutual-aid request."""
        spec = Team(id=f"{aid.id}-{k}", type=aid.type, size=aid.size, station=aid.station,
                    available_after_s=aid.arrival_delay_s, shift_s=aid.shift_s,
                    rest_s=aid.rest_s, carries=aid.carries, crews=aid.crews)
        return cls(model, spec, mutual_aid=True)

    def activate(self) -> None:
        """Start the availability clock (a reserve team: when its level is declared)."""
        if self.spec.reserve and not getattr(self, "_activated", False):
            self.spec = replace(self.spec, reserve=False)
        self._activated = True
        after_s = self.spec.available_after_s.sample(self.draws)
        self.model.env.process(self._become_ready(after_s))

    @property
    def is_free(self) -> bool:
        return self.ready and not self.busy and not self.resting

    def can_work(self, incident_type: str, teams: tuple[str, ...]) -> bool:
        return self.team_type in teams or incident_type in self.spec.skills

    def delay(self, delay_s: float, reason: str) -> bool:
        """Lengthen the wait before the team is ready; False if it is ready already."""
        if self.ready:
            return False
        self.extra_delay_s += delay_s
        self.model.emit("team.delay", self.team_id, qty=delay_s, reason=reason)
        return True

    def _become_ready(self, after_s: float) -> Generator[simpy.Event]:
        yield self.model.env.timeout(after_s)
        while self.extra_delay_s > 0:
            wait, self.extra_delay_s = self.extra_delay_s, 0.0
            yield self.model.env.timeout(wait)
        self.ready = True
        self.shift = _Shift(started_s=self.model.now)
        self.model.emit("team.ready", self.team_id,
                        self.model.world.stations.ids[self.station], mutual_aid=self.mutual_aid)
        self.roster.freed.poke()

    # -- jobs --------------------------------------------------------------------------------
    def claim(self, job: Job) -> None:
        """Take the free team for ``job`` (run now as its process)."""
        if not self.is_free:
            raise RuntimeError(f"team {self.team_id} is not free")
        self.busy = True
        self.model.env.process(self._run(job))

    def _run(self, job: Job) -> Generator[simpy.Event]:
        t0 = self.job_started_s = self.model.now
        yield from job(self)
        self.busy_s += self.model.now - t0
        self.shift.worked_s += self.model.now - t0
        if self.shift_over():
            yield from self._rest()
        self.busy = False
        self.model.emit("team.free", self.team_id, self.model.world.roads.ids[self.node])
        self.roster.freed.poke()

    def shift_over(self) -> bool:
        """Whether the team has worked its shift since it last rested: time on jobs counts,
        time standing by free does not."""
        on_job = self.model.now - self.job_started_s if self.busy and not self.resting else 0.0
        return self.shift.worked_s + on_job >= self.spec.shift_s

    def _rest(self) -> Generator[simpy.Event]:
        self.resting = True
        yield from self.go(self.base, "rest")
        rest_s = self.spec.rest_s
        self.model.emit("team.rest", self.team_id, self.model.world.stations.ids[self.station],
                        rest_s, reason="shift over")
        yield self.model.env.timeout(rest_s)
        self.shift = _Shift(started_s=self.model.now)
        self.resting = False

    def travel_s(self, node: int) -> float:
        return self.roster.routes.time(self.node, node, self.team_type)

    def go(self, node: int, task: str) -> Generator[simpy.Event]:
        """Drive to ``node`` for ``task`` (``team.dispatch`` and ``team.arrive`` are logged
        even when it is there already, so every task has its time on scene); if no road is
        open, wait and try again every :data:`RETRY_S`."""
        roads = self.model.world.roads
        if node == self.node and task == "rest":
            return
        travel = self.travel_s(node)
        while not math.isfinite(travel):
            yield self.model.env.timeout(RETRY_S)
            travel = self.travel_s(node)
        self.model.emit("team.dispatch", self.team_id, roads.ids[node], travel, task=task)
        if travel > 0:
            yield self.model.env.timeout(travel)
        self.node = node
        self.model.emit("team.arrive", self.team_id, roads.ids[node], task=task)


RETRY_S = 600.0
"""How long a team with no open road to its destination waits before it looks again."""
