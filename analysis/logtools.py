"""Reading the event log's columns for the response metrics (:mod:`drillsim.analysis.response`
and :mod:`drillsim.analysis.care`), and the register of the scalars they define.

Those scalars read the log as it stood at the objective's deadline (or the end of the run). A
wait that was not over by the deadline counts up to the deadline (it lasted at least that
long); a metric with nothing to measure (no incident in scope, nobody trapped, no team ready,
no relief seeker) is NaN, which an objective counts as not met.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from drillsim.analysis.logframe import LogFrame
from drillsim.analysis.registry import ScalarFn, cumulative, scalar

NEVER = math.inf

RESPONSE_SCALARS: list[str] = []
"""Names of the response, hospital and relief scalars, in the order they were registered."""


def response_scalar(name: str, unit: str, doc: str, scopes: tuple[str, ...] = (),
                    facility_kind: str | None = None) -> Callable[[ScalarFn], ScalarFn]:
    """:func:`~drillsim.analysis.registry.scalar`, also listed in :data:`RESPONSE_SCALARS`."""
    RESPONSE_SCALARS.append(name)
    return scalar(name, unit, doc, scopes, facility_kind)


def upto(lf: LogFrame, kind: str, end_s: float = NEVER) -> np.ndarray:
    rows = lf.where(kind)
    return rows[lf.t_s[rows] <= end_s]


def text(lf: LogFrame, name: str, rows: np.ndarray) -> np.ndarray:
    """Field ``name`` (or ``actor`` / ``place``) of ``rows`` as text, ``""`` where null."""
    if not len(rows):
        return np.zeros(0, dtype=str)
    col = lf.table.column(name).take(pa.array(rows, pa.int64()))
    return np.asarray(pc.fill_null(col, "").to_numpy(zero_copy_only=False), dtype=str)


def positions(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Where each of ``keys`` is in ``ids`` (sorted, unique), -1 where it is not."""
    if not len(ids):
        return np.full(len(keys), -1, np.int64)
    pos = np.minimum(np.searchsorted(ids, keys), len(ids) - 1)
    return np.where(ids[pos] == keys, pos, -1)


def take(values: np.ndarray, pos: np.ndarray, missing: float | str) -> np.ndarray:
    """``values`` at ``pos``, ``missing`` where ``pos`` is -1."""
    if not len(values):
        return np.full(len(pos), missing)
    return np.where(pos >= 0, values[np.maximum(pos, 0)], missing)


def first_time(ids: np.ndarray, keys: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """For each of ``ids`` (sorted, unique), the earliest of ``t_s`` whose key it is (inf if
    none)."""
    out = np.full(len(ids), NEVER)
    pos = positions(keys, ids)
    hit = pos >= 0
    np.minimum.at(out, pos[hit], t_s[hit])
    return out


def running(times: np.ndarray, at_s: np.ndarray, change: np.ndarray) -> np.ndarray:
    """Running total of ``change`` (events in any order) read at ``times``."""
    order = np.argsort(at_s, kind="stable")
    return cumulative(times, at_s[order], change[order])


def group_cumsum(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarted at each new group (``groups`` sorted)."""
    total = np.cumsum(values)
    if not len(values):
        return total
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    before = (total - values)[starts]
    return total - np.repeat(before, np.diff(np.r_[starts, len(values)]))


def in_scope(values: np.ndarray, scope: tuple[str, ...]) -> np.ndarray:
    return np.isin(values, list(scope)) if scope else np.ones(len(values), bool)
