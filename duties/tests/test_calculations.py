"""The planner's pure rules: who does a duty, and the invariants of holder/backup choice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duties.cadence import Cadence, CadenceKind
from duties.calculations import (
    AssignmentData,
    CellData,
    DefinitionData,
    PlanningData,
    RotationData,
    choose_assignee,
    plan_instances,
)
from roles.calculations import TimeOffPeriod, is_off

EPOCH = date(2019, 1, 1)
WRAP_UP = DefinitionData(
    id=1,
    role_id=10,
    role_slug="sprint-manager",
    role_scope="cell",
    generalist_only=False,
    cadence=Cadence(CadenceKind.SPRINT, week=1, weekday=2),
)
FF_CHECK_IN = DefinitionData(
    id=2,
    role_id=20,
    role_slug="firefighter-1",
    role_scope="rotation",
    generalist_only=False,
    cadence=Cadence(CadenceKind.SPRINT, week=1, weekday=4),
)
HOLDER, BACKUP = 100, 200


def test_vacant_role_gives_nobody_and_a_lone_backup_steps_in():
    assert choose_assignee(None, None, date(2026, 11, 25), {}) == (None, "nobody")
    assert choose_assignee(None, BACKUP, date(2026, 11, 25), {}) == (BACKUP, "backup")


@given(
    holder_off=st.lists(st.integers(min_value=0, max_value=60), max_size=15),
    backup_off=st.lists(st.integers(min_value=0, max_value=60), max_size=15),
    has_backup=st.booleans(),
)
def test_the_assignee_is_around_whenever_someone_is(holder_off, backup_off, has_backup):
    start = date(2026, 10, 1)
    time_off = {
        HOLDER: [TimeOffPeriod(start + timedelta(d), start + timedelta(d)) for d in holder_off],
        BACKUP: [TimeOffPeriod(start + timedelta(d), start + timedelta(d)) for d in backup_off],
    }
    # Opened well ahead (lead of 60 days), so each is assigned for its own due date.
    early = replace(WRAP_UP, cadence=replace(WRAP_UP.cadence, lead_days=60))
    data = PlanningData(
        definitions=[early],
        cells=[CellData(1, True)],
        assignments=[AssignmentData(HOLDER, 10, 1, date(2020, 1, 1), None, BACKUP if has_backup else None)],
        time_off=time_off,
    )
    end = start + timedelta(days=60)
    planned = plan_instances(data, start=start, end=end, as_of=start, epoch=EPOCH)
    assert len(planned) == 4  # the wrap-ups (Wednesday of W1) of four sprints
    for p in planned:
        day = p.due_on
        holder_away = is_off(time_off[HOLDER], day)
        backup_away = is_off(time_off[BACKUP], day)
        if holder_away and has_backup and not backup_away:
            assert (p.assignee_id, p.assigned_as) == (BACKUP, "backup")
        else:
            assert (p.assignee_id, p.assigned_as) == (HOLDER, "holder")


def test_rotation_duties_follow_the_rotation_schedule():
    friday = date(2026, 11, 27)  # Friday of W1, sprint 207
    data = PlanningData(
        definitions=[FF_CHECK_IN],
        cells=[CellData(1, True), CellData(2, False)],
        assignments=[],
        rotations=[
            RotationData("firefighter_1", 1, HOLDER, date(2026, 11, 24), date(2026, 12, 7)),
            RotationData("firefighter_2", 1, BACKUP, date(2026, 11, 24), date(2026, 12, 7)),
        ],
        time_off={HOLDER: [TimeOffPeriod(friday, friday)]},
    )
    planned = {
        p.cell_id: p for p in plan_instances(data, start=friday, end=friday, as_of=friday, epoch=EPOCH)
    }
    assert (planned[1].assignee_id, planned[1].assigned_as) == (BACKUP, "backup")
    assert (planned[2].assignee_id, planned[2].assigned_as) == (None, "nobody")  # no rotation in cell 2


@pytest.mark.parametrize(
    ("in_force_from", "due_days"),
    [
        (None, [date(2026, 10, 14), date(2026, 10, 28), date(2026, 11, 11), date(2026, 11, 25)]),
        (date(2026, 11, 11), [date(2026, 11, 11), date(2026, 11, 25)]),  # due that day: opens
        (date(2026, 11, 12), [date(2026, 11, 25)]),
        (date(2026, 11, 26), []),  # not in force yet: nothing, not even today's
    ],
)
def test_nothing_due_before_a_definition_came_into_force_is_planned(in_force_from, due_days):
    data = PlanningData(
        definitions=[replace(WRAP_UP, in_force_from=in_force_from)],
        cells=[CellData(1, True)],
        assignments=[AssignmentData(HOLDER, 10, 1, date(2020, 1, 1), None)],
    )
    today = date(2026, 11, 25)  # the S207 wrap-up's due day; the three before it are past
    planned = plan_instances(data, start=today - timedelta(days=42), end=today, as_of=today, epoch=EPOCH)
    assert [p.due_on for p in planned] == due_days
