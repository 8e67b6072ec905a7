"""The handbook demo breaks each new rule once on top of the synced data and keeps it
elsewhere; it is idempotent and fine with an empty database."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from epics.calculations import plan_months
from handbook import demo
from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, rules, run_checks
from opencraft_ops.sprint_dates import FRIDAY, monday_w2
from roles.models import Member, MemberType, Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory, TimeOffFactory
from sprints.models import Ticket
from sprints.process_checks import firefighter_for
from sprints.tests.factories import SprintFactory, TicketFactory

pytestmark = pytest.mark.django_db

SEEDED = [
    "newcomer-no-onboarding-epic",
    "epic-milestone-unplanned",
    "sprint-ticket-no-reviewer",
    "sprint-core-on-newcomer-friendly",
    "sprint-ticket-over-estimate",
    "sprint-blocked-ticket-stale",
    "weekend-work",
    "role-given-up-early",
    "sprint-spillover-not-prioritised",
]


def test_empty_database():
    out = io.StringIO()
    demo.seed(out)
    assert "handbook: 0 onboarding epic(s); nothing to change" in out.getvalue()


def test_each_new_rule_fires_once_and_holds_elsewhere(cell: Any, core_member: Any) -> None:
    today = date.today()
    current = calendar.sprint_on(today).number
    newcomers = [MemberFactory(cell=cell, member_type="newcomer") for _ in range(3)]
    reviewer = MemberFactory(cell=cell)
    sprint, later = SprintFactory(number=current), SprintFactory(number=current + 2)
    SprintFactory(number=current - 1)
    for n in range(4):
        TicketFactory(cell=cell, sprint=sprint, assignee=core_member, reviewer=reviewer, time_spent_seconds=n)
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, reviewer=reviewer, status="In Progress")
    for n in range(3):
        TicketFactory(cell=cell, sprint=later, assignee=newcomers[n], reviewer=reviewer)
    # A sprint manager handed over five days ago after two years; and one long ago.
    RoleAssignmentFactory(
        member=reviewer,
        role=Role.objects.get(slug="sprint-manager"),
        cell=cell,
        since=today - timedelta(days=730),
        until=today - timedelta(days=5),
    )
    RoleAssignmentFactory(
        member=reviewer,
        role=Role.objects.get(slug="sprint-planning-manager"),
        cell=cell,
        since=today - timedelta(days=900),
        until=today - timedelta(days=400),
    )
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent: nothing more breaks
    context = CheckContext(as_of=today, cell_ids=frozenset({cell.pk}))
    counts = Counter(f.rule for f in run_checks(context, only=SEEDED))
    assert counts == dict.fromkeys(SEEDED, 1)


SECOND_PASS = ["newcomer-worklog-vague", "newcomer-production-access", "epic-update-unacknowledged"]


def test_second_pass_rules_fire_once_and_hold_elsewhere(cell: Any, core_member: Any) -> None:
    from epics import services as epic_services
    from epics.models import EpicUpdate
    from epics.tests.answers import FIXED_ANSWERS_OK
    from sprints.tests.factories import EpicFactory

    today = date.today()
    current = calendar.sprint_on(today).number
    newcomers = [MemberFactory(cell=cell, member_type="newcomer") for _ in range(3)]
    nxt = SprintFactory(number=current + 1)
    for newcomer in newcomers:
        TicketFactory(cell=cell, sprint=nxt, assignee=newcomer, reviewer=core_member)
    reviewer = MemberFactory(cell=cell)
    for n in range(2):
        epic: Any = EpicFactory(
            cell=cell,
            key=f"DEMO-{n}",
            owner=core_member,
            reviewer=reviewer,
            budget_kind="fixed",
            budget_hours=100,
        )
        epic_services.epic_update_save(
            epic=epic, sprint_number=current, author=core_member, answers=FIXED_ANSWERS_OK
        )
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent
    counts = Counter(
        f.rule for f in run_checks(CheckContext(as_of=today, cell_ids=frozenset({cell.pk})), only=SECOND_PASS)
    )
    assert counts == dict.fromkeys(SECOND_PASS, 1)
    assert EpicUpdate.objects.filter(reviewer_acknowledged_at__isnull=False).count() == 1


# --- The third pass: a newcomer's first weeks, an urgent ticket gone silent, a plan short ---


def _in_week_two(monkeypatch: pytest.MonkeyPatch) -> date:
    """Moves the portal's clock to 10:00 of a day of the current sprint's W2 or later (today
    when it is one), where the silent-assignee check looks; the clock keeps ticking."""
    today = date.today()
    day = max(today, monday_w2(calendar.sprint_on(today)))
    real_now = timezone.now
    offset = datetime.combine(day, time(10, 0), tzinfo=timezone.get_default_timezone()) - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)
    return day


def test_a_newcomer_starting_this_sprint_breaks_the_first_week_points(cell: Any, core_member: Any) -> None:
    today = date.today()
    dates = calendar.sprint_on(today)
    sprint: Any = SprintFactory(number=dates.number)
    mentor: Any = MemberFactory(cell=cell)
    RoleAssignmentFactory(member=mentor, role=Role.objects.get(slug="mentor"), cell=cell)
    # Another newcomer who started with the sprint, within the limit: 3 points planned before.
    within: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=dates.start)
    TicketFactory(cell=cell, sprint=sprint, assignee=within, reviewer=mentor, story_points=3)
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent: one newcomer, two tasks
    yusuf = Member.objects.get(user__username="yusuf")
    assert (yusuf.cell_id, yusuf.joined_on, yusuf.type_on(today)) == (
        cell.pk,
        dates.start,
        MemberType.NEWCOMER,
    )
    tasks = Ticket.objects.filter(assignee=yusuf)
    assert [(t.sprint_id, t.story_points, t.reviewer_id) for t in tasks] == [(sprint.pk, 3, mentor.pk)] * 2
    context = CheckContext(as_of=today, cell_ids=frozenset({cell.pk}))
    found = run_checks(context, only=["newcomer-week-points", "sprint-newcomer-over-limit"])
    # 6 points in the first week: over the week's 3, within the sprint's 8 (3 + 5).
    assert {(f.rule, f.subject, f.member_id, f.role_slug) for f in found} == {
        ("newcomer-week-points", f"member:{yusuf.pk}:first-weeks:{dates.start}", yusuf.pk, None),
        ("newcomer-week-points", f"member:{yusuf.pk}:first-weeks:{dates.start}:mentor", None, "mentor"),
    }
    # The newcomer came with their onboarding epic (the other one, the last without, keeps
    # that rule firing).
    found = run_checks(context, only=["newcomer-no-onboarding-epic"])
    assert [f.subject for f in found] == [f"member:{within.pk}:onboarding-epic"]


def test_one_urgent_ticket_goes_silent_and_another_holds(
    cell: Any, core_member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = _in_week_two(monkeypatch)
    dates = calendar.sprint_on(day)
    sprint: Any = SprintFactory(number=dates.number)
    members: list[Any] = [MemberFactory(cell=cell) for _ in range(3)]  # all core
    reviewer, away, busy = members
    TimeOffFactory(member=away, start=dates.start, end=day)
    before = datetime.combine(dates.start - timedelta(days=3), time(12, 0), tzinfo=UTC)
    for key, assignee, status in [
        ("SE-0", busy, "To Do"),  # the first pass takes its reviewer away
        ("SE-1", away, "To Do"),  # silent, but away: its silence proves nothing
        ("SE-2", core_member, "In Progress"),
        ("SE-3", busy, "To Do"),
        ("SE-4", core_member, "Code Review"),  # ready for review: not behind
    ]:
        TicketFactory(
            key=key,
            cell=cell,
            sprint=sprint,
            assignee=assignee,
            reviewer=reviewer,
            status=status,
            jira_updated_at=before,
        )
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent: two urgent tickets, no more
    urgent = sorted(key for key, labels in Ticket.objects.values_list("key", "labels") if "urgent" in labels)
    assert urgent == ["SE-1", "SE-2"]
    found = run_checks(
        CheckContext(as_of=day, cell_ids=frozenset({cell.pk})), only=["ticket-assignee-silent"]
    )
    assert {(f.subject, f.member_id, f.role_slug) for f in found} == {
        ("ticket:SE-2:silent", reviewer.pk, None),
        ("ticket:SE-2:silent:firefighter", None, firefighter_for(Ticket.objects.get(key="SE-2").pk)),
    }


def test_one_cell_plan_runs_short_of_hours(cell: Any, other_cell: Any, core_member: Any) -> None:
    from epics import services as epic_services
    from epics.models import EpicUpdate
    from epics.tests.answers import MONTHLY_ANSWERS_OK
    from sprints.tests.factories import EpicFactory

    today = date.today()
    current = calendar.sprint_on(today).number
    others: list[Any] = [MemberFactory(cell=other_cell) for _ in range(3)]
    for where, owner in ((cell, core_member), (other_cell, others[0])):
        epic: Any = EpicFactory(
            cell=where, owner=owner, reviewer=owner, budget_kind="monthly", budget_hours=40
        )
        epic_services.epic_update_save(
            epic=epic, sprint_number=current, author=owner, answers=MONTHLY_ANSWERS_OK
        )
    context = CheckContext(as_of=today)
    assert not run_checks(context, only=["cell-capacity-plan-short"])
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent: the plan is short, nothing more to ask
    found = run_checks(context, only=["cell-capacity-plan-short"])
    months = [first for first, _ in plan_months(today)]
    # The smaller cell is short in each of the next three months; the other keeps within.
    assert sorted(f.subject for f in found) == [f"cell:{cell.pk}:plan:{m:%Y-%m}" for m in months]
    asked = {
        u.epic.cell_id: u.answers.get("new_monthly_hours") for u in EpicUpdate.objects.select_related("epic")
    }
    assert asked[other_cell.pk] is None and int(asked[cell.pk]) % 10 == 0


# --- The whole demo ---

# The process checks issue 15 added (docs/handbook.md, its two tables).
ISSUE_15_RULES = {
    "sprint-review-deadline-at-risk",
    "sprint-delivery-at-risk",
    "sprint-ticket-no-reviewer",
    "sprint-core-on-newcomer-friendly",
    "sprint-ticket-over-estimate",
    "sprint-blocked-ticket-stale",
    "newcomer-no-onboarding-epic",
    "epic-milestone-unplanned",
    "weekend-work",
    "sprint-spillover-not-prioritised",
    "rotation-no-spare-task",
    "role-given-up-early",
    "newcomer-worklog-rounded",
    "ticket-assignee-silent",
    "newcomer-worklog-vague",
    "newcomer-week-points",
    "member-leaving-handover",
    "epic-update-unacknowledged",
    "cell-capacity-plan-short",
    "newcomer-production-access",
    "client-epics-across-cells",
    "project-cell-help-account",
    "conference-talk-missing",
    "conference-attendance-unanswered",
}


def _from_day(as_of: date) -> dict[str, date]:
    """The rules that look only from a day of the sprint on, with that day: none of them can
    fire earlier, whatever the data (sprints start on Tuesday of W1)."""
    s = calendar.sprint_on(as_of)
    return {
        # Review by the end of Wednesday of W2: at risk from Monday of W2.
        "sprint-review-deadline-at-risk": monday_w2(s),
        # Delivery one hour before the next sprint: at risk from Friday of W2.
        "sprint-delivery-at-risk": s.week_day(2, FRIDAY),
        # "Behind" on an urgent ticket means not ready for review from Monday of W2.
        "ticket-assignee-silent": monday_w2(s),
    }


def test_the_demo_breaks_every_issue_15_rule_that_can_fire_today() -> None:
    from django.core.management import call_command

    assert {rule.slug for rule in rules()} >= ISSUE_15_RULES
    call_command("demo_data", stdout=io.StringIO())
    today = timezone.localdate()
    found = run_checks(CheckContext(as_of=today))
    fired = {f.rule for f in found}
    from_day = _from_day(today)
    expected = {rule for rule in ISSUE_15_RULES if today >= from_day.get(rule, today)}
    assert {rule for rule in ISSUE_15_RULES if rule in fired} == expected
    # Broken once, kept elsewhere: one newcomer, ticket, member or cell each.
    subjects = Counter(f.rule for f in found if not f.subject.endswith((":mentor", ":firefighter")))
    for rule in (
        "newcomer-week-points",
        "newcomer-production-access",
        "newcomer-worklog-vague",
        "newcomer-worklog-rounded",
        "sprint-core-on-newcomer-friendly",
        "member-leaving-handover",
        "commitment-request-waiting",
        "conference-talk-missing",
        "conference-attendance-unanswered",
    ):
        assert subjects[rule] == 1, rule
    assert len({f.cell_id for f in found if f.rule == "cell-capacity-plan-short"}) == 1
    assert subjects["ticket-assignee-silent"] == (1 if "ticket-assignee-silent" in expected else 0)
    # Running it again breaks nothing more.
    call_command("demo_data", stdout=io.StringIO())
    again = run_checks(CheckContext(as_of=today))
    assert {(f.rule, f.subject) for f in again if f.rule in ISSUE_15_RULES} == {
        (f.rule, f.subject) for f in found if f.rule in ISSUE_15_RULES
    }


def test_rounded_worklogs_fire_once_and_hold_elsewhere(cell: Any) -> None:
    from sustainability.tests.factories import WorklogFactory

    today = date.today()
    newcomers: list[Any] = [
        MemberFactory(cell=cell, member_type="newcomer", joined_on=today - timedelta(days=30))
        for _ in range(3)
    ]
    for newcomer in newcomers:
        for n in range(6):  # tracked, not rounded: 1 h 07, 1 h 14...
            WorklogFactory(member=newcomer, work_date=today - timedelta(days=n), seconds=3600 + 420 * (n + 1))
    demo._rounded_worklogs(today)
    demo._rounded_worklogs(today)  # idempotent
    context = CheckContext(as_of=today, cell_ids=frozenset({cell.pk}))
    found = list(run_checks(context, only=["newcomer-worklog-rounded"]))
    ordered = sorted(newcomers, key=lambda m: m.user.username)
    assert [f.subject for f in found] == [f"member:{ordered[1].pk}:rounded-worklogs"]


def test_commitment_requests_one_waits_and_one_is_approved(cell: Any) -> None:
    from handbook.demo_commitments import seed_commitment_requests
    from roles.models import CommitmentChangeRequest, CommitmentRequestStatus

    today = timezone.localdate()
    members: list[Any] = [MemberFactory(cell=cell, member_type="core") for _ in range(3)]
    manager = members[2]
    RoleAssignmentFactory(member=manager, role=Role.objects.get(slug="epic-planning-sustainability-manager"))
    assert len(seed_commitment_requests(timezone.now(), today)) == 2
    assert seed_commitment_requests(timezone.now(), today) == []  # idempotent
    rows = {r.member_id: r for r in CommitmentChangeRequest.objects.all()}
    assert len(rows) == 2 and manager.pk not in rows
    statuses = sorted(r.status for r in rows.values())
    assert statuses == [CommitmentRequestStatus.APPROVED, CommitmentRequestStatus.PENDING]
    approved = next(r for r in rows.values() if r.status == CommitmentRequestStatus.APPROVED)
    assert approved.decided_by == manager
    assert approved.member.commitments.filter(since=approved.since).exists()
    found = run_checks(
        CheckContext(as_of=today, cell_ids=frozenset({cell.pk})), only=["commitment-request-waiting"]
    )
    (finding,) = found
    assert "waited 3 working days" in finding.message
