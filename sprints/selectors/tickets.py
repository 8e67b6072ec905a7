"""Ticket lists: injections, tickets that are not green, unestimated and unfinished tickets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Greatest

from opencraft_ops import calendar
from roles.models import Cell, Member, MemberType, MemberTypePeriod
from sprints.calculations import SprintDates, injection_cutoff_instant, is_injection
from sprints.calculations.capacity import (
    FINISHED_STATUSES,
    NOT_COMMITTED_STATUSES,
    assigned_hours,
    review_hours,
)
from sprints.models import Ticket
from sprints.selectors import sql
from sprints.selectors.common import (
    INJECTION_ACCEPTED_LABEL,
    cutoff_day,
    finished_statuses,
    portal_tz,
    review_table,
    unestimated_filter,
)


@dataclass(frozen=True)
class TicketLine:
    """A ticket as the board and the process checks list it: its own fields and the names
    around it, read with one plain SQL query (``sql.ticket_lines``, fields in this order)."""

    key: str
    summary: str
    status: str
    cell_id: int | None
    cell_slug: str | None
    story_points: Decimal | None
    assignee_id: int | None
    assignee_name: str
    reviewer_id: int | None
    epic_key: str | None
    epic_owner_id: int | None
    epic_owner_name: str
    added_to_sprint_at: datetime | None
    injection_accepted: bool
    labels: tuple[str, ...]

    @property
    def is_green(self) -> bool:
        """Estimated, assigned and with a reviewer (``Ticket.is_green``)."""
        return self.story_points is not None and bool(self.assignee_id) and bool(self.reviewer_id)

    @property
    def accepted(self) -> bool:
        """An injection accepted in the portal or by its JIRA label."""
        return self.injection_accepted or INJECTION_ACCEPTED_LABEL in self.labels


def tickets_base() -> QuerySet[Ticket]:
    return Ticket.objects.select_related(
        "assignee__user", "reviewer__user", "epic__owner__user", "sprint", "cell"
    )


def is_accepted(ticket: Ticket) -> bool:
    return ticket.injection_accepted or INJECTION_ACCEPTED_LABEL in (ticket.labels or [])


def ticket_is_injection(ticket: Ticket) -> bool:
    if ticket.sprint is None or ticket.added_to_sprint_at is None:
        return False
    dates = calendar.sprint_dates(ticket.sprint.number)
    added_on = ticket.added_to_sprint_at.astimezone(portal_tz()).date()
    return is_injection(added_on, dates, cutoff_day())


def injection_threshold(dates: SprintDates) -> datetime:
    return injection_cutoff_instant(dates, cutoff_day(), portal_tz())


def injections(*, cell_ids: Sequence[int] | None, sprint_number: int) -> list[TicketLine]:
    """Tickets that entered sprint ``sprint_number`` after its cutoff day (one query)."""
    since = injection_threshold(calendar.sprint_dates(sprint_number))
    rows = sql.ticket_lines("injections", number=sprint_number, cell_ids=cell_ids, since=since)
    return [TicketLine(*row) for row in rows]


def not_green_tickets(*, cell_ids: Sequence[int] | None, sprint_number: int) -> list[TicketLine]:
    """Tickets of a sprint missing an estimate, an assignee or a reviewer, with their
    epic owner (whom to ask): one query."""
    rows = sql.ticket_lines("not_green", number=sprint_number, cell_ids=cell_ids)
    return [TicketLine(*row) for row in rows]


@dataclass(frozen=True)
class MemberTicket:
    """One ticket on a member's board: as assignee or reviewer, and the hours it adds to
    their commitment (the same rules as the capacity row, so the rows add up)."""

    ticket: Ticket
    role: str  # "assignee" or "reviewer"
    hours: Decimal


def member_ticket_rows(*, member: Member, sprint_number: int) -> list[MemberTicket]:
    """The member's tickets of a sprint with their hours (one query: the assignee's type on
    their first day in the sprint comes along, for a newcomer's extra review time)."""
    table = review_table()
    start = calendar.sprint_dates(sprint_number).start
    first_day = Greatest(OuterRef("assignee__joined_on"), Value(start), output_field=DateField())
    assignee_type = (
        MemberTypePeriod.objects.filter(member_id=OuterRef("assignee_id"), since__lte=first_day)
        .order_by("-since")
        .values("member_type")[:1]
    )
    tickets = _member_tickets(member=member, sprint_number=sprint_number).annotate(
        assignee_type=Subquery(assignee_type)
    )
    rows = []
    for ticket in tickets:
        # A member who both works on and reviews a ticket has both rows, as the capacity
        # counts it in both sums.
        if ticket.assignee_id == member.pk:
            hours = assigned_hours(
                status=ticket.status,
                is_recurring=ticket.is_recurring,
                remaining_seconds=ticket.remaining_estimate_seconds,
                original_seconds=ticket.original_estimate_seconds,
                recurring_hours=ticket.recurring_hours_per_sprint,
            )
            rows.append(MemberTicket(ticket=ticket, role="assignee", hours=hours))
        if ticket.reviewer_id == member.pk:
            newcomer = ticket.assignee_type == MemberType.NEWCOMER  # type: ignore[attr-defined]
            hours = review_hours(ticket.story_points, ticket.status, table, newcomer=newcomer)
            rows.append(MemberTicket(ticket=ticket, role="reviewer", hours=hours))
    return rows


def _member_tickets(*, member: Member, sprint_number: int) -> QuerySet[Ticket]:
    return (
        tickets_base()
        .filter(sprint__number=sprint_number)
        .filter(Q(assignee=member) | Q(reviewer=member))
        .order_by("priority_category", "key")
    )


def member_tickets(*, member: Member, sprint_number: int) -> list[Ticket]:
    """The member's tickets of a sprint, as assignee or reviewer (one query)."""
    return list(_member_tickets(member=member, sprint_number=sprint_number))


def unestimated_tickets(*, cell_ids: Sequence[int] | None, sprint_number: int) -> list[Ticket]:
    qs = (
        tickets_base()
        .filter(sprint__number=sprint_number)
        .exclude(status__in=NOT_COMMITTED_STATUSES | FINISHED_STATUSES)
        .filter(unestimated_filter())
    )
    if cell_ids is not None:
        qs = qs.filter(cell_id__in=cell_ids)
    return list(qs.order_by("key"))


def unfinished_tickets(*, cell: Cell, sprint_number: int) -> list[Ticket]:
    """Tickets of the cell's sprint that spill over if the sprint ends now."""
    return list(
        tickets_base()
        .filter(cell=cell, sprint__number=sprint_number)
        .exclude(status__in=finished_statuses() | NOT_COMMITTED_STATUSES)
        .order_by("key")
    )


def ticket_counts_by_status(*, cell: Cell, sprint_number: int) -> dict[str, int]:
    return dict(
        Ticket.objects.filter(cell=cell, sprint__number=sprint_number)
        .values("status")
        .annotate(n=Count("id", output_field=IntegerField()))
        .values_list("status", "n")
    )
