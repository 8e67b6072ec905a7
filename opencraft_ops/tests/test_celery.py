"""Celery: a real task through Redis to a real worker; the beat schedule in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from opencraft_ops.beat import BEAT_SCHEDULE
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
        assert result.get(timeout=60) == 42
        assert result.successful()
    finally:
        app.conf.task_always_eager = eager


def test_beat_schedule_is_loaded_from_beat_py() -> None:
    app.finalize()
    assert app.conf.beat_schedule == BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


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
