"""Copies opencraft_ops/beat.py's schedule into django-celery-beat's tables.

Beat does the same when it starts (``opencraft_ops.beat_scheduler.Scheduler``);
running this from ``make run`` (and deployments) makes the schedule visible and
editable in the admin before any beat process has run. Missing entries are
created and unedited ones follow beat.py; an entry a role holder edited in the
admin is never overwritten.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_celery_beat.models import PeriodicTask

from opencraft_ops.beat import BEAT_SCHEDULE
from opencraft_ops.beat_scheduler import beat_schedule_sync
from opencraft_ops.celery import app


class Command(BaseCommand):
    help = "Load the Celery beat schedule of opencraft_ops/beat.py into the database (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = beat_schedule_sync(schedule=BEAT_SCHEDULE, app=app)
        self.stdout.write(
            f"Beat schedule: {len(BEAT_SCHEDULE)} entries in beat.py, {len(summary.created)} new, "
            f"{len(summary.updated)} updated, {len(summary.kept)} kept as edited"
            f"{' (' + ', '.join(summary.kept) + ')' if summary.kept else ''}, "
            f"{PeriodicTask.objects.count()} periodic tasks in the database."
        )
