"""The puff train: mass is conserved, a dense train under a steady wind is the steady plume,
one puff is the instantaneous puff, and a wind shift turns only what is released after it.

Oracles: the analytic plume and puff of :mod:`drillsim.sim.hazards.chemical.dispersion`
(themselves checked against Turner's worked examples), the released mass, and the kinematics
of a uniform wind.
"""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.sim.hazards.chemical.dispersion import (
    dispersion_sigmas,
    plume_concentration,
    puff_concentration,
)
from drillsim.sim.hazards.chemical.puffs import PuffTrain, wind_from

EAST = wind_from(-np.inf, 4.0, 270.0, "D")  # blows from the west, towards +x


def test_one_puff_carries_its_mass() -> None:
    for lid in (None, 300.0):
        train = PuffTrain.instantaneous(0.0, 0.0, 10.0, 50.0, 0.0, (EAST,),
                                        mixing_height_m=lid)
        t = 400.0  # 1.6 km out: sigma_y ~ 110 m, sigma_z ~ 45 m
        x = np.arange(1600.0 - 900, 1600.0 + 900, 6.0)
        y = np.arange(-900.0, 900.0, 6.0)
        gx, gy = np.meshgrid(x, y)
        top = lid if lid is not None else 600.0
        dz = 2.0
        total = sum(train.concentration(t, gx, gy, z).sum() * 36.0 * dz
                    for z in np.arange(dz / 2, top, dz))
        assert total == pytest.approx(50.0, rel=0.01)


def test_a_single_puff_is_the_instantaneous_puff() -> None:
    train = PuffTrain.instantaneous(0.0, 0.0, 5.0, 20.0, 100.0, (EAST,))
    x = np.array([800.0, 1200.0, 1200.0, 2000.0])
    y = np.array([0.0, 50.0, -200.0, 30.0])
    t = 100.0 + 300.0
    got = train.concentration(t, x, y, 1.5)
    want = puff_concentration(20.0, 4.0, "D", x, y, 1.5, 300.0, height_m=5.0)
    assert got == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize(("stability", "terrain"), [("D", "rural"), ("B", "urban"),
                                                      ("F", "rural")])
def test_a_dense_train_under_steady_wind_is_the_plume(stability: str, terrain: str) -> None:
    wind = wind_from(-np.inf, 3.0, 270.0, stability)
    train = PuffTrain.continuous(0.0, 0.0, 0.0, 2.0, 0.0, 3 * 3600.0, (wind,),
                                 puff_every_s=5.0, terrain=terrain)
    x = np.array([500.0, 1000.0, 2000.0, 3000.0])
    y = np.array([0.0, 20.0, -40.0, 0.0])
    got = train.concentration(2 * 3600.0, x, y, 1.5)  # long after the front passed
    want = plume_concentration(2.0, 3.0, stability, x, y, 1.5, terrain=terrain)
    assert got == pytest.approx(want, rel=0.02)


def test_a_wind_shift_turns_what_is_released_after_it() -> None:
    north = wind_from(600.0, 2.0, 180.0, "D")  # from the south from 10 min: towards +y
    train = PuffTrain.continuous(0.0, 0.0, 0.0, 1.0, 0.0, 1200.0, (EAST, north),
                                 puff_every_s=60.0)
    x, y, sy, sz, travel, out = train.positions(1200.0)
    assert out.all()
    early, late = train.released_s < 600.0, train.released_s > 600.0
    # released before the shift: east at 4 m/s until 600 s, then north at 2 m/s
    assert x[early] == pytest.approx(4.0 * (600.0 - train.released_s[early]))
    assert y[early] == pytest.approx(2.0 * 600.0)
    # released after it: straight north
    assert np.allclose(x[late], 0.0) and y[late] == pytest.approx(
        2.0 * (1200.0 - train.released_s[late]))
    # one stability class throughout: the spreads are those of the whole path travelled
    want_y, want_z = dispersion_sigmas(x + y, "D")
    assert sy == pytest.approx(want_y, rel=1e-3) and sz == pytest.approx(want_z, rel=1e-3)
    assert travel == pytest.approx(x + y)


