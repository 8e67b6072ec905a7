"""JIRA -> board sprints, epics and tickets.

Boards map to cells by ``Cell.jira_board_id``; each JIRA sprint maps to our numbered Sprint by
its dates (the sprint containing its middle day) and to the cell's BoardSprint (``boards``).
Issues come by a bounded JQL over the cells' projects, incrementally by ``updated >=
<watermark>`` written in the JIRA user's profile time zone (JIRA reads JQL dates in it), or
over an ``updated`` range; epics first, so tickets can link to them (``issues``). A run that
read every issue of the projects then deletes what JIRA no longer has (``deletions``).

- ``context``: the id maps of a run, what it saw, and when tickets entered their sprint;
- ``boards``: cells' board sprints;
- ``issues``: the epic and ticket upserts;
- ``deletions``: tickets and epics deleted in JIRA;
- ``statuses``: the workflow statuses met, for their mapping (``sync.calculations``).

The run is recorded before the client is built (from the settings when none is given), so a
wrong token, an unreachable JIRA or a field setting naming no field is a failed run on
``/sync/`` with its message. The fields read are remembered on the watermark: when they
change (a setting, a new story points field), the next run reads every issue again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from opencraft_ops.integrations import config
from opencraft_ops.integrations.jira import IssuePage, JiraClient, JiraFieldIds, issues_jql
from opencraft_ops.integrations.tempo import SkippedRecord
from sync.models import SyncCursor, SyncMode, SyncRun, SyncSource
from sync.services.jira.boards import board_sprints_sync
from sync.services.jira.context import ISSUE_CURSOR, Seen, SprintEntry, SyncContext, sprint_number_for
from sync.services.jira.deletions import issues_delete_unseen
from sync.services.jira.issues import epics_store_page, tickets_store_page
from sync.services.jira.statuses import jira_statuses_record
from sync.services.runs import (
    Progress,
    RunCounts,
    RunSkipped,
    cursor_advance,
    cursor_get,
    cursor_note_pending,
    recorded_run,
    source_lock,
)
from sync.services.tempo import worklogs_link_orphans

__all__ = [
    "ISSUE_CURSOR",
    "board_sprints_sync",
    "epics_store_page",
    "issues_delete_unseen",
    "jira_statuses_record",
    "jira_sync",
    "sprint_number_for",
    "tickets_store_page",
]


def _issue_feed(
    *,
    client: JiraClient,
    jql: str,
    store: Callable[[IssuePage], None],
    cursor: SyncCursor | None,
    progress: Progress | None,
) -> None:
    """Stores the pages one transaction each; on the watermark feed, with the cursor's progress."""
    for page in client.issue_pages(jql):
        with transaction.atomic():
            store(page)
            if cursor is not None:
                cursor_note_pending(cursor, max((i.updated for i in page.issues if i.updated), default=None))
        if progress:
            progress(len(page.issues) + len(page.skipped))


def _points_elsewhere(ctx: SyncContext, ids: JiraFieldIds, counts: RunCounts) -> None:
    """A pinned story points field that is empty where another one has points is an error of
    the run (it ends PARTIAL with the reason), never a silent success."""
    if not ids.story_points or not ctx.points_elsewhere:
        return
    pinned = ids.story_points[0]
    for other, n in ctx.points_elsewhere.most_common():
        counts.skip(
            [
                SkippedRecord(
                    "story points",
                    f"{n} issue(s) have no points in {ids.name_of(pinned)!r} ({pinned}, pinned by "
                    f"JIRA_FIELD_STORY_POINTS) but have some in {ids.name_of(other)!r} ({other}): "
                    "set JIRA_FIELD_STORY_POINTS to that field, or leave it empty to read both.",
                )
            ],
            error=True,
        )


