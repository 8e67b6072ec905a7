"""The JIRA sync against a real company's set-up: both story points flavours, a team-managed
project, workflow statuses with other names, a changed field setting, updated_at on updates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from epics.models import Epic, EpicStatus
from opencraft_ops.integrations.config import jira_client
from opencraft_ops.integrations.fakes.data import FIELDS_BY_NAME
from opencraft_ops.process_checks import CheckContext, Severity, run_checks
from sprints.models import Ticket, TicketStatus
from sync.models import JiraStatus, SyncCursor, SyncOutcome, SyncRun
from sync.services import jira_sync
from sync.services.jira import ISSUE_CURSOR


def unmapped_findings():
    return run_checks(CheckContext(as_of=timezone.localdate()), only=["jira-status-unmapped"])


@pytest.fixture
def team_managed(org, upstream, fake_jira):
    """FAL is a team-managed project: points in "Story point estimate", no Epic Link."""
    fake_jira.app.team_managed.add("FAL")
    return fake_jira


def test_points_of_both_flavours_found_by_schema(team_managed, upstream):
    run = jira_sync()  # the client from the settings, every JIRA_FIELD_* left empty
    assert run.outcome == SyncOutcome.SUCCESS, (run.message, run.skipped_records)
    records = [i for i in upstream.issues if i["issuetype"] != "Epic" and i["story_points"] is not None]
    stored = dict(Ticket.objects.values_list("key", "story_points"))
    assert {r["project"] for r in records} == {"BB", "FAL"}
    assert all(stored[r["key"]] == Decimal(r["story_points"]) for r in records)
    # The team-managed tickets still link to their epic (through the parent).
    fal = next(r for r in records if r["project"] == "FAL" and r["epic_key"])
    assert Ticket.objects.filter(key=fal["key"], epic__key=fal["epic_key"]).exists()


def test_a_pinned_field_that_is_empty_where_the_other_has_points_is_an_error(team_managed, settings):
    settings.JIRA_FIELD_STORY_POINTS = "Story Points"  # the old default: the classic field
    run = jira_sync()
    assert run.outcome == SyncOutcome.PARTIAL and run.errors >= 1
    reasons = [r["reason"] for r in run.skipped_records if r["remote_id"] == "story points"]
    assert len(reasons) == 1
    assert "'Story Points' (customfield_10016, pinned by JIRA_FIELD_STORY_POINTS)" in reasons[0]
    assert "'Story point estimate' (customfield_10026)" in reasons[0]
    # The page shows it.
    assert not Ticket.objects.filter(key__startswith="FAL-", story_points__isnull=False).exists()


def test_a_setting_naming_no_field_fails_the_run_with_its_message(org, upstream, settings):
    settings.JIRA_FIELD_SPRINT = "Sprints"
    with pytest.raises(Exception, match="JIRA_FIELD_SPRINT='Sprints' names no JIRA field"):
        jira_sync()
    failed = SyncRun.objects.get()
    assert failed.outcome == SyncOutcome.FAILED
    assert "FieldSettingError: JIRA_FIELD_SPRINT='Sprints' names no JIRA field" in failed.message
    assert not Ticket.objects.exists()


def test_a_changed_field_setting_backfills_on_the_next_run(team_managed, settings):
    settings.JIRA_FIELD_STORY_POINTS = "Story Points"
    jira_sync()
    fal = Ticket.objects.filter(key__startswith="FAL-")
    assert not fal.filter(story_points__isnull=False).exists()
    # The admin fixes the setting; nothing changed in JIRA, yet the next (incremental) run
    # reads every issue again because the fields it reads changed.
    settings.JIRA_FIELD_STORY_POINTS = ""
    run = jira_sync()
    assert run.outcome == SyncOutcome.SUCCESS
    assert "The JIRA fields read changed" in run.message
    assert fal.filter(story_points__isnull=False).exists()
    assert SyncCursor.objects.get(name=ISSUE_CURSOR).fields.startswith(
        "points=customfield_10026,customfield_10016;"
    )
    # The run after reads incrementally again (only the watermark's overlap).
    again = jira_sync()
    assert "fields read changed" not in again.message and again.fetched < run.fetched / 2


def test_statuses_map_by_category_and_an_unknown_one_is_reported_once(org, upstream, fake_jira):
    app = fake_jira.app
    app.statuses.update({"Peer Review": "indeterminate", "Shipped": "done", "Open": "new"})
    tickets = [r for r in upstream.issues if r["issuetype"] != "Epic"][:4]
    app.update_issue(tickets[0]["key"], status="Peer Review")
    app.update_issue(tickets[1]["key"], status="Peer Review")
    app.update_issue(tickets[2]["key"], status="Shipped")
    app.update_issue(tickets[3]["key"], status="External Review")
    epic = next(r for r in upstream.issues if r["issuetype"] == "Epic")
    app.update_issue(epic["key"], status="In Progress")
    run = jira_sync()
    assert run.outcome == SyncOutcome.SUCCESS, run.skipped_records
    stored = {t.key: (t.status, t.jira_status) for t in Ticket.objects.all()}
    assert stored[tickets[0]["key"]] == (TicketStatus.IN_PROGRESS, "Peer Review")
    assert stored[tickets[2]["key"]] == (TicketStatus.DONE, "Shipped")
    assert stored[tickets[3]["key"]] == (TicketStatus.EXTERNAL_REVIEW, "External Review")  # by name
    # An epic "In Progress" in JIRA is in development here, not a prospect.
    assert Epic.objects.get(key=epic["key"]).status == EpicStatus.IN_DEVELOPMENT
    assert "'Peer Review' (indeterminate, 2 issue(s))" in run.message
    # Every status met is recorded with its category and issues.
    peer = JiraStatus.objects.get(name="Peer Review")
    assert peer.category == "indeterminate"
    assert set(peer.issue_keys) == {tickets[0]["key"], tickets[1]["key"]}
    # One finding per unknown status (a second run adds none), for the sync's keepers, with its tickets.
    jira_sync()
    findings = unmapped_findings()
    assert sorted(f.subject for f in findings) == ["jira-status:Peer Review", "jira-status:Shipped"]
    peer_finding = next(f for f in findings if f.subject == "jira-status:Peer Review")
    assert peer_finding.severity == Severity.WARNING and peer_finding.role_slug == "devops-specialist"
    assert tickets[0]["key"] in peer_finding.message and tickets[1]["key"] in peer_finding.message
    assert "'In Progress'" in peer_finding.message
    assert peer_finding.url == reverse("admin:sync_jirastatus_change", args=[peer.pk])


def test_an_override_in_the_admin_maps_the_status_and_ends_the_finding(
    org, upstream, fake_jira, client, staff_user
):
    fake_jira.app.statuses["Peer Review"] = "indeterminate"
    key = next(r for r in upstream.issues if r["issuetype"] != "Epic")["key"]
    fake_jira.app.update_issue(key, status="Peer Review")
    jira_sync()
    assert Ticket.objects.get(key=key).status == TicketStatus.IN_PROGRESS
    assert any(f.subject == "jira-status:Peer Review" for f in unmapped_findings())
    status = JiraStatus.objects.get(name="Peer Review")
    client.force_login(staff_user)
    page = client.get(reverse("admin:sync_jirastatus_changelist"))
    assert page.status_code == 200 and "Peer Review" in page.content.decode()
    response = client.post(
        reverse("admin:sync_jirastatus_change", args=[status.pk]),
        {"ticket_status": TicketStatus.CODE_REVIEW, "epic_status": ""},
    )
    assert response.status_code == 302
    assert not any(f.subject == "jira-status:Peer Review" for f in unmapped_findings())
    # The next run applies it (an incremental one reads the ticket again once it changes).
    fake_jira.app.update_issue(key, summary="touched")
    jira_sync()
    assert Ticket.objects.get(key=key).status == TicketStatus.CODE_REVIEW


def test_updated_at_moves_when_a_sync_updates_a_ticket(org, upstream, fake_jira):
    jira_sync()
    key = next(r for r in upstream.issues if r["issuetype"] != "Epic")["key"]
    epic_key = next(r for r in upstream.issues if r["issuetype"] == "Epic")["key"]
    past = timezone.now() - timedelta(days=3)
    Ticket.objects.update(updated_at=past)
    Epic.objects.update(updated_at=past)
    fake_jira.app.update_issue(key, summary="Renamed in JIRA")
    fake_jira.app.update_issue(epic_key, summary="Epic renamed in JIRA")
    jira_sync()
    ticket = Ticket.objects.get(key=key)
    assert ticket.summary == "Renamed in JIRA" and ticket.updated_at > past + timedelta(days=2)
    assert Epic.objects.get(key=epic_key).updated_at > past + timedelta(days=2)
    # Tickets the run did not change keep theirs.
    assert Ticket.objects.exclude(key=key).filter(updated_at=past).exists()


def test_field_is_read_once_per_run(org, upstream, fake_jira):
    fake_jira.app.requests.clear()
    jira_sync(full=True)
    assert fake_jira.app.requests.count("GET /rest/api/2/field") == 1
    assert FIELDS_BY_NAME["Story point estimate"] in jira_client().field_ids().story_points
