"""Reads of the sync: the status of each source and the recent runs (a constant number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Q
from django_celery_beat.models import PeriodicTask

from opencraft_ops.integrations import config
from sync.models import (
    DEMO_TRIGGER,
    FEED_KINDS,
    FEED_MODES,
    SUCCESSFUL_OUTCOMES,
    SyncCursor,
    SyncRun,
    SyncSource,
)

RECENT_RUNS = 30
CURSORS = {SyncSource.TEMPO: ["tempo.worklogs", "tempo.deletions"], SyncSource.JIRA: ["jira.issues"]}
SETTING_HINTS = {
    SyncSource.TEMPO: "TEMPO_BASE_URL and TEMPO_API_TOKEN",
    SyncSource.JIRA: "JIRA_BASE_URL, JIRA_USER, JIRA_API_TOKEN",
}
FEED_NAMES = {SyncSource.TEMPO: "Tempo worklogs", SyncSource.JIRA: "JIRA boards and issues"}


@dataclass(frozen=True)
class SourceStatus:
    source: SyncSource
    configured: bool
    setting_hint: str
    last_run: SyncRun | None
    last_success: datetime | None  # of the source's feed (worklogs / issues), real runs only
    demo_synced: datetime | None  # when the demo seeding last synced it from the built-in fakes
    watermarks: list[tuple[str, datetime | None]]

    @property
    def feed_name(self) -> str:
        return FEED_NAMES[self.source]


@dataclass(frozen=True)
class SourceTimes:
    last_success: datetime | None = None
    demo_synced: datetime | None = None


def configured_sources() -> dict[SyncSource, bool]:
    return {SyncSource.TEMPO: config.tempo_configured(), SyncSource.JIRA: config.jira_configured()}


def _feed_success() -> Q:
    """A successful run of a source's feed (the Tempo worklog feed or the JIRA issues), in a
    mode that moves its watermark; the accounts, date ranges, reconciliations, skipped runs and
    the demo seeding's runs from the built-in fakes do not keep a source current."""
    feeds = Q()
    for source, kind in FEED_KINDS.items():
        feeds |= Q(source=source, kind=kind)
    return (
        feeds
        & Q(outcome__in=SUCCESSFUL_OUTCOMES, mode__in=FEED_MODES, finished__isnull=False)
        & ~Q(triggered_by=DEMO_TRIGGER)
    )


def source_times() -> dict[str, SourceTimes]:
    """Per source: the last successful feed run and the last demo run (one aggregate query)."""
    rows = (
        SyncRun.objects.values("source")
        .annotate(
            last=Max("finished", filter=_feed_success()),
            demo=Max("finished", filter=Q(triggered_by=DEMO_TRIGGER)),
        )
        .values_list("source", "last", "demo")
    )
    return {source: SourceTimes(last_success=last, demo_synced=demo) for source, last, demo in rows}


def last_successes() -> dict[str, datetime | None]:
    """When each source's feed last finished a successful run (one aggregate query)."""
    return {source: times.last_success for source, times in source_times().items()}


def beat_last_tick(entry_name: str) -> datetime | None:
    """When beat last sent the named entry (its last run, which beat writes as it sends)."""
    return PeriodicTask.objects.filter(name=entry_name).values_list("last_run_at", flat=True).first()


def sync_status() -> tuple[list[SourceStatus], list[SyncRun]]:
    """Queries: recent runs, the last success and demo run per source, cursors."""
    recent = list(SyncRun.objects.order_by("-started", "-id")[:RECENT_RUNS])
    times = source_times()
    cursors = {c.name: c.value for c in SyncCursor.objects.all()}
    configured = configured_sources()
    statuses = [
        SourceStatus(
            source=source,
            configured=configured[source],
            setting_hint=SETTING_HINTS[source],
            last_run=next((r for r in recent if r.source == source), None),
            last_success=times.get(source, SourceTimes()).last_success,
            demo_synced=times.get(source, SourceTimes()).demo_synced,
            watermarks=[(name, cursors.get(name)) for name in CURSORS[source]],
        )
        for source in (SyncSource.TEMPO, SyncSource.JIRA)
    ]
    return statuses, recent
