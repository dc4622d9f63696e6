"""Named random streams.

One root seed per replicate; each subsystem draws from a stream derived from its *name*
(``zlib.crc32``, stable across processes, unlike ``hash()``), so adding a stream never shifts
the numbers another stream produces. Replicates of a batch are children of the root
``SeedSequence`` (``spawn_key=(replicate,)``), so a replicate's numbers do not depend on the
number of workers or the order in which replicates finish.
"""

from __future__ import annotations

import zlib

import numpy as np


def as_seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """Return ``seed`` as a SeedSequence (an int becomes the root entropy)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"a seed must be a whole number >= 0, got {seed!r}")
    return np.random.SeedSequence(int(seed))


def replicate_seed(root_seed: int, replicate: int) -> np.random.SeedSequence:
    """The seed of replicate ``replicate`` of a batch whose root seed is ``root_seed``."""
    return np.random.SeedSequence(int(root_seed), spawn_key=(int(replicate),))


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """The named random generators of one run. ``streams("injects")`` is always the same
    generator within a run and always starts from the same state for the same seed."""

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        self.seed = as_seed_sequence(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        gen = self._generators.get(name)
        if gen is None:
            child = np.random.SeedSequence(
                self.seed.entropy, spawn_key=(*self.seed.spawn_key, stream_key(name))
            )
            gen = np.random.Generator(np.random.PCG64(child))
            self._generators[name] = gen
        return gen
