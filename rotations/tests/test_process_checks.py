"""Process checks of the rotations: findings and constant query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, Severity, run_checks
from roles.models import MemberTypePeriod
from roles.tests.factories import CellFactory, MemberFactory, TimeOffFactory
from rotations.models import RotationKind
from rotations.services.schedule import schedule_apply
from rotations.tests.factories import make_slot

pytestmark = pytest.mark.django_db


def _findings(rule: str, as_of: date, **kw):
    return run_checks(CheckContext(as_of=as_of, **kw), only=[rule])


def test_uncovered_days_flagged_for_current_and_next_sprint(crew, current_sprint) -> None:
    s = calendar.sprint_dates(current_sprint)
    as_of = s.start
    make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    for m in (crew[2], crew[3]):
        TimeOffFactory(member=m, start=s.working_days[2], end=s.working_days[3])
    findings = _findings("rotation-uncovered-days", as_of)
    by_subject = {f.subject: f for f in findings}
    current = by_subject[f"rotation-coverage:bebop:{current_sprint}"]
    assert current.severity == Severity.CRITICAL
    assert "2 working day(s)" in current.message and current.role_slug == "sprint-manager"
    # The next sprint has no firefighters at all: all its ten days are flagged.
    assert "10 working day(s)" in by_subject[f"rotation-coverage:bebop:{current_sprint + 1}"].message
    # A backup for those two days fixes the current sprint.
    make_slot(
        member=crew[4],
        sprint_number=current_sprint,
        kind=RotationKind.FIREFIGHTER_BACKUP,
        start=s.working_days[2],
        end=s.working_days[3],
    )
    subjects = {f.subject for f in _findings("rotation-uncovered-days", as_of)}
    assert f"rotation-coverage:bebop:{current_sprint}" not in subjects


def test_ineligible_holder(crew, newcomer, outsider, current_sprint) -> None:
    make_slot(member=newcomer, sprint_number=current_sprint, cell=crew[0].cell)
    make_slot(
        member=outsider, sprint_number=current_sprint, cell=crew[0].cell, kind=RotationKind.FIREFIGHTER_2
    )
    make_slot(member=crew[2], sprint_number=current_sprint, kind=RotationKind.DISCOVERY_DUTY)  # fine
    fine_then_demoted = make_slot(member=crew[3], sprint_number=current_sprint + 1)
    MemberTypePeriod.objects.create(member=crew[3], member_type="short_term", since=fine_then_demoted.start)
    findings = _findings("rotation-ineligible-holder", calendar.sprint_dates(current_sprint).start)
    messages = sorted(f.message for f in findings)
    assert len(findings) == 3
    assert any("newcomer" in m.lower() or "is not a core member" in m for m in messages)
    assert any(f"is not in {crew[0].cell.name}" in m for m in messages)
    assert any(crew[3].name in m for m in messages)


def test_firefighter_short_of_hours(crew, current_sprint) -> None:
    from sprints.models import Ticket
    from sprints.services import sprint_ensure
    from sprints.tests.factories import TicketFactory

    s = calendar.sprint_dates(current_sprint)
    busy = make_slot(member=crew[2], sprint_number=current_sprint, reserved_hours=Decimal("30"))
    make_slot(
        member=crew[3],
        sprint_number=current_sprint,
        kind=RotationKind.FIREFIGHTER_2,
        reserved_hours=Decimal("30"),
    )
    # 80 h of contract, 30 h reserved: 60 h of tickets leave 20 h (minus 2 h meetings) for firefighting.
    TicketFactory(
        cell=crew[0].cell,
        sprint=sprint_ensure(number=current_sprint),
        assignee=crew[2],
        remaining_estimate_seconds=60 * 3600,
        original_estimate_seconds=60 * 3600,
        status="In Progress",
    )
    assert Ticket.objects.count() == 1
    findings = _findings("rotation-firefighter-short-of-hours", s.start)
    assert [f.member_id for f in findings] == [crew[2].pk]
    assert (
        f"{busy.reserved_hours.normalize():f} h reserved" in findings[0].message
        and "18.0 h" in findings[0].message
    )


def test_no_discovery_duty(crew, current_sprint) -> None:
    s = calendar.sprint_dates(current_sprint)
    make_slot(member=crew[2], sprint_number=current_sprint, kind=RotationKind.DISCOVERY_DUTY)
    project = CellFactory(name="Serenity", slug="serenity", kind="project")
    MemberFactory(cell=project)
    findings = _findings("rotation-no-discovery-duty", s.start)
    subjects = sorted(f.subject for f in findings)
    # Week 2 of this sprint and both weeks of the next; nothing for the project cell.
    assert subjects == sorted(
        f"rotation-discovery:bebop:{d.isoformat()}"
        for d in (s.start + timedelta(days=7), s.start + timedelta(days=14), s.start + timedelta(days=21))
    )


def test_checks_run_constant_queries(crew, outsider, current_sprint, django_assert_num_queries) -> None:
    """Whatever the number of cells and slots, the four rules cost the same."""
    schedule_apply(cell=crew[0].cell, first_sprint=current_sprint, sprints=2)
    as_of = calendar.sprint_dates(current_sprint).start
    rules = [
        "rotation-uncovered-days",
        "rotation-ineligible-holder",
        "rotation-firefighter-short-of-hours",
        "rotation-no-discovery-duty",
    ]
    # uncovered: cells, policies, slots, time off (4); ineligible: 1; short of hours: slots (1) +
    # capacity inputs, 6 per sprint with firefighters (12); discovery: cells, slots (2) = 20.
    with django_assert_num_queries(20):
        run_checks(CheckContext(as_of=as_of), only=rules)
    for i in range(3):
        cell: Any = CellFactory(name=f"Extra {i}", slug=f"extra-{i}")
        for j in range(4):
            MemberFactory(cell=cell, user__username=f"x{i}{j}")
        schedule_apply(cell=cell, first_sprint=current_sprint, sprints=2)
    with django_assert_num_queries(20):
        run_checks(CheckContext(as_of=as_of), only=rules)


def test_firefighters_and_discovery_duty_keep_a_spare_task(crew, current_sprint) -> None:
    from sprints.tests.factories import SprintFactory, TicketFactory

    s = calendar.sprint_dates(current_sprint)
    make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    make_slot(member=crew[4], sprint_number=current_sprint, kind=RotationKind.DISCOVERY_DUTY)
    cell = crew[0].cell
    # Firefighter 1: a stretch goal of their own with a reviewer (holds).
    TicketFactory(
        cell=cell,
        sprint=SprintFactory(number=current_sprint),
        assignee=crew[2],
        reviewer=crew[0],
        status="Stretch Goals",
    )
    # Discovery duty: a ticket in the next sprint with a reviewer (holds).
    TicketFactory(
        cell=cell, sprint=SprintFactory(number=current_sprint + 1), assignee=crew[4], reviewer=crew[0]
    )
    # Firefighter 2: only a next-sprint ticket without reviewer, and a current one: fires.
    TicketFactory(cell=cell, sprint=SprintFactory(number=current_sprint + 1), assignee=crew[3], reviewer=None)
    TicketFactory(cell=cell, sprint=SprintFactory(number=current_sprint), assignee=crew[3], reviewer=crew[0])
    (finding,) = _findings("rotation-no-spare-task", s.start)
    assert (
        finding.member_id == crew[3].pk
        and finding.subject == f"member:{crew[3].pk}:sprint:{current_sprint}:spare"
    )
    assert "firefighter 2" in finding.message


def test_spare_task_holds_when_each_holder_keeps_one_and_for_members_off_rotation(
    crew, current_sprint
) -> None:
    from sprints.tests.factories import SprintFactory, TicketFactory

    cell = crew[0].cell
    current, following = SprintFactory(number=current_sprint), SprintFactory(number=current_sprint + 1)
    for member, kind in (
        (crew[2], RotationKind.FIREFIGHTER_1),
        (crew[3], RotationKind.FIREFIGHTER_2),
        (crew[4], RotationKind.DISCOVERY_DUTY),
    ):
        make_slot(member=member, sprint_number=current_sprint, kind=kind)
    # Stretch Goals of this sprint, or any ticket of the next one, assigned with a reviewer.
    TicketFactory(cell=cell, sprint=current, assignee=crew[2], reviewer=crew[0], status="Stretch Goals")
    TicketFactory(cell=cell, sprint=following, assignee=crew[3], reviewer=crew[0])
    TicketFactory(cell=cell, sprint=following, assignee=crew[4], reviewer=crew[1], status="In Progress")
    # crew[5] holds no rotation this sprint and has no spare task: nothing asked of them.
    assert _findings("rotation-no-spare-task", calendar.sprint_dates(current_sprint).start) == []
