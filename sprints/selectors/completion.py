"""What completing a cell's sprint will do (the dry run shown before the run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opencraft_ops import calendar
from opencraft_ops.integrations.config import jira_configured
from roles.models import Cell
from sprints.calculations import completion as completion_calc
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
    jira_reason: str = ""
    duties_from: date | None = None

    @property
    def sentences(self) -> list[tuple[str, str]]:
        """(step name, what it will do), in the order the run takes them."""
        return completion_calc.plan_sentences(
            completion_calc.PlanFacts(
                sprint_number=self.sprint.number,
                next_number=self.next_sprint.number,
                next_start=self.next_sprint.start,
                spill_keys=[t.key for t in self.spill],
                finished=self.finished,
                jira_reason=self.jira_reason,
                jira_board_id=self.jira_board_id,
                current_jira_sprint=self.current_jira_sprint,
                next_jira_sprint=self.next_jira_sprint,
                duties_from=self.duties_from or self.next_sprint.start,
            )
        )


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
        jira_reason=_jira_reason(cell),
        duties_from=nxt.start,
    )


def _jira_reason(cell: Cell) -> str:
    # The same words as sprints.services.jira_skip_reason (selectors never import services).
    if not jira_configured():
        return "the portal has no JIRA connection (JIRA_BASE_URL is not set)"
    if cell.jira_board_id is None:
        return f"{cell} has no JIRA board"
    return ""


def sprint_to_complete(*, cell: Cell, today: date) -> int | None:
    """The number of the cell's sprint whose completion is due ``today`` (the call to action on
    the board), or None. One query: the completions of the previous and current sprint."""
    current = calendar.sprint_on(today)
    done = set(
        SprintCompletion.objects.filter(
            cell=cell, sprint__number__in=[current.number - 1, current.number], state="done"
        ).values_list("sprint__number", flat=True)
    )
    return completion_calc.sprint_to_complete(
        today=today,
        current=current,
        previous_done=current.number - 1 in done or current.number == 1,
        current_done=current.number in done,
    )


def completion_status(*, cell: Cell, sprint_number: int) -> dict[str, Any]:
    """What the live progress shows (the JSON the completion page polls): the run's state and
    each step, done (with what it did, in words), running or waiting. Two queries."""
    completion = (
        SprintCompletion.objects.filter(cell=cell, sprint__number=sprint_number)
        .prefetch_related("steps")
        .first()
    )
    return completion_progress(completion, sprint_number=sprint_number)


def _state_label(completion: SprintCompletion | None) -> str:
    if completion is None:
        return "Not started"
    if completion.state == "planned":
        # Requested, not picked up yet: with a worker it waits in the queue a moment.
        return "Queued"
    return str(completion.get_state_display())


def completion_progress(completion: SprintCompletion | None, *, sprint_number: int) -> dict[str, Any]:
    """``completion_status`` of a completion already loaded with its steps (no query)."""
    steps_done = {s.name: s for s in completion.steps.all()} if completion else {}
    state = completion.state if completion else "none"
    running_next = state == "running"
    steps: list[dict[str, str | None]] = []
    for name, label in completion_calc.STEP_LABELS.items():
        step = steps_done.get(name)
        if step is not None:
            steps.append(
                {
                    "name": name,
                    "label": label,
                    "status": "done",
                    "result": completion_calc.step_sentence(name, step.detail),
                    "done_at": step.done_at.isoformat(),
                }
            )
            continue
        status = "waiting"
        if running_next:
            status, running_next = "running", False
        elif state == "failed" and completion and completion.last_error.startswith(f"{name}:"):
            status = "failed"
        steps.append({"name": name, "label": label, "status": status, "result": "", "done_at": None})
    return {
        "sprint": sprint_number,
        "state": state,
        "state_label": _state_label(completion),
        "done": len(steps_done),
        "total": len(steps),
        "error": completion.last_error if completion else "",
        "finished": state in {"done", "failed"},
        "steps": steps,
    }
