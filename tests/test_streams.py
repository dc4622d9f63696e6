from __future__ import annotations

import numpy as np
import pytest

from drillsim.sim.streams import Streams, replicate_seed, stream_key


def test_a_stream_is_a_function_of_seed_and_name() -> None:
    a, b = Streams(7), Streams(7)
    assert np.array_equal(a("injects").random(5), b("injects").random(5))
    assert not np.array_equal(Streams(7)("injects").random(5), Streams(8)("injects").random(5))


def test_adding_a_stream_never_shifts_another() -> None:
    plain = Streams(3)
    busy = Streams(3)
    busy("team:new").random(1000)
    assert np.array_equal(plain("injects").random(10), busy("injects").random(10))


def test_the_same_name_is_the_same_generator_within_a_run() -> None:
    s = Streams(1)
    assert s("x") is s("x")
    assert not np.array_equal(s("x").random(3), Streams(1)("y").random(3))


def test_replicates_are_distinct_and_reproducible() -> None:
    draws = [Streams(replicate_seed(9, i))("a").random() for i in range(50)]
    assert len(set(draws)) == 50
    assert Streams(replicate_seed(9, 17))("a").random() == draws[17]


def test_stream_keys_are_stable_across_processes() -> None:
    # CRC-32 is specified, unlike hash(): the value (here from gzip's CRC-32 trailer of the
    # bytes b"injects", an independent implementation) must never change.
    assert stream_key("injects") == 2785556914


@pytest.mark.parametrize("bad", [-1, 2.5, "7", True])
def test_bad_seeds(bad: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        Streams(bad)  # type: ignore[arg-type]
