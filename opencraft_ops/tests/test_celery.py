"""Celery: a real task through Redis to a real worker; the beat schedule in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.result import allow_join_result
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from opencraft_ops.beat import BEAT_SCHEDULE, HEARTBEAT
from opencraft_ops.beat_scheduler import Scheduler
from opencraft_ops.celery import app, ping

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_queue() -> Iterator[str]:
    """A real ``celery worker`` subprocess consuming a queue of its own on the
    test Redis (so no other worker can take the task)."""
    queue = f"test-ping-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0", "REDIS_URL": settings.REDIS_URL}
    env.pop("CELERY_BROKER_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "opencraft_ops",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
            process.kill()
            output, _ = process.communicate()
        assert "Traceback" not in output, output


@pytest.mark.worker
def test_task_round_trip_through_redis_and_a_real_worker(worker_queue: str) -> None:
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # make test runs eager; this one sends for real
    try:
        result = ping.apply_async(args=(41,), queue=worker_queue)
        # Celery keeps "inside a task" in one process-wide flag, which an eager task run on
        # another thread at the same time (a browser test's live server) can leave set: this
        # test waits as a client, outside any task, and says so.
        with allow_join_result():
            assert result.get(timeout=60) == 42
        assert result.successful()
    finally:
        app.conf.task_always_eager = eager


def test_beat_schedule_is_loaded_from_beat_py() -> None:
    app.finalize()
    assert app.conf.beat_schedule == BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULER == "opencraft_ops.beat_scheduler:Scheduler"
    assert settings.CELERY_TASK_ROUTES["sync.*"] == {"queue": "sync"}
    assert app.amqp.router.route({}, "sync.tempo")["queue"].name == "sync"
    assert app.amqp.router.route({}, "sustainability.tasks.send_alerts")["queue"].name == "notifications"
    assert app.amqp.router.route({}, "opencraft_ops.ping")["queue"].name == "default"


@pytest.mark.django_db
def test_sync_beat_schedule_puts_every_entry_in_the_periodic_task_table(monkeypatch, capsys) -> None:
    monkeypatch.setitem(
        BEAT_SCHEDULE,
        "test-ping-every-5-minutes",
        {"task": "opencraft_ops.ping", "schedule": crontab(minute="*/5"), "args": (1,)},
    )
    call_command("sync_beat_schedule")
    task = PeriodicTask.objects.get(name="test-ping-every-5-minutes")
    assert task.task == "opencraft_ops.ping"
    assert task.crontab is not None and task.crontab.minute == "*/5"
    assert set(BEAT_SCHEDULE) <= set(PeriodicTask.objects.values_list("name", flat=True))
    # A role holder pauses it in the admin; syncing again keeps that and adds no duplicate.
    PeriodicTask.objects.filter(name="test-ping-every-5-minutes").update(enabled=False)
    call_command("sync_beat_schedule")
    assert PeriodicTask.objects.filter(name="test-ping-every-5-minutes").count() == 1
    assert PeriodicTask.objects.get(name="test-ping-every-5-minutes").enabled is False
    assert "entries in beat.py" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)  # beat's scheduler closes connections left in a transaction
def test_an_entry_a_role_holder_edited_is_never_overwritten_by_the_command_or_by_beat(
    monkeypatch, capsys
) -> None:
    call_command("sync_beat_schedule")
    # A role holder moves the Tempo sync to every 7 minutes and changes the digest's arguments.
    every_7, _ = CrontabSchedule.objects.get_or_create(minute="*/7", hour="*", timezone="UTC")
    PeriodicTask.objects.filter(name="sync-tempo").update(crontab=every_7)
    PeriodicTask.objects.filter(name="duties-digests").update(kwargs='{"at": "08:00"}')
    # A later release changes beat.py: the heartbeat (unedited) and the Tempo sync (edited).
    monkeypatch.setitem(
        BEAT_SCHEDULE, HEARTBEAT, {**BEAT_SCHEDULE[HEARTBEAT], "schedule": crontab(minute="*/2")}
    )
    monkeypatch.setitem(
        BEAT_SCHEDULE, "sync-tempo", {"task": "sync.tempo", "schedule": crontab(minute="*/3")}
    )
    call_command("sync_beat_schedule")
    out = capsys.readouterr().out
    assert "1 updated, 2 kept as edited (sync-tempo, duties-digests)" in out
    Scheduler(app=app)  # beat starting: it syncs the same way (update_from_dict)
    Scheduler(app=app)  # and again, after a restart
    assert PeriodicTask.objects.get(name="sync-tempo").crontab.minute == "*/7"
    assert PeriodicTask.objects.get(name="duties-digests").kwargs == '{"at": "08:00"}'
    assert PeriodicTask.objects.get(name=HEARTBEAT).crontab.minute == "*/2"  # followed beat.py
    assert PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE).count() == len(BEAT_SCHEDULE)


@pytest.mark.django_db
def test_a_deleted_entry_comes_back_and_rows_from_before_the_fingerprints_are_adopted(capsys) -> None:
    call_command("sync_beat_schedule")
    PeriodicTask.objects.filter(name="sync-jira").delete()
    # Written by the earlier command (no description); paused by a role holder back then.
    PeriodicTask.objects.filter(name="duties-open").update(description="", enabled=False)
    call_command("sync_beat_schedule")
    assert "1 new, 1 updated, 0 kept" in capsys.readouterr().out
    assert PeriodicTask.objects.get(name="sync-jira").enabled is True
    adopted = PeriodicTask.objects.get(name="duties-open")
    assert adopted.enabled is False and "beat.py:" in adopted.description
    call_command("sync_beat_schedule")
    assert "0 new, 0 updated, 0 kept" in capsys.readouterr().out
    assert PeriodicTask.objects.get(name="duties-open").enabled is False  # the switch is always kept
