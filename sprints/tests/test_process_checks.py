"""Process checks of the sprints app: findings and constant query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, run_checks
from roles.models import MemberTypePeriod, Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints.tests.factories import (
    EpicFactory,
    SpilloverFactory,
    SprintFactory,
    TicketFactory,
    sprint_added_at,
)
from sustainability.models import Worklog

pytestmark = pytest.mark.django_db

RULES = [
    "sprint-ticket-not-green",
    "sprint-member-over-committed",
    "sprint-ticket-unestimated",
    "sprint-newcomer-over-limit",
    "sprint-onboarding-budget-over",
    "sprint-spillover-unexplained",
    "sprint-injection-not-accepted",
]


def populate(cell: Any, n: int) -> dict[str, Any]:
    today = date.today()
    current: Any = SprintFactory(number=calendar.sprint_on(today).number)
    nxt: Any = SprintFactory(number=current.number + 1)
    newcomer: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=current.start)
    mentor: Any = MemberFactory(cell=cell)
    busy: Any = MemberFactory(cell=cell, weekly_hours=Decimal(10))
    onboarding: Any = EpicFactory(
        cell=cell, owner=newcomer, reviewer=mentor, title="Onboarding of the newcomer"
    )
    onboarding_ticket: Any = TicketFactory(cell=cell, epic=onboarding)
    for _ in range(n):
        TicketFactory(cell=cell, sprint=nxt, assignee=busy, reviewer=None)  # not green
        TicketFactory(cell=cell, sprint=current, assignee=busy, story_points=None)  # unestimated
        TicketFactory(cell=cell, sprint=current, assignee=newcomer, reviewer=mentor, story_points=Decimal(5))
        SpilloverFactory(
            sprint=SprintFactory(number=current.number - 1), ticket__cell=cell, ticket__assignee=busy
        )
        TicketFactory(
            cell=cell, sprint=current, assignee=busy, added_to_sprint_at=sprint_added_at(current, 13)
        )
        for who in (newcomer, mentor):
            Worklog.objects.create(
                member=who,
                ticket=onboarding_ticket,
                work_date=today,
                seconds=30 * 3600,
                created_at=timezone.now(),
                updated_at=timezone.now(),
            )
    return {"newcomer": newcomer, "busy": busy, "onboarding": onboarding}


def test_every_rule_finds_its_problem(cell: Any) -> None:
    people = populate(cell, 2)
    findings = run_checks(CheckContext(as_of=date.today(), cell_ids=frozenset({cell.pk})), only=RULES)
    by_rule: dict[str, list[Any]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    assert set(by_rule) == set(RULES)
    assert len(by_rule["sprint-spillover-unexplained"]) == 2
    assert {f.member_id for f in by_rule["sprint-member-over-committed"]} >= {people["busy"].pk}
    (limit,) = by_rule["sprint-newcomer-over-limit"]
    assert limit.member_id == people["newcomer"].pk and "limit is 8" in limit.message
    (budget,) = by_rule["sprint-onboarding-budget-over"]
    assert "120.0 h" in budget.message  # 2 x 30 h each by the newcomer and the mentor


def test_other_cells_are_left_out(cell: Any, other_cell: Any) -> None:
    populate(cell, 1)
    assert run_checks(CheckContext(as_of=date.today(), cell_ids=frozenset({other_cell.pk})), only=RULES) == []


@pytest.mark.parametrize("n", [1, 4])
def test_constant_queries(cell: Any, django_assert_num_queries: Any, n: int) -> None:
    populate(cell, n)
    context = CheckContext(as_of=date.today() + timedelta(days=0), cell_ids=frozenset({cell.pk}))
    # not green 1, over-committed 2 x (members + 6 inputs) = 14, unestimated 2, newcomer limit 2,
    # onboarding 5 (newcomers, epics, worklogs, core members, mentors), spillovers 1, injections 1
    with django_assert_num_queries(26):
        findings = run_checks(context, only=RULES)
    assert findings


def _findings(cell: Any, rule: str) -> list[Any]:
    return run_checks(CheckContext(as_of=date.today(), cell_ids=frozenset({cell.pk})), only=[rule])


def test_newcomer_limit_counts_from_the_newcomer_period_and_skips_stretch_goals(cell: Any) -> None:
    current: Any = SprintFactory(number=calendar.sprint_on(date.today()).number)
    # In the company for a year as a short-term contractor, a newcomer from this sprint on:
    # the guard rails count from the newcomer period, as on the newcomer page.
    member: Any = MemberFactory(cell=cell, member_type="short_term")
    MemberTypePeriod.objects.create(member=member, member_type="newcomer", since=current.start)
    TicketFactory(cell=cell, sprint=current, assignee=member, story_points=Decimal(5))
    TicketFactory(cell=cell, sprint=current, assignee=member, story_points=Decimal(3))
    stretch: Any = TicketFactory(
        cell=cell, sprint=current, assignee=member, story_points=Decimal(5), status="Stretch Goals"
    )
    assert _findings(cell, "sprint-newcomer-over-limit") == []  # 8 committed, the stretch goal aside
    stretch.status = "To Do"
    stretch.save()
    (finding,) = _findings(cell, "sprint-newcomer-over-limit")
    assert finding.member_id == member.pk and "13.00 story points" in finding.message


def test_onboarding_without_an_epic_reviewer_counts_the_cells_mentor(cell: Any) -> None:
    newcomer: Any = MemberFactory(
        cell=cell, member_type="newcomer", joined_on=date.today() - timedelta(days=20)
    )
    mentor: Any = MemberFactory(cell=cell)
    RoleAssignmentFactory(
        member=mentor,
        role=Role.objects.get(slug="mentor"),
        cell=cell,
        since=date.today() - timedelta(days=30),
    )
    helper: Any = MemberFactory(cell=cell)  # another core member: counts in the total only
    epic: Any = EpicFactory(cell=cell, owner=newcomer, reviewer=None, title="Onboarding")
    ticket: Any = TicketFactory(cell=cell, epic=epic)
    for who, hours in ((newcomer, 50), (mentor, 31), (helper, 40)):
        Worklog.objects.create(
            member=who,
            ticket=ticket,
            work_date=date.today(),
            seconds=hours * 3600,
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
    (finding,) = _findings(cell, "sprint-onboarding-budget-over")
    assert "81.0 h by" in finding.message  # the newcomer's 50 h and the mentor's 31 h: over 80 h


def test_a_next_sprint_ticket_without_points_is_reported_once(cell: Any) -> None:
    current: Any = SprintFactory(number=calendar.sprint_on(date.today()).number)
    nxt: Any = SprintFactory(number=current.number + 1)
    member: Any = MemberFactory(cell=cell)
    no_points: Any = TicketFactory(cell=cell, sprint=nxt, assignee=member, reviewer=member, story_points=None)
    no_hours: Any = TicketFactory(
        cell=cell,
        sprint=nxt,
        assignee=member,
        reviewer=member,
        story_points=Decimal(3),
        remaining_estimate_seconds=None,
        original_estimate_seconds=None,
    )
    now: Any = TicketFactory(cell=cell, sprint=current, assignee=member, story_points=None)
    context = CheckContext(as_of=date.today(), cell_ids=frozenset({cell.pk}))
    findings = run_checks(context, only=["sprint-ticket-not-green", "sprint-ticket-unestimated"])
    by_ticket: dict[str, list[str]] = {}
    for f in findings:
        by_ticket.setdefault(f.subject.split(":")[1], []).append(f"{f.rule}: {f.message}")
    assert by_ticket[no_points.key] == [
        f"sprint-ticket-not-green: {no_points.key} (sprint {nxt.number}) has no estimate."
    ]
    assert by_ticket[no_hours.key] == [
        f"sprint-ticket-unestimated: {no_hours.key} in sprint {nxt.number} has no time estimate."
    ]
    assert by_ticket[now.key] == [
        f"sprint-ticket-unestimated: {now.key} in sprint {current.number} has no story points."
    ]
