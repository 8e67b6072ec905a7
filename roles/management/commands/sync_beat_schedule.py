"""Copies opencraft_ops/beat.py's schedule into django-celery-beat's tables.

The DatabaseScheduler does the same when beat starts; running this from
``make run`` (and deployments) makes the schedule visible and editable in the
admin before any beat process has run. Existing entries are updated to match
beat.py (task, schedule, arguments); a role holder's "enabled" switch is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from opencraft_ops.beat import BEAT_SCHEDULE
from opencraft_ops.celery import app


class Command(BaseCommand):
    help = "Load the Celery beat schedule of opencraft_ops/beat.py into the database (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        for name, entry in BEAT_SCHEDULE.items():
            existed = PeriodicTask.objects.filter(name=name).exists()
            enabled = PeriodicTask.objects.filter(name=name).values_list("enabled", flat=True).first()
            ModelEntry.from_entry(name, app=app, **entry)
            if existed and enabled is False:
                PeriodicTask.objects.filter(name=name).update(enabled=False)
            created += int(not existed)
        self.stdout.write(
            f"Beat schedule: {len(BEAT_SCHEDULE)} entries in beat.py, {created} new, "
            f"{PeriodicTask.objects.count()} periodic tasks in the database."
        )