def test_spreads_carry_on_when_the_atmosphere_changes() -> None:
    stable = wind_from(600.0, 4.0, 270.0, "F")
    train = PuffTrain.instantaneous(0.0, 0.0, 0.0, 1.0, 0.0, (EAST, stable))
    _, _, sy0, sz0, _, _ = train.positions(600.0)
    _, _, sy1, sz1, _, _ = train.positions(660.0)
    assert sy1 >= sy0 and sz1 >= sz0  # a spread never shrinks at a change of class
    # ... and grows on from the class-F distance that gives the spread it had
    x_f = np.geomspace(1.0, 1e6, 200000)
    f_y = dispersion_sigmas(x_f, "F")[0]
    virtual = x_f[np.searchsorted(f_y, sy0[0])]
    assert sy1[0] == pytest.approx(dispersion_sigmas(virtual + 240.0, "F")[0], rel=2e-3)


def test_nothing_before_the_release_and_an_upper_bound_that_holds() -> None:
    train = PuffTrain.continuous(0.0, 0.0, 0.0, 1.0, 600.0, 1200.0, (EAST,))
    assert train.concentration(599.0, np.array([10.0]), np.array([0.0]))[0] == 0.0
    x = np.linspace(-500, 5000, 400)
    c = train.concentration(1500.0, x, np.zeros_like(x))
    assert c.max() <= train.upper_bound(1500.0) + 1e-18


def test_merging_overlapping_puffs_keeps_mass_and_the_field(monkeypatch) -> None:
    from drillsim.sim.hazards.chemical import puffs

    train = PuffTrain.continuous(0.0, 0.0, 2.0, 1.0, 0.0, 3600.0, (EAST,), puff_every_s=10.0)
    x, y = np.meshgrid(np.linspace(100.0, 6000.0, 120), np.linspace(-400.0, 400.0, 81))
    merged = train.concentration(3000.0, x, y)
    peak = train.puffs(3000.0, 1.5)
    monkeypatch.setattr(puffs, "MERGE_WITHIN", 0.0)
    train.forget()
    apart = train.concentration(3000.0, x, y)
    whole = train.puffs(3000.0, 1.5)
    assert len(peak[0]) < len(whole[0]) / 2  # far puffs merged
    big = apart > 0.01 * apart.max()
    assert merged[big] == pytest.approx(apart[big], rel=0.01)


def test_a_merged_puff_keeps_mass_centre_and_second_moments() -> None:
    from drillsim.sim.hazards.chemical import puffs

    m, cx, cy, sy, sz = puffs.merge_neighbours(
        np.array([1.0, 3.0]), np.array([0.0, 4.0]), np.array([0.0, 0.0]),
        np.array([20.0, 20.0]), np.array([5.0, 9.0]))
    assert m.tolist() == [4.0] and cx.tolist() == [3.0] and cy.tolist() == [0.0]
    assert sy[0] ** 2 == pytest.approx(400.0 + (0.25 * 9 + 0.75 * 1) / 2)
    assert sz[0] == pytest.approx(8.0)


@pytest.mark.parametrize(("stability", "speed"), [("F", 2.0), ("D", 8.0)])
def test_no_beads_near_the_source(stability: str, speed: float) -> None:
    """Puffs 15 s apart are 30–120 m apart, wider than their spread near the source; each
    puff also stands for its stretch of plume along the wind, so the centreline still reads
    the plume, whatever the phase of the puffs."""
    wind = wind_from(-np.inf, speed, 270.0, stability)
    train = PuffTrain.continuous(0.0, 0.0, 0.0, 1.0, 0.0, 7200.0, (wind,))
    x = np.linspace(100.0, 500.0, 41)
    want = plume_concentration(1.0, speed, stability, x, 0.0, 1.5)
    for t in (3600.0, 3605.0, 3610.0):
        got = train.concentration(t, x, np.zeros_like(x), 1.5)
        assert got == pytest.approx(want, rel=0.05)
