"""JIRA issues -> epics and tickets: one bulk upsert per page, keyed on the JIRA id.

Fields the portal owns (priorities, budgets, recurring flags...) are never overwritten. An
epic whose JIRA status changed gets its EpicStatusChange (``epic_status_record_external``);
a ticket that enters a sprint gets ``added_to_sprint_at`` (see ``SprintEntry``) so the board
can tell injections, and loses an injection acceptance given in the sprint it left.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction

from epics.models import Epic
from epics.services import epic_status_record_external
from opencraft_ops.integrations.jira import IssuePage, JiraIssue
from opencraft_ops.integrations.tempo import SkippedRecord
from sprints.models import Ticket
from sync.services.jira.context import Seen, SprintEntry, SyncContext
from sync.services.runs import RunCounts

TICKET_FIELDS = [
    "key",
    "summary",
    "issue_type",
    "status",
    "jira_status",
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
# Written on every update as well: a bulk upsert does not touch auto_now fields by itself.
TOUCHED = ["updated_at"]


def _note_seen(page: IssuePage, seen: Seen | None, *, epics: bool) -> None:
    if seen is None:
        return
    ids = seen.epics if epics else seen.tickets
    for issue in page.issues:
        ids.add(issue.jira_id)
        seen.projects.add(issue.project_key.upper())
    seen.skipped.update(record.remote_id for record in page.skipped)


def _epic_values(issue: JiraIssue, ctx: SyncContext, current_status: str | None) -> dict[str, Any]:
    status = ctx.epic_status(issue, current_status).status
    return {
        "key": issue.key,
        "title": issue.summary[:255],
        "cell_id": ctx.cell_by_project.get(issue.project_key.upper()),
        "account_id": ctx.account_of(issue),
        "owner_id": ctx.members.get(issue.assignee_account_id),
        "status": status,
    }


def _ticket_values(issue: JiraIssue, ctx: SyncContext, epics: dict[str, int]) -> dict[str, Any]:
    return {
        "key": issue.key,
        "summary": issue.summary,
        "issue_type": issue.issue_type[:50],
        "status": ctx.ticket_status(issue).status,
        "jira_status": issue.status[:100],
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


def epics_store_page(
    *, page: IssuePage, ctx: SyncContext, counts: RunCounts, seen: Seen | None = None
) -> None:
    counts.fetched += len(page.issues) + len(page.skipped)
    counts.skip(page.skipped)
    _note_seen(page, seen, epics=True)
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
        if local is not None and local.status != values["status"]:
            # The history of an epic's status, as if changed on its page (one change each).
            epic_status_record_external(
                epic=local, to_status=values["status"], note=f"Changed in JIRA to {issue.status}"
            )
        if local is not None and local.jira_id is None:
            for k, v in values.items():
                setattr(local, k, v)
            local.jira_id = issue.jira_id
            local.save()
            counts.updated += 1
            continue
        created += local is None
        rows.append(Epic(jira_id=issue.jira_id, **values))
    _upsert(Epic, rows, [*EPIC_FIELDS, *TOUCHED], counts, created)


def _skip_invalid(issue: JiraIssue, counts: RunCounts) -> bool:
    problem = _validate(issue)
    if problem:
        counts.skip([SkippedRecord(issue.key, f"issue: {problem}")])
    return problem is not None


def tickets_store_page(
    *,
    page: IssuePage,
    ctx: SyncContext,
    counts: RunCounts,
    entry: SprintEntry,
    seen: Seen | None = None,
) -> None:
    counts.fetched += len(page.issues) + len(page.skipped)
    counts.skip(page.skipped)
    _note_seen(page, seen, epics=False)
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
        accepted = local.injection_accepted if local is not None else False
        if local is None:
            added = entry.for_new(issue) if values["sprint_id"] else None
        elif local.sprint_id != values["sprint_id"]:
            added = entry.moved(issue) if values["sprint_id"] else None
            accepted = False  # an acceptance was for the sprint it left
        else:
            added = local.added_to_sprint_at
        if local is not None and local.jira_id is None:
            for k, v in values.items():
                setattr(local, k, v)
            local.jira_id = issue.jira_id
            local.added_to_sprint_at = added
            local.injection_accepted = accepted
            local.save()
            counts.updated += 1
            continue
        created += local is None
        rows.append(
            Ticket(jira_id=issue.jira_id, added_to_sprint_at=added, injection_accepted=accepted, **values)
        )
    _upsert(
        Ticket,
        rows,
        [*TICKET_FIELDS, "added_to_sprint_at", "injection_accepted", *TOUCHED],
        counts,
        created,
    )
