"""Next-hop routing tables: for every destination and every node, the link to take next.

A destination is a set of target nodes (a shelter's node, or all the nodes that count as
safe). One reverse Dijkstra per destination on the current link costs (scipy.sparse.csgraph)
gives each node's time to the destination and its successor on a shortest path; the link
between a node and its successor is found by a sorted-key lookup. Travellers read the table
at every node, so a refreshed table re-routes everyone still on the road: what a household
"knows" is the network as of the last refresh (closures refresh it at once).

A refresh only records the new link costs; a destination's table is recomputed the first
time it is asked for afterwards (:meth:`Router.ensure`), so destinations nobody is heading
for cost nothing — a city with hundreds of shelters, most of them full, re-routes cheaply.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

NO_LINK = -1


class Router:
    """Routing tables over a fixed set of destinations."""

    def __init__(self, n_nodes: int, link_from: np.ndarray, link_to: np.ndarray,
                 targets: list[np.ndarray]) -> None:
        self.n_nodes = n_nodes
        self.link_from = np.asarray(link_from, np.int64)
        self.link_to = np.asarray(link_to, np.int64)
        self.targets = [np.unique(np.asarray(t, np.int64)) for t in targets]
        self.is_target = np.zeros((len(targets), n_nodes), bool)
        for d, t in enumerate(self.targets):
            self.is_target[d, t] = True
        self.next_link = np.full((len(targets), n_nodes), NO_LINK, np.int64)
        self.time_s = np.full((len(targets), n_nodes), np.inf)
        self.matrix = sparse.csr_matrix((n_nodes, n_nodes))
        """Node × node link costs of the last update (the fastest of parallel links)."""
        self.stale = np.ones(len(targets), bool)
        self._reverse = self.matrix
        self._pair_key = np.zeros(0, np.int64)
        self._links = np.zeros(0, np.int64)

    def set_targets(self, d: int, nodes: np.ndarray) -> None:
        """Change destination ``d``'s target nodes (takes effect at the next update)."""
        self.targets[d] = np.unique(np.asarray(nodes, np.int64))
        self.is_target[d] = False
        self.is_target[d, self.targets[d]] = True
        self.stale[d] = True

    @property
    def n_destinations(self) -> int:
        return len(self.targets)

    def update(self, cost_s: np.ndarray, usable: np.ndarray) -> None:
        """Take new link travel costs ``cost_s`` over ``usable`` links; every table is
        recomputed when next asked for."""
        keep = np.flatnonzero(usable & np.isfinite(cost_s))
        frm, to = self.link_from[keep], self.link_to[keep]
        cost = np.maximum(cost_s[keep], 1e-6)
        # The fastest of parallel links between two nodes represents the pair.
        order = np.lexsort((cost, to, frm))
        frm, to, cost, keep = frm[order], to[order], cost[order], keep[order]
        first = np.concatenate(([True], (frm[1:] != frm[:-1]) | (to[1:] != to[:-1])))[:len(frm)]
        frm, to, cost, keep = frm[first], to[first], cost[first], keep[first]
        n = self.n_nodes
        self.matrix = sparse.csr_matrix((cost, (frm, to)), shape=(n, n))
        self._reverse = self.matrix.T.tocsr()
        self._pair_key = frm * n + to  # sorted, unique
        self._links = keep
        self.stale[:] = True

    def ensure(self, dests: np.ndarray | list[int]) -> None:
        """Bring the tables of ``dests`` up to date with the last :meth:`update`."""
        if not self.stale.any():
            return
        todo = [int(d) for d in np.unique(np.asarray(dests, np.int64)) if self.stale[d]]
        if not todo:
            return
        n = self.n_nodes
        single = [d for d in todo if len(self.targets[d]) == 1]
        if single:  # one Dijkstra call for every one-node destination (shelters)
            sources = np.array([self.targets[d][0] for d in single])
            dist, pred = csgraph.dijkstra(self._reverse, directed=True, indices=sources,
                                          return_predecessors=True)
            for row, d in enumerate(single):
                self._store(d, dist[row], pred[row])
        for d in todo:
            targets = self.targets[d]
            if len(targets) == 0:
                self._store(d, np.full(n, np.inf), np.full(n, -9999))
            elif len(targets) > 1:
                dist, pred, _ = csgraph.dijkstra(self._reverse, directed=True,
                                                 indices=targets, min_only=True,
                                                 return_predecessors=True)
                self._store(d, dist, pred)
        self.stale[todo] = False

    def time(self, d: int, node: int) -> float:
        """Travel time from ``node`` to destination ``d`` (``inf``: no route)."""
        if self.stale[d]:
            self.ensure([d])
        return float(self.time_s[d, node])

    def _store(self, d: int, dist: np.ndarray, pred: np.ndarray) -> None:
        """Destination ``d``'s times and next links from a reverse shortest-path tree."""
        n = self.n_nodes
        self.time_s[d] = dist
        self.next_link[d] = NO_LINK
        nodes = np.flatnonzero(pred >= 0)
        if len(nodes):
            where = np.searchsorted(self._pair_key, nodes * n + pred[nodes])
            self.next_link[d, nodes] = self._links[where]
