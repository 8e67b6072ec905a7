"""Pure maths of the rotations: budgets, fair schedules and coverage.

No ORM and no clock: callers pass plain values (frozen dataclasses) and dates.

Periods used here:

* a firefighter, ops reviewer slot lasts a sprint (Tuesday to the Monday 13 days later);
* a discovery duty or pager slot lasts a *duty week*: the first or second half
  of a sprint (Tuesday to the next Monday), so every duty week has five working
  days and belongs to exactly one sprint.
"""

from rotations.calculations.budgets import CellBudget, backup_reserved_hours, cell_budget
from rotations.calculations.coverage import DayCoverage, Duty, coverage
from rotations.calculations.kinds import (
    DISCOVERY_DUTY,
    FIREFIGHTER_1,
    FIREFIGHTER_2,
    FIREFIGHTER_BACKUP,
    FIREFIGHTER_KINDS,
    GROUP_LABEL,
    GROUP_OF_KIND,
    HOURS_PER_DAY,
    OPS_REVIEWER,
    PAGER,
)
from rotations.calculations.schedule import (
    Candidate,
    Pick,
    Service,
    Slot,
    duty_weeks,
    generate_schedule,
    off_share,
    pager_shifts,
    sprint_slots,
)

__all__ = [
    "DISCOVERY_DUTY",
    "FIREFIGHTER_1",
    "FIREFIGHTER_2",
    "FIREFIGHTER_BACKUP",
    "FIREFIGHTER_KINDS",
    "GROUP_LABEL",
    "GROUP_OF_KIND",
    "HOURS_PER_DAY",
    "OPS_REVIEWER",
    "PAGER",
    "Candidate",
    "CellBudget",
    "DayCoverage",
    "Duty",
    "Pick",
    "Service",
    "Slot",
    "backup_reserved_hours",
    "cell_budget",
    "coverage",
    "duty_weeks",
    "generate_schedule",
    "off_share",
    "pager_shifts",
    "sprint_slots",
]
