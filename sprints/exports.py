"""The CSV downloads of the sprint board's capacity rows and the wrap-up's spillovers,
built from the objects the pages render (opencraft_ops.csv_export)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from opencraft_ops.csv_export import Cell
from sprints.models import Spillover
from sprints.selectors import Board

CAPACITY_HEADER = [
    "member",
    "member type",
    "weekly hours",
    "capacity (h)",
    "committed (h)",
    "remaining (h)",
    "time off (h)",
    "rotation hours",
    "role hours",
    "ticket hours",
    "review hours",
    "meeting hours",
    "epic hours",
    "recurring hours",
    "tickets",
    "story points",
    "rotations",
    "flags",
]


def capacity_rows(board: Board) -> Iterator[Sequence[Cell]]:
    """A row per member, then the cell's total (as on the page)."""
    for item in board.rows:
        r = item.row
        yield [
            r.name,
            r.member_type,
            r.weekly_hours,
            r.capacity,
            r.committed,
            r.remaining,
            r.time_off_hours,
            r.rotation_hours,
            r.role_hours,
            r.ticket_hours,
            r.review_hours,
            r.meeting_hours,
            r.epic_hours,
            r.recurring_hours,
            r.assigned_tickets,
            r.assigned_points,
            ", ".join(item.rotations),
            "; ".join(text for _, text in item.flags) or "fits",
        ]
    t = board.totals
    flags = "cell over-committed" if t.over_committed else ""
    yield ["Cell total", "", "", t.capacity, t.committed, t.remaining, t.time_off_hours, *[""] * 10, flags]


SPILLOVER_HEADER = [
    "ticket",
    "summary",
    "assignee",
    "status at the end",
    "explanation",
    "explained by",
    "explained at",
]


def spillover_rows(spillovers: Iterable[Spillover]) -> Iterator[Sequence[Cell]]:
    for s in spillovers:
        yield [
            s.ticket.key,
            s.ticket.summary,
            s.assignee.name if s.assignee else "unassigned",
            s.status,
            s.explanation if s.is_explained else "",
            s.explained_by.username if s.is_explained and s.explained_by else "",
            s.explained_at if s.is_explained else None,
        ]
