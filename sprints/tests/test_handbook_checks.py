"""The sprint rules of the handbook's "Sprint tasks" that issue 15 added: each fires on a
ticket that breaks it and holds on one that keeps it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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


def test_firefighters_share_the_tickets():
    assert {firefighter_for(1), firefighter_for(2)} == {"firefighter-1", "firefighter-2"}


def test_core_member_on_a_newcomer_friendly_ticket(cell, core_member, newcomer, sprint):
    on_core: Any = TicketFactory(cell=cell, sprint=sprint, assignee=core_member, labels=["newcomer-friendly"])
    TicketFactory(cell=cell, sprint=sprint, assignee=newcomer, labels=["newcomer-friendly"])  # holds
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, labels=["backend"])  # holds
    (finding,) = found("sprint-core-on-newcomer-friendly", TODAY, cell)
    assert finding.subject == f"ticket:{on_core.key}:newcomer-friendly"
    assert finding.member_id == core_member.pk


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


def test_long_external_review_ticket_not_reviewed_this_sprint(cell, core_member):
    stale: Any = TicketFactory(cell=cell, assignee=core_member, status="Long External Review/Blocked")
    fresh: Any = TicketFactory(cell=cell, assignee=core_member, status="Long External Review/Blocked")
    Ticket.objects.filter(pk=stale.pk).update(jira_updated_at=datetime.now(UTC) - timedelta(days=20))
    Ticket.objects.filter(pk=fresh.pk).update(jira_updated_at=datetime.now(UTC) - timedelta(days=3))
    (finding,) = found("sprint-blocked-ticket-stale", timezone.localdate(), cell)
    assert finding.subject == f"ticket:{stale.key}:blocked" and finding.member_id == core_member.pk


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
