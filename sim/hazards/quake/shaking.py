"""The shocks of an earthquake (the mainshock and its aftershocks) and the shaking each one
brings to a set of places: median ground motion from the scenario's model, plus a
between-event term shared by every place and a spatially correlated within-event term
(Jayaram & Baker 2009), so that neighbouring places shake alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from drillsim.sim.hazards.quake.aftershocks import SequenceParams, sample_sequence
from drillsim.sim.hazards.quake.correlation import correlated_normals
from drillsim.sim.hazards.quake.gmice import WGRW12_PGA, mmi_to_pga
from drillsim.sim.hazards.quake.gmpe import ground_motion_terms
from drillsim.sim.hazards.quake.intensity_cn import cn_intensity
from drillsim.sim.hazards.quake.rupture import Rupture, distances

DAY_S = 86400.0
SA10 = "SA(1.0)"


@dataclass(frozen=True)
class Shock:
    """One shock: when (seconds from the scenario's start), how big, and its rupture."""

    t_s: float
    magnitude: float
    rupture: Rupture
    aftershock: bool = False
    strike_deg: float | None = None
    """Strike of the fault it broke (an aftershock, a point source, keeps its mainshock's:
    the elongation of the intensity ellipses of Chinese practice follows it)."""


def rupture_length_km(magnitude: float) -> float:
    """Subsurface rupture length, all mechanisms: log10 L = −2.44 + 0.59 M (Wells &
    Coppersmith 1994, BSSA 84(4), Table 2A)."""
    return float(10 ** (-2.44 + 0.59 * magnitude))


def mainshock(params: Mapping[str, Any], start_s: float) -> Shock:
    h, fault = params["hypocentre"], params.get("fault")
    plane = {} if fault is None else {
        "strike_deg": fault["strike_deg"], "dip_deg": fault["dip_deg"],
        "length_km": fault["length_km"], "width_km": fault["width_km"]}
    return Shock(start_s, float(params["magnitude"]),
                 Rupture(float(h["x"]), float(h["y"]), float(h["depth_km"]), **plane),
                 strike_deg=None if fault is None else float(fault["strike_deg"]))


def aftershock_params(params: Mapping[str, Any]) -> tuple[SequenceParams, float] | None:
    given = params.get("aftershocks", True)
    if given is False:
        return None
    if given is True:
        return SequenceParams(), 4.5
    return (SequenceParams(a=given["a"], b=given["b"], c_days=given["c_days"], p=given["p"]),
            float(given["min_magnitude"]))


def aftershocks(main: Shock, params: Mapping[str, Any], horizon_s: float,
                rng: np.random.Generator) -> list[Shock]:
    """The Reasenberg–Jones sequence of ``main`` within ``horizon_s``. Each aftershock is a
    point source placed uniformly over the mainshock's fault plane (or, for a point
    mainshock, along a line of the Wells–Coppersmith rupture length through the epicentre,
    north–south) at the mainshock's depth range."""
    sequence = aftershock_params(params)
    if sequence is None or horizon_s <= 0:
        return []
    seq, m_min = sequence
    if m_min >= main.magnitude:
        return []
    times_d, mags = sample_sequence(main.magnitude, horizon_s / DAY_S, rng, min_magnitude=m_min,
                                    params=seq)
    out, length_km = [], rupture_length_km(main.magnitude)
    for t_d, m in zip(np.asarray(times_d).tolist(), np.asarray(mags).tolist(), strict=True):
        x, y, depth = _somewhere_on(main.rupture, length_km, rng)
        out.append(Shock(main.t_s + t_d * DAY_S, float(m), Rupture(x, y, depth), True,
                         main.strike_deg))
    return out


def _somewhere_on(r: Rupture, length_km: float,
                  rng: np.random.Generator) -> tuple[float, float, float]:
    a, b = rng.random(2)
    if r.is_finite:
        corners = r.corners_m()  # (4, 3): x, y, depth_m
        p = corners[0] + a * (corners[1] - corners[0]) + b * (corners[3] - corners[0])
        return float(p[0]), float(p[1]), max(float(p[2]) / 1000.0, 1.0)
    return r.x_m, r.y_m + (a - 0.5) * 1000.0 * length_km, r.depth_km


@dataclass(frozen=True)
class Places:
    """Where shaking is wanted: coordinates (m) and the site condition Vs30 (m/s)."""

    x_m: np.ndarray
    y_m: np.ndarray
    vs30_m_s: np.ndarray

    def __len__(self) -> int:
        return len(self.x_m)


def along_across_km(shock: Shock, places: Places) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of ``places`` from the epicentre along and across the strike of the shock's
    fault (north–south when it has none)."""
    s = np.radians(shock.strike_deg or 0.0)
    dx = (places.x_m - shock.rupture.x_m) / 1000.0
    dy = (places.y_m - shock.rupture.y_m) / 1000.0
    return dx * np.sin(s) + dy * np.cos(s), dx * np.cos(s) - dy * np.sin(s)


def median_motion(model: str, shock: Shock, places: Places, mechanism: str,
                  imt: str = "PGA") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, tau, phi) of ln(motion) at ``places`` for ``shock``. The intensity model of
    Chinese practice ("CN-IPE", eastern-China coefficients; it is fitted to surface-wave
    magnitude, which the scenario's magnitude stands for) gives intensity, turned into PGA by
    the Worden et al. (2012) relation (read as MMI); its scatter, converted with the slope of
    that relation, is all given to the within-event term. For spectral acceleration (bridges)
    BSSA14 stands in."""
    if model == "CN-IPE":
        if imt != "PGA":
            return median_motion("BSSA14", shock, places, mechanism, imt)
        intensity, sigma = cn_intensity(shock.magnitude, *along_across_km(shock, places))
        pga = np.asarray(mmi_to_pga(intensity), float)
        # ln PGA per intensity unit on the (unclipped) upper branch or lower branch of eq. 4
        upper = np.asarray(intensity) > WGRW12_PGA.t2
        slope = np.log(10.0) / np.where(upper, WGRW12_PGA.c4, WGRW12_PGA.c2)
        return pga, np.zeros_like(pga), slope * np.asarray(sigma, float)
    rjb, rrup = distances(shock.rupture, places.x_m, places.y_m)
    gm = ground_motion_terms(model, shock.magnitude, rjb, places.vs30_m_s, mechanism=mechanism,
                             imt=imt, rrup_km=rrup)
    n = len(places)
    return (np.broadcast_to(gm.median, (n,)).astype(float),
            np.broadcast_to(gm.tau, (n,)).astype(float),
            np.broadcast_to(gm.phi, (n,)).astype(float))


def realised_motion(model: str, shocks: list[Shock], places: Places, mechanism: str, imt: str,
                    rng: np.random.Generator, variability: bool) -> np.ndarray:
    """[shock, place] ground motion with residuals drawn: ln y = ln median + τ ε_B + φ ε_W,
    ε_B one standard normal per shock, ε_W a field over the places correlated as Jayaram &
    Baker (2009) (one factorisation for all shocks). Without variability, the medians."""
    terms = [median_motion(model, s, places, mechanism, imt) for s in shocks]
    median = np.array([t[0] for t in terms]).reshape(len(shocks), len(places))
    if not variability or len(places) == 0:
        return median
    tau = np.array([t[1] for t in terms]).reshape(median.shape)
    phi = np.array([t[2] for t in terms]).reshape(median.shape)
    event = rng.standard_normal((len(shocks), 1))
    within = correlated_normals(places.x_m, places.y_m, rng,
                                period_s=1.0 if imt == SA10 else 0.0, size=len(shocks))
    return median * np.exp(tau * event + phi * within)
def shocks_of(params: Mapping[str, Any], start_s: float, rng: np.random.Generator) -> list[Shock]:
    """The mainshock, its aftershocks within the hazard's horizon, and the aftershocks that
    injects script (``scripted_shocks``: each ``{t_s, magnitude, x_m, y_m, depth_km}``, a
    point source; no position: the mainshock's epicentre and depth), in time order."""
    main = mainshock(params, start_s)
    shocks = [main, *aftershocks(main, params, float(params.get("horizon_s", 0.0)), rng)]
    for k in params.get("scripted_shocks", ()):
        x = main.rupture.x_m if k.get("x_m") is None else float(k["x_m"])
        y = main.rupture.y_m if k.get("y_m") is None else float(k["y_m"])
        depth = main.rupture.depth_km if k.get("depth_km") is None else float(k["depth_km"])
        shocks.append(Shock(float(k["t_s"]), float(k["magnitude"]), Rupture(x, y, depth), True,
                            main.strike_deg))
    return sorted(shocks, key=lambda sh: sh.t_s)
