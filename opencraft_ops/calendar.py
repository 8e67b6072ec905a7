"""The sprint calendar bound to the configured epoch (``SPRINT_EPOCH_START``).

Every app counts time in sprints, so the calendar lives on the ground floor, below the
apps; the pure date maths is ``opencraft_ops.sprint_dates`` (re-exported by
``sprints.calculations``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from opencraft_ops import sprint_dates as sprint_dates_module
from opencraft_ops.sprint_dates import MAX_SPRINT_NUMBER, SprintDates

__all__ = ["MAX_SPRINT_NUMBER", "epoch", "sprint_dates", "sprint_on"]


def epoch() -> date:
    return date.fromisoformat(settings.SPRINT_EPOCH_START)


def sprint_dates(number: int) -> SprintDates:
    return sprint_dates_module.sprint_dates(number, epoch=epoch())


def sprint_on(day: date) -> SprintDates:
    return sprint_dates_module.sprint_on(day, epoch=epoch())
