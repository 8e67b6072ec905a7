"""JIRA boards -> each cell's BoardSprints (one per JIRA sprint, numbered by its dates)."""

from __future__ import annotations

from django.db import transaction

from opencraft_ops.integrations.jira import JiraClient, JiraSprint
from opencraft_ops.integrations.tempo import SkippedRecord
from sprints.models import BoardSprint
from sync.services.jira.context import SyncContext, sprint_number_for
from sync.services.runs import RunCounts


def board_sprints_sync(*, client: JiraClient, ctx: SyncContext, counts: RunCounts) -> list[str]:
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
