"""Capacity inputs, aggregated in SQL, and the capacity rows built from them by
the pure functions of ``sprints.calculations.capacity``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from opencraft_ops import calendar
from roles.calculations import CommitmentChange, TimeOffPeriod
from roles.models import Cell, Member, RoleAssignment, RoleScope, TimeOff
from sprints import reservations
from sprints.calculations import SprintDates
from sprints.calculations.capacity import (
    CapacityInput,
    CapacityRow,
    RoleReservation,
    RotationReservation,
    Workload,
    capacity_row,
)
from sprints.selectors import sql
from sprints.selectors.common import review_table


@dataclass(frozen=True)
class SprintMember:
    """A member as a sprint's capacity sees them: who, where, since when, and their type
    on the sprint's first day."""

    pk: int
    name: str
    cell_id: int | None
    joined_on: date
    left_on: date | None
    current_type: str
    type_since: date | None = None  # when the current type started (a newcomer's first day as one)

    @property
    def newcomer_start(self) -> date:
        """Where a newcomer's guard rails count from: the start of their newcomer period,
        else the day they joined."""
        return self.type_since or self.joined_on

    @classmethod
    def of(cls, member: Member) -> SprintMember:
        return cls(
            pk=member.pk,
            name=member.name,
            cell_id=member.cell_id,
            joined_on=member.joined_on,
            left_on=member.left_on,
            current_type=getattr(member, "current_type", "") or "",
        )


TimeOffRow = tuple[int, date, date, Decimal | None]
RoleRow = tuple[int, str, date, date | None, Decimal, Decimal]


def time_off_rows(periods: Iterable[TimeOff], dates: SprintDates) -> list[TimeOffRow]:
    """Loaded time off as ``sql.time_off`` reads it: the periods overlapping the sprint."""
    return [
        (p.member_id, p.start, p.end, p.hours_per_day)
        for p in periods
        if p.start <= dates.end and p.end >= dates.start
    ]


def role_rows(assignments: Iterable[RoleAssignment], dates: SprintDates) -> list[RoleRow]:
    """Loaded role assignments (with their role) as ``sql.roles`` reads them: those
    overlapping the sprint whose role reserves time, rotation roles left out (they reserve
    through the rotation schedule)."""
    return [
        (
            a.member_id,
            a.role.name,
            a.since,
            a.until,
            a.role.reserved_hours_per_week,
            a.role.reserved_hours_per_month,
        )
        for a in assignments
        if a.since <= dates.end
        and (a.until is None or a.until >= dates.start)
        and (a.role.reserved_hours_per_week > 0 or a.role.reserved_hours_per_month > 0)
        and a.role.scope != RoleScope.ROTATION
    ]


def cell_members(
    *, cell: Cell | None, dates: SprintDates, cell_ids: Sequence[int] | None = None
) -> list[SprintMember]:
    """Members of ``cell`` (or of ``cell_ids``, or of every cell when both are None) active
    at some point of the sprint, with their type on their first day in it (its first day, or
    the day they joined), by name (one query)."""
    ids = [cell.pk] if cell is not None else cell_ids
    return [SprintMember(*row) for row in sql.members(ids, dates.start, dates.end)]


