"""A finding when a configured source's feed has not synced successfully for an hour (one query)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from opencraft_ops.process_checks import CheckContext, Finding, Severity, register
from sync.models import SyncSource
from sync.selectors import FEED_NAMES, configured_sources, last_successes

STALE_AFTER = timedelta(hours=1)
CRITICAL_AFTER = timedelta(days=1)
# The portal's integrations are shared infrastructure: the DevOps specialists look after them
# (tokens and base URLs are settings of the deployment; the status page shows the last errors).
OWNER_ROLE = "devops-specialist"


@register(
    "sync-stale",
    title="JIRA or Tempo has not synced for an hour",
    description="Figures built on worklogs and tickets go stale when the sync stops. Only the feeds "
    "count: Tempo worklogs and JIRA issues (the accounts, a date range or the nightly "
    "reconciliation do not). A source that is not configured is not checked.",
)
def sync_stale(context: CheckContext) -> Iterator[Finding]:
    # Queries: one aggregate of the last successful feed run per source (none when nothing is configured).
    configured = [source for source, on in configured_sources().items() if on]
    if not configured:
        return
    now = timezone.now()
    successes = last_successes()
    for source in configured:
        last = successes.get(source)
        if last is not None and now - last < STALE_AFTER:
            continue
        since = f"since {timezone.localtime(last):%Y-%m-%d %H:%M}" if last else "yet"
        yield Finding(
            rule="sync-stale",
            severity=Severity.CRITICAL if last is None or now - last >= CRITICAL_AFTER else Severity.WARNING,
            message=f"{FEED_NAMES[SyncSource(source)]} have not synced successfully {since}: a DevOps "
            "specialist should read the last runs' errors on the sync status page and fix the cause "
            "(a token, a base URL, a cell's JIRA board).",
            subject=f"sync:{source}",
            url=reverse("sync:status"),
            role_slug=OWNER_ROLE,
        )
