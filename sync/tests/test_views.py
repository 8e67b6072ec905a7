"""The staff-only sync status page, the run-now button, the admin and the process check."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from opencraft_ops.process_checks import CheckContext, Severity, run_checks
from sync.models import DEMO_TRIGGER, SyncKind, SyncMode, SyncOutcome, SyncRun, SyncSource
from sync.tests.factories import SyncRunFactory

PASSWORD = "correct-horse-battery"
URL = "/sync/"


def test_status_needs_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_status_is_for_staff_only(client, core_member):
    client.login(username="core", password=PASSWORD)
    assert client.get(URL).status_code == 403
    assert client.post(reverse("sync:run", args=["tempo"])).status_code == 403


def test_status_says_when_a_source_is_off(client, staff_user, settings):
    settings.TEMPO_BASE_URL = ""
    settings.JIRA_BASE_URL = ""
    client.force_login(staff_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Not configured: set TEMPO_BASE_URL and TEMPO_API_TOKEN" in response.content.decode()
    assert "No sync has run yet." in response.content.decode()


def test_status_lists_runs_with_a_constant_number_of_queries(
    client, staff_user, fake_tempo, fake_jira, django_assert_num_queries
):
    client.force_login(staff_user)
    for i in range(6):
        SyncRunFactory(source=SyncSource.TEMPO if i % 2 else SyncSource.JIRA, created=i)
    SyncRunFactory(
        outcome=SyncOutcome.PARTIAL,
        skipped=1,
        skipped_records=[{"remote_id": "4711", "reason": "worklog: startDate is not a date"}],
        unknown_authors={"ghost-9": 3},
        started=timezone.now(),
    )
    # Queries: session, user, recent runs, last success per source, cursors.
    with django_assert_num_queries(5):
        response = client.get(URL)
    page = response.content.decode()
    assert page.count("<tr>") == 1 + 7
    assert "4711" in page and "worklog: startDate is not a date" in page and "ghost-9" in page
    assert "Sync Tempo now" in page and "Sync JIRA now" in page


def test_run_now_queues_the_sync(
    client, staff_user, org, upstream, fake_tempo, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sync:run", args=["tempo"]))
    assert response.status_code == 302 and response["Location"] == URL
    assert SyncRun.objects.filter(source=SyncSource.TEMPO, outcome=SyncOutcome.SUCCESS).count() == 2


def test_wrong_methods_are_refused(client, staff_user, fake_tempo):
    client.force_login(staff_user)
    assert client.post(URL).status_code == 405  # the status page only reads
    assert client.get(reverse("sync:run", args=["tempo"])).status_code == 405  # running needs a POST
    assert client.get(reverse("sync:run", args=["jira"])).status_code == 405
    assert not SyncRun.objects.exists()


def test_run_now_refuses_an_unknown_source(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("sync:run", args=["github"]))
    assert response.status_code == 400 and "Unknown source 'github'" in response.content.decode()
    # the name comes from the URL: answered as plain text, never as HTML
    response = client.post("/sync/run/%3Cimg%20src=x%20onerror=alert(1)%3E/")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")


def test_run_now_when_off(client, staff_user, settings):
    settings.JIRA_BASE_URL = ""
    client.force_login(staff_user)
    response = client.post(reverse("sync:run", args=["jira"]), follow=True)
    assert "JIRA is not configured" in response.content.decode()
    assert not SyncRun.objects.exists()


def test_admin_lists_runs_and_links_the_status_page(client, staff_user):
    SyncRunFactory.create_batch(3)
    client.force_login(staff_user)
    response = client.get(reverse("admin:sync_syncrun_changelist"))
    assert response.status_code == 200 and 'href="/sync/"' in response.content.decode()
    run = SyncRun.objects.first()
    assert run is not None
    assert client.get(reverse("admin:sync_syncrun_change", args=[run.pk])).status_code == 200


def findings():
    return [f for f in run_checks(CheckContext(as_of=timezone.localdate()), only=["sync-stale"])]


def test_no_finding_when_nothing_is_configured(db, settings):
    settings.TEMPO_BASE_URL = ""
    settings.JIRA_BASE_URL = ""
    assert findings() == []


def test_findings_for_stale_sources(db, fake_tempo, fake_jira, django_assert_num_queries):
    now = timezone.now()
    SyncRunFactory(source=SyncSource.TEMPO, started=now - timedelta(minutes=20))
    SyncRunFactory(source=SyncSource.JIRA, started=now - timedelta(hours=2))
    SyncRunFactory(source=SyncSource.JIRA, started=now - timedelta(minutes=5), outcome=SyncOutcome.FAILED)
    with django_assert_num_queries(1):
        result = findings()
    assert [(f.subject, f.severity, f.role_slug) for f in result] == [
        ("sync:jira", Severity.WARNING, "devops-specialist")
    ]
    assert "JIRA boards and issues have not synced successfully since" in result[0].message
    assert result[0].url == URL


def test_never_synced_is_critical(db, fake_tempo, settings):
    settings.JIRA_BASE_URL = ""
    result = findings()
    assert [(f.subject, f.severity, f.role_slug, f.url) for f in result] == [
        ("sync:tempo", Severity.CRITICAL, "devops-specialist", URL)
    ]
    assert result[0].message.startswith(
        "Tempo worklogs have not synced successfully yet: a DevOps specialist"
    )


def test_status_tells_the_truth_about_demo_data(client, staff_user, settings, django_assert_num_queries):
    settings.TEMPO_BASE_URL = ""
    settings.JIRA_BASE_URL = ""
    when = timezone.now() - timedelta(days=2)
    for kind in (SyncKind.ACCOUNTS, SyncKind.WORKLOGS):
        SyncRunFactory(kind=kind, mode=SyncMode.FULL, started=when, triggered_by=DEMO_TRIGGER, created=7)
    SyncRunFactory(
        source=SyncSource.JIRA,
        kind=SyncKind.ISSUES,
        mode=SyncMode.FULL,
        started=when,
        triggered_by=DEMO_TRIGGER,
    )
    client.force_login(staff_user)
    with django_assert_num_queries(5):
        page = client.get(URL).content.decode()
    day = date_format(timezone.localtime(when + timedelta(seconds=12)), "DATETIME_FORMAT")
    assert (
        f"Demo data synced from the built-in fake servers on {day}; "
        "set TEMPO_BASE_URL and TEMPO_API_TOKEN to sync for real." in page
    )
    assert "set JIRA_BASE_URL, JIRA_USER, JIRA_API_TOKEN to sync for real." in page
    assert "Not configured" not in page and "Sync Tempo now" not in page
    assert page.count("(demo)") == 3 and page.count("<tr>") == 1 + 3
    assert findings() == []  # unconfigured sources are not checked, demo or not
