"""Reads of the sync: the status of each source and the recent runs (a constant number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from opencraft_ops.integrations import config
from sync.models import SUCCESSFUL_OUTCOMES, SyncCursor, SyncRun, SyncSource

RECENT_RUNS = 30
CURSORS = {SyncSource.TEMPO: ["tempo.worklogs", "tempo.deletions"], SyncSource.JIRA: ["jira.issues"]}


@dataclass(frozen=True)
class SourceStatus:
    source: SyncSource
    configured: bool
    setting_hint: str
    last_run: SyncRun | None
    last_success: datetime | None
    watermarks: list[tuple[str, datetime | None]]


def configured_sources() -> dict[SyncSource, bool]:
    return {SyncSource.TEMPO: config.tempo_configured(), SyncSource.JIRA: config.jira_configured()}


def last_successes() -> dict[str, datetime | None]:
    """When each source last finished a successful run (one aggregate query)."""
    rows = (
        SyncRun.objects.filter(outcome__in=SUCCESSFUL_OUTCOMES)
        .values("source")
        .annotate(last=Max("finished"))
        .values_list("source", "last")
    )
    return dict(rows)


def sync_status() -> tuple[list[SourceStatus], list[SyncRun]]:
    """Queries: recent runs, last success per source, cursors."""
    recent = list(SyncRun.objects.order_by("-started", "-id")[:RECENT_RUNS])
    successes = last_successes()
    cursors = {c.name: c.value for c in SyncCursor.objects.all()}
    configured = configured_sources()
    hints = {
        SyncSource.TEMPO: "TEMPO_BASE_URL and TEMPO_API_TOKEN",
        SyncSource.JIRA: "JIRA_BASE_URL, JIRA_USER, JIRA_API_TOKEN",
    }
    statuses = [
        SourceStatus(
            source=source,
            configured=configured[source],
            setting_hint=hints[source],
            last_run=next((r for r in recent if r.source == source), None),
            last_success=successes.get(source),
            watermarks=[(name, cursors.get(name)) for name in CURSORS[source]],
        )
        for source in (SyncSource.TEMPO, SyncSource.JIRA)
    ]
    return statuses, recent
