"""Capacity inputs, aggregated in SQL, and the capacity rows built from them by
the pure functions of ``sprints.calculations.capacity``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from roles.calculations import CommitmentChange
from roles.models import Cell, Member, RoleAssignment, WeeklyCommitment
from roles.selectors import time_off_by_member
from rotations.models import RotationAssignment
from sprints import calendar
from sprints.calculations import SprintDates
from sprints.calculations.capacity import (
    FINISHED_STATUSES,
    NO_REVIEW_STATUSES,
    NOT_COMMITTED_STATUSES,
    CapacityInput,
    CapacityRow,
    ReviewTable,
    RoleReservation,
    RotationReservation,
    Workload,
    capacity_row,
)
from sprints.models import (
    Epic,
    EpicStatus,
    Ticket,
)
from sprints.selectors.common import DECIMAL, review_table, unestimated_filter


def cell_members(
    *, cell: Cell | None, dates: SprintDates, cell_ids: Sequence[int] | None = None
) -> list[Member]:
    """Members of ``cell`` (or of ``cell_ids``, or of every cell when both are None) active
    at some point of the sprint, with their type on its first day."""
    qs = Member.objects.filter(cell__isnull=False)
    if cell is not None:
        qs = qs.filter(cell=cell)
    elif cell_ids is not None:
        qs = qs.filter(cell_id__in=cell_ids)
    return list(
        qs.filter(joined_on__lte=dates.end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=dates.start))
        .with_type(as_of=dates.start)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def _review_hours_expression(table: ReviewTable) -> Case:
    whens = [When(story_points__isnull=True, then=Value(table.unestimated))]
    whens += [When(story_points__lte=bound, then=Value(band)) for bound, band in table.bands]
    return Case(*whens, default=Value(table.above), output_field=DECIMAL)


def capacity_inputs(*, members: Sequence[Member], dates: SprintDates) -> list[CapacityInput]:
    """Everything the capacity maths needs for ``members`` in one sprint, in seven
    queries whatever the number of members or tickets: commitments, time off,
    rotations, role reservations, assigned tickets, reviewed tickets, owned epics."""
    ids = [m.pk for m in members]
    commitments: dict[int, list[CommitmentChange]] = defaultdict(list)
    for member_id, since, per_week in WeeklyCommitment.objects.filter(member_id__in=ids).values_list(
        "member_id", "since", "hours_per_week"
    ):
        commitments[member_id].append(CommitmentChange(since=since, hours_per_week=per_week))
    time_off = time_off_by_member(member_ids=ids, start=dates.start, end=dates.end)
    rotations: dict[int, list[RotationReservation]] = defaultdict(list)
    for member_id, kind, start, end, reserved in RotationAssignment.objects.filter(
        member_id__in=ids, start__lte=dates.end, end__gte=dates.start
    ).values_list("member_id", "kind", "start", "end", "reserved_hours"):
        rotations[member_id].append(RotationReservation(kind=kind, start=start, end=end, hours=reserved))
    roles: dict[int, list[RoleReservation]] = defaultdict(list)
    for member_id, role, since, until, per_week, per_month in (
        RoleAssignment.objects.filter(member_id__in=ids, since__lte=dates.end)
        .filter(Q(until__isnull=True) | Q(until__gte=dates.start))
        .filter(Q(role__reserved_hours_per_week__gt=0) | Q(role__reserved_hours_per_month__gt=0))
        .values_list(
            "member_id",
            "role__name",
            "since",
            "until",
            "role__reserved_hours_per_week",
            "role__reserved_hours_per_month",
        )
    ):
        roles[member_id].append(
            RoleReservation(
                role=role, since=since, until=until, hours_per_week=per_week, hours_per_month=per_month
            )
        )
    open_ticket = ~Q(status__in=FINISHED_STATUSES)
    assigned: dict[int, dict[str, Any]] = {
        row["assignee_id"]: dict(row)
        for row in Ticket.objects.filter(sprint__number=dates.number, assignee_id__in=ids)
        .exclude(status__in=NOT_COMMITTED_STATUSES)
        .values("assignee_id")
        .annotate(
            ticket_seconds=Coalesce(
                Sum(
                    Coalesce("remaining_estimate_seconds", "original_estimate_seconds", Value(0)),
                    filter=open_ticket & Q(is_recurring=False),
                ),
                Value(0),
            ),
            recurring=Coalesce(
                Sum("recurring_hours_per_sprint", filter=open_ticket & Q(is_recurring=True)),
                Value(Decimal(0)),
                output_field=DECIMAL,
            ),
            tickets=Count("id"),
            points=Coalesce(Sum("story_points"), Value(Decimal(0)), output_field=DECIMAL),
            unestimated=Count("id", filter=open_ticket & unestimated_filter()),
        )
    }
    reviewed = dict(
        Ticket.objects.filter(sprint__number=dates.number, reviewer_id__in=ids)
        .exclude(status__in=NO_REVIEW_STATUSES | NOT_COMMITTED_STATUSES)
        .values("reviewer_id")
        .annotate(hours=Sum(_review_hours_expression(review_table())))
        .values_list("reviewer_id", "hours")
    )
    epics = dict(
        Epic.objects.filter(owner_id__in=ids)
        .exclude(status=EpicStatus.DONE)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    result = []
    for member in members:
        row: dict[str, Any] = assigned.get(member.pk, {})
        result.append(
            CapacityInput(
                member_id=member.pk,
                name=member.name,
                member_type=getattr(member, "current_type", "") or "",
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
    """One capacity row per member of ``cell`` in sprint ``sprint_number`` (8 queries)."""
    dates = calendar.sprint_dates(sprint_number)
    members = cell_members(cell=cell, dates=dates)
    return [capacity_row(dates, data) for data in capacity_inputs(members=members, dates=dates)]


def member_capacity(*, member: Member, sprint_number: int) -> CapacityRow:
    """One member's capacity row for a sprint (7 queries)."""
    dates = calendar.sprint_dates(sprint_number)
    (data,) = capacity_inputs(members=[member], dates=dates)
    return capacity_row(dates, data)
