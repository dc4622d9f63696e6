"""The ``population`` section: how residents hear warnings, decide, leave and move.

Everything is optional: a key left out keeps the engine's cited default (see
:mod:`drillsim.sim.behaviour` and :mod:`drillsim.sim.traffic.links` for the sources), so a
scenario states only where its own survey data or planning assumptions differ.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.schema.base import (
    NonNegative,
    Positive,
    PositiveDuration,
    Share,
    Strict,
    UncertainDuration,
)

MAX_TRAFFIC_STEP_S = 60.0
"""Longest movement step: vehicles advance together once per step, so a longer step lets a
queue jump whole links at once."""


def _short_step(seconds: float) -> float:
    if seconds > MAX_TRAFFIC_STEP_S:
        raise ValueError(f"a movement step of {format_duration(seconds)} is too coarse: "
                         f"at most {format_duration(MAX_TRAFFIC_STEP_S)} (vehicles move "
                         "together once per step)")
    return seconds


class BroadcastChannel(Strict):
    """A channel that reaches households by itself (siren, phone alert, radio/TV)."""

    reach: Share | None = Field(None, description="share of households the channel reaches")
    delay: UncertainDuration | None = Field(None, description="from the order to a household "
                                            "hearing it")


class DoorToDoor(Strict):
    """Teams knocking on doors: the delay is the time a zone's teams need to visit every
    household, ``households ÷ (teams_per_zone × per_team_hour)`` hours, spread evenly."""

    reach: Share | None = Field(None, description="share of households the teams reach")
    per_team_hour: Positive | None = Field(None, description="households one team warns per "
                                           "hour")
    teams_per_zone: int | None = Field(None, ge=1, description="teams sent to each zone")


class Channels(Strict):
    """Warning channels; each given key replaces that channel's default, the rest stay."""

    siren: BroadcastChannel | None = None
    phone: BroadcastChannel | None = Field(None, description="a phone alert (cell broadcast)")
    broadcast: BroadcastChannel | None = Field(None, description="radio and television")
    door_to_door: DoorToDoor | None = None


class Comply(Strict):
    """Share of households that leave when they hear an order of each kind."""

    evacuate: Share | None = Field(None, description="who leave on an evacuation order")
    warn: Share | None = Field(None, description="who leave on a warning")


class Relief(Strict):
    """Basic relief each sheltered person needs on arrival and every day after."""

    water_l: NonNegative | None = Field(None, description="drinking water, litres per person "
                                        "per day")
    food_rations: NonNegative | None = Field(None, description="day rations per person per "
                                             "day")


class Traffic(Strict):
    """Settings of the movement model (link queues with capacity, storage and spill-back)."""

    step: Annotated[PositiveDuration, AfterValidator(_short_step)] | None = Field(
        None, description="movement step, at most 60s")
    capacity_factor: Annotated[float, Field(gt=0.0, le=2.0)] | None = Field(
        None, description="scales every road link's capacity, in (0, 2] (e.g. 0.5 for "
        "sustained evacuation flows)")
    jam_spacing_m: Positive | None = Field(None, description="road length one stopped "
                                           "vehicle takes, metres")
    min_speed_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] | None = Field(
        None, description="slowest moving speed as a share of free speed, in (0, 1): a "
        "jammed link still creeps")
    stuck_time: PositiveDuration | None = Field(None, description="a vehicle held this long "
                                                "by a full next link moves on anyway")
    reroute_every: PositiveDuration | None = Field(None, description="how often routes are "
                                                   "refreshed with current congestion")
    walk_speed_m_s: Positive | None = Field(None, description="walking speed on the flat, m/s")


class Population(Strict):
    """How residents behave. Every key is optional; what is left out keeps the cited
    default."""

    channels: Channels | None = Field(None, description="warning channels: reach and delay")
    comply: Comply | None = None
    shadow: Share | None = Field(None, description="share of households that leave without an "
                                 "order when they see the hazard at home")
    cue_odds: Positive | None = Field(None, description="multiplies the odds of leaving on an "
                                      "order when the household sees the hazard")
    elderly_odds: Positive | None = Field(None, description="multiplies the odds of leaving "
                                          "for elderly households")
    cue_depth_m: Positive | None = Field(None, description="water at home deeper than this "
                                         "(m) is a cue to leave")
    mobilization: UncertainDuration | None = Field(
        None, description="from deciding to leaving, e.g. {dist: rayleigh, scale: 30min} or "
        "{dist: logistic, midpoint: 45min, scale: 10min}")
    public_shelter_share: Share | None = Field(None, description="share of evacuees who go to "
                                               "public shelters (the rest to family, friends, "
                                               "hotels)")
    walk_max_m: Positive | None = Field(None, description="car-less households walk to a "
                                        "shelter at most this far away (m)")
    relief: Relief | None = None
    exposure_depth_m: Positive | None = Field(None, description="time at home in water deeper "
                                              "than this (m) counts as exposure")
    census_every: PositiveDuration | None = Field(None, description="how often where people "
                                                  "are is counted")
    traffic: Traffic | None = None
