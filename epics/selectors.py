"""Read queries for epics: the board, the epic page, the planning view, figures.

Budget figures come from one grouped aggregate over the worklogs of the epics,
whatever the number of epics (``epic_figures``). "Hours used" of an epic means
the hours of the worklogs logged on its tickets and on the epic issue itself;
the account's hours are not used, because one client account usually carries
several epics (the epic page shows them beside the epic's as context). The figures live in
``epics.figures`` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.http import Http404

from epics import calculations as calc
from epics.figures import (
    BILLED_IF_BILLABLE,
    LEFT_SECONDS,
    epic_figures,
    epic_remaining_estimates,
    epic_worklog_parts,
    figures_with_estimates,
    grouped_worklogs,
)
from epics.models import Epic, EpicBudgetPeriod, EpicMilestone, EpicStatus, EpicUpdate
from opencraft_ops import calendar
from roles.calculations import TimeOffPeriod
from roles.models import Cell, Member
from roles.permissions import AnyUser, can_view_cell, holds_role, member_of
from roles.selectors import time_off_by_member
from sprints.calculations import SprintDates, thursday_w2
from sprints.models import Ticket
from sustainability.models import Account, Worklog

EPIC_MANAGER_ROLE = "epic-planning-sustainability-manager"


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


def sprint_update(*, epic: Epic, sprint_number: int) -> EpicUpdate | None:
    """The epic's update for the sprint numbered ``sprint_number``, if any (reads only)."""
    return EpicUpdate.objects.select_related("sprint").filter(epic=epic, sprint__number=sprint_number).first()


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


@dataclass(frozen=True)
class AccountContext:
    """The hours of the epic's whole account this month, shown beside the epic's
    own: the account may carry other epics and tickets, so it is context, not
    the epic's budget use."""

    account: Account
    month_hours: Decimal


@dataclass
class EpicDetail:
    epic: Epic
    row: EpicRow
    milestones: list[EpicMilestone]
    budget_periods: list[EpicBudgetPeriod]
    status_changes: list[Any]
    updates: list[EpicUpdate]
    tickets: Sequence[Ticket]
    hours_per_month: list[dict[str, Any]]
    account: AccountContext | None = None


def account_month_hours(*, account: Account, as_of: date) -> AccountContext:
    """Hours logged on ``account`` this calendar month up to ``as_of`` (one query)."""
    seconds = Worklog.objects.filter(
        account=account, work_date__gte=calc.month_start(as_of), work_date__lte=as_of
    ).aggregate(seconds=Sum("seconds"))["seconds"]
    return AccountContext(account=account, month_hours=calc.seconds_to_hours(seconds))


def epic_detail(*, epic: Epic, as_of: date, ticket_limit: int = 300) -> EpicDetail:
    """Everything the epic page shows, in a fixed number of queries whatever
    the number of milestones, tickets, updates and months: the epic row (the
    annotated epic, worklog and estimate aggregates, the owner's time off), the
    hours per month, the account's month, milestones, budget periods, status
    changes, updates and tickets (each ticket with ``left_hours``, the work the
    projection counts for it)."""
    rows = epic_rows(as_of=as_of, epic_ids=[epic.pk], with_responsible=True)
    on_tickets, on_epic_issue = epic_worklog_parts(epic_ids=[epic.pk])
    months = grouped_worklogs(
        (
            on_tickets.annotate(month=TruncMonth("work_date")),
            on_epic_issue.annotate(month=TruncMonth("work_date")),
        ),
        ("month",),
        # Not named "seconds": BILLED refers to the worklog's own field of that name.
        logged=Sum("seconds"),
        billable=Sum(BILLED_IF_BILLABLE),
    )
    tickets = list(
        epic.tickets.select_related("assignee__user", "reviewer__user", "sprint")
        .annotate(left_seconds=LEFT_SECONDS)
        .order_by("-sprint__number", "key")[:ticket_limit]
    )
    for ticket in tickets:
        ticket.left_hours = calc.seconds_to_hours(ticket.left_seconds)  # type: ignore[attr-defined]
    return EpicDetail(
        epic=epic,
        row=rows[0],
        milestones=list(epic.milestones.all()),
        budget_periods=list(epic.budget_periods.order_by("-since")),
        status_changes=list(epic.status_changes.select_related("changed_by")),
        updates=list(epic.updates.select_related("sprint", "author__user").order_by("-sprint__number")),
        tickets=tickets,
        hours_per_month=[
            {
                "month": month,
                "hours": calc.seconds_to_hours(row["logged"]),
                "billable": calc.seconds_to_hours(row["billable"]),
            }
            for (month,), row in sorted(months.items(), reverse=True)
        ],
        account=account_month_hours(account=epic.account, as_of=as_of) if epic.account else None,
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


def availability_window(as_of: date) -> tuple[date, date]:
    """The planning view's look-ahead: from ``as_of`` to the same day two months on."""
    return as_of, calc.months_later(as_of, 2)


def availability_notes(*, cell: Cell, as_of: date) -> list[AwayNote]:
    """Cell members away a week or more (whole workdays, in total) in the next
    two months (``availability_window``): two queries."""
    members = list(Member.objects.filter(cell=cell).active(as_of).select_related("user"))
    end = availability_window(as_of)[1]
    periods = time_off_by_member(member_ids=[m.pk for m in members], start=as_of, end=end)
    notes = []
    for member in members:
        absences = calc.long_absences(periods.get(member.pk, []), start=as_of, end=end)
        if absences:
            notes.append(AwayNote(member=member, absences=absences))
    return notes


def recent_status_changes(*, cell: Cell, since: date) -> list[Any]:
    """Status changes of the cell's epics since ``since`` (one query), newest first."""
    from epics.models import EpicStatusChange

    return list(
        EpicStatusChange.objects.filter(epic__cell=cell, changed_at__date__gte=since)
        .select_related("epic", "changed_by")
        .order_by("-changed_at")[:100]
    )
