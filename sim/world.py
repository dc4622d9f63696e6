"""The compiled world: zones, the road graph and facilities as read-only numpy arrays.

The world is built once per batch by the scenario compiler and shared by every replicate;
its arrays are frozen (``writeable=False``). What changes during a run (a link closes, a
shelter opens) lives in :class:`~drillsim.sim.state.WorldState`, which belongs to the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from drillsim.sim.distributions import Dist


def frozen_array(values: object, dtype: object = None) -> np.ndarray:
    """A read-only copy of ``values`` (shared across replicates, so nobody may write it)."""
    arr = np.array(values, dtype=dtype)
    arr.flags.writeable = False
    return arr


class _Table:
    """Parallel arrays indexed by position; ``ids`` maps an id to its position."""

    ids: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, id_: str) -> int:
        """Position of ``id_`` (KeyError names the id)."""
        return self._positions()[id_]

    def _positions(self) -> dict[str, int]:
        cache = self.__dict__.get("_pos")
        if cache is None:
            cache = {k: i for i, k in enumerate(self.ids)}
            object.__setattr__(self, "_pos", cache)
        return cache

    def _rows(self, name: str) -> int:
        """How many rows the array field ``name`` must have."""
        del name
        return len(self.ids)

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            n = self._rows(f.name)
            if isinstance(value, np.ndarray) and value.shape[:1] != (n,):
                raise ValueError(f"{type(self).__name__}.{f.name} has {value.shape[0]} rows, "
                                 f"expected {n}")


@dataclass(frozen=True, eq=False)
class Zones(_Table):
    """Residential zones. ``buildings[i, j]`` counts buildings of type ``building_types[j]``,
    a Hazus model building type and its seismic design level as ``"TYPE/level"`` (e.g.
    ``"URML/pre"``)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    x_m: np.ndarray
    y_m: np.ndarray
    population: np.ndarray
    households: np.ndarray
    elderly_share: np.ndarray
    disabled_share: np.ndarray
    carless_share: np.ndarray
    elevation_m: np.ndarray
    vs30_m_s: np.ndarray
    node: np.ndarray
    building_types: tuple[str, ...] = ()
    buildings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def __post_init__(self) -> None:
        if self.buildings.shape == (0, 0):
            object.__setattr__(self, "buildings", frozen_array(np.zeros((len(self.ids), 0))))
        super().__post_init__()


