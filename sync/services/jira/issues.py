"""JIRA -> board sprints, epics and tickets.

Boards map to cells by ``Cell.jira_board_id``; each JIRA sprint maps to our
numbered Sprint by its dates (the sprint containing its middle day) and to the
cell's BoardSprint. Issues come by a bounded JQL over the cells' projects,
incrementally by ``updated >= <watermark>``; epics first, so tickets can link to
them. Upserts are keyed on the JIRA id; fields the portal owns (priorities,
budgets, recurring flags...) are never overwritten.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from opencraft_ops.integrations.jira import IssuePage, JiraClient, JiraIssue, JiraSprint, issues_jql
from opencraft_ops.integrations.tempo import SkippedRecord
from roles.models import Cell, Member
from sprints import calculations, calendar
from sprints.models import BoardSprint, Epic, EpicStatus, Ticket
from sprints.services import sprint_ensure
from sustainability.models import Account
from sync.models import SyncMode, SyncRun, SyncSource
from sync.services.runs import (
    Progress,
    RunCounts,
    cursor_advance,
    cursor_get,
    cursor_note_pending,
    recorded_run,
    source_lock,
)
from sync.services.tempo import worklogs_link_orphans

log = logging.getLogger("sync")

ISSUE_CURSOR = "jira.issues"
EPIC_STATUS_BY_NAME = {label.lower(): value for value, label in EpicStatus.choices} | {
    value.replace("_", " "): value for value in EpicStatus.values
}
TICKET_FIELDS = [
    "key",
    "summary",
    "issue_type",
    "status",
    "cell_id",
    "assignee_id",
    "reviewer_id",
    "story_points",
    "original_estimate_seconds",
    "remaining_estimate_seconds",
    "time_spent_seconds",
    "account_id",
    "epic_id",
    "sprint_id",
    "labels",
    "jira_updated_at",
]
EPIC_FIELDS = ["key", "title", "cell_id", "account_id", "owner_id", "status"]


def sprint_number_for(sprint: JiraSprint) -> int | None:
    """Our sprint number for a dated JIRA sprint: the one containing its middle day."""
    if sprint.start is None:
        return None
    end = sprint.end or sprint.start + timedelta(days=13)
    middle = (sprint.start + (end - sprint.start) / 2).date()
    try:
        return calculations.sprint_number_on(middle, epoch=calendar.epoch())
    except ValueError:
        return None


class _Context:
    """Everything a run maps remote ids through, loaded once (a handful of queries)."""

    def __init__(self) -> None:
        self.cells = list(Cell.objects.exclude(jira_board_id=None).order_by("jira_board_id"))
        self.cell_by_project = {
            c.jira_project_key.upper(): c.pk for c in Cell.objects.exclude(jira_project_key="")
        }
        self.members: dict[str, int] = {
            a: i
            for a, i in Member.objects.exclude(jira_account_id=None).values_list("jira_account_id", "id")
            if a
        }
        self.accounts_by_tempo: dict[int, int] = {
            t: i
            for t, i in Account.objects.exclude(tempo_id=None).values_list("tempo_id", "id")
            if t is not None
        }
        self.accounts_by_key: dict[str, int] = dict(Account.objects.values_list("key", "id"))
        self.sprint_by_jira: dict[int, int] = {
            j: s
            for j, s in BoardSprint.objects.exclude(jira_id=None).values_list("jira_id", "sprint_id")
            if j is not None
        }
        self.sprint_ids: dict[int, int] = {}

    def our_sprint(self, number: int) -> int:
        if number not in self.sprint_ids:
            self.sprint_ids[number] = sprint_ensure(number=number).pk
        return self.sprint_ids[number]

    def account_of(self, issue: JiraIssue) -> int | None:
        if issue.account_id is not None and issue.account_id in self.accounts_by_tempo:
            return self.accounts_by_tempo[issue.account_id]
        return self.accounts_by_key.get(issue.account_key) if issue.account_key else None

    def sprint_of(self, issue: JiraIssue) -> int | None:
        current = issue.current_sprint
        if current is None:
            return None
        if current.id in self.sprint_by_jira:
            return self.sprint_by_jira[current.id]
        number = sprint_number_for(current)
        return self.our_sprint(number) if number is not None else None


def board_sprints_sync(*, client: JiraClient, ctx: _Context, counts: RunCounts) -> list[str]:
    """Stores each cell board's sprints as BoardSprints; returns the cells' project keys."""
    boards = {b.id: b for b in client.boards()}
    projects: list[str] = []
    for cell in ctx.cells:
        board = boards.get(int(cell.jira_board_id or 0))
        if board is None:
            counts.skip([SkippedRecord(f"board {cell.jira_board_id}", f"board of {cell} not found in JIRA")])
            continue
        key = (cell.jira_project_key or board.project_key).upper()
        if key:
            projects.append(key)
            ctx.cell_by_project.setdefault(key, cell.pk)
        sprints, skipped = client.sprints(board.id)
        counts.fetched += len(sprints) + len(skipped)
        counts.skip(skipped)
        dated = [s for s in sprints if sprint_number_for(s) is not None]
        last = max((n for s in dated if (n := sprint_number_for(s)) is not None), default=None)
        undated = sorted((s for s in sprints if s.start is None and s.state == "future"), key=lambda s: s.id)
        numbered: list[tuple[JiraSprint, int]] = [
            (s, n) for s in dated if (n := sprint_number_for(s)) is not None
        ]
        if last is not None:
            numbered += [(s, last + i) for i, s in enumerate(undated, start=1)]
        else:
            counts.skip(
                [
                    SkippedRecord(str(s.id), "future sprint without dates on a board with none dated")
                    for s in undated
                ]
            )
        with transaction.atomic():
            existing = {bs.jira_id: bs for bs in BoardSprint.objects.filter(cell=cell).exclude(jira_id=None)}
            by_sprint = {bs.sprint_id: bs for bs in BoardSprint.objects.filter(cell=cell)}
            for remote, number in numbered:
                sprint_id = ctx.our_sprint(number)
                local = existing.get(remote.id)
                holder = by_sprint.get(sprint_id)
                if holder is not None and holder.jira_id not in (None, remote.id) and local is None:
                    counts.skip(
                        [
                            SkippedRecord(
                                str(remote.id),
                                f"Sprint {number} of {cell} is already JIRA sprint {holder.jira_id}",
                            )
                        ]
                    )
                    continue
                target = local or holder
                values = {
                    "sprint_id": sprint_id,
                    "name": remote.name[:200],
                    "state": remote.state,
                    "jira_id": remote.id,
                }
                if target is None:
                    target = BoardSprint.objects.create(cell=cell, **values)
                    counts.created += 1
                elif any(getattr(target, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(target, k, v)
                    target.save()
                    counts.updated += 1
                by_sprint[sprint_id] = target
                ctx.sprint_by_jira[remote.id] = sprint_id
    return projects


def _epic_values(issue: JiraIssue, ctx: _Context, current_status: str | None) -> dict[str, Any]:
    status = EPIC_STATUS_BY_NAME.get(issue.status.lower(), current_status or EpicStatus.PROSPECT)
    return {
        "key": issue.key,
        "title": issue.summary[:255],
        "cell_id": ctx.cell_by_project.get(issue.project_key.upper()),
        "account_id": ctx.account_of(issue),
        "owner_id": ctx.members.get(issue.assignee_account_id),
        "status": status,
    }


def _ticket_values(issue: JiraIssue, ctx: _Context, epics: dict[str, int]) -> dict[str, Any]:
    return {
        "key": issue.key,
        "summary": issue.summary,
        "issue_type": issue.issue_type[:50],
        "status": issue.status[:50],
        "cell_id": ctx.cell_by_project.get(issue.project_key.upper()),
        "assignee_id": ctx.members.get(issue.assignee_account_id),
        "reviewer_id": ctx.members.get(issue.reviewer_account_id),
        "story_points": issue.story_points.quantize(Decimal("0.01"))
        if issue.story_points is not None
        else None,
        "original_estimate_seconds": issue.original_estimate_seconds,
        "remaining_estimate_seconds": issue.remaining_estimate_seconds,
        "time_spent_seconds": issue.time_spent_seconds,
        "account_id": ctx.account_of(issue),
        "epic_id": epics.get(issue.epic_key) if issue.epic_key else None,
        "sprint_id": ctx.sprint_of(issue),
        "labels": list(issue.labels),
        "jira_updated_at": issue.updated,
    }


def _validate(issue: JiraIssue) -> str | None:
    if len(issue.key) > 32 or len(issue.jira_id) > 32:
        return "key or id longer than 32 characters"
    if issue.story_points is not None and issue.story_points >= 1000:
        return f"story points out of range: {issue.story_points}"
    for name in ("original_estimate_seconds", "remaining_estimate_seconds", "time_spent_seconds"):
        value = getattr(issue, name)
        if value is not None and value > 2**31 - 1:
            return f"{name} out of range"
    return None


def _upsert(model: Any, rows: list[Any], fields: list[str], counts: RunCounts, created: int) -> None:
    """One bulk upsert on jira_id; if the database refuses the batch, row by row in savepoints."""
    if not rows:
        return
    try:
        with transaction.atomic():
            model.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["jira_id"], update_fields=fields
            )
        counts.created += created
        counts.updated += len(rows) - created
        return
    except DatabaseError:
        pass
    for row in rows:
        try:
            with transaction.atomic():
                if row.pk is None and model.objects.filter(jira_id=row.jira_id).exists():
                    row.pk = model.objects.get(jira_id=row.jira_id).pk
                if row.pk is None:
                    row.save(force_insert=True)
                    counts.created += 1
                else:
                    row.save(update_fields=fields)
                    counts.updated += 1
        except (DatabaseError, IntegrityError) as exc:
            counts.skip([SkippedRecord(row.key, f"not stored: {exc}".strip())], error=True)


def epics_store_page(*, page: IssuePage, ctx: _Context, counts: RunCounts) -> None:
    counts.fetched += len(page.issues) + len(page.skipped)
    counts.skip(page.skipped)
    issues = [i for i in page.issues if not _skip_invalid(i, counts)]
    existing = {e.jira_id: e for e in Epic.objects.filter(jira_id__in=[i.jira_id for i in issues])}
    # An epic first entered in the portal under the same key gets the JIRA id.
    by_key = {e.key: e for e in Epic.objects.filter(jira_id=None, key__in=[i.key for i in issues])}
    rows: list[Epic] = []
    created = 0
    for issue in issues:
        local = existing.get(issue.jira_id) or by_key.get(issue.key)
        values = _epic_values(issue, ctx, local.status if local else None)
        if (
            local is not None
            and local.jira_id == issue.jira_id
            and all(getattr(local, k) == v for k, v in values.items())
        ):
            continue
        if local is not None and local.jira_id is None:
            for k, v in values.items():
                setattr(local, k, v)
            local.jira_id = issue.jira_id
            local.save()
            counts.updated += 1
            continue
        created += local is None
        rows.append(Epic(jira_id=issue.jira_id, **values))
    _upsert(Epic, rows, EPIC_FIELDS, counts, created)


def _skip_invalid(issue: JiraIssue, counts: RunCounts) -> bool:
    problem = _validate(issue)
    if problem:
        counts.skip([SkippedRecord(issue.key, f"issue: {problem}")])
    return problem is not None


def tickets_store_page(*, page: IssuePage, ctx: _Context, counts: RunCounts, now: datetime) -> None:
    counts.fetched += len(page.issues) + len(page.skipped)
    counts.skip(page.skipped)
    issues = [i for i in page.issues if not i.is_epic and not _skip_invalid(i, counts)]
    epics = dict(
        Epic.objects.filter(key__in={i.epic_key for i in issues if i.epic_key}).values_list("key", "id")
    )
    existing = {t.jira_id: t for t in Ticket.objects.filter(jira_id__in=[i.jira_id for i in issues])}
    by_key = {t.key: t for t in Ticket.objects.filter(jira_id=None, key__in=[i.key for i in issues])}
    rows: list[Ticket] = []
    created = 0
    for issue in issues:
        values = _ticket_values(issue, ctx, epics)
        local = existing.get(issue.jira_id) or by_key.get(issue.key)
        if (
            local is not None
            and local.jira_id == issue.jira_id
            and all(getattr(local, k) == v for k, v in values.items())
        ):
            continue
        added = local.added_to_sprint_at if local is not None else None
        if local is not None and local.sprint_id != values["sprint_id"]:
            added = now if values["sprint_id"] else None  # JIRA gives no time: the sync notices the move
        if local is not None and local.jira_id is None:
            for k, v in values.items():
                setattr(local, k, v)
            local.jira_id = issue.jira_id
            local.added_to_sprint_at = added
            local.save()
            counts.updated += 1
            continue
        created += local is None
        rows.append(Ticket(jira_id=issue.jira_id, added_to_sprint_at=added, **values))
    _upsert(Ticket, rows, [*TICKET_FIELDS, "added_to_sprint_at"], counts, created)


def _issue_feed(
    *,
    client: JiraClient,
    jql: str,
    store: Any,
    cursor_pages: bool,
    cursor: Any,
    progress: Progress | None,
) -> None:
    for page in client.issue_pages(jql):
        with transaction.atomic():
            store(page)
            if cursor_pages:
                cursor_note_pending(cursor, max((i.updated for i in page.issues if i.updated), default=None))
        if progress:
            progress(len(page.issues) + len(page.skipped))


def jira_sync(
    *, client: JiraClient, full: bool = False, progress: Progress | None = None, triggered_by: str = ""
) -> SyncRun:
    """Boards and sprints, then epics, then tickets; finally links worklogs whose issue just arrived."""
    mode = SyncMode.FULL if full else SyncMode.INCREMENTAL
    with (
        source_lock(SyncSource.JIRA),
        recorded_run(source=SyncSource.JIRA, mode=mode, triggered_by=triggered_by) as (
            run,
            counts,
        ),
    ):
        ctx = _Context()
        projects = board_sprints_sync(client=client, ctx=ctx, counts=counts)
        if not projects:
            run.message = "No cell has a JIRA board: set Cell.jira_board_id (and jira_project_key)."
            return run
        cursor = cursor_get(ISSUE_CURSOR)
        since = None if full else cursor.value
        now = timezone.now()
        _issue_feed(
            client=client,
            jql=issues_jql(project_keys=projects, updated_since=since, epics=True),
            store=lambda page: epics_store_page(page=page, ctx=ctx, counts=counts),
            cursor_pages=True,
            cursor=cursor,
            progress=progress,
        )
        _issue_feed(
            client=client,
            jql=issues_jql(project_keys=projects, updated_since=since, epics=False),
            store=lambda page: tickets_store_page(page=page, ctx=ctx, counts=counts, now=now),
            cursor_pages=True,
            cursor=cursor,
            progress=progress,
        )
        with transaction.atomic():
            cursor_advance(cursor, run_started=run.started)
        worklogs_link_orphans()
    return run
