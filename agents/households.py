"""Households as Mesa agents: each decides for itself, with its own make-up and its own
random numbers, when something reaches it (a warning, water at the door, a full shelter).

Their state that the crowd needs together (where they are, for the census and for traffic)
lives in the :class:`~drillsim.agents.residents.Residents` arrays; what a household decides is
its own method here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from drillsim.agents.population import U
from drillsim.sim.behaviour import comply_probability
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel

if TYPE_CHECKING:
    from drillsim.agents.residents import Residents


class Household(mesa.Agent):
    """One household: its zone, size, car, make-up and own uniform numbers."""

    model: DrillModel

    def __init__(self, model: DrillModel, residents: Residents, index: int, zone: int,
                 size: int, car: bool, elderly: bool, disabled: bool,
                 u: Sequence[float]) -> None:
        super().__init__(model)
        self.residents = residents
        self.index = index
        self.name = f"H{index}"
        self.zone = zone
        self.size = size
        self.car = car
        self.elderly = elderly
        self.disabled = disabled
        self.u = u
        self.tried: set[int] = set()
        """Shelters that turned this household away."""

    # -- deciding ------------------------------------------------------------------------
    def leaves(self, base: float, cue: bool, draw: str) -> bool:
        """Whether it leaves, given the base probability of what it heard (or the shadow
        probability) and whether it sees the hazard: the logistic model of
        :func:`drillsim.sim.behaviour.comply_probability`, evaluated for one household."""
        b = self.residents.behaviour
        p = comply_probability(base, cue, self.elderly, b.cue_odds, b.elderly_odds)
        return self.u[U[draw]] < p

    def mobilization_delay_s(self) -> float:
        """From deciding to leaving: its own quantile of the scenario's mobilization curve
        (its ``mobilize`` uniform number)."""
        return self.residents.delays["mobilize"][self.index]

    def wants_public_shelter(self) -> bool:
        return self.u[U["destination"]] < self.residents.behaviour.public_shelter_share

    def needs(self) -> str:
        """``car`` if it drives; otherwise ``assisted`` (elderly or disabled without a car)
        or ``carless`` (able to walk, or to take a bus)."""
        if self.car:
            return "car"
        return "assisted" if self.elderly or self.disabled else "carless"

    def choose_shelter(self, ranked: Iterable[int]) -> int | None:
        """The first shelter of ``ranked`` (best first, as the plan assigns or by travel
        time) that has not turned it away."""
        for s in ranked:
            if s not in self.tried:
                return s
        return None

    def hears_through(self, channels: Sequence[str]) -> tuple[str, float] | None:
        """The channel it first hears an order through and the delay, or None if none of
        them reaches it (its ``reach:`` and ``delay:`` uniform numbers)."""
        best: tuple[str, float] | None = None
        for name in channels:
            if self.u[U[f"reach:{name}"]] >= self.residents.behaviour.channels[name].reach:
                continue
            delay = self.residents.delays[name][self.index]
            if best is None or delay < best[1]:
                best = (name, delay)
        return best

