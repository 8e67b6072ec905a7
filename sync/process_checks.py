"""Findings of the sync: a configured source's feed has not synced successfully for an hour
(one query); a JIRA status the portal does not know, mapped by its category (two queries)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from opencraft_ops.process_checks import CheckContext, Finding, Severity, register
from sprints.models import Ticket
from sync.calculations import epic_status_for, ticket_status_for
from sync.models import JiraStatus, SyncSource
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
        since = f"since {date_format(timezone.localtime(last), 'DATETIME_FORMAT')}" if last else "yet"
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


MAX_LISTED_KEYS = 10


@register(
    "jira-status-unmapped",
    title="A JIRA status the portal does not know",
    description="The JIRA sync met a workflow status that is not a portal status and has no mapping "
    "in the admin: its issues are mapped by JIRA's status category (to do, in progress, done), "
    "which decides capacity, review time and spillovers. One finding per status, for the DevOps "
    "specialists, with the tickets it touches; mapping the status in the admin resolves it.",
)
def jira_status_unmapped(context: CheckContext) -> Iterator[Finding]:
    # Queries: the statuses without a mapping (one); the tickets in them (one, when any).
    rows = list(JiraStatus.objects.filter(ticket_status="", epic_status=""))
    unknown = [
        r
        for r in rows
        if not ticket_status_for(r.name, r.category).known and not epic_status_for(r.name, r.category).known
    ]
    if not unknown:
        return
    tickets: dict[str, list[str]] = {}
    for status, key in (
        Ticket.objects.filter(jira_status__in=[r.name for r in unknown])
        .order_by("key")
        .values_list("jira_status", "key")
    ):
        tickets.setdefault(status, []).append(key)
    for row in unknown:
        keys = tickets.get(row.name) or list(row.issue_keys)
        listed = ", ".join(keys[:MAX_LISTED_KEYS]) + (
            f" and {len(keys) - MAX_LISTED_KEYS} more" if len(keys) > MAX_LISTED_KEYS else ""
        )
        ticket = ticket_status_for(row.name, row.category).status
        epic = epic_status_for(row.name, row.category).status
        yield Finding(
            rule="jira-status-unmapped",
            severity=Severity.WARNING,
            message=f"JIRA status {row.name!r} ({row.category or 'no category'}) is not a portal status: "
            f"its tickets count as {ticket!r} and its epics as {epic!r} by its category"
            + (f" (issues: {listed})" if listed else "")
            + ". A DevOps specialist should map it in the admin (JIRA statuses): to another status if that "
            "is wrong, or to the same one to accept it.",
            subject=f"jira-status:{row.name}",
            url=reverse("admin:sync_jirastatus_change", args=[row.pk]),
            role_slug=OWNER_ROLE,
        )
