"""Firefighting and discovery budgets of a cell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from rotations.calculations.kinds import HUNDRED, WEEKS_PER_SPRINT, _q


@dataclass(frozen=True)
class CellBudget:
    """Weekly and per-sprint hours a cell sets aside for firefighting and discoveries."""

    total_weekly_hours: Decimal
    firefighting_weekly: Decimal  # for the whole cell
    firefighter_weekly_each: Decimal  # split between the firefighters
    firefighter_sprint_each: Decimal  # what each firefighter reserves in a sprint (>= the minimum)
    firefighter_minimum_applied: bool  # True when the per-sprint minimum raised the figure
    discovery_weekly: Decimal
    discovery_duty_weekly: Decimal  # the duty allocation, funded by the discovery budget
    planned_discovery_weekly: Decimal  # what is left for discoveries planned in advance
    discovery_duty_over_budget: bool  # the duty alone needs more than the discovery budget


def cell_budget(
    *,
    weekly_hours: Iterable[Decimal],
    firefighting_percent: Decimal,
    discovery_percent: Decimal,
    discovery_duty_hours_per_week: Decimal,
    firefighter_min_hours_per_sprint: Decimal,
    has_discovery_duty: bool = True,
    firefighters: int = 2,
) -> CellBudget:
    """The cell's budgets from its members' weekly commitments and its settings.

    Ten full-time members (400 h/week) at 7.5 % and 2.5 % give 30 h/week of
    firefighting (15 h/week, so 30 h/sprint, per firefighter) and 10 h/week of
    discovery, 5 h of which are the discovery duty.
    """
    total = sum((Decimal(h) for h in weekly_hours), Decimal(0))
    firefighting = _q(total * firefighting_percent / HUNDRED)
    each_weekly = _q(firefighting / firefighters) if firefighters else Decimal("0.00")
    from_budget = each_weekly * WEEKS_PER_SPRINT
    each_sprint = max(from_budget, firefighter_min_hours_per_sprint) if firefighters else Decimal(0)
    discovery = _q(total * discovery_percent / HUNDRED)
    duty = _q(discovery_duty_hours_per_week) if has_discovery_duty else Decimal("0.00")
    return CellBudget(
        total_weekly_hours=_q(total),
        firefighting_weekly=firefighting,
        firefighter_weekly_each=each_weekly,
        firefighter_sprint_each=_q(each_sprint),
        firefighter_minimum_applied=bool(firefighters) and from_budget < firefighter_min_hours_per_sprint,
        discovery_weekly=discovery,
        discovery_duty_weekly=duty,
        planned_discovery_weekly=max(discovery - duty, Decimal("0.00")),
        discovery_duty_over_budget=duty > discovery,
    )


def backup_reserved_hours(
    *, firefighter_sprint_each: Decimal, days_covered: int, sprint_workdays: int
) -> Decimal:
    """A backup firefighter reserves the firefighter's daily share for the days they cover."""
    if sprint_workdays <= 0 or days_covered <= 0:
        return Decimal("0.00")
    return _q(firefighter_sprint_each * days_covered / sprint_workdays)
