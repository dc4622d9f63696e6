"""Columnar, read-only access to an event log for metric computations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from drillsim.sim.events import JSON_FIELDS, KINDS, EventLog


@dataclass(frozen=True, eq=False)
class LogFrame:
    """An event log as numpy columns: ``t_s``, ``kind``, ``actor``, ``place``, ``qty``, and
    each payload field through :meth:`column`."""

    table: pa.Table

    @classmethod
    def of(cls, log: EventLog | pa.Table) -> LogFrame:
        return cls(log.to_table() if isinstance(log, EventLog) else log)

    @cached_property
    def manifest(self) -> dict[str, Any]:
        raw = (self.table.schema.metadata or {}).get(b"drillsim.manifest", b"")
        return json.loads(raw) if raw else {}

    @cached_property
    def t_s(self) -> np.ndarray:
        return self.table.column("t_s").to_numpy()

    @cached_property
    def qty(self) -> np.ndarray:
        return self.table.column("qty").to_numpy()

    @cached_property
    def kind(self) -> np.ndarray:
        return np.asarray(self.table.column("kind").to_pylist(), dtype=object)

    @cached_property
    def actor(self) -> np.ndarray:
        return np.asarray(self.table.column("actor").to_pylist(), dtype=object)

    @cached_property
    def place(self) -> np.ndarray:
        return np.asarray(self.table.column("place").to_pylist(), dtype=object)

    def column(self, name: str) -> np.ndarray:
        """A payload field for every row (None where the row's kind does not carry it)."""
        cache = self.__dict__.setdefault("_columns", {})
        if name not in cache:
            values = self.table.column(name).to_pylist()
            if name in JSON_FIELDS:
                values = [None if v is None else json.loads(v) for v in values]
            cache[name] = np.asarray(values, dtype=object)
        return cache[name]

    def data(self, i: int) -> dict[str, Any]:
        """The payload of row ``i``."""
        fields = KINDS[self.kind[i]].fields
        return {f: v for f in fields if (v := self.column(f)[i]) is not None}

    def where(self, kind: str) -> np.ndarray:
        """Row positions of events of ``kind``, in log order."""
        return np.flatnonzero(self.kind == kind)

    @property
    def duration_s(self) -> float:
        end = self.where("run.end")
        return float(self.t_s[end[-1]]) if len(end) else float(self.t_s.max(initial=0.0))
