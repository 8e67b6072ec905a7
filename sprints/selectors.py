"""Read queries of the sprints app. Capacity inputs are aggregated in SQL here and
turned into figures by the pure functions of ``sprints.calculations.capacity``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from roles.calculations import CommitmentChange
from roles.models import Cell, Member, MemberType, RoleAssignment, WeeklyCommitment
from roles.selectors import time_off_by_member
from rotations.models import RotationAssignment, RotationKind
from sprints import calendar
from sprints.calculations import SprintDates, injection_cutoff_instant, is_injection
from sprints.calculations.capacity import (
    FINISHED_STATUSES,
    NO_REVIEW_STATUSES,
    NOT_COMMITTED_STATUSES,
    CapacityInput,
    CapacityRow,
    CapacityTotals,
    ReviewTable,
    RoleReservation,
    RotationReservation,
    Workload,
    capacity_row,
    capacity_totals,
    parse_review_table,
)
from sprints.calculations.newcomers import point_limit
from sprints.models import (
    BoardSprint,
    CompletionStep,
    Epic,
    EpicStatus,
    Spillover,
    Sprint,
    SprintCompletion,
    Ticket,
)

INJECTION_ACCEPTED_LABEL = "injection-accepted"
DECIMAL = DecimalField(max_digits=12, decimal_places=2)


def review_table() -> ReviewTable:
    try:
        return parse_review_table(settings.SPRINT_REVIEW_HOURS)
    except ValueError as exc:
        raise ImproperlyConfigured(f"SPRINT_REVIEW_HOURS: {exc}") from None


def cutoff_day() -> int:
    day = int(settings.SPRINT_INJECTION_CUTOFF_DAY)
    if not 1 <= day <= 14:
        raise ImproperlyConfigured("SPRINT_INJECTION_CUTOFF_DAY must be between 1 and 14.")
    return day


def finished_statuses() -> frozenset[str]:
    return frozenset(settings.SPRINT_FINISHED_STATUSES)


def portal_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def sprint_row(number: int) -> Sprint:
    """The Sprint row for ``number``, or an unsaved one built from the calendar."""
    sprint = Sprint.objects.filter(number=number).first()
    if sprint is None:
        dates = calendar.sprint_dates(number)
        sprint = Sprint(number=number, start=dates.start, end=dates.end, name=f"Sprint {number}")
    return sprint


def cell_by_slug(slug: str) -> Cell:
    return get_object_or_404(Cell, slug=slug)


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


def _unestimated() -> Q:
    return Q(story_points__isnull=True) | Q(
        is_recurring=False, remaining_estimate_seconds__isnull=True, original_estimate_seconds__isnull=True
    )


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
            unestimated=Count("id", filter=open_ticket & _unestimated()),
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


# --- Tickets -------------------------------------------------------------------------------


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


def injections(*, cell_ids: Sequence[int] | None, sprint_number: int) -> list[Ticket]:
    """Tickets that entered sprint ``sprint_number`` after its cutoff day (one query)."""
    dates = calendar.sprint_dates(sprint_number)
    qs = tickets_base().filter(
        sprint__number=sprint_number, added_to_sprint_at__gte=injection_threshold(dates)
    )
    if cell_ids is not None:
        qs = qs.filter(cell_id__in=cell_ids)
    return list(qs.order_by("key"))


def not_green_tickets(*, cell_ids: Sequence[int] | None, sprint_number: int) -> list[Ticket]:
    """Tickets of a sprint missing an estimate, an assignee or a reviewer, with their
    epic owner (whom to ask) preloaded: one query."""
    qs = (
        Ticket.objects.select_related("assignee__user", "epic__owner__user")
        .filter(sprint__number=sprint_number)
        .exclude(status__in=NOT_COMMITTED_STATUSES | FINISHED_STATUSES)
        .filter(Q(story_points__isnull=True) | Q(assignee__isnull=True) | Q(reviewer__isnull=True))
    )
    if cell_ids is not None:
        qs = qs.filter(cell_id__in=cell_ids)
    return list(qs.order_by("priority_category", "key"))


def member_tickets(*, member: Member, sprint_number: int) -> list[Ticket]:
    """The member's tickets of a sprint, as assignee or reviewer (one query)."""
    return list(
        tickets_base()
        .filter(sprint__number=sprint_number)
        .filter(Q(assignee=member) | Q(reviewer=member))
        .order_by("priority_category", "key")
    )


