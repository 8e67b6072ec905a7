"""Settings-derived helpers and small lookups shared by the sprints selectors."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import DecimalField, Q
from django.shortcuts import get_object_or_404

from opencraft_ops import calendar
from roles.models import Cell
from sprints.calculations.capacity import (
    ReviewTable,
    parse_review_table,
)
from sprints.models import Sprint

INJECTION_ACCEPTED_LABEL = "injection-accepted"
DECIMAL = DecimalField(max_digits=12, decimal_places=2)


def review_table() -> ReviewTable:
    try:
        return parse_review_table(settings.SPRINT_REVIEW_HOURS)
    except ValueError as exc:
        raise ImproperlyConfigured(f"SPRINT_REVIEW_HOURS: {exc}") from None


def cutoff_day() -> int:
    day = int(settings.SPRINT_INJECTION_CUTOFF_DAY)
    if not 1 <= day <= 14:
        raise ImproperlyConfigured("SPRINT_INJECTION_CUTOFF_DAY must be between 1 and 14.")
    return day


def finished_statuses() -> frozenset[str]:
    return frozenset(settings.SPRINT_FINISHED_STATUSES)


def portal_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def sprint_row(number: int) -> Sprint:
    """The Sprint row for ``number``, or an unsaved one built from the calendar."""
    sprint = Sprint.objects.filter(number=number).first()
    if sprint is None:
        dates = calendar.sprint_dates(number)
        sprint = Sprint(number=number, start=dates.start, end=dates.end, name=f"Sprint {number}")
    return sprint


def cell_by_slug(slug: str) -> Cell:
    return get_object_or_404(Cell, slug=slug)


def sprint_numbers_around(as_of: date) -> tuple[int, int]:
    """(current, next) sprint numbers on ``as_of``."""
    current = calendar.sprint_on(as_of).number
    return current, current + 1


def unestimated_filter() -> Q:
    """Tickets with no story points, or (recurring tickets aside) no time estimate."""
    return Q(story_points__isnull=True) | Q(
        is_recurring=False, remaining_estimate_seconds__isnull=True, original_estimate_seconds__isnull=True
    )
