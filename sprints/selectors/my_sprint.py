"""One member's current sprint as their home page shows it: their tickets with where each
stands against the sprint's deadlines (at risk first), the reviews waiting on them, and the
deadlines in their own time zone. One query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from opencraft_ops.sprint_dates import NamedDays, SprintDates, named_days
from roles.models import Member
from sprints.calculations.deadlines import (
    ON_TRACK,
    SETTLED_STATUSES,
    WAITING_FOR_REVIEW_STATUSES,
    TicketStanding,
    seconds_as_hours,
    ticket_standing,
)
from sprints.models import Ticket
from sprints.selectors.common import cutoff_day
from sprints.selectors.tickets import member_tickets


def _hours(seconds: int | None) -> Decimal | None:
    return None if seconds is None else seconds_as_hours(seconds)


def ticket_url(ticket: Ticket, board_url: str) -> str:
    """Where a ticket is acted on: its JIRA page when JIRA is configured, else its row on
    the member's sprint board."""
    base = settings.JIRA_BASE_URL
    if base:
        return f"{base.rstrip('/')}/browse/{ticket.key}"
    return f"{board_url}#ticket-{ticket.key}"


@dataclass(frozen=True)
class MyTicket:
    ticket: Ticket
    url: str
    standing: TicketStanding
    estimate_hours: Decimal | None
    spent_hours: Decimal | None
    remaining_hours: Decimal | None


@dataclass(frozen=True)
class MySprint:
    dates: SprintDates
    deadlines: NamedDays
    board_url: str
    tickets: list[MyTicket]  # assigned to the member, most urgent first
    reviews: list[MyTicket]  # the member reviews them and they wait in Code Review

    @property
    def at_risk(self) -> list[MyTicket]:
        return [t for t in self.tickets if t.standing.rank < ON_TRACK]


def my_sprint(*, member: Member, dates: SprintDates, as_of: date, tz: ZoneInfo) -> MySprint:
    board_url = (
        reverse("sprints:member_board", args=[member.cell.slug, member.pk]) + f"?sprint={dates.number}"
        if member.cell_id is not None and member.cell is not None
        else reverse("sprints:my_board")
    )
    tickets: list[MyTicket] = []
    reviews: list[MyTicket] = []
    for ticket in member_tickets(member=member, sprint_number=dates.number):
        item = MyTicket(
            ticket=ticket,
            url=ticket_url(ticket, board_url),
            standing=ticket_standing(
                status=ticket.status,
                as_of=as_of,
                sprint=dates,
                original_seconds=ticket.original_estimate_seconds,
                spent_seconds=ticket.time_spent_seconds,
            ),
            estimate_hours=_hours(ticket.original_estimate_seconds),
            spent_hours=_hours(ticket.time_spent_seconds),
            remaining_hours=_hours(ticket.remaining_estimate_seconds),
        )
        if ticket.assignee_id == member.pk:
            tickets.append(item)
        if ticket.reviewer_id == member.pk and ticket.status in WAITING_FOR_REVIEW_STATUSES:
            reviews.append(item)
    # Settled tickets last; otherwise the most urgent first, then the board's priority order.
    tickets.sort(key=lambda t: (t.ticket.status in SETTLED_STATUSES, t.standing.rank))
    return MySprint(
        dates=dates,
        deadlines=named_days(dates, tz=tz, cutoff_day=cutoff_day()),
        board_url=board_url,
        tickets=tickets,
        reviews=reviews,
    )
