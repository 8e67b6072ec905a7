"""The beat schedule in the database: created from opencraft_ops/beat.py when missing,
never overwritten once a role holder has edited it.

django-celery-beat's own DatabaseScheduler writes every beat.py entry over its row
each time beat starts, undoing what a role holder changed in the admin (a paused
sync, a later digest hour). Here each row created from beat.py carries, in its
description, a fingerprint of what was written; a row whose fields still match its
fingerprint is untouched and follows beat.py's changes, a row that differs was
edited and is kept as it is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from django.db import transaction
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

MARK = "Default from opencraft_ops/beat.py; edits made here are kept."
_FINGERPRINT = re.compile(r"\[beat\.py:([0-9a-f]{16})\]")


@dataclass
class BeatSyncSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by a role holder


def _schedule_text(task: PeriodicTask) -> str:
    if task.crontab is not None:
        c = task.crontab
        return f"crontab {c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week} {c.timezone}"
    if task.interval is not None:
        return f"every {task.interval.every} {task.interval.period}"
    if task.solar is not None:
        return f"solar {task.solar.event} {task.solar.latitude} {task.solar.longitude}"
    if task.clocked is not None:
        return f"clocked {task.clocked.clocked_time.isoformat()}"
    return "none"


def fingerprint(task: PeriodicTask) -> str:
    """What a role holder can change about a row, hashed."""
    parts = [
        task.task,
        _schedule_text(task),
        task.args,
        task.kwargs,
        task.enabled,
        task.one_off,
        task.queue,
        task.exchange,
        task.routing_key,
        task.headers,
        task.priority,
        task.expires,
        task.expire_seconds,
        task.start_time,
    ]
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def _stamp(task: PeriodicTask) -> None:
    task.description = f"{MARK} [beat.py:{fingerprint(task)}]"
    task.save(update_fields=["description"])


def _write(name: str, entry: Mapping[str, Any], app: Celery) -> PeriodicTask:
    model: PeriodicTask = ModelEntry.from_entry(name, app=app, **entry).model
    model.refresh_from_db()
    _stamp(model)
    return model


@transaction.atomic
def beat_schedule_sync(*, schedule: Mapping[str, Mapping[str, Any]], app: Celery) -> BeatSyncSummary:
    """Creates the entries missing from the database and brings the unedited ones up to
    date with ``schedule``; rows a role holder edited are left as they are."""
    summary = BeatSyncSummary()
    # Locked so that two runs at once (beat starting while a deployment syncs) take turns.
    rows = {t.name: t for t in PeriodicTask.objects.select_for_update().filter(name__in=list(schedule))}
    for name, entry in schedule.items():
        row = rows.get(name)
        if row is None:
            _write(name, entry, app)
            summary.created.append(name)
            continue
        if not row.description:
            # Written before the fingerprints (writing never touches the enabled switch).
            _write(name, entry, app)
            summary.updated.append(name)
            continue
        stamped = _FINGERPRINT.search(row.description)
        if stamped is None or stamped.group(1) != fingerprint(row):
            summary.kept.append(name)  # edited (or made by hand before the fingerprints)
            continue
        written = _write(name, entry, app)
        if fingerprint(written) != stamped.group(1):
            summary.updated.append(name)
    return summary


class Scheduler(DatabaseScheduler):  # type: ignore[misc]
    """django-celery-beat's DatabaseScheduler, except that starting beat creates the
    missing entries and never overwrites an edited one (``beat_schedule_sync``)."""

    def update_from_dict(self, mapping: Mapping[str, Mapping[str, Any]]) -> None:
        beat_schedule_sync(schedule=mapping, app=self.app)
        self.schedule.update(
            {
                task.name: self.Entry(task, app=self.app)
                for task in PeriodicTask.objects.filter(name__in=list(mapping), enabled=True)
            }
        )
