"""Field validators shared by the models (and so by their forms, the admin and
the API serializers built on them)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

# The dates a person may enter: the calendar maths and the monthly reports make
# no sense (and overflow near year 9999) far outside the portal's lifetime.
FIRST_YEAR, LAST_YEAR = 2000, 2100
DATE_WINDOW_MESSAGE = f"Give a date between {FIRST_YEAR} and {LAST_YEAR}."
# A target's reference period is measured month by month; longer is a typo.
MAX_REFERENCE_YEARS = 5


def validate_sensible_date(value: date) -> None:
    """Refuses dates outside ``FIRST_YEAR``..``LAST_YEAR``."""
    if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(DATE_WINDOW_MESSAGE, code="date_window")
