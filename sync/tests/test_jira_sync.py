"""JIRA sync end to end: the real `jira` package against the fake JIRA on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from epics.models import Epic, EpicStatus
from opencraft_ops import calendar
from opencraft_ops.integrations.fakes.data import FIELDS_BY_NAME
from opencraft_ops.integrations.http import AuthError
from opencraft_ops.integrations.jira import JiraClient, JiraSprint
from opencraft_ops.process_checks import CheckContext, Severity, run_checks
from sprints.models import BoardSprint, Sprint, Ticket
from sync.models import SyncOutcome, SyncRun, SyncSource
from sync.services import accounts_sync, jira_sync
from sync.services.jira import sprint_number_for
from sync.tests.conftest import TODAY, snapshot
from sync.tests.factories import SyncRunFactory

CURRENT = calendar.sprint_on(TODAY).number


@pytest.fixture
def synced(org, upstream, tempo, jira):
    accounts_sync(client=tempo)
    return jira_sync(client=jira)


def test_first_full_sync(synced, upstream, org, fake_jira):
    run = synced
    assert run.outcome == SyncOutcome.SUCCESS, run.skipped_records
    epics = [i for i in upstream.issues if i["issuetype"] == "Epic"]
    tickets = [i for i in upstream.issues if i["issuetype"] != "Epic"]
    assert Epic.objects.count() == len(epics) and Ticket.objects.count() == len(tickets)
    assert run.created == len(upstream.issues) + len(upstream.sprints)
    # Each JIRA sprint is our numbered sprint by its dates, per cell.
    assert sorted(BoardSprint.objects.filter(cell=org["bebop"]).values_list("sprint__number", "state")) == [
        (CURRENT - 4, "closed"),
        (CURRENT - 3, "closed"),
        (CURRENT - 2, "closed"),
        (CURRENT - 1, "closed"),
        (CURRENT, "active"),
        (CURRENT + 1, "future"),
    ]
    sprint = Sprint.objects.get(number=CURRENT)
    assert sprint.start <= TODAY <= sprint.end
    # The fields of one ticket, mapped through members, accounts, epics and sprints.
    record = next(i for i in tickets if i["reviewer"] and i["story_points"] and i["sprint_ids"])
    ticket = Ticket.objects.select_related("assignee", "reviewer", "account", "epic", "sprint", "cell").get(
        jira_id=str(record["id"])
    )
    assert (
        ticket.key == record["key"]
        and ticket.summary == record["summary"]
        and ticket.status == record["status"]
    )
    assert ticket.story_points == Decimal(record["story_points"])
    assert ticket.assignee and ticket.reviewer and ticket.account and ticket.epic and ticket.sprint
    assert ticket.assignee.jira_account_id == record["assignee"]
    assert ticket.reviewer.jira_account_id == record["reviewer"]
    assert ticket.account.tempo_id == record["account_id"] and ticket.epic.key == record["epic_key"]
    assert ticket.cell == (org["bebop"] if record["project"] == "BB" else org["falcon"])
    assert (
        ticket.labels == record["labels"] and ticket.original_estimate_seconds == record["original_estimate"]
    )
    jira_sprint = fake_jira.app.sprints[record["sprint_ids"][0]]
    assert ticket.sprint.board_sprints.get(cell=ticket.cell).jira_id == jira_sprint["id"]
    # Some current tickets are not green, some unestimated: the sprint pages will flag them.
    current = Ticket.objects.filter(sprint__number=CURRENT)
    assert current.filter(story_points=None).exists() and current.filter(reviewer=None).exists()
    epic = Epic.objects.get(key=next(e["key"] for e in epics if e["status"] == "In Development"))
    assert epic.status == EpicStatus.IN_DEVELOPMENT and epic.account is not None and epic.cell is not None


def test_incremental_after_upstream_changes(synced, jira, fake_jira, org):
    app = fake_jira.app
    app.update_issue("BB-10", summary="Renamed", story_points=13)
    new = app.add_issue(project="FAL", summary="Brand new", assignee="acc-1", story_points=2)
    future = next(s for s in app.sprints.values() if s["originBoardId"] == 1 and s["state"] == "future")
    app.update_issue("BB-11", sprint_ids=[future["id"]])
    epic_key = next(
        r["key"] for r in app.issues.values() if r["issuetype"] == "Epic" and r["project"] == "BB"
    )
    app.update_issue(epic_key, status="Done")
    run = jira_sync(client=jira)
    assert (run.outcome, run.created, run.updated) == (SyncOutcome.SUCCESS, 1, 3)
    assert Ticket.objects.get(key="BB-10").summary == "Renamed"
    assert Ticket.objects.get(key="BB-10").story_points == Decimal("13.00")
    created = Ticket.objects.get(key=new["key"])
    assert created.assignee == org["members"]["acc-1"] and created.cell == org["falcon"]
    moved = Ticket.objects.get(key="BB-11")
    assert moved.sprint is not None
    assert moved.sprint.number == CURRENT + 1 and moved.added_to_sprint_at is not None
    assert Epic.objects.get(key=epic_key).status == EpicStatus.DONE


def test_rerun_changes_nothing(synced, jira):
    before = snapshot()
    run = jira_sync(client=jira)
    assert (run.outcome, run.created, run.updated, run.deleted) == (SyncOutcome.SUCCESS, 0, 0, 0)
    assert snapshot() == before
    full = jira_sync(client=jira, full=True)
    assert (full.created, full.updated) == (0, 0) and snapshot() == before


def test_portal_owned_fields_survive(synced, jira, fake_jira):
    Ticket.objects.filter(key="BB-10").update(priority_category=1, is_recurring=True)
    Epic.objects.filter(key="BB-1").update(budget_hours=Decimal("120"))
    fake_jira.app.update_issue("BB-10", summary="Changed upstream")
    fake_jira.app.update_issue("BB-1", summary="Epic renamed")
    jira_sync(client=jira)
    ticket = Ticket.objects.get(key="BB-10")
    assert (ticket.summary, ticket.priority_category, ticket.is_recurring) == ("Changed upstream", 1, True)
    assert Epic.objects.get(key="BB-1").budget_hours == Decimal("120.00")


def test_malformed_issue_is_skipped_and_named(org, upstream, tempo, jira, fake_jira):
    fake_jira.app.corrupt_issue("FAL-9", **{FIELDS_BY_NAME["Story Points"]: "lots"})
    run = jira_sync(client=jira)
    assert run.outcome == SyncOutcome.PARTIAL and run.skipped == 1
    assert run.skipped_records == [
        {"remote_id": "FAL-9", "reason": "issue: story points is not a number: 'lots'"}
    ]
    assert not Ticket.objects.filter(key="FAL-9").exists()
    assert Ticket.objects.filter(key="FAL-10").exists()


def test_cell_board_missing_in_jira_is_reported(org, upstream, tempo, jira):
    from roles.tests.factories import CellFactory

    CellFactory(name="Serenity", slug="serenity", jira_board_id=99, jira_project_key="SER")
    run = jira_sync(client=jira)
    assert run.outcome == SyncOutcome.PARTIAL
    assert {"remote_id": "board 99", "reason": "board of Serenity not found in JIRA"} in run.skipped_records


def stale() -> list:
    return run_checks(CheckContext(as_of=timezone.localdate()), only=["sync-stale"])


def test_no_cell_with_a_board_is_a_skipped_run_never_a_success(db, fake_jira, jira, settings):
    settings.TEMPO_BASE_URL = ""
    run = jira_sync(client=jira)
    run.refresh_from_db()
    assert (run.outcome, run.message) == (
        SyncOutcome.SKIPPED,
        "No cell has a JIRA board: set Cell.jira_board_id (and jira_project_key).",
    )
    assert [f.subject for f in stale()] == ["sync:jira"]


def test_cells_whose_boards_jira_does_not_have_make_a_skipped_run(org, fake_jira, jira, settings):
    """The boards were deleted or renumbered in JIRA: nothing syncs, and the sync-stale check
    must keep saying so (a PARTIAL or SUCCESS run would silence it)."""
    settings.TEMPO_BASE_URL = ""
    SyncRunFactory(source=SyncSource.JIRA, started=timezone.now() - timedelta(hours=3))  # the last to sync
    for _ in range(2):  # the beat, every ten minutes
        run = jira_sync(client=jira)
    run.refresh_from_db()
    assert (run.outcome, run.skipped) == (SyncOutcome.SKIPPED, 2)
    assert run.message.startswith("No cell's JIRA board gave a project to sync")
    assert run.skipped_records == [
        {"remote_id": "board 1", "reason": "board of Bebop not found in JIRA"},
        {"remote_id": "board 2", "reason": "board of Falcon not found in JIRA"},
    ]
    assert not Ticket.objects.exists()
    assert not [r for r in fake_jira.server.requests if "search" in r]  # no issue was asked for
    (finding,) = stale()
    assert (finding.subject, finding.severity) == ("sync:jira", Severity.WARNING)
    assert "since" in finding.message


def test_401_fails_fast_naming_the_settings(org, upstream, fake_jira, sleeps):
    with pytest.raises(AuthError, match="JIRA_API_TOKEN"):
        JiraClient(server=fake_jira.url, user="bot@example.com", token="bad", sleep=sleeps)
    assert sleeps == []


def test_401_during_a_run_is_recorded(org, upstream, jira, fake_jira):
    fake_jira.app.token = "rotated"
    with pytest.raises(AuthError):
        jira_sync(client=jira)
    run = SyncRun.objects.get()
    assert run.outcome == SyncOutcome.FAILED and "JIRA_USER and JIRA_API_TOKEN" in run.message


SPRINT = calendar.sprint_dates(CURRENT)


def _at(day, hour):
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (_at(SPRINT.start, 9), _at(SPRINT.end, 17), CURRENT),
        (
            _at(SPRINT.start, 0) - timedelta(hours=4),
            _at(SPRINT.end, 9),
            CURRENT,
        ),  # started the evening before
        (_at(SPRINT.start, 9), None, CURRENT),
        (_at(SPRINT.end, 9) + timedelta(days=1), _at(SPRINT.end, 17) + timedelta(days=14), CURRENT + 1),
        (None, None, None),
        (datetime(2018, 1, 1, tzinfo=UTC), datetime(2018, 1, 14, tzinfo=UTC), None),  # before sprint 1
    ],
)
def test_sprint_number_for(start, end, expected):
    sprint = JiraSprint(id=1, name="x", state="active", board_id=1, start=start, end=end, completed=None)
    assert sprint_number_for(sprint) == expected
