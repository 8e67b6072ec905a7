"""The sprint rules of the handbook's "Sprint tasks" that issue 15 added: each fires on a
ticket that breaks it and holds on one that keeps it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, run_checks
from opencraft_ops.sprint_dates import monday_w2, wednesday_w2
from roles.tests.factories import MemberFactory
from sprints.models import Ticket
from sprints.process_checks import firefighter_for
from sprints.tests.factories import EpicFactory, SprintFactory, TicketFactory

pytestmark = pytest.mark.django_db

TODAY = date.today()
S = calendar.sprint_on(TODAY)


def found(rule: str, as_of: date, cell: Any) -> list[Any]:
    return run_checks(CheckContext(as_of=as_of, cell_ids=frozenset({cell.pk})), only=[rule])


def subjects(rule: str, as_of: date, cell: Any) -> set[str]:
    return {f.subject for f in found(rule, as_of, cell)}


@pytest.fixture
def sprint(db: Any) -> Any:
    return SprintFactory(number=S.number)


def test_review_deadline_at_risk_reaches_assignee_epic_owner_and_a_firefighter(cell, core_member, sprint):
    owner: Any = MemberFactory(cell=cell)
    epic = EpicFactory(cell=cell, owner=owner)
    late: Any = TicketFactory(cell=cell, sprint=sprint, assignee=core_member, epic=epic, status="In Progress")
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, epic=epic, status="Code Review")  # holds
    # Week 1: nothing yet.
    assert found("sprint-review-deadline-at-risk", S.start, cell) == []
    at_risk = found("sprint-review-deadline-at-risk", monday_w2(S), cell)
    assert {(f.subject, f.member_id, f.role_slug) for f in at_risk} == {
        (f"ticket:{late.key}", core_member.pk, None),
        (f"ticket:{late.key}:epic-owner", owner.pk, None),
        (f"ticket:{late.key}:firefighter", None, firefighter_for(late.pk)),
    }
    assert all(f.severity.label == "warning" for f in at_risk)
    missed = found("sprint-review-deadline-at-risk", wednesday_w2(S) + timedelta(days=1), cell)
    assert missed and all(f.severity.label == "critical" and "missed" in f.message for f in missed)


def test_delivery_at_risk_from_friday_of_week_2(cell, core_member, sprint):
    waiting: Any = TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status="Code Review")
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status="External Review")  # holds
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status="Deployed & Delivered")  # holds
    assert found("sprint-delivery-at-risk", wednesday_w2(S), cell) == []
    friday = S.week_day(2, 4)
    assert subjects("sprint-delivery-at-risk", friday, cell) == {
        f"ticket:{waiting.key}",
        f"ticket:{waiting.key}:firefighter",
    }
    last_day = found("sprint-delivery-at-risk", S.end, cell)
    assert {f.severity.label for f in last_day} == {"critical"}


def test_current_sprint_ticket_without_reviewer_goes_to_a_firefighter(cell, core_member, sprint):
    bare: Any = TicketFactory(cell=cell, sprint=sprint, assignee=core_member, reviewer=None)
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, reviewer=MemberFactory(cell=cell))  # holds
    TicketFactory(cell=cell, sprint=sprint, reviewer=None, status="Stretch Goals")  # not committed
    (finding,) = found("sprint-ticket-no-reviewer", TODAY, cell)
    assert finding.subject == f"ticket:{bare.key}:reviewer"
    assert finding.role_slug in ("firefighter-1", "firefighter-2") and finding.member_id is None


def test_no_reviewer_holds_when_every_open_ticket_of_the_sprint_has_one(cell, core_member, sprint):
    reviewer: Any = MemberFactory(cell=cell)
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, reviewer=reviewer)
    # Without a reviewer, but settled: done, delivered, parked or not committed.
    for status in ("Done", "Deployed & Delivered", "Long External Review/Blocked", "Stretch Goals"):
        TicketFactory(cell=cell, sprint=sprint, assignee=core_member, reviewer=None, status=status)
    # Next sprint's: sprint-ticket-not-green asks for its reviewer, not this check.
    TicketFactory(cell=cell, sprint=SprintFactory(number=S.number + 1), assignee=core_member, reviewer=None)
    assert found("sprint-ticket-no-reviewer", TODAY, cell) == []


def test_firefighters_share_the_tickets():
    assert {firefighter_for(1), firefighter_for(2)} == {"firefighter-1", "firefighter-2"}


def test_core_member_on_a_newcomer_friendly_ticket(cell, core_member, newcomer, sprint):
    on_core: Any = TicketFactory(cell=cell, sprint=sprint, assignee=core_member, labels=["newcomer-friendly"])
    TicketFactory(cell=cell, sprint=sprint, assignee=newcomer, labels=["newcomer-friendly"])  # holds
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, labels=["backend"])  # holds
    (finding,) = found("sprint-core-on-newcomer-friendly", TODAY, cell)
    assert finding.subject == f"ticket:{on_core.key}:newcomer-friendly"
    assert finding.member_id == core_member.pk


def test_core_member_on_a_ticket_of_the_newcomer_friendly_priority_group(cell, core_member, sprint):
    # Unlabelled, but ranked in the backlog's newcomer-friendly group (the estimation session
    # marks it newcomer-friendly too): the rule holds for it as for the label.
    ranked: Any = TicketFactory(
        cell=cell, sprint=sprint, assignee=core_member, labels=[], priority_category=2
    )
    (finding,) = found("sprint-core-on-newcomer-friendly", TODAY, cell)
    assert finding.subject == f"ticket:{ranked.key}:newcomer-friendly" and finding.member_id == core_member.pk


def test_newcomer_friendly_holds_for_newcomers_other_work_and_settled_or_past_tickets(
    cell, core_member, newcomer, sprint
):
    friendly = ["newcomer-friendly"]
    TicketFactory(cell=cell, sprint=sprint, assignee=newcomer, labels=friendly)
    TicketFactory(cell=cell, sprint=sprint, assignee=newcomer, priority_category=2)
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, labels=["backend"], priority_category=1)
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, labels=friendly, status="Done")
    TicketFactory(cell=cell, sprint=sprint, reviewer=core_member, labels=friendly)  # reviewing it: wanted
    TicketFactory(cell=cell, sprint=SprintFactory(number=S.number - 1), assignee=core_member, labels=friendly)
    assert found("sprint-core-on-newcomer-friendly", TODAY, cell) == []


def test_ticket_over_its_original_estimate(cell, core_member, newcomer, sprint):
    owner: Any = MemberFactory(cell=cell)
    epic = EpicFactory(cell=cell, owner=owner)
    over: Any = TicketFactory(
        cell=cell,
        sprint=sprint,
        assignee=core_member,
        epic=epic,
        original_estimate_seconds=3600,
        time_spent_seconds=7200,
    )
    newcomer_over: Any = TicketFactory(
        cell=cell,
        sprint=sprint,
        assignee=newcomer,
        epic=epic,
        original_estimate_seconds=3600,
        time_spent_seconds=5400,
    )
    TicketFactory(
        cell=cell,
        sprint=sprint,
        assignee=core_member,
        original_estimate_seconds=7200,
        time_spent_seconds=3600,
    )  # holds
    by_subject = {f.subject: f for f in found("sprint-ticket-over-estimate", TODAY, cell)}
    assert set(by_subject) == {
        f"ticket:{over.key}:estimate-over",
        f"ticket:{newcomer_over.key}:estimate-over",
    }
    assert by_subject[f"ticket:{over.key}:estimate-over"].member_id == core_member.pk
    # A newcomer's goes to the epic owner, whose approval it needs.
    newcomer_finding = by_subject[f"ticket:{newcomer_over.key}:estimate-over"]
    assert newcomer_finding.member_id == owner.pk and newcomer_finding.severity.label == "warning"
    assert "2.0 h logged for 1.0 h estimated" in by_subject[f"ticket:{over.key}:estimate-over"].message


def test_over_estimate_holds_within_the_estimate_without_one_and_outside_the_sprint(
    cell, core_member, newcomer, sprint
):
    on_budget = {"original_estimate_seconds": 3600, "time_spent_seconds": 3600}
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, **on_budget)
    TicketFactory(cell=cell, sprint=sprint, assignee=newcomer, **on_budget)
    # No original estimate: nothing to exceed (sprint-ticket-unestimated asks for one).
    TicketFactory(
        cell=cell, sprint=sprint, assignee=newcomer, original_estimate_seconds=0, time_spent_seconds=7200
    )
    TicketFactory(
        cell=cell, sprint=sprint, assignee=newcomer, original_estimate_seconds=None, time_spent_seconds=7200
    )
    TicketFactory(  # over, but in last sprint: history
        cell=cell,
        sprint=SprintFactory(number=S.number - 1),
        assignee=core_member,
        original_estimate_seconds=3600,
        time_spent_seconds=7200,
    )
    assert found("sprint-ticket-over-estimate", TODAY, cell) == []


def test_long_external_review_ticket_not_reviewed_this_sprint(cell, core_member):
    stale: Any = TicketFactory(cell=cell, assignee=core_member, status="Long External Review/Blocked")
    fresh: Any = TicketFactory(cell=cell, assignee=core_member, status="Long External Review/Blocked")
    Ticket.objects.filter(pk=stale.pk).update(jira_updated_at=datetime.now(UTC) - timedelta(days=20))
    Ticket.objects.filter(pk=fresh.pk).update(jira_updated_at=datetime.now(UTC) - timedelta(days=3))
    (finding,) = found("sprint-blocked-ticket-stale", timezone.localdate(), cell)
    assert finding.subject == f"ticket:{stale.key}:blocked" and finding.member_id == core_member.pk


def test_blocked_ticket_holds_when_touched_within_the_sprint_or_not_blocked(cell, core_member):
    fresh: Any = TicketFactory(cell=cell, assignee=core_member, status="Long External Review/Blocked")
    moving: Any = TicketFactory(cell=cell, assignee=core_member, status="In Progress")
    Ticket.objects.filter(pk=fresh.pk).update(jira_updated_at=datetime.now(UTC) - timedelta(days=13))
    Ticket.objects.filter(pk=moving.pk).update(jira_updated_at=datetime.now(UTC) - timedelta(days=40))
    # Never synced from JIRA but edited here lately: counts as touched.
    TicketFactory(
        cell=cell, assignee=core_member, status="Long External Review/Blocked", jira_updated_at=None
    )
    assert found("sprint-blocked-ticket-stale", timezone.localdate(), cell) == []


def test_spillovers_come_before_new_work(cell, core_member, sprint):
    from sprints.models import Spillover

    other: Any = MemberFactory(cell=cell)
    last: Any = SprintFactory(number=S.number - 1)
    waiting: Any = TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status="To Do")
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status="In Progress")  # new work, started
    # The other member's spillover waits too, but they have started nothing else: holds.
    held: Any = TicketFactory(cell=cell, sprint=sprint, assignee=other, status="To Do")
    for ticket in (waiting, held):
        Spillover.objects.create(
            sprint=last, ticket=ticket, cell=cell, assignee=ticket.assignee, status="In Progress"
        )
    (finding,) = found("sprint-spillover-not-prioritised", TODAY, cell)
    assert finding.subject == f"ticket:{waiting.key}:spillover-first" and finding.member_id == core_member.pk
    # Once the spillover is under way, the rule holds.
    Ticket.objects.filter(pk=waiting.pk).update(status="In Progress")
    assert found("sprint-spillover-not-prioritised", TODAY, cell) == []


# --- Newcomers' per-week point limits (nc-points-per-week) ---


def _newcomer(cell: Any, since: date) -> Any:
    member: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=since)
    return member


def _committed(member: Any, sprint: Any, points: str, on: date | None) -> Any:
    added = datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12) if on else None
    return TicketFactory(
        cell=member.cell,
        sprint=sprint,
        assignee=member,
        story_points=Decimal(points),
        added_to_sprint_at=added,
    )


def test_week_points_fire_per_week_inside_one_sprint(cell):
    """Both weeks in one sprint: 3 points planned, then 6 more in week 2. The sprint check
    sees 9 points; this one names the week that broke its limit."""
    sprint = SprintFactory(number=S.number - 1)
    dates = calendar.sprint_dates(S.number - 1)
    member = _newcomer(cell, dates.start)
    _committed(member, sprint, "3", None)  # planned before the sprint: the first week
    _committed(member, sprint, "3", dates.start + timedelta(days=8))
    _committed(member, sprint, "3", dates.start + timedelta(days=9))
    TicketFactory(  # not committed
        cell=cell, sprint=sprint, assignee=member, story_points=Decimal(8), status="Stretch Goals"
    )
    as_of = dates.start + timedelta(days=10)
    findings = found("newcomer-week-points", as_of, cell)
    assert {(f.member_id, f.role_slug) for f in findings} == {(member.pk, None), (None, "mentor")}
    assert "6 points taken on in their second week (limit 5)" in findings[0].message
    assert "first week" not in findings[0].message


def test_week_points_first_week_over_three_even_under_the_sprint_limit(cell):
    sprint = SprintFactory(number=S.number - 1)
    dates = calendar.sprint_dates(S.number - 1)
    member = _newcomer(cell, dates.start)
    _committed(member, sprint, "5", dates.start + timedelta(days=2))  # 5 in week 1: over 3
    assert found("sprint-newcomer-over-limit", dates.start + timedelta(days=3), cell) == []  # 5 <= 8
    (mine, _mentor) = found("newcomer-week-points", dates.start + timedelta(days=3), cell)
    assert "5 points in their first week (limit 3)" in mine.message


def test_week_points_hold_within_limits_and_outside_the_first_two_weeks(cell):
    sprint = SprintFactory(number=S.number - 1)
    dates = calendar.sprint_dates(S.number - 1)
    member = _newcomer(cell, dates.start)
    _committed(member, sprint, "3", None)
    _committed(member, sprint, "5", dates.start + timedelta(days=7))
    assert found("newcomer-week-points", dates.start + timedelta(days=10), cell) == []
    # Over in week 2, but checked only during the first two weeks.
    _committed(member, sprint, "2", dates.start + timedelta(days=8))
    assert found("newcomer-week-points", dates.start + timedelta(days=10), cell)
    assert found("newcomer-week-points", dates.start + timedelta(days=14), cell) == []
    # A core member is never limited.
    core: Any = MemberFactory(cell=cell)
    _committed(core, sprint, "13", dates.start + timedelta(days=2))
    assert {f.member_id for f in found("newcomer-week-points", dates.start + timedelta(days=10), cell)} == {
        member.pk,
        None,
    }


def test_week_points_across_two_sprints(cell):
    """Joined on the sprint's second Tuesday: week 1 in this sprint, week 2 in the next; the
    next sprint's planned tickets count from its first day (week 2)."""
    first = SprintFactory(number=S.number - 2)
    second = SprintFactory(number=S.number - 1)
    joined = calendar.sprint_dates(S.number - 2).start + timedelta(days=7)
    member = _newcomer(cell, joined)
    _committed(member, first, "3", joined)
    _committed(member, second, "5", None)
    as_of = joined + timedelta(days=10)
    assert found("newcomer-week-points", as_of, cell) == []
    _committed(member, second, "1", calendar.sprint_dates(S.number - 1).start + timedelta(days=1))
    (mine, _mentor) = found("newcomer-week-points", as_of, cell)
    assert "6 points taken on in their second week" in mine.message


# --- mentor-no-production ---


def test_newcomer_on_a_production_access_ticket_goes_to_the_mentors(cell, newcomer, core_member, sprint):
    risky: Any = TicketFactory(cell=cell, sprint=sprint, assignee=newcomer, needs_production_access=True)
    TicketFactory(cell=cell, sprint=sprint, assignee=newcomer)  # no production access: holds
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, needs_production_access=True)  # core: holds
    TicketFactory(  # done: holds
        cell=cell, sprint=sprint, assignee=newcomer, needs_production_access=True, status="Done"
    )
    TicketFactory(  # a past sprint: holds
        cell=cell,
        sprint=SprintFactory(number=S.number - 1),
        assignee=newcomer,
        needs_production_access=True,
    )
    (finding,) = found("newcomer-production-access", TODAY, cell)
    assert finding.subject == f"ticket:{risky.key}:production-access"
    assert finding.role_slug == "mentor" and finding.member_id is None and finding.cell_id == cell.pk
    risky.assignee = core_member
    risky.save()
    assert found("newcomer-production-access", TODAY, cell) == []