def _sync(
    client: JiraClient,
    *,
    run: SyncRun,
    counts: RunCounts,
    full: bool,
    updated_from: datetime | None,
    updated_to: datetime | None,
    progress: Progress | None,
) -> None:
    ranged = updated_from is not None or updated_to is not None
    ctx = SyncContext()
    ids = client.field_ids()  # first: a field setting naming no field fails the run here
    projects = board_sprints_sync(client=client, ctx=ctx, counts=counts)
    if not projects:
        # Nothing was synced: a SKIPPED run, which never keeps the sync-stale check quiet.
        if ctx.cells:
            raise RunSkipped(
                "No cell's JIRA board gave a project to sync (boards missing in JIRA, or without "
                "a project key): check Cell.jira_board_id and jira_project_key."
            )
        raise RunSkipped("No cell has a JIRA board: set Cell.jira_board_id (and jira_project_key).")
    cursor = cursor_get(ISSUE_CURSOR)
    since = updated_from if ranged else None if full else cursor.value
    fields = ids.signature()
    if since is not None and not ranged and cursor.fields != fields:
        since = None
        counts.note(
            "The JIRA fields read changed since the last run "
            f"({cursor.fields or 'not recorded'} -> {fields}): every issue was read again."
        )
    # Only a read of every issue can tell what JIRA deleted.
    seen = Seen() if since is None and not ranged else None
    entry = SprintEntry(history_since=cursor.value, now=timezone.now())
    zone = client.user_time_zone()

    def store_epics(page: IssuePage) -> None:
        epics_store_page(page=page, ctx=ctx, counts=counts, seen=seen)

    def store_tickets(page: IssuePage) -> None:
        tickets_store_page(page=page, ctx=ctx, counts=counts, entry=entry, seen=seen)

    for epics, store in ((True, store_epics), (False, store_tickets)):
        jql = issues_jql(
            project_keys=projects, updated_since=since, updated_before=updated_to, epics=epics, zone=zone
        )
        _issue_feed(client=client, jql=jql, store=store, cursor=None if ranged else cursor, progress=progress)
    if not ranged:
        with transaction.atomic():
            cursor_advance(cursor, run_started=run.started, fields=fields)
    if seen is not None:
        issues_delete_unseen(
            client=client,
            projects=projects,
            seen=seen,
            counts=counts,
            store_epics=store_epics,
            store_tickets=store_tickets,
        )
    _points_elsewhere(ctx, ids, counts)
    jira_statuses_record(seen=ctx.statuses, counts=counts, now=timezone.now())
    worklogs_link_orphans()


def jira_sync(
    *,
    client: JiraClient | None = None,
    full: bool = False,
    updated_from: datetime | None = None,
    updated_to: datetime | None = None,
    progress: Progress | None = None,
    triggered_by: str = "",
) -> SyncRun:
    """Boards and sprints, then epics, then tickets; finally links worklogs whose issue just arrived.

    Incremental from the watermark by default; ``full`` reads every issue and deletes the
    synced tickets and epics JIRA no longer has; ``updated_from``/``updated_to`` (aware
    datetimes, from inclusive, to exclusive) read that ``updated`` range only, leaving the
    watermark and deletions alone. No cell board giving a project to read records a SKIPPED run.
    Without ``client``, one is built from the settings inside the recorded run (and closed).
    """
    ranged = updated_from is not None or updated_to is not None
    if ranged and full:
        raise ValueError("A full sync reads every issue: it takes no updated range.")
    for name, value in (("updated_from", updated_from), ("updated_to", updated_to)):
        if value is not None and timezone.is_naive(value):
            raise ValueError(f"{name} must be timezone-aware.")
    if updated_from and updated_to and updated_to <= updated_from:
        raise ValueError("updated_to must be after updated_from.")
    mode = SyncMode.RANGE if ranged else SyncMode.FULL if full else SyncMode.INCREMENTAL
    with (
        source_lock(SyncSource.JIRA),
        recorded_run(source=SyncSource.JIRA, mode=mode, triggered_by=triggered_by) as (
            run,
            counts,
        ),
    ):
        own_client = client is None
        jira = config.jira_client() if client is None else client
        try:
            _sync(
                jira,
                run=run,
                counts=counts,
                full=full,
                updated_from=updated_from,
                updated_to=updated_to,
                progress=progress,
            )
        finally:
            if own_client:
                jira.close()
    return run
