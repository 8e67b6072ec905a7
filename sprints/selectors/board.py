"""The cell sprint board: one row per member, totals, the next sprint's non-green tickets, injections."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from opencraft_ops import calendar
from roles.models import Cell, MemberType
from sprints import reservations
from sprints.calculations import SprintDates
from sprints.calculations.capacity import (
    NOT_COMMITTED_STATUSES,
    CapacityRow,
    CapacityTotals,
    capacity_row,
    capacity_totals,
)
from sprints.calculations.newcomers import point_limit
from sprints.selectors.capacity import capacity_inputs, cell_members
from sprints.selectors.tickets import TicketLine, injections, not_green_tickets


@dataclass(frozen=True)
class BoardRow:
    row: CapacityRow
    rotations: tuple[str, ...]  # readable rotation names
    point_limit: Decimal | None  # newcomers in their first sprint
    injections: int  # not accepted

    @property
    def over_point_limit(self) -> bool:
        return self.point_limit is not None and self.row.assigned_points > self.point_limit

    @property
    def flags(self) -> list[tuple[str, str]]:
        """(css class, text) badges for the row."""
        result = []
        if self.row.over_committed:
            result.append(("bad", f"over-committed by {-self.row.remaining} h"))
        if self.row.unestimated_tickets:
            result.append(("warning", f"{self.row.unestimated_tickets} unestimated"))
        if self.over_point_limit:
            result.append(("bad", f"{self.row.assigned_points} pts > newcomer limit {self.point_limit}"))
        if self.injections:
            result.append(("warning", f"{self.injections} injection(s) not accepted"))
        return result


@dataclass(frozen=True)
class Board:
    dates: SprintDates
    rows: list[BoardRow]
    totals: CapacityTotals
    not_green: list[TicketLine]  # of the next sprint
    injections: list[TicketLine]


def board(*, cell: Cell, sprint_number: int) -> Board:
    """Everything the cell sprint board shows, in 10 queries whatever the number
    of members and tickets: members, 7 capacity inputs, next sprint's non-green
    tickets, this sprint's injections."""
    dates = calendar.sprint_dates(sprint_number)
    members = cell_members(cell=cell, dates=dates)
    rows = [capacity_row(dates, data) for data in capacity_inputs(members=members, dates=dates)]
    injected = injections(cell_ids=[cell.pk], sprint_number=sprint_number)
    pending: dict[int | None, int] = defaultdict(int)
    for ticket in injected:
        if not ticket.accepted and ticket.status not in NOT_COMMITTED_STATUSES:
            pending[ticket.assignee_id] += 1
    labels = reservations.readers.rotation_labels
    by_id = {m.pk: m for m in members}
    board_rows = [
        BoardRow(
            row=row,
            rotations=tuple(labels.get(kind, kind) for kind in row.rotation_kinds),
            point_limit=(
                point_limit(by_id[row.member_id].newcomer_start, dates)
                if row.member_type == MemberType.NEWCOMER
                else None
            ),
            injections=pending.get(row.member_id, 0),
        )
        for row in rows
    ]
    return Board(
        dates=dates,
        rows=board_rows,
        totals=capacity_totals(rows),
        not_green=not_green_tickets(cell_ids=[cell.pk], sprint_number=sprint_number + 1),
        injections=injected,
    )
