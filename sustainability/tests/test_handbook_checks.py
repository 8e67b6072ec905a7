"""The handbook rules checked over worklogs: newcomers' vague worklog descriptions
(nc-detailed-worklogs) and rounded durations (mentor-precise-time), an assignee silent for 48 working hours on an urgent ticket
(cr-silent-assignee). Each fires on data that breaks it and holds on data that keeps it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, run_checks
from opencraft_ops.sprint_dates import monday_w2
from roles.tests.factories import MemberFactory, TimeOffFactory
from sprints.process_checks import firefighter_for
from sprints.tests.factories import SprintFactory, TicketFactory
from sustainability.calculations.worklog_text import mostly_rounded, vague_reason
from sustainability.models import Worklog
from sustainability.tests.factories import WorklogFactory

pytestmark = pytest.mark.django_db


def found(rule: str, as_of: date, cell: Any) -> list[Any]:
    return run_checks(CheckContext(as_of=as_of, cell_ids=frozenset({cell.pk})), only=[rule])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no description"),
        ("   ", "no description"),
        ("onboarding", "1 word"),
        ("SE-123 dev", "2 words"),
        ("work on SE-123", "3 words"),
        ("Work on the onboarding tasks", "generic words only"),
        ("Dev work, meetings and review of SE-12", "generic words only"),
        ("Reviewed task and asked questions on ticket, requested repo access", None),
        ("Onboarding for SE-123: read XBlock Tutorial and configured XBlocks", None),
        ("Set up devstack and LMS", None),
    ],
)
def test_vague_reason(text, reason):
    assert vague_reason(text) == reason


def test_vague_worklogs_of_a_newcomer_reach_the_mentors(cell):
    as_of = date(2026, 3, 20)
    newcomer: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=date(2026, 3, 2))
    WorklogFactory(member=newcomer, work_date=date(2026, 3, 16), description="onboarding")
    WorklogFactory(member=newcomer, work_date=date(2026, 3, 17), description="work on SE-1")
    WorklogFactory(
        member=newcomer, work_date=date(2026, 3, 18), description="Read the XBlock tutorial, set up devstack"
    )
    WorklogFactory(member=newcomer, work_date=date(2026, 3, 1), description="x")  # before they joined
    (finding,) = found("newcomer-worklog-vague", as_of, cell)
    assert finding.role_slug == "mentor" and finding.member_id is None and finding.cell_id == cell.pk
    assert finding.subject == f"member:{newcomer.pk}:vague-worklogs"
    assert "2 of 3 worklogs of the last 14 days" in finding.message
    assert "16 Mar “onboarding” (1 word)" in finding.message


def test_vague_worklogs_hold_for_detailed_ones_core_members_and_old_ones(cell):
    as_of = date(2026, 3, 20)
    newcomer: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=date(2026, 2, 2))
    WorklogFactory(member=newcomer, work_date=date(2026, 3, 16), description="Fixed the grading bug in SE-4")
    WorklogFactory(member=newcomer, work_date=date(2026, 3, 2), description="dev")  # older than 14 days
    core: Any = MemberFactory(cell=cell)
    WorklogFactory(member=core, work_date=date(2026, 3, 16), description="dev")  # core: not checked
    assert found("newcomer-worklog-vague", as_of, cell) == []


# --- mentor-precise-time: rounded worklog durations ---

M = 60  # seconds


@pytest.mark.parametrize(
    ("durations", "rounded"),
    [
        ([60 * M] * 5, True),
        ([60 * M, 30 * M, 150 * M, 120 * M, 37 * M], True),  # 4 of 5
        ([60 * M, 30 * M, 150 * M, 43 * M, 37 * M], False),  # 3 of 5
        ([60 * M] * 4, False),  # too few to say
        ([45 * M, 75 * M, 20 * M, 95 * M, 61 * M], False),  # tracked to the minute, or quarter
        ([0, 0, 0, 0, 0], False),  # nothing logged is not rounding
    ],
)
def test_mostly_rounded(durations, rounded):
    assert mostly_rounded(durations) is rounded


def test_rounded_worklogs_of_a_newcomer_reach_the_mentors(cell, django_assert_num_queries):
    as_of = date(2026, 3, 20)
    newcomer: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=date(2026, 3, 2))
    for day, seconds in ((9, 7200), (10, 3600), (11, 5400), (12, 14400), (13, 2820)):
        WorklogFactory(member=newcomer, work_date=date(2026, 3, day), seconds=seconds, description="x y z w")
    with django_assert_num_queries(2):  # the newcomers, their worklogs of the fortnight
        (finding,) = found("newcomer-worklog-rounded", as_of, cell)
    assert finding.role_slug == "mentor" and finding.member_id is None and finding.cell_id == cell.pk
    assert finding.subject == f"member:{newcomer.pk}:rounded-worklogs"
    assert "4 of 5 worklogs of the last 14 days are whole half-hours" in finding.message


def test_rounded_worklogs_hold_when_tracked_core_old_or_few(cell):
    as_of = date(2026, 3, 20)
    tracked: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=date(2026, 2, 2))
    for day, seconds in ((9, 7260), (10, 3600), (11, 5520), (12, 14100), (13, 2820)):
        WorklogFactory(member=tracked, work_date=date(2026, 3, day), seconds=seconds)
    few: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=date(2026, 2, 2))
    for day in (16, 17, 18, 19):
        WorklogFactory(member=few, work_date=date(2026, 3, day), seconds=3600)
    for day in (2, 3, 4, 5):  # older than 14 days: not counted
        WorklogFactory(member=few, work_date=date(2026, 3, day), seconds=3600)
    core: Any = MemberFactory(cell=cell)
    for day in range(9, 19):
        WorklogFactory(member=core, work_date=date(2026, 3, day), seconds=3600)  # core: not checked
    assert found("newcomer-worklog-rounded", as_of, cell) == []


# --- cr-silent-assignee ---

PAST = calendar.sprint_dates(calendar.sprint_on(date.today()).number - 2)
WEDNESDAY_W2 = PAST.week_day(2, 2)


def _at(day: date, hour: int = 0) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


@pytest.fixture
def past_sprint(db: Any) -> Any:
    return SprintFactory(number=PAST.number)


def _urgent(cell: Any, sprint: Any, assignee: Any, reviewer: Any, *, seen: datetime, **kwargs: Any) -> Any:
    kwargs.setdefault("priority_category", 1)  # client work
    kwargs.setdefault("status", "In Progress")
    return TicketFactory(
        cell=cell,
        sprint=sprint,
        assignee=assignee,
        reviewer=reviewer,
        jira_updated_at=seen,
        added_to_sprint_at=_at(PAST.start),
        **kwargs,
    )


def test_silent_assignee_on_an_urgent_ticket_reaches_the_reviewer_and_a_firefighter(
    cell, core_member, past_sprint
):
    reviewer: Any = MemberFactory(cell=cell)
    # Last JIRA change on Monday of W2 at 00:00; checked at the end of Wednesday: 72 working hours.
    silent = _urgent(cell, past_sprint, core_member, reviewer, seen=_at(monday_w2(PAST)))
    findings = found("ticket-assignee-silent", WEDNESDAY_W2, cell)
    assert {(f.subject, f.member_id, f.role_slug) for f in findings} == {
        (f"ticket:{silent.key}:silent", reviewer.pk, None),
        (f"ticket:{silent.key}:silent:firefighter", None, firefighter_for(silent.pk)),
    }
    assert "for 72 working hours" in findings[0].message
    # Labelled urgent, other work: fires too; without a reviewer it goes to the firefighter alone.
    labelled = _urgent(
        cell,
        past_sprint,
        core_member,
        None,
        seen=_at(monday_w2(PAST)),
        priority_category=4,
        labels=["Urgent"],
    )
    mine = [f for f in found("ticket-assignee-silent", WEDNESDAY_W2, cell) if labelled.key in f.subject]
    assert [(f.member_id, f.role_slug) for f in mine] == [(None, firefighter_for(labelled.pk))]


def test_silent_assignee_holds_when_the_assignee_shows_a_sign(cell, core_member, past_sprint):
    reviewer: Any = MemberFactory(cell=cell)
    # A JIRA change 36 working hours before the end of Wednesday.
    _urgent(cell, past_sprint, core_member, reviewer, seen=_at(WEDNESDAY_W2 - timedelta(days=1), 12))
    # A worklog on the ticket on Wednesday morning.
    logged = _urgent(cell, past_sprint, core_member, reviewer, seen=_at(PAST.start))
    WorklogFactory(
        member=core_member,
        ticket=logged,
        work_date=WEDNESDAY_W2,
        created_at=_at(WEDNESDAY_W2, 9),
        updated_at=_at(WEDNESDAY_W2, 9),
    )
    # Not urgent (other cell work, no label).
    _urgent(cell, past_sprint, core_member, reviewer, seen=_at(PAST.start), priority_category=4)
    # Ready for review already.
    _urgent(cell, past_sprint, core_member, reviewer, seen=_at(PAST.start), status="Code Review")
    assert found("ticket-assignee-silent", WEDNESDAY_W2, cell) == []


def test_silent_assignee_counts_no_weekend_nor_time_off_and_waits_for_week_2(cell, core_member, past_sprint):
    reviewer: Any = MemberFactory(cell=cell)
    ticket = _urgent(cell, past_sprint, core_member, reviewer, seen=_at(PAST.week_day(1, 4)))  # Friday W1
    # Week 1: not behind yet, whatever the silence.
    assert found("ticket-assignee-silent", PAST.week_day(1, 4) + timedelta(days=1), cell) == []
    # Friday (24 h) + Monday (24 h) of W2: 48 working hours at the end of Monday, the weekend aside.
    assert {f.subject for f in found("ticket-assignee-silent", monday_w2(PAST), cell)} == {
        f"ticket:{ticket.key}:silent",
        f"ticket:{ticket.key}:silent:firefighter",
    }
    # Away on the Monday: only 24 working hours.
    TimeOffFactory(member=core_member, start=monday_w2(PAST), end=monday_w2(PAST))
    assert found("ticket-assignee-silent", monday_w2(PAST), cell) == []


# --- ff-project-cell-budget ---


def test_help_to_a_project_cell_on_another_account_fires_and_on_its_account_holds(cell, core_member):
    from roles.tests.factories import CellFactory
    from sustainability.tests.factories import AccountFactory

    project: Any = CellFactory(kind="project")
    ticket: Any = TicketFactory(cell=project, key="PRJ-1")
    own_account = AccountFactory(cell=project, key="PRJ-ACC")
    generalist_account = AccountFactory(cell=cell, key="GEN-ACC")
    as_of = date(2026, 3, 20)
    WorklogFactory(member=core_member, ticket=ticket, account=generalist_account, work_date=date(2026, 3, 18))
    WorklogFactory(member=core_member, ticket=ticket, account=generalist_account, work_date=date(2026, 3, 19))
    (finding,) = found("project-cell-help-account", as_of, cell)
    assert finding.member_id == core_member.pk and finding.cell_id == cell.pk
    assert finding.message.startswith(f"2.0 h on PRJ-1 of {project.name} are logged on GEN-ACC")
    # The finding belongs to the helper's cell, where their epic planning sees their hours.
    assert found("project-cell-help-account", as_of, project) == []
    # Moved to the project cell's account: holds.
    Worklog.objects.filter(ticket=ticket).update(account=own_account)
    assert found("project-cell-help-account", as_of, cell) == []


def test_help_to_a_project_cell_holds_on_its_budget(cell, core_member):
    from roles.tests.factories import CellFactory
    from sustainability.tests.factories import AccountFactory

    project: Any = CellFactory(kind="project")
    ticket = TicketFactory(cell=project, key="PRJ-2")
    own_account = AccountFactory(cell=project, key="PRJ-OWN")
    insider: Any = MemberFactory(cell=project)
    other_account = AccountFactory(cell=cell, key="GEN-OTHER")
    as_of = date(2026, 3, 20)
    WorklogFactory(member=core_member, ticket=ticket, account=own_account, work_date=date(2026, 3, 18))
    WorklogFactory(member=insider, ticket=ticket, account=other_account, work_date=date(2026, 3, 18))
    WorklogFactory(
        member=core_member, ticket=ticket, account=other_account, work_date=date(2026, 1, 5)
    )  # old
    generalist_ticket = TicketFactory(cell=cell, key="GEN-1")  # a generalist cell's ticket
    WorklogFactory(
        member=insider, ticket=generalist_ticket, account=other_account, work_date=date(2026, 3, 18)
    )
    assert found("project-cell-help-account", as_of, cell) == []
    assert found("project-cell-help-account", as_of, project) == []
