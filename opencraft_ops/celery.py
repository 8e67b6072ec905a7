"""The Celery application. Tasks live in each app's ``tasks.py``; the beat
schedule lives in ``opencraft_ops/beat.py`` and is loaded into
django-celery-beat's tables, where role holders can see and change it."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencraft_ops.settings")

app = Celery("opencraft_ops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _load_beat_schedule(sender: Celery, **kwargs: object) -> None:
    from opencraft_ops.beat import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE


@app.task(name="opencraft_ops.ping")
def ping(value: int) -> int:
    """A trivial task the test suite sends through Redis to a real worker."""
    return value + 1


@app.task(name="opencraft_ops.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat every minute (opencraft_ops/beat.py); its being sent is the signal."""
