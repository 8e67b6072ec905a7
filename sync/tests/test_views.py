"""The staff-only sync status page, the run-now button, the admin and the process check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opencraft_ops.process_checks import CheckContext, Severity, run_checks
from sync.models import SyncOutcome, SyncRun, SyncSource
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


@pytest.mark.parametrize(("method", "source", "status"), [("get", "tempo", 405), ("post", "github", 400)])
def test_run_now_refusals(client, staff_user, method, source, status):
    client.force_login(staff_user)
    assert getattr(client, method)(reverse("sync:run", args=[source])).status_code == status


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
    assert [(f.subject, f.severity) for f in result] == [("sync:jira", Severity.WARNING)]
    assert "JIRA has not synced successfully since" in result[0].message and result[0].url == URL


def test_never_synced_is_critical(db, fake_tempo, settings):
    settings.JIRA_BASE_URL = ""
    result = findings()
    assert [(f.subject, f.severity, f.message) for f in result] == [
        ("sync:tempo", Severity.CRITICAL, "Tempo has not synced successfully yet.")
    ]
