"""Run bookkeeping against the fake Tempo: the one-run-per-source lock, abandoned runs, skipped
runs, the watermark overlap, and what keeps the sync-stale check quiet (only the feeds)."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from celery.exceptions import Retry
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import CommandError, call_command
from django.utils import timezone

from opencraft_ops.integrations.fakes import Fault
from opencraft_ops.integrations.http import RemoteError
from opencraft_ops.process_checks import CheckContext, Severity, run_checks
from sustainability.models import Worklog
from sync import tasks
from sync.models import DEMO_TRIGGER, SyncKind, SyncMode, SyncOutcome, SyncRun, SyncSource
from sync.services import RunSkipped, SyncBusy, accounts_sync, source_lock, worklogs_sync
from sync.services.runs import LOCK_TTL_SECONDS, recorded_run
from sync.services.tempo import WORKLOG_CURSOR
from sync.tests.conftest import TODAY
from sync.tests.factories import SyncRunFactory


def stale() -> list:
    return run_checks(CheckContext(as_of=timezone.localdate()), only=["sync-stale"])


# --- the lock -----------------------------------------------------------------
class ClockedCache(LocMemCache):
    """A local-memory cache whose clock the test moves: a lock's TTL lapses when the test says,
    not when a slow machine happens to get there."""

    offset = 0.0

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def get_backend_timeout(self, timeout: Any = DEFAULT_TIMEOUT) -> float | None:
        expiry = super().get_backend_timeout(timeout)
        return None if expiry is None else expiry + self.offset

    def _has_expired(self, key: str) -> bool:
        expiry = self._expire_info.get(key, -1)  # type: ignore[attr-defined]  # LocMem internals
        return expiry is not None and expiry <= time.time() + self.offset


@pytest.fixture
def cache_clock(settings) -> ClockedCache:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.ClockedCache", "LOCATION": "clocked"}}
    backend = caches["default"]
    assert isinstance(backend, ClockedCache)
    return backend


def test_a_dead_workers_lock_expires_after_its_ttl(org, upstream, tempo, cache_clock):
    with source_lock(SyncSource.TEMPO):  # taken and never released, as by a killed worker
        with pytest.raises(SyncBusy, match="A Tempo sync is already running; this one was not started"):
            worklogs_sync(client=tempo)
        cache_clock.advance(LOCK_TTL_SECONDS - 60)
        with pytest.raises(SyncBusy, match="a stuck lock expires 60 minutes after it was taken"):
            worklogs_sync(client=tempo)
        assert not SyncRun.objects.exists()
        cache_clock.advance(61)  # the hour is up
        run = worklogs_sync(client=tempo)
    assert run.outcome == SyncOutcome.SUCCESS and run.created == Worklog.objects.count() > 0


def test_a_lock_with_its_own_ttl_expires_then(org, upstream, tempo, cache_clock):
    with source_lock(SyncSource.TEMPO, ttl=600):
        cache_clock.advance(599)
        with pytest.raises(SyncBusy, match="already running"):
            worklogs_sync(client=tempo)
        cache_clock.advance(2)
        assert worklogs_sync(client=tempo).outcome == SyncOutcome.SUCCESS


def test_a_second_run_while_one_is_running_is_refused(org, upstream, tempo, fake_tempo):
    answers: list[dict] = []
    retries: list[object] = []
    refusals: list[str] = []

    def meanwhile(_fetched: int) -> None:  # runs between two pages of the first run
        if answers:
            return
        answers.append(tasks.sync_tempo.delay().get())
        # The nightly reconciliation asks to be retried later instead (eagerly: Celery's Retry).
        with pytest.raises(Retry) as retry:
            tasks.reconcile_tempo.delay()
        retries.append(retry.value.when)
        with pytest.raises(CommandError) as info:
            call_command("sync_tempo", "--no-progress", stdout=StringIO())
        refusals.append(str(info.value))

    first = worklogs_sync(client=tempo, progress=meanwhile)
    assert first.outcome == SyncOutcome.SUCCESS
    assert [a["status"] for a in answers] == ["busy"] and retries == [tasks.BUSY_RETRY_DELAYS[0]]
    assert "A Tempo sync is already running" in answers[0]["reason"]
    assert refusals and "already running" in refusals[0]
    # The refused runs recorded nothing and sent nothing: one run, one pass over the pages.
    assert list(SyncRun.objects.values_list("pk", flat=True)) == [first.pk]
    assert fake_tempo.server.requests["GET /4/accounts"] == 0
    # The lock went with the first run.
    assert tasks.sync_tempo.delay().get()["status"] == "done"


# --- abandoned runs -------------------------------------------------------------
def running(source: SyncSource, age: timedelta) -> SyncRun:
    """A run still marked running, as a worker killed mid-run leaves it."""
    return SyncRun.objects.create(
        source=source, mode=SyncMode.INCREMENTAL, started=timezone.now() - age, outcome=SyncOutcome.RUNNING
    )


def test_runs_a_dead_worker_left_running_are_marked_abandoned(org, upstream, tempo):
    dead = running(SyncSource.TEMPO, timedelta(hours=2))
    young = running(SyncSource.TEMPO, timedelta(minutes=10))
    other_source = running(SyncSource.JIRA, timedelta(hours=3))
    run = worklogs_sync(client=tempo)
    dead.refresh_from_db()
    young.refresh_from_db()
    other_source.refresh_from_db()
    assert dead.outcome == SyncOutcome.FAILED and dead.errors == 1
    assert dead.finished is not None and dead.finished >= run.started
    assert dead.message.startswith("Abandoned: still marked running more than 60 minutes")
    assert young.outcome == SyncOutcome.RUNNING  # within the lock's lifetime
    assert other_source.outcome == SyncOutcome.RUNNING  # another source's lock
    assert run.outcome == SyncOutcome.SUCCESS


# --- outcomes ---------------------------------------------------------------------
def test_a_failed_run_counts_its_error(org, upstream, tempo, fake_tempo):
    fake_tempo.faults.add(Fault(path="/4/worklogs", status=500, times=10))
    with pytest.raises(RemoteError):
        worklogs_sync(client=tempo)
    run = SyncRun.objects.get()
    assert (run.outcome, run.errors, run.kind) == (SyncOutcome.FAILED, 1, SyncKind.WORKLOGS)


def test_nothing_to_sync_is_recorded_as_skipped_not_as_a_success(db, fake_jira):
    with (
        source_lock(SyncSource.JIRA),
        recorded_run(source=SyncSource.JIRA, mode=SyncMode.INCREMENTAL) as (run, _counts),
    ):
        raise RunSkipped("No cell has a JIRA board.")
    run.refresh_from_db()
    assert (run.outcome, run.kind, run.message) == (
        SyncOutcome.SKIPPED,
        SyncKind.ISSUES,
        "No cell has a JIRA board.",
    )
    assert [f.subject for f in stale()] == ["sync:jira"]


def test_jira_task_with_no_board_records_nothing_and_stays_stale(db, fake_jira, settings):
    settings.TEMPO_BASE_URL = ""
    assert tasks.sync_jira.delay().get() == {
        "status": "off",
        "reason": "no cell has a JIRA board (set Cell.jira_board_id)",
    }
    assert not SyncRun.objects.exists()
    (finding,) = stale()
    assert (finding.subject, finding.severity, finding.role_slug) == (
        "sync:jira",
        Severity.CRITICAL,
        "devops-specialist",
    )
    assert fake_jira.server.requests == {}  # not even a call to JIRA


# --- the sync-stale check watches the feeds --------------------------------------
def test_accounts_succeeding_do_not_hide_a_failing_worklog_feed(org, upstream, tempo, fake_tempo, settings):
    settings.JIRA_BASE_URL = ""
    fake_tempo.faults.add(Fault(path="/4/worklogs", status=500, times=100))
    for _ in range(3):  # the beat every five minutes: accounts succeed, worklogs fail
        assert accounts_sync(client=tempo).outcome == SyncOutcome.SUCCESS
        with pytest.raises(RemoteError):
            worklogs_sync(client=tempo)
    assert set(SyncRun.objects.values_list("kind", "outcome")) == {
        (SyncKind.ACCOUNTS, SyncOutcome.SUCCESS),
        (SyncKind.WORKLOGS, SyncOutcome.FAILED),
    }
    (finding,) = stale()
    assert (finding.rule, finding.subject, finding.severity, finding.url, finding.role_slug) == (
        "sync-stale",
        "sync:tempo",
        Severity.CRITICAL,
        "/sync/",
        "devops-specialist",
    )
    assert finding.message.startswith("Tempo worklogs have not synced successfully yet")
    assert "DevOps specialist" in finding.message
    fake_tempo.faults.clear()
    worklogs_sync(client=tempo)
    assert stale() == []


def test_only_a_recent_successful_feed_run_keeps_a_source_current(
    db, fake_tempo, settings, django_assert_num_queries
):
    settings.JIRA_BASE_URL = ""
    now = timezone.now()
    recent = now - timedelta(minutes=5)
    SyncRunFactory(kind=SyncKind.ACCOUNTS, mode=SyncMode.FULL, started=recent)
    SyncRunFactory(mode=SyncMode.RANGE, started=recent)
    SyncRunFactory(mode=SyncMode.RECONCILE, started=recent)
    SyncRunFactory(mode=SyncMode.FULL, started=recent, triggered_by=DEMO_TRIGGER)
    SyncRunFactory(outcome=SyncOutcome.SKIPPED, started=recent)
    SyncRunFactory(outcome=SyncOutcome.FAILED, started=recent)
    SyncRunFactory(started=now - timedelta(hours=3))  # the last real feed success
    with django_assert_num_queries(1):
        (finding,) = stale()
    assert finding.severity == Severity.WARNING and "since" in finding.message
    SyncRunFactory(outcome=SyncOutcome.PARTIAL, started=recent)
    assert stale() == []


# --- the watermark overlap ------------------------------------------------------------
def test_the_watermark_overlap_catches_an_edit_tempo_indexed_late(org, upstream, tempo, fake_tempo, settings):
    from sync.models import SyncCursor

    assert settings.SYNC_WATERMARK_OVERLAP_MINUTES == 10
    worklogs_sync(client=tempo)
    newest = max(w.updated for w in fake_tempo.app.worklogs.values())
    watermark = SyncCursor.objects.get(name=WORKLOG_CURSOR).value
    assert watermark == newest - timedelta(minutes=10)
    # An edit made 8 minutes before the newest change seen, which Tempo indexed only after that run.
    late = fake_tempo.app.add_worklog(
        issue_id=1, author="acc-1", seconds=900, start_date=TODAY, updated=newest - timedelta(minutes=8)
    )
    run = worklogs_sync(client=tempo)
    assert run.created == 1 and Worklog.objects.filter(tempo_id=late.id).exists()


def test_the_watermark_overlap_is_a_setting(org, upstream, tempo, fake_tempo, settings):
    from sync.models import SyncCursor

    settings.SYNC_WATERMARK_OVERLAP_MINUTES = 3
    worklogs_sync(client=tempo)
    newest = max(w.updated for w in fake_tempo.app.worklogs.values())
    assert SyncCursor.objects.get(name=WORKLOG_CURSOR).value == newest - timedelta(minutes=3)
