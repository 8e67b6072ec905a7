"""What completing a cell's sprint will do (the dry run shown before the run)."""

from __future__ import annotations

from dataclasses import dataclass

from roles.models import Cell
from sprints.models import BoardSprint, CompletionStep, Sprint, SprintCompletion, Ticket
from sprints.selectors.common import finished_statuses, sprint_row
from sprints.selectors.tickets import unfinished_tickets


@dataclass(frozen=True)
class CompletionPlan:
    """What completing a cell's sprint will do (the dry run)."""

    sprint: Sprint
    next_sprint: Sprint
    spill: list[Ticket]  # unfinished tickets: spillovers, moved to the next sprint
    finished: int
    jira_board_id: int | None
    current_jira_sprint: int | None
    next_jira_sprint: int | None
    completion: SprintCompletion | None
    steps_done: list[CompletionStep]


def completion_plan(*, cell: Cell, sprint_number: int) -> CompletionPlan:
    sprint = sprint_row(sprint_number)
    nxt = sprint_row(sprint_number + 1)
    spill = unfinished_tickets(cell=cell, sprint_number=sprint_number)
    finished = Ticket.objects.filter(
        cell=cell, sprint__number=sprint_number, status__in=finished_statuses()
    ).count()
    jira_ids = dict(
        BoardSprint.objects.filter(
            cell=cell, sprint__number__in=[sprint_number, sprint_number + 1]
        ).values_list("sprint__number", "jira_id")
    )
    completion = (
        SprintCompletion.objects.filter(cell=cell, sprint__number=sprint_number)
        .prefetch_related("steps")
        .first()
    )
    return CompletionPlan(
        sprint=sprint,
        next_sprint=nxt,
        spill=spill,
        finished=finished,
        jira_board_id=cell.jira_board_id,
        current_jira_sprint=jira_ids.get(sprint_number),
        next_jira_sprint=jira_ids.get(sprint_number + 1),
        completion=completion,
        steps_done=list(completion.steps.all()) if completion else [],
    )
