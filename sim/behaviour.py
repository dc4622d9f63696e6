"""How residents behave, as compiled data: warning channels, the decision to leave, the
departure (mobilization) curve, where evacuees go, relief needs, and the movement settings.

Every default names its source. Where the literature gives a range rather than a value, the
default is a stated planning assumption inside that range and the scenario's ``population``
section overrides it.

* **Warning channels** (reach = share of households a channel reaches, delay = from the
  order to hearing it). Sorensen (2000), "Hazard warning systems: review of 20 years of
  progress", Natural Hazards Review 1(2): 119–125, and Rogers & Sorensen (1991) describe
  channel-specific reach and delay; NUREG-0654/FEMA-REP-1 Rev. 1 App. 3 sets the siren design
  objective (essentially all of the inner zone within 15 minutes). Planning values: siren
  reach 0.7 within U(2, 15) min; phone alert (cell broadcast) 0.9 within U(1, 5) min; radio/TV
  broadcast 0.6 within U(5, 30) min; door-to-door 0.95, spread over the time the zone's
  teams need at 15 households per team-hour (Sorensen & Vogt 2006 order of magnitude).
* **Compliance.** 80 % of households who hear a mandatory order leave, fewer than 20 % of
  those who do not (Baker 1991, "Hurricane evacuation behavior", IJMED 9(2): 287–310): an
  ``evacuate`` order → 0.8; a ``warn`` → 0.2. Without any order, households that see the
  hazard at home (an environmental cue, consistently significant in the meta-analysis of
  Huang, Lindell & Prater 2016, Environment and Behavior 48(8): 991–1029) leave with the
  shadow probability 0.2 (NUREG/CR-7002 (2011) base case: 20 % shadow evacuation); a cue also
  multiplies the odds of leaving under an order by ``cue_odds`` (3, a planning assumption).
  Demographic effects are weak in that meta-analysis, so ``elderly_odds`` defaults to 1.
* **Mobilization.** After deciding, a household leaves after a delay drawn from the
  mobilization curve: Rayleigh (Tweedie et al. 1986, Social Science Journal 23(2): 189–211),
  Weibull or logistic (Radwan et al. 1985) as the scenario sets; default Rayleigh with mode
  30 min (95 % gone within ≈ 74 min of deciding, a planning assumption for a flood warning;
  NUREG/CR-7002 §4.3 asks for local survey data).
* **Destinations.** 10–20 % of evacuees use public shelters, the rest go to family, friends
  or hotels (Framingham & Teasley 2012; Mileti, Sorensen & O'Brien 1992, IJMED 10(1)):
  default 0.2. Households carried by the plan's buses go to shelters.
* **Walking.** Car-less households walk if their shelter is within ``walk_max_m`` (2.5 km,
  GB 50413-2007's 2–3 km service radius of a fixed shelter), at 1.34 m/s (Weidmann 1993).
* **Relief.** Basic relief on arrival: 3 L of drinking water (Sphere 2018 survival need
  2.5–3 L per person per day) and one day's food ration (2,100 kcal, Sphere 2018); the same
  per day thereafter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from drillsim.sim.distributions import Dist
from drillsim.sim.hazards.base import FrozenDict
from drillsim.sim.traffic import TrafficParams

MIN = 60.0


@dataclass(frozen=True)
class Channel:
    """A warning channel: the share of households it reaches and its delay after the
    order. ``per_team_hour`` > 0 makes the delay the time door-to-door teams need: uniform
    over the zone's households ÷ (``teams × per_team_hour``)."""

    reach: float
    delay_s: Dist
    per_team_hour: float = 0.0
    teams_per_zone: int = 0


DEFAULT_CHANNELS: Mapping[str, Channel] = FrozenDict({
    "siren": Channel(0.7, Dist("uniform", (2 * MIN, 15 * MIN))),
    "phone": Channel(0.9, Dist("uniform", (1 * MIN, 5 * MIN))),
    "broadcast": Channel(0.6, Dist("uniform", (5 * MIN, 30 * MIN))),
    "door_to_door": Channel(0.95, Dist.fixed(0.0), per_team_hour=15.0, teams_per_zone=4),
})

DEFAULT_ORDER_CHANNELS = ("phone", "broadcast")
"""Channels of an order that names none."""


@dataclass(frozen=True)
class Behaviour:
    """Residents' behaviour settings (see the module docstring for every default)."""

    channels: Mapping[str, Channel] = field(default_factory=lambda: DEFAULT_CHANNELS)
    comply: Mapping[str, float] = field(default_factory=lambda: FrozenDict(
        {"evacuate": 0.8, "warn": 0.2}))
    shadow: float = 0.2
    cue_odds: float = 3.0
    elderly_odds: float = 1.0
    cue_depth_m: float = 0.1
    """Water at home deeper than this is a cue (the hazard's own measure for other kinds:
    any positive intensity)."""
    mobilization_s: Dist = field(default_factory=lambda: Dist("rayleigh", (30 * MIN,)))
    public_shelter_share: float = 0.2
    walk_max_m: float = 2500.0
    relief_water_l: float = 3.0
    relief_food: float = 1.0
    exposure_depth_m: float = 0.3
    """Person-minutes at home in water deeper than this count as exposure (0.3 m: cars stall
    and roads close, Pregnolato et al. 2017)."""
    census_every_s: float = 900.0
    traffic: TrafficParams = field(default_factory=TrafficParams)


def comply_probability(base: float, cue: bool, elderly: bool, cue_odds: float,
                       elderly_odds: float) -> float:
    """Probability of leaving: the base probability of the order, with its odds multiplied
    by ``cue_odds`` where the household sees the hazard and by ``elderly_odds`` where it is
    an elderly household (a logistic model, as in Huang, Lindell & Prater 2016)."""
    base = min(max(base, 1e-9), 1.0 - 1e-9)
    odds = base / (1.0 - base) * (cue_odds if cue else 1.0) * (elderly_odds if elderly else 1.0)
    return odds / (1.0 + odds)


def hearing_delay_s(channel: Channel, u: np.ndarray, zone_households: np.ndarray
                    ) -> np.ndarray:
    """When each household hears an order through ``channel`` (``u``: its own uniform)."""
    if channel.per_team_hour > 0:
        span_s = 3600.0 * zone_households / (channel.per_team_hour
                                             * max(channel.teams_per_zone, 1))
        return u * span_s
    return channel.delay_s.quantile(u)
