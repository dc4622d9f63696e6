"""The movement step: every traveller that reaches the end of its link within the step either
arrives, moves on to the next link of its route, or waits (link capacity, a full next link, a
closed road, no route).

Each traveller is an individual with its own link, destination and mode; times inside a step
are continuous (a traveller that is not held up keeps its exact arrival time, so free-flow
travel over many links is exact), and the step only decides *which* moves happen together.
Cars obey capacity and storage (:mod:`~.links`); walkers use the same roads without
congesting them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csgraph

from drillsim.sim.traffic.links import (
    LinkParams,
    TrafficParams,
    discharge_times,
    group_rank,
    grouped_cummax,
    moving_speed,
)
from drillsim.sim.traffic.routing import NO_LINK, Router
from drillsim.sim.world import RoadGraph

OFF = -1
"""``link`` of a traveller that is at a node (entering the network, or not on it)."""


@dataclass(frozen=True)
class Moves:
    """What one step did: who arrived (and when, where), who is held on a closed road and
    who is stuck at a node with no route to its destination."""

    arrived: np.ndarray
    arrived_at_s: np.ndarray
    arrived_node: np.ndarray
    held: np.ndarray
    no_route: np.ndarray


class Traffic:
    """The travellers of one run on one road graph. Traveller ``i`` is household ``i``.

    ``active`` lists the travellers on the network in the order they entered their current
    link (their ``seq``), so a stable sort by link gives every link's FIFO queue.
    """

    def __init__(self, roads: RoadGraph, n_travellers: int, targets: list[np.ndarray],
                 params: TrafficParams | None = None) -> None:
        self.params = params or TrafficParams()
        self.links = LinkParams.of(roads, self.params)
        self.link_to = np.asarray(roads.link_to, np.int64)
        n_links = roads.n_links
        self.link = np.full(n_travellers, OFF, np.int64)
        self.node = np.zeros(n_travellers, np.int64)
        self.ready_s = np.full(n_travellers, np.inf)
        self.dest = np.zeros(n_travellers, np.int64)
        self.walk = np.zeros(n_travellers, bool)
        self.at_end = np.zeros(n_travellers, bool)
        self.blocked_since_s = np.full(n_travellers, np.inf)
        self.qpos = np.zeros(n_travellers, np.int64)
        """A queued car's place in its link's queue, counted since the start (the head of
        link ``l``'s queue has ``qpos == exited[l]``)."""
        self.active = np.zeros(0, np.int64)
        self._incoming: list[np.ndarray] = []
        self._incoming_one: list[int] = []
        self.cars_on = np.zeros(n_links, np.int64)
        self.queued = np.zeros(n_links, np.int64)
        self.joined = np.zeros(n_links, np.int64)
        self.exited = np.zeros(n_links, np.int64)
        self.next_slot_s = np.zeros(n_links)
        self.tail_ready_s = np.zeros(n_links)
        self.car_router = Router(len(roads.ids), roads.link_from, roads.link_to, targets)
        self.foot_router = Router(len(roads.ids), roads.link_from, roads.link_to, targets)
        self._routed_for: np.ndarray | None = None
        self._routed_at = -np.inf

    # -- travellers enter and leave ------------------------------------------------------
    def start(self, ids: np.ndarray, at_s: np.ndarray, node: np.ndarray, dest: np.ndarray,
              walk: np.ndarray) -> None:
        """Travellers ``ids`` set out from ``node`` at ``at_s`` for destination ``dest``."""
        ids = np.asarray(ids, np.int64)
        self.link[ids] = OFF
        self.node[ids] = node
        self.ready_s[ids] = at_s
        self.dest[ids] = dest
        self.walk[ids] = walk
        self.at_end[ids] = False
        self._incoming.append(ids)

    def start_one(self, i: int, at_s: float, node: int, dest: int, walk: bool) -> None:
        """:meth:`start` for one traveller (the common case when households leave one by
        one), without building arrays."""
        self.link[i] = OFF
        self.node[i] = node
        self.ready_s[i] = at_s
        self.dest[i] = dest
        self.walk[i] = walk
        self.at_end[i] = False
        self._incoming_one.append(i)

    def on_road(self) -> np.ndarray:
        """Ids of the travellers on the network."""
        self._merge_incoming()
        return self.active

    def _merge_incoming(self) -> None:
        if self._incoming_one:
            self._incoming.append(np.array(self._incoming_one, np.int64))
            self._incoming_one.clear()
        if self._incoming:
            self.active = np.concatenate([self.active, *self._incoming])
            self._incoming.clear()

    # -- routing -------------------------------------------------------------------------
    def link_cost_s(self, factor: np.ndarray) -> np.ndarray:
        """Expected time to traverse each link now: its moving part at the current density,
        plus the time for its queue to discharge."""
        lp = self.links
        with np.errstate(divide="ignore"):
            return lp.length_m / self._speed(np.arange(len(lp.length_m)), factor) + \
                self.queued * lp.headway_s

    def _speed(self, links: np.ndarray, factor: np.ndarray) -> np.ndarray:
        lp, p = self.links, self.params
        room = lp.length_m[links] - self.queued[links] * p.jam_spacing_m / lp.lanes[links]
        return moving_speed(lp.free_speed_m_s[links] * factor[links],
                            self.cars_on[links] - self.queued[links], room, lp.lanes[links],
                            p.jam_spacing_m, p.min_speed_fraction, p.alpha)

    def route(self, now: float, usable: np.ndarray, factor: np.ndarray,
              force: bool = False) -> bool:
        """Refresh the routing tables if the usable links changed, if the refresh interval has
        passed, or if ``force``. Returns whether they were refreshed."""
        changed = self._routed_for is None or not np.array_equal(usable, self._routed_for)
        due = now - self._routed_at >= self.params.reroute_every_s
        if not (changed or due or force):
            return False
        self.car_router.update(self.link_cost_s(factor), usable)
        if changed or force:
            with np.errstate(divide="ignore"):
                walk_cost = self.links.length_m / (self.params.walk_speed_m_s * factor)
            self.foot_router.update(walk_cost, usable)
        self._routed_for, self._routed_at = usable.copy(), now
        return True

    def times_from(self, node: int) -> np.ndarray:
        """Expected car travel time from ``node`` to every node (``inf`` where unreachable)
        on the link costs of the last routing refresh."""
        return csgraph.dijkstra(self.car_router.matrix, directed=True, indices=node)

    def time_to(self, dest: int, node: int, walk: bool = False) -> float:
        """Current expected travel time from ``node`` to destination ``dest``."""
        return (self.foot_router if walk else self.car_router).time(dest, node)

    # -- the step ------------------------------------------------------------------------
    def step(self, t0: float, t1: float, usable: np.ndarray, factor: np.ndarray) -> Moves:
        """Advance every traveller whose link end falls before ``t1``."""
        self._merge_incoming()
        act = self.active
        if len(act) == 0:
            return Moves(*(np.zeros(0, t) for t in (np.int64, float, np.int64, np.int64,
                                                     np.int64)))
        lk = self.link[act]
        held = np.zeros(len(act), bool)
        on_link = lk >= 0
        if not usable.all():
            held[on_link] = ~usable[lk[on_link]]
        due = (self.ready_s[act] < t1) & ~held
        self._join_queues(act[due & on_link & ~self.walk[act] & ~self.at_end[act]])
        # Only the first few cars of a queue can leave within a step; the rest wait unseen.
        in_reach = np.ones(len(act), bool)
        queued = on_link & self.at_end[act]
        lq = lk[queued]
        in_reach[queued] = (self.qpos[act[queued]] - self.exited[lq]
                            < (t1 - t0) / self.links.headway_s[lq] + 2)
        pick = due & in_reach
        ok, out = self._pass(act[pick], t0, t1, usable, factor)
        moved = np.zeros(len(act), bool)
        moved[np.flatnonzero(pick)[ok]] = True
        keep, results = [act[~moved]], [out]
        entered = out[3]
        # A traveller that gets through a short link within the step goes on at once.
        while len(entered):
            again = entered[self._at_head_by(entered, t1, usable)]
            if len(again) == 0:
                break
            ok, out = self._pass(again, t0, t1, usable, factor)
            keep.append(entered[~np.isin(entered, again[ok])])
            results.append(out)
            entered = out[3]
        keep.append(entered)
        self.active = np.concatenate(keep)
        gone, at_s, node, _, no_route = (np.concatenate(parts) for parts in zip(*results,
                                                                              strict=True))
        return Moves(arrived=gone, arrived_at_s=at_s, arrived_node=node, held=act[held],
                     no_route=np.unique(no_route))

    def _at_head_by(self, ids: np.ndarray, t1: float, usable: np.ndarray) -> np.ndarray:
        """Which of the travellers just put on a link reach its end before ``t1`` with no
        queue ahead of them (walkers never queue)."""
        lk = self.link[ids]
        return (self.ready_s[ids] < t1) & usable[lk] & (self.walk[ids] | (self.queued[lk] == 0))

    def _pass(self, c: np.ndarray, t0: float, t1: float, usable: np.ndarray,
              factor: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """One round of moves for candidates ``c``: which of them moved, and (arrived, their
        times, their nodes, entered a new link — in entry order, stuck without a route)."""
        lk = self.link[c]
        walk, dest = self.walk[c], self.dest[c]
        self._join_queues(c[(lk >= 0) & ~walk & ~self.at_end[c]])
        node = np.where(lk >= 0, self.link_to[np.maximum(lk, 0)], self.node[c])
        if walk.any():
            self.foot_router.ensure(dest[walk])
        if not walk.all():
            self.car_router.ensure(dest[~walk])
        arrive = np.where(walk, self.foot_router.is_target[dest, node],
                          self.car_router.is_target[dest, node])
        nxt = np.where(walk, self.foot_router.next_link[dest, node],
                       self.car_router.next_link[dest, node])
        nxt[arrive] = NO_LINK
        no_route = ~arrive & ((nxt == NO_LINK) | ~usable[np.maximum(nxt, 0)])
        nxt[no_route] = NO_LINK

        ready = np.maximum(self.ready_s[c], t0)
        exit_s = ready.copy()
        queue = np.flatnonzero((lk >= 0) & ~walk)
        queue = queue[np.lexsort((self.qpos[c[queue]], lk[queue]))]  # by link, FIFO within
        exit_s[queue] = discharge_times(ready[queue], lk[queue], self.next_slot_s,
                                        self.links.headway_s)
        ok = (exit_s < t1) & ~no_route
        ok &= self._room_ahead(c, exit_s, nxt, ok & ~walk & (nxt >= 0), t0)
        ok[queue] &= _fifo_prefix(ok[queue], lk[queue])
        self.blocked_since_s[c[ok]] = np.inf  # whoever moves is no longer held up

        self._leave_links(c, lk, ok, exit_s, queue)
        onward = ok & (nxt >= 0)
        done = ok & arrive
        entered = self._enter_links(c[onward], nxt[onward], exit_s[onward], factor)
        gone = c[done]
        self.link[gone] = OFF
        self.node[gone] = node[done]
        self.ready_s[gone] = np.inf
        return ok, (gone, exit_s[done], node[done], entered, c[no_route])

    def _room_ahead(self, c: np.ndarray, exit_s: np.ndarray, nxt: np.ndarray,
                    entering: np.ndarray, t0: float) -> np.ndarray:
        """Which cars find room on their next link: the earliest exits first, up to the
        link's free storage; a car held longer than the stuck time goes anyway."""
        ok = np.ones(len(c), bool)
        j = np.flatnonzero(entering)
        if len(j) == 0:
            return ok
        wanted = np.bincount(nxt[j], minlength=len(self.cars_on))
        room = self.links.storage_veh - self.cars_on
        j = j[wanted[nxt[j]] > room[nxt[j]]]  # where everyone fits, nobody waits
        if len(j) == 0:
            return ok
        j = j[np.lexsort((c[j], exit_s[j], nxt[j]))]
        target = nxt[j]
        fits = group_rank(target) < room[target]
        since = self.blocked_since_s[c[j]]
        on_link = self.link[c[j]] >= 0  # at an origin a car just waits for a gap
        ok[j] = fits | (on_link & (since <= t0 - self.params.stuck_s))
        blocked = c[j[~ok[j]]]
        self.blocked_since_s[blocked] = np.minimum(self.blocked_since_s[blocked], t0)
        return ok

    def _join_queues(self, ids: np.ndarray) -> None:
        """Cars that reach the end of their link join its queue, in the order they entered
        the link (``active`` is in entry order), each with its place in the queue."""
        if len(ids) == 0:
            return
        ids = ids[np.argsort(self.link[ids], kind="stable")]
        lk = self.link[ids]
        self.qpos[ids] = self.joined[lk] + group_rank(lk)
        counts = np.bincount(lk, minlength=len(self.joined))
        self.joined += counts
        self.queued += counts
        self.at_end[ids] = True

    def _leave_links(self, c: np.ndarray, lk: np.ndarray, ok: np.ndarray,
                     exit_s: np.ndarray, queue: np.ndarray) -> None:
        """Bookkeeping for cars leaving the queues at their links' ends."""
        leaving = queue[ok[queue]]
        if len(leaving):
            counts = np.bincount(lk[leaving], minlength=len(self.cars_on))
            self.cars_on -= counts
            self.queued -= counts
            self.exited += counts
            np.maximum.at(self.next_slot_s, lk[leaving],
                          exit_s[leaving] + self.links.headway_s[lk[leaving]])

    def _enter_links(self, ids: np.ndarray, nxt: np.ndarray, at_s: np.ndarray,
                     factor: np.ndarray) -> np.ndarray:
        """Put travellers on their next links; returns them in entry order."""
        if len(ids) == 0:
            return ids
        order = np.lexsort((ids, at_s))
        ids, nxt, at_s = ids[order], nxt[order], at_s[order]
        walk = self.walk[ids]
        speed = np.where(walk, self.params.walk_speed_m_s * factor[nxt],
                         self._speed(nxt, factor))
        ready = at_s + self.links.length_m[nxt] / speed
        # Cars keep their order on a link: none reaches its end before the car ahead.
        cars = np.flatnonzero(~walk)
        if len(cars):
            by_link = cars[np.argsort(nxt[cars], kind="stable")]
            lk = nxt[by_link]
            ready[by_link] = np.maximum(grouped_cummax(ready[by_link], lk),
                                        self.tail_ready_s[lk])
            np.maximum.at(self.tail_ready_s, lk, ready[by_link])
            self.cars_on += np.bincount(lk, minlength=len(self.cars_on))
        self.link[ids] = nxt
        self.ready_s[ids] = ready
        self.at_end[ids] = False
        return ids


def _fifo_prefix(ok: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Within each group (sorted, FIFO order) keep only the run of ``ok`` before the first
    failure: a car that cannot leave holds up every car behind it."""
    if len(ok) == 0:
        return ok
    bad = (~ok).astype(np.int64)
    csum = np.cumsum(bad)
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    before = np.repeat(csum[starts] - bad[starts], np.diff(np.append(starts, len(ok))))
    return (csum - before) == 0
