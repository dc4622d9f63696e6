"""Link physics of the mesoscopic traffic model: storage, discharge headway and the
speed–density relation of a link's moving part.

* **Capacity.** A link discharges at most ``capacity_veh_h`` vehicles per hour (the scenario's
  value, by default the Highway Capacity Manual base saturation flow of 1,900 veh/h/lane),
  scaled by ``capacity_factor`` (observed hurricane-evacuation flows run below the base rate;
  see REFERENCES: sustained ≈ 600–1,000 veh/h/lane). Vehicles leave one headway apart,
  ``3600 / (capacity × factor)`` seconds (a point queue: Vickrey 1969).
* **Storage.** A link holds at most ``length × lanes / jam_spacing`` vehicles; jam spacing
  7.5 m/vehicle (jam density 133 veh/km/lane, the usual value in queue-based simulators, e.g.
  Cetin, Burri & Nagel 2003, "A large-scale agent-based traffic microsimulation based on queue
  model"). A vehicle cannot leave a link while the next one is full, so queues spill back.
* **Speed.** The moving part of a link (the vehicles not yet in its queue) travels at the
  modified Greenshields speed of DYNASMART (Mahmassani 2001, "Dynamic network traffic
  assignment and simulation methodology for advanced system management applications",
  Networks and Spatial Economics 1(3), eq. for the speed–density relation):
  ``v = v0 + (vf − v0) (1 − k/kj)^α`` with ``v0`` a minimum speed. With ``α = 1`` and
  ``v0 = 0`` this is Greenshields (1935). An empty link is driven at free speed, so free-flow
  travel time is exactly ``length / speed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drillsim.sim.world import RoadGraph


@dataclass(frozen=True)
class TrafficParams:
    """Settings of the movement model (defaults cited in the module docstring)."""

    step_s: float = 10.0
    """Movement step: vehicles are advanced together this often (continuous times inside)."""
    jam_spacing_m: float = 7.5
    min_speed_fraction: float = 0.1
    """``v0 / vf``: even a dense moving part creeps on (the queue holds the rest)."""
    alpha: float = 1.0
    capacity_factor: float = 1.0
    """Scales every link's capacity (e.g. 0.5 for sustained evacuation flows)."""
    walk_speed_m_s: float = 1.34
    """Walking speed on the flat (Weidmann 1993, Table 3: 1.34 m/s)."""
    stuck_s: float = 300.0
    """A vehicle held this long at a link's end by a full next link moves on anyway (breaks
    gridlock in cyclic queues, as queue simulators do: Cetin et al. 2003's stuck time)."""
    reroute_every_s: float = 600.0
    """How often route tables are refreshed with current congestion (closures refresh them
    at once)."""

    def __post_init__(self) -> None:
        for name in ("step_s", "jam_spacing_m", "walk_speed_m_s", "reroute_every_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0")
        if not 0 < self.capacity_factor <= 2:
            raise ValueError("capacity_factor must be in (0, 2]")
        if not 0 < self.min_speed_fraction < 1:
            raise ValueError("min_speed_fraction must be in (0, 1): a jammed link still creeps")


@dataclass(frozen=True, eq=False)
class LinkParams:
    """Per-link constants derived from the road graph and :class:`TrafficParams`."""

    length_m: np.ndarray
    lanes: np.ndarray
    free_speed_m_s: np.ndarray
    headway_s: np.ndarray
    storage_veh: np.ndarray

    @classmethod
    def of(cls, roads: RoadGraph, params: TrafficParams) -> LinkParams:
        lanes = np.asarray(roads.lanes, float)
        cap = np.asarray(roads.capacity_veh_h, float) * params.capacity_factor
        storage = np.maximum(1, np.floor(roads.length_m * lanes / params.jam_spacing_m))
        return cls(length_m=np.asarray(roads.length_m, float), lanes=lanes,
                   free_speed_m_s=np.asarray(roads.free_speed_m_s, float),
                   headway_s=3600.0 / cap, storage_veh=storage.astype(np.int64))


def moving_speed(free_speed_m_s: np.ndarray, moving_veh: np.ndarray, room_m: np.ndarray,
                 lanes: np.ndarray, jam_spacing_m: float, min_fraction: float,
                 alpha: float = 1.0) -> np.ndarray:
    """Speed of a link's moving part (modified Greenshields, Mahmassani 2001):
    ``v = vf (f0 + (1 − f0)(1 − k/kj)^α)`` with density ``k`` of ``moving_veh`` vehicles
    over ``room_m`` metres of ``lanes`` lanes and jam density ``kj = 1 / jam_spacing_m``."""
    ratio = np.clip(moving_veh * jam_spacing_m / (np.maximum(room_m, jam_spacing_m) * lanes),
                    0.0, 1.0)
    return free_speed_m_s * (min_fraction + (1.0 - min_fraction) * (1.0 - ratio) ** alpha)


def grouped_cummax(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Running maximum of ``values`` restarted at every change of ``group`` (sorted)."""
    n = len(values)
    if n == 0:
        return np.zeros(0)
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    counts = np.diff(np.append(starts, n))
    # Lift each group above all earlier ones, take one running maximum, then undo the lift.
    span = 2.0 * float(np.max(np.abs(values))) + 1.0
    lift = np.repeat(np.arange(len(starts), dtype=float) * span, counts)
    return np.maximum.accumulate(values + lift) - lift


def group_rank(group: np.ndarray) -> np.ndarray:
    """Position of each element within its group (``group`` sorted)."""
    n = len(group)
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    return np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))


def discharge_times(ready_s: np.ndarray, group: np.ndarray, next_slot_s: np.ndarray,
                    headway_s: np.ndarray) -> np.ndarray:
    """Exit times of FIFO queues served one headway apart (a point queue).

    ``ready_s`` are the times vehicles reach their link's end, sorted by link (``group``) and
    within a link in FIFO order; ``next_slot_s[g]`` is the earliest time link ``g`` may
    discharge again and ``headway_s[g]`` its headway. The recursion
    ``e_i = max(r_i, e_{i-1} + h)``, ``e_0 = max(r_0, slot)`` is solved in closed form,
    ``e_i = i·h + max(slot, max_{j≤i}(r_j − j·h))``, with a grouped running maximum.
    """
    if len(ready_s) == 0:
        return np.zeros(0)
    rank = group_rank(group)
    h = headway_s[group]
    running = grouped_cummax(ready_s - rank * h, group)
    return rank * h + np.maximum(running, next_slot_s[group])