def capacity_inputs(
    *,
    members: Sequence[SprintMember | Member],
    dates: SprintDates,
    preloaded_rotations: Sequence[tuple[int, str, date, date, Decimal]] | None = None,
    owned_epics: Mapping[int, int] | None = None,
    preloaded_time_off: Sequence[TimeOffRow] | None = None,
    preloaded_roles: Sequence[RoleRow] | None = None,
) -> list[CapacityInput]:
    """Everything the capacity maths needs for ``members`` in one sprint, in six
    queries whatever the number of members or tickets: commitments, time off,
    rotations, role reservations, the tickets assigned and reviewed, owned epics
    (plain SQL, see ``sql``; none without members). ``Member`` rows are taken with the
    type they were annotated with (``with_type``), if any. A caller that already read
    the members' rotations (``preloaded_rotations``) overlapping the sprint (as the
    readers return them), their ``owned_epics`` counts, their time off or their role
    assignments (as ``time_off_rows`` and ``role_rows`` turn them into the rows the
    readers return) passes them and saves those queries."""
    rows = [m if isinstance(m, SprintMember) else SprintMember.of(m) for m in members]
    ids = [m.pk for m in rows]
    if not ids:
        return []
    commitments: dict[int, list[CommitmentChange]] = defaultdict(list)
    for member_id, since, per_week in sql.commitments(ids):
        commitments[member_id].append(CommitmentChange(since=since, hours_per_week=per_week))
    time_off: dict[int, list[TimeOffPeriod]] = defaultdict(list)
    time_off_read = (
        preloaded_time_off if preloaded_time_off is not None else sql.time_off(ids, dates.start, dates.end)
    )
    for member_id, start, end, per_day in time_off_read:
        time_off[member_id].append(TimeOffPeriod(start=start, end=end, hours_per_day=per_day))
    rotations: dict[int, list[RotationReservation]] = defaultdict(list)
    rotation_rows = (
        preloaded_rotations
        if preloaded_rotations is not None
        else reservations.readers.rotations(ids, dates.start, dates.end)
    )
    for member_id, kind, start, end, reserved in rotation_rows:
        rotations[member_id].append(RotationReservation(kind=kind, start=start, end=end, hours=reserved))
    roles: dict[int, list[RoleReservation]] = defaultdict(list)
    roles_read = preloaded_roles if preloaded_roles is not None else sql.roles(ids, dates.start, dates.end)
    for member_id, role, since, until, per_week, per_month in roles_read:
        roles[member_id].append(
            RoleReservation(
                role=role, since=since, until=until, hours_per_week=per_week, hours_per_month=per_month
            )
        )
    assigned, reviewed = sql.workload(ids, dates.number, review_table(), dates.start)
    epics = owned_epics if owned_epics is not None else reservations.readers.owned_epics(ids)
    result = []
    for member in rows:
        row: dict[str, Any] = assigned.get(member.pk, {})
        result.append(
            CapacityInput(
                member_id=member.pk,
                name=member.name,
                member_type=member.current_type,
                joined_on=member.joined_on,
                left_on=member.left_on,
                commitments=tuple(commitments.get(member.pk, ())),
                time_off=tuple(time_off.get(member.pk, ())),
                rotations=tuple(rotations.get(member.pk, ())),
                roles=tuple(roles.get(member.pk, ())),
                workload=Workload(
                    ticket_hours=Decimal(row.get("ticket_seconds", 0)) / 3600,
                    recurring_hours=row.get("recurring", Decimal(0)),
                    review_hours=reviewed.get(member.pk) or Decimal(0),
                    epics_owned=epics.get(member.pk, 0),
                    assigned_tickets=row.get("tickets", 0),
                    assigned_points=row.get("points", Decimal(0)),
                    unestimated_tickets=row.get("unestimated", 0),
                ),
            )
        )
    return result


def capacity_rows(*, cell: Cell, sprint_number: int) -> list[CapacityRow]:
    """One capacity row per member of ``cell`` in sprint ``sprint_number`` (7 queries)."""
    dates = calendar.sprint_dates(sprint_number)
    members = cell_members(cell=cell, dates=dates)
    return [capacity_row(dates, data) for data in capacity_inputs(members=members, dates=dates)]


def member_capacity(*, member: Member, sprint_number: int) -> CapacityRow:
    """One member's capacity row for a sprint (7 queries), with the same member type
    as their row in the cell's capacity (their type on their first day in the sprint)."""
    dates = calendar.sprint_dates(sprint_number)
    row: SprintMember | Member = member
    if member.cell_id is not None:
        same = [
            m for m in cell_members(cell=None, cell_ids=[member.cell_id], dates=dates) if m.pk == member.pk
        ]
        row = same[0] if same else member
    (data,) = capacity_inputs(members=[row], dates=dates)
    return capacity_row(dates, data)
