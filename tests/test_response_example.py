"""The earthquake example's response, end to end: people trapped, a rescue effort that the
teams' numbers limit until mutual aid arrives, escalation that brings that aid, and
hospitals that fill."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import example_run

NAME, SEED = "city-earthquake", 3


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return example_run(NAME, SEED).log.to_table().to_pandas()


def test_trapped_people_are_freed_alive_and_die_waiting(frame: pd.DataFrame) -> None:
    created = frame[frame.kind == "incident.create"]
    trapped = created[created.type == "collapse_rescue"].qty.sum()
    freed = frame[(frame.kind == "rescue.alive") & (frame.type == "collapse_rescue")]
    died = frame[(frame.kind == "people.killed")
                 & frame.cause.str.startswith("waiting:", na=False)]
    assert trapped > 1000
    assert 0 < freed.qty.sum() < trapped
    assert died.qty.sum() > 0
    assert freed.qty.sum() + died.qty.sum() <= trapped
    # every rescue is by a team that may work collapses, after it reached the incident
    teams = frame[frame.kind == "team.init"].set_index("actor").type
    assert set(teams[freed.actor.unique()]) <= {"usar", "fire_rescue"}


def test_rescue_is_limited_by_teams_until_mutual_aid_arrives(frame: pd.DataFrame) -> None:
    """Before the first mutual-aid USAR team is ready, the region's own teams free people at
    a rate their numbers set; with the aid teams working the rate at least doubles."""
    freed = frame[(frame.kind == "rescue.alive") & (frame.type == "collapse_rescue")]
    ready = frame[frame.kind == "team.ready"].set_index("actor").t_s
    aid = ready[[a for a in ready.index if a.startswith(("provincial-usar", "national-usar"))]]
    first_aid, all_aid = aid.min(), aid.max()
    before = freed[freed.t_s < first_aid]
    after = freed[freed.t_s >= all_aid]
    rate_before = before.qty.sum() / (first_aid / 3600.0)
    rate_after = after.qty.sum() / ((frame.t_s.max() - all_aid) / 3600.0)
    assert rate_after > 2 * rate_before > 0
    by_aid = freed[freed.actor.isin(aid.index)].qty.sum()
    assert by_aid > freed.qty.sum() / 2
    # the effort saturates: people are still waiting in collapses when the aid arrives
    assigned = frame[(frame.kind == "incident.assign") & (frame.type == "collapse_rescue")]
    created = frame[(frame.kind == "incident.create") & (frame.type == "collapse_rescue")]
    unreached = set(created[created.t_s < first_aid].actor) - set(
        assigned[assigned.t_s < first_aid].actor)
    assert unreached


def test_escalation_requests_mutual_aid(frame: pd.DataFrame) -> None:
    levels = frame[frame.kind == "plan.level"]
    assert levels.qty.max() >= 3  # level II or I
    assert (levels.reason == "escalate").all()
    requests = frame[frame.kind == "aid.request"]
    assert {"provincial-usar", "national-usar", "provincial-medical"} <= set(requests.actor)
    assert requests.t_s.min() >= levels.t_s.min()


def test_hospitals_fill_and_casualties_wait_for_beds(frame: pd.DataFrame) -> None:
    assert len(frame[frame.kind == "hospital.full"]) >= 1
    assert frame[frame.kind == "hospital.admit"].qty.sum() > 0
    assert frame[frame.kind == "hospital.queue"].qty.sum() > 0
    carried = frame[(frame.kind == "team.dispatch") & frame.task.str.startswith("hospital:",
                                                                               na=False)]
    assert len(carried) > 0  # medical teams carry casualties


def test_dispatch_choices_are_logged_with_reasons(frame: pd.DataFrame) -> None:
    assigned = frame[frame.kind == "incident.assign"]
    assert len(assigned) > 20
    assert (assigned.policy == "severity").all()
    assert assigned.reason.str.startswith("most severe waiting").all()
