"""Template filters of the sprint pages: one call each where a 30-row table would
otherwise run a loop or half a dozen lookups per row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django import template

from sprints.calculations.capacity import CapacityRow

register = template.Library()

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@register.filter
def commitment_breakdown(row: CapacityRow) -> str:
    """What the committed hours are made of, e.g. for a tooltip."""
    return (
        f"tickets {row.ticket_hours} + recurring {row.recurring_hours} + reviews {row.review_hours}"
        f" + meetings {row.meeting_hours} + epics {row.epic_hours}"
    )


@register.filter
def day_list(days: Iterable[date]) -> str:
    """Days as "Tue 24, Wed 25" (what ``date:"D j"`` gives in English, comma-separated)."""
    return ", ".join(f"{_WEEKDAYS[day.weekday()]} {day.day}" for day in days)


@register.filter
def hours(value: Decimal | None) -> str:
    """A decimal with two places, or none when it is whole: ``floatformat:"-2"`` for the
    Decimals of capacity rows, without its float round trip (40 -> "40", 7.5 -> "7.50")."""
    if value is None:
        return ""
    rounded = value.quantize(Decimal("0.01"))
    return str(int(rounded)) if rounded == rounded.to_integral_value() else f"{rounded:f}"
