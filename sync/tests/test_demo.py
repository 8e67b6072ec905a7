from __future__ import annotations

from io import StringIO

from django.utils import timezone

from epics.models import Epic
from opencraft_ops.process_checks import CheckContext, run_checks
from roles import demo as roles_demo
from roles.models import Member
from sprints.models import Ticket
from sustainability.models import Account, Worklog
from sync import demo
from sync.models import DEMO_TRIGGER, SyncKind, SyncOutcome, SyncRun


def test_demo_syncs_from_the_fake_servers_once(db, settings):
    settings.JIRA_BASE_URL = ""
    settings.TEMPO_BASE_URL = ""
    roles_demo.seed(StringIO())
    out = StringIO()
    demo.seed(out, history_workdays=10)
    assert "from the fake JIRA and Tempo" in out.getvalue()
    assert set(SyncRun.objects.values_list("outcome", flat=True)) == {SyncOutcome.SUCCESS}
    members = Member.objects.exclude(jira_account_id=None)
    assert set(Worklog.objects.values_list("member_id", flat=True).distinct()) == set(
        members.values_list("id", flat=True)
    )
    assert not Worklog.objects.filter(ticket=None).exists()
    assert Account.objects.filter(name="Community Relations", category="internal_non_cell").exists()
    assert {"client", "internal_cell", "internal_non_cell"} <= set(
        Account.objects.values_list("category", flat=True)
    )
    assert Ticket.objects.filter(sprint__isnull=False, story_points=None).exists()
    assert (
        Epic.objects.exclude(budget_hours=None).exists()
        and Epic.objects.values("status").distinct().count() >= 4
    )
    # The settings are back to "off" after the demo.
    assert settings.JIRA_BASE_URL == "" and settings.TEMPO_BASE_URL == ""
    counts = (Ticket.objects.count(), Worklog.objects.count())
    again = StringIO()
    demo.seed(again, history_workdays=10)
    assert "nothing to do" in again.getvalue()
    assert (Ticket.objects.count(), Worklog.objects.count()) == counts


def test_demo_status_page_shows_the_demo_runs_and_no_stale_finding(db, settings, client, staff_user):
    settings.JIRA_BASE_URL = ""
    settings.TEMPO_BASE_URL = ""
    roles_demo.seed(StringIO())
    demo.seed(StringIO(), history_workdays=5)
    assert demo.TRIGGER == DEMO_TRIGGER
    assert sorted(SyncRun.objects.values_list("source", "kind")) == [
        ("jira", SyncKind.ISSUES),
        ("tempo", SyncKind.ACCOUNTS),
        ("tempo", SyncKind.WORKLOGS),
    ]
    client.force_login(staff_user)
    page = client.get("/sync/").content.decode()
    assert page.count("Demo data synced from the built-in fake servers on ") == 2
    assert "set TEMPO_BASE_URL and TEMPO_API_TOKEN to sync for real" in page
    assert "set JIRA_BASE_URL, JIRA_USER, JIRA_API_TOKEN to sync for real" in page
    assert "Not configured" not in page and page.count("(demo)") == 3
    assert run_checks(CheckContext(as_of=timezone.localdate()), only=["sync-stale"]) == []


def test_demo_does_nothing_without_boards(db):
    out = StringIO()
    demo.seed(out)
    assert "skipped" in out.getvalue() and not SyncRun.objects.exists()
