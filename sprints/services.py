"""Writes of the sprints app."""

from __future__ import annotations

from django.db import transaction

from sprints import calendar
from sprints.models import Sprint


@transaction.atomic
def sprint_ensure(*, number: int) -> Sprint:
    """The Sprint row for ``number``, created from the calendar when missing."""
    dates = calendar.sprint_dates(number)
    sprint, _ = Sprint.objects.get_or_create(
        number=number, defaults={"start": dates.start, "end": dates.end, "name": f"Sprint {number}"}
    )
    return sprint
