"""The results of a batch in an embedded DuckDB database (``batch.duckdb``).

One writer — the coordinator — writes each finished chunk of replicates in one transaction,
so a batch killed at any moment (Ctrl-C or ``kill -9``) loses at most the chunks in flight and
``--resume`` runs exactly those again. Replicates have deterministic ids (their index in the
batch), and the batch's *spec* (scenario digest, root seed, size, variants) is stored with a
hash: a resume with a different spec is refused rather than mixed in.

Tables (analysts query them with SQL, or export them to Parquet):

* ``batch(key, value)`` — the spec and facts about the batch, as text;
* ``variants(variant, name, value)`` — each variant's parameter values (sweeps, comparisons);
* ``replicates(replicate, variant, seed_entropy, spawn_key, status, error, wall_s, events,
  digest, log_path)`` — one row per replicate run; ``status`` is ``ok`` or ``error`` (with the
  traceback in ``error``);
* ``objectives(replicate, variant, objective, capability, metric, value, met, margin)``;
* ``grades(replicate, variant, capability, grade)``;
* ``metrics(replicate, variant, metric, value)`` — every scalar metric, read at the end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

DB_NAME = "batch.duckdb"

SCHEMA = """
CREATE TABLE IF NOT EXISTS batch (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS variants (variant INTEGER, name TEXT, value TEXT);
CREATE TABLE IF NOT EXISTS replicates (
    replicate INTEGER, variant INTEGER, seed_entropy UBIGINT, spawn_key TEXT, status TEXT,
    error TEXT, wall_s DOUBLE, events BIGINT, digest TEXT, log_path TEXT,
    PRIMARY KEY (variant, replicate));
CREATE TABLE IF NOT EXISTS objectives (
    replicate INTEGER, variant INTEGER, objective TEXT, capability TEXT, metric TEXT,
    value DOUBLE, met BOOLEAN, margin DOUBLE);
CREATE TABLE IF NOT EXISTS grades (
    replicate INTEGER, variant INTEGER, capability TEXT, grade TEXT);
CREATE TABLE IF NOT EXISTS metrics (
    replicate INTEGER, variant INTEGER, metric TEXT, value DOUBLE);
"""

TABLES = ("batch", "variants", "replicates", "objectives", "grades", "metrics")
RESULT_TABLES = ("replicates", "objectives", "grades", "metrics")
"""Tables with one or more rows per replicate, in the order a chunk writes them."""

COLUMNS = {
    "replicates": ("replicate", "variant", "seed_entropy", "spawn_key", "status", "error",
                   "wall_s", "events", "digest", "log_path"),
    "objectives": ("replicate", "variant", "objective", "capability", "metric", "value", "met",
                   "margin"),
    "grades": ("replicate", "variant", "capability", "grade"),
    "metrics": ("replicate", "variant", "metric", "value"),
}


ORDER = {"batch": "key", "variants": "variant, name", "replicates": "variant, replicate",
         "objectives": "variant, replicate, objective", "grades": "variant, replicate, capability",
         "metrics": "variant, replicate, metric"}
"""Row order of each table as :meth:`Store.table` returns it (insertion order is not kept)."""


class SpecMismatch(Exception):  # noqa: N818 (what the user sees fail)
    """A resume whose spec differs from the stored batch's."""


def spec_hash(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Store:
    """The batch database in ``folder``; use as a context manager."""

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        self.path = folder / DB_NAME
        if read_only and not self.path.is_file():
            raise FileNotFoundError(self.path)
        folder.mkdir(parents=True, exist_ok=True)
        self.db = duckdb.connect(str(self.path), read_only=read_only)
        if not read_only:
            self.db.execute(SCHEMA)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -- the spec --------------------------------------------------------------------------------
    def spec(self) -> dict[str, Any] | None:
        row = self.db.execute("SELECT value FROM batch WHERE key = 'spec'").fetchone()
        return json.loads(row[0]) if row else None

    def begin(self, spec: dict[str, Any], variants: Sequence[dict[str, Any]],
              resume: bool) -> None:
        """Record ``spec`` for a new batch, or check it against the stored one on resume. A
        new batch in a folder that already holds one is refused (nothing is overwritten)."""
        stored = self.spec()
        if stored is not None:
            if not resume:
                raise SpecMismatch(f"{self.path.parent} already holds a batch; pass --resume "
                                   "to finish it, or choose another --out")
            if spec_hash(stored) != spec_hash(spec):
                changed = sorted(k for k in set(stored) | set(spec)
                                 if stored.get(k) != spec.get(k))
                raise SpecMismatch(f"the batch in {self.path.parent} was started with a "
                                   f"different spec ({', '.join(changed)} changed); resume "
                                   "it with the same scenario and options, or choose another "
                                   "--out")
            return
        self.db.execute("BEGIN")
        self.db.execute("INSERT INTO batch VALUES ('spec', ?), ('spec_hash', ?)",
                        [json.dumps(spec, sort_keys=True), spec_hash(spec)])
        rows = [(k, name, json.dumps(v)) for k, values in enumerate(variants)
                for name, v in values.items()]
        if rows:
            self.db.executemany("INSERT INTO variants VALUES (?, ?, ?)", rows)
        self.db.execute("COMMIT")

    def done(self) -> set[tuple[int, int]]:
        """(variant, replicate) of every replicate already recorded (ok or error)."""
        return {(int(v), int(r)) for v, r in
                self.db.execute("SELECT variant, replicate FROM replicates").fetchall()}

    # -- results ---------------------------------------------------------------------------------
    def write(self, results: Iterable[dict[str, list[tuple[Any, ...]]]]) -> None:
        """Write replicates' rows (per table, tuples in :data:`COLUMNS` order) in one
        transaction."""
        batch: dict[str, list[tuple[Any, ...]]] = {t: [] for t in RESULT_TABLES}
        for result in results:
            for table in RESULT_TABLES:
                batch[table] += result.get(table, [])
        self.db.execute("BEGIN")
        try:
            for table in RESULT_TABLES:
                if batch[table]:
                    marks = ", ".join("?" * len(COLUMNS[table]))
                    self.db.executemany(f"INSERT INTO {table} VALUES ({marks})", batch[table])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def table(self, name: str) -> Any:
        """Table ``name`` as a pyarrow Table, in a deterministic order (:data:`ORDER`)."""
        if name not in TABLES:
            raise KeyError(name)
        return self.db.sql(f"SELECT * FROM {name} ORDER BY {ORDER[name]}").to_arrow_table()

    def export_parquet(self, folder: Path) -> list[Path]:
        """Every table as a Parquet file in ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for name in TABLES:
            path = folder / f"{name}.parquet"
            self.db.execute(f"COPY (SELECT * FROM {name}) TO '{path.as_posix()}' "
                            "(FORMAT parquet)")
            out.append(path)
        return out
