"""Celery tasks and the sync_tempo / sync_jira commands, against the fakes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from io import StringIO
from typing import Any

import pytest
from celery import current_app
from celery.signals import task_retry
from django.core.management import CommandError, call_command

from opencraft_ops.beat import BEAT_SCHEDULE
from opencraft_ops.integrations.http import AuthError, MalformedResponse, RemoteError, TransportError
from sprints.models import Ticket
from sustainability.models import Worklog
from sync import tasks
from sync.models import SyncMode, SyncOutcome, SyncRun
from sync.services import SyncBusy, source_lock


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TransportError("timed out"), True),
        (MalformedResponse("an HTML page with a 200", status=200), True),
        (RemoteError("boom", status=500), True),
        (RemoteError("slow down", status=429), True),
        (RemoteError("bad jql", status=400), False),
        (RemoteError("gone", status=404), False),
        (AuthError("token", status=401), False),
    ],
)
def test_which_failures_the_task_retries(exc, expected):
    assert tasks.retryable(exc) is expected


def test_beat_schedule_has_the_sync():
    assert {BEAT_SCHEDULE[k]["task"] for k in ("sync-tempo", "sync-jira", "sync-tempo-reconcile")} == {
        "sync.tempo",
        "sync.jira",
        "sync.tempo_reconcile",
    }
    assert BEAT_SCHEDULE["sync-jira-full"]["task"] == "sync.jira"
    assert BEAT_SCHEDULE["sync-jira-full"]["kwargs"] == {"full": True}


def test_the_nightly_tasks_are_off_the_incremental_ones_grid():
    """A source runs one sync at a time: a nightly task on a tick of its incremental one would
    find it running every night."""
    for nightly, frequent in (("sync-jira-full", "sync-jira"), ("sync-tempo-reconcile", "sync-tempo")):
        night, tick = BEAT_SCHEDULE[nightly]["schedule"], BEAT_SCHEDULE[frequent]["schedule"]
        assert len(night.hour) == len(night.minute) == 1 and len(tick.hour) == 24
        assert not night.minute & tick.minute, f"{nightly} lands on a tick of {frequent}"
    assert BEAT_SCHEDULE["sync-jira-full"]["schedule"].minute == {17}
    assert BEAT_SCHEDULE["sync-tempo-reconcile"]["schedule"].minute == {33}


@pytest.fixture
def eager_retries() -> Iterator[None]:
    """``task.apply()`` runs a task's retry at once, in the same call (the countdown is not
    waited for), after the task_retry signal. With the test settings' task_eager_propagates the
    retried attempt's own ``Retry`` escapes instead; off here, a chain of retries runs to its end
    as on a worker."""
    conf = current_app.conf
    before = conf.task_eager_propagates
    conf.task_eager_propagates = False
    try:
        yield
    finally:
        conf.task_eager_propagates = before


@contextmanager
def retries_seen(on_retry: Any = None) -> Iterator[list[tuple[str, float, type]]]:
    """The retries the sync tasks ask for: (task, countdown, reason); ``on_retry`` runs between
    an attempt and its retry."""
    seen: list[tuple[str, float, type]] = []

    def record(sender: Any, reason: Any, **_kwargs: Any) -> None:
        seen.append((sender.name, reason.when, type(reason.exc)))
        if on_retry is not None:
            on_retry()

    task_retry.connect(record, weak=False)
    try:
        yield seen
    finally:
        task_retry.disconnect(record)


def test_the_nightly_full_jira_read_waits_for_a_running_sync_instead_of_giving_up(
    org, upstream, fake_jira, eager_retries
):
    assert tasks.sync_jira.apply().get()["status"] == "done"
    gone = next(r["key"] for r in fake_jira.app.issues.values() if r["issuetype"] != "Epic")
    fake_jira.app.delete_issue(gone)
    with ExitStack() as incremental:
        incremental.enter_context(source_lock("jira"))  # the incremental run of 03:10, still going
        with retries_seen(on_retry=incremental.close) as retries:  # ... has ended by the retry
            result = tasks.sync_jira.apply(kwargs=BEAT_SCHEDULE["sync-jira-full"]["kwargs"]).get()
    assert retries == [("sync.jira", tasks.BUSY_RETRY_DELAYS[0], SyncBusy)]
    assert result["status"] == "done" and result["deleted"] >= 1
    assert not Ticket.objects.filter(key=gone).exists()
    assert list(SyncRun.objects.order_by("started").values_list("mode", flat=True)) == [
        SyncMode.INCREMENTAL,
        SyncMode.FULL,
    ]


@pytest.mark.parametrize(
    ("task", "kwargs", "source"),
    [(tasks.sync_jira, {"full": True}, "jira"), (tasks.reconcile_tempo, {}, "tempo")],
    ids=["full jira read", "tempo reconciliation"],
)
def test_a_nightly_task_retries_while_busy_then_gives_up(
    org, upstream, fake_jira, fake_tempo, eager_retries, task, kwargs, source
):
    with source_lock(source), retries_seen() as retries:  # held through every retry
        result = task.apply(kwargs=kwargs).get()
    assert retries == [(task.name, delay, SyncBusy) for delay in tasks.BUSY_RETRY_DELAYS]
    assert result["status"] == "busy" and "already running" in result["reason"]
    assert not SyncRun.objects.exists()
    # once the lock is free, the same task runs
    assert task.apply(kwargs=kwargs).get()["status"] == "done"


def test_the_nightly_full_jira_task_brings_deletions(org, upstream, fake_jira):
    assert tasks.sync_jira.delay().get()["status"] == "done"
    app = fake_jira.app
    gone = next(r["key"] for r in app.issues.values() if r["issuetype"] != "Epic" and r["project"] == "BB")
    app.delete_issue(gone)
    assert tasks.sync_jira.delay().get()["deleted"] == 0  # the incremental feed cannot see it
    assert Ticket.objects.filter(key=gone).exists()
    nightly = BEAT_SCHEDULE["sync-jira-full"]
    result = tasks.sync_jira.apply(kwargs=nightly["kwargs"]).get()
    assert result["status"] == "done" and result["deleted"] >= 1
    assert not Ticket.objects.filter(key=gone).exists()


def test_tasks_are_off_without_base_urls(db, settings):
    settings.TEMPO_BASE_URL = ""
    settings.JIRA_BASE_URL = ""
    assert tasks.sync_tempo.delay().get()["status"] == "off"
    assert tasks.reconcile_tempo.delay().get()["status"] == "off"
    assert tasks.sync_jira.delay().get() == {"status": "off", "reason": "JIRA_BASE_URL is not set"}
    assert not SyncRun.objects.exists()


def test_tasks_sync_from_the_fakes(org, upstream, fake_tempo, fake_jira):
    jira = tasks.sync_jira.delay().get()
    tempo = tasks.sync_tempo.delay().get()
    assert jira["status"] == tempo["status"] == "done"
    assert tempo["created"] == len(upstream.accounts) + len(upstream.worklogs)
    assert Worklog.objects.count() == len(upstream.worklogs)
    assert set(SyncRun.objects.values_list("triggered_by", flat=True)) == {"task"}
    reconcile = tasks.reconcile_tempo.delay().get()
    assert reconcile["status"] == "done" and reconcile["created"] == 0


def test_the_frequent_tasks_skip_while_another_run_holds_the_lock(
    org, upstream, fake_tempo, fake_jira, eager_retries
):
    with source_lock("tempo"), source_lock("jira"), retries_seen() as retries:
        assert tasks.sync_tempo.apply().get()["status"] == "busy"
        assert tasks.sync_jira.apply().get()["status"] == "busy"  # the next tick is minutes away
    assert retries == []


def test_task_does_not_retry_a_401(org, upstream, fake_tempo, settings):
    settings.TEMPO_API_TOKEN = "expired"
    with pytest.raises(AuthError, match="TEMPO_API_TOKEN"):
        tasks.sync_tempo.delay()
    assert fake_tempo.server.requests["GET /4/accounts"] == 1


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_sync_tempo_command(org, upstream, fake_tempo):
    out, err = run("sync_tempo")
    total = len(upstream.worklogs)
    assert f"created {total}" in out and "Tempo incremental sync" in out
    assert "worklogs" in err  # the progress bar
    assert f"{len(upstream.worklogs)}" in err
    assert "worklog authors with no member: ghost-1" in out
    out, _ = run("sync_tempo", "--no-progress", "--skip-accounts")
    assert "created 0, updated 0" in out


def test_sync_tempo_full_range_and_reconcile(org, upstream, fake_tempo):
    out, _ = run("sync_tempo", "--full", "--no-progress")
    assert "Tempo full sync" in out
    out, _ = run(
        "sync_tempo", "--from", "2026-11-20", "--to", "2026-11-24", "--no-progress", "--skip-accounts"
    )
    assert "date range sync" in out
    out, _ = run("sync_tempo", "--reconcile", "--no-progress", "--skip-accounts")
    assert "reconciliation sync" in out
    assert list(SyncRun.objects.order_by("started").values_list("mode", flat=True)) == [
        SyncMode.FULL,
        SyncMode.FULL,
        SyncMode.RANGE,
        SyncMode.RECONCILE,
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday"], "is not a date"),
        (["--from", "2026-11-20", "--to", "2026-11-01"], "--to must not be before --from"),
        (["--reconcile", "--full"], "cannot be combined"),
        (
            ["--full", "--from", "2026-11-01"],
            "--full reads every worklog and cannot be combined with --from/--to",
        ),
        (
            ["--full", "--to", "2026-11-01"],
            "--full reads every worklog and cannot be combined with --from/--to",
        ),
    ],
)
def test_sync_tempo_refuses_bad_options(db, fake_tempo, args, message):
    with pytest.raises(CommandError, match=message):
        run("sync_tempo", *args)
    assert not SyncRun.objects.exists()


def test_sync_tempo_help_says_a_date_range_applies_no_deletions():
    from sync.management.commands.sync_tempo import Command

    text = " ".join(Command().create_parser("manage.py", "sync_tempo").format_help().split())
    assert "--from/--to instead stores the worklogs of a work-date range and applies no deletions" in text
    assert "not with --from/--to" in text


def test_commands_say_when_off(db, settings):
    settings.TEMPO_BASE_URL = ""
    settings.JIRA_BASE_URL = ""
    with pytest.raises(CommandError, match="set TEMPO_BASE_URL and TEMPO_API_TOKEN"):
        run("sync_tempo")
    with pytest.raises(CommandError, match="set JIRA_BASE_URL"):
        run("sync_jira")


def test_command_401_names_the_setting(org, upstream, fake_tempo, settings):
    settings.TEMPO_API_TOKEN = "expired"
    with pytest.raises(CommandError, match="check TEMPO_API_TOKEN"):
        run("sync_tempo", "--no-progress")
    assert SyncRun.objects.get().outcome == SyncOutcome.FAILED


def test_sync_jira_command(org, upstream, fake_jira):
    out, err = run("sync_jira")
    assert "JIRA incremental sync: success" in out and "issues" in err
    out, _ = run("sync_jira", "--full", "--no-progress")
    assert "JIRA full sync: success" in out and "created 0, updated 0" in out


def test_command_reports_a_busy_source(org, upstream, fake_jira):
    with source_lock("jira"), pytest.raises(CommandError, match="already running"):
        run("sync_jira", "--no-progress")
