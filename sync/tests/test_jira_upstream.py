"""Upstream changes in JIRA, synced by the real `jira` package from the fake JIRA on loopback:
creations, edits and deletions; the watermark in the JIRA user's time zone; epic status
history; when tickets entered their sprint (injections)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from epics.models import Epic, EpicStatus, EpicStatusChange
from opencraft_ops import calendar
from opencraft_ops.integrations.fakes.data import FIELDS_BY_NAME
from sprints import selectors
from sprints.models import Spillover, Sprint, Ticket
from sustainability.models import Worklog
from sync.models import SyncCursor, SyncOutcome
from sync.services import accounts_sync, jira_sync, worklogs_sync
from sync.services.jira import ISSUE_CURSOR
from sync.tests.conftest import TODAY, snapshot, wipe

CURRENT = calendar.sprint_on(TODAY).number


@pytest.fixture
def synced(org, upstream, tempo, jira):
    accounts_sync(client=tempo)
    run = jira_sync(client=jira)
    worklogs_sync(client=tempo)
    assert run.outcome == SyncOutcome.SUCCESS
    return run


def at(moment: datetime) -> Any:
    return lambda: moment


def watermark() -> datetime:
    value = SyncCursor.objects.get(name=ISSUE_CURSOR).value
    assert value is not None
    return value


def ticket_with_worklogs(app: Any, project: str) -> str:
    ids = set(Worklog.objects.exclude(ticket=None).values_list("ticket__key", flat=True))
    return next(r["key"] for r in app.issues.values() if r["project"] == project and r["key"] in ids)


def test_creation_edit_and_deletion_upstream(synced, jira, tempo, fake_jira, org):
    app = fake_jira.app
    epic = next(r for r in app.issues.values() if r["issuetype"] == "Epic" and r["project"] == "FAL")
    children = [r["key"] for r in app.issues.values() if r["epic_key"] == epic["key"]]
    doomed = ticket_with_worklogs(app, "BB")
    logged = list(
        Worklog.objects.filter(ticket__key=doomed).values_list("tempo_id", "seconds", "jira_issue_id")
    )
    assert children and logged
    Spillover.objects.create(
        sprint=Sprint.objects.get(number=CURRENT - 1),
        ticket=Ticket.objects.get(key=doomed),
        cell=org["bebop"],
        status="In Progress",
    )
    app.update_issue("BB-12", summary="Edited upstream")
    new = app.add_issue(project="BB", summary="Created upstream", assignee="acc-0")
    app.delete_issue(doomed)
    app.delete_issue(epic["key"])

    # The watermark feed sees the creation and the edit; a deletion leaves no trace in it.
    run = jira_sync(client=jira)
    assert (run.outcome, run.created, run.updated, run.deleted) == (SyncOutcome.SUCCESS, 1, 1, 0)
    assert Ticket.objects.get(key="BB-12").summary == "Edited upstream"
    assert Ticket.objects.filter(key=new["key"]).exists() and Ticket.objects.filter(key=doomed).exists()

    # A full sync reads every issue: what JIRA no longer has goes, and is counted. (The
    # deleted epic's tickets lost their epic link upstream without a change of `updated`:
    # the full read updates them.)
    full = jira_sync(client=jira, full=True)
    assert (full.outcome, full.created, full.updated, full.deleted) == (
        SyncOutcome.SUCCESS,
        0,
        len(children),
        2,
    )
    assert (
        not Ticket.objects.filter(key=doomed).exists() and not Epic.objects.filter(key=epic["key"]).exists()
    )
    assert not Spillover.objects.filter(ticket__key=doomed).exists()
    # The epic's tickets stay, without their epic; the deleted ticket's worklogs keep their data.
    assert set(Ticket.objects.filter(key__in=children).values_list("epic", flat=True)) == {None}
    kept = Worklog.objects.filter(tempo_id__in=[t for t, _, _ in logged])
    assert sorted(kept.values_list("tempo_id", "seconds", "jira_issue_id")) == sorted(logged)
    assert set(kept.values_list("ticket", flat=True)) == {None}

    # Nothing more to do, and the same state as syncing JIRA from scratch.
    before = snapshot()
    again = jira_sync(client=jira, full=True)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0) and snapshot() == before
    wipe()
    accounts_sync(client=tempo)
    jira_sync(client=jira)
    worklogs_sync(client=tempo)
    assert snapshot() == before


def test_tickets_entered_in_the_portal_are_never_deleted(synced, jira):
    Ticket.objects.create(key="BB-9000", summary="Typed in the admin")
    run = jira_sync(client=jira, full=True)
    assert run.deleted == 0 and Ticket.objects.filter(key="BB-9000").exists()


def test_missing_from_search_but_in_jira_is_kept(synced, jira, fake_jira):
    """JIRA's search index can lag: an issue the search left out is asked for before deleting."""
    fake_jira.app.unindex("FAL-8")
    fake_jira.app.update_issue("FAL-8", summary="Only GET sees this")
    run = jira_sync(client=jira, full=True)
    assert (run.deleted, run.outcome) == (0, SyncOutcome.SUCCESS)
    assert Ticket.objects.get(key="FAL-8").summary == "Only GET sees this"
    assert fake_jira.server.requests[f"GET /rest/api/2/issue/{fake_jira.app.issue('FAL-8')['id']}"] == 1


