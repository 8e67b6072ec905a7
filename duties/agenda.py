""" "Today" on the home page: what the member should do, most urgent first (pure).

Each source (duties, tickets, reviews, epic updates, rotations, time off, newcomer limits)
becomes ``AgendaItem``s with a rank and a link to where the thing is acted on; the view
reads the data once and this module only orders it, so the list agrees with the cards
below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.formats import date_format

from sprints.calculations.deadlines import AT_RISK, MISSED


def _day(d: date) -> str:
    return date_format(d, "SHORT_DATE_FORMAT")


# Ranks, most urgent first.
LATE, TODAY, SOON, LATER = 0, 1, 2, 3
RANK_LABELS = {LATE: "Late", TODAY: "Today", SOON: "This sprint", LATER: "Coming up"}
TIME_OFF_HORIZON_DAYS = 14


@dataclass(frozen=True)
class AgendaItem:
    rank: int
    due: date | None
    kind: str  # "duty", "ticket", "review", "epic update", "rotation", "time off", "newcomer"
    text: str
    url: str

    @property
    def rank_label(self) -> str:
        return RANK_LABELS[self.rank]


def _rank_for(due: date, today: date) -> int:
    if due < today:
        return LATE
    if due == today:
        return TODAY
    return SOON


def duty_items(duties: Iterable[Any], today: date, url_for: Any) -> list[AgendaItem]:
    items = []
    for duty in duties:
        if duty.done_at is not None or duty.due_on > today:
            continue
        title = duty.definition.title + (f": {duty.epic.key}" if getattr(duty, "epic", None) else "")
        when = "due today" if duty.due_on == today else f"overdue since {_day(duty.due_on)}"
        items.append(
            AgendaItem(_rank_for(duty.due_on, today), duty.due_on, "duty", f"{title} ({when})", url_for(duty))
        )
    return items


def ticket_items(tickets: Iterable[Any], today: date, sprint_end: date) -> list[AgendaItem]:
    """Assigned tickets that missed a deadline (late) or are at risk of one (today)."""
    items = []
    for t in tickets:
        if t.standing.rank > AT_RISK:  # over estimate and on track stay in the ticket list
            continue
        rank = LATE if t.standing.rank == MISSED else TODAY
        items.append(
            AgendaItem(
                rank,
                t.standing.deadline or sprint_end,
                "ticket",
                f"{t.ticket.key} {t.ticket.summary}: {t.standing.text}",
                t.url,
            )
        )
    return items


def review_items(reviews: Iterable[Any], today: date, review_deadline: date) -> list[AgendaItem]:
    items = []
    for r in reviews:
        who = r.ticket.assignee.name if r.ticket.assignee_id else "nobody yet"
        items.append(
            AgendaItem(
                LATE if today > review_deadline else TODAY,
                review_deadline,
                "review",
                f"Review {r.ticket.key} {r.ticket.summary} (assigned to {who}).",
                r.url,
            )
        )
    return items


def epic_update_items(epics: Sequence[Any], today: date, due: date, url_for: Any) -> list[AgendaItem]:
    """The epics the member owns whose update for the sprint is missing."""
    return [
        AgendaItem(
            _rank_for(due, today),
            due,
            "epic update",
            f"Post the sprint update of {epic.key} {epic.title} (due {_day(due)}).",
            url_for(epic),
        )
        for epic in epics
    ]


def rotation_items(rotations: Iterable[Any], today: date, url: str) -> list[AgendaItem]:
    items = []
    for r in rotations:
        if r.start <= today <= r.end:
            items.append(
                AgendaItem(
                    TODAY,
                    r.end,
                    "rotation",
                    f"Your {r.get_kind_display().lower()} rotation runs until {_day(r.end)}.",
                    url,
                )
            )
        elif today < r.start <= today + timedelta(days=7):
            items.append(
                AgendaItem(
                    LATER,
                    r.start,
                    "rotation",
                    f"Your {r.get_kind_display().lower()} rotation starts {_day(r.start)}.",
                    url,
                )
            )
    return items


def time_off_items(time_off: Any, today: date, url: str) -> list[AgendaItem]:
    if time_off is None or time_off.start > today + timedelta(days=TIME_OFF_HORIZON_DAYS):
        return []
    if time_off.start <= today:
        text = f"You are off until {_day(time_off.end)}."
    else:
        text = (
            f"Your time off starts {_day(time_off.start)}: hand over your tickets and tell "
            "your reviewers before then."
        )
    return [AgendaItem(SOON if time_off.start > today else TODAY, time_off.start, "time off", text, url)]


def newcomer_items(limits: Iterable[Any], url: str) -> list[AgendaItem]:
    return [
        AgendaItem(
            TODAY,
            limit.dates.start,
            "newcomer",
            f"You committed {limit.points} points in sprint {limit.dates.number}, over your limit of "
            f"{limit.limit}: ask your mentor which ticket to hand over.",
            url,
        )
        for limit in limits
        if limit.over
    ]


def completion_items(due: Iterable[tuple[Any, int, int]], url_for: Any) -> list[AgendaItem]:
    """Sprint completions due for the cells the member manages: (cell, sprint number due,
    current sprint number). The previous sprint still open is late."""
    return [
        AgendaItem(
            LATE if number < current else TODAY,
            None,
            "sprint",
            f"Complete sprint {number} for {cell.name}: spillovers, the next sprint's tickets, "
            "rotations and duties.",
            url_for(cell, number),
        )
        for cell, number, current in due
    ]


def ordered(*groups: Iterable[AgendaItem]) -> list[AgendaItem]:
    """Every item, most urgent first, then by due date."""
    items = [item for group in groups for item in group]
    return sorted(items, key=lambda i: (i.rank, i.due or date.max))
