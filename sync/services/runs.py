"""Recording sync runs, the one-run-per-source lock, and the feeds' cursors."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from opencraft_ops.integrations.tempo import SkippedRecord
from sync.models import (
    FEED_KINDS,
    MAX_STORED_SKIPS,
    SyncCursor,
    SyncKind,
    SyncMode,
    SyncOutcome,
    SyncRun,
    SyncSource,
)

log = logging.getLogger("sync")

LOCK_TTL_SECONDS = 60 * 60  # a dead worker's lock expires after an hour

Progress = Callable[[int], None]


class SyncBusy(Exception):
    """Another run of the same source holds the lock: this run was refused and not recorded."""


class RunSkipped(Exception):
    """Raised inside ``recorded_run`` when there is nothing to sync (e.g. no cell has a JIRA
    board): the run is recorded as SKIPPED with this message, never as a success."""


def watermark_overlap() -> timedelta:
    return timedelta(minutes=settings.SYNC_WATERMARK_OVERLAP_MINUTES)


@contextmanager
def source_lock(source: str, *, ttl: int = LOCK_TTL_SECONDS) -> Iterator[None]:
    """One run per source at a time, across workers (the cache is Redis in production).

    ``cache.add`` is atomic; the lock expires by itself after ``ttl`` seconds if the worker dies.
    """
    key = f"sync-lock:{source}"
    token = uuid.uuid4().hex
    if not cache.add(key, token, ttl):
        label = SyncSource(source).label if source in SyncSource.values else source
        raise SyncBusy(
            f"A {label} sync is already running; this one was not started "
            f"(a stuck lock expires {ttl // 60} minutes after it was taken)."
        )
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
    # The first ``max_stored`` skipped records, by name, for the run page ...
    skipped_records: list[dict[str, str]] = field(default_factory=list)
    # ... and the ids of every one of them (the reconciliation must keep them all).
    skipped_ids: set[str] = field(default_factory=set)
    unknown_authors: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    max_stored: int = field(
        default_factory=lambda: int(getattr(settings, "SYNC_MAX_STORED_SKIPS", MAX_STORED_SKIPS))
    )

    def skip(self, records: Iterable[SkippedRecord], *, error: bool = False) -> None:
        for record in records:
            if error:
                self.errors += 1
            else:
                self.skipped += 1
            self.skipped_ids.add(record.remote_id)
            log.warning("sync: left out %s: %s", record.remote_id, record.reason)
            if len(self.skipped_records) < self.max_stored:
                self.skipped_records.append({"remote_id": record.remote_id, "reason": record.reason})

    def note(self, text: str) -> None:
        """A line for the run's message (e.g. why deletions were held back)."""
        if text not in self.notes:
            self.notes.append(text)


def runs_abandon(*, source: SyncSource, older_than: timedelta, now: datetime) -> int:
    """Marks runs of ``source`` still RUNNING after the lock's lifetime as failed: their worker
    died (a run that ends, even by an exception, records its outcome). One UPDATE."""
    minutes = int(older_than.total_seconds() // 60)
    return SyncRun.objects.filter(
        source=source, outcome=SyncOutcome.RUNNING, started__lt=now - older_than
    ).update(
        outcome=SyncOutcome.FAILED,
        finished=now,
        errors=F("errors") + 1,
        message=f"Abandoned: still marked running more than {minutes} minutes (the lock's lifetime) after it "
        "started, so its worker died; a later run picks up from the watermark.",
    )


def run_start(
    *,
    source: SyncSource,
    mode: SyncMode,
    kind: SyncKind | None = None,
    triggered_by: str = "",
    abandoned_after: int = LOCK_TTL_SECONDS,
) -> SyncRun:
    """Saved at once (outside the page transactions) so the status page shows running syncs.

    Called with the source's lock held: first closes the source's runs whose worker died."""
    now = timezone.now()
    abandoned = runs_abandon(source=source, older_than=timedelta(seconds=abandoned_after), now=now)
    if abandoned:
        log.warning("sync %s: marked %d abandoned run(s) as failed", source, abandoned)
    return SyncRun.objects.create(
        source=source,
        kind=kind or FEED_KINDS[SyncSource(source)],
        mode=mode,
        started=now,
        triggered_by=triggered_by,
    )


def run_finish(
    run: SyncRun, counts: RunCounts, *, error: BaseException | None = None, skipped: str = ""
) -> SyncRun:
    run.finished = timezone.now()
    for name in ("fetched", "created", "updated", "deleted", "skipped", "errors"):
        setattr(run, name, getattr(counts, name))
    run.skipped_records = counts.skipped_records
    run.unknown_authors = dict(counts.unknown_authors.most_common())
    notes = [run.message] if run.message else []
    if error is not None:
        run.outcome = SyncOutcome.FAILED
        notes.insert(0, f"{type(error).__name__}: {error}")
    elif skipped:
        run.outcome = SyncOutcome.SKIPPED
        notes.insert(0, skipped)
    else:
        run.outcome = SyncOutcome.PARTIAL if counts.skipped or counts.errors else SyncOutcome.SUCCESS
    notes += counts.notes
    if counts.unknown_authors and error is None:
        notes.append(
            f"{len(counts.unknown_authors)} worklog author(s) match no member's JIRA account id; "
            "their worklogs are kept and will link once the member's account id is set."
        )
    run.message = " ".join(notes)[:2000]
    run.save()
    return run


@contextmanager
def recorded_run(
    *,
    source: SyncSource,
    mode: SyncMode,
    kind: SyncKind | None = None,
    triggered_by: str = "",
    abandoned_after: int = LOCK_TTL_SECONDS,
) -> Iterator[tuple[SyncRun, RunCounts]]:
    """Records a run (``kind`` defaults to the source's feed: worklogs or issues).

    A failure is counted as an error and saved on the run, then re-raised for the task's retry
    policy; ``RunSkipped`` records a SKIPPED run and is not re-raised."""
    run = run_start(
        source=source, mode=mode, kind=kind, triggered_by=triggered_by, abandoned_after=abandoned_after
    )
    counts = RunCounts()
    try:
        yield run, counts
    except RunSkipped as exc:
        run_finish(run, counts, skipped=str(exc) or "Nothing to sync.")
        log.info("sync %s %s skipped: %s", source, mode, exc)
        return
    except BaseException as exc:
        counts.errors += 1
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


def cursor_advance(cursor: SyncCursor, *, run_started: datetime, fields: str | None = None) -> None:
    """At the end of the feed: the next run starts from the newest change seen (never later than
    this run's start), less SYNC_WATERMARK_OVERLAP_MINUTES: the overlap absorbs clock skew,
    same-second edits and changes Tempo indexes late (re-reading them changes nothing).
    ``fields`` records what the records were read with (see ``SyncCursor.fields``)."""
    if cursor.pending is not None:
        newest = min(cursor.pending, run_started)
        candidate = newest - watermark_overlap()
        if cursor.value is None or candidate > cursor.value:
            cursor.value = candidate
    cursor.pending = None
    if fields is not None:  # what the feed's records were read with (the JIRA fields)
        cursor.fields = fields
    cursor.save(update_fields=["value", "pending", "fields", "updated_at"])