def test_skipped_record_is_not_taken_for_a_deletion(synced, jira, fake_jira):
    fake_jira.app.corrupt_issue("BB-14", **{FIELDS_BY_NAME["Story Points"]: "lots"})
    run = jira_sync(client=jira, full=True)
    assert (run.deleted, run.skipped) == (0, 1) and Ticket.objects.filter(key="BB-14").exists()


def test_project_that_vanished_is_held_back_and_reported(synced, jira, fake_jira):
    app = fake_jira.app
    falcon = [k for k, i in app.keys.items() if app.issues[i]["project"] == "FAL"]
    for key in falcon:
        app.delete_issue(key)
    before = (
        Ticket.objects.filter(key__startswith="FAL-").count()
        + Epic.objects.filter(key__startswith="FAL-").count()
    )
    run = jira_sync(client=jira, full=True)
    assert run.deleted == 0 and run.outcome == SyncOutcome.PARTIAL
    assert run.skipped_records == [
        {
            "remote_id": "project FAL",
            "reason": f"JIRA returned no issue of FAL: its {before} ticket(s)/epic(s) are kept, not deleted "
            "(check the JIRA user's Browse permission on the project).",
        }
    ]


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Pacific/Honolulu", "UTC", "Asia/Kolkata"])
def test_watermark_is_written_in_the_jira_users_time_zone(org, upstream, tempo, jira, fake_jira, zone):
    """JIRA reads JQL dates in the user's profile zone: for a user in Los Angeles, "23:50"
    is eight hours after 23:50 UTC. Written in UTC, the watermark would skip every change
    made in those hours (users east of UTC only re-read a few hours more)."""
    fake_jira.app.time_zone = zone
    accounts_sync(client=tempo)
    jira_sync(client=jira)
    mark = watermark()
    fake_jira.app.clock = at(mark + timedelta(minutes=1))
    fake_jira.app.update_issue("FAL-6", summary="A minute after the watermark")
    fake_jira.app.clock = at(mark + timedelta(hours=9))
    fake_jira.app.update_issue("FAL-7", summary="Nine hours after it")
    run = jira_sync(client=jira)
    assert (run.outcome, run.updated) == (SyncOutcome.SUCCESS, 2)
    assert Ticket.objects.get(key="FAL-6").summary == "A minute after the watermark"
    assert fake_jira.server.requests["GET /rest/api/2/myself"] == 1  # once per client


def test_epic_status_changes_are_recorded(synced, jira, fake_jira):
    assert not EpicStatusChange.objects.exists()  # the first sync creates epics, it changes none
    key = next(
        r["key"] for r in fake_jira.app.issues.values() if r["issuetype"] == "Epic" and r["status"] != "Done"
    )
    old = Epic.objects.get(key=key).status
    fake_jira.app.update_issue(key, status="Done")
    jira_sync(client=jira)
    change = EpicStatusChange.objects.get()
    assert (change.epic.key, change.from_status, change.to_status) == (key, old, EpicStatus.DONE)
    assert change.note == "Changed in JIRA to Done" and change.changed_by is None
    assert Epic.objects.get(key=key).status == EpicStatus.DONE
    fake_jira.app.update_issue(key, summary="Renamed, same status")
    jira_sync(client=jira, full=True)
    assert EpicStatusChange.objects.count() == 1


def test_tickets_entering_the_sprint_late_are_injections(synced, jira, fake_jira, org):
    app = fake_jira.app
    dates = calendar.sprint_dates(CURRENT)
    active = next(s for s in app.sprints.values() if s["originBoardId"] == 1 and s["state"] == "active")
    future = next(s for s in app.sprints.values() if s["originBoardId"] == 1 and s["state"] == "future")
    # The first sync read history: nothing in the current sprint counts as injected.
    assert not Ticket.objects.filter(sprint__number=CURRENT).exclude(added_to_sprint_at=None).exists()
    assert selectors.injections(cell_ids=[org["bebop"].pk], sprint_number=CURRENT) == []

    day_4 = datetime.combine(dates.start + timedelta(days=3), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=10
    )
    app.clock = at(day_4)
    early = app.add_issue(project="BB", summary="Planned on day 4", sprint_ids=[active["id"]])
    jira_sync(client=jira)
    assert Ticket.objects.get(key=early["key"]).added_to_sprint_at == day_4

    day_12 = day_4 + timedelta(days=8)
    app.clock = at(day_12)
    late = app.add_issue(project="BB", summary="Created into the sprint on day 12", sprint_ids=[active["id"]])
    moved = next(r for r in app.issues.values() if future["id"] in r["sprint_ids"])
    app.update_issue(moved["key"], sprint_ids=[active["id"]])
    jira_sync(client=jira)
    injected = {t.key for t in selectors.injections(cell_ids=[org["bebop"].pk], sprint_number=CURRENT)}
    assert injected == {late["key"], moved["key"]}
    assert Ticket.objects.get(key=moved["key"]).added_to_sprint_at == day_12
    # Accepted in this sprint, then edited: still accepted. Moved on: the acceptance goes.
    Ticket.objects.filter(key__in=[late["key"], moved["key"]]).update(injection_accepted=True)
    app.update_issue(late["key"], summary="Edited after acceptance")
    app.update_issue(moved["key"], sprint_ids=[future["id"]])
    jira_sync(client=jira)
    assert Ticket.objects.get(key=late["key"]).injection_accepted is True
    assert Ticket.objects.get(key=moved["key"]).injection_accepted is False
