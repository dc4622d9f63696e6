"""The drill controller: fires the master scenario events list's injects at their times and
applies their effects. Effects are a registry from action name to handler, so later models
add actions without touching this loop."""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from drillsim.agents.command import CommandPost
from drillsim.agents.facilities import set_facility_open
from drillsim.agents.teams import TeamAgent
from drillsim.sim.mesa_compat import mesa
from drillsim.sim.model import DrillModel
from drillsim.sim.plan import Inject

Handler = Callable[[DrillModel, Inject], None]
INJECT_ACTIONS: dict[str, Handler] = {}


def inject_action(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        INJECT_ACTIONS[name] = fn
        return fn
    return register


@inject_action("message")
def _message(model: DrillModel, inject: Inject) -> None:
    """A message to the players only; the world does not change."""


def _set_link(model: DrillModel, inject: Inject, is_open: bool) -> None:
    idx = model.world.roads.link_index(inject.target)
    model.state.link_held[idx] = not is_open
    if len(model.state.refresh_links()):
        model.emit("link.open" if is_open else "link.close", inject.target,
                   reason=f"inject {inject.id}")


@inject_action("close_link")
def _close_link(model: DrillModel, inject: Inject) -> None:
    _set_link(model, inject, False)


@inject_action("open_link")
def _open_link(model: DrillModel, inject: Inject) -> None:
    _set_link(model, inject, True)


@inject_action("close_facility")
def _close_facility(model: DrillModel, inject: Inject) -> None:
    kind, i = model.world.find_facility(inject.target)
    set_facility_open(model, kind, i, False, f"inject {inject.id}", hold=True)


@inject_action("open_facility")
def _open_facility(model: DrillModel, inject: Inject) -> None:
    kind, i = model.world.find_facility(inject.target)
    set_facility_open(model, kind, i, True, f"inject {inject.id}", hold=True)


@inject_action("delay_team")
def _delay_team(model: DrillModel, inject: Inject) -> None:
    for team in model.agents_by_type.get(TeamAgent, []):
        if team.team_id == inject.target:
            team.delay(float(inject.param("delay_s", 0.0)), f"inject {inject.id}")


@inject_action("aftershock")
def _aftershock(model: DrillModel, inject: Inject) -> None:
    """The earthquake already holds this shock (it was added when the run's hazards were
    built); its effects are logged by the earthquake's own process at this time."""


@inject_action("report")
def _report(model: DrillModel, inject: Inject) -> None:
    """A reported count (e.g. 25 dead) that changes a state counter, as field reports do."""
    model.emit("drill.report", inject.id, qty=float(inject.param("value", 0.0)),
               counter=str(inject.param("counter")))


def _command_post(model: DrillModel) -> CommandPost | None:
    posts = model.agents_by_type.get(CommandPost, [])
    return posts[0] if posts else None


@inject_action("request_aid")
def _request_aid(model: DrillModel, inject: Inject) -> None:
    """Mutual aid requested now (a decision at the table), as a level would request it."""
    post = _command_post(model)
    ids = [a.id for a in model.compiled.plan.aid]
    if post is not None and inject.target in ids:
        post.request_aid(ids.index(inject.target), f"inject {inject.id}")


@inject_action("issue_order")
def _issue_order(model: DrillModel, inject: Inject) -> None:
    """An order of the plan issued now, as a level would issue it."""
    post = _command_post(model)
    ids = [o.id for o in model.compiled.plan.orders]
    if post is not None and inject.target in ids:
        post.issue(ids.index(inject.target))


class DrillController(mesa.Agent):
    """Fires the run's injects (:attr:`DrillModel.inject_schedule`: scripted ones and, for
    unscripted drills, those drawn from the pool) at their times."""

    model: DrillModel

    def __init__(self, model: DrillModel) -> None:
        super().__init__(model)
        model.env.process(self._fire(model.inject_schedule))

    def _fire(self, schedule: list[tuple[float, int, Inject, bool]]
              ) -> Generator[simpy.Event]:
        env = self.model.env
        for at_s, _, inject, is_random in schedule:
            yield env.timeout(max(0.0, at_s - env.now))
            self.model.emit("drill.inject", inject.id, action=inject.action,
                            message=inject.message, random=is_random, hidden=inject.hidden,
                            target=inject.target)
            INJECT_ACTIONS[inject.action](self.model, inject)
