"""The forward capacity plan of the cells: the monthly hours their open epics ask for
(in their latest epic update, else their monthly budget) against the hours the cell's
members can give in each of the coming months. The epic planning and sustainability
manager reads it to adjust allocations and the recruitment pace (handbook, "Epic
planning": evaluate the time the accepted scope needs over the next months, and slow
down or speed up recruitment).

Six queries for any number of cells, epics and members: the cells (none when the caller
has them), the open epics' latest updates, their monthly budget periods, the members, their
commitments and their time off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from epics import calculations as calc
from epics.models import EpicBudgetPeriod, EpicStatus, EpicUpdate
from roles.calculations import CommitmentChange, available_hours
from roles.models import Cell, Member, WeeklyCommitment
from roles.selectors import time_off_by_member

PLAN_STATUSES = [EpicStatus.ACCEPTED, EpicStatus.IN_DEVELOPMENT, EpicStatus.DELIVERED]


@dataclass(frozen=True)
class EpicDemand:
    key: str
    hours_per_month: Decimal
    source: str  # "update <sprint>" or "monthly budget"


@dataclass(frozen=True)
class CellPlan:
    cell: Cell
    months: list[calc.PlanMonth]
    epics: list[EpicDemand]

    @property
    def short_months(self) -> list[calc.PlanMonth]:
        return [m for m in self.months if m.short]


def capacity_plans(
    *, as_of: date, cell_ids: Iterable[int] | None = None, cells: list[Cell] | None = None
) -> list[CellPlan]:
    """The plan of each cell (every cell when ``cell_ids`` is None; ``cells`` when given,
    saving their query) for the months after ``as_of``'s."""
    months = calc.plan_months(as_of)
    first, last = months[0][0], months[-1][1]
    if cells is None:
        cells_qs = Cell.objects.order_by("name")
        if cell_ids is not None:
            cells_qs = cells_qs.filter(pk__in=list(cell_ids))
        cells = list(cells_qs)
    ids = [c.pk for c in cells]
    # The open epics' updates, newest sprint first: the first seen per epic is its latest.
    asked: dict[int, tuple[str, int, Decimal | None]] = {}
    epic_cells: dict[int, tuple[int, str]] = {}
    for epic_id, key, cell_id, number, answers in (
        EpicUpdate.objects.filter(epic__cell_id__in=ids, epic__status__in=PLAN_STATUSES)
        .order_by("epic_id", "-sprint__number")
        .values_list("epic_id", "epic__key", "epic__cell_id", "sprint__number", "answers")
    ):
        if epic_id not in asked:
            asked[epic_id] = (key, number, calc.asked_monthly_hours(answers or {}))
            epic_cells[epic_id] = (cell_id, key)
    # Monthly budgets in force on the plan's first day, for epics whose update asks nothing.
    periods: dict[int, list[calc.BudgetPeriodInfo]] = defaultdict(list)
    for epic_id, key, cell_id, since, hours in EpicBudgetPeriod.objects.filter(
        epic__cell_id__in=ids, epic__status__in=PLAN_STATUSES, since__lte=first
    ).values_list("epic_id", "epic__key", "epic__cell_id", "since", "hours_per_month"):
        periods[epic_id].append(calc.BudgetPeriodInfo(since=since, hours_per_month=hours))
        epic_cells.setdefault(epic_id, (cell_id, key))
    demand: dict[int, list[EpicDemand]] = defaultdict(list)
    for epic_id, (cell_id, key) in sorted(epic_cells.items(), key=lambda item: item[1][1]):
        from_update = asked.get(epic_id)
        if from_update is not None and from_update[2] is not None:
            demand[cell_id].append(EpicDemand(key, from_update[2], f"update, sprint {from_update[1]}"))
            continue
        budget = calc.monthly_budget_on(periods.get(epic_id, []), first)
        if budget:
            demand[cell_id].append(EpicDemand(key, budget, "monthly budget"))
    # Members who are in the cell for part of the plan at least.
    members = list(
        Member.objects.filter(cell_id__in=ids, joined_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .values_list("pk", "cell_id", "joined_on", "left_on")
    )
    commitments: dict[int, list[CommitmentChange]] = defaultdict(list)
    for member_id, since, hours in WeeklyCommitment.objects.filter(
        member_id__in=[m[0] for m in members]
    ).values_list("member_id", "since", "hours_per_week"):
        commitments[member_id].append(CommitmentChange(since=since, hours_per_week=hours))
    time_off = time_off_by_member(member_ids=[m[0] for m in members], start=first, end=last)
    working: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for member_id, cell_id, joined_on, left_on in members:
        for start, end in months:
            lo, hi = max(start, joined_on), min(end, left_on or end)
            if lo > hi:
                continue
            working[(cell_id, start)] += available_hours(
                changes=commitments.get(member_id, []), periods=time_off.get(member_id, []), start=lo, end=hi
            )
    plans = []
    for cell in cells:
        total = sum((d.hours_per_month for d in demand[cell.pk]), Decimal(0))
        plan_months = [
            calc.PlanMonth(
                start=start,
                demand=total,
                available=calc.usable_hours(
                    working[(cell.pk, start)],
                    firefighting_percent=cell.firefighting_percent,
                    discovery_percent=cell.discovery_percent,
                ),
            )
            for start, _end in months
        ]
        plans.append(CellPlan(cell=cell, months=plan_months, epics=demand[cell.pk]))
    return plans
