"""Read queries for epics: the board, the epic page, the planning view, figures.

Budget figures come from one grouped aggregate over the worklogs of the epics'
tickets, whatever the number of epics (``epic_figures``). "Hours used" of an
epic means the hours of the worklogs logged on its tickets; the account is not
used, because one client account usually carries several epics.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.http import Http404

from roles.calculations import TimeOffPeriod
from roles.models import Cell, Member
from roles.permissions import AnyUser, can_view_cell, holds_role, member_of
from roles.selectors import time_off_by_member
from sprints import calendar
from sprints import epic_calculations as calc
from sprints.calculations import SprintDates, thursday_w2
from sprints.epic_models import EpicBudgetPeriod, EpicMilestone, EpicUpdate
from sprints.models import Epic, EpicStatus, Ticket, TicketStatus
from sustainability.models import Worklog

EPIC_MANAGER_ROLE = "epic-planning-sustainability-manager"
CLOSED_TICKET_STATUSES = (TicketStatus.DONE, TicketStatus.DELIVERED)


# --- Access -------------------------------------------------------------------


def can_edit_epic(user: AnyUser, epic: Epic) -> bool:
    """Staff, the epic's owner or reviewer, or the cell's epic planning manager."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    member = member_of(user)
    if member is None:
        return False
    if member.pk in (epic.owner_id, epic.reviewer_id):
        return True
    return epic.cell is not None and holds_role(user, EPIC_MANAGER_ROLE, cell=epic.cell)


def require_epic_edit(user: AnyUser, epic: Epic) -> None:
    if not can_edit_epic(user, epic):
        raise PermissionDenied(
            "Only the epic's owner or reviewer, the cell's epic planning manager or staff can change it."
        )


def epic_get(*, key: str, user: AnyUser) -> Epic:
    """The epic with its cell, account, owner and reviewer; 404 / 403 for the caller."""
    epic = (
        Epic.objects.select_related("cell", "account", "owner__user", "reviewer__user")
        .filter(key=key)
        .first()
    )
    if epic is None:
        raise Http404("No such epic.")
    if not can_view_cell(user, epic.cell):
        raise PermissionDenied("You can only see your own cell's epics.")
    return epic


def cell_get(*, slug: str, user: AnyUser) -> Cell:
    cell = Cell.objects.filter(slug=slug).first()
    if cell is None:
        raise Http404("No such cell.")
    if not can_view_cell(user, cell):
        raise PermissionDenied("You can only see your own cell's epics.")
    return cell


def update_get(*, pk: int, user: AnyUser) -> EpicUpdate:
    update = (
        EpicUpdate.objects.select_related(
            "sprint", "author__user", "epic__cell", "epic__owner__user", "epic__reviewer__user"
        )
        .filter(pk=pk)
        .first()
    )
    if update is None:
        raise Http404("No such epic update.")
    if not can_view_cell(user, update.epic.cell):
        raise PermissionDenied("You can only see your own cell's epics.")
    return update


# --- Figures ------------------------------------------------------------------


def epic_figures(
    *, as_of: date, cell_id: int | None = None, epic_ids: Iterable[int] | None = None
) -> dict[int, calc.EpicFigures]:
    """Hours used, this month's hours and last month's non-billable hours per
    epic, in ONE grouped query over the worklogs of the epics' tickets."""
    first, last_month = calc.month_start(as_of), calc.previous_month(as_of)
    worklogs = Worklog.objects.filter(ticket__epic__isnull=False)
    if cell_id is not None:
        worklogs = worklogs.filter(ticket__epic__cell_id=cell_id)
    if epic_ids is not None:
        worklogs = worklogs.filter(ticket__epic_id__in=list(epic_ids))
    rows = (
        worklogs.values("ticket__epic_id")
        .order_by()
        .annotate(
            total=Sum("seconds"),
            month=Sum("seconds", filter=Q(work_date__gte=first, work_date__lte=as_of)),
            non_billable=Sum(
                F("seconds") - F("billable_seconds"),
                filter=Q(
                    work_date__gte=last_month[0],
                    work_date__lte=last_month[1],
                    billable_seconds__lt=F("seconds"),
                ),
                output_field=IntegerField(),
            ),
        )
    )
    return {
        row["ticket__epic_id"]: calc.EpicFigures(
            hours_used=calc.seconds_to_hours(row["total"]),
            month_hours=calc.seconds_to_hours(row["month"]),
            last_month_non_billable=calc.seconds_to_hours(row["non_billable"]),
        )
        for row in rows
    }


