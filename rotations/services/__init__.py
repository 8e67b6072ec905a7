"""Writes of the rotations app, one module per concern:

* ``schedule``: generating schedules (preview, apply) and the sprint-started event;
* ``editing``: changing a slot, swaps, backup firefighters, manual create/update/delete
  (grid, API and admin), with row locks;
* ``rules``: the checks every edit obeys (period of the kind, cell policy, eligibility,
  double booking), read-only so forms can show them by field;
* ``pager``: the pager shifts rebuilt from a sprint's firefighters after an edit;
* ``feeds``: secret iCalendar feeds;
* ``webhooks``: outgoing signed webhooks and their delivery log.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from roles.models import Cell


@transaction.atomic
def rotations_open_sprint(*, cell: Cell, sprint: Any) -> dict[str, Any]:
    """Sprint completion step (registered in ``RotationsConfig.ready``): fill the new
    sprint's empty slots with the fair schedule and announce the sprint once."""
    from rotations.services.schedule import schedule_apply, sprint_started_emit

    result = schedule_apply(cell=cell, first_sprint=sprint.number, sprints=1)
    sent = sprint_started_emit(as_of=timezone.localdate(), force_sprint=sprint.number)
    created, unfilled = len(result.created), len(result.plan.unfilled)
    summary = f"Filled {created} rotation slot(s) of {sprint} for {cell} by the fair rotation"
    summary += f"; {unfilled} slot(s) found no eligible member" if unfilled else "; every slot is held"
    summary += (
        f"; announced the sprint to {len(sent)} webhook(s)." if sent else "; no webhook to announce it to."
    )
    return {"created": created, "unfilled": unfilled, "webhooks": len(sent), "summary": summary}
