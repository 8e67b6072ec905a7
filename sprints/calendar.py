"""The sprint calendar bound to the configured epoch, and the database rows behind it."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from sprints import calculations
from sprints.calculations import MAX_SPRINT_NUMBER, SprintDates

__all__ = ["MAX_SPRINT_NUMBER", "epoch", "sprint_dates", "sprint_on"]


def epoch() -> date:
    return date.fromisoformat(settings.SPRINT_EPOCH_START)


def sprint_dates(number: int) -> SprintDates:
    return calculations.sprint_dates(number, epoch=epoch())


def sprint_on(day: date) -> SprintDates:
    return calculations.sprint_on(day, epoch=epoch())