def epic_remaining_estimates(
    *, cell_id: int | None = None, epic_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """Remaining estimate (hours) of the open tickets per epic, in one grouped query."""
    tickets = Ticket.objects.filter(epic__isnull=False).exclude(status__in=CLOSED_TICKET_STATUSES)
    if cell_id is not None:
        tickets = tickets.filter(epic__cell_id=cell_id)
    if epic_ids is not None:
        tickets = tickets.filter(epic_id__in=list(epic_ids))
    rows = tickets.values("epic_id").order_by().annotate(seconds=Sum("remaining_estimate_seconds"))
    return {row["epic_id"]: calc.seconds_to_hours(row["seconds"]) for row in rows}


def figures_with_estimates(
    figures: dict[int, calc.EpicFigures], remaining: dict[int, Decimal], epic_id: int
) -> calc.EpicFigures:
    base = figures.get(epic_id, calc.EpicFigures())
    return calc.EpicFigures(
        hours_used=base.hours_used,
        month_hours=base.month_hours,
        last_month_non_billable=base.last_month_non_billable,
        remaining_estimate=remaining.get(epic_id, Decimal("0.00")),
    )


# --- The board ------------------------------------------------------------------


def annotated_epics(*, as_of: date, sprint_number: int) -> QuerySet[Epic]:
    """Epics with their monthly budget in force, due date, oldest overdue
    deadline, last update and this sprint's update, as subqueries of one query."""
    milestones = EpicMilestone.objects.filter(epic=OuterRef("pk"), done=False)
    updates = EpicUpdate.objects.filter(epic=OuterRef("pk"))
    return Epic.objects.select_related("cell", "account", "owner__user", "reviewer__user").annotate(
        monthly_budget=Subquery(
            EpicBudgetPeriod.objects.filter(epic=OuterRef("pk"), since__lte=as_of)
            .order_by("-since")
            .values("hours_per_month")[:1]
        ),
        due=Subquery(milestones.filter(deadline__gte=as_of).order_by("deadline").values("deadline")[:1]),
        oldest_overdue=Subquery(
            milestones.filter(deadline__lt=as_of).order_by("deadline").values("deadline")[:1]
        ),
        last_update_at=Subquery(updates.order_by("-created_at").values("created_at")[:1]),
        last_update_id=Subquery(updates.order_by("-created_at").values("pk")[:1]),
        current_update_id=Subquery(updates.filter(sprint__number=sprint_number).values("pk")[:1]),
    )


@dataclass
class EpicRow:
    epic: Epic
    figures: calc.EpicFigures
    budget: calc.BudgetHealth
    deadline: calc.Health
    due: date | None
    oldest_overdue: date | None
    last_update_at: Any
    last_update_id: int | None
    current_update_id: int | None
    update_due: date
    responsible_id: int | None = None
    owner_off_on_due_day: bool = False

    @property
    def responsible(self) -> Member | None:
        """The member who owes this sprint's update (owner, or reviewer when the owner is off)."""
        if self.responsible_id is None:
            return None
        return self.epic.owner if self.responsible_id == self.epic.owner_id else self.epic.reviewer

    @property
    def needs_update(self) -> bool:
        return self.epic.status == EpicStatus.IN_DEVELOPMENT

    @property
    def update_state(self) -> str:
        if not self.needs_update:
            return "not needed"
        if self.current_update_id:
            return "done"
        return "missing"


@dataclass(frozen=True)
class BoardFilters:
    owner_id: int | None = None
    budget_kind: str = ""
    status: str = ""
    health: str = ""  # "", "bad" (budget or deadline bad), "update-missing"
    search: str = ""


def current_sprint(as_of: date) -> SprintDates:
    return calendar.sprint_on(as_of)


def epic_rows(
    *,
    as_of: date,
    cell: Cell | None = None,
    epic_ids: Iterable[int] | None = None,
    filters: BoardFilters | None = None,
    with_responsible: bool = False,
) -> list[EpicRow]:
    """Epics with every figure the board and planning view show.

    Queries: the epics (with subqueries), the worklog aggregate, the remaining
    estimate aggregate, and with ``with_responsible`` the owners' time off.
    """
    filters = filters or BoardFilters()
    qs = annotated_epics(as_of=as_of, sprint_number=current_sprint(as_of).number)
    if cell is not None:
        qs = qs.filter(cell=cell)
    if epic_ids is not None:
        qs = qs.filter(pk__in=list(epic_ids))
    if filters.owner_id:
        qs = qs.filter(Q(owner_id=filters.owner_id) | Q(reviewer_id=filters.owner_id))
    if filters.budget_kind:
        qs = qs.filter(budget_kind=filters.budget_kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.search:
        qs = qs.filter(
            Q(key__icontains=filters.search)
            | Q(title__icontains=filters.search)
            | Q(client__icontains=filters.search)
        )
    rows = list(
        rows_for_epics(
            list(qs.order_by("key")), as_of=as_of, cell=cell, with_responsible=with_responsible
        ).values()
    )
    if filters.health == "bad":
        rows = [r for r in rows if calc.Health.BAD in (r.budget.level, r.deadline)]
    elif filters.health == "update-missing":
        rows = [r for r in rows if r.update_state == "missing"]
    return rows


def rows_for_epics(
    epics: list[Epic], *, as_of: date, cell: Cell | None = None, with_responsible: bool = False
) -> dict[int, EpicRow]:
    """Rows for epics fetched through ``annotated_epics``: two aggregate queries
    (worklogs, remaining estimates), plus the owners' time off with ``with_responsible``."""
    if not epics:
        return {}
    sprint = current_sprint(as_of)
    due_day = thursday_w2(sprint)
    cell_id = cell.pk if cell is not None else None
    ids = None if cell is not None else [e.pk for e in epics]
    figures = epic_figures(as_of=as_of, cell_id=cell_id, epic_ids=ids)
    remaining = epic_remaining_estimates(cell_id=cell_id, epic_ids=ids)
    off: dict[int, list[TimeOffPeriod]] = {}
    if with_responsible:
        owners = {e.owner_id for e in epics if e.owner_id}
        off = time_off_by_member(member_ids=owners, start=due_day, end=due_day) if owners else {}
    rows: dict[int, EpicRow] = {}
    for epic in epics:
        fig = figures_with_estimates(figures, remaining, epic.pk)
        a: Any = epic
        owner_periods = off.get(epic.owner_id, []) if epic.owner_id else []
        row = EpicRow(
            epic=epic,
            figures=fig,
            budget=calc.budget_health(
                kind=epic.budget_kind,
                figures=fig,
                budget_hours=epic.budget_hours,
                monthly_budget=a.monthly_budget,
                as_of=as_of,
            ),
            deadline=calc.deadline_health(due=a.due, overdue=1 if a.oldest_overdue else 0, as_of=as_of),
            due=a.due,
            oldest_overdue=a.oldest_overdue,
            last_update_at=a.last_update_at,
            last_update_id=a.last_update_id,
            current_update_id=a.current_update_id,
            update_due=due_day,
        )
        if with_responsible:
            row.owner_off_on_due_day = bool(epic.owner_id) and calc.is_off(owner_periods, due_day)
            row.responsible_id = calc.update_author(
                owner_id=epic.owner_id,
                reviewer_id=epic.reviewer_id,
                owner_periods=owner_periods,
                due_day=due_day,
            )
        rows[epic.pk] = row
    return rows


@dataclass
class BoardColumn:
    status: str
    label: str
    rows: list[EpicRow] = field(default_factory=list)


def board_columns(rows: Iterable[EpicRow]) -> list[BoardColumn]:
    columns = {value: BoardColumn(value, label) for value, label in EpicStatus.choices}
    for row in rows:
        columns[row.epic.status].rows.append(row)
    return list(columns.values())


def cell_members(cell: Cell) -> QuerySet[Member]:
    return (
        Member.objects.filter(cell=cell).select_related("user").order_by("user__first_name", "user__username")
    )


# --- The epic page --------------------------------------------------------------


@dataclass
class EpicDetail:
    epic: Epic
    row: EpicRow
    milestones: list[EpicMilestone]
    budget_periods: list[EpicBudgetPeriod]
    status_changes: list[Any]
    updates: list[EpicUpdate]
    tickets: list[Ticket]
    hours_per_month: list[dict[str, Any]]


def epic_detail(*, epic: Epic, as_of: date, ticket_limit: int = 300) -> EpicDetail:
    rows = epic_rows(as_of=as_of, epic_ids=[epic.pk], with_responsible=True)
    months = (
        Worklog.objects.filter(ticket__epic=epic)
        .annotate(month=TruncMonth("work_date"))
        .values("month")
        .order_by("-month")
        .annotate(seconds=Sum("seconds"), billable=Sum("billable_seconds"))
    )
    return EpicDetail(
        epic=epic,
        row=rows[0],
        milestones=list(epic.milestones.all()),
        budget_periods=list(epic.budget_periods.order_by("-since")),
        status_changes=list(epic.status_changes.select_related("changed_by")),
        updates=list(epic.updates.select_related("sprint", "author__user").order_by("-sprint__number")),
        tickets=list(
            epic.tickets.select_related("assignee__user", "reviewer__user", "sprint").order_by(
                "-sprint__number", "key"
            )[:ticket_limit]
        ),
        hours_per_month=[
            {
                "month": row["month"],
                "hours": calc.seconds_to_hours(row["seconds"]),
                "billable": calc.seconds_to_hours(row["billable"]),
            }
            for row in months
        ],
    )


def prefill_figures(*, epic: Epic, as_of: date) -> dict[str, Decimal | None]:
    """The figures the update form fills in for its author."""
    figures = epic_figures(as_of=as_of, epic_ids=[epic.pk]).get(epic.pk, calc.EpicFigures())
    periods = [
        calc.BudgetPeriodInfo(since=p.since, hours_per_month=p.hours_per_month)
        for p in epic.budget_periods.all()
    ]
    return {
        "hours_used": figures.hours_used,
        "budget_hours": epic.budget_hours,
        "month_hours": figures.month_hours,
        "monthly_budget": calc.monthly_budget_on(periods, as_of),
        "last_month_non_billable": figures.last_month_non_billable,
    }


# --- Planning view --------------------------------------------------------------


@dataclass
class AwayNote:
    member: Member
    absences: list[calc.Absence]

    @property
    def workdays_off(self) -> int:
        return sum(a.workdays_off for a in self.absences)


def availability_notes(*, cell: Cell, as_of: date, days: int = 61) -> list[AwayNote]:
    """Cell members away a week or more (whole workdays) in the next two months: two queries."""
    members = list(Member.objects.filter(cell=cell).active(as_of).select_related("user"))
    end = as_of + timedelta(days=days)
    periods = time_off_by_member(member_ids=[m.pk for m in members], start=as_of, end=end)
    notes = []
    for member in members:
        absences = calc.long_absences(periods.get(member.pk, []), start=as_of, end=end)
        if absences:
            notes.append(AwayNote(member=member, absences=absences))
    return notes


def recent_status_changes(*, cell: Cell, since: date) -> list[Any]:
    """Status changes of the cell's epics since ``since`` (one query), newest first."""
    from sprints.epic_models import EpicStatusChange

    return list(
        EpicStatusChange.objects.filter(epic__cell=cell, changed_at__date__gte=since)
        .select_related("epic", "changed_by")
        .order_by("-changed_at")[:100]
    )
