"""Issues deleted in JIRA: after a complete read of the synced projects, their tickets and
epics that JIRA did not return are deleted here.

JIRA has no feed of deleted issues, so only a run that read every issue of the projects (a
full sync, or the first one) can tell. Each missing id is asked for once more (``GET
/issue/{id}``) before anything is deleted: an issue that a shifting page hid is stored
instead, one moved to a project we do not sync or that changed between epic and ticket is
no longer ours and goes. A project that returned no issue at all while we hold some of its
tickets is left alone and reported (a lost Browse permission looks exactly like that).

Deleting is a hard delete: nothing references tickets or epics with PROTECT. Their worklogs
stay (``Worklog.ticket`` becomes empty, ``jira_issue_id`` keeps the JIRA id), spillovers of a
deleted ticket and the epic's own records go with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from epics.models import Epic
from opencraft_ops.integrations.jira import IssuePage, JiraClient, JiraIssue
from opencraft_ops.integrations.tempo import SkippedRecord
from sprints.models import Ticket
from sync.services.jira.context import Seen
from sync.services.runs import RunCounts

log = logging.getLogger("sync")

MAX_CHECKS = 500  # missing issues asked for one by one in a run; more are held back and reported


def _project_of(key: str) -> str:
    return key.rsplit("-", 1)[0].upper()


def issues_delete_unseen(
    *,
    client: JiraClient,
    projects: Sequence[str],
    seen: Seen,
    counts: RunCounts,
    store_epics: Callable[[IssuePage], None],
    store_tickets: Callable[[IssuePage], None],
) -> None:
    synced = {p.upper() for p in projects}
    if not synced:
        return
    in_projects = Q()
    for project in synced:
        in_projects |= Q(key__startswith=f"{project}-")
    candidates: list[tuple[Any, str, str, bool]] = []  # (model, jira id, key, is epic)
    for model, ids, is_epic in ((Epic, seen.epics, True), (Ticket, seen.tickets, False)):
        rows = model.objects.filter(in_projects).exclude(jira_id=None).values_list("jira_id", "key")
        candidates += [
            (model, str(jira_id), key, is_epic)
            for jira_id, key in rows
            if jira_id not in ids and jira_id not in seen.skipped and key not in seen.skipped
        ]
    blind = {p for p in synced if p not in seen.projects}
    held = [c for c in candidates if _project_of(c[2]) in blind]
    for project in sorted(blind & {_project_of(c[2]) for c in held}):
        count = sum(1 for c in held if _project_of(c[2]) == project)
        counts.skip(
            [
                SkippedRecord(
                    f"project {project}",
                    f"JIRA returned no issue of {project}: its {count} ticket(s)/epic(s) are kept, "
                    "not deleted (check the JIRA user's Browse permission on the project).",
                )
            ]
        )
    candidates = [c for c in candidates if _project_of(c[2]) not in blind]
    if len(candidates) > MAX_CHECKS:
        counts.skip(
            [
                SkippedRecord(
                    "deletions",
                    f"{len(candidates) - MAX_CHECKS} more issues missing from JIRA are kept until "
                    f"the next full sync (at most {MAX_CHECKS} are checked per run).",
                )
            ]
        )
        candidates = candidates[:MAX_CHECKS]
    gone: dict[Any, list[str]] = {Epic: [], Ticket: []}
    for model, jira_id, key, is_epic in candidates:
        issue = client.issue(jira_id)
        if issue is not None and _still_ours(issue, synced, is_epic=is_epic):
            log.info("sync: %s was missing from the search but is in JIRA: stored", key)
            page = IssuePage(issues=[issue], skipped=[])
            with transaction.atomic():
                (store_epics if is_epic else store_tickets)(page)
            continue
        gone[model].append(jira_id)
    with transaction.atomic():
        for model in (Ticket, Epic):  # tickets first: an epic's tickets lose their link, not more
            if gone[model]:
                _, per_model = model.objects.filter(jira_id__in=gone[model]).delete()
                counts.deleted += per_model.get(model._meta.label, 0)


def _still_ours(issue: JiraIssue, synced: set[str], *, is_epic: bool) -> bool:
    return issue.project_key.upper() in synced and issue.is_epic == is_epic
