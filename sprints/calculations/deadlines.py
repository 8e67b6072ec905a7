"""A ticket's standing against its sprint's two deadlines (pure functions).

The handbook's "Sprint tasks": a ticket is ready for internal review by the end of
Wednesday of week 2 and reaches External Review (or is delivered) one hour before the next
sprint starts. The process checks (``sprints.process_checks``) and the home page's ticket
list share these status sets and dates, so a ticket flagged on one is flagged on the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format

from opencraft_ops.sprint_dates import SprintDates, monday_w2, wednesday_w2
from sprints.models import TicketStatus

# Before internal review: the work is not done yet.
NOT_READY_STATUSES = (TicketStatus.BACKLOG, TicketStatus.TODO, TicketStatus.IN_PROGRESS)
# Not yet at External Review, or Deployed & Delivered.
NOT_DELIVERED_STATUSES = (*NOT_READY_STATUSES, TicketStatus.CODE_REVIEW)
# Tickets a check about the sprint's work leaves alone: finished, parked or not committed.
SETTLED_STATUSES = (TicketStatus.DONE, TicketStatus.DELIVERED, TicketStatus.STRETCH, TicketStatus.BLOCKED)
# A review is waiting on the reviewer while the ticket sits in Code Review.
WAITING_FOR_REVIEW_STATUSES = (TicketStatus.CODE_REVIEW,)

# Urgency, most urgent first: the home page sorts by it.
MISSED, AT_RISK, OVER_ESTIMATE, ON_TRACK = 0, 1, 2, 3


@dataclass(frozen=True)
class TicketStanding:
    rank: int  # MISSED, AT_RISK, OVER_ESTIMATE or ON_TRACK
    label: str  # a short badge: "missed", "at risk", "over estimate", "on track"
    text: str  # one sentence saying why
    deadline: date | None = None  # the deadline it is measured against, if any

    @property
    def severity(self) -> str:
        return {MISSED: "critical", AT_RISK: "warning", OVER_ESTIMATE: "warning"}.get(self.rank, "ok")


def seconds_as_hours(seconds: int) -> Decimal:
    """JIRA's seconds as hours, to the hundredth (the ticket list and the messages)."""
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))


def ticket_standing(
    *,
    status: str,
    as_of: date,
    sprint: SprintDates,
    original_seconds: int | None,
    spent_seconds: int,
) -> TicketStanding:
    """Where a ticket assigned in ``sprint`` stands on ``as_of``.

    From Monday of week 2 a ticket not yet in Code Review is at risk of the internal review
    deadline, and has missed it after Wednesday; from Friday of week 2 a ticket not yet in
    External Review is at risk of the delivery deadline (missed on the sprint's last day, as
    the checks say). Otherwise a ticket that used more time than estimated is flagged.
    """
    wednesday = wednesday_w2(sprint)
    by = date_format(wednesday, "SHORT_DATE_FORMAT")
    if status not in SETTLED_STATUSES and sprint.contains(as_of):
        if as_of >= monday_w2(sprint) and status in NOT_READY_STATUSES:
            if as_of > wednesday:
                return TicketStanding(
                    MISSED,
                    "missed",
                    f"Missed the internal review deadline (end of {by}).",
                    wednesday,
                )
            return TicketStanding(
                AT_RISK,
                "at risk",
                f"Not ready for internal review, due by the end of {by}.",
                wednesday,
            )
        if as_of >= sprint.week_day(2, 4) and status in NOT_DELIVERED_STATUSES:
            return TicketStanding(
                MISSED if as_of == sprint.end else AT_RISK,
                "at risk",
                f"Not in External Review yet; delivery is due one hour before sprint {sprint.number + 1}.",
                sprint.end,
            )
    if original_seconds and spent_seconds > original_seconds:
        return TicketStanding(
            OVER_ESTIMATE,
            "over estimate",
            f"{seconds_as_hours(spent_seconds)} h spent of {seconds_as_hours(original_seconds)} h estimated: tell the epic owner.",
        )
    return TicketStanding(ON_TRACK, "on track", "")
