"""A caller that already read a member's time off and role assignments (the home page) hands
them to the capacity, which then counts them exactly as its own reads would: the same
periods, the same reservations, the same row."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Q

from opencraft_ops import calendar
from roles.models import Role, RoleAssignment, TimeOff
from roles.tests.factories import RoleAssignmentFactory, TimeOffFactory
from sprints.calculations.capacity import capacity_row
from sprints.selectors import capacity_inputs
from sprints.selectors.capacity import role_rows, time_off_rows

pytestmark = pytest.mark.django_db


def test_preloaded_time_off_and_roles_count_as_the_capacitys_own_reads(core_member: Any) -> None:
    sprint = calendar.sprint_on(date.today())
    day = timedelta(days=1)
    for start, end in [
        (sprint.start - 10 * day, sprint.start - 3 * day),  # before: not counted
        (sprint.start - 2 * day, sprint.start + day),  # across the start
        (sprint.start + 5 * day, sprint.start + 5 * day),  # inside
        (sprint.end, sprint.end + 4 * day),  # across the end
        (sprint.end + 6 * day, sprint.end + 8 * day),  # after: not counted
    ]:
        TimeOffFactory(member=core_member, start=start, end=end)
    reserving = list(
        Role.objects.exclude(scope="rotation")
        .filter(Q(reserved_hours_per_week__gt=0) | Q(reserved_hours_per_month__gt=0))
        .order_by("slug")[:2]
    )
    free = Role.objects.exclude(scope="rotation").filter(
        reserved_hours_per_week=0, reserved_hours_per_month=0
    )
    rotation = Role.objects.filter(scope="rotation").first()
    assert len(reserving) == 2 and free.exists() and rotation is not None
    spans = [
        (sprint.start - 400 * day, sprint.start - 40 * day),  # ended before the sprint
        (sprint.start + 3 * day, None),  # taken up during it
        (sprint.start - 30 * day, sprint.start + 2 * day),  # given up during it
    ]
    for role, (since, until) in zip([reserving[0], reserving[1], reserving[0]], spans, strict=True):
        RoleAssignmentFactory(member=core_member, role=role, since=since, until=until)
    RoleAssignmentFactory(member=core_member, role=free.first(), since=sprint.start - 50 * day)
    RoleAssignment.objects.bulk_create(  # an old row of a rotation role: reserves through the schedule
        [
            RoleAssignment(
                member=core_member, role=rotation, cell=core_member.cell, since=sprint.start - 9 * day
            )
        ]
    )

    (own,) = capacity_inputs(members=[core_member], dates=sprint)
    (handed,) = capacity_inputs(
        members=[core_member],
        dates=sprint,
        preloaded_time_off=time_off_rows(TimeOff.objects.filter(member=core_member), sprint),
        preloaded_roles=role_rows(
            RoleAssignment.objects.filter(member=core_member).select_related("role"), sprint
        ),
    )
    assert len(own.time_off) == 3 and len(own.roles) == 2
    assert sorted(handed.time_off, key=repr) == sorted(own.time_off, key=repr)
    assert sorted(handed.roles, key=repr) == sorted(own.roles, key=repr)
    assert capacity_row(sprint, handed) == capacity_row(sprint, own)
