"""Demo data of the sprints app: sprint rows around today, each cell's board sprints, and
the spillovers of the last sprint. Tickets come from the sync demo; nothing here creates
tickets, and everything works (idempotently) with whatever tickets exist."""

from __future__ import annotations

from typing import TextIO

from django.utils import timezone

from opencraft_ops import calendar
from roles.models import Cell
from sprints import services
from sprints.models import BoardSprint, BoardSprintState, Spillover

EXPLANATIONS = [
    "Waited two days for the client's answer on the acceptance criteria.",
    "The upstream review took longer than planned; only the final fixes are left.",
]


def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    current = calendar.sprint_on(today).number
    sprints = {n: services.sprint_ensure(number=n) for n in range(max(current - 3, 1), current + 3)}
    cells = list(Cell.objects.order_by("name"))
    for cell in cells:
        for number, sprint in sprints.items():
            state = (
                BoardSprintState.CLOSED
                if number < current
                else BoardSprintState.ACTIVE
                if number == current
                else BoardSprintState.FUTURE
            )
            BoardSprint.objects.get_or_create(
                sprint=sprint, cell=cell, defaults={"name": f"{cell.name} {sprint.name}", "state": state}
            )
    last = sprints.get(current - 1)
    recorded = 0
    if last is not None:
        for cell in cells:
            spillovers = services.spillovers_record(cell=cell, sprint=last)
            recorded += len(spillovers)
            # Explain every other one so the wrap-up shows both kinds.
            for i, spillover in enumerate(spillovers[::2]):
                if not spillover.is_explained and spillover.assignee is not None:
                    services.spillover_explain(
                        spillover=spillover,
                        explanation=EXPLANATIONS[i % len(EXPLANATIONS)],
                        by_user_id=spillover.assignee.user_id,
                    )
    stdout.write(
        f"sprints: sprints {min(sprints)}-{max(sprints)} for {len(cells)} cell(s); "
        f"{recorded} spillover(s) of sprint {current - 1} ({Spillover.objects.count()} in all)\n"
    )