def unestimated_tickets(*, cell_ids: Sequence[int] | None, sprint_number: int) -> list[Ticket]:
    qs = (
        tickets_base()
        .filter(sprint__number=sprint_number)
        .exclude(status__in=NOT_COMMITTED_STATUSES | FINISHED_STATUSES)
        .filter(_unestimated())
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


# --- Spillovers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WrapUp:
    spillovers: list[Spillover]
    unexplained: int
    clean_members: list[Member]  # members of the cell with no spillover this sprint


def spillovers_for(
    *, cell_ids: Sequence[int] | None, sprint_number: int | None = None
) -> QuerySet[Spillover]:
    qs = Spillover.objects.select_related("ticket", "assignee__user", "sprint", "explained_by", "cell")
    if cell_ids is not None:
        qs = qs.filter(cell_id__in=cell_ids)
    if sprint_number is not None:
        qs = qs.filter(sprint__number=sprint_number)
    return qs.order_by("-sprint__number", "ticket__key")


def wrap_up(*, cell: Cell, sprint_number: int) -> WrapUp:
    """The sprint manager's wrap-up: spillovers with explanations, and clean members (2 queries)."""
    dates = calendar.sprint_dates(sprint_number)
    spillovers = list(spillovers_for(cell_ids=[cell.pk], sprint_number=sprint_number))
    spilled = {s.assignee_id for s in spillovers}
    members = [m for m in cell_members(cell=cell, dates=dates) if m.pk not in spilled]
    return WrapUp(
        spillovers=spillovers,
        unexplained=sum(1 for s in spillovers if not s.is_explained),
        clean_members=members,
    )


def spillover_for_explanation(pk: int) -> Spillover:
    return get_object_or_404(
        Spillover.objects.select_related("ticket", "assignee__user", "sprint", "cell"), pk=pk
    )


def sprint_numbers_around(as_of: date) -> tuple[int, int]:
    """(current, next) sprint numbers on ``as_of``."""
    current = calendar.sprint_on(as_of).number
    return current, current + 1


def ticket_counts_by_status(*, cell: Cell, sprint_number: int) -> dict[str, int]:
    return dict(
        Ticket.objects.filter(cell=cell, sprint__number=sprint_number)
        .values("status")
        .annotate(n=Count("id", output_field=IntegerField()))
        .values_list("status", "n")
    )


# --- Cell sprint board ---------------------------------------------------------------------


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
    not_green: list[Ticket]  # of the next sprint
    injections: list[Ticket]


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
        if not is_accepted(ticket):
            pending[ticket.assignee_id] += 1
    labels = dict(RotationKind.choices)
    by_id = {m.pk: m for m in members}
    board_rows = [
        BoardRow(
            row=row,
            rotations=tuple(labels.get(kind, kind) for kind in row.rotation_kinds),
            point_limit=(
                point_limit(by_id[row.member_id].joined_on, dates)
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


@dataclass(frozen=True)
class CompletionPlan:
    """What completing a cell's sprint will do (the dry run)."""

    sprint: Sprint
    next_sprint: Sprint
    spill: list[Ticket]  # unfinished tickets: spillovers, moved to the next sprint
    finished: int
    jira_board_id: int | None
    current_jira_sprint: int | None
    next_jira_sprint: int | None
    completion: SprintCompletion | None
    steps_done: list[CompletionStep]


def completion_plan(*, cell: Cell, sprint_number: int) -> CompletionPlan:
    sprint = sprint_row(sprint_number)
    nxt = sprint_row(sprint_number + 1)
    spill = unfinished_tickets(cell=cell, sprint_number=sprint_number)
    finished = Ticket.objects.filter(
        cell=cell, sprint__number=sprint_number, status__in=finished_statuses()
    ).count()
    jira_ids = dict(
        BoardSprint.objects.filter(
            cell=cell, sprint__number__in=[sprint_number, sprint_number + 1]
        ).values_list("sprint__number", "jira_id")
    )
    completion = (
        SprintCompletion.objects.filter(cell=cell, sprint__number=sprint_number)
        .prefetch_related("steps")
        .first()
    )
    return CompletionPlan(
        sprint=sprint,
        next_sprint=nxt,
        spill=spill,
        finished=finished,
        jira_board_id=cell.jira_board_id,
        current_jira_sprint=jira_ids.get(sprint_number),
        next_jira_sprint=jira_ids.get(sprint_number + 1),
        completion=completion,
        steps_done=list(completion.steps.all()) if completion else [],
    )
