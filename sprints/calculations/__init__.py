"""The sprints app's pure maths: no ORM, no clock (callers pass ``as_of``).

- the sprint calendar and its named days come from ``opencraft_ops.sprint_dates``;
- ``capacity``: capacity and commitment of members in a sprint;
- ``newcomers``: the newcomer guard rails and onboarding budget.

The calendar is re-exported here, so ``sprints.calculations.sprint_dates`` keeps working.
"""

from opencraft_ops.sprint_dates import (
    FRIDAY,
    MAX_SPRINT_NUMBER,
    MONDAY,
    SATURDAY,
    SPRINT_DAYS,
    SUNDAY,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    NamedDays,
    SprintDates,
    delivery_deadline,
    end_of_day,
    friday_w1,
    injection_cutoff,
    injection_cutoff_instant,
    internal_review_deadline,
    is_injection,
    monday_w2,
    monday_w3,
    named_days,
    next_sprint_start,
    sprint_dates,
    sprint_number_on,
    sprint_on,
    thursday_w2,
    wednesday_w2,
)

__all__ = [
    "FRIDAY",
    "MAX_SPRINT_NUMBER",
    "MONDAY",
    "SATURDAY",
    "SPRINT_DAYS",
    "SUNDAY",
    "THURSDAY",
    "TUESDAY",
    "WEDNESDAY",
    "NamedDays",
    "SprintDates",
    "delivery_deadline",
    "end_of_day",
    "friday_w1",
    "injection_cutoff",
    "injection_cutoff_instant",
    "internal_review_deadline",
    "is_injection",
    "monday_w2",
    "monday_w3",
    "named_days",
    "next_sprint_start",
    "sprint_dates",
    "sprint_number_on",
    "sprint_on",
    "thursday_w2",
    "wednesday_w2",
]
