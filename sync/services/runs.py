"""Recording sync runs, the one-run-per-source lock, and the feeds' cursors."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from opencraft_ops.integrations.tempo import SkippedRecord
from sync.models import MAX_STORED_SKIPS, SyncCursor, SyncMode, SyncOutcome, SyncRun, SyncSource

log = logging.getLogger("sync")

LOCK_TTL_SECONDS = 60 * 60  # a dead worker's lock expires after an hour
WATERMARK_OVERLAP = timedelta(minutes=2)

Progress = Callable[[int], None]


class SyncBusy(Exception):
    """Another run of the same source holds the lock."""


@contextmanager
def source_lock(source: str, *, ttl: int = LOCK_TTL_SECONDS) -> Iterator[None]:
    """One run per source at a time, across workers (the cache is Redis in production).

    ``cache.add`` is atomic; the lock expires by itself if the worker dies.
    """
    key = f"sync-lock:{source}"
    token = uuid.uuid4().hex
    if not cache.add(key, token, ttl):
        raise SyncBusy(f"A {source} sync is already running.")
    try:
        yield
    finally:
        if cache.get(key) == token:
            cache.delete(key)


@dataclass
class RunCounts:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    errors: int = 0
    skipped_records: list[dict[str, str]] = field(default_factory=list)
    unknown_authors: Counter[str] = field(default_factory=Counter)

    def skip(self, records: Iterable[SkippedRecord], *, error: bool = False) -> None:
        for record in records:
            if error:
                self.errors += 1
            else:
                self.skipped += 1
            log.warning("sync: left out %s: %s", record.remote_id, record.reason)
            if len(self.skipped_records) < MAX_STORED_SKIPS:
                self.skipped_records.append({"remote_id": record.remote_id, "reason": record.reason})


def run_start(*, source: SyncSource, mode: SyncMode, triggered_by: str = "") -> SyncRun:
    """Saved at once (outside the page transactions) so the status page shows running syncs."""
    return SyncRun.objects.create(source=source, mode=mode, started=timezone.now(), triggered_by=triggered_by)


def run_finish(run: SyncRun, counts: RunCounts, *, error: BaseException | None = None) -> SyncRun:
    run.finished = timezone.now()
    for name in ("fetched", "created", "updated", "deleted", "skipped", "errors"):
        setattr(run, name, getattr(counts, name))
    run.skipped_records = counts.skipped_records
    run.unknown_authors = dict(counts.unknown_authors.most_common())
    if error is not None:
        run.outcome = SyncOutcome.FAILED
        run.message = f"{type(error).__name__}: {error}"[:2000]
    else:
        run.outcome = SyncOutcome.PARTIAL if counts.skipped or counts.errors else SyncOutcome.SUCCESS
        if counts.unknown_authors:
            run.message = (
                f"{len(counts.unknown_authors)} worklog author(s) match no member's JIRA account id; "
                "their worklogs are kept and will link once the member's account id is set."
            )
    run.save()
    return run


@contextmanager
def recorded_run(
    *, source: SyncSource, mode: SyncMode, triggered_by: str = ""
) -> Iterator[tuple[SyncRun, RunCounts]]:
    """Records a run; a failure is saved on the run, then re-raised for the task's retry policy."""
    run = run_start(source=source, mode=mode, triggered_by=triggered_by)
    counts = RunCounts()
    try:
        yield run, counts
    except BaseException as exc:
        run_finish(run, counts, error=exc)
        log.error("sync %s %s failed: %s", source, mode, exc)
        raise
    run_finish(run, counts)


def cursor_get(name: str) -> SyncCursor:
    cursor, _ = SyncCursor.objects.get_or_create(name=name)
    return cursor


def cursor_note_pending(cursor: SyncCursor, newest: datetime | None) -> None:
    """Inside a page's transaction: remember the newest change stored so far."""
    if newest is not None and (cursor.pending is None or newest > cursor.pending):
        cursor.pending = newest
        cursor.save(update_fields=["pending", "updated_at"])


def cursor_advance(cursor: SyncCursor, *, run_started: datetime) -> None:
    """At the end of the feed: the next run starts from the newest change seen (never later than
    this run's start), less an overlap that absorbs clock skew and same-second edits."""
    if cursor.pending is not None:
        newest = min(cursor.pending, run_started)
        candidate = newest - WATERMARK_OVERLAP
        if cursor.value is None or candidate > cursor.value:
            cursor.value = candidate
    cursor.pending = None
    cursor.save(update_fields=["value", "pending", "updated_at"])