@dataclass(frozen=True, eq=False)
class RoadGraph(_Table):
    """A directed road graph. ``ids`` are node ids; links are parallel ``link_*`` arrays."""

    ids: tuple[str, ...]
    x_m: np.ndarray
    y_m: np.ndarray
    elevation_m: np.ndarray
    link_ids: tuple[str, ...]
    link_from: np.ndarray
    link_to: np.ndarray
    length_m: np.ndarray
    lanes: np.ndarray
    free_speed_m_s: np.ndarray
    capacity_veh_h: np.ndarray
    bridge: np.ndarray
    bridge_class: tuple[str, ...] = ()
    """Per link, the Hazus highway bridge class of a bridge ("" for other roads)."""
    tunnel: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    """Per link, whether it runs under ground or water (read at its portals only)."""

    _LINK_FIELDS = frozenset({"link_from", "link_to", "length_m", "lanes", "free_speed_m_s",
                              "capacity_veh_h", "bridge", "tunnel"})

    def __post_init__(self) -> None:
        if not self.bridge_class:
            classes = tuple("HWB28" if b else "" for b in np.asarray(self.bridge).tolist())
            object.__setattr__(self, "bridge_class", classes)
        if len(self.tunnel) == 0 and len(self.link_ids):
            object.__setattr__(self, "tunnel", frozen_array(np.zeros(len(self.link_ids), bool)))
        super().__post_init__()

    def _rows(self, name: str) -> int:
        return len(self.link_ids) if name in self._LINK_FIELDS else len(self.ids)

    @property
    def n_links(self) -> int:
        return len(self.link_ids)

    def link_index(self, link_id: str) -> np.ndarray:
        """Positions of the directed links of road link ``link_id`` (two for a two-way road)."""
        cache = self.__dict__.get("_lpos")
        if cache is None:
            cache = {}
            for i, k in enumerate(self.link_ids):
                cache.setdefault(k, []).append(i)
            cache = {k: np.array(v, dtype=np.int64) for k, v in cache.items()}
            object.__setattr__(self, "_lpos", cache)
        return cache[link_id]

    def free_flow_time_s(self) -> np.ndarray:
        """Free-flow travel time of every link."""
        return self.length_m / self.free_speed_m_s

    def time_matrix(self, link_open: np.ndarray | None = None) -> sparse.csr_matrix:
        """Sparse node × node matrix of free-flow travel times over open links. Parallel links
        keep the fastest. The all-open matrix is built once and kept."""
        if link_open is None:
            cached = self.__dict__.get("_csr")
            if cached is None:
                cached = self._build_matrix(np.ones(self.n_links, bool))
                object.__setattr__(self, "_csr", cached)
            return cached
        return self._build_matrix(np.asarray(link_open, bool))

    def _build_matrix(self, keep: np.ndarray) -> sparse.csr_matrix:
        t = self.free_flow_time_s()[keep]
        n = len(self.ids)
        coo = sparse.coo_matrix((t, (self.link_from[keep], self.link_to[keep])), shape=(n, n))
        # csgraph treats explicit zeros as missing edges; parallel edges: keep the minimum.
        order = np.lexsort((t, coo.row, coo.col))
        rows, cols, vals = coo.row[order], coo.col[order], coo.data[order]
        first = np.ones(len(rows), bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        return sparse.csr_matrix((np.maximum(vals[first], 1e-9), (rows[first], cols[first])),
                                 shape=(n, n))

    def travel_times_s(self, sources: np.ndarray, link_open: np.ndarray | None = None,
                       reverse: bool = False) -> np.ndarray:
        """Shortest free-flow travel time from each source node to every node (``inf`` where
        unreachable); with ``reverse=True``, from every node *to* each source."""
        m = self.time_matrix(link_open)
        if reverse:
            m = m.T.tocsr()
        return csgraph.dijkstra(m, directed=True, indices=np.asarray(sources, dtype=np.int64))


@dataclass(frozen=True, eq=False)
class Facilities(_Table):
    """Facilities of one kind: ids, display names and the road node each stands at;
    ``building`` is each one's building as ``"TYPE/level"`` ("" if shaking cannot damage
    it)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    node: np.ndarray
    building: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.building:
            object.__setattr__(self, "building", ("",) * len(self.ids))
        super().__post_init__()


@dataclass(frozen=True, eq=False)
class Shelters(Facilities):
    """Emergency shelters (GB 21734-2008 classes I, II, III)."""

    shelter_class: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # 1, 2, 3
    capacity_persons: np.ndarray = field(default_factory=lambda: np.zeros(0))
    floor_area_m2: np.ndarray = field(default_factory=lambda: np.zeros(0))
    water_l: np.ndarray = field(default_factory=lambda: np.zeros(0))
    food_rations: np.ndarray = field(default_factory=lambda: np.zeros(0))
    beds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    opening_delay_s: tuple[Dist, ...] = ()


@dataclass(frozen=True, eq=False)
class Hospitals(Facilities):
    """Hospitals: beds, the share of them in use when the run starts, and the level (3
    tertiary, 2 secondary, 1 primary)."""

    beds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    occupied_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    level: np.ndarray = field(default_factory=lambda: np.zeros(0, int))

    def __post_init__(self) -> None:
        n = len(self.ids)
        if len(self.occupied_share) != n:
            object.__setattr__(self, "occupied_share", frozen_array(np.zeros(n)))
        if len(self.level) != n:
            object.__setattr__(self, "level", frozen_array(np.full(n, 2)))
        super().__post_init__()


@dataclass(frozen=True, eq=False)
class Depots(Facilities):
    """Relief depots; ``tier`` is 0 city, 1 district, 2 street, 3 community."""

    tier: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    water_l: np.ndarray = field(default_factory=lambda: np.zeros(0))
    food_rations: np.ndarray = field(default_factory=lambda: np.zeros(0))
    beds: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True, eq=False)
class Stations(Facilities):
    """Stations where teams are based."""


@dataclass(frozen=True, eq=False)
class Sites(_Table):
    """Structures whose failure in an earthquake can start another hazard. Each fails at
    damage state ``fails_at`` (2 moderate, 3 extensive, 4 complete) of its ``building``
    (``"TYPE/level"``) or, where it has none, by its own lognormal fragility
    (``median_pga_g``, ``beta``)."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    x_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    y_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    building: tuple[str, ...] = ()
    median_pga_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    beta: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fails_at: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    stores: tuple[str, ...] = ()


def shelter_times(roads: RoadGraph, zone_nodes: np.ndarray,
                  shelter_nodes: np.ndarray) -> np.ndarray:
    """Zones × shelters free-flow travel times: one reverse Dijkstra per distinct shelter
    node (scipy.sparse.csgraph)."""
    if len(shelter_nodes) == 0 or len(zone_nodes) == 0:
        return np.zeros((len(zone_nodes), len(shelter_nodes)))
    unique, which = np.unique(shelter_nodes, return_inverse=True)
    to_node = roads.travel_times_s(unique, reverse=True)  # [shelter node, any node]
    return to_node[which][:, zone_nodes].T


FACILITY_KINDS = ("shelter", "hospital", "depot", "station")
"""Facility kinds, in the order their tables are listed (their ids share one namespace)."""


@dataclass(frozen=True, eq=False)
class Terrain:
    """A ground-elevation grid: ``elevation_m[row, col]``, row 0 the southernmost, the
    lower-left corner of cell (0, 0) at (``x0_m``, ``y0_m``), square cells of ``cell_m``."""

    elevation_m: np.ndarray
    x0_m: float
    y0_m: float
    cell_m: float

    def __post_init__(self) -> None:
        if self.elevation_m.ndim != 2 or min(self.elevation_m.shape) < 2:
            raise ValueError("a terrain grid needs at least 2 x 2 cells")
        if not self.cell_m > 0:
            raise ValueError("the terrain's cell size must be > 0")
        if self.elevation_m.flags.writeable:
            object.__setattr__(self, "elevation_m", frozen_array(self.elevation_m, float))

    @property
    def shape(self) -> tuple[int, int]:
        return self.elevation_m.shape  # type: ignore[return-value]

    def cell_of(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of the cells holding the points; points outside are clipped to the edge."""
        rows, cols = self.shape
        col = np.clip(np.floor((np.asarray(x_m) - self.x0_m) / self.cell_m), 0, cols - 1)
        row = np.clip(np.floor((np.asarray(y_m) - self.y0_m) / self.cell_m), 0, rows - 1)
        return row.astype(np.int64), col.astype(np.int64)

    def contains(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        rows, cols = self.shape
        x, y = np.asarray(x_m), np.asarray(y_m)
        return ((x >= self.x0_m) & (x < self.x0_m + cols * self.cell_m)
                & (y >= self.y0_m) & (y < self.y0_m + rows * self.cell_m))

    def cells_within(self, x_m: float, y_m: float, radius_m: float) -> list[tuple[int, int]]:
        """Cells whose centres lie within ``radius_m`` of a point (at least its own cell)."""
        rows, cols = self.shape
        cy = self.y0_m + (np.arange(rows) + 0.5) * self.cell_m
        cx = self.x0_m + (np.arange(cols) + 0.5) * self.cell_m
        near = np.hypot(cx[None, :] - x_m, cy[:, None] - y_m) <= radius_m
        found = [(int(r), int(c)) for r, c in zip(*np.nonzero(near), strict=True)]
        if not found:
            r, c = self.cell_of(np.array([x_m]), np.array([y_m]))
            found = [(int(r[0]), int(c[0]))]
        return found


@dataclass(frozen=True, eq=False)
class World:
    """Everything about the region that does not change during a run."""

    zones: Zones
    roads: RoadGraph
    shelters: Shelters
    hospitals: Hospitals
    depots: Depots
    stations: Stations
    zone_to_shelter_s: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    """Free-flow travel time from each zone's node to each shelter (inf: unreachable)."""
    terrain: Terrain | None = None
    """The ground-elevation grid, if the scenario has one (floods need it)."""
    exits: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    """Road nodes where evacuees leave the region (reaching one is reaching safety)."""
    sites: Sites = field(default_factory=Sites)
    """Structures whose failure can start another hazard (disaster chains)."""

    def __post_init__(self) -> None:
        if self.zone_to_shelter_s.shape != (len(self.zones), len(self.shelters)):
            times = shelter_times(self.roads, self.zones.node, self.shelters.node)
            object.__setattr__(self, "zone_to_shelter_s", frozen_array(times))

    @property
    def population(self) -> int:
        return int(self.zones.population.sum())

    def facilities(self, kind: str) -> Facilities:
        """The table of facility ``kind`` (one of :data:`FACILITY_KINDS`)."""
        return {"shelter": self.shelters, "hospital": self.hospitals, "depot": self.depots,
                "station": self.stations}[kind]

    def find_facility(self, facility_id: str) -> tuple[str, int]:
        """(kind, row) of a facility id; KeyError if there is none."""
        for kind in FACILITY_KINDS:
            try:
                return kind, self.facilities(kind).index(facility_id)
            except KeyError:
                continue
        raise KeyError(facility_id)
